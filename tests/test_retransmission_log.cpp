// RetransmissionLog: what a D-SACK or the Eifel test takes from it, and what it forgets.
#include <doctest/doctest.h>

#include "models/tcp/retransmission_log.hpp"

using namespace tcpsim;

namespace {
constexpr SimTime s(int64_t v) { return SimTime::from_s(v); }
}  // namespace

TEST_CASE("retransmission log: a D-SACK takes the oldest copy of its bytes, one per byte range") {
    RetransmissionLog log;
    log.record(0, 100, s(1));
    log.record(0, 100, s(2));    // the same bytes again (a repeated timeout)
    log.record(100, 200, s(3));
    CHECK(log.take_duplicated(0, 100) == 1);   // one of the two copies of [0, 100)
    CHECK(log.size() == 2);
    CHECK(log.take_duplicated(0, 200) == 2);   // the other copy, and [100, 200)
    CHECK(log.take_duplicated(0, 200) == 0);
    CHECK(log.size() == 0);
    log.record(500, 600, s(4));
    CHECK(log.take_duplicated(300, 400) == 0);  // never retransmitted: the network's duplicate
    CHECK(log.take_duplicated(550, 560) == 1);  // part of a retransmitted segment
    CHECK(log.take_starting_at(500) == false);
}

TEST_CASE("retransmission log: forgets what is acknowledged and old, keeps the rest") {
    RetransmissionLog log;
    log.record(0, 100, s(1));
    log.record(100, 200, s(2));
    log.record(200, 300, s(3));
    log.forget(150, s(10));  // [100, 200) is not all below SND.UNA: it and what follows stay
    CHECK(log.size() == 2);
    log.forget(300, s(3));   // [200, 300) was sent at 3 s, not before it
    CHECK(log.size() == 1);
    CHECK(log.take_starting_at(200));
    log.forget(300, s(4));
    CHECK(log.size() == 0);
}
