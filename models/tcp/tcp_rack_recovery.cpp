// TcpEndpoint: loss recovery with RACK, as Linux runs it (tcp_fastretrans_alert, tcp_enter_recovery,
// tcp_cwnd_reduction, tcp_xmit_retransmit_queue, tcp_enter_loss). What RACK marks lost is resent,
// in sequence order, as the congestion window allows; during fast recovery that window follows
// Proportional Rate Reduction (RFC 6937): the sending rate falls to ssthresh in proportion to
// what the ACKs show delivered, instead of stopping for half a round trip (RFC 6675) or
// bursting. A timeout marks everything not SACKed lost and resends it from a one-segment window.
#include <algorithm>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

void TcpEndpoint::enter_rack_recovery(SimTime now) {
    // Linux tcp_enter_recovery / tcp_init_cwnd_reduction.
    TcpTransferState& x = *x_;
    x.prior_cwnd = x.cc->cwnd();
    undo_start(x.cc->cwnd(), current_ssthresh());
    x.cc->on_congestion_event(static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data())), now);
    if (c_->prr) x.cc->set_cwnd(x.prior_cwnd);  // PRR brings it down as ACKs come (prr_reduce)
    x.recovery = RecoveryState::fast;
    x.recover = snd_max_;
    x.prr_delivered = x.prr_out = 0;
    ++x.counters.fast_recoveries;
    if (x.rack.reo_wnd_persist > 0) --x.rack.reo_wnd_persist;
}

void TcpEndpoint::prr_reduce(uint64_t delivered, bool newly_lost, bool una_advanced) {
    // RFC 6937 3, counted in segments as Linux's tcp_cwnd_reduction does (its rounding up then
    // lets a segment go where byte counts would hold back fractions of one).
    TcpTransferState& x = *x_;
    if (!c_->prr || delivered == 0 || x.prior_cwnd == 0) return;
    const uint64_t mss = std::max<uint32_t>(eff_mss_, 1);
    auto segs = [mss](uint64_t bytes) { return static_cast<int64_t>((bytes + mss - 1) / mss); };
    x.prr_delivered += delivered;
    uint64_t in_flight = rack_in_flight();
    int64_t ssthresh = static_cast<int64_t>(x.cc->ssthresh() / mss);
    int64_t prior_cwnd = std::max<int64_t>(static_cast<int64_t>(x.prior_cwnd / mss), 1);
    int64_t prr_delivered = segs(x.prr_delivered), prr_out = segs(x.prr_out);
    int64_t delta = ssthresh - segs(in_flight);
    int64_t sndcnt;
    if (delta < 0) {
        // Proportional: ssthresh/RecoverFS of what was delivered, rounded up.
        sndcnt = (ssthresh * prr_delivered + prior_cwnd - 1) / prior_cwnd - prr_out;
    } else {
        // Slow-start reduction bound: catch up towards ssthresh, at most as fast as slow start.
        sndcnt = std::max(prr_delivered - prr_out, segs(delivered));
        if (una_advanced && !newly_lost) ++sndcnt;
        sndcnt = std::min(delta, sndcnt);
    }
    // The first ACK of the recovery always lets the fast retransmission go.
    sndcnt = std::max<int64_t>(sndcnt, prr_out ? 0 : 1);
    x.cc->set_cwnd(in_flight + static_cast<uint64_t>(std::max<int64_t>(sndcnt, 0)) * mss);
}

void TcpEndpoint::rack_send(SimTime now) {
    // Linux tcp_xmit_retransmit_queue, then new data as the window allows.
    TcpTransferState& x = xfer();
    if (x.sent && x.sent->lost_bytes() > 0) {
        int64_t wnd_end = snd_una_data() + static_cast<int64_t>(snd_wnd_);
        for (size_t i = 0; i < x.sent->size(); ++i) {
            const SentQueue::Segment& s = x.sent->begin()[i];
            if (!s.has(SentQueue::kLost) || s.has(SentQueue::kRetrans | SentQueue::kSacked)) continue;
            if (rack_in_flight() + s.len() > x.cc->cwnd() || s.begin >= wnd_end) break;
            retransmit(s.begin, static_cast<uint32_t>(s.len()), now);
        }
    }
    try_send(now);
}

