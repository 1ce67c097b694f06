// write_decimal must give exactly std::to_chars's text: traces stay byte-identical.
#include <doctest/doctest.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "sim/core/decimal.hpp"

using namespace tcpsim;

namespace {

template <typename T>
bool same_as_to_chars(T v) {
    char a[32], b[32];
    std::string ours(a, write_decimal(a, v));
    std::string theirs(b, std::to_chars(b, b + sizeof b, v).ptr);
    if (ours != theirs) {
        INFO("value ", theirs, ": write_decimal gave ", ours);
        CHECK(ours == theirs);
        return false;
    }
    return true;
}

}  // namespace

TEST_CASE("write_decimal writes what std::to_chars writes, for every magnitude and sign") {
    bool all = true;
    for (uint64_t v = 0; v <= 100'000; ++v) all = all && same_as_to_chars(v);
    // Around every power of ten, where the digit count changes.
    uint64_t p10 = 1;
    for (int d = 0; d < 20; ++d, p10 *= 10)
        for (uint64_t v : {p10 - 1, p10, p10 + 1}) all = all && same_as_to_chars(v) && same_as_to_chars(static_cast<int64_t>(v));
    for (uint64_t v : {uint64_t{std::numeric_limits<uint32_t>::max()}, std::numeric_limits<uint64_t>::max(),
                       std::numeric_limits<uint64_t>::max() - 1})
        all = all && same_as_to_chars(v);
    for (int64_t v : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min() + 1,
                      std::numeric_limits<int64_t>::max(), int64_t{-1}, int64_t{0}, int64_t{-100'000'000}})
        all = all && same_as_to_chars(v);
    for (int v : {0, -1, 7, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}) all = all && same_as_to_chars(v);
    for (uint32_t v : {0u, 9u, 10u, 99'999'999u, 100'000'000u, std::numeric_limits<uint32_t>::max()})
        all = all && same_as_to_chars(v);
    // Random values of every length: a uniform 64-bit draw is nearly always 19-20 digits, so the
    // draw is shifted right by a random amount first.
    std::mt19937_64 gen(99);
    for (int i = 0; i < 1'000'000 && all; ++i) {
        uint64_t v = gen() >> (gen() % 64);
        all = same_as_to_chars(v) && same_as_to_chars(static_cast<int64_t>(v) * (i % 2 ? -1 : 1));
    }
    CHECK(all);
}

TEST_CASE("write_decimal through a DecimalMemo: the same text whether the number repeats or not") {
    DecimalMemo m{};
    std::mt19937 gen(5);
    uint32_t last = 0;
    for (int i = 0; i < 100'000; ++i) {
        // Runs of repeats, values of every length, and 0 first (the empty memo's value).
        uint32_t v = i == 0 ? 0 : (i % 3 ? last : static_cast<uint32_t>(gen() >> (gen() % 32)));
        char a[32], b[32];
        std::string ours(a, write_decimal(a, v, m));
        std::string theirs(b, std::to_chars(b, b + sizeof b, v).ptr);
        REQUIRE(ours == theirs);
        last = v;
    }
}

TEST_CASE("write_seconds_shortest writes what std::to_chars writes for ns / 1e9") {
    auto same = [](int64_t ns) {
        char a[40], b[40];
        std::string ours(a, write_seconds_shortest(a, ns));
        std::string theirs(b, std::to_chars(b, b + sizeof b, static_cast<double>(ns) / 1e9).ptr);
        if (ours != theirs) {
            INFO("ns ", ns, ": to_chars ", theirs, ", ours ", ours);
            CHECK(ours == theirs);
            return false;
        }
        return true;
    };
    bool all = true;
    // Small values (exponent notation wins below 1e-4 or so), every length, both signs.
    for (int64_t ns = -20'000; ns <= 20'000 && all; ++ns) all = same(ns);
    int64_t p10 = 1;
    for (int d = 0; d < 19; ++d) {
        for (int64_t v : {p10 - 1, p10, p10 + 1, 2 * p10, p10 + p10 / 5, -p10}) all = all && same(v);
        if (d < 18) p10 *= 10;  // 10^18 is the last power of ten an int64 holds
    }
    for (int64_t v : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), int64_t{200'000'000},
                      int64_t{1'000'000'000}, int64_t{999'999'999'999'999}, int64_t{1'000'000'000'000'000}})
        all = all && same(v);
    // 1 ms to 10 s, written without the general path: RTTs of every length, and round ones.
    for (int64_t ns = 1'000'000 - 50; ns < 1'000'000 + 50 && all; ++ns) all = same(ns);
    for (int64_t ns = 10'000'000'000 - 50; ns < 10'000'000'000 + 50 && all; ++ns) all = same(ns);
    std::mt19937_64 rtts(11);
    for (int i = 0; i < 300'000 && all; ++i) {
        auto v = static_cast<int64_t>(1'000'000 + rtts() % 9'999'000'000);
        if (i % 2 == 0) v -= v % [&] { int64_t m = 1; for (int k = static_cast<int>(rtts() % 10); k > 0; --k) m *= 10; return m; }();
        all = same(v);
    }
    // Random nanosecond counts of every length; and round ones (trailing zeros), as RTTs often are.
    std::mt19937_64 gen(7);
    for (int i = 0; i < 1'000'000 && all; ++i) {
        auto v = static_cast<int64_t>(gen() >> (gen() % 63 + 1));
        if (i % 3 == 0) v -= v % 1000;
        all = same(i % 2 ? v : -v);
    }
    CHECK(all);
}
