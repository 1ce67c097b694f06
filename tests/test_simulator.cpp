// Simulator: the clock and the event loop (run until, budgets, stop) and the re-armable Timer.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/simulator.hpp"

using namespace tcpsim;

namespace {

struct Fired {
    int64_t now_ns;
    uint32_t kind;
    uint64_t arg;
    bool operator==(const Fired&) const = default;
};

// Records every event with the clock at the time it ran; `action` (if set) runs afterwards, so a
// test can schedule, stop or re-arm from inside an event.
struct Recorder final : EventTarget {
    explicit Recorder(Simulator& s) : sim(s) {}
    void on_event(uint32_t kind, uint64_t arg) override {
        log.push_back({sim.now().ns(), kind, arg});
        if (action) action(kind, arg);
    }
    std::vector<uint64_t> args() const {
        std::vector<uint64_t> v;
        for (const Fired& f : log) v.push_back(f.arg);
        return v;
    }
    Simulator& sim;
    std::vector<Fired> log;
    std::function<void(uint32_t, uint64_t)> action;
};

SimTime ms(int64_t v) { return SimTime::from_ms(v); }

}  // namespace

TEST_CASE("run(until) runs events up to and including until, then stops at until with end_time") {
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(1), &r, 0, 1);
    sim.at(ms(10), &r, 0, 2);  // exactly at `until`: runs
    sim.at(ms(5), &r, 0, 3);
    sim.at(SimTime::from_ns(10'000'001), &r, 0, 4);  // 1 ns past `until`: waits
    RunResult res = sim.run(ms(10));
    CHECK(res.reason == StopReason::end_time);
    CHECK(res.end_time == ms(10));
    CHECK(res.events == 3);
    CHECK(sim.now() == ms(10));
    CHECK(sim.events_executed() == 3);
    CHECK(sim.pending_events() == 1);
    CHECK(r.log == std::vector<Fired>{{1'000'000, 0, 1}, {5'000'000, 0, 3}, {10'000'000, 0, 2}});
}

TEST_CASE("run(until) advances the clock to until even when no event comes before it") {
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(100), &r, 0, 1);
    RunResult res = sim.run(ms(30));
    CHECK(res.reason == StopReason::end_time);
    CHECK(sim.now() == ms(30));
    CHECK(res.events == 0);
    CHECK(r.log.empty());
    // "after" counts from the new clock: 30 ms + 5 ms.
    sim.after(ms(5), &r, 0, 2);
    res = sim.run(ms(50));
    CHECK(r.log == std::vector<Fired>{{35'000'000, 0, 2}});
    CHECK(res.reason == StopReason::end_time);
    CHECK(sim.now() == ms(50));
}

TEST_CASE("a later run continues where the previous one stopped") {
    Simulator sim(1);
    Recorder r(sim);
    for (int64_t t = 1; t <= 6; ++t) sim.at(ms(t * 10), &r, 0, static_cast<uint64_t>(t));
    CHECK(sim.run(ms(25)).events == 2);  // 10, 20
    RunResult res = sim.run(ms(45));     // 30, 40 (events counted over the simulator's life)
    CHECK(res.reason == StopReason::end_time);
    CHECK(res.events == 4);
    CHECK(r.args() == std::vector<uint64_t>{1, 2, 3, 4});
    CHECK(sim.now() == ms(45));
}

TEST_CASE("run(until) with until before now() does not move the clock back") {
    // The clock never goes back (Simulator::at): a run that has nothing to do before an earlier
    // `until` leaves it where it is, so what was scheduled from now() on stays in the future.
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(100), &r, 0, 1);
    sim.run(ms(50));
    REQUIRE(sim.now() == ms(50));
    RunResult res = sim.run(ms(20));
    CHECK(res.reason == StopReason::end_time);
    CHECK(res.events == 0);
    CHECK(sim.now() == ms(50));
    CHECK(res.end_time == ms(50));
}

TEST_CASE("run returns no_events when the queue empties, with the clock at the last event") {
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(3), &r, 0, 1);
    sim.at(ms(7), &r, 0, 2);
    RunResult res = sim.run(SimTime::from_s(10));
    CHECK(res.reason == StopReason::no_events);
    CHECK(res.events == 2);
    CHECK(res.end_time == ms(7));
    CHECK(sim.now() == ms(7));
    CHECK(sim.pending_events() == 0);
}

TEST_CASE("run on an empty simulator returns no_events at time zero") {
    Simulator sim(1);
    RunResult res = sim.run(SimTime::from_s(1));
    CHECK(res.reason == StopReason::no_events);
    CHECK(res.events == 0);
    CHECK(res.end_time == SimTime::zero());
    CHECK(sim.now() == SimTime::zero());
}

TEST_CASE("a queue holding only cancelled timers counts as empty") {
    Simulator sim(1);
    Recorder r(sim);
    TimerHandle a = sim.timer_at(ms(1), &r, 0, 1);
    TimerHandle b = sim.timer_at(ms(2), &r, 0, 2);
    sim.cancel(a);
    sim.cancel(b);
    RunResult res = sim.run(SimTime::from_s(1));
    CHECK(res.reason == StopReason::no_events);
    CHECK(r.log.empty());
    CHECK(sim.now() == SimTime::zero());
}

