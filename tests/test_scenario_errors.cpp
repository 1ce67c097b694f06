// Bad scenarios, through the command line as a user meets them: exit code 2, a message that names
// the file and the JSON pointer of the field at fault and says what was expected, and no trace
// file written. One table row per mistake; `run` and `validate` must agree on every row.
#include <doctest/doctest.h>

#include "cli_harness.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/json/json_reader.hpp"
#include "tools/tcpsim/cli.hpp"

namespace fs = std::filesystem;

namespace {

using TempDir = tcpsim::test::ScratchDir;  // tests/cli_harness.hpp

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

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
    REQUIRE(f.good());
}

// Scenario pieces, so that each row shows only its mistake. Nodes a and b are hosts, r a router.
const std::string kHead =
    R"({"name": "t", "duration": "1s", "nodes": [{"name": "a"}, {"name": "b"}, {"name": "r", "type": "router"}])";
std::string scenario(const std::string& rest) { return kHead + rest + "}"; }
// One link a-b with these extra fields.
std::string link(const std::string& fields) {
    return scenario(R"(, "links": [{"between": ["a", "b"], )" + fields + "}]");
}
// The applications array, over a path a-r-b.
std::string apps(const std::string& list) {
    return scenario(R"(, "links": [{"between": ["a", "r"]}, {"between": ["r", "b"]}], "applications": [)" + list + "]");
}
// A segment script on host a with one segment of these fields.
std::string segment(const std::string& fields) {
    return apps(R"({"type": "segments", "node": "a", "segments": [{)" + fields + "}]}");
}

enum class Situation { file, missing, directory };

struct BadInput {
    const char* name;
    std::string text;     // the scenario file's content (Situation::file)
    const char* pointer;  // as the message prints it: "/links/0/delay", or "(document)"
    const char* message;  // a fragment of what the message must say
    Situation situation = Situation::file;
};

