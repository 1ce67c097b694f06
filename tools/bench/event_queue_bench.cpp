// Event-queue micro-benchmark (built by CMake, run by tools/bench/run, never by CTest).
//
// The "hold" model of priority-queue benchmarks: n events pending; each step pops the earliest
// and schedules one new event a random delay later, so the queue stays at n. One step is one
// schedule+pop pair. Every 8th scheduled event is a cancellable timer, and every 16th step
// cancels the newest timer if still pending and re-arms it later (what an RTO restarted on an ACK does),
// so cancellation is in the mix. The same sequence of operations runs on tcpsim's EventQueue and
// on a baseline: std::priority_queue of (time, seq) with the same lazy cancellation by slot
// generation. Timed in thread CPU seconds. Output: one table row and one JSON line per size, the
// medians of several runs (this machine's speed wanders by a factor of two from minute to minute).
#include <time.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <string>
#include <vector>

#include "sim/core/event_queue.hpp"
#include "sim/core/rng.hpp"

using namespace tcpsim;

namespace {

struct NullTarget final : EventTarget {
    uint64_t sum = 0;
    void on_event(uint32_t kind, uint64_t arg) override { sum += kind + arg; }
};

// The baseline: a binary heap from the standard library, with lazy cancellation.
class StdQueue {
public:
    void push(int64_t t, EventTarget* target, uint32_t kind, uint64_t arg) {
        heap_.push(Entry{t, seq_++, target, arg, kind, UINT32_MAX, 0});
    }
    TimerHandle push_cancellable(int64_t t, EventTarget* target, uint32_t kind, uint64_t arg) {
        uint32_t slot;
        if (!free_.empty()) {
            slot = free_.back();
            free_.pop_back();
        } else {
            slot = static_cast<uint32_t>(gen_.size());
            gen_.push_back(0);
        }
        heap_.push(Entry{t, seq_++, target, arg, kind, slot, gen_[slot]});
        return TimerHandle{slot, gen_[slot]};
    }
    bool cancel(TimerHandle& h) {
        bool pending = !h.empty() && gen_[h.slot] == h.gen;
        if (pending) {
            ++gen_[h.slot];
            free_.push_back(h.slot);
        }
        h = TimerHandle{};
        return pending;
    }
    bool pop(FiredEvent& out) {
        while (!heap_.empty()) {
            Entry e = heap_.top();
            heap_.pop();
            if (e.slot != UINT32_MAX) {
                if (gen_[e.slot] != e.gen) continue;
                ++gen_[e.slot];
                free_.push_back(e.slot);
            }
            out = FiredEvent{SimTime::from_ns(e.time), e.target, e.kind, e.arg};
            return true;
        }
        return false;
    }

private:
    struct Entry {
        int64_t time;
        uint64_t seq;
        EventTarget* target;
        uint64_t arg;
        uint32_t kind, slot, gen;
        bool operator<(const Entry& o) const {  // priority_queue is a max-heap: invert
            return time > o.time || (time == o.time && seq > o.seq);
        }
    };
    std::priority_queue<Entry> heap_;
    std::vector<uint32_t> gen_, free_;
    uint64_t seq_ = 0;
};

struct Adapter {
    EventQueue& q;
    void push(int64_t t, EventTarget* x, uint32_t k, uint64_t a) { q.push(SimTime::from_ns(t), x, k, a); }
    TimerHandle push_cancellable(int64_t t, EventTarget* x, uint32_t k, uint64_t a) {
        return q.push_cancellable(SimTime::from_ns(t), x, k, a);
    }
    bool cancel(TimerHandle& h) { return q.cancel(h); }
    bool pop(FiredEvent& out) { return q.pop(out); }
};

// Delays up to ~1 ms: events spread the way link and timer events do.
constexpr uint64_t kSpreadNs = 1'000'000;
constexpr size_t kDelayTable = (1 << 20) + 7;  // not a power of two: no period shared with n

// The random delays, drawn before the clock starts: the benchmark times the queue, not the RNG.
std::vector<int64_t> delays() {
    RngStream rng(42, "event-queue-bench");
    std::vector<int64_t> d(kDelayTable);
    for (auto& x : d) x = 1 + static_cast<int64_t>(rng.below(kSpreadNs));
    return d;
}

// CPU time of this thread: on a machine shared with other jobs, steadier than wall time.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename Q>
double pairs_per_second(Q& q, size_t pending, uint64_t steps, const std::vector<int64_t>& delay, uint64_t& checksum) {
    NullTarget target;
    size_t r = 0;
    auto next_delay = [&] {
        r = r + 1 == delay.size() ? 0 : r + 1;
        return delay[r];
    };
    TimerHandle newest;  // the most recently armed timer
    int64_t now = 0;
    uint64_t k = 0;
    auto schedule = [&](int64_t at) {
        if (++k % 8 == 0) newest = q.push_cancellable(at, &target, 1, k);
        else q.push(at, &target, 0, k);
    };
    for (size_t i = 0; i < pending; ++i) schedule(next_delay());
    double t0 = cpu_seconds();
    FiredEvent ev{};
    for (uint64_t s = 0; s < steps; ++s) {
        q.pop(ev);
        now = ev.time.ns();
        ev.target->on_event(ev.kind, ev.arg);
        schedule(now + next_delay());
        if (s % 16 == 0 && q.cancel(newest)) {
            // Restart the newest timer: cancelled, and armed again later (one live event less,
            // one more: the queue stays at n live events).
            newest = q.push_cancellable(now + next_delay(), &target, 1, s);
        }
    }
    double secs = cpu_seconds() - t0;
    checksum += target.sum;
    return static_cast<double>(steps) / secs;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

// event_queue_bench [--runs N] [SIZE...]: sizes default to 1e3..1e7. Each size runs N times
// (default 5), ours and the baseline alternately, and the medians are printed; a size stops
// repeating once it has taken 60 s (at 1e7 the baseline alone takes about 40 s a run).
int main(int argc, char** argv) {
    std::vector<size_t> sizes;
    int runs = 5;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else sizes.push_back(static_cast<size_t>(std::strtoull(argv[i], nullptr, 10)));
    }
    if (sizes.empty()) sizes = {1000, 10'000, 100'000, 1'000'000, 10'000'000};
    std::printf("| pending events | tcpsim EventQueue pairs/s | std::priority_queue pairs/s | ratio | runs |\n");
    std::printf("|---:|---:|---:|---:|---:|\n");
    uint64_t checksum = 0;
    const std::vector<int64_t> delay = delays();
    for (size_t n : sizes) {
        // Enough steps to pass through the whole queue several times, and at least 4 M.
        uint64_t steps = std::max<uint64_t>(4'000'000, 3 * n);
        std::vector<double> ours, theirs;
        double spent = 0;
        for (int r = 0; r < runs && spent < 60; ++r) {
            double t0 = cpu_seconds();
            {
                EventQueue q;
                Adapter a{q};
                ours.push_back(pairs_per_second(a, n, steps, delay, checksum));
            }
            {
                StdQueue q;
                theirs.push_back(pairs_per_second(q, n, steps, delay, checksum));
            }
            spent += cpu_seconds() - t0;
        }
        double o = median(ours), t = median(theirs);
        std::printf("| %zu | %.2f M | %.2f M | %.2fx | %zu |\n", n, o / 1e6, t / 1e6, o / t, ours.size());
        std::printf("{\"queue_bench\": true, \"pending\": %zu, \"steps\": %" PRIu64
                    ", \"runs\": %zu, \"ours_pairs_per_s\": %.0f, \"std_priority_queue_pairs_per_s\": %.0f, "
                    "\"ours_runs_pairs_per_s\": [",
                    n, steps, ours.size(), o, t);
        for (size_t i = 0; i < ours.size(); ++i) std::printf("%s%.0f", i ? ", " : "", ours[i]);
        std::printf("]}\n");
        std::fflush(stdout);
    }
    return checksum == 42 ? 1 : 0;  // keeps the work observable
}
