// TcpEndpoint: whether the congestion window is in use, as Linux judges it.
// - tcp_cwnd_validate / tcp_is_cwnd_limited: cwnd grows only while the sender is limited by it:
//   when what is in flight reached cwnd in the current window of data, or, in slow start, while
//   cwnd is below twice the most that was in flight in it. An application that sends 3 segments
//   a round trip keeps IW10, where growing on every ACK would take cwnd far above anything the
//   path was shown to carry (and ssthresh with it at the next loss).
// - tcp_cwnd_application_limited (RFC 2861 in spirit): a window left partly unused for an RTO
//   shrinks to halfway between itself and what was used, never below the initial window.
// - tcp_cwnd_restart (RFC 5681 4.1, Linux's tcp_slow_start_after_idle): after sending nothing
//   for more than an RTO, cwnd is halved for every RTO of idleness, down to the initial window.
#include <algorithm>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

bool TcpEndpoint::cwnd_limited() const {
    if (!c_->cwnd_validation || !x_) return true;
    const TcpTransferState& x = *x_;
    if (x.is_cwnd_limited) return true;
    return x.cc->in_slow_start() && x.cc->cwnd() < 2 * x.max_flight;
}

uint64_t TcpEndpoint::current_ssthresh() const {
    // tcp_current_ssthresh: outside a reduction, at least 3/4 of cwnd (the window that worked).
    const CongestionControl& cc = *x_->cc;
    if (x_->recovery != RecoveryState::open) return cc.ssthresh();
    return std::max(cc.ssthresh(), cc.cwnd() / 4 * 3);
}

void TcpEndpoint::cwnd_validate(bool limited, SimTime now) {
    if (!c_->cwnd_validation) return;
    TcpTransferState& x = xfer();
    uint64_t flight = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
    // A new window of data, a limited send, or (not limited) more in flight than before.
    if (snd_una_ >= x.cwnd_usage_seq || limited || (!x.is_cwnd_limited && flight > x.max_flight)) {
        x.is_cwnd_limited = limited;
        x.max_flight = flight;
        x.cwnd_usage_seq = snd_max_;
    }
    if (cwnd_limited()) {
        x.cwnd_used = 0;
        x.cwnd_stamp = now;
        return;
    }
    x.cwnd_used = std::max(x.cwnd_used, flight);
    if (c_->slow_start_after_idle && now - x.cwnd_stamp >= rtt_.rto()) {
        // tcp_cwnd_application_limited
        if (x.recovery == RecoveryState::open) {
            uint64_t iw = CongestionControl::initial_window(eff_mss_, c_->initial_cwnd_segments);
            uint64_t used = std::max(x.cwnd_used, iw);
            if (used < x.cc->cwnd()) {
                x.cc->set_ssthresh(current_ssthresh());
                x.cc->set_cwnd((x.cc->cwnd() + used) / 2);
            }
            x.cwnd_used = 0;
        }
        x.cwnd_stamp = now;
    }
}

void TcpEndpoint::restart_after_idle(SimTime now) {
    // tcp_slow_start_after_idle_check: only with nothing in flight, before new data goes.
    if (!c_->slow_start_after_idle || !x_ || snd_una_ < snd_max_ || x_->counters.bytes_sent == 0) return;
    TcpTransferState& x = *x_;
    SimTime idle = now - x.last_send;
    SimTime rto = rtt_.rto();
    if (idle <= rto) return;
    uint64_t restart = std::min(CongestionControl::initial_window(eff_mss_, c_->initial_cwnd_segments), x.cc->cwnd());
    x.cc->set_ssthresh(current_ssthresh());
    uint64_t cwnd = x.cc->cwnd();
    for (idle = idle - rto; idle > SimTime::zero() && cwnd > restart; idle = idle - rto) cwnd /= 2;
    x.cc->set_cwnd(std::max(cwnd, restart));
    x.cwnd_stamp = now;
    x.cwnd_used = 0;
}

}  // namespace tcpsim
