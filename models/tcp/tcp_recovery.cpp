// TcpEndpoint: loss detection and recovery. Duplicate ACKs and SACK blocks in, fast retransmit
// and fast recovery out: Reno (RFC 5681 3.2), NewReno partial ACKs (RFC 6582), SACK-based
// recovery with the scoreboard, pipe and NextSeg (RFC 6675), D-SACK and Eifel to count
// spurious retransmissions (RFC 2883, RFC 3522).
#include <algorithm>

#include "models/network/seq.hpp"
#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

uint64_t TcpEndpoint::take_sack_blocks(const Packet& seg, int64_t acked_to) {
    TcpTransferState& x = xfer();
    const TcpOptions& o = seg.options;
    uint64_t newly = 0;
    const int64_t fack = x.sent ? x.sent->highest_sacked() : 0;  // before this ACK (reordering)
    for (int i = 0; i < o.sack_count; ++i) {
        int64_t begin = offset_of(o.sack[i].left), end = offset_of(o.sack[i].right);
        if (end <= begin || end > snd_max_) continue;  // malformed, or beyond what was sent
        // RFC 2883 4: a first block below the cumulative ACK, or inside the second block,
        // reports a duplicate: if we retransmitted that data, the retransmission was spurious.
        bool dsack = i == 0 && (end <= acked_to || (o.sack_count > 1 && offset_of(o.sack[1].left) <= begin &&
                                                    end <= offset_of(o.sack[1].right)));
        if (dsack) {
            ++x.counters.dsacks_received;
            dsack_in_ack_ = true;
            x.rack.dsack_seen = true;
            undo_on_dsack(begin, end);
            // Not retransmitted (or already accounted for): a duplicate made by the network.
            if (x.rxt_log) x.counters.spurious_retransmits += x.rxt_log->take_duplicated(begin, end);
            continue;
        }
        newly += x.scoreboard.add(std::max(begin, acked_to), end);
        if (x.sent) x.sent->sacked(std::max(begin, acked_to), end, fack, x.delivered);
    }
    return newly;
}

bool TcpEndpoint::is_duplicate_ack(const Packet& seg, int64_t acked_to, uint64_t newly_sacked) const {
    // RFC 5681 2 (a)-(e): data outstanding, no data or SYN/FIN carried, the same ACK number and
    // the same window. With SACK, RFC 6675 2: an ACK that SACKs data not SACKed before.
    if (acked_to != snd_una_ || snd_max_data() <= snd_una_data()) return false;
    if (seg.payload_len || (seg.flags & (kSyn | kFin))) return false;
    if (sack_ok_) return newly_sacked > 0;
    return (static_cast<uint64_t>(seg.window) << snd_wscale_) == snd_wnd_;
}

void TcpEndpoint::on_duplicate_ack(SimTime now) {
    TcpTransferState& x = xfer();
    // Where the data sent ended before this run of duplicates: what limited transmit sends
    // after it does not count in the FlightSize that halves the window (RFC 5681 3.2 step 2).
    if (x.dupacks++ == 0) x.before_dupacks = snd_max_data();
    if (x.recovery == RecoveryState::fast) {
        // RFC 5681 3.2 step 4 / RFC 6582: each further duplicate inflates cwnd by one segment
        // (with SACK, pipe accounts for what left the network instead).
        if (!sack_ok_) x.cc->set_cwnd(x.cc->cwnd() + eff_mss_);
        return;
    }
    // Enter recovery on DupThresh duplicates, or with SACK as soon as SND.UNA's segment counts
    // as lost (RFC 6675 5 (C)); not again before the previous recovery point is acknowledged
    // (RFC 6582 3.2 step 1, RFC 6675 5.1), except for plain Reno, which has no such point.
    bool lost = x.dupacks >= c_->dupthresh ||
                (sack_ok_ && x.scoreboard.lost_boundary(snd_una_, static_cast<uint64_t>(c_->dupthresh - 1) * eff_mss_) >
                                 snd_una_);
    // Without SACK the ACK must go past the recovery point, not just reach it (x.recover is one
    // past the highest byte sent then): after a timeout, go-back-N resends segments the receiver
    // already holds, and their duplicate ACKs sit exactly at the point; they show no new loss
    // (RFC 6582 4, 3.2 step 1; Linux's tcp_is_non_sack_preventing_reopen holds Reno's state
    // until something above high_seq is acknowledged). With SACK, those duplicates SACK nothing new.
    bool past_recover = sack_ok_ ? snd_una_ >= x.recover : snd_una_ > x.recover;
    bool allowed = x.recovery == RecoveryState::open && (!x.cc->partial_ack_recovery() || past_recover);
    if (lost && allowed) enter_fast_recovery(now);
}

