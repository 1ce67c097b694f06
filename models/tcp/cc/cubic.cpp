#include "models/tcp/cc/cubic.hpp"

#include <algorithm>
#include <cmath>

namespace tcpsim {

void CubicCongestionControl::reset() {
    w_max_ = k_ = w_est_ = cwnd_prior_ = carry_ = 0;
    epoch_started_ = false;
    found_ = false;
    round_end_ = -1;
    delay_min_ = SimTime::zero();
}

void CubicCongestionControl::hystart_round(int64_t snd_nxt, SimTime now) {
    // bictcp_hystart_reset
    round_start_ = last_ack_ = now;
    round_end_ = snd_nxt;
    curr_rtt_ = SimTime::max();
    sample_cnt_ = 0;
}

void CubicCongestionControl::on_rtt_sample(SimTime rtt, int64_t snd_una, int64_t snd_nxt, SimTime now) {
    // bictcp_acked and hystart_update.
    constexpr uint64_t kLowWindow = 16;                 // hystart_low_window (segments)
    constexpr SimTime kAckDelta = SimTime::from_ms(2);  // hystart_ack_delta_us
    constexpr uint32_t kMinSamples = 8;                 // HYSTART_MIN_SAMPLES
    if (!hystart_) return;
    // Samples just after a recovery say little about the path's delay.
    if (epoch_started_ && now - epoch_start_ < SimTime::from_s(1)) return;
    if (rtt < SimTime::from_ns(1)) rtt = SimTime::from_ns(1);
    if (delay_min_ == SimTime::zero() || rtt < delay_min_) delay_min_ = rtt;
    if (found_ || !in_slow_start()) return;
    if (round_end_ < 0 || snd_una > round_end_) hystart_round(snd_nxt, now);
    if (cwnd_ < kLowWindow * smss_) return;
    // The ACK train: ACKs no more than 2 ms apart, spread over more than half the minimum RTT
    // since the round began, fill the path (without pacing, half: Linux halves the threshold).
    if (now - last_ack_ <= kAckDelta) {
        last_ack_ = now;
        if (now - round_start_ > delay_min_ / 2) {
            found_ = true;
            ssthresh_ = cwnd_;
            return;
        }
    }
    // The delay increase: the round's smallest RTT over its first 8 samples exceeds the minimum
    // by min_RTT/8, clamped to 4..16 ms (HYSTART_DELAY_THRESH).
    curr_rtt_ = std::min(curr_rtt_, rtt);
    if (sample_cnt_ < kMinSamples) {
        ++sample_cnt_;
    } else if (curr_rtt_ > delay_min_ + std::clamp(delay_min_ / 8, SimTime::from_ms(4), SimTime::from_ms(16))) {
        found_ = true;
        ssthresh_ = cwnd_;
    }
}

double CubicCongestionControl::w_cubic(double t) const {
    double d = t - k_;
    return kC * d * d * d + w_max_;
}

void CubicCongestionControl::on_ack(uint64_t acked, uint64_t, SimTime now, SimTime srtt) {
    if (cwnd_ < ssthresh_) {
        acked = slow_start(acked);
        if (acked == 0) return;
    }
    const double smss = smss_;
    double cwnd = static_cast<double>(cwnd_) / smss;
    if (!epoch_started_) {
        // RFC 9438 4.2: a congestion-avoidance epoch starts with the first ACK in it. With no
        // loss yet (or a window already past W_max) the curve starts at its plateau: K = 0.
        epoch_started_ = true;
        epoch_start_ = now;
        if (w_max_ < cwnd) {
            w_max_ = cwnd;
            k_ = 0;
        } else {
            k_ = std::cbrt((w_max_ - cwnd) / kC);
        }
        w_est_ = cwnd;
        carry_ = 0;
    }
    double t = (now - epoch_start_).to_seconds();
    double rtt = srtt.to_seconds();
    double segments_acked = static_cast<double>(acked) / smss;
    // RFC 9438 4.3: W_est grows by alpha_cubic segments per window acknowledged; once it has
    // passed the window before the reduction, by one, as Reno would.
    double alpha = w_est_ >= cwnd_prior_ ? 1.0 : kAlpha;
    w_est_ += alpha * segments_acked / cwnd;
    double increase;  // segments
    if (w_cubic(t) < w_est_) {
        increase = std::max(0.0, w_est_ - cwnd);  // Reno-friendly region
    } else {
        // RFC 9438 4.4/4.5: aim at W_cubic one RTT ahead, within [cwnd, 1.5 cwnd], and close
        // (target - cwnd)/cwnd of the gap per segment acknowledged (per ACK in the RFC; per
        // segment here, as Linux, so that delayed ACKs do not slow the curve down).
        double target = std::clamp(w_cubic(t + rtt), cwnd, 1.5 * cwnd);
        increase = (target - cwnd) / cwnd * segments_acked;
    }
    carry_ += increase * smss;
    double whole = std::floor(carry_);
    carry_ -= whole;
    cwnd_ += static_cast<uint64_t>(whole);
}

void CubicCongestionControl::reduce() {
    double cwnd = static_cast<double>(cwnd_) / smss_;
    cwnd_prior_ = cwnd;
    // RFC 9438 4.7, fast convergence: a flow that lost before reaching its previous W_max
    // releases bandwidth by remembering a smaller one.
    w_max_ = cwnd < w_max_ ? cwnd * (1.0 + kBeta) / 2.0 : cwnd;
    ssthresh_ = std::max<uint64_t>(static_cast<uint64_t>(static_cast<double>(cwnd_) * kBeta), 2ull * smss_);
    epoch_started_ = false;
    carry_ = 0;
}

void CubicCongestionControl::on_congestion_event(uint64_t, SimTime) {
    reduce();
    cwnd_ = ssthresh_;  // RFC 9438 4.6: cwnd = ssthresh = beta_cubic * cwnd
}

void CubicCongestionControl::on_rto(uint64_t, SimTime) {
    // RFC 9438 4.8: as a congestion event for W_max and ssthresh, then the loss window. Linux
    // lets HyStart look again in the slow start that follows (cubictcp_state, TCP_CA_Loss).
    reduce();
    loss_window();
    found_ = false;
    round_end_ = -1;
}

}  // namespace tcpsim
