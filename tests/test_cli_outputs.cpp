// The run command's outputs: several formats at once and how their files are named, pcap
// capture points, the -q / default / -v views of stdout, and the usage errors around them.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "sim/json/json_reader.hpp"

using namespace tcpsim::test;
using tcpsim::Json;

namespace {

// Packet count of a pcap file: records are 16-byte headers plus caplen bytes after the
// 24-byte file header (read here without libpcap, byte by byte, little-endian as written).
size_t pcap_records(const std::string& path) {
    std::string b = slurp(path);
    REQUIRE(b.size() >= 24);
    size_t n = 0;
    for (size_t at = 24; at + 16 <= b.size(); ++n) {
        auto u32 = [&](size_t o) {
            return uint32_t(uint8_t(b[o])) | uint32_t(uint8_t(b[o + 1])) << 8 | uint32_t(uint8_t(b[o + 2])) << 16 |
                   uint32_t(uint8_t(b[o + 3])) << 24;
        };
        at += 16 + u32(at + 8);
    }
    return n;
}

size_t count_type(const Json& doc, const std::string& type) {
    size_t n = 0;
    for (const Json& e : doc["events"]) n += e["type"] == type;
    return n;
}

// h1 - r - h2, three raw segments from h1 to h2 10 ms apart.
std::string routed_scenario(const ScratchDir& dir) {
    std::string path = dir.file("routed.json");
    std::ofstream(path) << R"({"name": "routed", "duration": "1s",
        "nodes": [{"name": "h1"}, {"name": "r", "type": "router"}, {"name": "h2"}],
        "links": [{"between": ["h1", "r"], "bandwidth": "10Mbps", "delay": "1ms"},
                  {"between": ["r", "h2"], "bandwidth": "10Mbps", "delay": "1ms"}],
        "applications": [{"type": "segments", "node": "h1", "segments": [
          {"at": "0ms", "count": 3, "interval": "10ms", "to": "h2", "flags": ".", "seq": 1, "len": 100}]}]})";
    return path;
}

}  // namespace

TEST_CASE("--format json,csv,pcap writes one set of files named from the -o prefix") {
    ScratchDir dir;
    std::string prefix = dir.file("run");
    CliRun r = cli({"run", handshake_scenario(), "-q", "--format", "json,csv,pcap", "-o", prefix});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(dir.listing() == std::vector<std::string>{"run.client.pcap", "run.cwnd.csv", "run.queue.csv",
                                                    "run.segments.csv", "run.server.pcap", "run.trace.json"});
    for (const char* f : {"run.trace.json (", "run.segments.csv (16 rows)", "run.queue.csv (16 rows)",
                          "run.client.pcap (8 packets)", "run.server.pcap (8 packets)"})
        CHECK_MESSAGE(has_text(r.err, f), f);
    Json doc = Json::parse(slurp(prefix + ".trace.json"));
    // The handshake figure: 8 segments, each sent and delivered once, so 16 segment rows; each
    // also enters and leaves a queue once (16 queue rows) and nothing is dropped.
    auto seg = split_lines(slurp(prefix + ".segments.csv"));
    CHECK(seg.size() == 1 + 16);
    CHECK(count_type(doc, "send") + count_type(doc, "deliver") == 16);
    CHECK(split_lines(slurp(prefix + ".queue.csv")).size() == 1 + 16);
    // One cwnd row per cc record of the trace (none until congestion control writes them).
    CHECK(split_lines(slurp(prefix + ".cwnd.csv")).size() == 1 + count_type(doc, "cc"));
    // Each host's capture holds all 8: the 5 it sends and the 3 that arrive, or the other way.
    CHECK(pcap_records(prefix + ".client.pcap") == 8);
    CHECK(pcap_records(prefix + ".server.pcap") == 8);
}

TEST_CASE("--format repeated is the same as a list, and the default prefix is the scenario's name") {
    ScratchDir dir;
    std::string cwd = fs::current_path().string();
    fs::current_path(dir.path());
    CliRun r = cli({"run", handshake_scenario(), "-q", "--format", "jsonl", "--format", "csv"});
    fs::current_path(cwd);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(dir.listing() == std::vector<std::string>{"handshake.cwnd.csv", "handshake.queue.csv", "handshake.segments.csv",
                                                    "handshake.trace.jsonl"});
}

