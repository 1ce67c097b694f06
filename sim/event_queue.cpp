#include "sim/event_queue.hpp"

#include <algorithm>

namespace tcpsim {

namespace {
constexpr uint64_t kSeqLimit = uint64_t{1} << 32;
bool by_order(const auto& a, const auto& b) { return a.order < b.order; }
}

void EventQueue::push_entry(int64_t time, uint32_t low, EventTarget* target, uint64_t arg) {
    if (next_seq_ == kSeqLimit) renumber();
    Entry e{key_of(time), (next_seq_++ << 32) | low, target, arg};
    if (e.key < base_) rebase(e.key);
    // At base_ itself: appended behind the events already there, which were all pushed earlier.
    put(e);
    ++entries_;
}

bool EventQueue::cancel(TimerHandle& h) {
    bool was_pending = pending(h);
    if (was_pending) {
        // The entry stays until it surfaces (its node with it); the null target marks it dead and
        // the new generation stops the handle from matching.
        Node& n = nodes_[h.slot];
        n.target = nullptr;
        ++n.gen;
        --live_;
        maybe_compact();
    }
    h = TimerHandle{};
    return was_pending;
}

// Makes buckets_[0][front_] the earliest live event; false when there is none. Dead entries met
// at the front are dropped (their nodes freed).
bool EventQueue::bring_front() {
    std::vector<Entry>& front = buckets_[0];
    for (;;) {
        while (front_ < front.size()) {
            const Entry& e = front[front_];
            if (live(e)) return true;
            free_nodes_.push_back(node_of(e));
            ++front_;
            --entries_;
        }
        front.clear();
        front_ = 0;
        int b = lowest_nonempty();
        if (b == 0) return false;
        // The lowest non-empty bucket holds the smallest keys; its minimum becomes the new base.
        // Every entry of it then differs from base_ in a lower digit than before, so it lands in a
        // lower bucket (those at the minimum in bucket 0); the other buckets keep their meaning
        // because the new base agrees with the old one on all the digits above, and on this one.
        std::vector<Entry>& src = buckets_[b];
        uint64_t low = src[0].key;
        for (const Entry& e : src) low = std::min(low, e.key);
        base_ = low;
        for (const Entry& e : src) put(e);
        src.clear();
        // A bucket keeps the capacity of the most it ever held, and every event passes through
        // several: after a burst (100,000 connections opening at once) the buckets held 1.4 KB
        // per connection long after. Beyond 4,096 entries an emptied bucket gives its memory
        // back, so what stays is at most 257 x 128 KiB; moving that many entries costs more
        // than allocating again.
        if (src.capacity() > kKeptBucketEntries) std::vector<Entry>().swap(src);
        mark_empty(b);
        // Events at the new base came out in bucket order; insertion order is their sequence.
        if (front.size() > 1) std::sort(front.begin(), front.end(), by_order<Entry, Entry>);
    }
}

bool EventQueue::pop(FiredEvent& out) {
    if (!bring_front()) return false;
    const Entry& top = buckets_[0][front_++];
    --entries_;
    --live_;
    if (top.target) {
        out = FiredEvent{SimTime::from_ns(time_of(top.key)), top.target, low_of(top), top.arg};
        return true;
    }
    uint32_t n = node_of(top);
    Node& node = nodes_[n];
    out = FiredEvent{SimTime::from_ns(time_of(top.key)), node.target, node.kind, top.arg};
    // Fired: a handle to it stops being pending, and the node can be reused.
    node.target = nullptr;
    ++node.gen;
    free_nodes_.push_back(n);
    return true;
}

SimTime EventQueue::next_time() {
    return bring_front() ? SimTime::from_ns(time_of(buckets_[0][front_].key)) : SimTime::max();
}

// Every entry held, in no particular order (bucket 0's consumed prefix excluded); buckets emptied.
std::vector<EventQueue::Entry> EventQueue::take_all() {
    std::vector<Entry> all;
    all.reserve(entries_);
    all.insert(all.end(), buckets_[0].begin() + static_cast<std::ptrdiff_t>(front_), buckets_[0].end());
    for (int b = 1; b < kBuckets; ++b) all.insert(all.end(), buckets_[b].begin(), buckets_[b].end());
    for (auto& v : buckets_) v.clear();
    front_ = 0;
    nonempty_ = {};
    return all;
}

void EventQueue::rebase(uint64_t key) {
    // A key below the base: spread everything again around it. The events at `key` itself can
    // only be the one being pushed (every held key is >= the old base > key).
    std::vector<Entry> all = take_all();
    base_ = key;
    for (const Entry& e : all) put(e);
}

void EventQueue::maybe_compact() {
    // Re-armed timers (an RTO restarted on every ACK) leave dead entries behind. When they
    // outnumber the live ones, drop them so memory stays O(live).
    size_t dead = entries_ - live_;
    if (dead < 1024 || dead < 2 * live_) return;
    auto drop_dead = [this](const Entry& e) {
        if (live(e)) return false;
        free_nodes_.push_back(node_of(e));
        return true;
    };
    std::vector<Entry>& front = buckets_[0];
    front.erase(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(front_));
    front_ = 0;
    std::erase_if(front, drop_dead);  // keeps the insertion order of the survivors
    for (int b = 1; b < kBuckets; ++b) {
        std::erase_if(buckets_[b], drop_dead);
        if (buckets_[b].empty()) mark_empty(b);
    }
    entries_ = live_;
}

void EventQueue::renumber() {
    // Every 2^32 insertions: give the pending entries sequence numbers 0..n-1 in their pop order
    // (time, then old sequence), and spread them again; insertion order among equal times is kept.
    std::vector<Entry> all = take_all();
    std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
        return a.key < b.key || (a.key == b.key && a.order < b.order);
    });
    for (size_t i = 0; i < all.size(); ++i) all[i].order = (static_cast<uint64_t>(i) << 32) | low_of(all[i]);
    for (const Entry& e : all) put(e);
    next_seq_ = all.size();
}

}  // namespace tcpsim
