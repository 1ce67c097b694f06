#include "sim/event_queue.hpp"

#include <algorithm>

namespace tcpsim {

namespace {
constexpr size_t kArity = 4;  // 4-ary heap: shallower than binary, children share a cache line
}

void EventQueue::push(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
    push_entry(Entry{t.ns(), next_seq_++, target, arg, kind, TimerHandle::kNone, 0});
    ++live_;
}

TimerHandle EventQueue::push_cancellable(SimTime t, EventTarget* target, uint32_t kind, uint64_t arg) {
    uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<uint32_t>(slot_gen_.size());
        slot_gen_.push_back(0);
    }
    uint32_t gen = slot_gen_[slot];
    push_entry(Entry{t.ns(), next_seq_++, target, arg, kind, slot, gen});
    ++live_;
    return TimerHandle{slot, gen};
}

bool EventQueue::cancel(TimerHandle& h) {
    bool was_pending = pending(h);
    if (was_pending) {
        // The heap entry stays until it surfaces; the bumped generation marks it dead. The slot
        // is free at once: a later timer reusing it gets the new generation, which the dead
        // entry does not carry.
        ++slot_gen_[h.slot];
        free_slots_.push_back(h.slot);
        --live_;
        maybe_compact();
    }
    h = TimerHandle{};
    return was_pending;
}

void EventQueue::push_entry(const Entry& e) {
    heap_.push_back(e);
    size_t i = heap_.size() - 1;
    Entry moving = heap_[i];
    while (i > 0) {
        size_t parent = (i - 1) / kArity;
        if (!before(moving, heap_[parent])) break;
        heap_[i] = heap_[parent];
        i = parent;
    }
    heap_[i] = moving;
}

void EventQueue::remove_top() {
    Entry last = heap_.back();
    heap_.pop_back();
    size_t n = heap_.size();
    if (n == 0) return;
    size_t i = 0;
    for (;;) {
        size_t first = i * kArity + 1;
        if (first >= n) break;
        size_t best = first;
        size_t end = std::min(first + kArity, n);
        for (size_t c = first + 1; c < end; ++c)
            if (before(heap_[c], heap_[best])) best = c;
        if (!before(heap_[best], last)) break;
        heap_[i] = heap_[best];
        i = best;
    }
    heap_[i] = last;
}

void EventQueue::drop_cancelled_top() {
    while (!heap_.empty() && !is_live(heap_.front())) remove_top();
}

bool EventQueue::pop(FiredEvent& out) {
    drop_cancelled_top();
    if (heap_.empty()) return false;
    const Entry& top = heap_.front();
    out = FiredEvent{SimTime::from_ns(top.time), top.target, top.kind, top.arg};
    if (top.slot != TimerHandle::kNone) {
        // Fired: the handle stops being pending and the slot can be reused.
        ++slot_gen_[top.slot];
        free_slots_.push_back(top.slot);
    }
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
    std::erase_if(heap_, [this](const Entry& e) { return !is_live(e); });
    std::vector<Entry> entries;
    entries.swap(heap_);
    heap_.reserve(entries.size());
    for (const Entry& e : entries) push_entry(e);
}

}  // namespace tcpsim
