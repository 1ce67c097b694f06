#pragma once
// RttEstimator: SRTT, RTTVAR and RTO per RFC 6298, in integer nanoseconds, with exponential
// backoff. The clock granularity G of RFC 6298 is the simulator's: 1 ns. The minimum RTO applies
// either to the whole RTO (RFC 6298 (2.4)) or, as Linux applies its 200 ms TCP_RTO_MIN, to the
// variance term alone: RTO = SRTT + max(4*RTTVAR, min_rto) (tcp_set_rto: srtt + rttvar_us, where
// rttvar_us is at least tcp_rto_min), so a path's RTT always adds to the minimum.
#include <algorithm>

#include "sim/core/time.hpp"

namespace tcpsim {

class RttEstimator {
public:
    RttEstimator(SimTime initial_rto, SimTime min_rto, SimTime max_rto, bool min_on_variance = false)
        : rto_(initial_rto), min_rto_(min_rto), max_rto_(max_rto), min_on_variance_(min_on_variance) {}

    // RFC 6298 (2.2) and (2.3); a new sample also ends any backoff (5.7 keeps the backed-off
    // value only "until a new RTT measurement").
    void sample(SimTime r) {
        if (r < SimTime::from_ns(1)) r = SimTime::from_ns(1);
        if (!has_sample_) {
            srtt_ = r;                                // SRTT <- R
            rttvar_ = SimTime::from_ns(r.ns() / 2);   // RTTVAR <- R/2
            has_sample_ = true;
        } else {
            int64_t err = srtt_.ns() - r.ns();
            if (err < 0) err = -err;
            rttvar_ = SimTime::from_ns((3 * rttvar_.ns() + err) / 4);  // beta = 1/4
            srtt_ = SimTime::from_ns((7 * srtt_.ns() + r.ns()) / 8);   // alpha = 1/8
        }
        backoff_ = 0;
        SimTime variance = std::max(SimTime::from_ns(1), rttvar_ * 4);  // K = 4
        if (min_on_variance_) rto_ = std::min(max_rto_, srtt_ + std::max(variance, min_rto_));
        else rto_ = clamp(srtt_ + variance);
        ++samples_;
    }
    // RFC 6298 (5.5): double the RTO on every expiry, up to the maximum.
    void back_off() {
        ++backoff_;
        rto_ = clamp(rto_.sat_mul(2));
    }

    SimTime rto() const { return rto_; }
    SimTime srtt() const { return srtt_; }
    SimTime rttvar() const { return rttvar_; }
    bool has_sample() const { return has_sample_; }
    uint32_t backoff() const { return backoff_; }
    uint64_t samples() const { return samples_; }

private:
    SimTime clamp(SimTime t) const { return std::min(max_rto_, std::max(min_rto_, t)); }

    SimTime srtt_, rttvar_;
    SimTime rto_;
    SimTime min_rto_, max_rto_;
    bool min_on_variance_ = false;
    bool has_sample_ = false;
    uint32_t backoff_ = 0;
    uint64_t samples_ = 0;
};

}  // namespace tcpsim
