// TcpEndpoint: loss detection and recovery. Duplicate ACKs and SACK blocks in, fast retransmit
// and fast recovery out: Reno (RFC 5681 3.2), NewReno partial ACKs (RFC 6582), SACK-based
// recovery with the scoreboard, pipe and NextSeg (RFC 6675), D-SACK and Eifel to count
// spurious retransmissions (RFC 2883, RFC 3522).
#include <algorithm>

#include "models/seq.hpp"
#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

uint64_t TcpEndpoint::take_sack_blocks(const Packet& seg, int64_t acked_to) {
    const TcpOptions& o = seg.options;
    uint64_t newly = 0;
    for (int i = 0; i < o.sack_count; ++i) {
        int64_t begin = offset_of(o.sack[i].left), end = offset_of(o.sack[i].right);
        if (end <= begin || end > snd_max_) continue;  // malformed, or beyond what was sent
        // RFC 2883 4: a first block below the cumulative ACK, or inside the second block,
        // reports a duplicate: if we retransmitted that data, the retransmission was spurious.
        bool dsack = i == 0 && (end <= acked_to || (o.sack_count > 1 && offset_of(o.sack[1].left) <= begin &&
                                                    end <= offset_of(o.sack[1].right)));
        if (dsack) {
            ++counters_.dsacks_received;
            if (!recent_rxt_) continue;  // nothing was ever retransmitted: a duplicate from the link
            for (auto& r : *recent_rxt_) {
                if (r.end > r.begin && r.begin <= begin && end <= r.end) {
                    ++counters_.spurious_retransmits;
                    r = Retransmitted{};
                    break;
                }
            }
            continue;
        }
        newly += scoreboard_.add(std::max(begin, acked_to), end);
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
    // Where the data sent ended before this run of duplicates: what limited transmit sends
    // after it does not count in the FlightSize that halves the window (RFC 5681 3.2 step 2).
    if (dupacks_++ == 0) before_dupacks_ = snd_max_data();
    if (recovery_ == RecoveryState::fast) {
        // RFC 5681 3.2 step 4 / RFC 6582: each further duplicate inflates cwnd by one segment
        // (with SACK, pipe accounts for what left the network instead).
        if (!sack_ok_) cc_->set_cwnd(cc_->cwnd() + eff_mss_);
        return;
    }
    // Enter recovery on DupThresh duplicates, or with SACK as soon as SND.UNA's segment counts
    // as lost (RFC 6675 5 (C)); not again before the previous recovery point is acknowledged
    // (RFC 6582 3.2 step 1, RFC 6675 5.1), except for plain Reno, which has no such point.
    bool lost = dupacks_ >= c_.dupthresh ||
                (sack_ok_ && scoreboard_.lost_boundary(snd_una_, static_cast<uint64_t>(c_.dupthresh - 1) * eff_mss_) >
                                 snd_una_);
    bool allowed = recovery_ == RecoveryState::open && (!cc_->partial_ack_recovery() || snd_una_ >= recover_);
    if (lost && allowed) enter_fast_recovery(now);
}

void TcpEndpoint::enter_fast_recovery(SimTime now) {
    // Only on_duplicate_ack() calls this, so before_dupacks_ is this run's.
    int64_t sent_end = std::min(before_dupacks_, snd_max_data());
    uint64_t flight = static_cast<uint64_t>(std::max<int64_t>(0, sent_end - snd_una_data()));
    cc_->on_congestion_event(flight, now);  // RFC 5681 3.2 step 2 (ssthresh; cwnd per algorithm)
    recovery_ = RecoveryState::fast;
    recover_ = snd_max_;
    high_rxt_ = snd_una_;
    rescue_rxt_ = -1;
    partial_ack_seen_ = false;
    ++counters_.fast_recoveries;
    // RFC 5681 3.2 step 3 / RFC 6675 (4.3): retransmit the first unacknowledged segment.
    auto hole = scoreboard_.next_hole(snd_una_, snd_max_data());
    uint32_t len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, hole.end - hole.begin));
    retransmit(snd_una_, len, now);
    high_rxt_ = snd_una_ + len;
    if (sack_ok_) {
        sack_recovery_send(now);
    } else {
        cc_->set_cwnd(cc_->ssthresh() + static_cast<uint64_t>(c_.dupthresh) * eff_mss_);  // inflate
    }
}