std::vector<BadInput> bad_inputs() {
    return {
        // Wrong types and out-of-range values.
        {"string where a number is expected", scenario(R"(, "seed": "42")"), "/seed", "expected a non-negative integer, got \"42\""},
        {"string where a probability is expected", link(R"("duplicate": "0.1")"), "/links/0/duplicate", "expected a number in [0, 1]"},
        {"negative delay", link(R"("delay": "-5ms")"), "/links/0/delay", "expected a duration >= 0s"},
        {"negative delay as a number of seconds", link(R"("delay": -0.005)"), "/links/0/delay", "expected a duration >= 0s"},
        {"loss probability above 1", link(R"("loss": 1.5)"), "/links/0/loss", "a loss probability in [0, 1]"},
        {"bernoulli rate above 1", link(R"("loss": {"model": "bernoulli", "rate": 1.5})"), "/links/0/loss/rate", "expected a number in [0, 1]"},
        {"loss as a percentage string", link(R"("loss": "1%")"), "/links/0/loss", "a loss probability in [0, 1] or an object"},
        {"packets loss without a list", link(R"("loss": {"model": "packets"})"), "/links/0/loss/drop", "required"},
        {"packets loss with packet 0", link(R"("loss": {"model": "packets", "drop": [3, 0]})"), "/links/0/loss/drop/1",
         "a packet number >= 1"},
        {"packets loss with an empty list", link(R"("loss": {"model": "packets", "drop": []})"), "/links/0/loss/drop",
         "a non-empty list of packet numbers"},
        {"periodic loss every 0", link(R"("loss": {"model": "periodic", "every": 0})"), "/links/0/loss/every",
         "expected an integer in [1, "},
        {"unknown queue type", link(R"("queue": {"packets": 50, "type": "codel"})"), "/links/0/queue/type",
         "one of"},
        {"RED max_threshold below min_threshold", link(R"("queue": {"packets": 50, "type": "red", "min_threshold": 20, "max_threshold": 10})"),
         "/links/0/queue/max_threshold", "a threshold above min_threshold"},
        {"RED threshold beyond the limit", link(R"("queue": {"packets": 50, "type": "red", "min_threshold": 60})"),
         "/links/0/queue/min_threshold", "expected a number in [0, 50]"},
        {"RED max_p 0", link(R"("queue": {"packets": 50, "type": "red", "max_p": 0})"), "/links/0/queue/max_p",
         "a probability in (0, 1]"},
        {"RED key misspelt", link(R"("queue": {"packets": 50, "type": "red", "max_prob": 0.1})"), "/links/0/queue/max_prob",
         "unknown key"},
        {"duration 0", R"({"name": "t", "duration": 0, "nodes": [{"name": "a"}]})", "/duration", "expected a duration >= 1ns"},
        {"negative duration", R"({"name": "t", "duration": "-1s", "nodes": [{"name": "a"}]})", "/duration", "expected a duration >= 1ns"},
        {"bandwidth unit misspelt", link(R"("bandwidth": "10Mbsp")"), "/links/0/bandwidth", "expected a positive bandwidth"},
        {"zero bandwidth", link(R"("bandwidth": "0Mbps")"), "/links/0/bandwidth", "expected a positive bandwidth"},
        {"zero bandwidth as a number", link(R"("bandwidth": 0)"), "/links/0/bandwidth", "expected a positive bandwidth"},
        {"queue with both packets and bytes", link(R"("queue": {"packets": 10, "bytes": "64KB"})"), "/links/0/queue", "exactly one limit"},
        {"queue with no limit", link(R"("queue": {})"), "/links/0/queue", "exactly one limit"},
        {"queue limit 0", link(R"("queue": 0)"), "/links/0/queue", "at least 1 packet"},
        {"queue packets 0", link(R"("queue": {"packets": 0})"), "/links/0/queue/packets", "expected an integer in [1, "},
        {"negative queue limit", link(R"("queue": -5)"), "/links/0/queue", "a packet count >= 1"},
        {"jitter without its max", link(R"("jitter": {"distribution": "uniform"})"), "/links/0/jitter/max", "required field is missing"},
        {"reorder probability 1.5", link(R"("reorder": {"probability": 1.5})"), "/links/0/reorder/probability", "expected a number in [0, 1]"},
        {"outage ending before it starts", link(R"("outages": [{"from": "2s", "to": "1s"}])"), "/links/0/outages/0/to", "a time after \"from\""},
        {"trace level unknown", scenario(R"(, "trace": {"level": "verbose"})"), "/trace/level", "one of \"summary\", \"segments\", \"all\""},
        {"tcp mss below the minimum", scenario(R"(, "tcp": {"mss": 10})"), "/tcp/mss", "expected an integer in [88, 65495]"},
        {"min_rto above the default max_rto", scenario(R"(, "tcp": {"min_rto": "10min"})"), "/tcp/max_rto",
         "not given; expected a duration >= min_rto"},
        {"scenario name with a slash", R"({"name": "a/b", "duration": "1s", "nodes": [{"name": "a"}]})", "/name", "letters, digits"},

        // Unknown and misspelt keys.
        {"misspelt required top-level key", R"({"name": "t", "durration": "1s", "nodes": [{"name": "a"}]})", "/durration",
         "unknown key \"durration\" (did you mean \"duration\"?"},
        {"unknown top-level key near a known one", scenario(R"(, "durration": "2s")"), "/durration", "did you mean \"duration\"?"},
        {"unknown key in a link", link(R"("dealy": "5ms")"), "/links/0/dealy", "unknown key \"dealy\" (did you mean \"delay\"?)"},
        {"unknown key in the tcp settings", scenario(R"(, "tcp": {"nagel": false})"), "/tcp/nagel", "did you mean \"nagle\"?"},

        // Required fields.
        {"missing name", R"({"duration": "1s", "nodes": [{"name": "a"}]})", "/name", "required field is missing"},
        {"missing duration", R"({"name": "t", "nodes": [{"name": "a"}]})", "/duration", "required field is missing"},
        {"no nodes at all", R"({"name": "t", "duration": "1s"})", "/nodes", "not given; expected at least one node"},
        {"application without a type", apps(R"({"from": "a", "to": "b"})"), "/applications/0/type", "required field is missing"},
        {"repeated segment without an interval", segment(R"("at": 0, "to": "b", "flags": "S", "count": 3)"), "/applications/0/segments/0/interval",
         "expected a positive interval when count > 1"},

        // Nodes and references to them.
        {"duplicate node name", R"({"name": "t", "duration": "1s", "nodes": [{"name": "a"}, {"name": "a"}]})", "/nodes/1/name",
         "node \"a\" is defined twice"},
        {"node name with a space", R"({"name": "t", "duration": "1s", "nodes": [{"name": "my host"}]})", "/nodes/0/name",
         "expected a node name of 1-64 letters"},
        {"tcp settings on a router", R"({"name": "t", "duration": "1s", "nodes": [{"name": "r", "type": "router", "tcp": {}}]})",
         "/nodes/0/tcp", "routers have no TCP"},
        {"unknown node in a link", scenario(R"(, "links": [{"between": ["a", "x"]}])"), "/links/0/between/1",
         "unknown node \"x\""},
        {"link between a node and itself", scenario(R"(, "links": [{"between": ["a", "a"]}])"), "/links/0/between",
         "a link joins two different nodes"},
        {"link with three ends", scenario(R"(, "links": [{"between": ["a", "b", "r"]}])"), "/links/0/between", "expected two node names"},
        {"unknown node in an application", apps(R"({"type": "bulk", "from": "a", "to": "server"})"), "/applications/0/to",
         "unknown node \"server\""},
        {"unknown node running a segment script", apps(R"({"type": "segments", "node": "z", "segments": [{"at": 0, "to": "b", "flags": "S"}]})"),
         "/applications/0/node", "unknown node \"z\""},
        {"application on a router", apps(R"({"type": "bulk", "from": "r", "to": "b"})"), "/applications/0/from",
         "a host (routers run no applications)"},
        {"application to itself", apps(R"({"type": "bulk", "from": "a", "to": "a"})"), "/applications/0/to", "another host than \"from\""},

        // Applications and segments.
        {"unknown application type", apps(R"({"type": "bulky", "from": "a", "to": "b"})"), "/applications/0/type", "did you mean \"bulk\"?"},
        {"port 0", apps(R"({"type": "bulk", "from": "a", "to": "b", "port": 0})"), "/applications/0/port", "expected an integer in [1, 65535]"},
        {"port 70000", apps(R"({"type": "bulk", "from": "a", "to": "b", "port": 70000})"), "/applications/0/port",
         "expected an integer in [1, 65535]"},
        {"segment destination port 70000", segment(R"("at": 0, "to": "b", "flags": "S", "dport": 70000)"), "/applications/0/segments/0/dport", "expected an integer in [1, 65535]"},
        {"bad flags letter", segment(R"("at": 0, "to": "b", "flags": "SX")"),
         "/applications/0/segments/0/flags", "tcpdump-style flags"},
        {"application starting after the end", apps(R"({"type": "bulk", "from": "a", "to": "b", "start": "2s"})"), "/applications/0/start",
         "a time before the end of the run"},
        {"segment after the end", segment(R"("at": "5s", "to": "b", "flags": "S")"),
         "/applications/0/segments/0/at", "within the scenario's duration"},
        {"close before the start", apps(R"({"type": "bulk", "from": "a", "to": "b", "start": "500ms", "close_at": "100ms"})"),
         "/applications/0/close_at", "expected a duration >= 500ms"},
        {"two applications on one fixed 4-tuple",
         apps(R"({"type": "bulk", "from": "a", "to": "b", "sport": 7}, {"type": "bulk", "from": "a", "to": "b", "sport": 7})"),
         "/applications/1/sport", "not used by /applications/0"},

        // Topology shorthand.
        {"topology with 0 pairs", scenario(R"(, "topology": {"pairs": 0, "access": {}, "bottleneck": {}})"), "/topology/pairs",
         "expected an integer in [1, 49999]"},
        {"topology with ten million pairs", scenario(R"(, "topology": {"pairs": 10000000, "access": {}, "bottleneck": {}})"),
         "/topology/pairs", "expected an integer in [1, 49999], got 10000000"},

        // The document itself.
        {"trailing comma on line 3", "{\n  \"name\": \"t\",\n  \"duration\": \"1s\",\n}\n", "(document)",
         "malformed JSON at line 3, column 19: trailing comma"},
        {"unclosed object", "{\n  \"name\": \"t\",\n  \"duration\": \"1s\"\n", "(document)", "malformed JSON at line 4"},
        {"duplicate key in a link", link(R"("delay": "1ms", "delay": "2ms")"), "/links/0/delay", "duplicate key"},
        {"duplicate top-level key", R"({"name": "t", "name": "u", "duration": "1s", "nodes": [{"name": "a"}]})", "/name", "duplicate key"},
        {"top level is an array", R"([{"name": "t", "duration": "1s"}])", "(document)", "expected an object {...}, got [{"},
        {"empty file", "\n", "(document)", "the file is empty"},
        {"missing file", "", "(document)", "cannot open file", Situation::missing},
        {"a directory instead of a file", "", "(document)", "is a directory", Situation::directory},
    };
}

