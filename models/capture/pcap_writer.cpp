#include "models/capture/pcap_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <stdexcept>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "models/capture/libpcap.hpp"
#include "sim/core/os_error.hpp"

namespace tcpsim {

PcapWriter::PcapWriter(const std::string& path, uint32_t snaplen, PcapPrecision precision)
    : lib_(Libpcap::get()), path_(path), snaplen_(std::clamp<uint32_t>(snaplen, 1, kMaxSnaplen)),
      precision_(precision),
      // Room for the headers even when the snap length is shorter: the checksums need them whole.
      buf_(std::max<uint32_t>(std::min<uint32_t>(snaplen_, 65535), kMaxIpv4TcpHeaderBytes)) {
    // The file is opened here (pcap_dump_fopen), so that a failure names the system's reason as
    // the trace and pcapng files do.
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot open capture file \"" + path + "\" for writing: " + system_reason(errno));
    dead_ = lib_.open_dead(DLT_RAW, static_cast<int>(snaplen_),
                           precision == PcapPrecision::nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    if (!dead_) {
        std::fclose(f);
        throw std::runtime_error("cannot start a pcap capture for \"" + path + "\"");
    }
    dumper_ = lib_.dump_fopen(dead_, f);  // writes the file header
    if (!dumper_) {
        std::string why = lib_.geterr(dead_);
        std::fclose(f);
        lib_.close(dead_);
        dead_ = nullptr;
        throw std::runtime_error("cannot write capture file \"" + path + "\": " + why);
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
    // The file's seconds field is 32 bits: past 2106 (simulated) it wraps, as in every classic pcap.
    h.ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    // With nanosecond precision libpcap reads tv_usec as nanoseconds.
    h.ts.tv_usec = static_cast<suseconds_t>(precision_ == PcapPrecision::nano ? ns % 1'000'000'000
                                                                               : (ns % 1'000'000'000) / 1000);
    h.len = wire;
    h.caplen = std::min(wire, snaplen_);
    lib_.dump(reinterpret_cast<u_char*>(dumper_), &h, buf_.data());
    ++packets_;
}

bool PcapWriter::close() {
    if (dumper_) {
        std::FILE* f = lib_.dump_file(dumper_);
        if (lib_.dump_flush(dumper_) != 0 || std::ferror(f)) ok_ = false;
        lib_.dump_close(dumper_);  // closes the file too
        dumper_ = nullptr;
    }
    if (dead_) {
        lib_.close(dead_);
        dead_ = nullptr;
    }
    return ok_;
}

}  // namespace tcpsim
