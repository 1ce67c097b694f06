// TcpEndpoint: when the receiver acknowledges data. Two policies:
// - RFC 1122 4.2.3.2 / RFC 5681 4.2: an ACK for at least every second segment (delayed_ack.every),
//   else after delayed_ack.max_delay.
// - Linux's (delayed_ack.quickack): quick-ACK mode acknowledges every segment at the start of a
//   connection, after an idle period longer than the RTO and after a duplicate, up to 16 ACKs
//   (tcp_incr_quickack, TCP_MAX_QUICKACKS); otherwise an ACK as soon as more than one full
//   segment is unacknowledged (__tcp_ack_snd_check: rcv_nxt - rcv_wup > rcv_mss), else delayed.
//   With delayed_ack.adaptive the delay (icsk_ack.ato) follows the gaps between arriving segments
//   (tcp_event_data_recv), doubles when the timer fires, and is bounded by 200 ms (TCP_DELACK_MAX)
//   or 500 ms and by the RTT (tcp_send_delayed_ack). A reply sent soon after data arrived makes
//   the connection interactive (pingpong): no quick ACKs then, until a delayed ACK fires.
#include <algorithm>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

namespace {
constexpr uint32_t kMaxQuickAcks = 16;                      // Linux TCP_MAX_QUICKACKS
constexpr SimTime kDelackMax = SimTime::from_ms(200);       // Linux TCP_DELACK_MAX
constexpr SimTime kDelackMaxBulk = SimTime::from_ms(500);   // HZ/2: neither interactive nor pushed
}  // namespace

void TcpEndpoint::incr_quickack(TcpTransferState& x) {
    // As many quick ACKs as half the window holds full segments, at least 2, at most 16.
    uint64_t quick = rcv_wnd() / (2ull * std::max<uint32_t>(x.rcv_mss, 1));
    if (quick == 0) quick = 2;
    quick = std::min<uint64_t>(quick, kMaxQuickAcks);
    x.quick = std::max<uint32_t>(x.quick, static_cast<uint32_t>(quick));
}

void TcpEndpoint::on_data_arrival(uint32_t len, SimTime now) {
    if (!c_->delayed_ack.quickack) return;
    TcpTransferState& x = xfer();
    const SimTime ato_min = c_->delayed_ack.max_delay;
    // tcp_measure_rcv_mss: the receiver's idea of the sender's segment size starts at 536 (RFC
    // 9293's default MSS, tcp_initialize_rcv_mss) and follows the largest segment seen, up to
    // our own MSS; a shorter one was "pushed" by its sender (the end of a write).
    const uint32_t rcv_mss_before = x.rcv_mss;
    if (x.rcv_mss == 0) x.rcv_mss = std::min<uint32_t>({eff_mss_, 536, static_cast<uint32_t>(std::max<uint64_t>(rcv_wnd() / 2, 1))});
    if (len >= x.rcv_mss) {
        x.rcv_mss = std::min(len, eff_mss_);
    } else {
        x.pushed = std::min<uint8_t>(x.pushed + 1, 2);
    }
    if (x.rcv_mss != rcv_mss_before) x.window_valid = false;  // the window depends on it (select_linux_window)
    if (x.ato == SimTime::zero()) {
        // The first data of the connection (tcp_event_data_recv).
        incr_quickack(x);
        x.ato = ato_min;
    } else {
        SimTime gap = now - x.lrcvtime;
        if (c_->delayed_ack.adaptive && gap <= ato_min / 2) {
            x.ato = x.ato / 2 + ato_min / 2;
        } else if (c_->delayed_ack.adaptive && gap < x.ato) {
            x.ato = std::min(x.ato / 2 + gap, rtt_.rto());
        } else if (gap > rtt_.rto()) {
            incr_quickack(x);  // a long silence: the sender restarts its window, ACK it quickly
        }
    }
    x.lrcvtime = now;
}

void TcpEndpoint::on_reply_sent(SimTime now) {
    // tcp_event_data_sent: new data sent within ato of the last data received is a reply.
    if (!c_->delayed_ack.quickack || !x_ || x_->ato == SimTime::zero()) return;
    if (now - x_->lrcvtime < x_->ato) x_->pingpong = true;
}

void TcpEndpoint::on_ack_sent() {
    // tcp_event_ack_sent -> tcp_dec_quickack_mode: one ACK of pending data spends a quick ACK;
    // leaving quick-ACK mode resets the delay to its minimum.
    if (!x_) return;
    TcpTransferState& x = *x_;
    x.pushed = 0;
    if (x.quick == 0) return;
    if (--x.quick == 0) x.ato = c_->delayed_ack.max_delay;
}

SimTime TcpEndpoint::delayed_ack_timeout() const {
    if (!c_->delayed_ack.quickack || !x_) return c_->delayed_ack.max_delay;
    const TcpTransferState& x = *x_;
    SimTime ato = std::max(x.ato, c_->delayed_ack.max_delay);
    if (ato > c_->delayed_ack.max_delay) {
        SimTime max_ato = x.pingpong || x.pushed ? kDelackMax : kDelackMaxBulk;
        if (rtt_.has_sample()) max_ato = std::min(max_ato, std::max(rtt_.srtt(), c_->delayed_ack.max_delay));
        ato = std::min(ato, max_ato);
    }
    return ato;
}

void TcpEndpoint::ack_or_delay(SimTime now, bool immediately) {
    if (segments_unacked_ < UINT32_MAX) ++segments_unacked_;
    bool now_ = immediately || !c_->delayed_ack.enabled;
    if (!now_ && c_->delayed_ack.quickack) {
        const TcpTransferState& x = *x_;  // data arrived: on_data_arrival made it
        uint64_t unacked = static_cast<uint32_t>(rcv_nxt() - last_ack_sent_);
        now_ = (x.quick > 0 && !x.pingpong) ||
               unacked > static_cast<uint64_t>(c_->delayed_ack.every - 1) * std::max<uint32_t>(x.rcv_mss, 1);
    } else if (!now_) {
        now_ = segments_unacked_ >= c_->delayed_ack.every;
    }
    if (now_) {
        send_ack(now);
        return;
    }
    if (!delack_armed_) {  // an earlier deadline stands (tcp_send_delayed_ack)
        out_.set_timer(TcpTimer::delayed_ack, now.sat_add(delayed_ack_timeout()));
        delack_armed_ = true;
    }
}

void TcpEndpoint::on_delayed_ack_timeout(SimTime now) {
    delack_armed_ = false;
    if (!is_synchronized(state_) || segments_unacked_ == 0) return;
    if (c_->delayed_ack.adaptive && c_->delayed_ack.quickack && x_) {
        // tcp_delack_timer_handler: an interactive connection whose reply did not come in time
        // is no longer treated as one; otherwise the delay was too short for this sender.
        TcpTransferState& x = *x_;
        if (x.pingpong) {
            x.pingpong = false;
            x.ato = c_->delayed_ack.max_delay;
        } else {
            x.ato = std::min(x.ato * 2, rtt_.rto());
        }
    }
    send_ack(now);
}

}  // namespace tcpsim
