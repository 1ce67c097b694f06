#pragma once
// Progress of a sweep on stderr: a bar redrawn in place when stderr is a terminal
// ("[#####-----] 12/40 runs  3.4 runs/s  ETA 8s"), a plain line every `line_interval` otherwise
// (a log file or a batch system's output), nothing with --quiet. Wall-clock figures go here and
// into the records' wall_s only, never into the statistics.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>

namespace tcpsim {

class SweepProgress {
public:
    enum class Style { bar, lines, quiet };
    using Clock = std::chrono::steady_clock;

    SweepProgress(std::ostream& err, Style style, uint64_t total,
                  Clock::duration line_interval = std::chrono::seconds(10));
    // Thread-safe.
    void run_done(bool failed);
    // Draws the final state (the bar ends with a newline).
    void finish();

    uint64_t done() const { return done_; }
    uint64_t failed() const { return failed_; }
    double elapsed_seconds() const;

    // "8s", "3m05s", "2h10m".
    static std::string format_eta(double seconds);
    // The status text after the bar, for the given figures.
    static std::string status(uint64_t done, uint64_t total, uint64_t failed, double elapsed_s);

private:
    void draw(bool final);

    std::ostream& err_;
    Style style_;
    uint64_t total_;
    Clock::duration line_interval_;
    Clock::time_point start_, last_draw_;
    uint64_t done_ = 0, failed_ = 0;
    std::mutex mutex_;
};

}  // namespace tcpsim
