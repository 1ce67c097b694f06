#pragma once
// CongestionControl: the small interface a congestion control implements (after ns-3's
// TcpCongestionOps and smoltcp's Controller): the endpoint reports ACKs and losses, the
// algorithm owns cwnd and ssthresh. Adding an algorithm is one new file plus the registry line
// in make_congestion_control().
#include <cstdint>
#include <memory>
#include <string_view>

#include "sim/time.hpp"

namespace tcpsim {

class CongestionControl {
public:
    virtual ~CongestionControl() = default;
    virtual std::string_view name() const = 0;

    // New data acknowledged (outside loss recovery). `flight` is what was outstanding before
    // this ACK, so an algorithm can tell an application-limited sender.
    virtual void on_ack(uint64_t acked_bytes, uint64_t flight, SimTime now, SimTime srtt) = 0;
    // The retransmission timer expired (RFC 5681 (4)): the loss window.
    virtual void on_rto(uint64_t flight) = 0;
    // Loss recovery entered (fast retransmit) and left; used from the loss-recovery issue on.
    virtual void on_recovery_entry(uint64_t flight) { on_rto(flight); }
    virtual void on_recovery_exit() {}

    uint64_t cwnd() const { return cwnd_; }
    uint64_t ssthresh() const { return ssthresh_; }
    uint32_t smss() const { return smss_; }
    bool in_slow_start() const { return cwnd_ < ssthresh_; }

    // RFC 6928: IW = min(N*SMSS, max(2*SMSS, 14600)) for N = 10; a different N is taken as asked.
    void init(uint32_t smss, uint32_t initial_segments) {
        smss_ = smss;
        uint64_t iw = static_cast<uint64_t>(initial_segments) * smss;
        if (initial_segments == 10) iw = std::min<uint64_t>(iw, std::max<uint64_t>(2ull * smss, 14600));
        cwnd_ = iw;
        ssthresh_ = UINT64_MAX / 2;  // "arbitrarily high" (RFC 5681 3.1)
    }
    void set_smss(uint32_t smss) { smss_ = smss; }

protected:
    uint64_t cwnd_ = 0, ssthresh_ = 0;
    uint32_t smss_ = 1460;
};

// Slow start and congestion avoidance per RFC 5681, with appropriate byte counting (RFC 3465,
// L = 1 SMSS in slow start).
class RenoCongestionControl final : public CongestionControl {
public:
    std::string_view name() const override { return "reno"; }
    void on_ack(uint64_t acked, uint64_t flight, SimTime now, SimTime srtt) override;
    void on_rto(uint64_t flight) override;

private:
    uint64_t bytes_acked_ = 0;  // congestion-avoidance byte counter
};

std::unique_ptr<CongestionControl> make_congestion_control(std::string_view name);

}  // namespace tcpsim
