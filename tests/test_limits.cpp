// Limits (README "Security and limits"): scenarios too big to build are refused with a message
// naming the field and the limit, not an out-of-memory; input that would make the reader loop,
// recurse without bound or overflow time is refused; --max-trace-bytes stops a run before the
// disk fills and leaves a valid trace.
#include <doctest/doctest.h>

#include "cli_harness.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/scenario_config.hpp"
#include "sim/json/json_reader.hpp"
#include "tools/tcpsim/cli.hpp"

namespace fs = std::filesystem;
using namespace tcpsim;

namespace {

using TempDir = tcpsim::test::ScratchDir;  // tests/cli_harness.hpp
using CliResult = tcpsim::test::CliRun;
CliResult run_cli(const std::vector<std::string>& args) { return tcpsim::test::cli(args); }

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// The InputError message parse_scenario gives for `doc`, or "" if it loads.
std::string load_error(const Json& doc) {
    try {
        parse_scenario(doc, "limits.json");
        return "";
    } catch (const InputError& e) {
        return e.what();
    }
}

// A chain of n routers r0 - r1 - ... - r(n-1): every inner router has two links.
Json router_chain(int n) {
    Json doc = {{"name", "chain"}, {"duration", "1s"}, {"nodes", Json::array()}, {"links", Json::array()}};
    for (int i = 0; i < n; ++i) doc["nodes"].push_back({{"name", "r" + std::to_string(i)}, {"type", "router"}});
    for (int i = 0; i + 1 < n; ++i) doc["links"].push_back({{"between", {"r" + std::to_string(i), "r" + std::to_string(i + 1)}}});
    return doc;
}

Json two_hosts() {
    return {{"name", "t"}, {"duration", "10s"}, {"nodes", {{{"name", "a"}}, {{"name", "b"}}}},
            {"links", {{{"between", {"a", "b"}}}}}};
}

const std::string kLossyLink = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/lossy-link.json";

}  // namespace

