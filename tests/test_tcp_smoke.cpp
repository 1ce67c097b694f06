// The harness itself: an active open emits the SYN and arms the retransmission timer.
#include <doctest/doctest.h>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

TEST_CASE("an active open sends a SYN with the ISS and arms the 1 s initial RTO") {
    EndpointHarness h(plain_tcp(), 1000);
    h.ep.connect(SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    CHECK(h.last().flags == kSyn);
    CHECK(h.last().seq == 1000);
    CHECK(h.ep.state() == TcpState::SYN_SENT);
    CHECK(h.timer_due(TcpTimer::retransmit) == SimTime::from_s(1));
}
