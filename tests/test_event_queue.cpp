// EventQueue: order by (time, insertion sequence), O(1) lazy cancellation by handle, compaction
// of dead entries; checked by hand and against a reference model over a million random steps.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "sim/core/event_queue.hpp"

using namespace tcpsim;

namespace {

// The queue only stores the pointer; it never calls the target itself.
struct NullTarget final : EventTarget {
    void on_event(uint32_t, uint64_t) override {}
};

SimTime ns(int64_t v) { return SimTime::from_ns(v); }

// Pops everything, returning the args in pop order and checking that time never decreases.
std::vector<uint64_t> drain_args(EventQueue& q) {
    std::vector<uint64_t> args;
    FiredEvent ev{};
    int64_t last = INT64_MIN;
    while (q.pop(ev)) {
        CHECK(ev.time.ns() >= last);
        last = ev.time.ns();
        args.push_back(ev.arg);
    }
    return args;
}

// Pops one event and checks it is the reference model's first (time, id), which it removes;
// returns the time popped.
int64_t pop_as_model(EventQueue& q, std::set<std::pair<int64_t, uint64_t>>& model, int step) {
    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    auto want = *model.begin();
    model.erase(model.begin());
    if (ev.time.ns() != want.first || ev.arg != want.second) {
        CAPTURE(step);
        REQUIRE(ev.time.ns() == want.first);
        REQUIRE(ev.arg == want.second);
    }
    return ev.time.ns();
}

}  // namespace

TEST_CASE("an empty queue pops nothing and its next time is max()") {
    EventQueue q;
    FiredEvent ev{};
    CHECK(q.empty());
    CHECK(q.size() == 0);
    CHECK_FALSE(q.pop(ev));
    CHECK(q.next_time() == SimTime::max());
}

TEST_CASE("events pop in time order whatever the order they were pushed in") {
    EventQueue q;
    NullTarget target;
    // Times pushed out of order; arg = the time in ms, so the expected pop order is sorted args.
    for (int64_t t : {50, 10, 40, 30, 20, 60, 5, 55}) q.push(SimTime::from_ms(t), &target, 7, static_cast<uint64_t>(t));
    CHECK(q.size() == 8);
    CHECK(q.next_time() == SimTime::from_ms(5));
    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    CHECK(ev.time == SimTime::from_ms(5));
    CHECK(ev.target == &target);
    CHECK(ev.kind == 7);
    CHECK(ev.arg == 5);
    CHECK(drain_args(q) == std::vector<uint64_t>{10, 20, 30, 40, 50, 55, 60});
    CHECK(q.empty());
}

TEST_CASE("events at the same time pop in the order they were pushed") {
    EventQueue q;
    NullTarget target;
    // 200 events at three interleaved times: within each time, args must come out ascending
    // (= insertion order). A heap that ignored the sequence would scramble them.
    for (uint64_t i = 0; i < 200; ++i) q.push(ns(static_cast<int64_t>(i % 3)), &target, 0, i);
    std::vector<uint64_t> want;
    for (uint64_t r = 0; r < 3; ++r)
        for (uint64_t i = r; i < 200; i += 3) want.push_back(i);
    CHECK(drain_args(q) == want);
}

TEST_CASE("plain and cancellable events at the same time share one insertion order") {
    EventQueue q;
    NullTarget target;
    q.push(ns(5), &target, 0, 1);
    TimerHandle h = q.push_cancellable(ns(5), &target, 0, 2);
    q.push(ns(5), &target, 0, 3);
    q.push_cancellable(ns(5), &target, 0, 4);
    CHECK(q.pending(h));
    CHECK(drain_args(q) == std::vector<uint64_t>{1, 2, 3, 4});
}

TEST_CASE("a cancelled event never fires and the others still fire in order") {
    EventQueue q;
    NullTarget target;
    q.push(ns(10), &target, 0, 1);
    TimerHandle h = q.push_cancellable(ns(20), &target, 0, 2);
    q.push(ns(30), &target, 0, 3);
    CHECK(q.size() == 3);
    CHECK(q.cancel(h));
    CHECK(h.empty());  // cancel clears the handle
    CHECK(q.size() == 2);
    CHECK(drain_args(q) == std::vector<uint64_t>{1, 3});
}