// Puts the row's scenario in place and returns its path.
std::string stage(const TempDir& dir, const BadInput& b) {
    fs::path p = dir.path() / "scenario.json";
    if (b.situation == Situation::file) write_file(p, b.text);
    if (b.situation == Situation::directory) fs::create_directory(p);
    return p.string();
}

void check_message(const std::string& err, const std::string& path, const BadInput& b) {
    // "tcpsim: error: FILE: POINTER: MESSAGE", one line.
    CHECK_MESSAGE(err.find(path + ": " + b.pointer + ": ") != std::string::npos, err);
    CHECK_MESSAGE(err.find(b.message) != std::string::npos, err);
    CHECK(err.find('\n') == err.size() - 1);
}

}  // namespace

TEST_CASE("the bad-input table covers at least 25 mistakes, each named once") {
    auto rows = bad_inputs();
    CHECK(rows.size() >= 25);
    std::vector<std::string> names;
    for (const auto& r : rows) names.push_back(r.name);
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
}

TEST_CASE("run refuses every bad scenario with exit 2, the file and JSON pointer, and no trace file") {
    for (const auto& b : bad_inputs()) {
        INFO("row: ", b.name);
        TempDir dir;
        std::string path = stage(dir, b);
        fs::path trace = dir.path() / "out.trace.json";
        CliResult r = run_cli({"run", path, "-o", trace.string()});
        CHECK(r.code == 2);
        check_message(r.err, path, b);
        CHECK(r.out.empty());  // not one tcpdump-like line
        CHECK_FALSE(fs::exists(trace));
    }
}

