#include "sim/core/time.hpp"

#include <cmath>
#include <cstdio>

#include "sim/core/decimal.hpp"

namespace tcpsim {

// 128-bit intermediates keep unit conversions exact; __extension__ marks the GNU type as intended.
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

std::optional<SimTime> SimTime::from_seconds(double s) {
    if (!std::isfinite(s)) return std::nullopt;
    double ns = std::round(s * 1e9);
    // 9.2e18 is the int64 limit; the double comparison is conservative at the edge.
    if (ns >= 9.2e18 || ns <= -9.2e18) return std::nullopt;
    return SimTime(static_cast<int64_t>(ns));
}

std::optional<SimTime> SimTime::parse(std::string_view text) {
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) { negative = text[i] == '-'; ++i; }
    // Integer and fraction digits kept as integers: value = whole + frac / 10^frac_digits.
    i128 whole = 0, frac = 0, frac_scale = 1;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        whole = whole * 10 + (text[i] - '0');
        if (whole > (i128)1 << 80) return std::nullopt;
        ++i; ++digits;
    }
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (frac_scale < (i128)1000000000000000000LL) {  // digits past 1e-18 cannot matter
                frac = frac * 10 + (text[i] - '0');
                frac_scale *= 10;
            }
            ++i; ++digits;
        }
    }
    if (digits == 0) return std::nullopt;
    std::string_view unit = text.substr(i);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    int64_t ns_per_unit;
    if (unit == "ns") ns_per_unit = 1;
    else if (unit == "us") ns_per_unit = 1000;
    else if (unit == "ms") ns_per_unit = 1000000;
    else if (unit == "s") ns_per_unit = 1000000000;
    else if (unit == "min") ns_per_unit = 60LL * 1000000000;
    else if (unit == "h") ns_per_unit = 3600LL * 1000000000;
    else if (unit.empty() && whole == 0 && frac == 0) ns_per_unit = 1;  // a bare 0 needs no unit
    else return std::nullopt;
    i128 total = whole * ns_per_unit;
    // Round the fractional part to the nearest nanosecond.
    i128 frac_ns = (frac * ns_per_unit * 2 + frac_scale) / (2 * frac_scale);
    total += frac_ns;
    if (total > std::numeric_limits<int64_t>::max()) return std::nullopt;
    int64_t v = static_cast<int64_t>(total);
    return SimTime(negative ? -v : v);
}

size_t SimTime::format_seconds(char* out) const {
    // Written by hand (no snprintf): the trace writer prints this for every record.
    char* p = out;
    uint64_t mag;
    if (ns_ < 0) {
        *p++ = '-';
        mag = static_cast<uint64_t>(-(ns_ + 1)) + 1;
    } else {
        mag = static_cast<uint64_t>(ns_);
    }
    p = write_decimal(p, static_cast<uint64_t>(mag / 1000000000ULL));
    *p++ = '.';
    auto frac = static_cast<uint32_t>(mag % 1000000000ULL);  // nine digits, zeros in front
    *p++ = static_cast<char>('0' + frac / 100000000);
    decimal_detail::eight(p, frac % 100000000);
    return static_cast<size_t>(p + 8 - out);
}

std::string SimTime::to_seconds_string() const {
    char buf[kSecondsChars];
    return std::string(buf, format_seconds(buf));
}

std::string SimTime::to_string() const {
    struct Unit { int64_t ns; const char* name; };
    static constexpr Unit units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}, {1, "ns"}};
    if (ns_ == 0) return "0s";
    for (const auto& u : units) {
        // Whole multiple of the unit, or one decimal place of it, whichever reads first.
        if (ns_ % u.ns == 0) return std::to_string(ns_ / u.ns) + u.name;
        if (u.ns >= 10 && ns_ % (u.ns / 10) == 0 && (ns_ > 0 ? ns_ : -ns_) >= u.ns) {
            int64_t tenths = ns_ / (u.ns / 10);
            std::string s = std::to_string(tenths / 10) + "." + std::to_string((tenths < 0 ? -tenths : tenths) % 10);
            return s + u.name;
        }
    }
    return std::to_string(ns_) + "ns";
}

SimTime serialization_delay(uint64_t bytes, uint64_t bits_per_second) {
    if (bits_per_second == 0) return SimTime::max();
    u128 num = static_cast<u128>(bytes) * 8u * 1000000000u;
    u128 ns = (num + bits_per_second - 1) / bits_per_second;
    if (ns > static_cast<u128>(std::numeric_limits<int64_t>::max())) return SimTime::max();
    return SimTime::from_ns(static_cast<int64_t>(ns));
}

}  // namespace tcpsim