TEST_CASE("cancelling the earliest event moves next_time to the next live one") {
    EventQueue q;
    NullTarget target;
    TimerHandle a = q.push_cancellable(ns(10), &target, 0, 1);
    TimerHandle b = q.push_cancellable(ns(10), &target, 0, 2);
    q.push(ns(25), &target, 0, 3);
    CHECK(q.next_time() == ns(10));
    q.cancel(a);
    CHECK(q.next_time() == ns(10));  // b is still there at 10
    q.cancel(b);
    CHECK(q.next_time() == ns(25));
    CHECK(q.size() == 1);
    CHECK(drain_args(q) == std::vector<uint64_t>{3});
    CHECK(q.next_time() == SimTime::max());
}

TEST_CASE("cancel returns false for a fired, an already cancelled or an empty handle") {
    EventQueue q;
    NullTarget target;
    TimerHandle fired = q.push_cancellable(ns(1), &target, 0, 1);
    TimerHandle cancelled = q.push_cancellable(ns(2), &target, 0, 2);
    q.push(ns(3), &target, 0, 3);

    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    CHECK(ev.arg == 1);
    CHECK_FALSE(q.pending(fired));
    CHECK_FALSE(q.cancel(fired));
    CHECK(q.size() == 2);  // a failed cancel must not decrement the live count

    TimerHandle copy = cancelled;
    CHECK(q.cancel(cancelled));
    CHECK_FALSE(q.pending(copy));
    CHECK_FALSE(q.cancel(copy));  // the second cancel of the same event
    CHECK(q.size() == 1);

    TimerHandle none;
    CHECK(none.empty());
    CHECK_FALSE(q.pending(none));
    CHECK_FALSE(q.cancel(none));
    CHECK(q.size() == 1);
    CHECK(drain_args(q) == std::vector<uint64_t>{3});
}

TEST_CASE("pending is true exactly until the event fires or is cancelled") {
    EventQueue q;
    NullTarget target;
    TimerHandle a = q.push_cancellable(ns(1), &target, 0, 1);
    TimerHandle b = q.push_cancellable(ns(2), &target, 0, 2);
    CHECK(q.pending(a));
    CHECK(q.pending(b));
    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    CHECK_FALSE(q.pending(a));
    CHECK(q.pending(b));
    TimerHandle b_copy = b;
    q.cancel(b);
    CHECK_FALSE(q.pending(b_copy));
}

TEST_CASE("a slot reused after cancel does not resurrect the old event or its handle") {
    EventQueue q;
    NullTarget target;
    TimerHandle old_h = q.push_cancellable(ns(10), &target, 0, 1);
    const TimerHandle stale = old_h;  // cancel() clears the handle it is given: copies below
    TimerHandle old_copy = stale;
    REQUIRE(q.cancel(old_h));
    // While the dead entry at 10 ns is still in the heap its slot stays taken: the next event
    // gets another one, which the stale handle cannot reach.
    TimerHandle new_h = q.push_cancellable(ns(20), &target, 0, 2);
    CHECK(new_h.slot != old_copy.slot);
    CHECK_FALSE(q.pending(old_copy));
    CHECK_FALSE(q.cancel(old_copy));
    CHECK(q.pending(new_h));
    CHECK(q.size() == 1);
    // The dead entry is skipped, not fired.
    CHECK(q.next_time() == ns(20));
    // Dropped from the heap, its slot is free: the next cancellable event takes it, with a new
    // generation, and the stale handle still neither looks pending nor cancels the new occupant.
    TimerHandle reuse = q.push_cancellable(ns(30), &target, 0, 3);
    old_copy = stale;
    CHECK(reuse.slot == old_copy.slot);
    CHECK(reuse.gen != old_copy.gen);
    CHECK_FALSE(q.pending(old_copy));
    CHECK_FALSE(q.cancel(old_copy));
    CHECK(q.pending(reuse));
    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    CHECK(ev.time == ns(20));
    CHECK(ev.arg == 2);
    REQUIRE(q.pop(ev));
    CHECK(ev.time == ns(30));
    CHECK(ev.arg == 3);
    CHECK_FALSE(q.pop(ev));
}

TEST_CASE("a slot reused after firing does not let the fired handle cancel the new event") {
    EventQueue q;
    NullTarget target;
    TimerHandle first = q.push_cancellable(ns(1), &target, 0, 1);
    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    TimerHandle second = q.push_cancellable(ns(2), &target, 0, 2);
    CHECK(second.slot == first.slot);
    CHECK_FALSE(q.cancel(first));
    CHECK(q.pending(second));
    REQUIRE(q.pop(ev));
    CHECK(ev.arg == 2);
}