TEST_CASE("validate refuses every bad scenario with exit 2 and the same message as run") {
    for (const auto& b : bad_inputs()) {
        INFO("row: ", b.name);
        TempDir dir;
        std::string path = stage(dir, b);
        CliResult v = run_cli({"validate", path});
        CHECK(v.code == 2);
        check_message(v.err, path, b);
        CHECK(v.out.empty());
        CliResult r = run_cli({"run", path, "--no-trace", "-q"});
        CHECK(r.err == v.err);
    }
}

TEST_CASE("the pieces the bad scenarios are built from are valid on their own") {
    // So that each row fails for its own mistake, not for something the helpers left out.
    TempDir dir;
    for (const std::string& text : {scenario(""), link(R"("delay": "1ms")"), segment(R"("at": 0, "to": "b", "flags": "S", "dport": 80)"),
                                    apps(R"({"type": "bulk", "from": "a", "to": "b", "port": 80})")}) {
        INFO(text);
        fs::path p = dir.path() / "good.json";
        write_file(p, text);
        CliResult v = run_cli({"validate", p.string()});
        CHECK(v.code == 0);
        CHECK(v.err.empty());
    }
}

TEST_CASE("validate checks every file and reports each bad one, exit 2 if any is bad") {
    TempDir dir;
    fs::path good = dir.path() / "good.json", bad1 = dir.path() / "bad1.json", bad2 = dir.path() / "bad2.json";
    write_file(good, scenario(""));
    write_file(bad1, link(R"("delay": "-1ms")"));
    write_file(bad2, scenario(R"(, "seed": -1)"));
    CliResult v = run_cli({"validate", bad1.string(), good.string(), bad2.string()});
    CHECK(v.code == 2);
    CHECK(v.out.find(good.string() + ": ok") != std::string::npos);
    CHECK(v.err.find(bad1.string() + ": /links/0/delay: ") != std::string::npos);
    CHECK(v.err.find(bad2.string() + ": /seed: ") != std::string::npos);
}

TEST_CASE("a bad scenario run with the default output path leaves the current directory empty") {
    TempDir dir;
    fs::path scen = dir.path() / "scen.json";
    write_file(scen, link(R"("loss": 2)"));
    fs::path work = dir.path() / "cwd";
    fs::create_directory(work);
    fs::path old = fs::current_path();
    fs::current_path(work);
    CliResult r = run_cli({"run", scen.string()});
    fs::current_path(old);
    CHECK(r.code == 2);
    CHECK(fs::is_empty(work));  // no "t.trace.json"
}

TEST_CASE("a misspelt required key is reported where the typo is, not as a missing field") {
    // Without the hint the user would read "/duration: required field is missing" while looking
    // at a line that says "durration".
    TempDir dir;
    fs::path p = dir.path() / "s.json";
    write_file(p, R"({"name": "t", "nodes": [{"name": "a"}], "durration": "1s"})");
    CliResult v = run_cli({"validate", p.string()});
    CHECK(v.code == 2);
    CHECK(v.err.find("/durration: unknown key \"durration\" (did you mean \"duration\"? it is required)") != std::string::npos);
}

