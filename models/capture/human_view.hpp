#pragma once
// HumanView: what a person reads on stdout, beside the tcpdump-like segment lines the
// PacketTracer prints. With `verbose` it also prints, as they happen, TCP state changes,
// application events, timers, TCP notes (RTO backoff) and link state changes; at the end it
// always prints the run's summary: why it stopped, one row per connection direction, one row
// per application. Everything comes from the trace records and the summary, so stdout holds
// simulated figures only (no wall-clock time) and is identical across runs.
#include <ostream>

#include "sim/trace/trace_sink.hpp"

namespace tcpsim {

class HumanView final : public TraceSink {
public:
    // `after_lines`: the summary follows segment lines, so a blank line separates them.
    HumanView(std::ostream& out, bool verbose, bool after_lines)
        : out_(out), verbose_(verbose), after_lines_(after_lines) {}

    bool wants(TraceCategory) const override { return verbose_; }
    void record(const TraceFields& r) override;
    void end(const RunSummary& summary) override;

    // The summary block alone (also used by end()).
    static void print_summary(std::ostream& out, const RunSummary& summary);
    static void print_summary(std::ostream& out, const Json& summary) { print_summary(out, RunSummary::from_json(summary)); }

private:
    std::ostream& out_;
    bool verbose_;
    bool after_lines_;
};

}  // namespace tcpsim
