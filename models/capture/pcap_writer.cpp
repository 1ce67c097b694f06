#include "models/capture/pcap_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <pcap/pcap.h>

#include "models/capture/ipv4_tcp_encoder.hpp"

namespace tcpsim {

PcapWriter::PcapWriter(const std::string& path, uint32_t snaplen, PcapPrecision precision)
    : path_(path), snaplen_(std::clamp<uint32_t>(snaplen, 1, kMaxSnaplen)), precision_(precision),
      // Room for the headers even when the snap length is shorter: the checksums need them whole.
      buf_(std::max<uint32_t>(std::min<uint32_t>(snaplen_, 65535), kMaxIpv4TcpHeaderBytes)) {
    dead_ = pcap_open_dead_with_tstamp_precision(
        DLT_RAW, static_cast<int>(snaplen_),
        precision == PcapPrecision::nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    if (!dead_) throw std::runtime_error("cannot start a pcap capture for \"" + path + "\"");
    dumper_ = pcap_dump_open(dead_, path.c_str());
    if (!dumper_) {
        std::string why = pcap_geterr(dead_);
        pcap_close(dead_);
        dead_ = nullptr;
        throw std::runtime_error("cannot open capture file \"" + path + "\" for writing: " + why);
    }
}

PcapWriter::~PcapWriter() { close(); }

void PcapWriter::write(SimTime t, const Packet& p) {
    if (!dumper_) return;
    const uint32_t wire = std::min<uint32_t>(p.wire_bytes(), 65535);
    const uint32_t want = std::max(std::min(wire, snaplen_), std::min(wire, kMaxIpv4TcpHeaderBytes));
    encode_ipv4_tcp(p, {buf_.data(), std::min<size_t>(want, buf_.size())});
    pcap_pkthdr h{};
    const int64_t ns = t.ns();
    h.ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    // With nanosecond precision libpcap reads tv_usec as nanoseconds.
    h.ts.tv_usec = static_cast<suseconds_t>(precision_ == PcapPrecision::nano ? ns % 1'000'000'000
                                                                               : (ns % 1'000'000'000) / 1000);
    h.len = wire;
    h.caplen = std::min(wire, snaplen_);
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, buf_.data());
    ++packets_;
}

bool PcapWriter::close() {
    if (dumper_) {
        if (pcap_dump_flush(dumper_) != 0 || std::ferror(pcap_dump_file(dumper_))) ok_ = false;
        pcap_dump_close(dumper_);
        dumper_ = nullptr;
    }
    if (dead_) {
        pcap_close(dead_);
        dead_ = nullptr;
    }
    return ok_;
}

}  // namespace tcpsim
