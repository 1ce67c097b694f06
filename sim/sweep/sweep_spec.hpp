#pragma once
// SweepSpec: a parameter sweep file as typed, checked structs. A sweep names a base scenario
// (a path or inline), the parameters to vary (JSON pointers into the scenario, each with a list
// of values or a range), how to combine them (cartesian product or zip), how many replications
// (seeds) each point gets, the metrics to collect and optional least-squares fits.
//
// The engine knows nothing about TCP: the metric names are checked against a catalog the
// caller passes in (models/sweep/sweep_metrics.hpp has tcpsim's), and the scenario itself is only a
// JSON document here.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/json/json_reader.hpp"

namespace tcpsim {

// One metric a sweep can collect: numeric ones get mean/sd/CI, the others counts per value.
// A per-application metric may also be selected for one application as "name[i]".
struct SweepMetricInfo {
    std::string name;
    bool numeric = true;
    bool per_app = false;
    std::string description;
};

struct SweepParameter {
    std::string pointer;       // RFC 6901 pointer into the scenario document
    std::string name;          // column name: the pointer unless the file names it
    std::vector<Json> values;  // ranges are expanded when the file is read
    std::string where;         // pointer of this entry in the sweep file, for messages
};

enum class SweepMode { cartesian, zip };
// independent: every run its own seed; common: replication r has the same seed at every point
// (common random numbers: points differ only by their parameters).
enum class SweepSeedMode { independent, common };

struct SweepFit {
    enum class Model { linear, power };
    std::string metric;
    std::vector<size_t> against;   // parameter indices
    Model model = Model::power;
    std::vector<double> exponents;  // power law with given exponents: only the constant is fitted
    std::string where;
};

struct SweepSpec {
    std::string file;
    std::string name;
    std::string description;
    Json scenario;               // the base scenario document
    std::string scenario_file;   // the scenario's path, or the sweep file when inline
    bool scenario_inline = false;
    SweepMode mode = SweepMode::cartesian;
    std::vector<SweepParameter> parameters;
    uint64_t replications = 1;
    uint64_t seed = 1;
    SweepSeedMode seed_mode = SweepSeedMode::independent;
    std::vector<SweepMetricInfo> metrics;  // selected, in the file's order (name may be "x[i]")
    std::vector<std::string> metric_where;  // pointer of each selected metric in the file
    std::vector<SweepFit> fits;

    // Points in the plan: the product of the value counts (cartesian) or the common count (zip).
    uint64_t point_count() const;
    uint64_t run_count() const { return point_count() * replications; }
};

// Sanity limits: a typo such as "steps": 1e6 gets a message, not hours of runs.
inline constexpr uint64_t kMaxSweepRuns = 10'000'000;
inline constexpr uint64_t kMaxRangeSteps = 100'000;

// Reads and validates a sweep file. `vary` keeps the order of its keys as written (the first
// parameter varies slowest). A scenario path is relative to the sweep file's directory.
SweepSpec load_sweep(const std::string& path, const std::vector<SweepMetricInfo>& catalog);
// Same, from a document in memory; `vary_order` lists the vary keys in the order to use (keys
// not listed follow in the document's order).
SweepSpec parse_sweep(const Json& doc, const std::string& file, const std::vector<SweepMetricInfo>& catalog,
                      const std::vector<std::string>& vary_order = {});

// The values of a range {"from", "to", "steps", "scale", "integer", "unit"}; see README.
std::vector<Json> expand_range(JsonObjectReader& range);

}  // namespace tcpsim
