// TcpEndpoint: RACK-TLP loss detection (RFC 8985), as Linux runs it (tcp_recovery.c,
// tcp_rack_*, tcp_schedule_loss_probe, tcp_send_loss_probe). Used with SACK under the linux
// profile; recovery itself (PRR, what is resent) is in tcp_rack_recovery.cpp.
//
// RACK marks a segment lost when a segment sent after it has been delivered and more than
// RACK.rtt + reo_wnd has passed since it was sent: time, not a count of duplicate ACKs, so a
// lost retransmission or a lost tail is detected as soon as anything sent later arrives, and
// reordering within reo_wnd is not taken for loss. The reordering window is min_RTT/4 times a
// step count that grows by one for each round trip with a D-SACK (a retransmission shown
// spurious) and falls back after 16 recoveries without; it is zero until reordering has been
// seen, in recovery, or once DupThresh segments are SACKed (Linux tcp_rack_reo_wnd).
//
// TLP sends a probe 2 SRTT after the last transmission when nothing has been heard (plus a
// delayed-ACK allowance when one segment is in flight): new data if there is some, else the
// last segment again, so that a lost tail is repaired by fast recovery instead of an RTO.
#include <algorithm>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

namespace {
constexpr SimTime kTimerSlack = SimTime::from_ms(2);  // Linux TCP_TIMEOUT_MIN: 2 jiffies
constexpr uint32_t kMaxReordering = 300;              // Linux tcp_max_reordering
constexpr uint32_t kReoWndPersist = 16;               // Linux TCP_RACK_RECOVERY_THRESH
}  // namespace

void TcpEndpoint::rack_begin_ack(SimTime now) {
    TcpTransferState& x = xfer();
    if (!x.sent) x.sent = std::make_unique<SentQueue>();
    x.delivered = SentQueue::Delivered{};
    x.delivered.now = now;
    x.delivered.min_rtt = x.rack.min_rtt;
}

void TcpEndpoint::rack_record_send(int64_t offset, uint32_t len, bool fin, SimTime now) {
    TcpTransferState& x = xfer();
    if (!x.sent) x.sent = std::make_unique<SentQueue>();
    if (len == 0) {
        if (fin && offset >= snd_max_) x.fin_alone = true;
        return;
    }
    if (offset >= snd_max_data()) x.sent->sent(offset, offset + len, now);
    else x.sent->retransmitted(offset, offset + len, now);
    if (x.recovery == RecoveryState::fast) x.prr_out += len;
}

SimTime TcpEndpoint::rack_reo_wnd() const {
    const TcpTransferState& x = *x_;
    if (x.rack.reord_seen == 0) {
        // No reordering seen: as aggressive as DupThresh in recovery and once DupThresh
        // segments are SACKed (RFC 8985 6.2 step 4).
        if (x.recovery != RecoveryState::open) return SimTime::zero();
        if (x.sent && x.sent->sacked_segments() >= x.rack.reordering) return SimTime::zero();
    }
    return std::min(x.rack.min_rtt / 4 * x.rack.reo_wnd_steps, rtt_.srtt());
}

void TcpEndpoint::rack_update(int64_t prior_fack, SimTime now) {
    TcpTransferState& x = *x_;
    const SentQueue::Delivered& d = x.delivered;
    if (d.rack_advanced) {
        // RFC 8985 6.2 step 2: RACK follows the most recently sent segment delivered.
        x.rack.rtt = d.rtt;
        if (!x.rack.valid || d.xmit > x.rack.xmit || (d.xmit == x.rack.xmit && d.end > x.rack.end)) {
            x.rack.xmit = d.xmit;
            x.rack.end = d.end;
        }
        x.rack.valid = true;
        x.rack.advanced = true;
    }
    // Data delivered below what was already SACKed came late: reordering, as many segments deep
    // as the distance (Linux tcp_check_sack_reordering; RFC 8985 6.2 step 3).
    if (d.reordered_from < prior_fack) {
        uint64_t metric = static_cast<uint64_t>(prior_fack - d.reordered_from);
        if (metric > uint64_t{x.rack.reordering} * eff_mss_)
            x.rack.reordering = static_cast<uint32_t>(std::min<uint64_t>((metric + eff_mss_ - 1) / eff_mss_, kMaxReordering));
        ++x.rack.reord_seen;
    }
    // RFC 8985 6.2 step 4: a D-SACK widens the reordering window by a step, once per round trip.
    if (x.rack.dsack_seen) {
        if (now - x.rack.reo_adjusted >= rtt_.srtt()) {
            x.rack.reo_wnd_steps = std::min<uint32_t>(x.rack.reo_wnd_steps + 1, 255);
            x.rack.reo_wnd_persist = kReoWndPersist;
            x.rack.reo_adjusted = now;
        }
        x.rack.dsack_seen = false;
    } else if (x.rack.reo_wnd_persist == 0) {
        x.rack.reo_wnd_steps = 1;
    }
}