void TcpEndpoint::enter_fast_recovery(SimTime now) {
    TcpTransferState& x = xfer();
    // Only on_duplicate_ack() calls this, so x.before_dupacks is this run's.
    int64_t sent_end = std::min(x.before_dupacks, snd_max_data());
    uint64_t flight = static_cast<uint64_t>(std::max<int64_t>(0, sent_end - snd_una_data()));
    undo_start(x.cc->cwnd(), current_ssthresh());
    x.cc->on_congestion_event(flight, now);  // RFC 5681 3.2 step 2 (ssthresh; cwnd per algorithm)
    x.recovery = RecoveryState::fast;
    x.recover = snd_max_;
    x.high_rxt = snd_una_;
    x.rescue_rxt = -1;
    ++x.counters.fast_recoveries;
    // RFC 5681 3.2 step 3 / RFC 6675 (4.3): retransmit the first unacknowledged segment.
    auto hole = x.scoreboard.next_hole(snd_una_, snd_max_data());
    uint32_t len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, hole.end - hole.begin));
    retransmit(snd_una_, len, now);
    x.high_rxt = snd_una_ + len;
    if (sack_ok_) {
        sack_recovery_send(now);
    } else {
        x.cc->set_cwnd(x.cc->ssthresh() + static_cast<uint64_t>(c_->dupthresh) * eff_mss_);  // inflate
    }
}

void TcpEndpoint::on_new_ack(uint64_t acked_bytes, uint64_t flight_before, SimTime now) {
    // The ACK of a SYN or of a lone FIN before any data: recovery is open, no duplicate ACK was
    // counted and the congestion control has nothing to hear.
    if (!x_ && acked_bytes == 0) return;
    TcpTransferState& x = xfer();
    // Linux without SACK counts each duplicate ACK as a segment delivered (tcp_add_reno_sack),
    // so the ACK that ends the run counts what it acknowledges beyond them, at least one segment
    // (tcp_remove_reno_sacks): cwnd grows by what arrived, once.
    if (c_->abc_limit == 0 && !sack_ok_ && x.recovery == RecoveryState::open && x.dupacks > 0 && acked_bytes > eff_mss_)
        acked_bytes = std::max<uint64_t>(acked_bytes - std::min<uint64_t>(acked_bytes, uint64_t{x.dupacks} * eff_mss_), eff_mss_);
    x.dupacks = 0;
    switch (x.recovery) {
        case RecoveryState::open:
            if (acked_bytes && cwnd_limited()) x.cc->on_ack(acked_bytes, flight_before, now, rtt_.srtt());
            break;
        case RecoveryState::rto:
            if (snd_una_ >= x.recover) x.recovery = RecoveryState::open;
            if (acked_bytes && cwnd_limited()) x.cc->on_ack(acked_bytes, flight_before, now, rtt_.srtt());
            break;
        case RecoveryState::fast: {
            uint64_t flight = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
            if (snd_una_ >= x.recover || !x.cc->partial_ack_recovery()) {
                // Full ACK (RFC 6582 3.2 step 3), or Reno's first new ACK: deflate, and done.
                x.recovery = RecoveryState::open;
                if (!sack_ok_) x.cc->on_recovery_exit(flight, now);
                break;
            }
            if (sack_ok_) break;  // RFC 6675: the scoreboard and NextSeg handle partial ACKs
            // RFC 6582 3.2 step 4, partial ACK: retransmit the next hole and deflate cwnd by what
            // was acknowledged (adding back one SMSS if that was at least one). The caller
            // restarts the timer on every partial ACK: the "slow-but-steady" variant of RFC 3782
            // 4, as Linux re-arms the RTO on every ACK that advances SND.UNA. RFC 6582's
            // "impatient" restart on the first one only let the timer expire in the middle of a
            // recovery from many losses, one hole per round trip, and go-back-N then resent what
            // the receiver held (benchmark case A without SACK: 611 retransmissions for 208 drops).
            uint32_t len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, snd_max_data() - snd_una_));
            retransmit(snd_una_, len, now);
            uint64_t w = x.cc->cwnd() > acked_bytes ? x.cc->cwnd() - acked_bytes : 0;
            if (acked_bytes >= eff_mss_) w += eff_mss_;
            x.cc->set_cwnd(w);
            break;
        }
    }
}

