#pragma once
// Draws for the property tests' random scenarios (from an RngStream, so a seed fixes them).
#include <cmath>
#include <cstdint>
#include <string>

#include "sim/core/rng.hpp"

namespace tcpsim::test {

inline double uniform(RngStream& g, double lo, double hi) { return lo + (hi - lo) * g.uniform01(); }
// An integer in [lo, hi].
inline int64_t between(RngStream& g, int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(g.below(static_cast<uint64_t>(hi - lo + 1)));
}
// Sizes spread evenly over orders of magnitude: 1 B to 200 KB is as often < 1 KB as > 10 KB.
inline uint64_t log_uniform(RngStream& g, double lo, double hi) {
    return static_cast<uint64_t>(std::llround(std::exp(uniform(g, std::log(lo), std::log(hi)))));
}
// A duration in microseconds, as a scenario writes it.
inline std::string us(int64_t v) { return std::to_string(v) + "us"; }

}  // namespace tcpsim::test
