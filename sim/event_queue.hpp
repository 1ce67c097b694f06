#pragma once
// EventQueue: the pending events of one simulation, ordered by (time, insertion sequence) so
// that events at the same nanosecond run in the order they were scheduled (determinism).
//
// Speed: simulated time never goes back, so the queue is a monotone radix queue (a "radix heap",
// Ahuja, Mehlhorn, Orlin and Tarjan 1990) rather than a comparison heap. Every pending key is >=
// `base_`, the time of the last event brought to the front; bucket 0 holds the events at exactly
// base_ in insertion order, bucket b >= 1 those whose time differs from base_ first in bit b-1.
// A push is one append; a pop takes the front of bucket 0, and when bucket 0 runs dry the lowest
// non-empty bucket is spread into lower ones around its minimum. Each event moves at most 64
// times and in practice a few, each move a sequential copy of 32 bytes: no sift with a mispredicted
// branch per level, as a heap has. A plain event carries its target and argument in its entry; a
// cancellable one refers to a node in a side table; no allocation per event once the vectors have
// grown. Cancellation is lazy and O(1): the event's node
// is marked dead and its generation bumped; a dead entry is dropped when it reaches the front (or by
// compaction, when dead ones pile up). A push earlier than base_ (allowed, e.g. after run() stopped
// at an end time with later events pending) rebuilds the buckets around it: correct, O(n), rare.
#include <array>
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
    // A plain event carries everything it fires in its entry; a cancellable one names a node.
    void push(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
        ++live_;
        push_entry(t.ns(), kind, target, arg);
    }
    TimerHandle push_cancellable(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
        uint32_t n = new_node(target, kind);
        push_entry(t.ns(), n, nullptr, arg);
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
    // Entries held, cancelled ones included (for the benchmark and compaction tests).
    size_t heap_entries() const { return entries_; }
    // Entries the buckets have room for (their capacity): memory held, used or not.
    size_t reserved_entries() const {
        size_t n = 0;
        for (const auto& b : buckets_) n += b.capacity();
        return n;
    }
    void reserve(size_t n) { nodes_.reserve(n); }

private:
    // 32-byte entries: (key, order, target, arg). key = the time with its sign bit flipped, so
    // unsigned order is time order; order = insertion sequence (high 32 bits) | low (32 bits).
    // A plain event holds what it fires in the entry itself (low = kind): popping it reads
    // nothing else, no node in a side table at a random place in memory (that cache miss was 40%
    // of a pop at 1e5 pending events). A cancellable event has target null and low = its node,
    // which says whether it is still live, whom it fires and with what kind; its arg is the
    // entry's, as for a plain event. Distinct events have distinct
    // sequence numbers, so `low` never decides the order. When the 32-bit sequence would wrap,
    // the pending entries are renumbered in order (renumber()): the order stays exactly
    // (time, insertion sequence) for any number of events.
    struct Entry {
        uint64_t key;
        uint64_t order;
        EventTarget* target;
        uint64_t arg;
    };
    // What a cancellable entry fires. Lives exactly as long as its entry; `target` null: cancelled.
    // `gen` changes whenever the event fires or is cancelled, so old handles stop matching.
    // 16 bytes: the argument stays in the entry (a node per armed timer of 100,000 idle
    // connections adds up).
    struct Node {
        EventTarget* target;
        uint32_t kind;
        uint32_t gen;
    };
    // Buckets by the first digit (kDigitBits bits) in which a key differs from base_: level L =
    // that digit's position, v = the key's value of it (greater than base_'s). Bucket 1 + 16L + v.
    // Bucket index order is key order: a key differing from base_ in a lower digit, or with a
    // smaller value of the same digit, is smaller. Wider digits than one bit: fewer moves per
    // event (at most 16 instead of 64; about 3 instead of 10 at 1e5 pending events).
    static constexpr int kDigitBits = 4;
    static constexpr int kDigitValues = 1 << kDigitBits;
    static constexpr int kBuckets = 1 + (64 / kDigitBits) * kDigitValues;
    static constexpr int kMaskWords = (kBuckets - 1 + 63) / 64;
    static constexpr size_t kKeptBucketEntries = 4096;  // see bring_front()
    static uint64_t key_of(int64_t time) { return static_cast<uint64_t>(time) ^ (uint64_t{1} << 63); }
    static int64_t time_of(uint64_t key) { return static_cast<int64_t>(key ^ (uint64_t{1} << 63)); }
    static uint32_t low_of(const Entry& e) { return static_cast<uint32_t>(e.order); }
    static uint32_t node_of(const Entry& e) { return low_of(e); }  // cancellable entries only
    bool live(const Entry& e) const { return e.target || nodes_[node_of(e)].target; }
    int bucket_of(uint64_t key) const {
        if (key == base_) return 0;
        int level = (63 - __builtin_clzll(key ^ base_)) / kDigitBits;
        return 1 + level * kDigitValues + static_cast<int>((key >> (level * kDigitBits)) & (kDigitValues - 1));
    }
    void put(const Entry& e) {
        int b = bucket_of(e.key);
        buckets_[b].push_back(e);
        if (b) nonempty_[(b - 1) >> 6] |= uint64_t{1} << ((b - 1) & 63);
    }
    void mark_empty(int b) { nonempty_[(b - 1) >> 6] &= ~(uint64_t{1} << ((b - 1) & 63)); }
    // The lowest non-empty bucket >= 1, or 0 when there is none.
    int lowest_nonempty() const {
        for (int w = 0; w < kMaskWords; ++w)
            if (nonempty_[w]) return 1 + 64 * w + __builtin_ctzll(nonempty_[w]);
        return 0;
    }

    uint32_t new_node(EventTarget* target, uint32_t kind) {
        ++live_;
        if (!free_nodes_.empty()) {
            uint32_t n = free_nodes_.back();
            free_nodes_.pop_back();
            Node& x = nodes_[n];
            x.target = target;
            x.kind = kind;
            return n;
        }
        nodes_.push_back(Node{target, kind, 0});
        return static_cast<uint32_t>(nodes_.size() - 1);
    }
    void push_entry(int64_t time, uint32_t low, EventTarget* target, uint64_t arg);
    bool bring_front();
    void maybe_compact();
    std::vector<Entry> take_all();
    void rebase(uint64_t key);
    void renumber();

    // buckets_[0][front_..] are the events at base_, in insertion order.
    std::array<std::vector<Entry>, kBuckets> buckets_;
    size_t front_ = 0;
    std::array<uint64_t, kMaskWords> nonempty_{};  // bit b-1 set: buckets_[b] (b >= 1) holds entries
    uint64_t base_ = 0;      // key_of(INT64_MIN): below every time
    std::vector<Node> nodes_;
    std::vector<uint32_t> free_nodes_;
    uint64_t next_seq_ = 0;
    size_t live_ = 0;
    size_t entries_ = 0;
};

}  // namespace tcpsim
