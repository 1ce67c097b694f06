#include "sim/event_queue.hpp"

#include <algorithm>

namespace tcpsim {

namespace {
constexpr size_t kArity = 4;  // 4-ary heap: shallower than binary, four 16-byte children per line
constexpr uint64_t kSeqLimit = uint64_t{1} << 32;
}

void EventQueue::push_entry(int64_t time, uint32_t node) {
    if (next_seq_ == kSeqLimit) renumber();
    Entry moving{time, (next_seq_++ << 32) | node};
    size_t i = heap_.size();
    heap_.push_back(moving);
    while (i > 0) {
        size_t parent = (i - 1) / kArity;
        if (!before(moving, heap_[parent])) break;
        heap_[i] = heap_[parent];
        i = parent;
    }
    heap_[i] = moving;
}

bool EventQueue::cancel(TimerHandle& h) {
    bool was_pending = pending(h);
    if (was_pending) {
        // The heap entry stays until it surfaces (its node with it); the null target marks it
        // dead and the new generation stops the handle from matching.
        Node& n = nodes_[h.slot];
        n.target = nullptr;
        ++n.gen;
        --live_;
        maybe_compact();
    }
    h = TimerHandle{};
    return was_pending;
}

void EventQueue::remove_top() {
    Entry last = heap_.back();
    heap_.pop_back();
    size_t n = heap_.size();
    if (n == 0) return;
    size_t i = 0;
    Entry* h = heap_.data();
    for (;;) {
        size_t first = i * kArity + 1;
        if (first >= n) break;
        size_t best = first;
        if (first + kArity <= n) {
            // All four children exist: the common case, without the bounds test per child.
            size_t a = before(h[first + 1], h[first]) ? first + 1 : first;
            size_t b = before(h[first + 3], h[first + 2]) ? first + 3 : first + 2;
            best = before(h[b], h[a]) ? b : a;
        } else {
            for (size_t c = first + 1; c < n; ++c)
                if (before(h[c], h[best])) best = c;
        }
        if (!before(h[best], last)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = last;
}

void EventQueue::drop_cancelled_top() {
    while (!heap_.empty()) {
        uint32_t n = node_of(heap_.front());
        if (nodes_[n].target) return;
        free_nodes_.push_back(n);
        remove_top();
    }
}

bool EventQueue::pop(FiredEvent& out) {
    drop_cancelled_top();
    if (heap_.empty()) return false;
    const Entry& top = heap_.front();
    uint32_t n = node_of(top);
    Node& node = nodes_[n];
    out = FiredEvent{SimTime::from_ns(top.time), node.target, node.kind, node.arg};
    // Fired: a handle to it stops being pending, and the node can be reused.
    node.target = nullptr;
    ++node.gen;
    free_nodes_.push_back(n);
    remove_top();
    --live_;
    return true;
}

SimTime EventQueue::next_time() {
    drop_cancelled_top();
    return heap_.empty() ? SimTime::max() : SimTime::from_ns(heap_.front().time);
}

void EventQueue::maybe_compact() {
    // Re-armed timers (an RTO restarted on every ACK) leave dead entries behind. When they
    // outnumber the live ones, rebuild the heap without them so memory stays O(live).
    size_t dead = heap_.size() - live_;
    if (dead < 1024 || dead < 2 * live_) return;
    std::erase_if(heap_, [this](const Entry& e) {
        uint32_t n = node_of(e);
        if (nodes_[n].target) return false;
        free_nodes_.push_back(n);
        return true;
    });
    // Floyd's bottom-up heap construction: the keys are unchanged, so is the order they pop in.
    for (size_t i = heap_.size() / kArity + 1; i-- > 0;) {
        if (i >= heap_.size()) continue;
        Entry moving = heap_[i];
        size_t j = i;
        for (;;) {
            size_t first = j * kArity + 1;
            if (first >= heap_.size()) break;
            size_t best = first;
            size_t end = std::min(first + kArity, heap_.size());
            for (size_t c = first + 1; c < end; ++c)
                if (before(heap_[c], heap_[best])) best = c;
            if (!before(heap_[best], moving)) break;
            heap_[j] = heap_[best];
            j = best;
        }
        heap_[j] = moving;
    }
}

void EventQueue::renumber() {
    // Every 2^32 insertions: give the pending entries sequence numbers 0..n-1 in their pop order.
    // A sorted array is a valid heap; insertion order among equal times is kept.
    std::sort(heap_.begin(), heap_.end(), before);
    for (size_t i = 0; i < heap_.size(); ++i) heap_[i].order = (static_cast<uint64_t>(i) << 32) | node_of(heap_[i]);
    next_seq_ = heap_.size();
}

}  // namespace tcpsim
