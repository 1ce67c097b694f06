#pragma once
// PacketCapture: the capture points of a run and their capture files, as if tcpdump ran on each
// of those nodes: a classic pcap file per capture point, and/or one pcapng file with an interface
// per capture point (named after its node). A host's capture holds every segment it sends (at the
// moment it hands it to its interface) and every packet that arrives at it; a router's holds
// every packet that arrives at it (what it forwards is not written again on the way out). So
// each segment appears at most once per capture point: the sender's shows it as sent, the
// receiver's as delivered (after the link's loss, reordering, duplication and ECN marking).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/capture/pcap_writer.hpp"
#include "models/capture/pcapng_writer.hpp"
#include "models/network/packet.hpp"

namespace tcpsim {

class Node;

struct CapturePoint {
    uint32_t node;
    std::string name;       // the node's: the pcapng interface's name
    std::string pcap_path;  // its classic pcap file; empty for none
};

struct PcapngFile {
    std::string path;     // empty: no pcapng file
    std::string comment;  // the section header's comment (scenario and seed)
    std::string application;
};

class PacketCapture {
public:
    // Opens every file now (throws std::runtime_error naming the file on failure).
    PacketCapture(const std::vector<CapturePoint>& points, const PcapngFile& pcapng, uint32_t snaplen,
                  PcapPrecision precision);

    void on_sent(const Node& node, const Packet& p, SimTime t) { write(node, p, t); }
    void on_arrived(const Node& node, const Packet& p, SimTime t) { write(node, p, t); }

    // Closes every file; false if any write failed (the first failing path in `failed`).
    bool close(std::string& failed);
    // The classic files, in the order the points were given.
    const std::vector<std::unique_ptr<PcapWriter>>& files() const { return files_; }
    // The pcapng file, or null.
    const PcapngWriter* pcapng() const { return pcapng_.get(); }

private:
    void write(const Node& node, const Packet& p, SimTime t);

    struct Point {
        PcapWriter* pcap = nullptr;
        int64_t interface = -1;  // in the pcapng file; -1: not a capture point there
    };
    std::vector<std::unique_ptr<PcapWriter>> files_;
    std::unique_ptr<PcapngWriter> pcapng_;
    std::vector<Point> by_node_;
};

}  // namespace tcpsim
