#pragma once
// PcapWriter: one pcap capture file, written with libpcap (pcap_open_dead + pcap_dump), link type
// raw IPv4 (LINKTYPE_RAW). Each packet is encoded by encode_ipv4_tcp; a record keeps the
// segment's full length in its header (`len`) and at most `snaplen` bytes of it (`caplen`), so
// a small snap length truncates the zero payload (or even the headers) and the original length
// is still known. Time stamps come from the integer-ns SimTime: nanosecond pcap by default
// (exact), or microsecond pcap (truncated to the microsecond) for older tools.
// The file holds nothing wall-clock: it is byte-identical across runs of the same scenario and
// seed. Writing allocates nothing per packet.
#include <cstdint>
#include <string>
#include <vector>

#include "models/network/packet.hpp"
#include "sim/core/time.hpp"

struct pcap;
struct pcap_dumper;

namespace tcpsim {

enum class PcapPrecision { nano, micro };

class PcapWriter {
public:
    static constexpr uint32_t kMaxSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN

    // Throws std::runtime_error naming the file when it cannot be created.
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
    std::string path_;
    uint32_t snaplen_;
    PcapPrecision precision_;
    pcap* dead_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
    std::vector<uint8_t> buf_;
    uint64_t packets_ = 0;
    bool ok_ = true;
};

}  // namespace tcpsim
