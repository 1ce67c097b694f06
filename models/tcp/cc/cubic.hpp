#pragma once
// CUBIC (RFC 9438): after a congestion event the window follows W_cubic(t) = C*(t-K)^3 + W_max,
// concave up to the window of the last loss, convex beyond it, but never below the window an
// AIMD flow with the same loss rate would have (the Reno-friendly region, W_est). Windows here
// are in segments as in the RFC; cwnd itself stays in bytes.
#include "models/tcp/congestion_control.hpp"

namespace tcpsim {

class CubicCongestionControl final : public CongestionControl {
public:
    static constexpr double kC = 0.4;     // RFC 9438 4.2: C, segments per second^3
    static constexpr double kBeta = 0.7;  // RFC 9438 4.6: beta_cubic
    // RFC 9438 4.3: alpha_cubic, so that the Reno-friendly window grows like AIMD(alpha, beta).
    static constexpr double kAlpha = 3.0 * (1.0 - kBeta) / (1.0 + kBeta);

    std::string_view name() const override { return "cubic"; }
    void on_ack(uint64_t acked, uint64_t flight, SimTime now, SimTime srtt) override;
    void on_congestion_event(uint64_t flight, SimTime now) override;
    void on_rto(uint64_t flight, SimTime now) override;
    void on_rtt_sample(SimTime rtt, int64_t snd_una, int64_t snd_nxt, SimTime now) override;
    bool hystart_found() const { return found_; }

    // Exposed for tests and the trace: the current epoch's parameters.
    double w_max() const { return w_max_; }
    double k() const { return k_; }
    bool epoch_started() const { return epoch_started_; }
    SimTime epoch_start() const { return epoch_start_; }
    // W_cubic(t) in segments, t in seconds since the epoch start (RFC 9438 eq. 1).
    double w_cubic(double t) const;

private:
    void reset() override;
    void reduce();  // RFC 9438 4.6 and 4.7: W_max with fast convergence, ssthresh = beta * cwnd
    void hystart_round(int64_t snd_nxt, SimTime now);

    double w_max_ = 0;       // segments
    double k_ = 0;           // seconds
    double w_est_ = 0;       // segments
    double cwnd_prior_ = 0;  // segments, cwnd just before the last reduction
    bool epoch_started_ = false;
    SimTime epoch_start_;
    double carry_ = 0;       // fractional bytes of increase not yet added to cwnd
    // HyStart (Linux tcp_cubic.c): the current round trip (it ends once SND.UNA passes end_seq_),
    // when it started and when its last ACK of a train came, the smallest RTT in its first
    // samples, the path's minimum, and whether slow start was ended.
    int64_t round_end_ = -1;
    SimTime round_start_, last_ack_, curr_rtt_, delay_min_;
    uint32_t sample_cnt_ = 0;
    bool found_ = false;
};

}  // namespace tcpsim
