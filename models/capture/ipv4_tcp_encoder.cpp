#include "models/capture/ipv4_tcp_encoder.hpp"

#include <algorithm>
#include <cstring>

namespace tcpsim {

namespace {

constexpr uint8_t kOptEol = 0, kOptNop = 1, kOptMss = 2, kOptWscale = 3, kOptSackPermitted = 4, kOptSack = 5,
                  kOptTimestamps = 8;
constexpr uint8_t kProtocolTcp = 6;

uint8_t* put16(uint8_t* w, uint32_t v) {
    w[0] = static_cast<uint8_t>(v >> 8);
    w[1] = static_cast<uint8_t>(v);
    return w + 2;
}
uint8_t* put32(uint8_t* w, uint32_t v) {
    w[0] = static_cast<uint8_t>(v >> 24);
    w[1] = static_cast<uint8_t>(v >> 16);
    w[2] = static_cast<uint8_t>(v >> 8);
    w[3] = static_cast<uint8_t>(v);
    return w + 4;
}

// Writes the options into exactly o.encoded_length() bytes at w.
void encode_options(const TcpOptions& o, uint8_t* w) {
    const uint32_t budget = o.encoded_length();
    uint32_t fixed = (o.mss ? 4u : 0u) + (o.wscale >= 0 ? 3u : 0u) + (o.sack_permitted ? 2u : 0u) +
                     (o.has_timestamps ? 10u : 0u);
    // Only as many SACK blocks as the 40 option bytes hold (RFC 2018 3: three with timestamps).
    uint32_t blocks = 0;
    if (o.sack_count && budget >= fixed + 10) blocks = std::min<uint32_t>(o.sack_count, (budget - fixed - 2) / 8);
    uint32_t content = fixed + (blocks ? 2 + 8 * blocks : 0);
    uint32_t spare = budget - content;
    uint8_t* const end = w + budget;
    auto nops = [&](uint32_t n) {
        for (; n && spare; --n, --spare) *w++ = kOptNop;
    };
    if (o.mss) {
        *w++ = kOptMss;
        *w++ = 4;
        w = put16(w, o.mss);
    }
    if (o.sack_permitted) {
        if (!o.has_timestamps && spare >= 2) nops(2);  // NOP NOP SACK-perm: a 4-byte word
        *w++ = kOptSackPermitted;
        *w++ = 2;
    }
    if (o.has_timestamps) {
        if (!o.sack_permitted && spare >= 2) nops(2);  // NOP NOP TS: the values 4-aligned
        *w++ = kOptTimestamps;
        *w++ = 10;
        w = put32(w, o.ts_val);
        w = put32(w, o.ts_ecr);
    }
    if (o.wscale >= 0) {
        nops(1);  // NOP WS
        *w++ = kOptWscale;
        *w++ = 3;
        *w++ = static_cast<uint8_t>(o.wscale);
    }
    if (blocks) {
        if (spare >= 2) nops(2);
        *w++ = kOptSack;
        *w++ = static_cast<uint8_t>(2 + 8 * blocks);
        for (uint32_t i = 0; i < blocks; ++i) {
            w = put32(w, o.sack[i].left);
            w = put32(w, o.sack[i].right);
        }
    }
    // RFC 9293 3.1: the header is padded with zeros (EOL ends the list).
    while (w < end) *w++ = kOptEol;
}

}  // namespace

uint32_t node_ipv4_address(uint32_t node_index) { return 0x0A000000u + node_index + 1; }

std::string ipv4_to_string(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." + std::to_string((a >> 8) & 0xff) +
           "." + std::to_string(a & 0xff);
}

uint32_t ones_complement_add(std::span<const uint8_t> data, uint32_t sum) {
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2) sum += (static_cast<uint32_t>(data[i]) << 8) | data[i + 1];
    if (i < data.size()) sum += static_cast<uint32_t>(data[i]) << 8;
    // Fold as we go so a long input cannot overflow 32 bits.
    return (sum & 0xffff) + (sum >> 16);
}

uint16_t fold_checksum(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t encode_ipv4_tcp(const Packet& p, std::span<uint8_t> out) {
    const uint32_t tcp_header = Packet::kTcpHeader + p.options.encoded_length();
    const uint32_t headers = Packet::kIpHeader + tcp_header;
    const uint32_t wire = std::min<uint32_t>(p.wire_bytes(), 65535);
    const uint32_t src = node_ipv4_address(p.src_node), dst = node_ipv4_address(p.dst_node);

    uint8_t* ip = out.data();
    uint8_t* w = ip;
    *w++ = 0x45;  // version 4, header length 5 words
    *w++ = p.ecn & 3;  // DSCP 0; the ECN codepoint the packet carries here (RFC 3168 5): a CE
                       // mark shows from the queue that set it on
    w = put16(w, wire);
    w = put16(w, static_cast<uint32_t>(p.uid & 0xffff));
    w = put16(w, 0x4000);  // DF, fragment offset 0
    *w++ = p.ttl;
    *w++ = kProtocolTcp;
    w = put16(w, 0);  // checksum, below
    w = put32(w, src);
    w = put32(w, dst);
    put16(ip + 10, fold_checksum(ones_complement_add({ip, Packet::kIpHeader})));

    uint8_t* tcp = w;
    w = put16(w, p.src_port);
    w = put16(w, p.dst_port);
    w = put32(w, p.seq);
    w = put32(w, p.ack);
    *w++ = static_cast<uint8_t>((tcp_header / 4) << 4);
    *w++ = p.flags;  // TcpFlag values are the header's bits: CWR ECE URG ACK PSH RST SYN FIN
    w = put16(w, p.window & 0xffff);
    w = put16(w, 0);  // checksum, below
    w = put16(w, 0);  // urgent pointer
    encode_options(p.options, w);

    // Pseudo-header (RFC 9293 3.1): source, destination, zero, protocol, TCP length. The payload
    // is all zeros and adds nothing to the sum.
    uint8_t pseudo[12];
    put32(pseudo, src);
    put32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = kProtocolTcp;
    put16(pseudo + 10, wire - Packet::kIpHeader);
    uint32_t sum = ones_complement_add(pseudo);
    sum = ones_complement_add({tcp, tcp_header}, sum);
    put16(tcp + 16, fold_checksum(sum));

    uint32_t written = std::min<uint32_t>(static_cast<uint32_t>(out.size()), wire);
    if (written > headers) std::memset(ip + headers, 0, written - headers);
    return std::max(written, headers);
}

}  // namespace tcpsim
