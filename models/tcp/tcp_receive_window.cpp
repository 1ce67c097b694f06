// TcpEndpoint: the receive window, what is offered and how it grows. Two policies (the setting
// receive_window):
// - RFC 1122 4.2.3.3 (rfc): the free receive buffer, its right edge moved only by a worthwhile
//   step (receiver SWS avoidance), never moved left (RFC 9293 3.8.6.2.2).
// - Linux's (linux, __tcp_select_window): the window space is half the receive buffer (Linux's
//   default scaling ratio of buffer to window); the first offer is rounded down to whole
//   segments (64240 = 44 x 1460 for the 131072-byte default buffer); later offers grow with
//   rcv_ssthresh, by two segments for every segment received (tcp_grow_window), are aligned up to
//   the window scale, and are cut to zero rather than offered in slivers when the free space is
//   below a sixteenth of the buffer or a segment. With receive_autotuning (the default; off when
//   a receive_buffer is set, as SO_RCVBUF turns Linux's off) the buffer itself grows once per
//   RTT to twice what the application read in the last one plus sixteen segments, plus twice the
//   growth over the RTT before, up to receive_buffer_max (tcp_rcv_space_adjust, "DRS").
#include <algorithm>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

namespace {
uint64_t align_up(uint64_t v, int shift) { return ((v + (uint64_t{1} << shift) - 1) >> shift) << shift; }
}  // namespace

bool TcpEndpoint::autotuning() const { return c_->linux_receive_window && c_->receive_autotuning; }

uint64_t TcpEndpoint::receive_buffer_now() const {
    if (!autotuning()) return c_->receive_buffer;
    return x_ && x_->rcvbuf ? x_->rcvbuf : c_->autotune_initial;
}

uint64_t TcpEndpoint::full_receive_space() const {
    // tcp_full_space: with autotuning, half the buffer; a fixed receive_buffer is the window itself.
    return autotuning() ? receive_buffer_now() / 2 : c_->receive_buffer;
}

uint64_t TcpEndpoint::receive_window_max() const {
    return std::min<uint64_t>(full_receive_space(), uint64_t{65535} << rcv_wscale_);
}

uint64_t TcpEndpoint::initial_receive_window() const {
    if (!c_->linux_receive_window) return std::min<uint64_t>(c_->receive_buffer, 65535);
    // tcp_select_initial_window: whole segments of the MSS we announce (less the timestamp
    // option for a SYN-ACK that agrees to it), at most 65535 (a SYN's window is not scaled).
    uint32_t mss = c_->mss - (!active_open_ && ts_ok_ ? 12u : 0u);
    uint64_t space = std::min<uint64_t>(full_receive_space(), uint64_t{65535} << 14);
    if (space > mss) space = space / mss * mss;
    return std::min<uint64_t>(space, 65535);
}

uint64_t TcpEndpoint::rcv_ssthresh() const { return x_ && x_->rcv_ssthresh ? x_->rcv_ssthresh : initial_receive_window(); }

uint32_t TcpEndpoint::advertised_window_field() {
    uint64_t next = rcv_next();
    uint64_t offered = rcv_adv_ > next ? rcv_adv_ - next : 0;
    if (!c_->linux_receive_window) {
        uint64_t free = c_->receive_buffer - (x_ ? x_->unread : 0);
        // Receiver SWS avoidance (RFC 1122 4.2.3.3): move the right edge only by a worthwhile step.
        uint64_t threshold = std::min<uint64_t>(c_->receive_buffer / 2, eff_mss_);
        if (free > offered && free - offered >= threshold) offered = free;
    } else {
        offered = std::max(offered, linux_window());
    }
    uint64_t field = std::min<uint64_t>(offered >> rcv_wscale_, 65535);
    // The edge the peer will compute; never move it left (RFC 9293 3.8.6.2.2: no shrinking;
    // Linux's tcp_select_window keeps the current window when a smaller one would be chosen).
    rcv_adv_ = std::max(rcv_adv_, next + (field << rcv_wscale_));
    return static_cast<uint32_t>(field);
}

