#pragma once
// SimTime: simulated time as an integer count of nanoseconds. Doubles appear only at the
// JSON/trace boundary (from_seconds / to_seconds), so results are exact and portable.
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace tcpsim {

class SimTime {
public:
    constexpr SimTime() = default;
    static constexpr SimTime from_ns(int64_t ns) { return SimTime(ns); }
    static constexpr SimTime from_us(int64_t us) { return SimTime(us * 1000); }
    static constexpr SimTime from_ms(int64_t ms) { return SimTime(ms * 1000000); }
    static constexpr SimTime from_s(int64_t s) { return SimTime(s * 1000000000); }
    static constexpr SimTime zero() { return SimTime(0); }
    // "Never": also the saturation value of sat_add, so a far-future deadline cannot wrap.
    static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }

    // Rounds to the nearest nanosecond; nullopt if not finite or out of int64 range.
    static std::optional<SimTime> from_seconds(double s);
    // Parses "10ms", "1.5s", "250us", "3ns", "2min", "1h" (and a bare "0"). The decimal part is
    // parsed exactly, without going through double, so "0.1s" is exactly 100000000 ns.
    // nullopt on syntax error or overflow. Negative values parse; callers check ranges.
    static std::optional<SimTime> parse(std::string_view text);

    constexpr int64_t ns() const { return ns_; }
    double to_seconds() const { return static_cast<double>(ns_) / 1e9; }

    // "S.nnnnnnnnn", exact (no double). Used for trace "t" fields and tcpdump-style lines.
    std::string to_seconds_string() const;
    // The same text into `out` (room for kSecondsChars), without allocating; returns its length.
    static constexpr size_t kSecondsChars = 24;
    size_t format_seconds(char* out) const;
    // Human-friendly: the largest unit that keeps the value exact ("10ms", "1.5s", "250us").
    std::string to_string() const;

    constexpr auto operator<=>(const SimTime&) const = default;
    constexpr SimTime operator+(SimTime o) const { return SimTime(ns_ + o.ns_); }
    constexpr SimTime operator-(SimTime o) const { return SimTime(ns_ - o.ns_); }
    constexpr SimTime& operator+=(SimTime o) { ns_ += o.ns_; return *this; }
    constexpr SimTime& operator-=(SimTime o) { ns_ -= o.ns_; return *this; }
    constexpr SimTime operator*(int64_t k) const { return SimTime(ns_ * k); }
    constexpr SimTime operator/(int64_t k) const { return SimTime(ns_ / k); }

    // Addition that saturates at max() instead of overflowing (timers far in the future,
    // "run until max()" loops).
    constexpr SimTime sat_add(SimTime o) const {
        int64_t r;
        if (__builtin_add_overflow(ns_, o.ns_, &r))
            return o.ns_ > 0 ? max() : SimTime(std::numeric_limits<int64_t>::min());
        return SimTime(r);
    }
    // Multiplication that saturates (exponential backoff of a timer).
    constexpr SimTime sat_mul(int64_t k) const {
        int64_t r;
        if (__builtin_mul_overflow(ns_, k, &r)) return (ns_ < 0) != (k < 0) ? SimTime(std::numeric_limits<int64_t>::min()) : max();
        return SimTime(r);
    }

private:
    constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
    int64_t ns_ = 0;
};

// Time to put `bytes` on a wire of `bits_per_second`, rounded up to the next nanosecond
// (a frame is not received before its last bit). Exact: 128-bit integer arithmetic.
SimTime serialization_delay(uint64_t bytes, uint64_t bits_per_second);

}  // namespace tcpsim