TEST_CASE("max_events stops the run with event_budget, counted over the simulator's life") {
    Simulator sim(1);
    Recorder r(sim);
    for (uint64_t i = 0; i < 10; ++i) sim.at(ms(static_cast<int64_t>(i + 1)), &r, 0, i);
    RunResult res = sim.run(SimTime::from_s(1), 4);
    CHECK(res.reason == StopReason::event_budget);
    CHECK(res.events == 4);
    CHECK(res.end_time == ms(4));  // the 4th event ran at 4 ms; the clock stays there
    CHECK(sim.now() == ms(4));
    CHECK(sim.pending_events() == 6);
    // A budget already spent stops before running anything.
    res = sim.run(SimTime::from_s(1), 4);
    CHECK(res.reason == StopReason::event_budget);
    CHECK(res.events == 4);
    // The budget is a total: 6 allows two more events (5 and 6 ms).
    res = sim.run(SimTime::from_s(1), 6);
    CHECK(res.reason == StopReason::event_budget);
    CHECK(res.events == 6);
    CHECK(r.args() == std::vector<uint64_t>{0, 1, 2, 3, 4, 5});
    // A budget that runs out with the last event reports event_budget, not no_events: the
    // budget is checked before the queue.
    res = sim.run(SimTime::from_s(1), 10);
    CHECK(res.reason == StopReason::event_budget);
    CHECK(res.events == 10);
    CHECK(sim.pending_events() == 0);
}

TEST_CASE("stop() from inside an event ends the run after that event") {
    Simulator sim(1);
    Recorder r(sim);
    for (uint64_t i = 1; i <= 5; ++i) sim.at(ms(static_cast<int64_t>(i)), &r, 0, i);
    sim.at(ms(2), &r, 0, 22);  // same time as the stopping event, queued after it
    r.action = [&](uint32_t, uint64_t arg) {
        if (arg == 2) sim.stop();
    };
    RunResult res = sim.run(SimTime::from_s(1));
    CHECK(res.reason == StopReason::stopped);
    CHECK(res.end_time == ms(2));
    CHECK(res.events == 2);
    CHECK(sim.now() == ms(2));
    CHECK(r.args() == std::vector<uint64_t>{1, 2});
    // The stop request does not outlive its run: the next run goes on to the end.
    r.action = nullptr;
    res = sim.run(SimTime::from_s(1));
    CHECK(res.reason == StopReason::no_events);
    CHECK(r.args() == std::vector<uint64_t>{1, 2, 22, 3, 4, 5});
}

TEST_CASE("stop(reason) returns the reason given") {
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(1), &r, 0, 1);
    sim.at(ms(2), &r, 0, 2);
    r.action = [&](uint32_t, uint64_t) { sim.stop(StopReason::all_finished); };
    RunResult res = sim.run(SimTime::from_s(1));
    CHECK(res.reason == StopReason::all_finished);
    CHECK(res.end_time == ms(1));
    CHECK(res.events == 1);
}

TEST_CASE("events scheduled for now from inside an event run after the same-time events already queued") {
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(5), &r, 0, 1);
    sim.at(ms(5), &r, 0, 2);
    sim.at(ms(6), &r, 0, 9);
    r.action = [&](uint32_t, uint64_t arg) {
        if (arg == 1) {
            sim.at(sim.now(), &r, 0, 3);
            sim.after(SimTime::zero(), &r, 0, 4);
            sim.timer_at(sim.now(), &r, 0, 5);
        }
        if (arg == 3) sim.after(SimTime::zero(), &r, 0, 6);  // queued behind 4 and 5
    };
    sim.run(SimTime::from_s(1));
    CHECK(r.log == std::vector<Fired>{{5'000'000, 0, 1}, {5'000'000, 0, 2}, {5'000'000, 0, 3}, {5'000'000, 0, 4},
                                       {5'000'000, 0, 5}, {5'000'000, 0, 6}, {6'000'000, 0, 9}});
}

TEST_CASE("events pass kind and arg through to their target unchanged") {
    Simulator sim(1);
    Recorder a(sim), b(sim);
    sim.at(ms(1), &a, 7, 0xdeadbeefcafeULL);
    sim.at(ms(1), &b, 0xffffffffu, UINT64_MAX);
    sim.after(ms(2), &a, 3);  // arg defaults to 0
    sim.run(SimTime::from_s(1));
    CHECK(a.log == std::vector<Fired>{{1'000'000, 7, 0xdeadbeefcafeULL}, {2'000'000, 3, 0}});
    CHECK(b.log == std::vector<Fired>{{1'000'000, 0xffffffffu, UINT64_MAX}});
}

