#pragma once
// Simulator: the clock and the event loop of one simulation. Not a singleton: models receive a
// reference, so two simulations can run in one process on two threads (sweeps rely on it).
#include <csignal>
#include <cstdint>
#include <string_view>

#include "sim/core/event_queue.hpp"
#include "sim/core/invariant.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

enum class StopReason {
    end_time,      // the scenario's duration was reached
    all_finished,  // every application that takes part said it is done
    event_budget,  // --max-events reached
    no_events,     // nothing left to happen
    stopped,       // stop() from a model
    interrupted,   // the interrupt flag was raised (SIGINT in the CLI)
    trace_limit,   // the trace reached --max-trace-bytes
    trace_error,   // the trace could not be written (disk full)
};
std::string_view to_string(StopReason r);

struct RunResult {
    StopReason reason;
    SimTime end_time;
    uint64_t events;
};

class Simulator {
public:
    explicit Simulator(uint64_t seed) : seed_(seed) {}
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    SimTime now() const { return now_; }
    uint64_t seed() const { return seed_; }
    uint64_t events_executed() const { return events_; }
    // A component's own random stream (see RngStream for how it is derived).
    RngStream rng(std::string_view component) const { return RngStream(seed_, component); }

    // Schedules at an absolute time (never before now(): the clock does not go back). Inline:
    // every packet's every hop schedules one or two events.
    void at(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg = 0) {
        TCPSIM_INVARIANT(t >= now_, "events are never scheduled in the past");
        queue_.push(t < now_ ? now_ : t, target, kind, arg);
    }
    void after(SimTime delay, EventTarget* target, uint32_t kind, uint64_t arg = 0) {
        at(now_.sat_add(delay), target, kind, arg);
    }
    TimerHandle timer_at(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg = 0);
    bool cancel(TimerHandle& h) { return queue_.cancel(h); }
    bool pending(const TimerHandle& h) const { return queue_.pending(h); }
    size_t pending_events() const { return queue_.size(); }

    // Runs events with time <= until, at most max_events of them (counted over the whole life of
    // the simulator). On end_time the clock is left at `until` (or where it was, if later).
    RunResult run(SimTime until, uint64_t max_events = UINT64_MAX);
    // Ends run() after the current event.
    void stop(StopReason reason = StopReason::stopped) {
        stop_requested_ = true;
        stop_reason_ = reason;
    }
    // A flag a signal handler may raise (the only thing it may safely touch): run() checks it
    // before every event and ends with StopReason::interrupted. Null: never interrupted. The flag
    // belongs to the caller, so two simulations in one process do not share it unless asked to.
    void set_interrupt_flag(const volatile std::sig_atomic_t* flag) { interrupt_ = flag; }

private:
    EventQueue queue_;
    SimTime now_ = SimTime::zero();
    uint64_t seed_;
    uint64_t events_ = 0;
    bool stop_requested_ = false;
    StopReason stop_reason_ = StopReason::stopped;
    const volatile std::sig_atomic_t* interrupt_ = nullptr;
};

// A re-armable one-shot timer owned by a model: arming cancels the previous deadline.
class Timer {
public:
    Timer(EventTarget* target, uint32_t kind) : target_(target), kind_(kind) {}
    void arm_at(Simulator& sim, SimTime t, uint64_t arg = 0) {
        sim.cancel(handle_);
        deadline_ = t;
        handle_ = sim.timer_at(t, target_, kind_, arg);
    }
    void arm_after(Simulator& sim, SimTime delay, uint64_t arg = 0) { arm_at(sim, sim.now().sat_add(delay), arg); }
    void cancel(Simulator& sim) { sim.cancel(handle_); }
    bool armed(const Simulator& sim) const { return sim.pending(handle_); }
    SimTime deadline() const { return deadline_; }

private:
    EventTarget* target_;
    uint32_t kind_;
    TimerHandle handle_;
    SimTime deadline_;
};

}  // namespace tcpsim
