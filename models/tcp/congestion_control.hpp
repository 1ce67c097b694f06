#pragma once
// CongestionControl: the small interface a congestion control implements (after ns-3's
// TcpCongestionOps and smoltcp's Controller). The endpoint owns loss detection and recovery
// (fast retransmit, NewReno partial ACKs, SACK); the algorithm owns cwnd and ssthresh and is
// told about ACKs, congestion events, timeouts and the end of recovery. Adding an algorithm is
// one new file in models/tcp/cc/ plus its line in make_congestion_control().
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>

#include "sim/core/time.hpp"

namespace tcpsim {

class CongestionControl {
public:
    virtual ~CongestionControl() = default;
    virtual std::string_view name() const = 0;

    // New data acknowledged outside loss recovery. `flight` is what was outstanding before this
    // ACK (an algorithm can tell an application-limited sender); `srtt` is zero before the first
    // RTT sample.
    virtual void on_ack(uint64_t acked_bytes, uint64_t flight, SimTime now, SimTime srtt) = 0;
    // An RTT sample from an ACK of new data (before on_ack), with where the acknowledged data
    // reaches (SND.UNA) and where the sent data ends (SND.NXT), as stream offsets: CUBIC's
    // HyStart watches the samples of each round trip.
    virtual void on_rtt_sample(SimTime rtt, int64_t snd_una, int64_t snd_nxt, SimTime now) {
        (void)rtt, (void)snd_una, (void)snd_nxt, (void)now;
    }
    // Linux's HyStart (CUBIC): leave slow start when ACKs of a round trip come as a train over
    // more than half the minimum RTT, or when the round's RTT grows by min_RTT/8 (4..16 ms).
    void set_hystart(bool on) { hystart_ = on; }
    // A loss detected by duplicate ACKs or SACK, or an ECN echo (RFC 5681 3.2 step 2, RFC 3168
    // 6.1.2): set ssthresh and the cwnd recovery starts from. Once per window of data.
    virtual void on_congestion_event(uint64_t flight, SimTime now) = 0;
    // The retransmission timer expired (RFC 5681 (4)): ssthresh, and cwnd to the loss window.
    // Only when the timeout starts a loss episode: see on_rto_keeping_ssthresh().
    virtual void on_rto(uint64_t flight, SimTime now) = 0;
    // The timer expired inside a loss episode whose reduction was already made: again for a
    // segment it already retransmitted (RFC 5681 3.1, after equation (4): ssthresh is held; the
    // flight is one segment by then and would halve it to 2*SMSS), or during a fast recovery
    // (FlightSize then counts what the inflated window let out, and would raise ssthresh above
    // the recovery's). Linux's tcp_enter_loss reduces only "if it has not yet been made inside
    // this window". cwnd goes to the loss window; ssthresh and what an algorithm remembers of
    // the window before the loss (CUBIC's W_max) stay.
    void on_rto_keeping_ssthresh() { loss_window(); }
    // NewReno's fast recovery (no SACK) is over: the recovery point was acknowledged, `flight`
    // is what is left outstanding. cwnd deflates to min(ssthresh, max(FlightSize, SMSS) + SMSS),
    // RFC 6582 3.2 step 3 option 1: at most ssthresh, and no burst of a full ssthresh when
    // little is in flight (tcpsim has no pacing), yet never below 2 SMSS. (With SACK, cwnd is
    // ssthresh during recovery, RFC 6675 5, and stays there, as Linux's tcp_end_cwnd_reduction.)
    virtual void on_recovery_exit(uint64_t flight, SimTime now) {
        (void)now;
        cwnd_ = std::min(ssthresh_, std::max<uint64_t>(flight, smss_) + smss_);
    }
    // RFC 5681's Reno leaves fast recovery on the first new ACK; NewReno (RFC 6582) stays until
    // the recovery point is acknowledged and retransmits on partial ACKs.
    virtual bool partial_ack_recovery() const { return true; }

    uint64_t cwnd() const { return cwnd_; }
    uint64_t ssthresh() const { return ssthresh_; }
    uint32_t smss() const { return smss_; }
    bool in_slow_start() const { return cwnd_ < ssthresh_; }
    static constexpr uint64_t kInfiniteSsthresh = UINT64_MAX / 2;  // "arbitrarily high" (RFC 5681 3.1)
    // Fast recovery without SACK inflates and deflates cwnd itself (RFC 6582 3.2).
    void set_cwnd(uint64_t w) { cwnd_ = std::max<uint64_t>(w, smss_); }
    // Linux resets ssthresh outside a congestion event too (idle restart, cwnd validation).
    void set_ssthresh(uint64_t s) { ssthresh_ = std::max<uint64_t>(s, 2ull * smss_); }

    // RFC 6928: IW = min(N*SMSS, max(2*SMSS, 14600)) for N = 10; a different N is taken as asked.
    static uint64_t initial_window(uint32_t smss, uint32_t initial_segments) {
        uint64_t iw = static_cast<uint64_t>(initial_segments) * smss;
        if (initial_segments == 10) iw = std::min<uint64_t>(iw, std::max<uint64_t>(2ull * smss, 14600));
        return iw;
    }
    // `abc_limit`: RFC 3465's L in segments (2, and 1 after a timeout); 0 counts every byte
    // acknowledged, as Linux's tcp_slow_start counts every segment delivered.
    void init(uint32_t smss, uint32_t initial_segments, uint32_t abc_limit = 2) {
        smss_ = smss;
        abc_limit_ = abc_limit;
        cwnd_ = initial_window(smss, initial_segments);
        ssthresh_ = kInfiniteSsthresh;
        after_rto_ = false;
        reset();
    }

protected:
    // Slow start (RFC 5681 (2)) with appropriate byte counting limited to L = 2*SMSS (RFC 3465
    // 2.2), so that delayed ACKs still double cwnd each round trip, and to L = 1*SMSS in the
    // slow start after a timeout (RFC 3465 2.3: ACKs covering much data must not burst); or,
    // with abc_limit 0, by everything acknowledged (Linux). The part of `acked` beyond ssthresh
    // is returned for congestion avoidance.
    uint64_t slow_start(uint64_t acked) {
        uint64_t add = abc_limit_ == 0 ? acked : std::min<uint64_t>(acked, (after_rto_ ? 1ull : abc_limit_) * uint64_t{smss_});
        uint64_t room = ssthresh_ > cwnd_ ? ssthresh_ - cwnd_ : 0;
        uint64_t used = std::min(add, room);
        cwnd_ += used;
        if (add <= room) return 0;  // still in slow start
        after_rto_ = false;
        return acked - used;  // crossed ssthresh: the rest counts for congestion avoidance
    }
    // RFC 5681 (4): the loss window after a timeout.
    void loss_window() {
        cwnd_ = smss_;
        after_rto_ = true;
    }
    // Algorithm state back to its start (a new connection or a new MSS).
    virtual void reset() {}

    uint64_t cwnd_ = 0, ssthresh_ = 0;
    uint32_t smss_ = 1460;
    uint32_t abc_limit_ = 2;
    bool hystart_ = false;
    bool after_rto_ = false;
};

// Known names: "newreno", "reno", "cubic". Null for an unknown name (the loader refuses it first).
std::unique_ptr<CongestionControl> make_congestion_control(std::string_view name);
bool is_congestion_control_name(std::string_view name);
inline constexpr std::string_view kCongestionControlNames = "newreno, reno, cubic";

}  // namespace tcpsim
