#include "sim/core/event_queue.hpp"

#include <algorithm>

namespace tcpsim {

namespace {
bool by_key(const auto& a, const auto& b) { return a.key < b.key; }
}

EventQueue::~EventQueue() {
    for (Bucket& k : buckets_) release_chain(k.head);
    while (free_list_) {
        Chunk* c = free_list_;
        free_list_ = c->next;
        delete c;
    }
}

// A push into the window, or before base_.
void EventQueue::push_elsewhere(const Entry& e) {
    if (e.key < base_) rebase(e.key);
    if (in_window(e.key)) push_in_window(e);
    else put_in_bucket(e);
}

// A push into the window goes behind every pending event of the same or an earlier key.
void EventQueue::push_in_window(const Entry& e) {
    if (late_pos_ == late_.size()) {
        late_.clear();
        late_pos_ = 0;
        if (run_pos_ == run_.size()) {
            run_.clear();
            run_pos_ = 0;
        }
        if (run_.size() == run_pos_ || run_.back().key <= e.key) {
            run_.push_back(e);
            return;
        }
    }
    auto at = std::upper_bound(late_.begin() + static_cast<std::ptrdiff_t>(late_pos_), late_.end(), e, by_key<Entry, Entry>);
    late_.insert(at, e);
}

void EventQueue::add_chunk(int b) {
    Bucket& k = buckets_[b];
    Chunk* c = free_list_;
    if (c) {
        free_list_ = c->next;
        --free_chunks_;
    } else {
        c = new Chunk;
    }
    ++used_chunks_;
    c->next = nullptr;
    if (k.tail) k.tail->next = c;
    else k.head = c;
    k.tail = c;
    k.tail_size = 0;
}

void EventQueue::release(Chunk* c) {
    --used_chunks_;
    c->next = free_list_;
    free_list_ = c;
    // Kept for reuse up to about as many as are in use: after a burst of a million events the
    // memory goes back instead of staying for the rest of the run. Trimmed in batches, so that
    // a bucket filled and emptied over and over does not allocate every time.
    if (++free_chunks_ > 2 * used_chunks_ + kKeptChunks) {
        while (free_chunks_ > used_chunks_ + kKeptChunks / 2) {
            Chunk* x = free_list_;
            free_list_ = x->next;
            delete x;
            --free_chunks_;
        }
    }
}

void EventQueue::release_chain(Chunk* c) {
    while (c) {
        Chunk* next = c->next;
        release(c);
        c = next;
    }
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

// The earliest live entry, with the position to advance past it; null when there is none. Dead
// entries met at the front are dropped (their nodes freed).
const EventQueue::Entry* EventQueue::bring_front(size_t*& cursor) {
    for (;;) {
        for (;;) {
            const Entry* e;
            bool in_run = run_pos_ < run_.size();
            if (late_pos_ < late_.size() && (!in_run || late_[late_pos_].key < run_[run_pos_].key)) {
                e = &late_[late_pos_];
                cursor = &late_pos_;
            } else if (in_run) {
                e = &run_[run_pos_];
                cursor = &run_pos_;
            } else {
                break;
            }
            if (live(*e)) return e;
            free_nodes_.push_back(e->low);
            ++*cursor;
            --entries_;
        }
        clear_window();
        int b = lowest_nonempty();
        if (b < 0) return nullptr;
        spread(b);
    }
}

// The lowest non-empty bucket holds the smallest keys; its minimum becomes the new base. Every
// entry of it then differs from base_ in a lower digit than before, so it lands in a lower bucket
// or the window; the other buckets keep their meaning because the new base agrees with the old
// one on all the digits above, and on this one. The minimum may be that of an entry since dropped
// by compaction: any key that belonged in the bucket and is <= all of its keys will do. The window
// is empty when this is called.
void EventQueue::spread(int b) {
    Bucket& k = buckets_[b];
    base_ = min_[b];
    min_[b] = UINT64_MAX;
    mark_empty(b);
    if (!k.head) {
        // Alone in its bucket (most spreads, when events are sparse): it is the new front.
        run_.push_back(k.first);
        return;
    }
    const Bucket src = k;
    k.head = k.tail = nullptr;
    k.tail_size = kChunkEntries;
    size_t n = 1;
    for (Chunk* c = src.head; c; c = c->next) n += src.end_of(c);
    if (b < kDigitValues && n > kInsertionSortMax) {
        // Level 1: every entry is in the new window. Sorted by counting straight from the chunks.
        count_digit(src.first.key);
        for (Chunk* c = src.head; c; c = c->next)
            for (uint32_t i = 0, end = src.end_of(c); i < end; ++i) count_digit(c->entries[i].key);
        run_.resize(n);
        place_counted();
        run_[digit_start_[src.first.key & (kDigitValues - 1)]++] = src.first;
        for (Chunk* c = src.head; c;) {
            for (uint32_t i = 0, end = src.end_of(c); i < end; ++i) {
                const Entry& e = c->entries[i];
                run_[digit_start_[e.key & (kDigitValues - 1)]++] = e;
            }
            Chunk* next = c->next;
            release(c);
            c = next;
        }
        return;
    }
    if (in_window(src.first.key)) run_.push_back(src.first);
    else put_in_bucket(src.first);
    for (Chunk* c = src.head; c;) {
        for (uint32_t i = 0, end = src.end_of(c); i < end; ++i) {
            const Entry& e = c->entries[i];
            if (in_window(e.key)) run_.push_back(e);
            else put_in_bucket(e);
        }
        Chunk* next = c->next;
        release(c);  // taken again by the next put that needs a chunk, while still cached
        c = next;
    }
    if (run_.size() > 1) sort_run();
}

// Empties the window. After a burst (100,000 connections opening in the same nanosecond) a run
// may have held a great many entries: beyond kKeptWindowEntries its memory goes back.
void EventQueue::clear_window() {
    run_.clear();
    late_.clear();
    run_pos_ = late_pos_ = 0;
    if (run_.capacity() > kKeptWindowEntries || late_.capacity() > kKeptWindowEntries ||
        scratch_.capacity() > kKeptWindowEntries) {
        std::vector<Entry>().swap(run_);
        std::vector<Entry>().swap(late_);
        std::vector<Entry>().swap(scratch_);
    }
}

// Counting sort by the lowest digit, the only one in which keys of the window differ. Only the
// digits present are visited (a run is often a few dozen entries, the digits 256).
void EventQueue::count_digit(uint64_t key) {
    uint32_t d = static_cast<uint32_t>(key & (kDigitValues - 1));
    ++digit_count_[d];
    digits_present_[d >> 6] |= uint64_t{1} << (d & 63);
}

void EventQueue::place_counted() {
    uint32_t at = 0;
    for (int w = 0; w < kDigitValues / 64; ++w) {
        for (uint64_t m = digits_present_[w]; m; m &= m - 1) {
            int d = 64 * w + __builtin_ctzll(m);
            digit_start_[d] = at;
            at += digit_count_[d];
            digit_count_[d] = 0;
        }
        digits_present_[w] = 0;
    }
}

// Sorts run_ by key, keeping the order of equal keys (their insertion order).
void EventQueue::sort_run() {
    size_t n = run_.size();
    if (n <= kInsertionSortMax) {
        for (size_t i = 1; i < n; ++i) {
            Entry x = run_[i];
            size_t j = i;
            for (; j > 0 && run_[j - 1].key > x.key; --j) run_[j] = run_[j - 1];
            run_[j] = x;
        }
        return;
    }
    for (const Entry& e : run_) count_digit(e.key);
    place_counted();
    scratch_.resize(n);
    for (const Entry& e : run_) scratch_[digit_start_[e.key & (kDigitValues - 1)]++] = e;
    run_.swap(scratch_);
}

// plain_lone() for the slow paths: the window is emptied first if it was used up (its memory goes
// back after a burst), and dead entries met on the way are dropped. Null when the lowest bucket
// holds more than one entry (or none is left).
const EventQueue::Entry* EventQueue::lone_front(int& bucket) {
    if (run_pos_ != run_.size() || late_pos_ != late_.size()) return nullptr;
    clear_window();
    for (;;) {
        int b = lowest_nonempty();
        if (b < 0 || buckets_[b].head) return nullptr;
        const Entry& e = buckets_[b].first;
        if (live(e)) {
            bucket = b;
            return &e;
        }
        free_nodes_.push_back(e.low);
        --entries_;
        take_lone(b);
    }
}

bool EventQueue::pop_due_slow(SimTime until, FiredEvent& out, SimTime& next) {
    int b;
    if (const Entry* lone = lone_front(b)) {
        if (time_of(lone->key) > until.ns()) {  // stays where it is
            next = SimTime::from_ns(time_of(lone->key));
            return false;
        }
        take_lone(b);
        size_t unused = 0;
        return take(&unused, lone, out);
    }
    size_t* cursor;
    const Entry* top = bring_front(cursor);
    if (!top) {
        next = SimTime::max();
        return false;
    }
    if (time_of(top->key) > until.ns()) {
        next = SimTime::from_ns(time_of(top->key));
        return false;
    }
    return take(cursor, top, out);
}

// Removes `top` (the front bring_front found, at *cursor) into `out`.
bool EventQueue::take(size_t* cursor, const Entry* top, FiredEvent& out) {
    ++*cursor;
    --entries_;
    --live_;
    if (top->target) {
        out = FiredEvent{SimTime::from_ns(time_of(top->key)), top->target, top->low, top->arg};
        return true;
    }
    Node& node = nodes_[top->low];
    out = FiredEvent{SimTime::from_ns(time_of(top->key)), node.target, node.kind, top->arg};
    // Fired: a handle to it stops being pending, and the node can be reused.
    node.target = nullptr;
    ++node.gen;
    free_nodes_.push_back(top->low);
    return true;
}

SimTime EventQueue::next_time_slow() {
    size_t* cursor;
    const Entry* top = bring_front(cursor);
    return top ? SimTime::from_ns(time_of(top->key)) : SimTime::max();
}

// Every entry held: the window's (the run's before the late ones) and then bucket by bucket, so
// entries of one key keep their order; everything emptied.
std::vector<EventQueue::Entry> EventQueue::take_all() {
    std::vector<Entry> all;
    all.reserve(entries_);
    all.insert(all.end(), run_.begin() + static_cast<std::ptrdiff_t>(run_pos_), run_.end());
    all.insert(all.end(), late_.begin() + static_cast<std::ptrdiff_t>(late_pos_), late_.end());
    clear_window();
    for (int b = 0; b < kBuckets; ++b) {
        Bucket& k = buckets_[b];
        if (nonempty(b)) all.push_back(k.first);
        for (Chunk* c = k.head; c; c = c->next)
            for (uint32_t i = 0, end = k.end_of(c); i < end; ++i) all.push_back(c->entries[i]);
        release_chain(k.head);
        k = Bucket{};
        min_[b] = UINT64_MAX;
    }
    nonempty_ = {};
    nonempty_words_ = 0;
    return all;
}

void EventQueue::rebase(uint64_t key) {
    // A key below the base: spread everything again around it.
    std::vector<Entry> all = take_all();
    base_ = key;
    for (const Entry& e : all) {
        if (in_window(e.key)) run_.push_back(e);
        else put_in_bucket(e);
    }
    sort_run();
}

void EventQueue::maybe_compact() {
    // Re-armed timers (an RTO restarted on every ACK) leave dead entries behind. When they
    // outnumber the live ones, drop them so memory stays O(live).
    size_t dead = entries_ - live_;
    if (dead < 1024 || dead < 2 * live_) return;
    auto drop_dead = [this](const Entry& e) {
        if (live(e)) return false;
        free_nodes_.push_back(e.low);
        return true;
    };
    for (auto* v : {&run_, &late_}) {
        size_t& pos = v == &run_ ? run_pos_ : late_pos_;
        v->erase(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(pos));
        pos = 0;
        std::erase_if(*v, drop_dead);  // keeps the order of the survivors
    }
    for (int b = 0; b < kBuckets; ++b) compact_bucket(b);
    entries_ = live_;
}

// Drops the dead entries of bucket b, keeping the order of the others, and gives back the chunks
// left empty. The live ones are written back from the front (`first`, then the chunks), never
// ahead of where they are read.
void EventQueue::compact_bucket(int b) {
    if (!nonempty(b)) return;
    Bucket& k = buckets_[b];
    Chunk* w = k.head;
    uint32_t wi = 0;
    size_t kept = 0;
    uint64_t low = UINT64_MAX;
    auto keep = [&](const Entry& e) {
        if (!live(e)) {
            free_nodes_.push_back(e.low);
            return;
        }
        low = std::min(low, e.key);
        if (kept++ == 0) {
            k.first = e;
            return;
        }
        if (wi == kChunkEntries) {
            w = w->next;
            wi = 0;
        }
        w->entries[wi++] = e;
    };
    keep(k.first);
    for (Chunk* c = k.head; c; c = c->next)
        for (uint32_t i = 0, end = k.end_of(c); i < end; ++i) keep(c->entries[i]);
    min_[b] = low;
    if (kept <= 1) {  // no chunk needed (a chunk after the first is only started when needed)
        release_chain(k.head);
        k.head = k.tail = nullptr;
        k.tail_size = kChunkEntries;
        if (kept == 0) mark_empty(b);
        return;
    }
    release_chain(w->next);
    w->next = nullptr;
    k.tail = w;
    k.tail_size = wi;
}

}  // namespace tcpsim
