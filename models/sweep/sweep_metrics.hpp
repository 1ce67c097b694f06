#pragma once
// The metrics a sweep collects, read from a run's summary (World::summary_json(); the fields are
// listed in README.md, "Trace reference"). A metric a summary does not have (a field another
// version adds, a transfer that never completed) is null, never an error. The catalog with each
// metric's meaning is in README.md, "Parameter sweeps".
#include <vector>

#include "sim/json/json_reader.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace tcpsim {

const std::vector<SweepMetricInfo>& sweep_metric_catalog();

// The selected metrics of one run, as {"name": value}. `app_starts` holds the start time (s) of
// each TCP application, in the summary's order (the summary does not repeat them).
Json extract_metrics(const Json& summary, const std::vector<double>& app_starts,
                     const std::vector<SweepMetricInfo>& selected);

}  // namespace tcpsim
