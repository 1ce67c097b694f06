// Shared by the ns-3 side of tcpsim's benchmark (tools/bench/run --with-ns3): the TCP settings
// that match scenarios/bench/*.json, goodput bookkeeping, and the one-line JSON result.
// Our own small programs against the Debian libns3-dev 3.37 API.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

namespace bench {

// MSS 1448 payload (1460 less the 12-byte timestamp option, as tcpsim), NewReno, SACK,
// timestamps and window scaling, 4 MiB buffers, delayed ACK every 2nd segment or 40 ms,
// IW10, RTO minimum 200 ms and initial RTO 1 s (tcpsim's defaults, Linux's values).
inline void configure_tcp() {
    using namespace ns3;
    Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(TcpNewReno::GetTypeId()));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1448));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(4 << 20));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(4 << 20));
    Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
    Config::SetDefault("ns3::TcpSocket::DelAckTimeout", TimeValue(MilliSeconds(40)));
    Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(10));
    Config::SetDefault("ns3::TcpSocket::ConnTimeout", TimeValue(Seconds(1)));
    Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(true));
    Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
    Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(true));
    Config::SetDefault("ns3::TcpSocketBase::MinRto", TimeValue(MilliSeconds(200)));
}

// Drop-tail only, as tcpsim: take away the pfifo_fast queue disc that address assignment puts on
// every device, leaving the device's DropTailQueue as the one queue.
inline void remove_queue_discs() {
    using namespace ns3;
    TrafficControlHelper tch;
    for (uint32_t n = 0; n < NodeList::GetNNodes(); ++n) {
        Ptr<Node> node = NodeList::GetNode(n);
        for (uint32_t d = 0; d < node->GetNDevices(); ++d) {
            Ptr<NetDevice> dev = node->GetDevice(d);
            if (DynamicCast<PointToPointNetDevice>(dev)) tch.Uninstall(dev);
        }
    }
}

// Bytes received per flow; the time each flow has all its bytes; stops the run at the last.
class Flows {
public:
    Flows(size_t n, uint64_t bytes) : received_(n, 0), done_at_(n, -1.0), bytes_(bytes) {}
    void watch(size_t i, ns3::Ptr<ns3::Application> sink) {
        sink->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&Flows::on_rx, this, i));
    }
    static void on_rx(Flows* f, size_t i, ns3::Ptr<const ns3::Packet> p, const ns3::Address&) {
        f->received_[i] += p->GetSize();
        if (f->done_at_[i] < 0 && f->received_[i] >= f->bytes_) {
            f->done_at_[i] = ns3::Simulator::Now().GetSeconds();
            if (++f->done_ == f->received_.size()) ns3::Simulator::Stop();
        }
    }
    // Aggregate goodput (all bytes over the time the last flow finished), Jain's index over
    // per-flow goodputs (each flow started at t=0).
    void print(double wall_s) const {
        double last = 0, sum = 0, sum_sq = 0;
        for (double t : done_at_) {
            if (t < 0) continue;
            last = std::max(last, t);
            double g = static_cast<double>(bytes_) * 8.0 / t;
            sum += g;
            sum_sq += g * g;
        }
        double agg = last > 0 ? static_cast<double>(bytes_) * 8.0 * static_cast<double>(done_) / last : 0;
        double jain = done_ ? sum * sum / (static_cast<double>(done_) * sum_sq) : 0;
        std::printf("{\"wall_s\": %.6f, \"events\": %llu, \"sim_s\": %.9f, \"flows\": %zu, \"completed\": %zu, "
                    "\"goodput_bps\": %.1f, \"jain\": %.4f}\n",
                    wall_s, static_cast<unsigned long long>(ns3::Simulator::GetEventCount()),
                    ns3::Simulator::Now().GetSeconds(), received_.size(), done_, agg, jain);
    }

private:
    std::vector<uint64_t> received_;
    std::vector<double> done_at_;
    uint64_t bytes_;
    size_t done_ = 0;
};

// Wall time of Simulator::Run alone, as the reference figures were taken.
inline double run_timed(double stop_s) {
    ns3::Simulator::Stop(ns3::Seconds(stop_s));
    auto t0 = std::chrono::steady_clock::now();
    ns3::Simulator::Run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace bench