TEST_CASE("csv and pcap files are byte-identical across runs with the same seed") {
    ScratchDir dir;
    for (const char* p : {"a", "b"})
        REQUIRE(cli({"run", handshake_scenario(), "-q", "--format", "csv,pcap", "-o", dir.file(p)}).code == 0);
    for (const char* suffix : {".segments.csv", ".queue.csv", ".client.pcap", ".server.pcap"}) {
        CAPTURE(suffix);
        std::string a = slurp(dir.file(std::string("a") + suffix));
        CHECK(a.size() > 100);
        CHECK(a == slurp(dir.file(std::string("b") + suffix)));
    }
}

TEST_CASE("--capture names the capture points, a router's capture has what arrives at it") {
    ScratchDir dir;
    std::string scen = routed_scenario(dir);
    CliRun r = cli({"run", scen, "-q", "--format", "pcap", "--capture", "r,hosts", "-o", dir.file("x")});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    // h1 sends 3 segments; h2 has no listener on port 5555 and answers each with a RST
    // (RFC 9293 3.10.7.1): 6 packets, each seen once by the host that sends it, once by the
    // host it reaches, and once by r as it arrives there (6, not 12: not again on the way out).
    CHECK(pcap_records(dir.file("x.r.pcap")) == 6);
    CHECK(pcap_records(dir.file("x.h1.pcap")) == 6);
    CHECK(pcap_records(dir.file("x.h2.pcap")) == 6);
    CliRun only = cli({"run", scen, "-q", "--format", "pcap", "--capture", "h2", "-o", dir.file("y")});
    REQUIRE(only.code == 0);
    CHECK_FALSE(fs::exists(dir.file("y.h1.pcap")));
    CHECK(fs::exists(dir.file("y.h2.pcap")));
}

TEST_CASE("--snaplen truncates the pcap records") {
    ScratchDir dir;
    REQUIRE(cli({"run", handshake_scenario(), "-q", "--format", "pcap", "--snaplen", "60", "-o", dir.file("s")}).code == 0);
    std::string b = slurp(dir.file("s.client.pcap"));
    // File header: snaplen at offset 16. The 4th record is the 100-byte request: 40 + 100 = 140
    // bytes on the wire, 60 captured. Records before it: SYN (52), SYN-ACK (52), ACK (40).
    auto u32 = [&](size_t o) {
        return uint32_t(uint8_t(b[o])) | uint32_t(uint8_t(b[o + 1])) << 8 | uint32_t(uint8_t(b[o + 2])) << 16 |
               uint32_t(uint8_t(b[o + 3])) << 24;
    };
    CHECK(u32(16) == 60);
    size_t at = 24 + (16 + 52) + (16 + 52) + (16 + 40);
    CHECK(u32(at + 8) == 60);    // caplen
    CHECK(u32(at + 12) == 140);  // original length
}

TEST_CASE("output usage errors exit 2 and write nothing") {
    ScratchDir dir;
    struct Case {
        std::vector<std::string> options;
        const char* message;
    };
    for (const auto& c : std::vector<Case>{
             {{"--format", "json,jsonl"}, "--format json and jsonl hold the same trace: choose one"},
             {{"--format", "json,json"}, "--format lists \"json\" twice"},
             {{"--format", "csv", "--format", "pcap,csv"}, "--format lists \"csv\" twice"},
             {{"--format", "json,xml"}, "--format takes json, jsonl, csv, pcap or pcapng (a comma-separated list), got \"xml\""},
             {{"--format", "csv", "-o", "-"}, "-o - (stdout) takes one trace"},
             {{"--format", "pcap", "--capture", "nobody"}, "--capture: scenario \"handshake\" has no node \"nobody\" (nodes: client, server)"},
             {{"--capture", "client"}, "--capture chooses capture points: add --format pcap or pcapng"},
             {{"--snaplen", "100"}, "--snaplen applies to pcap files"},
             {{"--format", "pcap", "--snaplen", "0"}, "--snaplen expects an integer >= 1"},
             {{"--format", "pcap", "--snaplen", "262145"}, "--snaplen expects an integer from 1 to 262144"},
             {{"--format", "pcap", "--pcap-precision", "ms"}, "--pcap-precision must be ns or us"},
             {{"--no-trace", "--format", "csv"}, "--no-trace writes no files"},
             {{"-q", "-v"}, "-q and -v exclude each other"}}) {
        INFO(c.options[0], " ", c.options[1]);
        std::vector<std::string> args{"run", handshake_scenario()};
        args.insert(args.end(), c.options.begin(), c.options.end());
        if (std::find(args.begin(), args.end(), "-o") == args.end() && std::find(args.begin(), args.end(), "--no-trace") == args.end()) {
            args.push_back("-o");
            args.push_back(dir.file("p"));
        }
        CliRun r = cli(args);
        CHECK(r.code == 2);
        CHECK_MESSAGE(has_text(r.err, c.message), r.err);
        CHECK(r.out.empty());
        CHECK(dir.listing().empty());
    }
}