TEST_CASE("a valid key two edits from a missing required one is not taken for a typo") {
    // "to" is required; "tcp" is a valid key of the same application, two edits from "to".
    TempDir dir;
    fs::path p = dir.path() / "s.json";
    write_file(p, apps(R"({"type": "bulk", "from": "a", "tcp": {}})"));
    CliResult v = run_cli({"validate", p.string()});
    CHECK(v.code == 2);
    CHECK(v.err.find("/applications/0/to: required field is missing") != std::string::npos);
}

TEST_CASE("a huge unknown key, node name or value is quoted shortened, once") {
    // A 4 MB key used to be echoed whole twice (in the pointer and the message), after seconds of
    // edit distances against it.
    TempDir dir;
    fs::path p = dir.path() / "s.json";
    std::string big(4 << 20, 'k');
    std::string head = "{\"name\": \"t\", \"duration\": \"1s\", \"nodes\": [{\"name\": \"a\"}], ";
    for (const std::string& text : {head + "\"" + big + "\": 1}",  // unknown key
                                    head + "\"durationx" + big + "\": 1}",  // near a required one? no: too long
                                    head + "\"links\": [{\"between\": [\"a\", \"" + big + "\"]}]}",  // unknown node
                                    head + "\"seed\": [\"" + big + "\", 1, 2]}"}) {  // a value of the wrong type
        write_file(p, text);
        CliResult v = run_cli({"validate", p.string()});
        CHECK(v.code == 2);
        INFO(v.err.substr(0, 400));
        CHECK(v.err.size() < p.string().size() + 300);
        CHECK(v.err.find("kkk...") != std::string::npos);
    }
}

TEST_CASE("a long value or key of non-ASCII characters is shortened between characters, not inside one") {
    // Cutting at 40 bytes went through a multi-byte UTF-8 character, and the JSON writer refused
    // the broken string (type_error 316, "incomplete UTF-8 string": uncaught). Found by
    // fuzz_scenario_loader (a document that is one such string: "expected an object, got ...").
    TempDir dir;
    fs::path p = dir.path() / "s.json";
    std::string two, three;
    for (int i = 0; i < 40; ++i) two += "\u00e3", three += "\u3b6c";  // 2 and 3 bytes in UTF-8
    std::string head = "{\"name\": \"t\", \"duration\": \"1s\", \"nodes\": [{\"name\": \"a\"}], ";
    for (const std::string& text : {"\"" + two + "\"",  // not an object
                                    "\"x" + three + "\"",
                                    "[\"" + three + "\"]",
                                    head + "\"x" + three + "\": 1}",  // unknown key
                                    head + "\"links\": [{\"between\": [\"a\", \"" + three + "\"]}]}",  // unknown node
                                    head + "\"seed\": {\"" + two + "\": 1}}"}) {  // a key in a value of the wrong type
        write_file(p, text);
        CliResult v = run_cli({"validate", p.string()});
        INFO(text.substr(0, 120));
        INFO(v.err.substr(0, 400));
        CHECK(v.code == 2);
        CHECK(v.err.find("...") != std::string::npos);
        CHECK_NOTHROW((void)tcpsim::Json(v.err).dump());  // valid UTF-8
    }
}

TEST_CASE("malformed JSON is located by line and column") {
    TempDir dir;
    fs::path p = dir.path() / "s.json";
    // The second ':' is on line 2, column 13.
    write_file(p, "{\"name\": \"t\",\n\"duration\": : \"1s\"}");
    CliResult v = run_cli({"validate", p.string()});
    CHECK(v.code == 2);
    CHECK(v.err.find("(document): malformed JSON at line 2, column 13") != std::string::npos);
}

TEST_CASE("a trailing comma in an array is reported at the comma") {
    TempDir dir;
    fs::path p = dir.path() / "s.json";
    write_file(p, "{\"name\": \"t\",\n \"duration\": \"1s\",\n \"nodes\": [{\"name\": \"a\"},\n ]}");
    CliResult v = run_cli({"validate", p.string()});
    CHECK(v.code == 2);
    CHECK(v.err.find("malformed JSON at line 3, column 25: trailing comma before ']'") != std::string::npos);
}
