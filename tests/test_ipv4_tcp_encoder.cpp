// The bytes a Packet becomes in a pcap file: header fields, option layout, RFC 1071 checksums,
// zero payload and truncation.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "models/capture/ipv4_tcp_encoder.hpp"

using namespace tcpsim;

namespace {

uint32_t be16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t be32(const uint8_t* p) { return (be16(p) << 16) | be16(p + 2); }

Packet syn_with(const TcpOptions& o) {
    Packet p;
    p.uid = 0x12345;
    p.src_node = 0;
    p.dst_node = 1;
    p.src_port = 49152;
    p.dst_port = 5555;
    p.seq = 1000;
    p.window = 65535;
    p.flags = kSyn;
    p.options = o;
    return p;
}

std::vector<uint8_t> encode(const Packet& p, size_t room = 65535 + 80) {
    std::vector<uint8_t> buf(room);
    uint32_t n = encode_ipv4_tcp(p, buf);
    buf.resize(n);
    return buf;
}

std::vector<uint8_t> options_of(const std::vector<uint8_t>& seg) {
    uint32_t tcp_header = (seg[20 + 12] >> 4) * 4u;
    return {seg.begin() + 40, seg.begin() + 20 + tcp_header};
}

// The TCP checksum verified the receiver's way: the sum over pseudo-header and segment (with the
// checksum field as sent) folds to all ones, so its complement is zero (RFC 1071 (2)).
uint16_t verify_tcp(const std::vector<uint8_t>& seg, uint32_t wire_length) {
    std::array<uint8_t, 12> pseudo{};
    std::copy(seg.begin() + 12, seg.begin() + 20, pseudo.begin());  // source, destination
    pseudo[9] = 6;
    pseudo[10] = static_cast<uint8_t>((wire_length - 20) >> 8);
    pseudo[11] = static_cast<uint8_t>(wire_length - 20);
    uint32_t sum = ones_complement_add(pseudo);
    // Bytes past what was written are zero payload: they add nothing.
    return fold_checksum(ones_complement_add({seg.data() + 20, seg.size() - 20}, sum));
}

}  // namespace

TEST_CASE("the one's-complement checksum of RFC 1071's worked example is 0x220d") {
    // RFC 1071 section 3: 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded ddf2, complemented 220d.
    const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(fold_checksum(ones_complement_add(bytes)) == 0x220d);
    // An odd byte count pads with a zero byte: 0x01 alone is the word 0x0100.
    const uint8_t odd[] = {0x01};
    CHECK(fold_checksum(ones_complement_add(odd)) == 0xfeff);
}

TEST_CASE("nodes get addresses 10.0.0.1, 10.0.0.2, ... by index") {
    CHECK(ipv4_to_string(node_ipv4_address(0)) == "10.0.0.1");
    CHECK(ipv4_to_string(node_ipv4_address(1)) == "10.0.0.2");
    CHECK(ipv4_to_string(node_ipv4_address(254)) == "10.0.0.255");
    CHECK(ipv4_to_string(node_ipv4_address(255)) == "10.0.1.0");
}

TEST_CASE("a SYN is encoded with the IPv4 and TCP header fields it carries, both checksums valid") {
    TcpOptions o;
    o.mss = 1460;
    o.sack_permitted = true;
    o.wscale = 7;
    Packet p = syn_with(o);
    auto seg = encode(p);
    // 20 IP + 20 TCP + 12 options (4 MSS + 2 SACK-permitted + 3 window scale = 9, padded to 12).
    REQUIRE(seg.size() == 52);
    CHECK(seg[0] == 0x45);           // IPv4, 5-word header
    CHECK(seg[1] == 0);              // not ECN-capable
    CHECK(be16(&seg[2]) == 52);      // total length
    CHECK(be16(&seg[4]) == 0x2345);  // identification: the packet id mod 2^16
    CHECK(be16(&seg[6]) == 0x4000);  // DF
    CHECK(seg[8] == 64);             // TTL
    CHECK(seg[9] == 6);              // TCP
    CHECK(be32(&seg[12]) == 0x0A000001);
    CHECK(be32(&seg[16]) == 0x0A000002);
    CHECK(fold_checksum(ones_complement_add({seg.data(), 20})) == 0);  // header checksum verifies
    CHECK(be16(&seg[20]) == 49152);
    CHECK(be16(&seg[22]) == 5555);
    CHECK(be32(&seg[24]) == 1000);
    CHECK(be32(&seg[28]) == 0);
    CHECK((seg[32] >> 4) == 8);  // data offset: 32 bytes of TCP header
    CHECK(seg[33] == 0x02);    // SYN
    CHECK(be16(&seg[34]) == 65535);
    CHECK(be16(&seg[38]) == 0);  // urgent pointer
    CHECK(verify_tcp(seg, 52) == 0);
}

