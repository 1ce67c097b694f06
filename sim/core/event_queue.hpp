#pragma once
// EventQueue: the pending events of one simulation, ordered by (time, insertion sequence) so
// that events at the same nanosecond run in the order they were scheduled (determinism).
//
// Speed: simulated time never goes back, so the queue is a monotone radix queue (a "radix heap",
// Ahuja, Mehlhorn, Orlin and Tarjan 1990) rather than a comparison heap. Every pending key is >=
// `base_`, the minimum of the last bucket spread. Keys are read as eight 8-bit digits. A key that
// differs from base_ in the lowest digit only is in the window, the front run, kept sorted; one
// whose highest digit differing from base_ is digit L >= 1, with value v, is in bucket (L, v).
// A push is one append (to its bucket, or to the run when it is not earlier than the run's last
// key). When the window runs dry the lowest non-empty bucket is spread around its minimum: to
// lower buckets, and into the window, which is then sorted by counting on the lowest digit. An
// event moves about twice at 1e5 pending events (from its bucket to a lower one, then into the
// run), each move a sequential copy of 32 bytes. When events are sparse (most pops of a run with
// few flows) the lowest bucket holds one entry when the window runs dry: that entry is popped
// where it lies, and only the base moves.
//
// Order among equal times needs no sequence number: all the entries of one key are in one bucket
// (or the window) at any time, and every bucket is first in, first out (pushes append; a spread
// reads a bucket in order and appends), so they stay in insertion order; the window's sorts are
// stable, and a push into the window after its run was sorted goes behind the run's entries of
// the same key (into `late_` when it cannot simply be appended).
//
// A plain event carries its target and argument in its entry; a cancellable one refers to a node
// in a side table. A bucket holds its first entry itself and the rest in a list of 2 KB chunks
// from a shared pool: no allocation per event once the pool has grown, nothing copied when a
// bucket grows, and a bucket of one entry (nearly every bucket when events are sparse: each
// event reaches the front alone in its bucket) takes no chunk at all. Cancellation is lazy and
// O(1): the event's node is marked dead and its generation bumped; a dead entry is dropped when
// it reaches the front (or by compaction, when dead ones pile up). A push earlier than base_ (allowed, e.g.
// after run() stopped at an end time with later events pending) rebuilds the buckets around it:
// correct, O(n), rare.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

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
    EventQueue() = default;
    EventQueue(const EventQueue&) = delete;
    EventQueue& operator=(const EventQueue&) = delete;
    ~EventQueue();

    // A plain event carries everything it fires in its entry; a cancellable one names a node.
    void push(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
        ++live_;
        push_entry(Entry{key_of(t.ns()), target, arg, kind});
    }
    TimerHandle push_cancellable(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
        uint32_t n = new_node(target, kind);
        push_entry(Entry{key_of(t.ns()), nullptr, arg, n});
        return TimerHandle{n, nodes_[n].gen};
    }
    // True if the event was still pending (it will now never fire). The handle is cleared.
    bool cancel(TimerHandle& h);
    bool pending(const TimerHandle& h) const {
        return !h.empty() && h.slot < nodes_.size() && nodes_[h.slot].gen == h.gen && nodes_[h.slot].target;
    }

    // Removes the earliest live event into `out`; false when none is left.
    bool pop(FiredEvent& out) {
        SimTime next;
        return pop_due(SimTime::max(), out, next);
    }
    // pop() if the earliest live event is due at or before `until`; otherwise false, with `next`
    // its time (SimTime::max() when none is left) and the event still queued. The run loop's one
    // call per event: next_time() and then pop() found the front twice.
    bool pop_due(SimTime until, FiredEvent& out, SimTime& next) {
        int lone = -1;
        const Entry* front = plain_front();
        if (!front && !(front = plain_lone(lone))) return pop_due_slow(until, out, next);
        if (time_of(front->key) > until.ns()) {
            next = SimTime::from_ns(time_of(front->key));
            return false;
        }
        if (lone >= 0) take_lone(lone);
        else ++run_pos_;
        --entries_;
        --live_;
        out = FiredEvent{SimTime::from_ns(time_of(front->key)), front->target, front->low, front->arg};
        return true;
    }
    // Time of the earliest live event, or SimTime::max() when empty.
    SimTime next_time() {
        if (const Entry* front = plain_front()) return SimTime::from_ns(time_of(front->key));
        return next_time_slow();
    }

    size_t size() const { return live_; }
    bool empty() const { return live_ == 0; }
    // Entries held, cancelled ones included (for the benchmark and compaction tests).
    size_t heap_entries() const { return entries_; }
    // Entries the memory held (chunks in buckets or kept for reuse, the front run) has room for.
    size_t reserved_entries() const {
        return (used_chunks_ + free_chunks_) * size_t{kChunkEntries} + size_t{kBuckets} + run_.capacity() +
               late_.capacity() + scratch_.capacity();
    }
    void reserve(size_t n) { nodes_.reserve(n); }

