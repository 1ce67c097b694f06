// The command line, called in-process as main() calls it: exit codes, usage, where the trace goes,
// its two formats, the overrides, the tcpdump-like lines and byte-identical reruns.
#include <doctest/doctest.h>

#include "cli_harness.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/version.hpp"
#include "sim/json/json_reader.hpp"
#include "tools/tcpsim/build_commit.hpp"
#include "tools/tcpsim/cli.hpp"

namespace fs = std::filesystem;
using tcpsim::Json;

namespace {

using TempDir = tcpsim::test::ScratchDir;  // tests/cli_harness.hpp

// Makes `dir` the current directory until scope exit, even when a check throws.
class ChangeDir {
public:
    explicit ChangeDir(const fs::path& dir) : old_(fs::current_path()) { fs::current_path(dir); }
    ~ChangeDir() {
        std::error_code ec;
        fs::current_path(old_, ec);
    }
    ChangeDir(const ChangeDir&) = delete;
    ChangeDir& operator=(const ChangeDir&) = delete;

private:
    fs::path old_;
};

struct CliResult {
    int code;
    std::string out, err;
};

CliResult run_cli(const std::vector<std::string>& args) {
    std::vector<const char*> argv{"tcpsim"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    int code = tcpsim::cli_main(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

const std::string kHandshake = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/handshake.json";

// Runs the handshake with these extra options, trace to `trace`; returns the parsed JSON trace.
Json run_handshake_json(const std::string& trace, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run", kHandshake, "-q", "-o", trace};
    args.insert(args.end(), extra.begin(), extra.end());
    CliResult r = run_cli(args);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    return Json::parse(read_file(trace));
}

}  // namespace

TEST_CASE("--help prints the usage on stdout and exits 0") {
    for (const char* flag : {"--help", "-h"}) {
        CliResult r = run_cli({flag});
        CHECK(r.code == 0);
        CHECK(contains(r.out, "usage: tcpsim <command> [options]"));
        CHECK(contains(r.out, "run SCENARIO"));
        CHECK(contains(r.out, "validate FILE..."));
        CHECK(r.err.empty());
    }
}

TEST_CASE("run --help lists the run options and exits 0") {
    CliResult r = run_cli({"run", "--help"});
    CHECK(r.code == 0);
    for (const char* opt : {"--output", "--format", "--trace-level", "--quiet", "--seed", "--duration", "--max-events"})
        CHECK_MESSAGE(contains(r.out, opt), opt);
}

TEST_CASE("--version prints the name, the version and the git commit it was built from, and exits 0") {
    CliResult r = run_cli({"--version"});
    CHECK(r.code == 0);
    CHECK(r.out == std::string("tcpsim ") + tcpsim::kVersion + " (commit " + tcpsim::kBuildCommit + ")\n");
    // Built from this checkout: the commit is git's (12 hex digits, maybe "+modified").
    std::string commit = tcpsim::kBuildCommit;
    REQUIRE(commit.size() >= 12);
    CHECK(commit.substr(0, 12).find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(r.err.empty());
}

TEST_CASE("no arguments exit 2 with the usage on stderr") {
    CliResult r = run_cli({});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "usage: tcpsim <command> [options]"));
    CHECK(r.out.empty());
}

TEST_CASE("an unknown command exits 2 and names the command") {
    CliResult r = run_cli({"simulate", kHandshake});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "unknown command \"simulate\""));
    CHECK(contains(r.err, "tcpsim --help"));
}

TEST_CASE("an unknown option exits 2 and names the option") {
    TempDir dir;
    CliResult r = run_cli({"run", kHandshake, "--colour", "-o", dir.file("t.json")});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "--colour"));
    CHECK_FALSE(fs::exists(dir.file("t.json")));
    CHECK(run_cli({"validate", "--strict", kHandshake}).code == 2);
}

TEST_CASE("run without a scenario exits 2") {
    CliResult r = run_cli({"run"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "run needs a scenario file"));
}

TEST_CASE("run with two scenarios exits 2") {
    CliResult r = run_cli({"run", kHandshake, kHandshake});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "run takes one scenario file, got 2"));
}

TEST_CASE("validate without a file exits 2") {
    CliResult r = run_cli({"validate"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "validate needs at least one scenario file"));
}

