#pragma once
// EventQueue: the pending events of one simulation, ordered by (time, insertion sequence) so
// that events at the same nanosecond run in the order they were scheduled (determinism).
//
// Speed: entries are small PODs in one vector used as a 4-ary min-heap; no allocation per event
// once the vector has grown. Cancellation is lazy and O(1): a cancellable event owns a slot whose
// generation is bumped on cancel; a popped entry whose generation no longer matches is skipped.
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace tcpsim {

// Whatever receives events: a link direction, a node, an endpoint, an application. `kind` and
// `arg` are the target's own (e.g. kind = "transmission done", arg = packet index): a small tagged
// event instead of a closure.
class EventTarget {
public:
    virtual void on_event(uint32_t kind, uint64_t arg) = 0;

protected:
    ~EventTarget() = default;
};

// Names one cancellable pending event. Default-constructed: names nothing.
struct TimerHandle {
    static constexpr uint32_t kNone = UINT32_MAX;
    uint32_t slot = kNone;
    uint32_t gen = 0;
    bool empty() const { return slot == kNone; }
};

struct FiredEvent {
    SimTime time;
    EventTarget* target;
    uint32_t kind;
    uint64_t arg;
};

class EventQueue {
public:
    void push(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg);
    TimerHandle push_cancellable(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg);
    // True if the event was still pending (it will now never fire). The handle is cleared.
    bool cancel(TimerHandle& h);
    bool pending(const TimerHandle& h) const {
        return !h.empty() && h.slot < slot_gen_.size() && slot_gen_[h.slot] == h.gen;
    }

    // Removes the earliest live event into `out`; false when none is left.
    bool pop(FiredEvent& out);
    // Time of the earliest live event, or SimTime::max() when empty.
    SimTime next_time();

    size_t size() const { return live_; }
    bool empty() const { return live_ == 0; }
    // Entries in the heap, cancelled ones included (for the benchmark and compaction tests).
    size_t heap_entries() const { return heap_.size(); }
    void reserve(size_t n) { heap_.reserve(n); }

private:
    struct Entry {
        int64_t time;
        uint64_t seq;
        EventTarget* target;
        uint64_t arg;
        uint32_t kind;
        uint32_t slot;  // TimerHandle::kNone if not cancellable
        uint32_t gen;
    };
    static bool before(const Entry& a, const Entry& b) {
        return a.time < b.time || (a.time == b.time && a.seq < b.seq);
    }
    bool is_live(const Entry& e) const { return e.slot == TimerHandle::kNone || slot_gen_[e.slot] == e.gen; }
    void push_entry(const Entry& e);
    void remove_top();
    void drop_cancelled_top();
    void maybe_compact();

    std::vector<Entry> heap_;
    std::vector<uint32_t> slot_gen_;
    std::vector<uint32_t> free_slots_;
    uint64_t next_seq_ = 0;
    size_t live_ = 0;
};

}  // namespace tcpsim
