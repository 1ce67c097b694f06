// TcpEndpoint: what leaves - SYNs, ACKs, data and FIN under the windows, probes and RSTs.
#include <algorithm>
#include <array>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

void TcpEndpoint::fill_header(Packet& p, SimTime now) {
    p.src_node = local_.node;
    p.src_port = local_.port;
    p.dst_node = remote_.node;
    p.dst_port = remote_.port;
    if (irs_known_) {  // once the peer's ISN is known every segment acknowledges
        p.flags |= kAck;
        p.ack = rcv_nxt();
        last_ack_sent_ = p.ack;
    }
    if (ts_ok_) {
        p.options.has_timestamps = true;
        p.options.ts_val = ts_now(now);
        p.options.ts_ecr = ts_recent_;
    }
    if (sack_ok_ && (p.flags & kAck) && x_) {  // without x_ nothing to report
        // RFC 2018 3: SACK blocks on every ACK while data is held out of order (and a D-SACK
        // once); at most 3 beside timestamps in 40 option bytes.
        std::array<ReassemblyQueue::Range, SackBlocks::kMaxBlocks> blocks;
        int n = x_->sack_blocks.build(x_->rcv, ts_ok_ ? 3 : 4, blocks);
        for (int i = 0; i < n; ++i)
            p.options.sack[i] = SackBlock{rcv_seq_of(blocks[i].begin), rcv_seq_of(blocks[i].end)};
        p.options.sack_count = static_cast<uint8_t>(n);
    }
    if (ece_pending_ && (p.flags & kAck)) p.flags |= kEce;
    if (p.flags & kAck) {
        // Every segment carries the ACK: a pending delayed ACK is done with, and so is one held
        // for the end of a segment's processing.
        if (segments_unacked_ > 0) on_ack_sent();
        segments_unacked_ = 0;
        ack_held_ = false;
        if (delack_armed_) {
            out_.cancel_timer(TcpTimer::delayed_ack);
            delack_armed_ = false;
        }
    }
    ++segments_sent_;
}

void TcpEndpoint::send_syn(bool with_ack, SimTime now) {
    Packet p;
    p.seq = iss_;
    p.flags = kSyn;
    p.options.mss = static_cast<uint16_t>(std::min<uint32_t>(c_->mss, 65535));
    // In a SYN-ACK, only what the peer's SYN offered (RFC 7323 1.3, RFC 2018 2).
    bool wscale = with_ack ? wscale_ok_ : c_->window_scaling;
    if (wscale) p.options.wscale = static_cast<int8_t>(rcv_wscale_);
    p.options.sack_permitted = with_ack ? sack_ok_ : c_->sack;
    // RFC 3168 6.1.1: an ECN-setup SYN carries ECE and CWR; the SYN-ACK agreeing to it, ECE.
    if (with_ack ? ecn_ok_ : c_->ecn) p.flags |= with_ack ? kEce : (kEce | kCwr);
    p.src_node = local_.node;
    p.src_port = local_.port;
    p.dst_node = remote_.node;
    p.dst_port = remote_.port;
    if (with_ack) {
        p.flags |= kAck;
        p.ack = rcv_nxt();
        last_ack_sent_ = p.ack;
    }
    if (with_ack ? ts_ok_ : c_->timestamps) {
        p.options.has_timestamps = true;
        p.options.ts_val = ts_now(now);
        p.options.ts_ecr = with_ack ? ts_recent_ : 0;
    }
    // The window in a SYN is never scaled (RFC 7323 2.2).
    uint64_t w = initial_receive_window();
    p.window = static_cast<uint32_t>(w);
    rcv_adv_ = std::max(rcv_adv_, w);
    ++segments_sent_;
    out_.emit(p);
}

void TcpEndpoint::send_ack(SimTime now) {
    if (hold_ack_) {  // one ACK for the whole segment being processed: release_held_ack()
        ack_held_ = true;
        return;
    }
    Packet p;
    p.seq = seq_of(snd_nxt_);
    fill_header(p, now);
    p.window = advertised_window_field();
    out_.emit(p);
}

void TcpEndpoint::send_rst(uint32_t seq, uint32_t ack, bool with_ack) {
    Packet p;
    p.src_node = local_.node;
    p.src_port = local_.port;
    p.dst_node = remote_.node;
    p.dst_port = remote_.port;
    p.seq = seq;
    p.flags = kRst;
    if (with_ack) {
        p.flags |= kAck;
        p.ack = ack;
    }
    ++segments_sent_;
    out_.emit(p);
}

void TcpEndpoint::send_active_rst(SimTime now) {
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> from a synchronized connection (RFC 9293 3.10.5),
    // with what every segment of the connection carries: the receive window and the timestamp
    // option (as Linux's tcp_send_active_reset, measured: win of the connection, NOP,NOP,TS).
    Packet p;
    p.seq = seq_of(snd_nxt_);
    p.flags = kRst;
    fill_header(p, now);
    p.window = advertised_window_field();
    out_.emit(p);
}

