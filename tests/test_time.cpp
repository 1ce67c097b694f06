// SimTime: integer nanoseconds, exact parsing and printing, saturating arithmetic, and the
// serialization delay computed in integers (STYLE.md, "Time is an integer").
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "sim/core/time.hpp"

using namespace tcpsim;

namespace {
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// ns of a parsed duration, or a sentinel that no test expects when parsing fails, so that a
// failed parse shows up as a wrong number instead of an exception.
int64_t parsed_ns(std::string_view text) {
    std::optional<SimTime> t = SimTime::parse(text);
    return t ? t->ns() : std::numeric_limits<int64_t>::min();
}

int64_t from_seconds_ns(double s) {
    std::optional<SimTime> t = SimTime::from_seconds(s);
    return t ? t->ns() : std::numeric_limits<int64_t>::min();
}
}  // namespace

TEST_CASE("parse reads each unit as its number of nanoseconds") {
    CHECK(parsed_ns("3ns") == 3);
    CHECK(parsed_ns("250us") == 250'000);
    CHECK(parsed_ns("10ms") == 10'000'000);
    CHECK(parsed_ns("2s") == 2'000'000'000);
    CHECK(parsed_ns("2min") == 120'000'000'000);     // 2 * 60 s
    CHECK(parsed_ns("1h") == 3'600'000'000'000);     // 3600 s
}

TEST_CASE("parse reads decimal fractions exactly, without going through double") {
    CHECK(parsed_ns("1.5s") == 1'500'000'000);
    // 0.1 is not representable in binary; via double, 0.1 * 1e9 could come out as 99999999.99...
    CHECK(parsed_ns("0.1s") == 100'000'000);
    CHECK(parsed_ns("0.3s") == 300'000'000);
    CHECK(parsed_ns("0.000000001s") == 1);
    CHECK(parsed_ns("2.5us") == 2'500);
    CHECK(parsed_ns("1.25ms") == 1'250'000);
    CHECK(parsed_ns("0.5min") == 30'000'000'000);
    CHECK(parsed_ns("0.001h") == 3'600'000'000);    // 3.6 s
    // A fraction finer than the unit's nanosecond rounds to the nearest ns: 1.4 ns -> 1, 1.5 -> 2.
    CHECK(parsed_ns("1.4ns") == 1);
    CHECK(parsed_ns("1.5ns") == 2);
    CHECK(parsed_ns("0.0000000004s") == 0);
    CHECK(parsed_ns("0.0000000016s") == 2);
    // Digits beyond 1e-18 of a unit are ignored, not an error.
    CHECK(parsed_ns("1.000000000000000000000000001s") == 1'000'000'000);
}

TEST_CASE("parse accepts a bare zero without a unit") {
    CHECK(parsed_ns("0") == 0);
    CHECK(parsed_ns("0.0") == 0);
    CHECK(parsed_ns("0s") == 0);
}

TEST_CASE("parse accepts a sign: negative values are the caller's to refuse") {
    CHECK(parsed_ns("-10ms") == -10'000'000);
    CHECK(parsed_ns("+10ms") == 10'000'000);
    CHECK(parsed_ns("-0.5s") == -500'000'000);
}

TEST_CASE("parse rejects text that is not a number followed by a known unit") {
    CHECK_FALSE(SimTime::parse("").has_value());
    CHECK_FALSE(SimTime::parse("10").has_value());       // a non-zero number needs a unit
    CHECK_FALSE(SimTime::parse("1.5").has_value());
    CHECK_FALSE(SimTime::parse("ms").has_value());       // a unit needs a number
    CHECK_FALSE(SimTime::parse(".ms").has_value());
    CHECK_FALSE(SimTime::parse("-").has_value());
    CHECK_FALSE(SimTime::parse("1.2.3s").has_value());
    CHECK_FALSE(SimTime::parse("10 parsecs").has_value());
    CHECK_FALSE(SimTime::parse("10m").has_value());      // minutes are "min", not "m"
    CHECK_FALSE(SimTime::parse("10MS").has_value());     // units are case-sensitive
    CHECK_FALSE(SimTime::parse("10ms ").has_value());    // nothing may follow the unit
    CHECK_FALSE(SimTime::parse("1e3ms").has_value());    // no exponent notation
    CHECK_FALSE(SimTime::parse("0x10ms").has_value());
}

TEST_CASE("parse rejects values beyond the int64 nanosecond range instead of wrapping") {
    CHECK_FALSE(SimTime::parse("99999999999999999999s").has_value());  // 1e20 s = 1e29 ns
    // Digits without end: the integer part is bounded while it is read.
    CHECK_FALSE(SimTime::parse("999999999999999999999999999999999999999999999999ns").has_value());
    // int64 max is 9223372036854775807 ns = 9223372036.854775807 s: exactly the limit parses...
    CHECK(parsed_ns("9223372036854775807ns") == kInt64Max);
    CHECK(parsed_ns("9223372036.854775807s") == kInt64Max);
    // ...one nanosecond more does not.
    CHECK_FALSE(SimTime::parse("9223372036854775808ns").has_value());
    CHECK_FALSE(SimTime::parse("9223372036.854775808s").has_value());
    // 2562048 h = 9.223e18 ns is over the limit (2562047 h fits: 9.2233692e18).
    CHECK_FALSE(SimTime::parse("2562048h").has_value());
    CHECK(parsed_ns("2562047h") == 2'562'047LL * 3'600'000'000'000LL);
}

TEST_CASE("from_seconds rounds to the nearest nanosecond") {
    CHECK(from_seconds_ns(1.5) == 1'500'000'000);
    CHECK(from_seconds_ns(0.1) == 100'000'000);
    CHECK(from_seconds_ns(0.0) == 0);
    CHECK(from_seconds_ns(2.4e-9) == 2);
    CHECK(from_seconds_ns(2.6e-9) == 3);
    CHECK(from_seconds_ns(-2.6e-9) == -3);
    CHECK(from_seconds_ns(-0.25) == -250'000'000);
    CHECK(from_seconds_ns(1e9) == 1'000'000'000'000'000'000);  // 1e18 ns, in range
}

TEST_CASE("from_seconds rejects NaN, infinities and values out of the int64 range") {
    CHECK_FALSE(SimTime::from_seconds(std::nan("")).has_value());
    CHECK_FALSE(SimTime::from_seconds(std::numeric_limits<double>::infinity()).has_value());
    CHECK_FALSE(SimTime::from_seconds(-std::numeric_limits<double>::infinity()).has_value());
    CHECK_FALSE(SimTime::from_seconds(1e10).has_value());   // 1e19 ns > 9.22e18
    CHECK_FALSE(SimTime::from_seconds(-1e10).has_value());
    CHECK_FALSE(SimTime::from_seconds(1e300).has_value());
    CHECK_FALSE(SimTime::from_seconds(std::numeric_limits<double>::max()).has_value());
}

TEST_CASE("to_seconds_string prints seconds with nine exact decimals") {
    CHECK(SimTime::from_ms(10).to_seconds_string() == "0.010000000");
    CHECK(SimTime::zero().to_seconds_string() == "0.000000000");
    CHECK(SimTime::from_ns(1).to_seconds_string() == "0.000000001");
    CHECK(SimTime::from_ns(1'500'000'000).to_seconds_string() == "1.500000000");
    CHECK(SimTime::from_ns(123'456'789'012).to_seconds_string() == "123.456789012");
    // int64 max is 9223372036854775807 ns; a double would print 9223372036.854776.
    CHECK(SimTime::max().to_seconds_string() == "9223372036.854775807");
}

TEST_CASE("to_seconds_string puts the sign in front of negative values") {
    CHECK(SimTime::from_ns(-1).to_seconds_string() == "-0.000000001");
    CHECK(SimTime::from_ms(-10).to_seconds_string() == "-0.010000000");
    CHECK(SimTime::from_ns(-1'500'000'000).to_seconds_string() == "-1.500000000");
    // The most negative int64 has no positive counterpart; its magnitude is 2^63 ns.
    CHECK(SimTime::from_ns(std::numeric_limits<int64_t>::min()).to_seconds_string() == "-9223372036.854775808");
}

TEST_CASE("to_string uses the largest unit that keeps the value exact") {
    CHECK(SimTime::zero().to_string() == "0s");
    CHECK(SimTime::from_s(2).to_string() == "2s");
    CHECK(SimTime::from_ms(1500).to_string() == "1.5s");
    CHECK(SimTime::from_ms(10).to_string() == "10ms");
    CHECK(SimTime::from_ms(500).to_string() == "500ms");  // one decimal only from one whole unit
    CHECK(SimTime::from_us(250).to_string() == "250us");
    CHECK(SimTime::from_us(2500).to_string() == "2.5ms");
    CHECK(SimTime::from_ns(3).to_string() == "3ns");
    CHECK(SimTime::from_ns(1'234'567).to_string() == "1234567ns");
    CHECK(SimTime::from_ms(-1500).to_string() == "-1.5s");
    CHECK(SimTime::from_ms(-10).to_string() == "-10ms");
    CHECK(SimTime::from_s(120).to_string() == "120s");
}

TEST_CASE("to_string output parses back to the same time") {
    for (int64_t ns : {int64_t{1}, int64_t{999}, int64_t{1500}, int64_t{250'000}, int64_t{1'234'567},
                       int64_t{10'000'000}, int64_t{1'500'000'000}, int64_t{86'400'000'000'000}, kInt64Max}) {
        SimTime t = SimTime::from_ns(ns);
        CAPTURE(t.to_string());
        CHECK(parsed_ns(t.to_string()) == ns);
    }
}

TEST_CASE("sat_add saturates at max() instead of wrapping") {
    CHECK(SimTime::from_s(1).sat_add(SimTime::from_s(2)) == SimTime::from_s(3));
    CHECK(SimTime::max().sat_add(SimTime::from_ns(1)) == SimTime::max());
    CHECK(SimTime::max().sat_add(SimTime::max()) == SimTime::max());
    CHECK(SimTime::from_s(5).sat_add(SimTime::max()) == SimTime::max());
    // Exactly reaching max() is not an overflow.
    CHECK(SimTime::from_ns(kInt64Max - 10).sat_add(SimTime::from_ns(10)) == SimTime::max());
    CHECK(SimTime::from_ns(kInt64Max - 10).sat_add(SimTime::from_ns(9)).ns() == kInt64Max - 1);
    // A negative operand that does not overflow subtracts normally.
    CHECK(SimTime::max().sat_add(SimTime::from_ns(-7)).ns() == kInt64Max - 7);
}

TEST_CASE("sat_mul saturates at max() instead of wrapping") {
    CHECK(SimTime::from_ms(200).sat_mul(4) == SimTime::from_ms(800));
    CHECK(SimTime::from_ms(200).sat_mul(0) == SimTime::zero());
    // An RTO backed off 64 times: 200 ms * 2^62 is far past 292 years.
    SimTime rto = SimTime::from_ms(200);
    for (int i = 0; i < 64; ++i) rto = rto.sat_mul(2);
    CHECK(rto == SimTime::max());
    CHECK(SimTime::max().sat_mul(2) == SimTime::max());
    CHECK(SimTime::from_ns(kInt64Max / 2).sat_mul(2).ns() == kInt64Max - 1);  // (2^63-1)/2*2 fits
    CHECK(SimTime::from_ns(kInt64Max / 2 + 1).sat_mul(2) == SimTime::max());  // 2^63 does not
}

TEST_CASE("serialization delay is bits over rate, exact in integers") {
    // 1500 B = 12000 bit; 12000 / 10e6 bit/s = 1.2 ms.
    CHECK(serialization_delay(1500, 10'000'000).ns() == 1'200'000);
    // 1500 B at 1 Gbit/s = 12 us; at 100 Gbit/s = 120 ns.
    CHECK(serialization_delay(1500, 1'000'000'000).ns() == 12'000);
    CHECK(serialization_delay(1500, 100'000'000'000).ns() == 120);
    CHECK(serialization_delay(0, 10'000'000).ns() == 0);
    // 64 B at 8 bit/s = 64 s.
    CHECK(serialization_delay(64, 8) == SimTime::from_s(64));
}

TEST_CASE("serialization_delay rounds a fractional nanosecond up, never down") {
    // 1 B at 3 bit/s: 8e9 / 3 ns = 2666666666.67 ns -> 2666666667 (ceil).
    CHECK(serialization_delay(1, 3).ns() == 2'666'666'667);
    // 1 B at 3 Gbit/s: 8 / 3 ns = 2.67 -> 3.
    CHECK(serialization_delay(1, 3'000'000'000).ns() == 3);
    // 1 B at 10 Gbit/s: 0.8 ns -> 1 (the frame is not received before its last bit).
    CHECK(serialization_delay(1, 10'000'000'000).ns() == 1);
    // 1500 B at 7 Mbit/s: 12000e9 / 7e6 = 1714285.714 ns -> 1714286.
    CHECK(serialization_delay(1500, 7'000'000).ns() == 1'714'286);
    // An exact result is not rounded up: 125 B = 1000 bit at 1 Gbit/s = 1000 ns exactly.
    CHECK(serialization_delay(125, 1'000'000'000).ns() == 1'000);
}

TEST_CASE("serialization delay of huge values does not overflow") {
    constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
    // bytes * 8e9 is 1.5e29 here: past uint64, fine in 128 bits. Over 2^64-1 bit/s the time is
    // (2^64-1) * 8e9 / (2^64-1) = 8e9 ns exactly.
    CHECK(serialization_delay(kU64Max, kU64Max) == SimTime::from_s(8));
    // 2^40 B (1 TiB) at 1 Gbit/s = 2^43 bit / 1e9 = 8796.093022208 s exactly.
    CHECK(serialization_delay(uint64_t{1} << 40, 1'000'000'000).ns() == 8'796'093'022'208);
    // A time beyond int64 saturates instead of wrapping: 2^64-1 B at 1 bit/s is ~4.7e12 years.
    CHECK(serialization_delay(kU64Max, 1) == SimTime::max());
    // A link of zero rate never finishes.
    CHECK(serialization_delay(1, 0) == SimTime::max());
}
