// Invariant checks (sim/core/invariant.hpp): on in Debug and sanitizer builds and with TCPSIM_CHECKS,
// compiled out of Release. The cases that break an invariant on purpose run only where the checks
// are on (tools/test --sanitize); the whole suite running clean there is the test that the
// invariants hold in every scenario, unit test and property test we have.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "models/queues/drop_tail_queue.hpp"
#include "sim/core/invariant.hpp"
#include "sim/core/simulator.hpp"

using namespace tcpsim;

namespace {

struct Target final : EventTarget {
    std::function<void()> action;
    void on_event(uint32_t, uint64_t) override {
        if (action) action();
    }
};

}  // namespace

TEST_CASE("an invariant's condition is evaluated exactly when checks are on") {
    int evaluated = 0;
    TCPSIM_INVARIANT(++evaluated > 0, "counts its evaluations");
    CHECK(evaluated == (kInvariantChecks ? 1 : 0));
}

TEST_CASE("a violated invariant throws InvariantViolation naming the invariant, file and line" *
          doctest::skip(!kInvariantChecks)) {
    try {
        TCPSIM_INVARIANT(1 + 1 == 3, "arithmetic holds");
        FAIL("no exception");
    } catch (const InvariantViolation& e) {
        CHECK(std::string(e.name()) == "arithmetic holds");
        CHECK(std::string(e.what()).starts_with("invariant violated: arithmetic holds ("));
        CHECK(std::string(e.what()).find("test_invariants.cpp:") != std::string::npos);
    }
}

TEST_CASE("popping an empty drop-tail queue violates its invariant" * doctest::skip(!kInvariantChecks)) {
    DropTailQueue q(QueueConfig{});
    q.push(7, 1500);
    CHECK(q.pop() == 7);
    CHECK_THROWS_WITH_AS(q.pop(), doctest::Contains("a packet is popped only from a non-empty queue"), InvariantViolation);
}

TEST_CASE("pushing past a drop-tail queue's limit violates its invariant" * doctest::skip(!kInvariantChecks)) {
    QueueConfig c;
    c.limit_packets = 0;
    c.limit_bytes = 3000;
    DropTailQueue q(c);
    q.push(1, 1500);
    q.push(2, 1500);  // 3000 bytes: at the limit, fine
    CHECK_FALSE(q.fits(1));
    CHECK_THROWS_WITH_AS(q.push(3, 1), doctest::Contains("a drop-tail queue stays within its limit"), InvariantViolation);
}

TEST_CASE("scheduling an event in the past violates the simulator's invariant" * doctest::skip(!kInvariantChecks)) {
    Simulator sim(1);
    Target t;
    t.action = [&] { sim.at(SimTime::from_ms(5), &t, 0); };  // at 10 ms, for 5 ms
    sim.at(SimTime::from_ms(10), &t, 0);
    CHECK_THROWS_WITH_AS(sim.run(SimTime::from_s(1)), doctest::Contains("events are never scheduled in the past"),
                         InvariantViolation);
}

TEST_CASE("in Release without TCPSIM_CHECKS an event in the past is clamped to now, not run early" *
          doctest::skip(kInvariantChecks)) {
    Simulator sim(1);
    Target t;
    int fired = 0;
    SimTime fired_at;
    Target late;
    late.action = [&] { ++fired; fired_at = sim.now(); };
    t.action = [&] { sim.at(SimTime::from_ms(5), &late, 0); };
    sim.at(SimTime::from_ms(10), &t, 0);
    sim.run(SimTime::from_s(1));
    CHECK(fired == 1);
    CHECK(fired_at == SimTime::from_ms(10));
}
