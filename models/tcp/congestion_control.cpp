#include "models/tcp/congestion_control.hpp"

#include <algorithm>

namespace tcpsim {

void RenoCongestionControl::on_ack(uint64_t acked, uint64_t, SimTime, SimTime) {
    if (cwnd_ < ssthresh_) {
        cwnd_ += std::min<uint64_t>(acked, smss_);  // RFC 5681 (2)
        return;
    }
    // RFC 5681 (3), byte counting: one SMSS per cwnd's worth of acknowledged bytes.
    bytes_acked_ += acked;
    if (bytes_acked_ >= cwnd_) {
        bytes_acked_ -= cwnd_;
        cwnd_ += smss_;
    }
}

void RenoCongestionControl::on_rto(uint64_t flight) {
    ssthresh_ = std::max<uint64_t>(flight / 2, 2ull * smss_);  // RFC 5681 (4)
    cwnd_ = smss_;                                              // loss window
    bytes_acked_ = 0;
}

std::unique_ptr<CongestionControl> make_congestion_control(std::string_view name) {
    if (name == "reno") return std::make_unique<RenoCongestionControl>();
    return nullptr;
}

}  // namespace tcpsim
