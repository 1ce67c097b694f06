// TcpEndpoint: SEGMENT ARRIVES, in the order of RFC 9293 3.10.7.
#include <algorithm>

#include "models/network/seq.hpp"
#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

void TcpEndpoint::on_segment(const Packet& seg, SimTime now) {
    ++segments_received_;
    // Keepalive: any segment from the peer shows it is alive (RFC 1122 4.2.3.6).
    last_received_ = now;
    probes_out_ = 0;
    if (ecn_ok_) {
        // RFC 3168 6.1.3: echo a CE mark with ECE on every ACK until the sender's CWR.
        if (seg.flags & kCwr) ece_pending_ = false;
        if (seg.ecn == kEcnCe) ece_pending_ = true;
    }
    switch (state_) {
        case TcpState::CLOSED: break;  // the stack answers for closed ports
        case TcpState::LISTEN: input_listen(seg, now); break;
        case TcpState::SYN_SENT: input_syn_sent(seg, now); break;
        default: input_synchronized(seg, now); break;
    }
    if (state_ != TcpState::CLOSED) report_congestion();
    check_invariants();
}

void TcpEndpoint::take_syn_options(const Packet& seg) {
    const TcpOptions& o = seg.options;
    irs_known_ = true;
    peer_mss_ = o.mss ? o.mss : 536;  // RFC 9293 3.7.1: 536 when no MSS option
    // Each option is in use only if both ends asked for it (RFC 7323 2.2, 3.2; RFC 2018 2).
    wscale_ok_ = c_->window_scaling && o.wscale >= 0;
    snd_wscale_ = wscale_ok_ ? std::min<int>(o.wscale, 14) : 0;
    if (!wscale_ok_) rcv_wscale_ = 0;
    sack_ok_ = c_->sack && o.sack_permitted;
    ts_ok_ = c_->timestamps && o.has_timestamps;
    // The payload of a full segment: the smaller MSS, less the timestamp option that every
    // segment will carry (as Linux: 1460 - 12 = 1448).
    eff_mss_ = std::min(c_->mss, peer_mss_) - (ts_ok_ ? 12u : 0u);
    if (x_) x_->cc->init(eff_mss_, c_->initial_cwnd_segments, c_->abc_limit);  // else xfer() will
    if (ts_ok_) ts_recent_ = o.ts_val;
}

void TcpEndpoint::take_timestamp(const Packet& seg) {
    // RFC 7323 4.3 (2): SEG.TSval becomes TS.Recent when SEG.TSval >= TS.Recent and SEG.SEQ <=
    // Last.ACK.sent (Linux: !after(seq, rcv_wup)). Last.ACK.sent, not RCV.NXT: while an ACK is
    // delayed the echo stays that of the earliest unacknowledged segment (rule (1)), and a
    // segment above a hole does not move it (rule (B)).
    if (!ts_ok_ || !seg.options.has_timestamps) return;
    if (seq_le(seg.seq, last_ack_sent_) && seq_ge(seg.options.ts_val, ts_recent_)) ts_recent_ = seg.options.ts_val;
}

void TcpEndpoint::input_listen(const Packet& seg, SimTime now) {
    if (seg.flags & kRst) return;
    if (seg.flags & kAck) {
        send_rst(seg.ack, 0, false);  // <SEQ=SEG.ACK><CTL=RST>
        return;
    }
    if (!(seg.flags & kSyn)) return;
    irs_ = seg.seq;
    take_syn_options(seg);
    ecn_ok_ = c_->ecn && (seg.flags & kEce) && (seg.flags & kCwr);  // RFC 3168 6.1.1: an ECN-setup SYN
    snd_wnd_ = max_snd_wnd_ = seg.window;  // never scaled in a SYN (RFC 7323 2.2)
    snd_wl1_ = seg.seq;
    snd_wl2_ = iss_;
    send_syn(true, now);
    snd_nxt_ = snd_max_ = 0;
    timing_ = !ts_ok_;
    timed_offset_ = -1;
    timed_at_ = now;
    arm_retransmit(now);
    set_state(TcpState::SYN_RECEIVED, "SYN received");
}

void TcpEndpoint::on_established(SimTime now, std::string_view reason) {
    set_state(TcpState::ESTABLISHED, reason);
    if (snd_una_ >= snd_max_) {
        out_.cancel_timer(TcpTimer::retransmit);
        retransmit_armed_ = false;
    }
    arm_keepalive(now);
    out_.connected();
    if (state_ != TcpState::ESTABLISHED) return;  // the application closed or aborted at once
    if (fin_queued_) {
        set_state(TcpState::FIN_WAIT_1, "close (queued before the connection was established)");
    }
    try_send(now);
}

