#pragma once
// SegmentScript: an application that sends raw segments, exactly as written, at fixed times.
// It is how a scenario shows a link's behaviour without TCP, and how tests inject a segment.
#include "models/scenario/scenario_config.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/core/simulator.hpp"

namespace tcpsim {

class Network;

class SegmentScript final : public EventTarget {
public:
    SegmentScript(Network& net, const SegmentScriptSpec& spec) : net_(net), spec_(spec) {}
    void start(Simulator& sim);
    void on_event(uint32_t kind, uint64_t arg) override;

private:
    Network& net_;
    SegmentScriptSpec spec_;
};

}  // namespace tcpsim
