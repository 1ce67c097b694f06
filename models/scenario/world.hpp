#pragma once
// World: one simulation built from a ScenarioConfig: the simulator, the network, the
// applications and the trace. run() executes it and writes the trace's summary.
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "models/network/network.hpp"
#include "models/network/segment_script.hpp"
#include "models/scenario/scenario_config.hpp"
#include "models/tcp/tcp_session.hpp"
#include "models/tcp/tcp_stack.hpp"
#include "sim/core/simulator.hpp"
#include "sim/trace/trace_writer.hpp"

namespace tcpsim {

class PacketCapture;

struct RunOptions {
    std::ostream* trace_out = nullptr;  // null: no JSON trace
    bool trace_in_background = false;   // trace_out is a file of its own: written by a thread
    TraceFormat format = TraceFormat::json;
    std::optional<TraceLevel> level;    // overrides the scenario's (for the JSON trace)
    std::ostream* human = nullptr;      // tcpdump-like lines
    uint64_t max_events = UINT64_MAX;
    // Zero: a "cc" record at every change of a connection's congestion state; else one record
    // per open connection every interval.
    SimTime sample_interval;
    bool keep_summary = false;          // build summary_json() even with no trace (sweeps)
    std::vector<TraceSink*> sinks;      // more consumers of the trace records (CSV, human view)
    PacketCapture* capture = nullptr;   // pcap capture points (null: none)
    uint64_t max_trace_bytes = UINT64_MAX;  // the trace stops (valid, with its summary) at this size
    // Cuts the trace file to a size (for max_trace_bytes: events cut to make room for the summary).
    std::function<bool(uint64_t)> trace_truncate;
    // Raised by a signal handler: the run ends after the current event (StopReason::interrupted)
    // and the trace is closed with its summary.
    const volatile std::sig_atomic_t* interrupt = nullptr;
};

class World final : public SessionObserver, public EventTarget {
public:
    World(const ScenarioConfig& config, const RunOptions& options);
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    RunResult run();

    Simulator& sim() { return sim_; }
    Network& network() { return net_; }
    const TraceWriter& trace() const { return writer_; }
    // Bytes of a trace of no events: its header and the summary as it stands before the run (the
    // least --max-trace-bytes must leave room for).
    uint64_t trace_floor_bytes();
    // The run's summary (what the trace's "summary" holds), after run(); null before. Sweeps read
    // their metrics from it without writing a trace.
    const Json& summary_json() const { return summary_; }
    // Peak resident memory of the process (KiB, getrusage) when the event loop ended, before the
    // summary was built: what the simulation itself held. Wall-clock-like: stderr only, never
    // in a trace.
    uint64_t peak_rss_after_run_kib() const { return peak_rss_after_run_kib_; }
    TcpStack* stack(uint32_t node) { return node < stacks_.size() ? stacks_[node].get() : nullptr; }
    TcpSession& session(size_t i) { return *sessions_[i]; }
    size_t session_count() const { return sessions_.size(); }

    void session_started(TcpSession& s) override;
    void session_finished(TcpSession& s) override;
    void on_event(uint32_t kind, uint64_t arg) override;  // periodic cc sampling

private:
    // The trace's meta member, without the scenario as written ("input"): that can be most of
    // the memory a large file takes, so the writer is lent it rather than given a copy.
    Json meta() const;
    std::array<TraceWriter::LentMember, 1> lent_meta() const { return {{{"input", &config_.source}}}; }
    // The summary, its connections and applications made one at a time when it is written.
    RunSummary summary(const RunResult& r);
    void schedule_outages();

    const ScenarioConfig& config_;
    RunOptions options_;
    Simulator sim_;
    TraceWriter writer_;
    Network net_;
    std::vector<std::unique_ptr<SegmentScript>> scripts_;
    std::vector<std::unique_ptr<TcpStack>> stacks_;  // by node index; null for routers
    std::vector<std::unique_ptr<TcpSession>> sessions_;
    // Sessions waiting for their server side, by (server node, port) then (client node, port).
    std::map<std::pair<uint32_t, uint16_t>, std::map<std::pair<uint32_t, uint16_t>, TcpSession*>> expected_;
    size_t sessions_finished_ = 0;
    Json summary_;
    uint64_t peak_rss_after_run_kib_ = 0;
};

}  // namespace tcpsim