private:
    // 32-byte entries: (key, target, arg, low). key = the time with its sign bit flipped, so
    // unsigned order is time order. A plain event holds what it fires in the entry itself
    // (low = kind): popping it reads nothing else. A cancellable event has target null and low =
    // its node, which says whether it is still live, whom it fires and with what kind.
    // No sequence number: see the order argument at the top.
    struct Entry {
        uint64_t key;
        EventTarget* target;
        uint64_t arg;
        uint32_t low;
    };
    // What a cancellable entry fires. Lives exactly as long as its entry; `target` null: cancelled.
    // `gen` changes whenever the event fires or is cancelled, so old handles stop matching.
    struct Node {
        EventTarget* target;
        uint32_t kind;
        uint32_t gen;
    };
    // A bucket is its first entry, then a list of fixed-size chunks taken from one pool. A chunk
    // emptied by a spread is refilled next (last in, first out) while it is still in the cache, no
    // bucket keeps memory for the most it ever held, and nothing is copied when a bucket grows.
    // Whether a bucket holds anything (and so whether `first` is an entry) is its bit in
    // nonempty_.
    static constexpr uint32_t kChunkEntries = 64;
    struct Chunk {
        Chunk* next;  // first: in the same cache line as the first entry
        Entry entries[kChunkEntries];
    };
    struct Bucket {
        Entry first;  // valid while the bucket is not empty
        Chunk* head = nullptr;  // the entries after `first`, in order
        Chunk* tail = nullptr;
        uint32_t tail_size = kChunkEntries;  // full: the next put after `first` takes a chunk
        uint32_t end_of(const Chunk* c) const { return c == tail ? tail_size : kChunkEntries; }
    };
    // Digits of kDigitBits bits; a key whose highest digit differing from base_ is digit L >= 1
    // with value v goes to bucket (L - 1) * kDigitValues + v; one differing in digit 0 only (or
    // not at all) is in the window, the front run.
    static constexpr int kDigitBits = 8;
    static constexpr int kDigitValues = 1 << kDigitBits;
    static constexpr uint64_t kWindow = kDigitValues;  // keys k with (k ^ base_) < kWindow
    static constexpr int kBuckets = (64 / kDigitBits - 1) * kDigitValues;
    static constexpr int kMaskWords = (kBuckets + 63) / 64;
    static constexpr size_t kKeptChunks = 256;           // see release()
    static constexpr size_t kKeptWindowEntries = 4096;   // see clear_window()
    static constexpr size_t kInsertionSortMax = 8;
    static uint64_t key_of(int64_t time) { return static_cast<uint64_t>(time) ^ (uint64_t{1} << 63); }
    static int64_t time_of(uint64_t key) { return static_cast<int64_t>(key ^ (uint64_t{1} << 63)); }
    // The usual case of pop() and next_time(): the earliest event is a plain one at the front of
    // the run (no late pushes to merge, no node to look at). Null otherwise.
    const Entry* plain_front() const {
        bool usual = late_pos_ == late_.size() && run_pos_ < run_.size() && run_[run_pos_].target;
        return usual ? &run_[run_pos_] : nullptr;
    }
    // The sparse case, most pops (one flow at 10 Mbit/s: 97% of them): the window is used up and
    // the lowest non-empty bucket holds a single entry, a plain one. It is the earliest pending event,
    // taken from its bucket where it lies (take_lone), without a spread, a trip through the run
    // and a window to clear (~150 instructions per event). Null otherwise; b is its bucket.
    const Entry* plain_lone(int& b) const {
        if (run_pos_ != run_.size() || late_pos_ != late_.size() || nonempty_words_ == 0) return nullptr;
        b = lowest_nonempty();
        const Bucket& k = buckets_[b];
        return !k.head && k.first.target ? &k.first : nullptr;
    }
    // Empties bucket b, whose only entry is the earliest pending one, moving the base to its key
    // (what a spread of the bucket would set).
    void take_lone(int b) {
        base_ = buckets_[b].first.key;
        min_[b] = UINT64_MAX;
        mark_empty(b);
    }
    bool live(const Entry& e) const { return e.target || nodes_[e.low].target; }
    bool in_window(uint64_t key) const { return (key ^ base_) < kWindow; }
    // Only for keys outside the window.
    int bucket_of(uint64_t key) const {
        int level = (63 - __builtin_clzll(key ^ base_)) / kDigitBits;
        return (level - 1) * kDigitValues + static_cast<int>((key >> (level * kDigitBits)) & (kDigitValues - 1));
    }
    void put_in_bucket(const Entry& e) {
        int b = bucket_of(e.key);
        Bucket& k = buckets_[b];
        if (!nonempty(b)) {
            k.first = e;
            min_[b] = e.key;
            mark_nonempty(b);
            return;
        }
        if (k.tail_size == kChunkEntries) add_chunk(b);
        k.tail->entries[k.tail_size++] = e;
        if (e.key < min_[b]) min_[b] = e.key;
    }
    bool nonempty(int b) const { return (nonempty_[b >> 6] >> (b & 63)) & 1; }
    void mark_nonempty(int b) {
        nonempty_[b >> 6] |= uint64_t{1} << (b & 63);
        nonempty_words_ |= uint32_t{1} << (b >> 6);
    }
    void mark_empty(int b) {
        if ((nonempty_[b >> 6] &= ~(uint64_t{1} << (b & 63))) == 0) nonempty_words_ &= ~(uint32_t{1} << (b >> 6));
    }
    // The lowest non-empty bucket, or -1 when there is none: two bit scans (a pop from a sparse
    // queue spreads a bucket for almost every event, so this is on the hot path).
    int lowest_nonempty() const {
        if (nonempty_words_ == 0) return -1;
        int w = __builtin_ctz(nonempty_words_);
        return 64 * w + __builtin_ctzll(nonempty_[w]);
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
    void push_entry(const Entry& e) {
        ++entries_;
        if (e.key >= base_ && !in_window(e.key)) put_in_bucket(e);  // the usual case, inline
        else push_elsewhere(e);
    }
    void push_elsewhere(const Entry& e);
    void push_in_window(const Entry& e);
    const Entry* lone_front(int& bucket);
    bool pop_due_slow(SimTime until, FiredEvent& out, SimTime& next);
    bool take(size_t* cursor, const Entry* top, FiredEvent& out);
    SimTime next_time_slow();
    void add_chunk(int b);
    void release(Chunk* c);
    void release_chain(Chunk* c);
    const Entry* bring_front(size_t*& cursor);
    void spread(int b);
    void clear_window();
    void sort_run();
    void count_digit(uint64_t key);
    void place_counted();
    void maybe_compact();
    void compact_bucket(int b);
    std::vector<Entry> take_all();
    void rebase(uint64_t key);

    // The window: run_[run_pos_..] sorted by key in insertion order among equal keys (built by a
    // spread), late_[late_pos_..] the same for events pushed into the window after the run was
    // built (so on equal keys the run's come first). Usually late_ is empty: a push at or after
    // the run's last key is appended to the run.
    std::vector<Entry> run_;
    size_t run_pos_ = 0;
    std::vector<Entry> late_;
    size_t late_pos_ = 0;
    std::vector<Entry> scratch_;  // for sort_run()
    std::array<uint32_t, kDigitValues> digit_count_{};  // counting sort: zero between sorts
    std::array<uint32_t, kDigitValues> digit_start_{};
    std::array<uint64_t, kDigitValues / 64> digits_present_{};
    std::array<Bucket, kBuckets> buckets_{};
    std::array<uint64_t, kBuckets> min_ = filled(UINT64_MAX);  // a lower bound of each bucket's keys
    std::array<uint64_t, kMaskWords> nonempty_{};  // bit b set: buckets_[b] holds entries
    uint32_t nonempty_words_ = 0;                  // bit w set: nonempty_[w] is not zero
    static_assert(kMaskWords <= 32, "one summary word covers the mask");
    uint64_t base_ = 0;      // key_of(INT64_MIN): below every time
    Chunk* free_list_ = nullptr;
    size_t free_chunks_ = 0;
    size_t used_chunks_ = 0;
    std::vector<Node> nodes_;
    std::vector<uint32_t> free_nodes_;
    size_t live_ = 0;
    size_t entries_ = 0;

    static constexpr std::array<uint64_t, kBuckets> filled(uint64_t v) {
        std::array<uint64_t, kBuckets> a{};
        for (auto& x : a) x = v;
        return a;
    }
};

}  // namespace tcpsim
