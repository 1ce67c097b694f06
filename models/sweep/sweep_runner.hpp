#pragma once
// Runs the points of a sweep as tcpsim scenarios: the point's values written into the base
// scenario document (sim/sweep/sweep_plan.hpp), the document loaded like any scenario file, run with
// the run's seed and no trace, and the metrics read from its summary.
#include <csignal>
#include <optional>

#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace tcpsim {

// Loads the base scenario and every point's scenario before anything runs, so a bad value is
// reported up front: InputError naming the sweep file's entry (e.g. "/vary/~1links~10~1delay"),
// the point and the scenario's own message. Also checks "name[i]" metrics against the number of
// TCP applications.
void validate_sweep_scenarios(const SweepSpec& spec, const std::vector<SweepPoint>& points);

// One run. A run that fails (an exception while building or running) is a record with
// status "error" and the message; it does not throw.
SweepRecord run_sweep_run(const SweepSpec& spec, const SweepPoint& point, const SweepRunId& id);
// The same, stopping at the next event once `*interrupt` is set: an interrupted run has no
// result (nullopt), it is run again when the sweep is resumed.
std::optional<SweepRecord> run_sweep_run(const SweepSpec& spec, const SweepPoint& point, const SweepRunId& id,
                                         const volatile std::sig_atomic_t* interrupt);

}  // namespace tcpsim