bool TcpEndpoint::on_new_ack(uint64_t acked_bytes, uint64_t flight_before, SimTime now) {
    dupacks_ = 0;
    bool restart_timer = true;
    switch (recovery_) {
        case RecoveryState::open:
            if (acked_bytes) cc_->on_ack(acked_bytes, flight_before, now, rtt_.srtt());
            break;
        case RecoveryState::rto:
            if (snd_una_ >= recover_) recovery_ = RecoveryState::open;
            if (acked_bytes) cc_->on_ack(acked_bytes, flight_before, now, rtt_.srtt());
            break;
        case RecoveryState::fast: {
            uint64_t flight = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
            if (snd_una_ >= recover_ || !cc_->partial_ack_recovery()) {
                // Full ACK (RFC 6582 3.2 step 3), or Reno's first new ACK: deflate, and done.
                recovery_ = RecoveryState::open;
                cc_->on_recovery_exit(flight, now);
                break;
            }
            if (sack_ok_) break;  // RFC 6675: the scoreboard and NextSeg handle partial ACKs
            // RFC 6582 3.2 step 4, partial ACK: retransmit the next hole, deflate cwnd by what
            // was acknowledged (adding back one SMSS if that was at least one), and restart the
            // timer only on the first (the "impatient" variant).
            uint32_t len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, snd_max_data() - snd_una_));
            retransmit(snd_una_, len, now);
            uint64_t w = cc_->cwnd() > acked_bytes ? cc_->cwnd() - acked_bytes : 0;
            if (acked_bytes >= eff_mss_) w += eff_mss_;
            cc_->set_cwnd(w);
            restart_timer = !partial_ack_seen_;
            partial_ack_seen_ = true;
            break;
        }
    }
    return restart_timer;
}

void TcpEndpoint::on_ecn_echo(SimTime now) {
    // RFC 3168 6.1.2: react to ECE as to a loss (without retransmitting), at most once per
    // window of data, and not during loss recovery, which has already reduced cwnd.
    if (recovery_ != RecoveryState::open || snd_una_ < ecn_recover_) return;
    cc_->on_congestion_event(static_cast<uint64_t>(snd_max_data() - snd_una_data()), now);
    ecn_recover_ = snd_max_;
    cwr_pending_ = true;
    ++counters_.ecn_reductions;
}

uint64_t TcpEndpoint::pipe() const {
    // RFC 6675 SetPipe, by ranges: unSACKed bytes not deemed lost count once, unSACKed bytes
    // retransmitted count once more.
    int64_t una = snd_una_data(), top = snd_max_data();
    if (top <= una) return 0;
    int64_t lost = scoreboard_.lost_boundary(una, static_cast<uint64_t>(c_.dupthresh - 1) * eff_mss_);
    int64_t from = std::max(una, lost);
    uint64_t n = from < top ? static_cast<uint64_t>(top - from) - scoreboard_.sacked_in(from, top) : 0;
    int64_t rxt = std::min(high_rxt_, top);
    if (recovery_ != RecoveryState::open && rxt > una) n += static_cast<uint64_t>(rxt - una) - scoreboard_.sacked_in(una, rxt);
    return n;
}