TEST_CASE("SYN options without timestamps: MSS, NOP NOP SACK-permitted, NOP window scale") {
    TcpOptions o;
    o.mss = 1460;
    o.sack_permitted = true;
    o.wscale = 7;
    // 9 bytes of options in a 12-byte area: the 3 spare bytes are NOPs that align SACK-permitted
    // and window scale, as Linux lays them out.
    CHECK(options_of(encode(syn_with(o))) ==
          std::vector<uint8_t>{0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07});
}

TEST_CASE("SYN options with timestamps: MSS, SACK-permitted, timestamps, NOP, window scale") {
    TcpOptions o;
    o.mss = 1448;
    o.sack_permitted = true;
    o.wscale = 5;
    o.has_timestamps = true;
    o.ts_val = 0x01020304;
    o.ts_ecr = 0;
    // 4 + 2 + 10 + 3 = 19 bytes in 20: one NOP, before window scale.
    CHECK(options_of(encode(syn_with(o))) ==
          std::vector<uint8_t>{0x02, 0x04, 0x05, 0xa8, 0x04, 0x02, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
                               0x00, 0x00, 0x01, 0x03, 0x03, 0x05});
}

TEST_CASE("timestamps and three SACK blocks fill 36 bytes with no padding") {
    TcpOptions o;
    o.has_timestamps = true;
    o.ts_val = 7;
    o.ts_ecr = 9;
    o.sack_count = 3;
    o.sack[0] = {100, 200};
    o.sack[1] = {300, 400};
    o.sack[2] = {500, 600};
    Packet p = syn_with(o);
    p.flags = kAck;
    auto opts = options_of(encode(p));
    REQUIRE(opts.size() == 36);  // 10 + 2 + 3 * 8
    CHECK(opts[0] == 8);
    CHECK(opts[1] == 10);
    CHECK(be32(&opts[2]) == 7);
    CHECK(be32(&opts[6]) == 9);
    CHECK(opts[10] == 5);
    CHECK(opts[11] == 26);  // 2 + 3 * 8
    CHECK(be32(&opts[12]) == 100);
    CHECK(be32(&opts[16]) == 200);
    CHECK(be32(&opts[28]) == 500);
    CHECK(be32(&opts[32]) == 600);
}

TEST_CASE("SACK blocks beyond the 40 option bytes are left out, never overflowing the header") {
    TcpOptions o;
    o.has_timestamps = true;
    o.sack_count = 4;  // 10 + 2 + 32 = 44 > 40: only 3 blocks fit
    for (int i = 0; i < 4; ++i) o.sack[i] = {uint32_t(i * 100), uint32_t(i * 100 + 50)};
    Packet p = syn_with(o);
    p.flags = kAck;
    auto seg = encode(p);
    auto opts = options_of(seg);
    REQUIRE(opts.size() == 40);
    // 36 bytes of content, 4 spare: NOP NOP TS NOP NOP SACK(3 blocks), Linux's layout.
    CHECK(opts[0] == 1);
    CHECK(opts[1] == 1);
    CHECK(opts[2] == 8);
    CHECK(opts[12] == 1);
    CHECK(opts[13] == 1);
    CHECK(opts[14] == 5);
    CHECK(opts[15] == 26);
    CHECK(be32(&opts[32]) == 200);  // the third block's left edge; the fourth is not there
    CHECK(be32(&opts[36]) == 250);
    CHECK(verify_tcp(seg, static_cast<uint32_t>(seg.size())) == 0);
}

TEST_CASE("the payload is zeros, and truncating it keeps the checksum of the whole segment") {
    Packet p = syn_with({});
    p.flags = kAck | kPsh;
    p.payload_len = 1001;  // odd, to exercise the padding byte
    auto whole = encode(p);
    REQUIRE(whole.size() == 40 + 1001u);
    CHECK(be16(&whole[2]) == 1041);
    CHECK(std::all_of(whole.begin() + 40, whole.end(), [](uint8_t b) { return b == 0; }));
    CHECK(verify_tcp(whole, 1041) == 0);
    // Only 54 bytes of room: headers and 14 bytes of payload, same header bytes.
    auto cut = encode(p, 54);
    REQUIRE(cut.size() == 54u);
    CHECK(std::equal(cut.begin(), cut.end(), whole.begin()));
}