TEST_CASE("after() with a delay past the end of time saturates instead of wrapping into the past") {
    Simulator sim(1);
    Recorder r(sim);
    sim.at(ms(5), &r, 0, 1);
    r.action = [&](uint32_t, uint64_t arg) {
        if (arg == 1) sim.after(SimTime::max(), &r, 0, 2);  // 5 ms + max: saturates at max()
    };
    RunResult res = sim.run(SimTime::from_s(3600));
    CHECK(res.reason == StopReason::end_time);
    CHECK(r.args() == std::vector<uint64_t>{1});
    CHECK(sim.pending_events() == 1);
    // Running to the end of time does reach it.
    res = sim.run(SimTime::max());
    CHECK(r.log.back() == Fired{SimTime::max().ns(), 0, 2});
    CHECK(res.reason == StopReason::no_events);
}

TEST_CASE("a cancelled simulator timer never fires and pending follows it") {
    Simulator sim(1);
    Recorder r(sim);
    TimerHandle h = sim.timer_at(ms(10), &r, 0, 1);
    TimerHandle kept = sim.timer_at(ms(20), &r, 0, 2);
    CHECK(sim.pending(h));
    CHECK(sim.pending_events() == 2);
    CHECK(sim.cancel(h));
    CHECK_FALSE(sim.pending(h));
    CHECK_FALSE(sim.cancel(h));
    CHECK(sim.pending_events() == 1);
    sim.run(SimTime::from_s(1));
    CHECK(r.args() == std::vector<uint64_t>{2});
    CHECK_FALSE(sim.pending(kept));  // fired
}

TEST_CASE("re-arming a Timer cancels its previous deadline") {
    Simulator sim(1);
    Recorder r(sim);
    Timer timer(&r, 4);
    CHECK_FALSE(timer.armed(sim));
    timer.arm_at(sim, ms(10), 1);
    CHECK(timer.armed(sim));
    CHECK(timer.deadline() == ms(10));
    timer.arm_at(sim, ms(30), 2);  // later
    timer.arm_at(sim, ms(20), 3);  // earlier than the last, later than the first
    CHECK(timer.deadline() == ms(20));
    CHECK(sim.pending_events() == 1);
    RunResult res = sim.run(SimTime::from_s(1));
    CHECK(r.log == std::vector<Fired>{{20'000'000, 4, 3}});
    CHECK(res.events == 1);
    CHECK_FALSE(timer.armed(sim));
}

TEST_CASE("a Timer re-armed from its own expiry fires again and arm_after counts from now") {
    Simulator sim(1);
    Recorder r(sim);
    Timer timer(&r, 0);
    int fired = 0;
    // A periodic 10 ms timer, three times: at 10, 20, 30 ms.
    r.action = [&](uint32_t, uint64_t) {
        if (++fired < 3) timer.arm_after(sim, ms(10), static_cast<uint64_t>(fired));
    };
    timer.arm_after(sim, ms(10), 0);
    sim.run(SimTime::from_s(1));
    CHECK(r.log == std::vector<Fired>{{10'000'000, 0, 0}, {20'000'000, 0, 1}, {30'000'000, 0, 2}});
    CHECK(timer.deadline() == ms(30));
}

TEST_CASE("a cancelled Timer does not fire and can be armed again") {
    Simulator sim(1);
    Recorder r(sim);
    Timer timer(&r, 0);
    sim.at(ms(100), &r, 1, 9);  // keeps the queue non-empty so run(15 ms) ends at 15 ms
    timer.arm_at(sim, ms(10), 1);
    timer.cancel(sim);
    CHECK_FALSE(timer.armed(sim));
    timer.cancel(sim);  // cancelling an idle timer is harmless
    sim.run(ms(15));
    CHECK(r.log.empty());
    timer.arm_after(sim, ms(10), 2);  // 15 + 10 ms
    sim.run(SimTime::from_s(1));
    CHECK(r.log == std::vector<Fired>{{25'000'000, 0, 2}, {100'000'000, 1, 9}});
}

TEST_CASE("two simulators in one process keep separate clocks and queues") {
    Simulator a(1), b(2);
    Recorder ra(a), rb(b);
    a.at(ms(5), &ra, 0, 1);
    b.at(ms(7), &rb, 0, 2);
    a.run(SimTime::from_s(1));
    CHECK(a.now() == ms(5));
    CHECK(b.now() == SimTime::zero());
    CHECK(b.pending_events() == 1);
    CHECK(rb.log.empty());
    b.run(SimTime::from_s(1));
    CHECK(rb.log == std::vector<Fired>{{7'000'000, 0, 2}});
    CHECK(a.seed() == 1);
    CHECK(b.seed() == 2);
}

TEST_CASE("stop reasons have stable names") {
    // These strings appear in the trace summary and on stderr.
    CHECK(to_string(StopReason::end_time) == "end_time");
    CHECK(to_string(StopReason::all_finished) == "all_finished");
    CHECK(to_string(StopReason::event_budget) == "event_budget");
    CHECK(to_string(StopReason::no_events) == "no_events");
    CHECK(to_string(StopReason::stopped) == "stopped");
}