TEST_CASE("a bad option value exits 2 and writes no trace") {
    TempDir dir;
    struct Case {
        std::vector<std::string> options;
        const char* message;
    };
    for (const auto& c : std::vector<Case>{{{"--format", "bogus"}, "--format takes json, jsonl, csv, pcap or pcapng (a comma-separated list), got \"bogus\""},
                                           {{"--trace-level", "verbose"}, "--trace-level must be summary, segments or all"},
                                           {{"--duration", "10"}, "--duration expects a positive duration"},
                                           {{"--duration", "-1s"}, "--duration expects a positive duration"},
                                           {{"--seed", "minus-one"}, "--seed"},
                                           {{"--max-events", "many"}, "--max-events"},
                                           // Boost alone would wrap a negative number to a huge unsigned one.
                                           {{"--seed", "-1"}, "--seed expects an integer >= 0, got \"-1\""},
                                           {{"--max-events", "-5"}, "--max-events expects an integer >= 1"},
                                           {{"--max-events", "0"}, "--max-events expects an integer >= 1"}}) {
        INFO(c.options[0], " ", c.options[1]);
        std::vector<std::string> args{"run", kHandshake, "-o", dir.file("t.json")};
        args.insert(args.end(), c.options.begin(), c.options.end());
        CliResult r = run_cli(args);
        CHECK(r.code == 2);
        CHECK_MESSAGE(contains(r.err, c.message), r.err);
        CHECK(r.out.empty());
        CHECK_FALSE(fs::exists(dir.file("t.json")));
    }
}

TEST_CASE("validate accepts the shipped handshake scenario") {
    CliResult r = run_cli({"validate", kHandshake});
    CHECK(r.code == 0);
    CHECK(contains(r.out, kHandshake + ": ok (scenario \"handshake\", 2 nodes, 1 links, 1 applications)"));
    CHECK(r.err.empty());
}

TEST_CASE("run writes <scenario name>.trace.json in the current directory by default and names it on stderr") {
    TempDir dir;
    ChangeDir cd(dir.path());
    CliResult r = run_cli({"run", kHandshake, "-q"});
    CHECK(r.code == 0);
    CHECK(fs::exists(dir.path() / "handshake.trace.json"));
    CHECK(contains(r.err, "tcpsim: trace: handshake.trace.json ("));
    CHECK_NOTHROW(Json::parse(read_file("handshake.trace.json")));
}

TEST_CASE("the default trace name ends in .jsonl for the jsonl format") {
    TempDir dir;
    ChangeDir cd(dir.path());
    CliResult r = run_cli({"run", kHandshake, "-q", "--format", "jsonl"});
    CHECK(r.code == 0);
    CHECK(fs::exists(dir.path() / "handshake.trace.jsonl"));
    CHECK_FALSE(fs::exists(dir.path() / "handshake.trace.json"));
    CHECK(contains(r.err, "tcpsim: trace: handshake.trace.jsonl ("));
}

TEST_CASE("-o writes the trace to the named file and nowhere else") {
    TempDir dir;
    ChangeDir cd(dir.path());
    std::string trace = dir.file("elsewhere.json");
    CliResult r = run_cli({"run", kHandshake, "-q", "-o", trace});
    CHECK(r.code == 0);
    CHECK(fs::exists(trace));
    CHECK_FALSE(fs::exists(dir.path() / "handshake.trace.json"));
    CHECK(contains(r.err, "tcpsim: trace: " + trace + " ("));
}

TEST_CASE("-o - writes the trace to stdout instead of the tcpdump-like lines") {
    CliResult r = run_cli({"run", kHandshake, "-o", "-"});
    CHECK(r.code == 0);
    Json doc = Json::parse(r.out);  // nothing else on stdout
    CHECK(doc.contains("meta"));
    CHECK_FALSE(contains(r.err, "tcpsim: trace:"));
}

TEST_CASE("--no-trace writes no trace file") {
    TempDir dir;
    ChangeDir cd(dir.path());
    CliResult r = run_cli({"run", kHandshake, "-q", "--no-trace"});
    CHECK(r.code == 0);
    CHECK(fs::is_empty(dir.path()));
}

namespace {
// An ostream whose every write fails, as std::cout does on a full disk (`> /dev/full`).
struct FullBuffer : std::streambuf {
    int overflow(int) override { return traits_type::eof(); }
    std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};
}  // namespace

TEST_CASE("standard output that cannot be written is reported, exit 1") {
    FullBuffer full;
    std::ostream out(&full);
    std::ostringstream err;
    std::vector<const char*> argv{"tcpsim", "run", kHandshake.c_str()};
    int code = tcpsim::cli_main(static_cast<int>(argv.size()), argv.data(), out, err);
    CHECK(code == 1);
    CHECK(contains(err.str(), "tcpsim: error: writing to standard output failed"));
    // The same command with somewhere to write succeeds.
    std::ostringstream ok, err2;
    CHECK(tcpsim::cli_main(static_cast<int>(argv.size()), argv.data(), ok, err2) == 0);
    // A failure already has its own code: it stays.
    std::vector<const char*> bad{"tcpsim", "run", "/no/such/scenario.json"};
    std::ostringstream err3;
    CHECK(tcpsim::cli_main(static_cast<int>(bad.size()), bad.data(), out, err3) == 2);
}

