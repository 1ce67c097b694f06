// pcapng files: the blocks laid out as draft-ietf-opsawg-pcapng says (read back by a block walker
// here; tshark and capinfos read whole runs' files in pcap.tshark_agrees_with_trace): the section
// header's comment and application, one interface per capture point with its name and time
// resolution, packets on their interface with exact time stamps, truncated to the snap length
// with the original length kept.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "models/capture/pcapng_writer.hpp"

using namespace tcpsim;

namespace {

uint32_t le32(const std::vector<uint8_t>& b, size_t o) {
    return uint32_t(b[o]) | uint32_t(b[o + 1]) << 8 | uint32_t(b[o + 2]) << 16 | uint32_t(b[o + 3]) << 24;
}
uint16_t le16(const std::vector<uint8_t>& b, size_t o) { return static_cast<uint16_t>(b[o] | b[o + 1] << 8); }

struct Block {
    uint32_t type;
    std::vector<uint8_t> body;  // between the first length and the trailing one
};

std::vector<Block> blocks(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<Block> out;
    size_t at = 0;
    while (at < b.size()) {
        REQUIRE(at + 12 <= b.size());
        uint32_t len = le32(b, at + 4);
        REQUIRE(len % 4 == 0);
        REQUIRE(at + len <= b.size());
        CHECK(le32(b, at + len - 4) == len);  // the trailing copy of the length
        out.push_back({le32(b, at), std::vector<uint8_t>(b.begin() + at + 8, b.begin() + at + len - 4)});
        at += len;
    }
    return out;
}

// The options after `from` in a block body: code -> value.
std::vector<std::pair<uint16_t, std::string>> options(const std::vector<uint8_t>& body, size_t from) {
    std::vector<std::pair<uint16_t, std::string>> out;
    while (from + 4 <= body.size()) {
        uint16_t code = le16(body, from), len = le16(body, from + 2);
        if (code == 0) break;
        out.emplace_back(code, std::string(body.begin() + from + 4, body.begin() + from + 4 + len));
        from += 4 + (len + 3) / 4 * 4;
    }
    return out;
}

Packet segment(uint64_t uid, uint32_t payload) {
    Packet p;
    p.uid = uid;
    p.src_node = 0;
    p.dst_node = 1;
    p.src_port = 40000;
    p.dst_port = 80;
    p.seq = 1000;
    p.flags = kAck;
    p.payload_len = payload;
    p.ecn = 3;
    return p;
}

}  // namespace

TEST_CASE("pcapng: a section with its comment, an interface per capture point, packets on theirs") {
    std::string path = (std::filesystem::temp_directory_path() / "tcpsim-test.pcapng").string();
    {
        PcapngWriter w(path, "tcpsim scenario \"x\", seed 7", "tcpsim 0.1.0", 100, PcapPrecision::nano);
        CHECK(w.add_interface("client") == 0);
        CHECK(w.add_interface("router") == 1);
        w.write(1, SimTime::from_ns(5'000'000'123), segment(1, 0));
        w.write(0, SimTime::from_ns(4'294'967'296'007), segment(2, 1448));  // past 2^32 ns
        CHECK(w.packets() == 2);
        CHECK(w.close());
    }
    std::vector<Block> b = blocks(path);
    REQUIRE(b.size() == 5);
    // Section header: byte-order magic, version 1.0, unknown length, then the options.
    CHECK(b[0].type == 0x0A0D0D0A);
    CHECK(le32(b[0].body, 0) == 0x1A2B3C4D);
    CHECK(le16(b[0].body, 4) == 1);
    CHECK(le16(b[0].body, 6) == 0);
    auto shb = options(b[0].body, 16);
    REQUIRE(shb.size() == 2);
    CHECK(shb[0] == std::make_pair(uint16_t{1}, std::string("tcpsim scenario \"x\", seed 7")));  // opt_comment
    CHECK(shb[1] == std::make_pair(uint16_t{4}, std::string("tcpsim 0.1.0")));                   // shb_userappl
    // Interfaces: raw IPv4 (228), the snap length, the name, nanosecond resolution.
    for (int i : {1, 2}) {
        CHECK(b[i].type == 1);
        CHECK(le16(b[i].body, 0) == 228);
        CHECK(le32(b[i].body, 4) == 100);
        auto idb = options(b[i].body, 8);
        REQUIRE(idb.size() == 2);
        CHECK(idb[0] == std::make_pair(uint16_t{2}, std::string(i == 1 ? "client" : "router")));
        CHECK(idb[1] == std::make_pair(uint16_t{9}, std::string(1, '\x09')));
    }
    // Enhanced packet blocks: interface, 64-bit time in ns, captured and original length, data.
    CHECK(b[3].type == 6);
    CHECK(le32(b[3].body, 0) == 1);
    CHECK((uint64_t(le32(b[3].body, 4)) << 32 | le32(b[3].body, 8)) == 5'000'000'123u);
    CHECK(le32(b[3].body, 12) == 40);  // a bare ACK: 20 + 20 bytes, whole
    CHECK(le32(b[3].body, 16) == 40);
    std::vector<uint8_t> expect(40);
    encode_ipv4_tcp(segment(1, 0), expect);
    CHECK(std::vector<uint8_t>(b[3].body.begin() + 20, b[3].body.begin() + 60) == expect);
    CHECK(b[3].body[20 + 1] == 3);  // the IP header's ECN bits: CE
    CHECK(le32(b[4].body, 0) == 0);
    CHECK((uint64_t(le32(b[4].body, 4)) << 32 | le32(b[4].body, 8)) == 4'294'967'296'007u);
    CHECK(le32(b[4].body, 12) == 100);   // truncated to the snap length
    CHECK(le32(b[4].body, 16) == 1488);  // the original length kept
    CHECK(b[4].body.size() == 20 + 100);
    std::filesystem::remove(path);
}

TEST_CASE("pcapng: microsecond resolution when asked, and a file that cannot be created names itself") {
    std::string path = (std::filesystem::temp_directory_path() / "tcpsim-test-us.pcapng").string();
    {
        PcapngWriter w(path, "", "tcpsim", 65535, PcapPrecision::micro);
        w.add_interface("h");
        w.write(0, SimTime::from_ns(1'234'567'891), segment(1, 0));
    }
    std::vector<Block> b = blocks(path);
    REQUIRE(b.size() == 3);
    CHECK(options(b[0].body, 16).size() == 1);  // no empty comment
    CHECK(options(b[1].body, 8)[1].second == std::string(1, '\x06'));
    CHECK((uint64_t(le32(b[2].body, 4)) << 32 | le32(b[2].body, 8)) == 1'234'567u);
    std::filesystem::remove(path);
    CHECK_THROWS_WITH_AS(PcapngWriter("/nonexistent-dir/x.pcapng", "", "", 100, PcapPrecision::nano),
                         "cannot open capture file \"/nonexistent-dir/x.pcapng\" for writing: no such file or directory",
                         std::runtime_error);
}
