#include "models/capture/pcapng_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "sim/core/os_error.hpp"

namespace tcpsim {

namespace {
// Block types and option codes (draft-ietf-opsawg-pcapng sections 4.1, 4.2, 4.3).
constexpr uint32_t kSectionHeader = 0x0A0D0D0A, kInterfaceDescription = 1, kEnhancedPacket = 6;
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr uint16_t kOptEnd = 0, kOptComment = 1, kShbUserAppl = 4, kIfName = 2, kIfTsResol = 9;
// LINKTYPE_IPV4 (228): raw IPv4. Not LINKTYPE_RAW (101) as in the classic files: libpcap maps
// 101 to its DLT_RAW (12) for the first interface only, then refuses the second interface as
// "a type different from the first" (libpcap 1.10), so a multi-interface file would not read.
constexpr uint16_t kLinkTypeIpv4 = 228;
}  // namespace

PcapngWriter::PcapngWriter(const std::string& path, std::string_view comment, std::string_view application,
                           uint32_t snaplen, PcapPrecision precision)
    : path_(path), snaplen_(std::clamp<uint32_t>(snaplen, 1, PcapWriter::kMaxSnaplen)), precision_(precision),
      packet_(std::max<uint32_t>(std::min<uint32_t>(snaplen_, 65535), kMaxIpv4TcpHeaderBytes)) {
    file_ = std::fopen(path.c_str(), "wb");
    if (!file_)
        throw std::runtime_error("cannot open capture file \"" + path + "\" for writing: " + system_reason(errno));
    begin(kSectionHeader);
    put32(kByteOrderMagic);
    put16(1);  // version 1.0
    put16(0);
    put32(0xFFFFFFFF);  // section length: not given
    put32(0xFFFFFFFF);
    option(kOptComment, comment);
    option(kShbUserAppl, application);
    end_of_options();
    finish();
}

PcapngWriter::~PcapngWriter() { close(); }

uint32_t PcapngWriter::add_interface(std::string_view name) {
    begin(kInterfaceDescription);
    put16(kLinkTypeIpv4);
    put16(0);  // reserved
    put32(snaplen_);
    option(kIfName, name);
    const char resolution = precision_ == PcapPrecision::nano ? 9 : 6;  // 10^-9 or 10^-6 s
    option(kIfTsResol, std::string_view(&resolution, 1));
    end_of_options();
    finish();
    return interfaces_++;
}

void PcapngWriter::write(uint32_t interface, SimTime t, const Packet& p) {
    if (!file_) return;
    const uint32_t wire = std::min<uint32_t>(p.wire_bytes(), 65535);
    const uint32_t want = std::max(std::min(wire, snaplen_), std::min(wire, kMaxIpv4TcpHeaderBytes));
    encode_ipv4_tcp(p, {packet_.data(), std::min<size_t>(want, packet_.size())});
    const uint32_t captured = std::min(wire, snaplen_);
    const uint64_t ts = precision_ == PcapPrecision::nano ? static_cast<uint64_t>(t.ns())
                                                          : static_cast<uint64_t>(t.ns() / 1000);
    begin(kEnhancedPacket);
    put32(interface);
    put32(static_cast<uint32_t>(ts >> 32));
    put32(static_cast<uint32_t>(ts));
    put32(captured);
    put32(wire);
    block_.insert(block_.end(), packet_.begin(), packet_.begin() + captured);
    while (block_.size() % 4) block_.push_back(0);
    finish();
    ++packets_;
}

bool PcapngWriter::close() {
    if (file_) {
        if (std::fflush(file_) != 0 || std::ferror(file_)) ok_ = false;
        if (std::fclose(file_) != 0) ok_ = false;
        file_ = nullptr;
    }
    return ok_;
}

void PcapngWriter::begin(uint32_t type) {
    block_.clear();
    put32(type);
    put32(0);  // total length, set by finish()
}

void PcapngWriter::put32(uint32_t v) {
    for (int i = 0; i < 4; ++i) block_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PcapngWriter::put16(uint16_t v) {
    block_.push_back(static_cast<uint8_t>(v));
    block_.push_back(static_cast<uint8_t>(v >> 8));
}

void PcapngWriter::option(uint16_t code, std::string_view value) {
    if (value.empty()) return;
    const size_t len = std::min<size_t>(value.size(), 0xFFFF - 3);
    put16(code);
    put16(static_cast<uint16_t>(len));
    block_.insert(block_.end(), value.begin(), value.begin() + static_cast<std::ptrdiff_t>(len));
    while (block_.size() % 4) block_.push_back(0);
}

void PcapngWriter::end_of_options() {
    put16(kOptEnd);
    put16(0);
}

void PcapngWriter::finish() {
    const uint32_t total = static_cast<uint32_t>(block_.size() + 4);
    put32(total);
    for (int i = 0; i < 4; ++i) block_[4 + i] = static_cast<uint8_t>(total >> (8 * i));
    if (file_ && std::fwrite(block_.data(), 1, block_.size(), file_) != block_.size()) ok_ = false;
}

}  // namespace tcpsim