TEST_CASE("size counts live events only, not cancelled entries still in the heap") {
    EventQueue q;
    NullTarget target;
    std::vector<TimerHandle> handles;
    for (uint64_t i = 0; i < 10; ++i) handles.push_back(q.push_cancellable(ns(100 + static_cast<int64_t>(i)), &target, 0, i));
    for (uint64_t i = 0; i < 5; ++i) q.push(ns(static_cast<int64_t>(i)), &target, 0, 100 + i);
    CHECK(q.size() == 15);
    for (size_t i = 0; i < 10; i += 2) q.cancel(handles[i]);
    CHECK(q.size() == 10);
    CHECK_FALSE(q.empty());
    CHECK(q.heap_entries() == 15);  // lazily cancelled: below the compaction threshold
    // Plain events 0..4 at 0..4 ns, then the odd timers.
    CHECK(drain_args(q) == std::vector<uint64_t>{100, 101, 102, 103, 104, 1, 3, 5, 7, 9});
    CHECK(q.size() == 0);
    CHECK(q.empty());
    CHECK(q.heap_entries() == 0);
}

TEST_CASE("a timer re-armed 100000 times fires once, at its last deadline, in order with the rest") {
    EventQueue q;
    NullTarget target;
    // 300 plain events: arg i at time (i % 100) * 10 ns, so each time 0, 10, ..., 990 has three
    // events, pushed in arg order i, i+100, i+200.
    for (uint64_t i = 0; i < 300; ++i) q.push(ns(static_cast<int64_t>(i % 100) * 10), &target, 0, i);
    // An RTO restarted on every ACK: cancel and re-arm, deadlines wandering over 0..999 ns. The
    // last arming is at 500 ns, a time shared with three plain events pushed long before it, so
    // it must pop after them.
    constexpr uint64_t kRearms = 100000;
    TimerHandle h;
    size_t max_heap = 0;
    for (uint64_t k = 0; k < kRearms; ++k) {
        q.cancel(h);
        int64_t t = k + 1 == kRearms ? 500 : static_cast<int64_t>((k * 7919) % 1000);
        h = q.push_cancellable(ns(t), &target, 1, 1'000'000 + k);
        if (q.heap_entries() > max_heap) max_heap = q.heap_entries();
    }
    CHECK(q.size() == 301);
    // Without compaction the heap would hold 300 + 100000 entries. Compaction runs once the dead
    // entries reach max(1024, 2 * live) = 1024, so the heap never exceeds 300 + 1 + 1024 entries.
    CHECK(max_heap <= 301 + 1024);
    CHECK(q.heap_entries() <= 301 + 1024);

    std::vector<uint64_t> want;
    for (uint64_t slot = 0; slot < 100; ++slot) {
        for (uint64_t r = 0; r < 3; ++r) want.push_back(slot + r * 100);
        if (slot == 50) want.push_back(1'000'000 + kRearms - 1);  // 500 ns: after the plain ones
    }
    CHECK(drain_args(q) == want);
}

TEST_CASE("compaction keeps same-time events in insertion order") {
    EventQueue q;
    NullTarget target;
    // 3000 cancellable events at only four distinct times; cancel two of every three so that
    // dead entries (2000) exceed both 1024 and twice the live ones (1000): compaction runs.
    std::vector<TimerHandle> handles;
    for (uint64_t i = 0; i < 3000; ++i) handles.push_back(q.push_cancellable(ns(static_cast<int64_t>(i % 4)), &target, 0, i));
    size_t before = q.heap_entries();
    for (uint64_t i = 0; i < 3000; ++i)
        if (i % 3 != 0) q.cancel(handles[i]);
    CHECK(before == 3000);
    CHECK(q.heap_entries() < 3000);  // compaction dropped dead entries
    CHECK(q.size() == 1000);
    std::vector<uint64_t> want;
    for (uint64_t t = 0; t < 4; ++t)
        for (uint64_t i = t; i < 3000; i += 4)
            if (i % 3 == 0) want.push_back(i);
    CHECK(drain_args(q) == want);
}

