#pragma once
// RngStream: one independent random stream per component.
//
// Generator: xoshiro256** (Blackman & Vigna, 2018): 256-bit state, period 2^256-1, passes
// BigCrush, four shifts/rotates per draw. A stream's state is seeded by running SplitMix64 from
// (master seed XOR FNV-1a-64 of the component's stable name), so a component's draws depend only
// on the seed and its own name: adding a link does not change what any other link draws.
// Distributions are implemented here (not <random>'s), so traces are identical across standard
// libraries.
#include <array>
#include <cstdint>
#include <string_view>

namespace tcpsim {

uint64_t fnv1a64(std::string_view text);

class RngStream {
public:
    RngStream() : RngStream(0, "") {}
    RngStream(uint64_t master_seed, std::string_view component);

    uint64_t next_u64();
    // Uniform in [0, 1) with 53 random bits.
    double uniform01();
    // True with probability p (p <= 0: never; p >= 1: always, without drawing).
    bool bernoulli(double p);
    // Uniform integer in [0, n), unbiased (rejection); n > 0.
    uint64_t below(uint64_t n);
    // Standard normal (Box-Muller; the second value is kept for the next call).
    double normal();

private:
    std::array<uint64_t, 4> s_{};
    double spare_normal_ = 0;
    bool has_spare_ = false;
};

}  // namespace tcpsim