void TcpEndpoint::input_syn_sent(const Packet& seg, SimTime now) {
    bool has_ack = seg.flags & kAck;
    if (has_ack && (seq_le(seg.ack, iss_) || seq_gt(seg.ack, seq_of(snd_max_)))) {
        if (!(seg.flags & kRst)) send_rst(seg.ack, 0, false);
        return;
    }
    if (seg.flags & kRst) {
        if (has_ack) finish(CloseReason::refused, "RST in answer to SYN");
        return;
    }
    if (!(seg.flags & kSyn)) return;
    irs_ = seg.seq;
    take_syn_options(seg);
    snd_wnd_ = max_snd_wnd_ = seg.window;
    snd_wl1_ = seg.seq;
    snd_wl2_ = seg.ack;
    if (has_ack) {
        // SYN-ACK: our SYN is acknowledged; ECE without CWR agrees to ECN (RFC 3168 6.1.1).
        ecn_ok_ = c_->ecn && (seg.flags & kEce) && !(seg.flags & kCwr);
        snd_una_ = offset_of(seg.ack);
        if (ts_ok_ && seg.options.ts_ecr) {
            rtt_from_echo(seg.options.ts_ecr, now);
        } else if (timing_) {
            rtt_sample(now - timed_at_);
        }
        timing_ = false;
        send_ack(now);
        on_established(now, "SYN-ACK received");
        return;
    }
    // Simultaneous open (RFC 9293 3.5, figure 7): both sent SYNs; answer with SYN-ACK.
    timing_ = false;
    send_syn(true, now);
    arm_retransmit(now);
    set_state(TcpState::SYN_RECEIVED, "simultaneous open: SYN received");
}

void TcpEndpoint::rtt_from_echo(uint32_t ts_ecr, SimTime now) {
    int32_t ticks = static_cast<int32_t>(ts_now(now) - ts_ecr);
    if (ticks >= 0) rtt_sample(SimTime::from_ns(static_cast<int64_t>(ticks) * c_->timestamp_tick.ns()));
}

void TcpEndpoint::rtt_sample(SimTime r) {
    rtt_.sample(r);
    if (x_ && (x_->rack.min_rtt == SimTime::zero() || r < x_->rack.min_rtt)) x_->rack.min_rtt = r;
    if (x_) x_->last_rtt_sample = r;
    rtt_sum_ = rtt_sum_.sat_add(r);
}

bool TcpEndpoint::acceptable(const Packet& seg) const {
    // RFC 9293 3.10.7.4, first check: the four cases of segment length and receive window.
    uint32_t len = seg.seq_len();
    uint64_t wnd = rcv_wnd();
    uint32_t nxt = rcv_nxt();
    auto in_window = [&](uint32_t s) {
        return seq_le(nxt, s) && seq_lt(s, nxt + static_cast<uint32_t>(std::min<uint64_t>(wnd, 0x7fffffff)));
    };
    if (len == 0) return wnd == 0 ? seg.seq == nxt : in_window(seg.seq);
    if (wnd == 0) return false;
    return in_window(seg.seq) || in_window(seg.seq + len - 1);
}

bool TcpEndpoint::predicted_data(const Packet& seg) const {
    // Header prediction (Van Jacobson's; Linux's tcp_rcv_established fast path): the next
    // in-order data segment, only ACK (and PSH) set, no SACK blocks, acknowledging nothing new
    // while nothing of ours is outstanding (and no RACK state), in an open window, with no FIN
    // seen. Each check of the general path passes for it and most of its steps do nothing.
    return state_ == TcpState::ESTABLISHED && (seg.flags & ~kPsh) == kAck && seg.payload_len != 0 &&
           seg.options.sack_count == 0 && seg.seq == rcv_nxt() && !have_fin_offset_ && snd_una_ >= snd_max_ &&
           offset_of(seg.ack) == snd_una_ && !(rack_on() && x_ && x_->sent) && rcv_wnd() > 0;
}

void TcpEndpoint::input_predicted_data(const Packet& seg, SimTime now) {
    // What input_synchronized does for such a segment, in its order: TS.Recent, the window
    // update (process_ack's idle ACK), the data, the ACK.
    take_timestamp(seg);
    dsack_in_ack_ = false;
    window_update_and_send(seg, false, now);
    if (state_ == TcpState::CLOSED) return;
    process_data(seg, now);
    if (state_ == TcpState::CLOSED) {
        hold_ack_ = ack_held_ = false;
        return;
    }
    release_held_ack(now);
}

