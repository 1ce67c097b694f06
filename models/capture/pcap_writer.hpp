#pragma once
// PcapWriter: one classic pcap capture file (pcap-savefile(5)), written with libpcap
// (pcap_open_dead + pcap_dump, loaded on first use: libpcap.hpp), link type raw IPv4
// (LINKTYPE_RAW). Each packet is encoded by encode_ipv4_tcp; a record keeps the segment's full
// length in its header (`len`) and at most `snaplen` bytes of it (`caplen`), so a small snap
// length truncates the zero payload (or even the headers) and the original length is still
// known. Time stamps come from the integer-ns SimTime: nanosecond pcap by default (exact), or
// microsecond pcap (truncated to the microsecond) for older tools.
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

struct Libpcap;

enum class PcapPrecision { nano, micro };

class PcapWriter {
public:
    // The largest snap length pcap readers accept (libpcap's MAXIMUM_SNAPLEN).
    static constexpr uint32_t kMaxSnaplen = 262144;

    // Creates the file and writes its header. Throws std::runtime_error naming the file and the
    // system's reason when it cannot be created, or saying that libpcap is missing.
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
    const Libpcap& lib_;
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