uint32_t TcpEndpoint::rack_detect_loss(SimTime now, SimTime& wait) {
    // RFC 8985 6.2 step 5 (Linux tcp_rack_detect_loss): every segment sent before RACK.xmit_ts
    // and neither delivered nor already waiting as lost is lost once RACK.rtt + reo_wnd has
    // passed since it was sent; for the others the time left is the reordering timer's.
    TcpTransferState& x = *x_;
    wait = SimTime::zero();
    if (!x.rack.valid || !x.sent) return 0;
    SimTime reo_wnd = rack_reo_wnd();
    uint32_t lost = 0;
    for (SentQueue::Segment& s : *x.sent) {
        if (s.has(SentQueue::kSacked)) continue;
        if (s.has(SentQueue::kLost) && !s.has(SentQueue::kRetrans)) continue;
        bool sent_before = s.xmit < x.rack.xmit || (s.xmit == x.rack.xmit && s.end <= x.rack.end);
        if (!sent_before) {
            // Never retransmitted: all later ones in sequence were sent later still.
            if (!s.has(SentQueue::kEverRetrans)) break;
            continue;
        }
        SimTime remaining = x.rack.rtt + reo_wnd - (now - s.xmit);
        if (remaining <= SimTime::zero()) {
            x.sent->mark_lost(s);
            ++lost;
        } else {
            wait = std::max(wait, remaining);
        }
    }
    return lost;
}

uint32_t TcpEndpoint::rack_mark_lost(SimTime now) {
    TcpTransferState& x = *x_;
    if (!x.rack.advanced) return 0;
    x.rack.advanced = false;
    SimTime wait;
    uint32_t lost = rack_detect_loss(now, wait);
    // Segments not yet overdue: look again when they are (the RACK reordering timer).
    if (wait > SimTime::zero()) arm_rtx_timer(RtxMode::reorder, now.sat_add(wait + kTimerSlack));
    return lost;
}

void TcpEndpoint::on_reorder_timeout(SimTime now) {
    // Linux tcp_rack_reo_timeout.
    TcpTransferState& x = xfer();
    uint64_t prior_in_flight = rack_in_flight();
    SimTime wait;
    uint32_t lost = rack_detect_loss(now, wait);
    if (rack_in_flight() != prior_in_flight) {
        if (x.recovery == RecoveryState::open) {
            enter_rack_recovery(now);
            prr_reduce(eff_mss_, lost > 0, false);  // as for one segment delivered
        }
        rack_send(now);
    }
    if (wait > SimTime::zero()) arm_rtx_timer(RtxMode::reorder, now.sat_add(wait + kTimerSlack));
    else if (rtx_mode_ != static_cast<uint8_t>(RtxMode::rto) || !retransmit_armed_) arm_retransmit(now);
}

// ---------------------------------------------------------------- tail loss probe

bool TcpEndpoint::schedule_loss_probe(SimTime now) {
    // Linux tcp_schedule_loss_probe: with SACK, in the Open state (nothing SACKed, no recovery),
    // something in flight, and no probe outstanding.
    if (!c_->tlp || !rack_on() || !x_ || !x_->sent) return false;
    const TcpTransferState& x = *x_;
    if (snd_una_ >= snd_max_ || x.recovery != RecoveryState::open || x.sent->sacked_segments() > 0 || x.tlp_high >= 0)
        return false;
    if (!is_synchronized(state_) || state_ == TcpState::TIME_WAIT) return false;
    SimTime pto;
    if (rtt_.has_sample()) {
        // PTO = 2 SRTT; with one segment in flight its ACK may be delayed: add the worst-case
        // delayed-ACK time (Linux adds TCP_RTO_MIN, RFC 8985 7.2 WCDelAckT), else 2 jiffies.
        pto = rtt_.srtt() * 2 + (x.sent->size() <= 1 ? c_->min_rto : kTimerSlack);
    } else {
        pto = c_->initial_rto;
    }
    pto = std::min(pto, rtt_.rto());  // never later than the RTO would fire
    arm_rtx_timer(RtxMode::probe, now.sat_add(pto));
    return true;
}

