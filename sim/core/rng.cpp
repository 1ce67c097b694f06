#include "sim/core/rng.hpp"

#include <cmath>

namespace tcpsim {

uint64_t fnv1a64(std::string_view text) {
    uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

namespace {
uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

RngStream::RngStream(uint64_t master_seed, std::string_view component) {
    uint64_t x = master_seed ^ fnv1a64(component);
    for (auto& w : s_) w = splitmix64(x);
    // SplitMix64 never yields four zero words in a row; the all-zero state is thus impossible.
}

uint64_t RngStream::next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double RngStream::uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

bool RngStream::bernoulli(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return uniform01() < p;
}

uint64_t RngStream::below(uint64_t n) {
    // Reject the top partial block so every residue is equally likely.
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do x = next_u64(); while (x >= limit);
    return x % n;
}

double RngStream::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_normal_;
    }
    double u1 = 1.0 - uniform01();  // (0, 1]: log stays finite
    double u2 = uniform01();
    double r = std::sqrt(-2.0 * std::log(u1));
    double theta = 2.0 * M_PI * u2;
    spare_normal_ = r * std::sin(theta);
    has_spare_ = true;
    return r * std::cos(theta);
}

}  // namespace tcpsim
