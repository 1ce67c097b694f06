#pragma once
// EventQueue: the pending events of one simulation, ordered by (time, insertion sequence) so
// that events at the same nanosecond run in the order they were scheduled (determinism).
//
// Speed: a 4-ary min-heap of 16-byte keys in one vector (four children share a cache line), the
// events' targets and arguments in a side table; no allocation per event once the vectors have
// grown. Cancellation is lazy and O(1): the event's node is marked dead and its generation bumped;
// a dead entry is dropped when it reaches the top (or by compaction, when dead ones pile up).
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
    void push(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) { push_entry(t.ns(), new_node(target, kind, arg)); }
    TimerHandle push_cancellable(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
        uint32_t n = new_node(target, kind, arg);
        push_entry(t.ns(), n);
        return TimerHandle{n, nodes_[n].gen};
    }
    // True if the event was still pending (it will now never fire). The handle is cleared.
    bool cancel(TimerHandle& h);
    bool pending(const TimerHandle& h) const {
        return !h.empty() && h.slot < nodes_.size() && nodes_[h.slot].gen == h.gen && nodes_[h.slot].target;
    }

    // Removes the earliest live event into `out`; false when none is left.
    bool pop(FiredEvent& out);
    // Time of the earliest live event, or SimTime::max() when empty.
    SimTime next_time();

    size_t size() const { return live_; }
    bool empty() const { return live_ == 0; }
    // Entries in the heap, cancelled ones included (for the benchmark and compaction tests).
    size_t heap_entries() const { return heap_.size(); }
    void reserve(size_t n) {
        heap_.reserve(n);
        nodes_.reserve(n);
    }

private:
    // The heap holds 16-byte keys only, four children to a cache line: (time, order), where
    // order = insertion sequence (high 32 bits) | node (low 32 bits). Distinct events have
    // distinct sequence numbers, so the node never decides the order. When the 32-bit sequence
    // would wrap, the pending entries are renumbered in order (renumber()): the order stays
    // exactly (time, insertion sequence) for any number of events.
    struct Entry {
        int64_t time;
        uint64_t order;
    };
    // What an entry fires. Lives exactly as long as its heap entry; `target` null: cancelled.
    // `gen` changes whenever the event fires or is cancelled, so old handles stop matching.
    struct Node {
        EventTarget* target;
        uint64_t arg;
        uint32_t kind;
        uint32_t gen;
    };
    static bool before(const Entry& a, const Entry& b) {
        return a.time < b.time || (a.time == b.time && a.order < b.order);
    }
    static uint32_t node_of(const Entry& e) { return static_cast<uint32_t>(e.order); }

    uint32_t new_node(EventTarget* target, uint32_t kind, uint64_t arg) {
        ++live_;
        if (!free_nodes_.empty()) {
            uint32_t n = free_nodes_.back();
            free_nodes_.pop_back();
            Node& x = nodes_[n];
            x.target = target;
            x.arg = arg;
            x.kind = kind;
            return n;
        }
        nodes_.push_back(Node{target, arg, kind, 0});
        return static_cast<uint32_t>(nodes_.size() - 1);
    }
    void push_entry(int64_t time, uint32_t node);
    void remove_top();
    void drop_cancelled_top();
    void maybe_compact();
    void renumber();

    std::vector<Entry> heap_;
    std::vector<Node> nodes_;
    std::vector<uint32_t> free_nodes_;
    uint64_t next_seq_ = 0;
    size_t live_ = 0;
};

}  // namespace tcpsim