bool TcpEndpoint::next_seg(int64_t& offset, uint32_t& len, bool& retransmission) {
    int64_t una = snd_una_data(), top = snd_max_data();
    int64_t lost = scoreboard_.lost_boundary(una, static_cast<uint64_t>(c_.dupthresh - 1) * eff_mss_);
    int64_t from = std::max(high_rxt_, una);
    // (1) the first unSACKed byte above HighRxt that is lost.
    auto hole = scoreboard_.next_hole(from, top);
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
    hole = scoreboard_.next_hole(from, std::min(top, scoreboard_.highest()));
    if (hole.begin < hole.end) {
        offset = hole.begin;
        len = static_cast<uint32_t>(std::min<int64_t>(eff_mss_, hole.end - hole.begin));
        retransmission = true;
        return true;
    }
    // (4) rescue retransmission: once per recovery, the segment holding the highest unSACKed
    // byte, so that a lost tail does not wait for the timer.
    if (rescue_rxt_ < snd_una_ && top > una) {
        int64_t last = top;  // one past the highest unSACKed byte
        for (auto it = scoreboard_.ranges().rbegin(); it != scoreboard_.ranges().rend(); ++it)
            if (it->end == last) last = it->begin;
        if (last > una && last > high_rxt_) {  // not if that byte was already retransmitted
            offset = std::max(una, last - static_cast<int64_t>(eff_mss_));
            len = static_cast<uint32_t>(last - offset);
            rescue_rxt_ = recover_;
            retransmission = false;  // HighRxt is not moved by a rescue (RFC 6675 (4))
            return true;
        }
    }
    return false;
}

void TcpEndpoint::sack_recovery_send(SimTime now) {
    // RFC 6675 5 (C): while cwnd - pipe >= 1 SMSS, send what NextSeg names.
    for (int guard = 0; guard < 100000; ++guard) {
        uint64_t p = pipe();
        if (cc_->cwnd() < p + eff_mss_) return;
        int64_t offset = 0;
        uint32_t len = 0;
        bool rxt = false;
        if (!next_seg(offset, len, rxt)) return;
        if (offset < snd_max_data()) {
            retransmit(offset, len, now);
            if (rxt) high_rxt_ = std::max(high_rxt_, offset + len);
        } else {
            bool fin = fin_queued_ && offset + len == written_;
            send_segment(offset, len, fin, now);
            snd_nxt_ = offset + len + (fin ? 1 : 0);
        }
    }
}

void TcpEndpoint::retransmit(int64_t offset, uint32_t len, SimTime now) {
    // The FIN goes along when the segment ends the data and the FIN was sent before.
    bool fin = fin_queued_ && offset + len == written_ && snd_max_ > written_;
    if (recovery_ == RecoveryState::fast) ++counters_.fast_retransmits;
    send_segment(offset, len, fin, now);
}

void TcpEndpoint::remember_retransmission(int64_t offset, uint32_t len) {
    if (!recent_rxt_) recent_rxt_ = std::make_unique<std::array<Retransmitted, 16>>();
    (*recent_rxt_)[recent_rxt_next_] = Retransmitted{offset, offset + len};
    recent_rxt_next_ = (recent_rxt_next_ + 1) % recent_rxt_->size();
}

CcSample TcpEndpoint::cc_sample() const {
    CcSample s;
    s.cwnd = cc_->cwnd();
    s.ssthresh = cc_->ssthresh();
    s.flight = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
    s.bytes_acked = static_cast<uint64_t>(snd_una_data());
    s.srtt = rtt_.srtt();
    s.rttvar = rtt_.rttvar();
    s.rto = rtt_.rto();
    s.recovery = recovery_;
    return s;
}

void TcpEndpoint::report_congestion() {
    CcSample s = cc_sample();
    counters_.max_cwnd = std::max(counters_.max_cwnd, s.cwnd);
    if (s.cwnd == reported_.cwnd && s.ssthresh == reported_.ssthresh && s.recovery == reported_.recovery &&
        s.srtt == reported_.srtt && s.rto == reported_.rto)
        return;
    reported_ = s;
    out_.congestion_changed(s);
}

}  // namespace tcpsim
