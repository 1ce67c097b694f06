#pragma once
// What a sweep writes from its statistics: a JSON document, a CSV table (one row per point) and
// the table printed on stdout. None of them holds a wall-clock figure, so a sweep run in one
// piece and the same sweep run in shards and merged write the same bytes.
#include <ostream>
#include <vector>

#include "sim/json/json_reader.hpp"
#include "sim/sweep/sweep_fit.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "sim/sweep/sweep_stats.hpp"

namespace tcpsim {

Json statistics_json(const SweepSpec& spec, const std::vector<PointStats>& stats, const std::vector<FitResult>& fits);

// Columns: point, one per parameter, runs, failed, then per numeric metric M: M_n, M_mean, M_sd,
// M_ci95_low, M_ci95_high, M_min, M_max, and per categorical metric M: M ("value:count;...").
// Empty cells where a value is undefined.
void write_statistics_csv(std::ostream& out, const SweepSpec& spec, const std::vector<PointStats>& stats);

// One row per point: parameters, runs, and "mean +- CI half-width" of each metric that has a
// value somewhere (a metric null everywhere is left out of the table, not of the files); then
// the fits.
void print_statistics_table(std::ostream& out, const SweepSpec& spec, const std::vector<PointStats>& stats,
                            const std::vector<FitResult>& fits);

}  // namespace tcpsim