void TcpEndpoint::on_ecn_echo(SimTime now) {
    TcpTransferState& x = xfer();
    // RFC 3168 6.1.2: react to ECE as to a loss (without retransmitting), at most once per
    // window of data, and not during loss recovery, which has already reduced cwnd.
    if (x.recovery != RecoveryState::open || snd_una_ < x.ecn_recover) return;
    x.cc->on_congestion_event(static_cast<uint64_t>(snd_max_data() - snd_una_data()), now);
    x.ecn_recover = snd_max_;
    x.cwr_pending = true;
    ++x.counters.ecn_reductions;
}

uint64_t TcpEndpoint::pipe() const {
    // RFC 6675 SetPipe, by ranges: unSACKed bytes not deemed lost count once, unSACKed bytes
    // retransmitted count once more.
    int64_t una = snd_una_data(), top = snd_max_data();
    if (top <= una) return 0;
    const SackScoreboard& scoreboard = this->scoreboard();
    int64_t lost = scoreboard.lost_boundary(una, static_cast<uint64_t>(c_->dupthresh - 1) * eff_mss_);
    int64_t from = std::max(una, lost);
    uint64_t n = from < top ? static_cast<uint64_t>(top - from) - scoreboard.sacked_in(from, top) : 0;
    int64_t rxt = std::min(x_ ? x_->high_rxt : 0, top);
    if (recovery() != RecoveryState::open && rxt > una) n += static_cast<uint64_t>(rxt - una) - scoreboard.sacked_in(una, rxt);
    return n;
}

bool TcpEndpoint::next_seg(int64_t& offset, uint32_t& len, bool& retransmission) {
    TcpTransferState& x = xfer();
    int64_t una = snd_una_data(), top = snd_max_data();
    int64_t lost = x.scoreboard.lost_boundary(una, static_cast<uint64_t>(c_->dupthresh - 1) * eff_mss_);
    int64_t from = std::max(x.high_rxt, una);
    // (1) the first unSACKed byte above HighRxt that is lost.
    auto hole = x.scoreboard.next_hole(from, top);
    if (hole.begin < lost) {
        offset = hole.begin;
        len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, hole.end - hole.begin));
        retransmission = true;
        return true;
    }
    // (2) new data, if the receiver's window allows it.
    if (snd_nxt_ >= snd_max_ && snd_nxt_ < written_) {
        int64_t wnd_end = snd_una_ + static_cast<int64_t>(snd_wnd_);
        int64_t n = std::min<int64_t>({eff_mss_, written_ - snd_nxt_, wnd_end - snd_nxt_});
        if (n > 0 && (n == eff_mss_ || n == written_ - snd_nxt_)) {
            offset = snd_nxt_;
            len = static_cast<uint32_t>(n);
            retransmission = false;
            return true;
        }
    }
    // (3) an unSACKed byte above HighRxt below the highest SACKed one, lost or not.
    hole = x.scoreboard.next_hole(from, std::min(top, x.scoreboard.highest()));
    if (hole.begin < hole.end) {
        offset = hole.begin;
        len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, hole.end - hole.begin));
        retransmission = true;
        return true;
    }
    // (4) rescue retransmission: once per recovery, the segment holding the highest unSACKed
    // byte, so that a lost tail does not wait for the timer.
    if (x.rescue_rxt < snd_una_ && top > una) {
        int64_t last = top;  // one past the highest unSACKed byte
        for (auto it = x.scoreboard.ranges().rbegin(); it != x.scoreboard.ranges().rend(); ++it)
            if (it->end == last) last = it->begin;
        if (last > una && last > x.high_rxt) {  // not if that byte was already retransmitted
            offset = std::max(una, last - static_cast<int64_t>(eff_mss_));
            len = static_cast<uint32_t>(last - offset);
            x.rescue_rxt = x.recover;
            retransmission = false;  // HighRxt is not moved by a rescue (RFC 6675 (4))
            return true;
        }
    }
    return false;
}