TEST_CASE("a file that cannot be opened is reported with the system's reason") {
    TempDir dir;
    CliResult r = run_cli({"run", kHandshake, "-q", "-o", dir.file("no-such-dir/t.json")});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot open trace file"));
    CHECK(contains(r.err, ": no such file or directory"));
    // A directory where the trace should go.
    fs::create_directory(dir.file("d.json"));
    r = run_cli({"run", kHandshake, "-q", "-o", dir.file("d.json")});
    CHECK(r.code == 2);
    CHECK(contains(r.err, ": is a directory"));
    // The capture files say why too.
    r = run_cli({"run", kHandshake, "-q", "--format", "pcapng", "-o", dir.file("no-such-dir/t")});
    CHECK(r.code != 0);
    CHECK(contains(r.err, ": no such file or directory"));
    // And a scenario that is not there.
    r = run_cli({"run", dir.file("missing.json"), "-q"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "cannot open file: no such file or directory"));
}

TEST_CASE("--format jsonl writes one JSON object per line, meta first and summary last") {
    TempDir dir;
    std::string trace = dir.file("t.jsonl");
    CliResult r = run_cli({"run", kHandshake, "-q", "--format", "jsonl", "-o", trace});
    REQUIRE(r.code == 0);
    std::string text = read_file(trace);
    REQUIRE_FALSE(text.empty());
    CHECK(text.back() == '\n');
    auto lines = lines_of(text);
    REQUIRE(lines.size() >= 3);
    std::vector<Json> records;
    for (const auto& l : lines) {
        INFO(l);
        REQUIRE_NOTHROW(records.push_back(Json::parse(l)));
        CHECK(records.back().is_object());
    }
    CHECK(records.front()["type"] == "meta");
    CHECK(records.back()["type"] == "summary");
    for (size_t i = 1; i + 1 < records.size(); ++i) {
        CHECK(records[i]["type"] != "meta");
        CHECK(records[i]["type"] != "summary");
        CHECK(records[i].contains("t_ns"));
    }
}

TEST_CASE("--format json writes one document with meta, events and summary") {
    TempDir dir;
    Json doc = run_handshake_json(dir.file("t.json"), {"--format", "json"});
    REQUIRE(doc.is_object());
    CHECK(doc["meta"]["scenario"] == "handshake");
    CHECK(doc["meta"]["tool"] == "tcpsim");
    REQUIRE(doc["events"].is_array());
    CHECK_FALSE(doc["events"].empty());
    CHECK(doc["summary"]["run"].contains("stop_reason"));
}

TEST_CASE("--trace-level summary writes no events") {
    TempDir dir;
    Json doc = run_handshake_json(dir.file("t.json"), {"--trace-level", "summary"});
    CHECK(doc["meta"]["trace_level"] == "summary");
    CHECK(doc["events"].empty());
    CHECK(doc["summary"]["run"]["events"].get<uint64_t>() > 0);  // the run itself still happened

    std::string jsonl = dir.file("t.jsonl");
    REQUIRE(run_cli({"run", kHandshake, "-q", "--trace-level", "summary", "--format", "jsonl", "-o", jsonl}).code == 0);
    auto lines = lines_of(read_file(jsonl));
    REQUIRE(lines.size() == 2);
    CHECK(Json::parse(lines[0])["type"] == "meta");
    CHECK(Json::parse(lines[1])["type"] == "summary");
}

TEST_CASE("--max-events 5 stops the run after 5 events with stop reason event_budget") {
    TempDir dir;
    Json doc = run_handshake_json(dir.file("t.json"), {"--max-events", "5"});
    CHECK(doc["summary"]["run"]["stop_reason"] == "event_budget");
    CHECK(doc["summary"]["run"]["events"] == 5);
    // The handshake alone needs more than 5 events to finish.
    Json full = run_handshake_json(dir.file("full.json"));
    CHECK(full["summary"]["run"]["events"].get<uint64_t>() > 5);
    CHECK(full["summary"]["run"]["stop_reason"] != "event_budget");
}

