#include "models/capture/packet_capture.hpp"

#include "models/network/node.hpp"

namespace tcpsim {

PacketCapture::PacketCapture(const std::vector<CapturePoint>& points, uint32_t snaplen, PcapPrecision precision) {
    for (const CapturePoint& cp : points) {
        if (cp.node < by_node_.size() && by_node_[cp.node]) continue;  // named twice: one file
        files_.push_back(std::make_unique<PcapWriter>(cp.path, snaplen, precision));
        if (by_node_.size() <= cp.node) by_node_.resize(cp.node + 1, nullptr);
        by_node_[cp.node] = files_.back().get();
    }
}

void PacketCapture::write(const Node& node, const Packet& p, SimTime t) {
    if (node.id() < by_node_.size() && by_node_[node.id()]) by_node_[node.id()]->write(t, p);
}

bool PacketCapture::close(std::string& failed) {
    bool ok = true;
    for (auto& f : files_) {
        if (!f->close() && ok) {
            ok = false;
            failed = f->path();
        }
    }
    return ok;
}

}  // namespace tcpsim