void TcpEndpoint::sack_recovery_send(SimTime now) {
    TcpTransferState& x = xfer();
    // RFC 6675 5 (C): while cwnd - pipe >= 1 SMSS, send what NextSeg names.
    for (int guard = 0; guard < 100000; ++guard) {
        uint64_t p = pipe();
        if (x.cc->cwnd() < p + eff_mss_) return;
        int64_t offset = 0;
        uint32_t len = 0;
        bool rxt = false;
        if (!next_seg(offset, len, rxt)) return;
        if (offset < snd_max_data()) {
            retransmit(offset, len, now);
            if (rxt) x.high_rxt = std::max(x.high_rxt, offset + len);
        } else {
            bool fin = fin_queued_ && offset + len == written_;
            send_segment(offset, len, fin, now);
            snd_nxt_ = offset + len + (fin ? 1 : 0);
        }
    }
}

void TcpEndpoint::retransmit(int64_t offset, uint32_t len, SimTime now) {
    TcpTransferState& x = xfer();
    // The FIN goes along when the segment ends the data and the FIN was sent before.
    bool fin = fin_queued_ && offset + len == written_ && snd_max_ > written_;
    if (x.recovery == RecoveryState::fast) ++x.counters.fast_retransmits;
    send_segment(offset, len, fin, now);
}

void TcpEndpoint::remember_retransmission(int64_t offset, uint32_t len, SimTime now) {
    TcpTransferState& x = xfer();
    if (!x.rxt_log) x.rxt_log = std::make_unique<RetransmissionLog>();
    // A retransmission can be D-SACKed as long as another copy of its bytes may still reach the
    // receiver: at most about an RTO after either copy left (the timer's whole point is that an
    // ACK should have come by then). Entries acknowledged and older than four RTOs (at least
    // 4 s) are forgotten; the log holds a few round trips of retransmissions.
    SimTime horizon = std::max(SimTime::from_s(4), rtt_.rto().sat_mul(4));
    if (now > horizon) x.rxt_log->forget(snd_una_, now - horizon);
    x.rxt_log->record(offset, offset + len, now);
}

CcSample TcpEndpoint::cc_sample() const {
    CcSample s;
    s.cwnd = cwnd();
    s.ssthresh = ssthresh();
    s.flight = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
    s.bytes_acked = static_cast<uint64_t>(snd_una_data());
    s.srtt = rtt_.srtt();
    s.rttvar = rtt_.rttvar();
    s.rto = rtt_.rto();
    s.recovery = recovery();
    return s;
}

void TcpEndpoint::report_congestion() {
    // Called after every input: compare what the sample would say before making it, since on
    // most segments nothing changed.
    uint64_t cwnd = this->cwnd();
    max_cwnd_ = std::max(max_cwnd_, cwnd);
    if (!congestion_reports_) return;
    if (cwnd == reported_.cwnd && ssthresh() == reported_.ssthresh && recovery() == reported_recovery_ &&
        rtt_.srtt() == reported_.srtt && rtt_.rto() == reported_.rto)
        return;
    CcSample s = cc_sample();
    reported_ = Reported{s.cwnd, s.ssthresh, s.srtt, s.rto};
    reported_recovery_ = s.recovery;
    out_.congestion_changed(s);
}

}  // namespace tcpsim
