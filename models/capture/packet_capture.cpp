#include "models/capture/packet_capture.hpp"

#include "models/network/node.hpp"

namespace tcpsim {

PacketCapture::PacketCapture(const std::vector<CapturePoint>& points, const PcapngFile& pcapng, uint32_t snaplen,
                             PcapPrecision precision) {
    if (!pcapng.path.empty())
        pcapng_ = std::make_unique<PcapngWriter>(pcapng.path, pcapng.comment, pcapng.application, snaplen, precision);
    for (const CapturePoint& cp : points) {
        if (by_node_.size() <= cp.node) by_node_.resize(cp.node + 1);
        Point& point = by_node_[cp.node];
        if (point.pcap || point.interface >= 0) continue;  // named twice: once
        if (!cp.pcap_path.empty()) {
            files_.push_back(std::make_unique<PcapWriter>(cp.pcap_path, snaplen, precision));
            point.pcap = files_.back().get();
        }
        if (pcapng_) point.interface = pcapng_->add_interface(cp.name);
    }
}

void PacketCapture::write(const Node& node, const Packet& p, SimTime t) {
    if (node.id() >= by_node_.size()) return;
    const Point& point = by_node_[node.id()];
    if (point.pcap) point.pcap->write(t, p);
    if (point.interface >= 0) pcapng_->write(static_cast<uint32_t>(point.interface), t, p);
}

bool PacketCapture::close(std::string& failed) {
    bool ok = true;
    for (auto& f : files_) {
        if (!f->close() && ok) {
            ok = false;
            failed = f->path();
        }
    }
    if (pcapng_ && !pcapng_->close() && ok) {
        ok = false;
        failed = pcapng_->path();
    }
    return ok;
}

}  // namespace tcpsim