TEST_CASE("a million random operations match a reference model step by step") {
    // Reference: a std::set of (time, id) where id is a global push counter, i.e. the insertion
    // sequence, so set order is exactly the queue's promised (time, sequence) order.
    EventQueue q;
    NullTarget target;
    std::set<std::pair<int64_t, uint64_t>> model;
    struct Live {
        TimerHandle h;
        uint64_t id;
        int64_t time;
    };
    std::vector<Live> live;                   // pending cancellable events
    std::vector<size_t> live_index;           // id -> index in `live`, or kNotLive
    constexpr size_t kNotLive = SIZE_MAX;
    std::vector<TimerHandle> stale;           // handles whose event fired or was cancelled
    std::mt19937_64 gen(20240611);            // fixed seed: the same million steps every run
    uint64_t next_id = 0;
    int64_t now = 0;                          // last popped time; new events go after it
    uint64_t compactions = 0;
    uint64_t pops_on_empty = 0;

    auto forget_live = [&](uint64_t id) {
        size_t i = live_index[id];
        live_index[live.back().id] = i;
        live[i] = live.back();
        live.pop_back();
        live_index[id] = kNotLive;
    };

    constexpr uint64_t kSteps = 1'000'000;
    for (uint64_t step = 0; step < kSteps; ++step) {
        // Phases of 30000 and 20000 steps alternate between growing the queue and draining it by
        // cancels and pops, so the queue runs both large and nearly empty, and compaction is exercised.
        // Growing: +70% pushes, -30% cancels and pops. Draining: +15% pushes, -85%.
        bool growing = step % 50000 < 30000;
        uint64_t r = gen() % 100;
        int op;  // 0 push, 1 push_cancellable, 2 cancel, 3 pop
        if (growing) op = r < 30 ? 0 : r < 70 ? 1 : r < 85 ? 2 : 3;
        else op = r < 5 ? 0 : r < 15 ? 1 : r < 55 ? 2 : 3;

        if (op == 0 || op == 1) {
            // Small ranges, so many events share a time. Half of the timers go further out (a
            // coarse grid up to 4032 ns ahead), like retransmission timers that are mostly
            // cancelled long before they surface: their dead entries pile up and force compaction.
            uint64_t delta = gen() % 64;
            if (op == 1 && gen() % 2 == 0) delta *= 64;
            int64_t t = now + static_cast<int64_t>(delta);
            uint64_t id = next_id++;
            live_index.push_back(kNotLive);
            model.emplace(t, id);
            if (op == 0) {
                q.push(ns(t), &target, 0, id);
            } else {
                TimerHandle h = q.push_cancellable(ns(t), &target, 1, id);
                live_index[id] = live.size();
                live.push_back({h, id, t});
            }
        } else if (op == 2) {
            if (live.empty()) continue;
            size_t i = gen() % live.size();
            Live victim = live[i];
            TimerHandle h = victim.h;
            size_t heap_before = q.heap_entries();
            bool ok = q.cancel(h);
            if (!ok || !h.empty()) {
                CAPTURE(step);
                REQUIRE(ok);
                REQUIRE(h.empty());
            }
            if (q.heap_entries() < heap_before) ++compactions;
            model.erase({victim.time, victim.id});
            forget_live(victim.id);
            stale.push_back(victim.h);
        } else {
            FiredEvent ev{};
            bool got = q.pop(ev);
            if (model.empty()) {
                ++pops_on_empty;
                if (got) {
                    CAPTURE(step);
                    FAIL("pop returned an event from a queue the model says is empty");
                }
            } else {
                // Plain variables, not a structured binding: CAPTURE's lambda cannot use those
                // before C++20 support in clang 16.
                const int64_t want_t = model.begin()->first;
                const uint64_t want_id = model.begin()->second;
                if (!got || ev.time.ns() != want_t || ev.arg != want_id || ev.target != &target) {
                    CAPTURE(step);
                    CAPTURE(want_t);
                    CAPTURE(want_id);
                    REQUIRE(got);
                    REQUIRE(ev.time.ns() == want_t);
                    REQUIRE(ev.arg == want_id);
                }
                model.erase(model.begin());
                now = want_t;
                if (ev.kind == 1) {
                    size_t i = live_index[want_id];
                    REQUIRE(i != kNotLive);
                    stale.push_back(live[i].h);
                    forget_live(want_id);
                }
            }
        }

        // Invariants after every step.
        int64_t want_next = model.empty() ? SimTime::max().ns() : model.begin()->first;
        if (q.size() != model.size() || q.empty() != model.empty() || q.next_time().ns() != want_next) {
            CAPTURE(step);
            REQUIRE(q.size() == model.size());
            REQUIRE(q.empty() == model.empty());
            REQUIRE(q.next_time().ns() == want_next);
        }
        // Spot checks of handles: a random live one is pending, a random stale one is not (even
        // though its slot has most likely been reused since).
        if (!live.empty() && !q.pending(live[gen() % live.size()].h)) {
            CAPTURE(step);
            FAIL("a live handle is not pending");
        }
        if (!stale.empty()) {
            TimerHandle s = stale[gen() % stale.size()];
            if (q.pending(s) || q.cancel(s)) {
                CAPTURE(step);
                FAIL("a fired or cancelled handle is still pending / cancellable");
            }
        }
        if (stale.size() > 4096) stale.erase(stale.begin(), stale.begin() + 2048);
    }
    // The run must have exercised what it claims to: compaction, an empty queue, a full drain.
    CHECK(compactions >= 10);
    CHECK(pops_on_empty > 0);
    CHECK(next_id > 400'000);
    std::vector<uint64_t> rest = drain_args(q);
    std::vector<uint64_t> want;
    for (const auto& [t, id] : model) want.push_back(id);
    CHECK(rest == want);
}

TEST_CASE("events pushed before the last popped time, negative or extreme, still pop in (time, sequence) order") {
    // The queue is a radix queue around the last popped time; a push before it (a run resumed
    // after stopping at an end time, or a caller scheduling in the past) must rebuild correctly,
    // and keys of any sign and magnitude must order as the signed times do.
    EventQueue q;
    NullTarget target;
    std::set<std::pair<int64_t, uint64_t>> model;
    std::mt19937_64 gen(77);
    const int64_t extremes[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
    uint64_t id = 0, rebuilt_below = 0;
    int64_t last_popped = INT64_MIN;
    // last_popped + d without overflow (it may be an extreme): saturates at the int64 range.
    auto near = [](int64_t base, int64_t d) {
        int64_t r;
        return __builtin_add_overflow(base, d, &r) ? (d < 0 ? INT64_MIN : INT64_MAX) : r;
    };
    for (int step = 0; step < 60'000; ++step) {
        if (gen() % 3 != 0 || model.empty()) {
            int64_t t;
            switch (gen() % 4) {
                case 0: t = extremes[gen() % 7]; break;
                case 1: t = static_cast<int64_t>(gen()); break;                          // anywhere
                case 2: t = last_popped == INT64_MIN ? 0 : near(last_popped, -static_cast<int64_t>(gen() % 50)); break;
                default: t = near(last_popped == INT64_MIN ? 0 : last_popped, static_cast<int64_t>(gen() % 50));
            }
            if (last_popped != INT64_MIN && t < last_popped) ++rebuilt_below;
            model.emplace(t, id);
            q.push(ns(t), &target, 0, id++);
        } else {
            last_popped = pop_as_model(q, model, step);
        }
    }
    CHECK(rebuilt_below > 1000);
    std::vector<uint64_t> rest = drain_args(q);
    std::vector<uint64_t> want;
    for (const auto& [t, i] : model) want.push_back(i);
    CHECK(rest == want);
}

TEST_CASE("after a burst of a million events is drained the buckets give their memory back") {
    // Every event passes through several buckets on its way to the front. Were each bucket to
    // keep the capacity of the most it ever held, a burst (100,000 connections opening at once)
    // would leave memory for several times the burst held for the rest of the run.
    EventQueue q;
    NullTarget target;
    std::mt19937_64 gen(5);
    constexpr uint64_t kBurst = 1'000'000;
    for (uint64_t i = 0; i < kBurst; ++i) q.push(ns(static_cast<int64_t>(gen() % 1'000'000'000'000)), &target, 0, i);
    CHECK(q.reserved_entries() >= kBurst);
    FiredEvent ev{};
    int64_t last = -1;
    uint64_t popped = 0;
    while (q.pop(ev)) {
        REQUIRE(ev.time.ns() >= last);
        last = ev.time.ns();
        ++popped;
    }
    CHECK(popped == kBurst);
    INFO("capacity left: ", q.reserved_entries(), " entries");
    CHECK(q.reserved_entries() <= 100'000);
    // Still a working queue afterwards.
    q.push(ns(last + 5), &target, 0, 1);
    q.push(ns(last + 3), &target, 0, 2);
    REQUIRE(q.pop(ev));
    CHECK(ev.arg == 2);
}

TEST_CASE("pushes into the front run before its last time go behind the run's events of the same time") {
    // The first pop sorts the events within 256 ns of it into a run. Pushes that land inside the
    // run (earlier than its last event, or equal to one of its times) must still pop in (time,
    // insertion) order: behind the run's own events of their time, ahead of later ones.
    EventQueue q;
    NullTarget target;
    for (uint64_t i = 0; i < 40; ++i) q.push(ns(1000 + static_cast<int64_t>((i * 37) % 200)), &target, 0, i);
    FiredEvent ev{};
    REQUIRE(q.pop(ev));
    CHECK(ev.time.ns() == 1000);
    std::set<std::pair<int64_t, uint64_t>> model;
    for (uint64_t i = 1; i < 40; ++i) model.emplace(1000 + static_cast<int64_t>((i * 37) % 200), i);
    uint64_t id = 100;
    for (int64_t t : {1000, 1100, 1050, 1100, 1199, 1000, 1150, 1300, 1001}) {
        model.emplace(t, id);
        q.push(ns(t), &target, 0, id++);
    }
    // And some after a few more pops, at the time just popped.
    for (int k = 0; k < 5; ++k) {
        REQUIRE(q.pop(ev));
        CHECK(ev.arg == model.begin()->second);
        model.erase(model.begin());
        model.emplace(ev.time.ns(), id);
        q.push(ev.time, &target, 0, id++);
    }
    std::vector<uint64_t> want;
    for (const auto& [t, i] : model) want.push_back(i);
    CHECK(drain_args(q) == want);
}

TEST_CASE("random pushes, cancels and pops at every time scale match the reference model") {
    // Delays from 0 to 2^40 ns: events cross every level of buckets, long buckets are sorted by
    // counting, and short ones by insertion.
    for (int scale : {8, 12, 16, 24, 40}) {
        CAPTURE(scale);
        EventQueue q;
        NullTarget target;
        std::mt19937_64 gen(1000 + static_cast<uint64_t>(scale));
        std::set<std::pair<int64_t, uint64_t>> model;
        std::vector<std::pair<TimerHandle, std::pair<int64_t, uint64_t>>> timers;
        int64_t now = 0;
        uint64_t id = 0;
        for (int step = 0; step < 200'000; ++step) {
            uint64_t r = gen() % 10;
            if (r < 5 || model.empty()) {
                // A quarter at the same few times just ahead: many equal keys.
                int64_t d = gen() % 4 == 0 ? static_cast<int64_t>(gen() % 4)
                                           : static_cast<int64_t>(gen() % (uint64_t{1} << scale));
                model.emplace(now + d, id);
                if (gen() % 3 == 0) timers.push_back({q.push_cancellable(ns(now + d), &target, 1, id), {now + d, id}});
                else q.push(ns(now + d), &target, 0, id);
                ++id;
            } else if (r < 6 && !timers.empty()) {
                size_t i = gen() % timers.size();
                if (q.cancel(timers[i].first)) model.erase(timers[i].second);
                timers[i] = timers.back();
                timers.pop_back();
            } else {
                now = pop_as_model(q, model, step);
            }
        }
        CHECK(q.size() == model.size());
        std::vector<uint64_t> want;
        for (const auto& [t, i] : model) want.push_back(i);
        CHECK(drain_args(q) == want);
    }
}

TEST_CASE("a million events at one time pop in insertion order and their memory goes back") {
    EventQueue q;
    NullTarget target;
    constexpr uint64_t kBurst = 1'000'000;
    for (uint64_t i = 0; i < kBurst; ++i) q.push(ns(7), &target, 0, i);
    FiredEvent ev{};
    uint64_t expect = 0;
    bool in_order = true;
    while (q.pop(ev)) in_order = in_order && ev.arg == expect++;
    CHECK(in_order);
    CHECK(expect == kBurst);
    INFO("capacity left: ", q.reserved_entries(), " entries");
    CHECK(q.reserved_entries() <= 100'000);
}
