#include "sim/core/simulator.hpp"

#include "sim/core/invariant.hpp"

namespace tcpsim {

std::string_view to_string(StopReason r) {
    switch (r) {
        case StopReason::end_time: return "end_time";
        case StopReason::all_finished: return "all_finished";
        case StopReason::event_budget: return "event_budget";
        case StopReason::no_events: return "no_events";
        case StopReason::stopped: return "stopped";
        case StopReason::interrupted: return "interrupted";
        case StopReason::trace_limit: return "trace_limit";
        case StopReason::trace_error: return "trace_error";
    }
    return "unknown";
}

TimerHandle Simulator::timer_at(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
    TCPSIM_INVARIANT(t >= now_, "timers are never armed in the past");
    return queue_.push_cancellable(t < now_ ? now_ : t, target, kind, arg);
}

RunResult Simulator::run(SimTime until, uint64_t max_events) {
    stop_requested_ = false;
    FiredEvent ev;
    for (;;) {
        if (events_ >= max_events) return {StopReason::event_budget, now_, events_};
        if (interrupt_ && *interrupt_) return {StopReason::interrupted, now_, events_};
        SimTime next;
        if (!queue_.pop_due(until, ev, next)) {
            if (next == SimTime::max() && queue_.empty()) return {StopReason::no_events, now_, events_};
            if (until > now_) now_ = until;  // an earlier `until` must not turn the clock back
            return {StopReason::end_time, now_, events_};
        }
        TCPSIM_INVARIANT(ev.time >= now_, "event time never goes backwards");
        now_ = ev.time;
        ++events_;
        ev.target->on_event(ev.kind, ev.arg);
        if (stop_requested_) return {stop_reason_, now_, events_};
    }
}

}  // namespace tcpsim