TEST_CASE("ten million dumbbell pairs are refused at /topology/pairs with the limit, 49,999 load") {
    Json doc = {{"name", "d"}, {"duration", "1s"},
                {"topology", {{"type", "dumbbell"}, {"pairs", 10'000'000}, {"access", Json::object()}, {"bottleneck", Json::object()}}}};
    // 2 routers + 2 hosts per pair within kMaxNodes = 100,000: at most (100,000 - 2) / 2 = 49,999 pairs.
    CHECK(contains(load_error(doc), "limits.json: /topology/pairs: expected an integer in [1, 49999], got 10000000"));
    doc["topology"]["pairs"] = 50'000;
    CHECK(contains(load_error(doc), "/topology/pairs"));
    doc["topology"]["pairs"] = 49'999;
    ScenarioConfig c = parse_scenario(doc, "limits.json");
    CHECK(c.nodes.size() == 100'000);
    CHECK(c.links.size() == 99'999);  // the bottleneck and two access links per pair
}

TEST_CASE("more explicit nodes than the limit are refused at the first one too many") {
    Json doc = {{"name", "n"}, {"duration", "1s"}, {"nodes", Json::array()}};
    for (size_t i = 0; i <= kMaxNodes; ++i) doc["nodes"].push_back({{"name", "h" + std::to_string(i)}});
    CHECK(contains(load_error(doc), "/nodes/100000/name: too many nodes (the limit is 100000)"));
}

TEST_CASE("a million applications load (benchmark case E), and one more is refused at the entry that passes the limit") {
    // Two client hosts, so that no client and server port pair runs out of ephemeral ports.
    Json doc = {{"name", "m"}, {"duration", "1s"}, {"nodes", {{{"name", "a"}}, {{"name", "b"}}, {{"name", "s"}}}},
                {"links", {{{"between", {"a", "s"}}}, {{"between", {"b", "s"}}}}}, {"applications", Json::array()}};
    for (int i = 0; i < 100; ++i)
        doc["applications"].push_back({{"type", "idle"}, {"from", i % 2 ? "a" : "b"}, {"to", "s"}, {"port", 6000 + i / 2},
                                       {"connections", 10'000}});
    CHECK(kMaxApplications == 1'000'000);
    ScenarioConfig c = parse_scenario(doc, "limits.json");
    CHECK(c.application_count() == 1'000'000);
    doc["applications"].push_back({{"type", "idle"}, {"from", "a"}, {"to", "s"}, {"port", 7000}});
    CHECK(contains(load_error(doc), "limits.json: /applications/100: one application too many: at most 1000000 applications in all"));
    doc["applications"][100]["connections"] = 2;
    CHECK(contains(load_error(doc), "limits.json: /applications/100/connections: expected at most 1000000 applications in all, got 2"));
}

TEST_CASE("a topology too large to route is refused at /links with the computed cost and the limit") {
    // 8,000 routers in a chain: 7,998 inner routers have two links; 7,998 x (8,000 + 2 x 7,999)
    // = 7,998 x 23,998 = 191,936,004 steps of route computation, above 50,000,000.
    std::string e = load_error(router_chain(8000));
    CHECK(contains(e, "limits.json: /links: the topology is too large to route"));
    CHECK(contains(e, "7998 nodes with several links x (8000 nodes + 2 x 7999 links) = 191936004"));
    CHECK(contains(e, "(the limit is 50000000)"));
    // 1,000 routers: 998 x (1,000 + 1,998) = 2,992,004: fine.
    CHECK(load_error(router_chain(1000)).empty());
}

TEST_CASE("raw segments in all applications together are limited to two million within the run") {
    Json doc = two_hosts();
    Json seg = {{"at", "0s"}, {"to", "b"}, {"flags", "."}, {"count", 1'500'000}, {"interval", "1us"}};
    doc["applications"] = {{{"type", "segments"}, {"node", "a"}, {"segments", {seg, seg}}}};
    // 1.5 million + 1.5 million = 3 million > 2 million: refused at the second entry.
    std::string e = load_error(doc);
    CHECK(contains(e, "/applications/0/segments/1/count"));
    CHECK(contains(e, "at most 2000000 raw segments"));
    CHECK(contains(e, "brings the total to 3000000"));
}

TEST_CASE("copies of a repeated segment after the end of the run are not counted or kept") {
    Json doc = two_hosts();
    // At 0 s, every 1 s, in a 10 s run: copies at 0, 1, ..., 10 s are within it (11); the other
    // 9,999,989 of the ten million would come after the end. (Before, count x interval was
    // computed for each of them.)
    doc["applications"] = {{{"type", "segments"}, {"node", "a"},
                            {"segments", {{{"at", "0s"}, {"to", "b"}, {"flags", "."}, {"count", 10'000'000}, {"interval", "1s"}}}}}};
    ScenarioConfig c = parse_scenario(doc, "limits.json");
    const auto& script = std::get<SegmentScriptSpec>(c.applications[0]);
    REQUIRE(script.segments.size() == 11);
    CHECK(script.segments.back().at == SimTime::from_s(10));
}

TEST_CASE("durations are limited to ten years, so sums of them cannot overflow simulated time") {
    Json doc = two_hosts();
    doc["duration"] = "87601h";  // 10 years = 87,600 h
    CHECK(contains(load_error(doc), "/duration: expected a duration of at most 10 years (315360000s), got \"87601h\""));
    doc["duration"] = "87600h";
    CHECK(load_error(doc).empty());
    doc["links"][0]["delay"] = "100000h";
    CHECK(contains(load_error(doc), "/links/0/delay: expected a duration of at most 10 years"));
}

TEST_CASE("a document nested deeper than 64 levels is refused without recursing into it") {
    // A million levels: a recursive copy or dump of it would overflow the stack.
    std::string deep = R"({"name": "t", "duration": "1s", "_x": )" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
    try {
        parse_json_text(deep, "deep.json");
        FAIL("a million levels were accepted");
    } catch (const InputError& e) {
        CHECK(e.file() == "deep.json");
        CHECK(e.pointer().starts_with("/_x/0/0/0"));
        CHECK(contains(e.what(), "nested more than 64 levels deep"));
    }
    // 64 levels in all (the top object and 63 arrays) are fine.
    std::string ok = R"({"_x": )" + std::string(63, '[') + std::string(63, ']') + "}";
    CHECK_NOTHROW(parse_json_text(ok, "ok.json"));
    std::string over = R"({"_x": )" + std::string(64, '[') + std::string(64, ']') + "}";
    CHECK_THROWS_AS(parse_json_text(over, "over.json"), InputError);
}

namespace {

// The pointer and message of the InputError parsing text gives, or "" if it parses.
std::string parse_error(const std::string& text) {
    try {
        parse_json_text(text, "big.json");
        return "";
    } catch (const InputError& e) {
        return e.pointer() + ": " + e.what();
    }
}

std::string repeated(std::string_view item, size_t n) {
    std::string s;
    s.reserve(n * (item.size() + 1));
    for (size_t i = 0; i < n; ++i) {
        if (i) s += ',';
        s += item;
    }
    return s;
}

}  // namespace

TEST_CASE("one list holds at most a million entries: the first one past it is named") {
    const std::string head = R"({"name": "t", "_x": [)";
    CHECK(parse_error(head + repeated("{}", kMaxJsonListLength) + "]}").empty());
    std::string over = parse_error(head + repeated("{}", kMaxJsonListLength + 1) + "]}");
    CHECK(contains(over, "/_x/1000000: "));
    CHECK(contains(over, "a list of more than 1000000 entries (the limit for one list in a scenario)"));
    // Nested lists count their own entries, not the enclosing list's.
    CHECK(parse_error(R"({"_x": [[)" + repeated("0", 1000) + "], [" + repeated("0", 1000) + "]]}").empty());
}

TEST_CASE("one object holds at most 10,000 keys: the first one past it is named") {
    auto object = [](size_t keys) {
        std::string s = R"({"name": "t", "_x": {)";
        for (size_t i = 0; i < keys; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\": 0";
        return s + "}}";
    };
    CHECK(parse_error(object(kMaxJsonObjectMembers)).empty());
    std::string over = parse_error(object(kMaxJsonObjectMembers + 1));
    CHECK(contains(over, "/_x/k10000: "));
    CHECK(contains(over, "an object of more than 10000 keys"));
}

TEST_CASE("a file holds at most six million values, so its tree stays under about 700 MB") {
    // Six lists of 999,999 zeros, the lists and the top object: 6,000,002 values in all.
    std::string text = R"({"_a": [)" + repeated("[" + repeated("0", kMaxJsonListLength - 1) + "]", 6) + "]}";
    std::string over = parse_error(text);
    // Values count as they start: the top object, the outer list, five whole lists (5,000,000)
    // and the sixth list make 5,000,003, so the 6,000,001st is the sixth list's 999,998th zero.
    CHECK(contains(over, "/_a/5/999997: "));
    CHECK(contains(over, "the file holds more than 6000000 JSON values"));
    // With the last list two zeros shorter it holds exactly 6,000,000: within the limit.
    std::string fewer = R"({"_a": [)" + repeated("[" + repeated("0", kMaxJsonListLength - 1) + "]", 5) + ",[" +
                        repeated("0", kMaxJsonListLength - 3) + "]]}";
    CHECK(parse_error(fewer).empty());
}

TEST_CASE("an endless input such as /dev/zero is refused after 64 MiB instead of being read forever") {
    if (!fs::exists("/dev/zero")) return;
    CliResult r = run_cli({"validate", "/dev/zero"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "tcpsim: error: /dev/zero: (document): the file is larger than 64 MiB"));
}

TEST_CASE("--max-trace-bytes stops the run before the trace passes the limit, exit 1, the trace valid JSON") {
    TempDir dir;
    std::string trace = dir.file("t.json");
    CliResult r = run_cli({"run", kLossyLink, "-q", "-o", trace, "--max-trace-bytes", "20000"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "tcpsim: error: the trace reached --max-trace-bytes (20000 bytes) at t="));
    std::string text = read_file(trace);
    Json doc = Json::parse(text);  // throws if not valid JSON
    CHECK(doc["summary"]["run"]["stop_reason"] == "trace_limit");
    // The run stopped early: lossy-link sends 1,000 segments over 2 s, and 20 kB of trace is not
    // even the first hundred events (each send/deliver record is about 300 bytes).
    CHECK(doc["summary"]["run"]["end_time_ns"].get<int64_t>() < 2'000'000'000);
    CHECK(doc["events"].size() > 10);
    // The whole file, summary included, is within the limit.
    CHECK(text.size() <= 20000);
    // Without the limit the same trace is far larger.
    CliResult full = run_cli({"run", kLossyLink, "-q", "-o", dir.file("full.json")});
    CHECK(full.code == 0);
    CHECK(read_file(dir.file("full.json")).size() > 200'000);
}

TEST_CASE("--max-trace-bytes leaves a valid jsonl trace too, one object per line, summary last") {
    TempDir dir;
    std::string trace = dir.file("t.jsonl");
    CliResult r = run_cli({"run", kLossyLink, "-q", "-o", trace, "--format", "jsonl", "--max-trace-bytes", "30KB"});
    CHECK(r.code == 1);
    std::istringstream lines(read_file(trace));
    std::vector<Json> records;
    for (std::string l; std::getline(lines, l);) records.push_back(Json::parse(l));
    REQUIRE(records.size() > 2);
    CHECK(records.front()["type"] == "meta");
    CHECK(records.back()["type"] == "summary");
    CHECK(records.back()["run"]["stop_reason"] == "trace_limit");
}

TEST_CASE("--max-trace-bytes: the whole file, summary included, stays within the limit") {
    TempDir dir;
    // From just enough for header and summary to just short of the whole trace, as json and
    // jsonl: never a byte over, always one valid document with its summary.
    for (const std::string format : {"json", "jsonl"}) {
        std::string full_path = dir.file("full." + format);
        REQUIRE(run_cli({"run", kLossyLink, "-q", "-o", full_path, "--format", format}).code == 0);
        const uint64_t full = read_file(full_path).size();
        for (uint64_t n : {uint64_t{12000}, uint64_t{20000}, uint64_t{20001}, uint64_t{47111}, full / 2, full - 1000, full - 1}) {
            CAPTURE(format);
            CAPTURE(n);
            std::string trace = dir.file("t." + format);
            CliResult r = run_cli({"run", kLossyLink, "-q", "-o", trace, "--format", format, "--max-trace-bytes", std::to_string(n)});
            if (r.code == 2) {  // a limit below the header and summary's room
                CHECK(contains(r.err, "leaves no room for this scenario's trace header and summary"));
                CHECK_FALSE(fs::exists(trace));
                continue;
            }
            CHECK(r.code == 1);
            std::string text = read_file(trace);
            CHECK(text.size() <= n);
            if (format == "json") {
                Json doc = Json::parse(text);
                CHECK(doc["summary"].contains("run"));
            } else {
                std::istringstream lines(text);
                Json last;
                for (std::string l; std::getline(lines, l);) last = Json::parse(l);
                CHECK(last["type"] == "summary");
            }
            fs::remove(trace);
        }
    }
    // The run ends before the limit, but not with its summary: the last events make room.
    const uint64_t full = read_file(dir.file("full.json")).size();
    std::string trace = dir.file("late.json");
    CliResult r = run_cli({"run", kLossyLink, "-q", "-o", trace, "--max-trace-bytes", std::to_string(full - 1)});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "with its summary: its last "));
    Json doc = Json::parse(read_file(trace));
    CHECK(doc["summary"]["run"]["stop_reason"] != "trace_limit");
}

TEST_CASE("--max-trace-bytes too small for the header and summary, or with -o -, is a usage error that writes nothing") {
    TempDir dir;
    CliResult r = run_cli({"run", kLossyLink, "-q", "-o", dir.file("t.json"), "--max-trace-bytes", "1"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "--max-trace-bytes 1 leaves no room for this scenario's trace header and summary: give at least "));
    CHECK(dir.listing().empty());
    r = run_cli({"run", kLossyLink, "-q", "-o", "-", "--max-trace-bytes", "1MB"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "it does not go with -o - (standard output)"));
}

TEST_CASE("--max-trace-bytes refuses a size that is not one, exit 2") {
    for (const char* bad : {"0", "-5", "lots", "10XB"}) {
        CAPTURE(bad);
        CliResult r = run_cli({"run", kLossyLink, "-q", "--no-trace", "--max-trace-bytes", bad});
        CHECK(r.code == 2);
        CHECK(contains(r.err, "--max-trace-bytes expects a size"));
    }
}

TEST_CASE("a limit the trace never reaches changes nothing") {
    TempDir dir;
    CHECK(run_cli({"run", kLossyLink, "-q", "-o", dir.file("a.json")}).code == 0);
    CHECK(run_cli({"run", kLossyLink, "-q", "-o", dir.file("b.json"), "--max-trace-bytes", "1GB"}).code == 0);
    CHECK(read_file(dir.file("a.json")) == read_file(dir.file("b.json")));
}

TEST_CASE("a number too large for a double is refused as malformed JSON with exit 2, not an internal error") {
    // Found by fuzz_scenario_loader (tests/data/fuzz/scenario_loader/number-overflow-1e600.json):
    // nlohmann reports the overflow as out_of_range, which escaped as "internal error", exit 1.
    TempDir dir;
    std::string f = dir.file("big-number.json");
    std::ofstream(f) << R"({"name": "t", "duration": 1e600, "nodes": [{"name": "a"}]})";
    CliResult r = run_cli({"validate", f});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "big-number.json: (document): malformed JSON: number overflow parsing '1e600' (numbers must fit a double)"));
}

TEST_CASE("--duration is held to the same ten years as the scenario's durations") {
    CliResult r = run_cli({"run", kLossyLink, "-q", "--no-trace", "--duration", "100000h"});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "--duration expects a positive duration of at most 10 years"));
}

TEST_CASE("more links than the limit are refused at the first one too many") {
    // Two hosts joined by 400,001 parallel links: the 400,001st (index 400,000) is refused.
    Json doc = two_hosts();
    doc["links"] = Json::array();
    for (size_t i = 0; i <= kMaxLinks; ++i) doc["links"].push_back({{"between", {"a", "b"}}});
    CHECK(contains(load_error(doc), "limits.json: /links/400000: too many links (the limit is 400000)"));
}

TEST_CASE("a trace file that cannot be written (disk full) stops the run at the first flush, exit 1") {
    if (!fs::exists("/dev/full")) return;  // Linux: every write fails with ENOSPC
    // red-ecn at level all: 10.5 MB of text over 20 s. The records go to the writer's thread in
    // 256 KiB buffers (of ops, smaller than their text), a failed write is noticed at a later
    // hand-over (up to BackgroundWriter::kQueued + 1 later: that many may wait for the thread),
    // and the run stops there instead of simulating on into a dead file. (lossy-link, 1.8 MB over 2 s, was
    // used here until packed cc records left it only a few buffers: then a late notice came at
    // the run's end.)
    CliResult r = run_cli({"run", std::string(TCPSIM_SOURCE_DIR) + "/scenarios/red-ecn.json", "-q", "--trace-level",
                           "all", "-o", "/dev/full"});
    CHECK(r.code == 1);
    const std::string at = "tcpsim: error: writing \"/dev/full\" failed (disk full?) at t=";
    size_t pos = r.err.find(at);
    REQUIRE(pos != std::string::npos);
    double t = std::stod(r.err.substr(pos + at.size()));
    CHECK(t > 0);
    CHECK(t < 10);  // the whole run ends at 20 s
    CHECK(contains(r.err, "the run was stopped there"));
}

TEST_CASE("reading a scenario is linear in its size: 8 times the links take nowhere near 64 times as long") {
    // nlohmann's callback parser, which the duplicate-key check used to run in, rescanned the
    // enclosing array at the end of every object: 400,001 links took 41 s to refuse. Linear, 8x the
    // objects take about 8x as long; quadratic, 64x. The bound 30x leaves room for a noisy machine.
    auto links_text = [](int n) {
        std::string t = R"({"name": "t", "duration": "1s", "links": [)";
        for (int i = 0; i < n; ++i) t += std::string(i ? "," : "") + R"({"between": ["a", "b"]})";
        return t + "]}";
    };
    auto seconds_to_parse = [](const std::string& text) {
        auto start = std::chrono::steady_clock::now();
        Json j = parse_json_text(text, "t.json");
        CHECK(j["links"].is_array());
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    std::string small = links_text(20'000), large = links_text(160'000);
    double t_small = std::min({seconds_to_parse(small), seconds_to_parse(small), seconds_to_parse(small)});
    double t_large = seconds_to_parse(large);
    CAPTURE(t_small);
    CAPTURE(t_large);
    CHECK(t_large < 30 * t_small);
}