TEST_CASE("stdout: segment lines and then the summary, -v adds state changes and timers") {
    CliRun plain = cli({"run", handshake_scenario(), "--no-trace"});
    REQUIRE(plain.code == 0);
    auto lines = split_lines(plain.out);
    // 8 segment lines, a blank line, the summary line, blank, the connection table (header and
    // two directions), blank, the application table (header and one row).
    REQUIRE(lines.size() == 8 + 1 + 1 + 1 + 3 + 1 + 2);
    CHECK(lines[7] == "0.060483200 client:49152 > server:5555 Flags [.], seq 1102, ack 5202, win 32761, length 0");
    CHECK(lines[8].empty());
    CHECK(lines[9] == "summary: stopped (all_finished) at t=2.060483200 s after 22 events");
    CHECK(lines[12] == "   0  client:49152  server:5555          5            100              0        0          5");
    CHECK(lines[13] == "   0  server:5555   client:49152         3            200              0        0          3");
    CHECK(has_text(lines[16], "request_response  normal  normal        100        200     0"));
    CHECK_FALSE(has_text(plain.out, "wall"));  // nothing wall-clock on stdout

    CliRun verbose = cli({"run", handshake_scenario(), "--no-trace", "-v"});
    REQUIRE(verbose.code == 0);
    auto v = split_lines(verbose.out);
    CHECK(v.size() > lines.size());
    // The client's first two lines: its SYN, then its move to SYN-SENT and the retransmission
    // timer of 1 s (RFC 6298 (2.1) initial RTO) set at t=0.
    CHECK(v[0] == lines[0]);
    CHECK(std::find(v.begin(), v.end(), "0.000000000 client [conn 0] timer retransmit set, due 1.000000000") != v.end());
    CHECK(std::find(v.begin(), v.end(), "0.000000000 client:49152 [conn 0] state CLOSED -> SYN-SENT (connect)") != v.end());
    // TIME-WAIT lasts 2 * MSL = 2 s from 0.0604832 s.
    CHECK(std::find(v.begin(), v.end(), "2.060483200 client:49152 [conn 0] state TIME-WAIT -> CLOSED (2*MSL elapsed)") != v.end());
    // Same summary at the end either way.
    CHECK(std::vector<std::string>(v.end() - 9, v.end()) == std::vector<std::string>(lines.end() - 9, lines.end()));
}

TEST_CASE("--format pcapng writes one file with every capture point as an interface, next to the pcap files") {
    ScratchDir dir;
    CliRun r = cli({"run", handshake_scenario(), "-q", "--format", "pcap,pcapng", "-o", dir.file("x")});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(has_text(r.err, "x.pcapng (16 packets, 2 interfaces)"));  // 8 segments, each seen at both hosts
    CHECK(pcap_records(dir.file("x.client.pcap")) == 8);
    CHECK(fs::exists(dir.file("x.pcapng")));
    std::string ng = slurp(dir.file("x.pcapng"));
    CHECK(ng.find("tcpsim scenario \"handshake\", seed 1") != std::string::npos);
    CHECK(ng.find("client") != std::string::npos);
    CHECK(ng.find("server") != std::string::npos);
    // pcapng alone, with --snaplen and --capture.
    CliRun only = cli({"run", handshake_scenario(), "-q", "--format", "pcapng", "--capture", "server", "--snaplen", "60",
                       "-o", dir.file("y")});
    REQUIRE_MESSAGE(only.code == 0, only.err);
    CHECK(has_text(only.err, "y.pcapng (8 packets, 1 interface)"));
    CHECK_FALSE(fs::exists(dir.file("y.server.pcap")));
}