TEST_CASE("--seed and --duration override what the scenario says, and meta reports the overrides") {
    TempDir dir;
    Json plain = run_handshake_json(dir.file("plain.json"));
    // As written in scenarios/handshake.json: "seed": 1, "duration": "10s".
    CHECK(plain["meta"]["seed"] == 1);
    CHECK(plain["meta"]["duration_ns"] == 10'000'000'000LL);

    Json over = run_handshake_json(dir.file("over.json"), {"--seed", "7", "--duration", "500ms"});
    CHECK(over["meta"]["seed"] == 7);
    CHECK(over["meta"]["duration_ns"] == 500'000'000);
    CHECK(over["meta"]["duration"] == 0.5);
    // The input as written is kept unchanged beside the overrides.
    CHECK(over["meta"]["input"]["seed"] == 1);
    // The handshake and the request take well under 500 ms, the TIME-WAIT of 2 * MSL = 2 s does
    // not: the shortened run ends at its end time.
    CHECK(over["summary"]["run"]["stop_reason"] == "end_time");
    CHECK(over["summary"]["run"]["end_time_ns"] == 500'000'000);
}

TEST_CASE("run prints the handshake as tcpdump-like lines on stdout") {
    CliResult r = run_cli({"run", kHandshake, "--no-trace"});
    REQUIRE(r.code == 0);
    auto lines = lines_of(r.out);
    REQUIRE(lines.size() >= 3);
    // The SYN at t=0 from the client's fixed port 49152 to server port 5555, seq = the client's
    // ISN (1000 in the scenario). The window in a SYN is never scaled (RFC 7323 2.2): min(1 MiB
    // buffer, 65535). Options: the default MSS 1460, SACK permitted (default on) and window scale
    // 5, the smallest shift that fits the 1 MiB receive buffer in 16 bits (2^20 >> 5 = 32768).
    CHECK(lines[0] == "0.000000000 client:49152 > server:5555 Flags [S], seq 1000, win 65535, "
                      "options [mss 1460,sackOK,wscale 5], length 0");
    // The SYN-ACK leaves when the SYN arrives: 10 ms of delay plus 52 bytes (20 IP + 20 TCP +
    // 12 of options) at 10 Mbit/s = 41.6 us. seq = the server's ISN 5000, ack = 1000 + 1.
    CHECK(lines[1] == "0.010041600 server:5555 > client:49152 Flags [S.], seq 5000, ack 1001, win 65535, "
                      "options [mss 1460,sackOK,wscale 5], length 0");
    // The client's ACK one round trip after its SYN; the window now scaled: 2^20 >> 5 = 32768.
    CHECK(lines[2] == "0.020083200 client:49152 > server:5555 Flags [.], seq 1001, ack 5001, win 32768, length 0");
}

TEST_CASE("a scripted SYN prints exactly as written") {
    // A segment script sends the header as given: only the MSS option, the window as written.
    TempDir dir;
    std::string scen = dir.file("syn.json");
    std::ofstream(scen) << R"({"name": "syn", "duration": "1s", "nodes": [{"name": "client"}, {"name": "server"}],
        "links": [{"between": ["client", "server"], "bandwidth": "10Mbps", "delay": "10ms"}],
        "applications": [{"type": "segments", "node": "client", "segments": [
          {"at": "0ms", "to": "server", "sport": 49152, "dport": 5555, "flags": "S", "seq": 1000, "win": 65535,
           "options": {"mss": 1460}}]}]})";
    CliResult r = run_cli({"run", scen, "--no-trace"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto lines = lines_of(r.out);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines[0] == "0.000000000 client:49152 > server:5555 Flags [S], seq 1000, win 65535, options [mss 1460], length 0");
}

TEST_CASE("-q suppresses the tcpdump-like lines but not the trace, stdout has the summary only") {
    TempDir dir;
    for (const char* q : {"-q", "--quiet"}) {
        CliResult r = run_cli({"run", kHandshake, q, "-o", dir.file("t.json")});
        CHECK(r.code == 0);
        CHECK(r.out.rfind("summary: stopped (all_finished)", 0) == 0);
        CHECK_FALSE(contains(r.out, "Flags ["));
        CHECK_FALSE(Json::parse(read_file(dir.file("t.json")))["events"].empty());
    }
}

TEST_CASE("two runs with the same seed write byte-identical trace files") {
    TempDir dir;
    for (const char* format : {"json", "jsonl"}) {
        INFO(format);
        std::string a = dir.file(std::string("a.") + format), b = dir.file(std::string("b.") + format);
        REQUIRE(run_cli({"run", kHandshake, "-q", "--format", format, "--seed", "3", "-o", a}).code == 0);
        REQUIRE(run_cli({"run", kHandshake, "-q", "--format", format, "--seed", "3", "-o", b}).code == 0);
        std::string ta = read_file(a), tb = read_file(b);
        CHECK(ta.size() > 1000);
        CHECK(ta == tb);
    }
}

TEST_CASE("-o naming the scenario file itself exits 2 and leaves the scenario intact") {
    TempDir dir;
    std::string copy = dir.file("scenario.json");
    fs::copy_file(kHandshake, copy);
    std::string before = read_file(copy);
    CliResult r = run_cli({"run", copy, "-q", "-o", copy});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "is the scenario itself"));
    CHECK(read_file(copy) == before);
}
