// RngStream: per-component streams (xoshiro256** seeded by SplitMix64 from seed XOR
// FNV-1a-64(name)) and the distributions built on them.
//
// Statistical checks use a fixed seed, so they are deterministic; the bounds are still chosen
// so that a correct generator would pass them for practically any seed: each is 6 standard
// errors (a two-sided normal tail of about 2e-9), while the defects they are meant to catch
// (a biased mapping, a stuck bit, a wrong scale) move the statistic by far more than that.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/core/simulator.hpp"

using namespace tcpsim;

namespace {
constexpr int kDraws = 1'000'000;
constexpr double kSigmas = 6.0;

std::vector<uint64_t> first_u64(RngStream s, int n) {
    std::vector<uint64_t> v;
    for (int i = 0; i < n; ++i) v.push_back(s.next_u64());
    return v;
}

// Positions where two sequences agree; for independent 64-bit streams this is 0 in practice.
int agreements(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    int n = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) n += a[i] == b[i];
    return n;
}
}  // namespace

TEST_CASE("fnv1a64 matches the published FNV-1a 64-bit test vectors") {
    // From the FNV reference test suite (Fowler/Noll/Vo): the offset basis for "", and the
    // vectors for "a" and "foobar".
    CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("fnv1a64 hashes bytes, not C strings: embedded NULs and high bytes count") {
    using namespace std::string_view_literals;
    CHECK(fnv1a64("a\0b"sv) != fnv1a64("a"sv));
    CHECK(fnv1a64("a\0b"sv) != fnv1a64("ab"sv));
    // A byte >= 0x80 is xored as 0x80..0xff, not sign-extended to 0xffffffffffffff80:
    // one step from the basis is (basis ^ 0xe9) * prime, which only the unsigned reading gives.
    constexpr uint64_t kBasis = 0xcbf29ce484222325ULL, kPrime = 0x100000001b3ULL;
    CHECK(fnv1a64("\xe9"sv) == (kBasis ^ 0xe9ULL) * kPrime);
}

TEST_CASE("a stream's first draws are xoshiro256 star-star seeded by SplitMix64 from seed XOR fnv1a64(name)") {
    // Expected values computed with an independent Python transcription of the published
    // SplitMix64 and xoshiro256** reference code (that transcription reproduces the reference
    // xoshiro256** vector 11520, 0, 1509978240, 1215971899390074240 from state {1, 2, 3, 4}).
    // Pinning them keeps traces identical across platforms and releases.
    RngStream a(42, "link:a");
    CHECK(a.next_u64() == 0xed32aa3db7933177ULL);
    CHECK(a.next_u64() == 0x6b6e85f20cf3c203ULL);
    CHECK(a.next_u64() == 0x0c023eb7cc915967ULL);
    RngStream z(0, "");
    CHECK(z.next_u64() == 0x21382ef092ed7068ULL);
    CHECK(z.next_u64() == 0x5b54c052757adf62ULL);
    CHECK(z.next_u64() == 0xa64cb2cf68795072ULL);
}

TEST_CASE("the same seed and name give the same sequence") {
    CHECK(first_u64(RngStream(7, "link:0:loss"), 1000) == first_u64(RngStream(7, "link:0:loss"), 1000));
    CHECK(first_u64(RngStream(), 100) == first_u64(RngStream(0, ""), 100));
    // The simulator hands out the same stream for the same name, however often it is asked and
    // whatever other streams were drawn from in between.
    Simulator sim(99);
    RngStream first = sim.rng("host:h1");
    RngStream other = sim.rng("host:h2");
    for (int i = 0; i < 50; ++i) other.next_u64();
    CHECK(first_u64(first, 100) == first_u64(sim.rng("host:h1"), 100));
    CHECK(first_u64(sim.rng("host:h1"), 100) == first_u64(RngStream(99, "host:h1"), 100));
}

TEST_CASE("different names or different seeds give unrelated sequences") {
    std::vector<uint64_t> base = first_u64(RngStream(7, "link:0"), 1000);
    CHECK(agreements(base, first_u64(RngStream(7, "link:1"), 1000)) == 0);
    CHECK(agreements(base, first_u64(RngStream(8, "link:0"), 1000)) == 0);
    CHECK(agreements(base, first_u64(RngStream(7, "link:0 "), 1000)) == 0);
    CHECK(agreements(base, first_u64(RngStream(7, ""), 1000)) == 0);
    // Seeds that differ in one high bit only still diverge.
    CHECK(agreements(first_u64(RngStream(0, "x"), 1000), first_u64(RngStream(1ULL << 63, "x"), 1000)) == 0);
}

TEST_CASE("every bit of next_u64 is set about half the time") {
    // Per bit over 1e6 draws: count ~ Binomial(1e6, 1/2), mean 500000, sd = sqrt(1e6/4) = 500;
    // 6 sd = 3000. A stuck or strongly biased bit is off by far more.
    RngStream s(3, "bits");
    std::array<int, 64> ones{};
    for (int i = 0; i < kDraws; ++i) {
        uint64_t x = s.next_u64();
        for (int b = 0; b < 64; ++b) ones[b] += (x >> b) & 1;
    }
    for (int b = 0; b < 64; ++b) {
        CAPTURE(b);
        CHECK(std::abs(ones[b] - kDraws / 2) < kSigmas * 500);
    }
}

TEST_CASE("uniform01 stays within 0 <= u < 1 on a 2^-53 grid with mean 1/2 and variance 1/12") {
    RngStream s(11, "uniform");
    double sum = 0, sum_sq = 0, lo = 1, hi = 0;
    bool on_grid = true;
    for (int i = 0; i < kDraws; ++i) {
        double u = s.uniform01();
        lo = std::min(lo, u);
        hi = std::max(hi, u);
        double scaled = u * 0x1.0p53;  // 53 random bits: an integer below 2^53
        on_grid = on_grid && scaled == std::floor(scaled);
        sum += u;
        sum_sq += (u - 0.5) * (u - 0.5);
    }
    CHECK(lo >= 0.0);
    CHECK(hi < 1.0);
    CHECK(on_grid);
    // Extremes of 1e6 uniforms lie within about 1e-5 of 0 and 1.
    CHECK(lo < 1e-4);
    CHECK(hi > 1 - 1e-4);
    // Mean: sd of U is sqrt(1/12) = 0.2887; standard error over 1e6 draws = 0.2887 / 1000 =
    // 2.887e-4; 6 SE = 1.73e-3.
    double mean = sum / kDraws;
    CHECK(std::abs(mean - 0.5) < kSigmas * std::sqrt(1.0 / 12) / std::sqrt(double(kDraws)));
    // Variance: Var((U - 1/2)^2) = E(U - 1/2)^4 - (1/12)^2 = 1/80 - 1/144 = 1/180, so the
    // standard error of the mean square is sqrt(1/180) / 1000 = 7.45e-5; 6 SE = 4.5e-4.
    double var = sum_sq / kDraws;
    CHECK(std::abs(var - 1.0 / 12) < kSigmas * std::sqrt(1.0 / 180) / std::sqrt(double(kDraws)));
}

TEST_CASE("uniform01 fills ten equal bins evenly") {
    // Chi-square with 9 degrees of freedom: mean 9, sd sqrt(18) = 4.24. P(chi2_9 > 40) ~ 5e-6;
    // sending one bin's worth of mass elsewhere would give a statistic in the tens of thousands.
    RngStream s(12, "bins");
    std::array<int, 10> bins{};
    for (int i = 0; i < kDraws; ++i) ++bins[static_cast<size_t>(s.uniform01() * 10)];
    double chi2 = 0, expected = kDraws / 10.0;
    for (int c : bins) chi2 += (c - expected) * (c - expected) / expected;
    CHECK(chi2 < 40);
}

TEST_CASE("bernoulli(p) is true at rate p") {
    // Rate over n draws: standard error sqrt(p(1-p)/n); for p = 0.1, n = 1e6: 3e-4, 6 SE = 1.8e-3.
    for (double p : {0.001, 0.1, 0.5, 0.9}) {
        RngStream s(5, "bernoulli");
        int hits = 0;
        for (int i = 0; i < kDraws; ++i) hits += s.bernoulli(p);
        double rate = double(hits) / kDraws;
        CAPTURE(p);
        CAPTURE(rate);
        CHECK(std::abs(rate - p) < kSigmas * std::sqrt(p * (1 - p) / kDraws));
    }
}

TEST_CASE("bernoulli at or beyond 0 and 1 is certain and does not draw") {
    RngStream s(5, "edge");
    for (int i = 0; i < 1000; ++i) {
        CHECK_FALSE(s.bernoulli(0.0));
        CHECK_FALSE(s.bernoulli(-0.5));
        CHECK(s.bernoulli(1.0));
        CHECK(s.bernoulli(2.0));
    }
    // 4000 calls later the stream is where it started: a loss model with p = 0 on one link does
    // not consume randomness.
    CHECK(s.next_u64() == RngStream(5, "edge").next_u64());
}

TEST_CASE("below(n) is always less than n") {
    RngStream s(9, "below");
    for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{1000}, (uint64_t{1} << 63) + 1,
                       UINT64_MAX}) {
        CAPTURE(n);
        bool ok = true;
        for (int i = 0; i < 100'000; ++i) ok = ok && s.below(n) < n;
        CHECK(ok);
    }
    for (int i = 0; i < 100; ++i) CHECK(s.below(1) == 0);
}

