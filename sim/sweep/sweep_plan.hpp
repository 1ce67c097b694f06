#pragma once
// The runs a sweep makes. Points are the combinations of the parameters' values (cartesian: the
// first parameter varies slowest, like nested loops in the order written; zip: the i-th value of
// every parameter). Each point runs `replications` times: run index = point * replications +
// replication. A run's seed depends only on the sweep's seed, the point and the replication, so
// a sweep rerun with more replications keeps the runs it had, and a shard or a resumed sweep
// draws exactly what one uninterrupted run would.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace tcpsim {

struct SweepPoint {
    uint64_t index = 0;
    std::vector<Json> values;  // one per parameter, in the spec's order
};

struct SweepRunId {
    uint64_t run = 0, point = 0, replication = 0, seed = 0;
};

SweepPoint sweep_point(const SweepSpec& spec, uint64_t index);
std::vector<SweepPoint> sweep_points(const SweepSpec& spec);
SweepRunId sweep_run(const SweepSpec& spec, uint64_t run);

// The scenario seed of one run: the first draw of the RngStream (sim/core/rng.hpp) seeded with the
// sweep's seed and the name "sweep/point/P/replication/R" ("sweep/replication/R" with
// "seeds": "common"), shifted right by 11 bits so it is exact as a double (< 2^53).
uint64_t derive_seed(uint64_t sweep_seed, SweepSeedMode mode, uint64_t point, uint64_t replication);

// {"name": value, ...} of the point's parameters.
Json point_parameters(const SweepSpec& spec, const SweepPoint& point);

// The base scenario with the point's values written at their pointers. Missing object members
// on the way are created; array elements must exist. InputError naming the vary entry otherwise.
Json apply_point(const SweepSpec& spec, const SweepPoint& point);

// Shard K of N (1-based) holds the runs whose index is K-1 modulo N: round robin, so every shard
// gets a share of every point, the cheap and the expensive alike.
struct SweepShard {
    uint64_t k = 1, n = 1;
};
// "K/N" with 1 <= K <= N; nullopt otherwise.
std::optional<SweepShard> parse_shard(const std::string& text);
inline bool in_shard(uint64_t run, SweepShard s) { return run % s.n == s.k - 1; }

}  // namespace tcpsim