void TcpEndpoint::rack_on_ack(bool una_advanced, uint64_t newly_sacked, bool dsack, int64_t prior_fack,
                              uint64_t flight_before, SimTime now) {
    TcpTransferState& x = *x_;
    const SentQueue::Delivered& d = x.delivered;
    // The common case, an ACK of in-order data with nothing SACKed, lost or probed: RACK follows
    // it and cwnd grows; nothing to detect (Linux's tcp_ack is not "dubious" then either).
    if (una_advanced && newly_sacked == 0 && !dsack && x.recovery == RecoveryState::open && x.tlp_high < 0 &&
        x.sent->sacked_segments() == 0 && x.sent->lost_segments() == 0) {
        rack_update(prior_fack, now);
        x.rack.advanced = false;
        if (d.bytes > 0 && cwnd_limited()) x.cc->on_ack(d.bytes, flight_before, now, rtt_.srtt());
        return;
    }
    tlp_on_ack(una_advanced, dsack, now);
    rack_update(prior_fack, now);
    // Recovery ends once everything outstanding at its start is acknowledged; cwnd stays at
    // ssthresh (Linux tcp_end_cwnd_reduction). The slow start after a timeout ends there too.
    if (x.recovery == RecoveryState::fast && snd_una_ >= x.recover) {
        x.recovery = RecoveryState::open;
        if (c_->prr) x.cc->set_cwnd(x.cc->ssthresh());
    } else if (x.recovery == RecoveryState::rto && snd_una_ >= x.recover) {
        x.recovery = RecoveryState::open;
    }
    // Loss detection on an ACK that is not plain progress (Linux tcp_ack_is_dubious).
    uint32_t newly_lost = 0;
    bool dubious = !una_advanced || newly_sacked > 0 || dsack || x.recovery != RecoveryState::open ||
                   x.sent->sacked_segments() > 0;
    if (dubious) newly_lost = rack_mark_lost(now);
    if (x.recovery == RecoveryState::open && x.sent->lost_segments() > 0) enter_rack_recovery(now);
    if (x.recovery == RecoveryState::fast) {
        prr_reduce(d.bytes, newly_lost > 0, una_advanced);
        return;
    }
    // Outside a reduction cwnd grows with what was delivered (Linux counts SACKed segments as
    // delivered, tcp_may_raise_cwnd): on an ACK that advances, or, once reordering beyond
    // DupThresh has been seen, on any that delivers.
    bool progress = x.rack.reordering > c_->dupthresh ? d.bytes > 0 : una_advanced && d.bytes > 0;
    if (progress && cwnd_limited()) x.cc->on_ack(d.bytes, flight_before, now, rtt_.srtt());
}

void TcpEndpoint::rack_on_rto(SimTime now) {
    // Linux tcp_enter_loss / tcp_timeout_mark_lost: everything not SACKed is lost, the probe
    // with it; resend from SND.UNA as the (loss) window allows.
    TcpTransferState& x = *x_;
    for (SentQueue::Segment& s : *x.sent)
        if (!s.has(SentQueue::kSacked)) x.sent->mark_lost(s);
    x.tlp_high = -1;
    x.recovery = RecoveryState::rto;
    x.recover = snd_max_;
    x.dupacks = 0;
    uint64_t before = x.counters.bytes_retransmitted;
    rack_send(now);
    if (x.counters.bytes_retransmitted == before && x.sent->empty() && fin_sent() && !fin_acked())
        send_segment(written_, 0, true, now);  // only the FIN is outstanding
}

}  // namespace tcpsim
