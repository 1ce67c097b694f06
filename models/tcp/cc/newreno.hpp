#pragma once
// NewReno window arithmetic (RFC 5681 3.1): slow start, then congestion avoidance adding
// SMSS*SMSS/cwnd per ACK (equation (3)); halving on a congestion event (equation (4)).
// "reno" is the same arithmetic with RFC 5681's fast recovery, which ends on the first new ACK.
#include "models/tcp/congestion_control.hpp"

namespace tcpsim {

class NewRenoCongestionControl final : public CongestionControl {
public:
    explicit NewRenoCongestionControl(bool partial_acks = true) : partial_acks_(partial_acks) {}
    std::string_view name() const override { return partial_acks_ ? "newreno" : "reno"; }
    void on_ack(uint64_t acked, uint64_t flight, SimTime now, SimTime srtt) override;
    void on_congestion_event(uint64_t flight, SimTime now) override;
    void on_rto(uint64_t flight, SimTime now) override;
    bool partial_ack_recovery() const override { return partial_acks_; }

private:
    void reset() override { ca_bytes_ = 0; }
    bool partial_acks_;
    uint64_t ca_bytes_ = 0;  // SMSS*SMSS/cwnd remainders, kept so that the increase is exact
};

}  // namespace tcpsim
