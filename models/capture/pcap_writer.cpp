#include "models/capture/pcap_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "sim/core/os_error.hpp"

namespace tcpsim {

namespace {
constexpr uint32_t kMagicNano = 0xA1B23C4D, kMagicMicro = 0xA1B2C3D4;
constexpr uint16_t kVersionMajor = 2, kVersionMinor = 4;
constexpr uint32_t kLinkTypeRaw = 101;  // LINKTYPE_RAW: the packet begins with its IPv4 header
constexpr size_t kFileHeaderBytes = 24, kRecordHeaderBytes = 16;

void le32(uint8_t* at, uint32_t v) {
    for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(v >> (8 * i));
}
void le16(uint8_t* at, uint16_t v) {
    at[0] = static_cast<uint8_t>(v);
    at[1] = static_cast<uint8_t>(v >> 8);
}
}  // namespace

PcapWriter::PcapWriter(const std::string& path, uint32_t snaplen, PcapPrecision precision)
    : path_(path), snaplen_(std::clamp<uint32_t>(snaplen, 1, kMaxSnaplen)), precision_(precision),
      // Room for the headers even when the snap length is shorter: the checksums need them whole.
      buf_(kRecordHeaderBytes + std::max<uint32_t>(std::min<uint32_t>(snaplen_, 65535), kMaxIpv4TcpHeaderBytes)) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_)
        throw std::runtime_error("cannot open capture file \"" + path + "\" for writing: " + system_reason(errno));
    uint8_t h[kFileHeaderBytes];
    le32(h, precision == PcapPrecision::nano ? kMagicNano : kMagicMicro);
    le16(h + 4, kVersionMajor);
    le16(h + 6, kVersionMinor);
    le32(h + 8, 0);   // thiszone: time stamps are UTC
    le32(h + 12, 0);  // sigfigs: always 0
    le32(h + 16, snaplen_);
    le32(h + 20, kLinkTypeRaw);
    put(h, sizeof h);
}

PcapWriter::~PcapWriter() { close(); }

void PcapWriter::write(SimTime t, const Packet& p) {
    if (!file_) return;
    const uint32_t wire = std::min<uint32_t>(p.wire_bytes(), 65535);
    const uint32_t want = std::max(std::min(wire, snaplen_), std::min(wire, kMaxIpv4TcpHeaderBytes));
    uint8_t* const packet = buf_.data() + kRecordHeaderBytes;
    encode_ipv4_tcp(p, {packet, std::min<size_t>(want, buf_.size() - kRecordHeaderBytes)});
    const uint32_t captured = std::min(wire, snaplen_);
    const int64_t ns = t.ns();
    // The seconds field is 32 bits: past 2106 (simulated) it wraps, as in every classic pcap.
    le32(buf_.data(), static_cast<uint32_t>(ns / 1'000'000'000));
    le32(buf_.data() + 4, static_cast<uint32_t>(precision_ == PcapPrecision::nano ? ns % 1'000'000'000
                                                                                   : ns % 1'000'000'000 / 1000));
    le32(buf_.data() + 8, captured);
    le32(buf_.data() + 12, wire);
    put(buf_.data(), kRecordHeaderBytes + captured);
    ++packets_;
}

bool PcapWriter::close() {
    if (file_) {
        if (std::fflush(file_) != 0 || std::ferror(file_)) ok_ = false;
        if (std::fclose(file_) != 0) ok_ = false;
        file_ = nullptr;
    }
    return ok_;
}

void PcapWriter::put(const uint8_t* bytes, size_t n) {
    // After a failed write the file is broken anyway: nothing more goes in, close() reports it.
    if (ok_ && std::fwrite(bytes, 1, n, file_) != n) ok_ = false;
}

}  // namespace tcpsim
