#pragma once
// PcapWriter: one classic pcap capture file (the format of pcap-savefile(5) and
// draft-ietf-opsawg-pcap), link type raw IPv4 (LINKTYPE_RAW, 101). The file header is 24 bytes:
// magic, version 2.4, time zone and accuracy 0, snap length, link type; each packet is a 16-byte
// record header (seconds, fraction, captured length, original length) and the captured bytes.
// Each packet is encoded by encode_ipv4_tcp; a record keeps the segment's full length in its
// header and at most `snaplen` bytes of it, so a small snap length truncates the zero payload
// (or even the headers) and the original length is still known. Time stamps come from the
// integer-ns SimTime: nanosecond pcap by default (magic a1b23c4d, exact), or microsecond pcap
// (a1b2c3d4, truncated to the microsecond) for older tools. Written little-endian, as pcapng.
// The file holds nothing wall-clock: it is byte-identical across runs of the same scenario and
// seed. Writing allocates nothing per packet.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "models/network/packet.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

enum class PcapPrecision { nano, micro };

class PcapWriter {
public:
    // The largest snap length pcap readers accept (libpcap's and Wireshark's limit).
    static constexpr uint32_t kMaxSnaplen = 262144;

    // Writes the file header now. Throws std::runtime_error naming the file and the system's
    // reason when it cannot be created.
    PcapWriter(const std::string& path, uint32_t snaplen, PcapPrecision precision);
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    void write(SimTime t, const Packet& p);
    // Flushes and closes; false if any write failed (disk full...). Idempotent.
    bool close();

    const std::string& path() const { return path_; }
    uint64_t packets() const { return packets_; }

private:
    void put(const uint8_t* bytes, size_t n);

    std::string path_;
    uint32_t snaplen_;
    PcapPrecision precision_;
    std::FILE* file_ = nullptr;
    std::vector<uint8_t> buf_;  // a record: its 16-byte header, then the packet
    uint64_t packets_ = 0;
    bool ok_ = true;
};

}  // namespace tcpsim
