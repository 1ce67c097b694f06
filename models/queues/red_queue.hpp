#pragma once
// RedQueue: the early-drop decision of Random Early Detection (Floyd and Jacobson 1993,
// "Random Early Detection Gateways for Congestion Avoidance"; recommended by RFC 2309), made
// for each arriving packet from an exponentially weighted average of the queue length. With
// ECN (RFC 3168 7) an ECN-capable packet is marked Congestion Experienced instead of dropped.
// The FIFO itself stays the link's DropTailQueue, which also enforces the hard limit.
#include <cstdint>

#include "models/network/link_config.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

class RedQueue {
public:
    enum class Verdict : uint8_t { accept, mark, drop };

    // `idle_unit`: how long sending one typical packet takes, to age the average while the
    // queue sits empty (the paper's m = idle time / s).
    RedQueue(const RedConfig& c, RngStream rng, SimTime idle_unit) : c_(c), rng_(rng), idle_unit_(idle_unit) {}

    // A packet arrives to a queue holding `queued` (packets or bytes, the limit's unit).
    Verdict on_arrival(double queued, bool ecn_capable, SimTime now);
    // The queue became empty at `now` (the idle period starts).
    void on_idle(SimTime now) {
        idle_ = true;
        idle_since_ = now;
    }
    double average() const { return avg_; }

private:
    Verdict congested(bool ecn_capable) { return c_.ecn && ecn_capable ? Verdict::mark : Verdict::drop; }

    RedConfig c_;
    RngStream rng_;
    SimTime idle_unit_;
    double avg_ = 0;
    int64_t count_ = -1;  // packets since the last early drop (-1: below min_threshold)
    bool idle_ = true;
    SimTime idle_since_;
};

}  // namespace tcpsim