void TcpEndpoint::send_probe(SimTime now, bool with_byte) {
    // An already-acknowledged sequence number (SND.NXT - 1), so the peer must answer with an ACK
    // (RFC 1122 4.2.3.6; optionally with one garbage byte for old stacks).
    Packet p;
    p.seq = seq_of(snd_nxt_) - 1;
    p.payload_len = with_byte ? 1 : 0;
    fill_header(p, now);
    p.window = advertised_window_field();
    out_.emit(p);
}

void TcpEndpoint::arm_retransmit(SimTime now) { arm_rtx_timer(RtxMode::rto, now.sat_add(rtt_.rto())); }

void TcpEndpoint::arm_rtx_timer(RtxMode m, SimTime at) {
    out_.set_timer(TcpTimer::retransmit, at);
    retransmit_armed_ = true;
    rtx_mode_ = static_cast<uint8_t>(m);
}

void TcpEndpoint::send_segment(int64_t offset, uint32_t len, bool fin, SimTime now) {
    Packet p;
    p.seq = seq_of(offset);
    p.payload_len = len;
    if (fin) p.flags |= kFin;
    // The end of what the application wrote, unless it said more is coming (MSG_MORE: Linux
    // marks no PSH then, tcp_push).
    if (len && offset + len == written_ && !more_) p.flags |= kPsh;
    fill_header(p, now);
    p.window = advertised_window_field();
    // RFC 3168 6.1.5: new data is ECN-capable (retransmissions are not); the first new data
    // after a reduction carries CWR.
    if (ecn_ok_ && len && offset >= snd_max_) {
        p.ecn = kEcnEct0;
        if (x_ && x_->cwr_pending) {
            p.flags |= kCwr;
            x_->cwr_pending = false;
        }
    }
    if (offset < snd_max_) {
        remember_retransmission(offset, len, now);
        TcpTransferState& x = xfer();
        if (!x.retrans_stamped && !probing_) {
            x.retrans_stamped = true;
            x.retrans_stamp = now;
        }
        ++x.counters.retransmissions;
        x.counters.bytes_retransmitted += len;
        if (!probing_) undo_on_retransmit(len, p.options.ts_val);
        timing_ = false;  // Karn: no RTT sample across a retransmission
    } else if (!timing_ && !ts_ok_ && len) {
        timing_ = true;
        timed_offset_ = offset;
        timed_at_ = now;
    }
    if (len && offset >= snd_max_) on_reply_sent(now);
    if (len && len < eff_mss_) xfer().snd_sml = offset + len;  // the end of the last short segment (Minshall)
    if (len) xfer().last_send = now;
    if (len) xfer().counters.bytes_sent += len;  // a lone FIN is no data
    bool rack = rack_on();
    bool fresh = offset + len + (fin ? 1 : 0) > snd_max_;
    if (rack) rack_record_send(offset, len, fin, now);
    snd_max_ = std::max(snd_max_, offset + len + (fin ? 1 : 0));
    out_.emit(p);
    // RFC 6298 (5.1); with TLP, a burst of new data (re)schedules the probe once it has left
    // (try_send; Linux tcp_write_xmit's tcp_schedule_loss_probe).
    if (rack && fresh && !probing_ && c_->tlp) tlp_pending_ = true;
    if (!retransmit_armed_) arm_retransmit(now);
    if (persist_armed_) {
        out_.cancel_timer(TcpTimer::persist);
        persist_armed_ = false;
    }
}

void TcpEndpoint::try_send(SimTime now) {
    // Nothing new to send and no FIN to add, outside RFC 6675 recovery (which retransmits from
    // the scoreboard): send_what_fits would send nothing and cwnd validation only runs when data
    // waits. The receiver of a bulk transfer asks this on every data segment it acknowledges.
    if ((snd_nxt_ > written_ || (snd_nxt_ == written_ && !fin_queued_)) && !tlp_pending_ &&
        !rfc6675_recovery())
        return;
    // Around tcp_write_xmit, as Linux: whether cwnd limited this send (tcp_cwnd_validate).
    bool waiting = written_ > snd_nxt_;
    uint64_t out_before = x_ ? x_->counters.bytes_sent + x_->counters.bytes_retransmitted : 0;
    send_what_fits(now);
    if (tlp_pending_) {
        tlp_pending_ = false;
        schedule_loss_probe(now);
    }
    if (!waiting || !x_ || !c_->cwnd_validation) return;
    const TcpTransferState& x = *x_;
    bool sent = x.counters.bytes_sent + x.counters.bytes_retransmitted != out_before;
    uint64_t flight = rack_on() ? rack_in_flight()
                                : static_cast<uint64_t>(std::max<int64_t>(0, snd_nxt_data() - snd_una_data())) -
                                      x.scoreboard.sacked_in(snd_una_data(), snd_nxt_data());
    bool limited = flight + eff_mss_ > x.cc->cwnd();
    if (sent || limited) cwnd_validate(limited, now);
}