void TcpEndpoint::input_synchronized(const Packet& seg, SimTime now) {
    if (predicted_data(seg)) {
        input_predicted_data(seg, now);
        return;
    }
    // A retransmitted SYN while our SYN-ACK is outstanding: our SYN-ACK was lost; send it again,
    // echoing the retransmission's TSval (RFC 7323 4.3 (2): SEG.SEQ = IRS <= Last.ACK.sent), so
    // that the peer's RTT sample is one round trip and not its SYN timeout as well.
    if (state_ == TcpState::SYN_RECEIVED && (seg.flags & kSyn) && !(seg.flags & kAck) && seg.seq == irs_) {
        take_timestamp(seg);
        send_syn(true, now);
        return;
    }
    // Simultaneous open (RFC 9293 3.5, figure 7, line 6): the peer's SYN-ACK repeats its SYN, now
    // just left of RCV.NXT, so the first check would refuse it; its ACK of our SYN completes the
    // handshake (as Linux's tcp_validate_incoming lets it through). Nothing to answer: our
    // SYN-ACK already acknowledged its SYN.
    if (state_ == TcpState::SYN_RECEIVED && (seg.flags & kSyn) && (seg.flags & kAck) && !(seg.flags & (kRst | kFin)) &&
        seg.seq == irs_ && seg.payload_len == 0 && seg.ack == seq_of(snd_max_)) {
        take_timestamp(seg);
        process_ack(seg, now);
        // The window of a SYN is never scaled (RFC 7323 2.2).
        snd_wnd_ = max_snd_wnd_ = seg.window;
        snd_wl1_ = seg.seq;
        snd_wl2_ = seg.ack;
        if (state_ == TcpState::SYN_RECEIVED) on_established(now, "simultaneous open: SYN-ACK received");
        return;
    }
    if (!acceptable(seg)) {
        if (seg.flags & kRst) return;
        // A retransmitted duplicate (its ACK was lost, so the sender's timer resent it) starts at
        // or below Last.ACK.sent and carries a newer TSval: it updates TS.Recent (RFC 7323 4.3
        // (2); Linux lets such a segment through its sequence check, tcp_sequence() compares with
        // rcv_wup, and stores its timestamp). The duplicate ACK below then echoes the
        // retransmission, and the sender's sample is one round trip, not the whole timeout.
        // The same for a retransmitted SYN-ACK (our ACK of it was lost).
        if (seg.payload_len || (seg.flags & (kFin | kSyn))) take_timestamp(seg);
        // TIME-WAIT: the peer's FIN again, our last ACK was lost: ACK and restart 2*MSL.
        if (state_ == TcpState::TIME_WAIT && (seg.flags & kFin)) {
            send_ack(now);
            out_.set_timer(TcpTimer::time_wait, now.sat_add(c_->msl * 2));
            return;
        }
        // A zero window still takes ACKs (RFC 9293 3.10.7.4: "special allowance").
        if (rcv_wnd() == 0 && seg.seq == rcv_nxt() && (seg.flags & kAck)) process_ack(seg, now);
        if (state_ == TcpState::CLOSED) return;
        if (seg.payload_len) {
            TcpTransferState& x = xfer();
            ++x.counters.duplicate_segments;
            // RFC 2883: tell the sender, with a D-SACK block, that this data came twice.
            int64_t begin = rcv_offset_of(seg.seq), end = begin + seg.payload_len;
            if (sack_ok_ && begin >= 0 && end <= static_cast<int64_t>(x.rcv.next()))
                x.sack_blocks.duplicate(static_cast<uint64_t>(begin), static_cast<uint64_t>(end));
        }
        send_ack(now);
        return;
    }
    if (seg.flags & kRst) {
        // RFC 5961 3.2: only an exact match resets; anything else in the window gets a
        // challenge ACK (a blind attacker must guess RCV.NXT exactly).
        if (seg.seq != rcv_nxt()) {
            send_ack(now);
            return;
        }
        // RFC 9293 3.10.7.4: in TIME-WAIT a RST only ends the wait early (as Linux does without
        // tcp_rfc1337), with no "connection reset" for the user: both streams were already
        // complete and acknowledged. (The peer, already CLOSED, answers a repeated last ACK so.)
        if (state_ == TcpState::TIME_WAIT) {
            finish(CloseReason::normal, "RST received in TIME-WAIT");
            return;
        }
        finish(CloseReason::reset, "RST received");
        return;
    }
    if (seg.flags & kSyn) {
        send_ack(now);  // RFC 5961 4.2: challenge ACK for a SYN in a synchronized state
        return;
    }
    if (!(seg.flags & kAck)) return;
    take_timestamp(seg);
    if (state_ == TcpState::SYN_RECEIVED) {
        if (seq_lt(seq_of(snd_una_), seg.ack) && seq_le(seg.ack, seq_of(snd_max_))) {
            snd_wnd_ = static_cast<uint64_t>(seg.window) << snd_wscale_;
            max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
            snd_wl1_ = seg.seq;
            snd_wl2_ = seg.ack;
            process_ack(seg, now);
            if (state_ != TcpState::SYN_RECEIVED) return;
            on_established(now, "ACK of SYN received");
            if (state_ == TcpState::CLOSED) return;
        } else {
            send_rst(seg.ack, 0, false);
            return;
        }
    } else {
        process_ack(seg, now);
        if (state_ == TcpState::CLOSED) return;
    }
    switch (state_) {
        case TcpState::FIN_WAIT_1:
            if (fin_acked()) set_state(TcpState::FIN_WAIT_2, "our FIN acknowledged");
            break;
        case TcpState::CLOSING:
            if (fin_acked()) enter_time_wait("our FIN acknowledged", now);
            break;
        case TcpState::LAST_ACK:
            if (fin_acked()) {
                finish(CloseReason::normal, "our FIN acknowledged");
                return;
            }
            break;
        default: break;
    }
    // Data and FIN in one segment, or data that fills the hole before a queued FIN: one ACK
    // covers both (held until the FIN is processed), as Linux acknowledges a segment once, after
    // merging its out-of-order queue; see process_fin for the FIN's own.
    if ((seg.flags & kFin) || (have_fin_offset_ && !fin_received_)) hold_ack_ = true;
    if (seg.payload_len &&
        (state_ == TcpState::ESTABLISHED || state_ == TcpState::FIN_WAIT_1 || state_ == TcpState::FIN_WAIT_2)) {
        process_data(seg, now);
        if (state_ == TcpState::CLOSED) {
            hold_ack_ = ack_held_ = false;
            return;
        }
    }
    if (seg.flags & kFin) {
        have_fin_offset_ = true;
        fin_offset_ = static_cast<uint64_t>(rcv_offset_of(seg.seq + seg.payload_len));
        if (seg.payload_len == 0 && fin_offset_ != rcv_next()) send_ack(now);  // a FIN beyond a hole
    }
    if (have_fin_offset_ && !fin_received_ && rcv_next() == fin_offset_) process_fin(now);
    release_held_ack(now);
}