uint64_t TcpEndpoint::linux_window() {
    // __tcp_select_window, remembered while its inputs stay as they are (scaled windows only:
    // unscaled, the current offer is an input too).
    if (x_ && x_->window_valid && rcv_wscale_) return x_->window_cache;
    uint64_t w = select_linux_window();
    if (x_) {
        x_->window_cache = w;
        x_->window_valid = true;
    }
    return w;
}

uint64_t TcpEndpoint::select_linux_window() {
    uint64_t full = receive_window_max();
    // In the buffer, unread: what the application has not read, and what waits out of order.
    uint64_t held = receive_held();
    uint64_t free = full > held ? full - held : 0;
    uint32_t mss = x_ && x_->rcv_mss ? x_->rcv_mss : eff_mss_;
    if (mss > full) {
        // No room for a segment: the segment is the room, and no room at all is a zero window
        // (as Linux: "if (mss <= 0) return 0"; from a 1-byte autotuned buffer, whose half is 0).
        mss = static_cast<uint32_t>(full);
        if (mss == 0) return 0;
    }
    if (free < full / 2) {
        if (x_) x_->quick = 0;  // memory is short: no more quick ACKs
        free = free >> rcv_wscale_ << rcv_wscale_;
        if (free < full / 16 || free < mss) return 0;
    }
    free = std::min(free, rcv_ssthresh());
    if (rcv_wscale_) return align_up(free, rcv_wscale_);
    // Unscaled: whole segments, unless the current offer is within a segment of the free space.
    uint64_t window = rcv_wnd();
    if (window + mss <= free || window > free) window = free / mss * mss;
    else if (mss == full && free > window + full / 2) window = free;
    return window;
}

void TcpEndpoint::grow_receive_window(uint32_t len) {
    // tcp_grow_window: each segment of 128 bytes or more lets rcv_ssthresh grow by two of ours
    // (or twice its length), up to what the buffer can hold.
    if (!c_->linux_receive_window || len < 128) return;
    TcpTransferState& x = xfer();
    if (x.rcv_ssthresh == 0) x.rcv_ssthresh = initial_receive_window();
    uint64_t full = receive_window_max();
    uint64_t held = receive_held();
    uint64_t limit = full > held ? full - held : 0;
    if (limit <= x.rcv_ssthresh) return;
    uint64_t advmss = c_->mss - (ts_ok_ ? 12u : 0u);
    uint64_t incr = std::max<uint64_t>(2 * advmss, 2ull * len);
    x.rcv_ssthresh += std::min(limit - x.rcv_ssthresh, incr);
    x.window_valid = false;
    x.quick |= 1;  // and the window that grew is announced at once
}

void TcpEndpoint::receive_space_adjust(SimTime now) {
    // tcp_rcv_space_adjust (dynamic right-sizing): once per RTT, size the buffer from what the
    // application read in the last one.
    if (!autotuning() || !rtt_.has_sample()) return;
    TcpTransferState& x = xfer();
    uint64_t consumed = x.counters.bytes_delivered - x.unread;
    uint64_t advmss = c_->mss - (ts_ok_ ? 12u : 0u);
    if (x.rcvbuf == 0) {  // tcp_init_buffer_space: the first measurement starts now
        x.rcvbuf = c_->autotune_initial;
        x.rcvq_space = std::min<uint64_t>(rcv_ssthresh(), 10 * advmss);
        x.rcvq_seq = consumed;
        x.rcvq_time = now;
        return;
    }
    if (now - x.rcvq_time < rtt_.srtt()) return;
    uint64_t copied = consumed - x.rcvq_seq;
    if (copied > x.rcvq_space) {
        uint64_t rcvwin = 2 * copied + 16 * advmss;
        uint64_t grow = rcvwin * (copied - x.rcvq_space) / std::max<uint64_t>(x.rcvq_space, 1);
        rcvwin += 2 * grow;
        uint64_t max_buf = std::max(c_->receive_buffer_max, c_->autotune_initial);
        uint64_t rcvbuf = std::min<uint64_t>(2 * rcvwin, max_buf);
        if (rcvbuf > x.rcvbuf) {
            x.rcvbuf = rcvbuf;
            x.window_valid = false;
        }
        x.rcvq_space = copied;
    }
    x.rcvq_seq = consumed;
    x.rcvq_time = now;
}

}  // namespace tcpsim
