// pcap files written through libpcap and read back through libpcap: link type, snap length,
// exact time stamps from SimTime, original length kept when the capture is truncated.
#include <doctest/doctest.h>

#include <pcap/pcap.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "models/capture/pcap_writer.hpp"

using namespace tcpsim;

namespace {

struct Record {
    int64_t sec, frac;
    uint32_t caplen, len;
    std::vector<uint8_t> bytes;
};

struct Capture {
    int linktype = -1;
    int snaplen = -1;
    std::vector<Record> records;
};

Capture read_back(const std::string& path, u_int precision) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), precision, errbuf);
    REQUIRE_MESSAGE(p != nullptr, errbuf);
    Capture c;
    c.linktype = pcap_datalink(p);
    c.snaplen = pcap_snapshot(p);
    pcap_pkthdr* h;
    const u_char* data;
    while (pcap_next_ex(p, &h, &data) == 1)
        c.records.push_back({h->ts.tv_sec, h->ts.tv_usec, h->caplen, h->len, std::vector<uint8_t>(data, data + h->caplen)});
    pcap_close(p);
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
    Capture c = read_back(path, PCAP_TSTAMP_PRECISION_NANO);
    CHECK(c.linktype == DLT_RAW);
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
    Capture c = read_back(path, PCAP_TSTAMP_PRECISION_NANO);
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
    Capture c = read_back(path, PCAP_TSTAMP_PRECISION_MICRO);
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

TEST_CASE("a pcap file that cannot be created is an error naming the file") {
    std::string path = temp_path("no-such-dir/x.pcap");
    CHECK_THROWS_WITH_AS(PcapWriter(path, 65535, PcapPrecision::nano),
                         doctest::Contains(("cannot open capture file \"" + path + "\"").c_str()), std::runtime_error);
}