void TcpEndpoint::release_held_ack(SimTime now) {
    hold_ack_ = false;
    if (!ack_held_) return;
    ack_held_ = false;  // (send_ack clears it too, through fill_header)
    if (is_synchronized(state_)) send_ack(now);
}

void TcpEndpoint::process_ack(const Packet& seg, SimTime now) {
    int64_t acked_to = offset_of(seg.ack);
    if (acked_to > snd_max_) {
        send_ack(now);  // acknowledges something not yet sent
        return;
    }
    // With RACK the segments the ACK delivers are collected (TcpTransferState::delivered).
    bool rack = rack_on() && x_ && x_->sent;  // data has been sent
    // Nothing of ours outstanding, nothing acknowledged, no SACK blocks (the receiver of a bulk
    // transfer, on every data segment): no RTT sample, no RACK or recovery bookkeeping and no
    // duplicate ACK (RFC 5681 2 (a): one needs outstanding data); only the ECN echo and the
    // window update below apply.
    bool idle_ack = !rack && acked_to == snd_una_ && snd_una_ >= snd_max_ && seg.options.sack_count == 0;
    if (idle_ack) {
        dsack_in_ack_ = false;
        window_update_and_send(seg, false, now);
        return;
    }
    int64_t prior_fack = 0;
    if (rack) {
        rack_begin_ack(now);
        prior_fack = x_->sent->highest_sacked();
    }
    uint64_t flight_before = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
    dsack_in_ack_ = false;
    uint64_t newly_sacked = sack_ok_ && seg.options.sack_count ? take_sack_blocks(seg, acked_to) : 0;
    bool dsack = dsack_in_ack_;
    if (acked_to > snd_una_) {
        int64_t data_before = snd_una_data();
        snd_una_ = acked_to;
        if (snd_nxt_ < snd_una_) snd_nxt_ = snd_una_;
        if (x_) x_->scoreboard.advance(snd_una_);
        if (rack) x_->sent->acknowledged(snd_una_data(), prior_fack, x_->delivered);
        uint64_t acked_bytes = static_cast<uint64_t>(snd_una_data() - data_before);
        // RTT: from the echoed timestamp (RFC 7323 4.1), else the timed segment (Karn's rule).
        const uint64_t samples_before = rtt_.samples();
        if (ts_ok_ && seg.options.has_timestamps && seg.options.ts_ecr) {
            rtt_from_echo(seg.options.ts_ecr, now);
        } else if (timing_ && acked_to > timed_offset_) {
            rtt_sample(now - timed_at_);
            timing_ = false;
        }
        if (x_ && x_->eifel_armed) {
            // RFC 3522: the first ACK after a timeout retransmission echoes a timestamp older
            // than that retransmission: it acknowledges the original; the timeout was spurious.
            x_->eifel_armed = false;
            if (seg.options.has_timestamps && seg.options.ts_ecr && seq_lt(seg.options.ts_ecr, x_->rto_tsval) &&
                x_->rxt_log && x_->rxt_log->take_starting_at(x_->rto_offset))
                ++x_->counters.spurious_retransmits;
        }
        if (x_) {
            x_->retries = 0;
            x_->retrans_stamped = false;
            // The congestion control's RTT sample (HyStart): with RACK, the delivered segment's
            // own transmit time (as Linux's ca_rtt, finer than the timestamp's millisecond);
            // else the sample just taken.
            SimTime r = rack && x_->delivered.rack_advanced ? x_->delivered.rtt
                        : rtt_.samples() != samples_before ? x_->last_rtt_sample : SimTime::zero();
            if (r > SimTime::zero()) x_->cc->on_rtt_sample(r, snd_una_data(), snd_max_data(), now);
        }
        // Undo a reduction this ACK shows spurious, before recovery ends (Linux tries it there).
        try_undo(seg, true, now);
        if (rack) rack_on_ack(true, newly_sacked, dsack, prior_fack, flight_before, now);
        else on_new_ack(acked_bytes, flight_before, now);
        // RFC 6298 (5.2)/(5.3): stop the timer when all is acknowledged, else restart it (with
        // TLP, the probe's timer where one is allowed; not over a pending RACK reordering timer).
        if (snd_una_ >= snd_max_) {
            out_.cancel_timer(TcpTimer::retransmit);
            retransmit_armed_ = false;
        } else if (rack) {
            if (rtx_mode_ != static_cast<uint8_t>(RtxMode::reorder) || !retransmit_armed_) set_xmit_timer(now);
        } else {
            arm_retransmit(now);
        }
        if (acked_bytes) {
            in_ack_ = true;
            out_.writable();
            in_ack_ = false;
        }
        if (state_ == TcpState::CLOSED) {
            send_pending_ = false;
            return;
        }
    } else if (rack) {
        if (dsack) try_undo(seg, false, now);
        if (x_->delivered.segments > 0 || dsack || is_duplicate_ack(seg, acked_to, newly_sacked))
            rack_on_ack(false, newly_sacked, dsack, prior_fack, flight_before, now);
    } else if (is_duplicate_ack(seg, acked_to, newly_sacked)) {
        on_duplicate_ack(now);
    }
    window_update_and_send(seg, rack, now);
}

