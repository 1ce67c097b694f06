// TcpEndpoint::check_invariants: what must hold between any two inputs (segment, timer,
// application call), whatever the peer sent. Active in Debug and sanitizer builds and with
// TCPSIM_CHECKS (see sim/core/invariant.hpp); an empty function in Release builds.
#include "models/tcp/tcp_endpoint.hpp"
#include "sim/core/invariant.hpp"

namespace tcpsim {

void TcpEndpoint::check_invariants() const {
    // RFC 9293 3.3.1: the send sequence space is ordered SND.UNA <= SND.NXT <= SND.MAX (the
    // highest sequence number sent; SND.NXT falls back to SND.UNA after a retransmission timeout).
    TCPSIM_INVARIANT(snd_una_ >= -1, "SND.UNA is at or after the SYN");
    TCPSIM_INVARIANT(snd_una_ <= snd_nxt_, "SND.UNA <= SND.NXT");
    TCPSIM_INVARIANT(snd_nxt_ <= snd_max_, "SND.NXT <= SND.MAX");
    // Nothing is sent beyond what the application wrote, plus one for the FIN once it is queued.
    TCPSIM_INVARIANT(snd_max_ <= written_ + (fin_queued_ ? 1 : 0), "SND.MAX <= bytes written (+ FIN)");
    // In-flight accounting: the flight is data sent and not yet acknowledged, within what was
    // written, and the send buffer holds at most send_buffer unacknowledged bytes.
    TCPSIM_INVARIANT(snd_una_data() <= snd_nxt_data() && snd_nxt_data() <= written_,
                     "flight size is data between SND.UNA and SND.NXT, within the bytes written");
    TCPSIM_INVARIANT(static_cast<uint64_t>(written_ - snd_una_data()) <= c_->send_buffer,
                     "unacknowledged data fits the send buffer");
    // RFC 6298 (5.1): while data (or a SYN/FIN) is outstanding, the retransmission timer runs,
    // else nothing would ever recover a lost segment.
    if (is_synchronized(state_) && state_ != TcpState::TIME_WAIT && snd_una_ < snd_max_)
        TCPSIM_INVARIANT(retransmit_armed_, "outstanding data has the retransmission timer armed");
    // Receive side: what the buffer holds (unread, and waiting out of order) fits the buffer we
    // advertised from, and the reassembly queue holds sorted, disjoint ranges beyond RCV.NXT.
    // Linux's window is aligned up to the window scale's unit so that it is not scaled away
    // (__tcp_select_window: "Advertise enough space so that it won't get scaled away"): it may
    // offer up to 2^wscale - 1 bytes more than is free (a 1-byte buffer, scale 7: 128 bytes), and
    // the peer may fill them.
    if (x_) {
        [[maybe_unused]] uint64_t held = receive_held();
        [[maybe_unused]] uint64_t slack = c_->linux_receive_window ? (uint64_t{1} << rcv_wscale_) - 1 : 0;
        TCPSIM_INVARIANT(held <= std::max(c_->receive_buffer, receive_buffer_now()) + slack,
                         "data held fits the receive buffer (Linux: up to a window scale unit more)");
        [[maybe_unused]] uint64_t edge = x_->rcv.next();
        for (const auto& r : x_->rcv.out_of_order()) {
            TCPSIM_INVARIANT(r.begin > edge && r.begin < r.end, "out-of-order ranges are sorted, disjoint and beyond RCV.NXT");
            edge = r.end;
        }
    } else {
        // Without the transfer state no data has arrived or been sent (TcpTransferState).
        TCPSIM_INVARIANT(snd_max_data() <= 0, "data was sent only with the transfer state allocated");
    }
    TCPSIM_INVARIANT(eff_mss_ > 0, "the effective MSS is positive");
}

}  // namespace tcpsim
