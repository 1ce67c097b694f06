#pragma once
// World: one simulation built from a ScenarioConfig: the simulator, the network, the
// applications and the trace. run() executes it and writes the trace's summary.
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "models/network.hpp"
#include "models/scenario_config.hpp"
#include "models/segment_script.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_writer.hpp"

namespace tcpsim {

struct RunOptions {
    std::ostream* trace_out = nullptr;  // null: no trace file
    TraceFormat format = TraceFormat::json;
    std::optional<TraceLevel> level;    // overrides the scenario's
    std::ostream* human = nullptr;      // tcpdump-like lines
    uint64_t max_events = UINT64_MAX;
};

class World {
public:
    World(const ScenarioConfig& config, const RunOptions& options);
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    RunResult run();

    Simulator& sim() { return sim_; }
    Network& network() { return net_; }
    const TraceWriter& trace() const { return writer_; }

private:
    Json meta() const;
    Json summary(const RunResult& r) const;
    void schedule_outages();

    const ScenarioConfig& config_;
    RunOptions options_;
    Simulator sim_;
    TraceWriter writer_;
    Network net_;
    std::vector<std::unique_ptr<SegmentScript>> scripts_;
};

}  // namespace tcpsim
