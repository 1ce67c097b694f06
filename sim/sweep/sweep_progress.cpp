#include "sim/sweep/sweep_progress.hpp"

#include <cmath>
#include <cstdio>

namespace tcpsim {

SweepProgress::SweepProgress(std::ostream& err, Style style, uint64_t total, Clock::duration line_interval)
    : err_(err), style_(style), total_(total), line_interval_(line_interval), start_(Clock::now()), last_draw_(start_) {}

double SweepProgress::elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

std::string SweepProgress::format_eta(double s) {
    if (!std::isfinite(s) || s < 0) return "?";
    auto t = static_cast<uint64_t>(std::llround(s));
    char buf[32];
    if (t < 60) std::snprintf(buf, sizeof buf, "%llus", static_cast<unsigned long long>(t));
    else if (t < 3600) std::snprintf(buf, sizeof buf, "%llum%02llus", static_cast<unsigned long long>(t / 60), static_cast<unsigned long long>(t % 60));
    else std::snprintf(buf, sizeof buf, "%lluh%02llum", static_cast<unsigned long long>(t / 3600), static_cast<unsigned long long>(t / 60 % 60));
    return buf;
}

std::string SweepProgress::status(uint64_t done, uint64_t total, uint64_t failed, double elapsed_s) {
    double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f runs/s", rate);
    std::string s = std::to_string(done) + "/" + std::to_string(total) + " runs  " + buf;
    if (done < total) s += "  ETA " + (rate > 0 ? format_eta(static_cast<double>(total - done) / rate) : std::string("?"));
    if (failed) s += "  " + std::to_string(failed) + " failed";
    return s;
}

void SweepProgress::run_done(bool failed) {
    std::lock_guard lock(mutex_);
    ++done_;
    if (failed) ++failed_;
    if (style_ == Style::quiet) return;
    auto now = Clock::now();
    // The bar is redrawn at most ten times a second; a line is written every line_interval.
    auto gap = style_ == Style::bar ? Clock::duration(std::chrono::milliseconds(100)) : line_interval_;
    if (now - last_draw_ < gap) return;
    last_draw_ = now;
    draw(false);
}

void SweepProgress::finish() {
    std::lock_guard lock(mutex_);
    if (style_ == Style::bar) draw(true);
}

void SweepProgress::draw(bool final) {
    double elapsed = elapsed_seconds();
    std::string text = status(done_, total_, failed_, elapsed);
    if (style_ == Style::lines) {
        err_ << "tcpsim: sweep: " << text << '\n' << std::flush;
        return;
    }
    constexpr int kWidth = 30;
    int filled = total_ ? static_cast<int>(kWidth * done_ / total_) : kWidth;
    std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kWidth - filled), '-') + "] ";
    // \r and clear to the end of the line: the text may get shorter.
    err_ << '\r' << bar << text << "\x1b[K";
    if (final) err_ << '\n';
    err_ << std::flush;
}

}  // namespace tcpsim