TEST_CASE("below(6) gives each face equally often") {
    // Each count ~ Binomial(6e5, 1/6): mean 1e5, sd sqrt(6e5 * 1/6 * 5/6) = 288.7; 6 sd = 1732.
    RngStream s(10, "die");
    std::array<int, 6> faces{};
    for (int i = 0; i < 600'000; ++i) ++faces[s.below(6)];
    for (int f = 0; f < 6; ++f) {
        CAPTURE(f);
        CHECK(std::abs(faces[f] - 100'000) < kSigmas * 288.7);
    }
}

TEST_CASE("below(n) has no modulo bias even when n is close to 2^64") {
    // n = 3 * 2^62. A plain next_u64() % n maps both [0, 2^62) and [n, 2^64) onto [0, 2^62), so
    // that third of the range would come up half the time. Unbiased, it is 1/3 of the draws:
    // standard error sqrt(1/3 * 2/3 / 1e5) = 1.49e-3; 6 SE = 8.9e-3, far below the 0.167 gap.
    constexpr uint64_t n = 3ULL << 62;
    RngStream s(13, "wide");
    int low = 0;
    constexpr int kN = 100'000;
    for (int i = 0; i < kN; ++i) low += s.below(n) < (1ULL << 62);
    CHECK(std::abs(double(low) / kN - 1.0 / 3) < kSigmas * std::sqrt(2.0 / 9 / kN));
}

TEST_CASE("normal() has mean 0, variance 1 and 68.27% of its mass within one sd") {
    RngStream s(17, "normal");
    double sum = 0, sum_sq = 0;
    int within_one = 0;
    bool finite = true;
    for (int i = 0; i < kDraws; ++i) {
        double x = s.normal();
        finite = finite && std::isfinite(x);
        sum += x;
        sum_sq += x * x;
        within_one += std::abs(x) < 1;
    }
    CHECK(finite);
    // Mean: SE = 1 / sqrt(1e6) = 1e-3; 6 SE = 6e-3.
    double mean = sum / kDraws;
    CHECK(std::abs(mean) < kSigmas * 1e-3);
    // Mean square: Var(X^2) = E X^4 - 1 = 3 - 1 = 2, SE = sqrt(2) / 1000 = 1.41e-3; 6 SE = 8.5e-3.
    double var = sum_sq / kDraws;
    CHECK(std::abs(var - 1) < kSigmas * std::sqrt(2.0) / 1000);
    // P(|X| < 1) = erf(1/sqrt 2) = 0.682689; SE = sqrt(0.6827 * 0.3173 / 1e6) = 4.65e-4.
    double p1 = std::erf(1 / std::sqrt(2.0));
    CHECK(std::abs(double(within_one) / kDraws - p1) < kSigmas * std::sqrt(p1 * (1 - p1) / kDraws));
}

TEST_CASE("normal() pairs are not correlated with each other") {
    // Box-Muller returns its two values on successive calls. cos and sin of the same angle are
    // uncorrelated: over 5e5 pairs E[x1 x2] = 0 with SE 1 / sqrt(5e5) = 1.41e-3.
    RngStream s(18, "pairs");
    constexpr int kPairs = 500'000;
    double prod = 0;
    for (int i = 0; i < kPairs; ++i) {
        double a = s.normal();
        double b = s.normal();
        prod += a * b;
    }
    CHECK(std::abs(prod / kPairs) < kSigmas / std::sqrt(double(kPairs)));
}
