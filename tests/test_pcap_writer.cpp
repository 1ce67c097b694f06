// Classic pcap files as pcap-savefile(5) lays them out, read back here byte by byte: the file
// header (magic per precision, version 2.4, snap length, LINKTYPE_RAW), exact time stamps from
// SimTime, the original length kept when the capture is truncated. (tshark reads the files of
// whole runs in pcap.tshark_agrees_with_trace.)
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "models/capture/libpcap.hpp"
#include "models/capture/pcap_writer.hpp"

using namespace tcpsim;

namespace {

struct Record {
    int64_t sec, frac;
    uint32_t caplen, len;
    std::vector<uint8_t> bytes;
};

struct Capture {
    uint32_t magic = 0;
    uint16_t version_major = 0, version_minor = 0;
    uint32_t thiszone = 1, sigfigs = 1;
    uint32_t snaplen = 0;
    uint32_t linktype = 0;
    std::vector<Record> records;
};

uint32_t le32(const std::vector<uint8_t>& b, size_t o) {
    return uint32_t(b[o]) | uint32_t(b[o + 1]) << 8 | uint32_t(b[o + 2]) << 16 | uint32_t(b[o + 3]) << 24;
}
uint16_t le16(const std::vector<uint8_t>& b, size_t o) { return static_cast<uint16_t>(b[o] | b[o + 1] << 8); }

// The 24-byte file header, then records of a 16-byte header (seconds, fraction, captured
// length, original length) and the captured bytes, to the end of the file with nothing left over.
Capture read_back(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    REQUIRE(b.size() >= 24);
    Capture c{le32(b, 0), le16(b, 4), le16(b, 6), le32(b, 8), le32(b, 12), le32(b, 16), le32(b, 20), {}};
    size_t at = 24;
    while (at < b.size()) {
        REQUIRE(at + 16 <= b.size());
        const uint32_t caplen = le32(b, at + 8);
        REQUIRE(at + 16 + caplen <= b.size());
        c.records.push_back({le32(b, at), le32(b, at + 4), caplen, le32(b, at + 12),
                             std::vector<uint8_t>(b.begin() + static_cast<std::ptrdiff_t>(at + 16),
                                                  b.begin() + static_cast<std::ptrdiff_t>(at + 16 + caplen))});
        at += 16 + caplen;
    }
    return c;
}

Packet data_segment(uint32_t payload) {
    Packet p;
    p.uid = 7;
    p.src_node = 2;
    p.dst_node = 0;
    p.src_port = 80;
    p.dst_port = 40000;
    p.seq = 1;
    p.ack = 2;
    p.window = 1000;
    p.flags = kAck | kPsh;
    p.payload_len = payload;
    return p;
}

std::string temp_path(const char* name) {
    return (std::filesystem::temp_directory_path() / (std::string("tcpsim-pcap-") + name)).string();
}

std::string bytes_of(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("a nanosecond pcap holds raw IPv4 packets with exact SimTime stamps and full lengths") {
    std::string path = temp_path("ns.pcap");
    {
        PcapWriter w(path, 65535, PcapPrecision::nano);
        w.write(SimTime::from_ns(1'234'567'891), data_segment(1448));
        w.write(SimTime::from_ns(3'000'000'001), data_segment(0));
        CHECK(w.packets() == 2);
        CHECK(w.close());
    }
    Capture c = read_back(path);
    CHECK(c.magic == 0xA1B23C4D);  // nanosecond time stamps
    CHECK(c.version_major == 2);
    CHECK(c.version_minor == 4);
    CHECK(c.thiszone == 0);
    CHECK(c.sigfigs == 0);
    CHECK(c.linktype == 101);  // LINKTYPE_RAW: raw IPv4
    CHECK(c.snaplen == 65535);
    REQUIRE(c.records.size() == 2);
    CHECK(c.records[0].sec == 1);
    CHECK(c.records[0].frac == 234'567'891);  // nanoseconds, exactly
    CHECK(c.records[0].len == 40 + 1448);
    CHECK(c.records[0].caplen == 40 + 1448);
    std::vector<uint8_t> want(40 + 1448);
    encode_ipv4_tcp(data_segment(1448), want);
    CHECK(c.records[0].bytes == want);
    CHECK(c.records[1].sec == 3);
    CHECK(c.records[1].frac == 1);
    CHECK(c.records[1].len == 40);
    std::filesystem::remove(path);
}

TEST_CASE("a snap length truncates each record but keeps the original length") {
    std::string path = temp_path("snap.pcap");
    {
        PcapWriter w(path, 54, PcapPrecision::nano);  // headers (40) and 14 payload bytes
        w.write(SimTime::from_ms(5), data_segment(1448));
        w.write(SimTime::from_ms(6), data_segment(0));
        REQUIRE(w.close());
    }
    Capture c = read_back(path);
    CHECK(c.snaplen == 54);
    REQUIRE(c.records.size() == 2);
    CHECK(c.records[0].caplen == 54);
    CHECK(c.records[0].len == 1488);
    std::vector<uint8_t> whole(1488);
    encode_ipv4_tcp(data_segment(1448), whole);
    CHECK(std::equal(c.records[0].bytes.begin(), c.records[0].bytes.end(), whole.begin()));
    CHECK(c.records[1].caplen == 40);  // shorter than the snap length: whole
    CHECK(c.records[1].len == 40);
    std::filesystem::remove(path);
}

TEST_CASE("a microsecond pcap truncates time stamps to the microsecond") {
    std::string path = temp_path("us.pcap");
    {
        PcapWriter w(path, 65535, PcapPrecision::micro);
        w.write(SimTime::from_ns(2'000'001'999), data_segment(10));
        REQUIRE(w.close());
    }
    Capture c = read_back(path);
    CHECK(c.magic == 0xA1B2C3D4);  // microsecond time stamps
    REQUIRE(c.records.size() == 1);
    CHECK(c.records[0].sec == 2);
    CHECK(c.records[0].frac == 1);  // 1999 ns -> 1 us
    std::filesystem::remove(path);
}

TEST_CASE("the same packets give a byte-identical pcap file") {
    std::string a = temp_path("a.pcap"), b = temp_path("b.pcap");
    for (const std::string& path : {a, b}) {
        PcapWriter w(path, 65535, PcapPrecision::nano);
        for (int i = 0; i < 50; ++i) w.write(SimTime::from_us(i * 100), data_segment(static_cast<uint32_t>(i * 30)));
        REQUIRE(w.close());
    }
    CHECK(bytes_of(a).size() > 24 + 50 * 16);
    CHECK(bytes_of(a) == bytes_of(b));
    std::filesystem::remove(a);
    std::filesystem::remove(b);
}

TEST_CASE("a pcap file that cannot be created is an error naming the file and the system's reason") {
    std::string path = temp_path("no-such-dir/x.pcap");
    CHECK_THROWS_WITH_AS(PcapWriter(path, 65535, PcapPrecision::nano),
                         ("cannot open capture file \"" + path + "\" for writing: no such file or directory").c_str(),
                         std::runtime_error);
}

TEST_CASE("a pcap file that cannot be written fails its close") {
    // /dev/full takes the open and refuses every write with ENOSPC (disk full).
    if (!std::filesystem::exists("/dev/full")) return;
    PcapWriter w("/dev/full", 65535, PcapPrecision::nano);
    for (int i = 0; i < 100; ++i) w.write(SimTime::from_us(i), data_segment(1448));
    CHECK(w.packets() == 100);
    CHECK_FALSE(w.close());
    CHECK_FALSE(w.close());  // and says so again
}

TEST_CASE("without libpcap, writing pcap is an error naming the library and its Debian package") {
    // libpcap is loaded with dlopen only when a pcap file is asked for (models/capture/libpcap.hpp).
    try {
        Libpcap::load("libpcap-absent.so.0.8");
        FAIL("a library that does not exist loaded");
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        CHECK(what.rfind("writing pcap needs libpcap (Debian package libpcap0.8): cannot load libpcap-absent.so.0.8", 0) == 0);
    }
    // The installed one has every function PcapWriter calls.
    const Libpcap& lib = Libpcap::get();
    CHECK(static_cast<bool>(lib.open_dead));
    CHECK(static_cast<bool>(lib.dump_fopen));
    CHECK(static_cast<bool>(lib.dump));
    CHECK(static_cast<bool>(lib.dump_close));
}