void TcpEndpoint::window_update_and_send(const Packet& seg, bool rack, SimTime now) {
    if (ecn_ok_ && (seg.flags & kEce)) on_ecn_echo(now);
    // Window update (RFC 9293 3.10.7.4): only from a segment not older than the last update.
    if (seq_lt(snd_wl1_, seg.seq) || (snd_wl1_ == seg.seq && seq_le(snd_wl2_, seg.ack))) {
        snd_wnd_ = static_cast<uint64_t>(seg.window) << snd_wscale_;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
        snd_wl1_ = seg.seq;
        snd_wl2_ = seg.ack;
        if (snd_wnd_ > 0 && persist_armed_) {
            out_.cancel_timer(TcpTimer::persist);
            persist_armed_ = false;
            if (x_) x_->persist_backoff = 0;
        }
    }
    // The one send pass of this ACK: RACK's retransmissions, then new data (also what the
    // application wrote while the ACK was processed: send_now_or_after_ack).
    bool written = send_pending_;
    send_pending_ = false;
    if (rack) rack_send(now);
    else if (recovery() == RecoveryState::fast && sack_ok_ && !written) sack_recovery_send(now);
    else try_send(now);
}

void TcpEndpoint::process_data(const Packet& seg, SimTime now) {
    TcpTransferState& x = xfer();
    int64_t begin = rcv_offset_of(seg.seq);
    int64_t end = begin + seg.payload_len;
    int64_t next = static_cast<int64_t>(x.rcv.next());
    // Bytes beyond the advertised window are not kept (RFC 9293 3.10.7.4, seventh).
    end = std::min<int64_t>(end, next + static_cast<int64_t>(rcv_wnd()));
    if (end <= next) {
        ++x.counters.duplicate_segments;
        // Linux: a duplicate means our ACK was lost; acknowledge quickly for a while
        // (tcp_data_queue's out_of_window: tcp_enter_quickack_mode).
        if (c_->delayed_ack.quickack) incr_quickack(x);
        if (sack_ok_ && begin >= 0) x.sack_blocks.duplicate(static_cast<uint64_t>(begin), static_cast<uint64_t>(end));
        send_ack(now);
        return;
    }
    bool in_order = begin <= next;
    bool had_gaps = !x.rcv.out_of_order().empty();
    if (sack_ok_) {
        if (begin < next && begin >= 0) {
            x.sack_blocks.duplicate(static_cast<uint64_t>(begin), static_cast<uint64_t>(next));  // partly old
        } else if (!in_order) {
            // Data already held out of order is a duplicate too (RFC 2883 4.1.2); new data
            // makes its block the most recent one (RFC 2018 4).
            const auto& ooo = x.rcv.out_of_order();
            auto it = std::upper_bound(ooo.begin(), ooo.end(), static_cast<uint64_t>(begin),
                                       [](uint64_t v, const ReassemblyQueue::Range& r) { return v < r.end; });
            if (it != ooo.end() && it->begin <= static_cast<uint64_t>(begin) && static_cast<uint64_t>(end) <= it->end)
                x.sack_blocks.duplicate(static_cast<uint64_t>(begin), static_cast<uint64_t>(end));
            else
                x.sack_blocks.arrived_out_of_order(static_cast<uint64_t>(begin));
        }
    }
    uint64_t advanced = x.rcv.add(static_cast<uint64_t>(std::max(begin, next)), static_cast<uint64_t>(end));
    // The window offered depends on what is held (receive_held): the unread bytes and those out
    // of order. Data read at once, in order, with nothing out of order before it leaves both as
    // they were, and the window remembered by linux_window stays right.
    if (!auto_read_ || !in_order || had_gaps) x.window_valid = false;
    // Unread from now on: the ACK below advertises the window that is left (RFC 9293 3.8.6).
    if (!auto_read_) x.unread += advanced;
    if (!in_order) ++x.counters.out_of_order_segments;
    // Out of order: ACK at once (the duplicate ACK tells the sender); filling a hole: ACK at once
    // too (RFC 5681 4.2); in order: delayed-ACK rules.
    if (in_order) {
        on_data_arrival(seg.payload_len, now);
        grow_receive_window(seg.payload_len);
    }
    if (advanced && auto_read_) receive_space_adjust(now);
    if (!in_order || had_gaps) send_ack(now);
    else ack_or_delay(now, false);
    if (advanced) {
        x.counters.bytes_delivered += advanced;
        out_.data_received(static_cast<uint64_t>(next), advanced);
    }
}

void TcpEndpoint::process_fin(SimTime now) {
    fin_received_ = true;  // RCV.NXT now covers the FIN
    // The FIN is acknowledged after the application has heard of it: if it closes at once, its
    // FIN carries the ACK and one segment does what two would (Linux's FIN-ACK); if it answers
    // with data, the data does. Otherwise a pure ACK leaves at the same instant.
    hold_ack_ = true;
    ack_held_ = true;
    switch (state_) {
        case TcpState::SYN_RECEIVED:
        case TcpState::ESTABLISHED: set_state(TcpState::CLOSE_WAIT, "FIN received"); break;
        case TcpState::FIN_WAIT_1:
            if (fin_acked()) enter_time_wait("FIN received", now);
            else set_state(TcpState::CLOSING, "FIN received (simultaneous close)");
            break;
        case TcpState::FIN_WAIT_2: enter_time_wait("FIN received", now); break;
        default: break;
    }
    out_.peer_closed();
    release_held_ack(now);
}

}  // namespace tcpsim