bool TcpEndpoint::short_segment_ok(uint64_t len, bool last, uint64_t flight) const {
    // Sender SWS avoidance and Nagle (RFC 9293 3.8.6.2.1, RFC 896): a short segment goes only if
    // it ends the data and nothing is unacknowledged (or Nagle is off, or we are closing), or if
    // it is at least half the largest window the peer ever offered. TCP_CORK and MSG_MORE (Linux)
    // hold a short segment back altogether, until uncorked, pushed by TCP_NODELAY, or the FIN goes.
    if (last && fin_queued_) return true;
    bool corked = (cork_ || more_) && !push_once_;
    if (corked) return false;
    // Linux's Nagle is Minshall's variant (tcp_minshall_check): a short segment waits only while
    // an earlier short one is unacknowledged, not while any data is.
    bool idle = flight == 0 || (c_->nagle_minshall && !(x_ && x_->snd_sml > snd_una_data()));
    return (last && (!nagle_ || idle || push_once_)) || (max_snd_wnd_ > 0 && len >= max_snd_wnd_ / 2);
}

void TcpEndpoint::send_what_fits(SimTime now) {
    switch (state_) {
        case TcpState::ESTABLISHED:
        case TcpState::CLOSE_WAIT:
        case TcpState::FIN_WAIT_1:
        case TcpState::CLOSING:
        case TcpState::LAST_ACK: break;
        default: return;
    }
    if (rfc6675_recovery()) {
        sack_recovery_send(now);  // RFC 6675: pipe and NextSeg decide
        if (fin_queued_ && snd_nxt_ == written_ && snd_max_ == written_) {
            send_segment(snd_nxt_, 0, true, now);
            snd_nxt_ += 1;
        }
        return;
    }
    for (;;) {
        if (snd_nxt_ < written_) {
            // Resending after a timeout: skip what the receiver has SACKed.
            int64_t hole_end = written_;
            const SackScoreboard& scoreboard = this->scoreboard();
            if (snd_nxt_ < snd_max_data() && !scoreboard.empty()) {
                auto hole = scoreboard.next_hole(snd_nxt_, snd_max_data());
                snd_nxt_ = hole.begin;
                hole_end = hole.begin < snd_max_data() ? hole.end : written_;
                if (snd_nxt_ >= written_) continue;
            }
            // In flight: sent and neither acknowledged nor SACKed. Limited transmit (RFC 3042):
            // the first two duplicate ACKs each let one new segment go (with SACK, the SACKed
            // bytes leaving the flight do the same).
            uint64_t flight = rack_on() ? rack_in_flight()
                                        : static_cast<uint64_t>(snd_nxt_ - snd_una_data()) - scoreboard.sacked_in(snd_una_data(), snd_nxt_);
            uint64_t cwnd = this->cwnd();
            if (recovery() == RecoveryState::open && !sack_ok_) cwnd += std::min<uint64_t>(duplicate_acks(), 2) * eff_mss_;
            uint64_t cwnd_room = cwnd > flight ? cwnd - flight : 0;
            int64_t wnd_edge = snd_una_data() + static_cast<int64_t>(snd_wnd_);
            uint64_t rwnd_room = wnd_edge > snd_nxt_ ? static_cast<uint64_t>(wnd_edge - snd_nxt_) : 0;
            uint64_t usable = std::min(cwnd_room, rwnd_room);
            uint64_t remaining = static_cast<uint64_t>(hole_end - snd_nxt_);
            uint64_t len = std::min<uint64_t>({eff_mss_, remaining, usable});
            bool nothing_in_flight = snd_nxt_ >= snd_max_ && snd_una_ >= snd_max_;
            if (len == 0) {
                // Closed window and nothing in flight to bring an ACK: the persist timer probes.
                if (snd_wnd_ == 0 && nothing_in_flight && !persist_armed_) {
                    out_.set_timer(TcpTimer::persist, now.sat_add(std::min(c_->max_rto, rtt_.rto())));
                    persist_armed_ = true;
                }
                return;
            }
            bool last = snd_nxt_ + static_cast<int64_t>(len) == written_;
            // A full segment, or old data (a hole is as long as it is), always goes; a short one
            // only as sender SWS avoidance and Nagle allow (short_segment_ok).
            if (len != eff_mss_ && snd_nxt_ >= snd_max_data() && !short_segment_ok(len, last, flight)) {
                if (flight == 0 && !persist_armed_ && !retransmit_armed_) {
                    out_.set_timer(TcpTimer::persist, now.sat_add(std::min(c_->max_rto, rtt_.rto())));
                    persist_armed_ = true;
                }
                return;
            }
            bool fin = fin_queued_ && last;
            send_segment(snd_nxt_, static_cast<uint32_t>(len), fin, now);
            snd_nxt_ += static_cast<int64_t>(len) + (fin ? 1 : 0);
            continue;
        }
        if (fin_queued_ && snd_nxt_ == written_) {
            send_segment(snd_nxt_, 0, true, now);
            snd_nxt_ += 1;
        }
        return;
    }
}

}  // namespace tcpsim
