#pragma once
// PacketCapture: the capture points of a run and their pcap files, one file per capture point,
// as if tcpdump ran on that node. A host's capture holds every segment it sends (at the moment
// it hands it to its interface) and every packet that arrives at it; a router's holds every
// packet that arrives at it (what it forwards is not written again on the way out). So each
// segment appears at most once per file: the sender's file shows it as sent, the receiver's as
// delivered (after the link's loss, reordering and duplication).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/network/packet.hpp"
#include "models/capture/pcap_writer.hpp"

namespace tcpsim {

class Node;

struct CapturePoint {
    uint32_t node;
    std::string path;
};

class PacketCapture {
public:
    // Opens every file now (throws std::runtime_error naming the file on failure).
    PacketCapture(const std::vector<CapturePoint>& points, uint32_t snaplen, PcapPrecision precision);

    void on_sent(const Node& node, const Packet& p, SimTime t) { write(node, p, t); }
    void on_arrived(const Node& node, const Packet& p, SimTime t) { write(node, p, t); }

    // Closes every file; false if any write failed (the first failing path in `failed`).
    bool close(std::string& failed);
    // In the order the points were given.
    const std::vector<std::unique_ptr<PcapWriter>>& files() const { return files_; }

private:
    void write(const Node& node, const Packet& p, SimTime t);

    std::vector<std::unique_ptr<PcapWriter>> files_;
    std::vector<PcapWriter*> by_node_;  // null where the node is not a capture point
};

}  // namespace tcpsim