void TcpEndpoint::set_xmit_timer(SimTime now) {
    // Linux tcp_set_xmit_timer: a loss probe where one is allowed, else the RTO.
    if (!schedule_loss_probe(now)) arm_retransmit(now);
}

void TcpEndpoint::on_loss_probe(SimTime now) {
    // RFC 8985 7.3 (Linux tcp_send_loss_probe).
    TcpTransferState& x = xfer();
    if (x.tlp_high >= 0 || snd_una_ >= snd_max_ || x.recovery != RecoveryState::open || !x.sent ||
        x.sent->sacked_segments() > 0) {
        arm_retransmit(now);
        return;
    }
    int64_t wnd_end = snd_una_data() + static_cast<int64_t>(snd_wnd_);
    int64_t fresh = std::min<int64_t>({eff_mss_, written_ - snd_nxt_, wnd_end - snd_nxt_});
    if (snd_nxt_ < written_ && fresh > 0 && snd_nxt_ >= snd_max_) {
        // New data, one segment, whatever cwnd or Nagle say.
        bool fin = fin_queued_ && snd_nxt_ + fresh == written_;
        send_segment(snd_nxt_, static_cast<uint32_t>(fresh), fin, now);
        snd_nxt_ += fresh + (fin ? 1 : 0);
        x.tlp_retrans = false;
    } else if (x.fin_alone && fin_sent() && !fin_acked()) {
        probing_ = true;
        send_segment(written_, 0, true, now);  // the last segment was the FIN alone
        probing_ = false;
        x.tlp_retrans = true;
    } else if (!x.sent->empty()) {
        const SentQueue::Segment& last = x.sent->back();
        probing_ = true;
        retransmit(last.begin, static_cast<uint32_t>(last.len()), now);
        probing_ = false;
        x.tlp_retrans = true;
    } else {
        arm_retransmit(now);
        return;
    }
    x.tlp_high = snd_max_;
    arm_retransmit(now);  // the RTO restarts from the probe
    out_.note("tlp", rtt_.rto());
}

void TcpEndpoint::tlp_on_ack(bool advanced, bool dsack, SimTime now) {
    // RFC 8985 7.4 (Linux tcp_process_tlp_ack): did the probe repair a loss?
    TcpTransferState& x = *x_;
    if (x.tlp_high < 0 || snd_una_ < x.tlp_high) return;
    if (!x.tlp_retrans || dsack) {
        x.tlp_high = -1;  // new data probed, or the probe's copy arrived twice: no loss
    } else if (snd_una_ > x.tlp_high) {
        // The ACK covers more than the probe: a loss the probe repaired. One reduction, as for
        // a congestion signal (Linux enters CWR and ends it at once: cwnd = ssthresh).
        x.cc->on_congestion_event(static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data())), now);
        x.tlp_high = -1;
    } else if (!advanced && x.delivered.segments == 0) {
        x.tlp_high = -1;  // a pure duplicate ACK: the original and the probe both arrived
    }
}

// ---------------------------------------------------------------- what TCP_INFO reports

TcpSegmentCounts TcpEndpoint::segment_counts() const {
    TcpSegmentCounts n;
    uint32_t mss = std::max<uint32_t>(eff_mss_, 1);
    auto segments = [&](uint64_t bytes) { return static_cast<uint32_t>((bytes + mss - 1) / mss); };
    n.reordering = x_ ? x_->rack.reordering : c_->dupthresh;
    n.reord_seen = x_ ? x_->rack.reord_seen : 0;
    if (x_ && x_->sent && rack_on()) {
        const SentQueue& q = *x_->sent;
        n.unacked = static_cast<uint32_t>(q.size());
        n.sacked = q.sacked_segments();
        n.lost = q.lost_segments();
        n.retrans = q.retrans_segments();
        return n;
    }
    n.unacked = segments(flight_size());
    uint64_t sacked = 0;
    for (const auto& r : scoreboard().ranges()) sacked += static_cast<uint64_t>(r.end - r.begin);
    n.sacked = segments(sacked);
    return n;
}

bool TcpEndpoint::in_disorder() const {
    if (recovery() != RecoveryState::open) return false;
    if (x_ && x_->sent && rack_on()) return x_->sent->sacked_segments() > 0;
    return duplicate_acks() > 0 || !scoreboard().empty();
}

}  // namespace tcpsim
