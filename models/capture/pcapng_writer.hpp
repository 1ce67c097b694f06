#pragma once
// PcapngWriter: one pcapng capture file (draft-ietf-opsawg-pcapng) holding every capture point of
// a run as an interface of its own, named after its node (if_name), so Wireshark shows which
// node saw each packet; the section header's comment names the scenario and its seed. Link type
// raw IPv4 (LINKTYPE_IPV4, 228), each packet encoded by encode_ipv4_tcp as in the classic pcap
// files; time stamps in nanoseconds (if_tsresol 9) or microseconds (6). Written little-endian.
// Nothing wall-clock goes in: the file is byte-identical across runs of the same scenario and
// seed. Writing a packet allocates nothing once the buffer has grown to the largest packet.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "models/capture/pcap_writer.hpp"
#include "models/network/packet.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

class PcapngWriter {
public:
    // Writes the section header now. Throws std::runtime_error naming the file when it cannot be
    // created.
    PcapngWriter(const std::string& path, std::string_view comment, std::string_view application, uint32_t snaplen,
                 PcapPrecision precision);
    ~PcapngWriter();
    PcapngWriter(const PcapngWriter&) = delete;
    PcapngWriter& operator=(const PcapngWriter&) = delete;

    // Interfaces are numbered from 0 in the order they are added, all before the first packet.
    uint32_t add_interface(std::string_view name);
    void write(uint32_t interface, SimTime t, const Packet& p);
    // Flushes and closes; false if any write failed. Idempotent.
    bool close();

    const std::string& path() const { return path_; }
    uint64_t packets() const { return packets_; }
    uint32_t interfaces() const { return interfaces_; }

private:
    // Block assembly in block_: the body is appended, then finish() puts the type and the two
    // total lengths around it and writes it.
    void begin(uint32_t type);
    void put32(uint32_t v);
    void put16(uint16_t v);
    void option(uint16_t code, std::string_view value);
    void end_of_options();
    void finish();

    std::string path_;
    uint32_t snaplen_;
    PcapPrecision precision_;
    std::FILE* file_ = nullptr;
    std::vector<uint8_t> block_;
    std::vector<uint8_t> packet_;
    uint64_t packets_ = 0;
    uint32_t interfaces_ = 0;
    bool ok_ = true;
};

}  // namespace tcpsim
