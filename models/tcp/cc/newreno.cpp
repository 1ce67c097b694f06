#include "models/tcp/cc/newreno.hpp"

#include <algorithm>

namespace tcpsim {

void NewRenoCongestionControl::on_ack(uint64_t acked, uint64_t, SimTime, SimTime) {
    if (cwnd_ < ssthresh_) {
        acked = slow_start(acked);
        if (acked == 0) return;
    }
    // RFC 5681 (3): cwnd += SMSS*SMSS/cwnd for each ACK, counted in SMSS*SMSS units with the
    // remainder carried, so that one cwnd's worth of ACKs for full segments adds about one SMSS.
    // (Per ACK, not per byte: with delayed ACKs the window grows half as fast, the b = 2 of the
    // Mathis model; Linux counts acknowledged segments instead.)
    ca_bytes_ += static_cast<uint64_t>(smss_) * smss_;
    uint64_t add = ca_bytes_ / cwnd_;
    ca_bytes_ -= add * cwnd_;
    cwnd_ += add;
}

void NewRenoCongestionControl::on_congestion_event(uint64_t flight, SimTime) {
    ssthresh_ = std::max<uint64_t>(flight / 2, 2ull * smss_);  // RFC 5681 (4)
    cwnd_ = ssthresh_;
    ca_bytes_ = 0;
}

void NewRenoCongestionControl::on_rto(uint64_t flight, SimTime) {
    ssthresh_ = std::max<uint64_t>(flight / 2, 2ull * smss_);  // RFC 5681 (4)
    loss_window();
    ca_bytes_ = 0;
}

}  // namespace tcpsim
