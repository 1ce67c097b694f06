// `tcpsim sweep` and `tcpsim merge` end to end, in-process: results do not depend on --jobs,
// shards merged give the statistics of the whole sweep, a resumed sweep completes without
// duplicates, bad input exits 2.
#include <doctest/doctest.h>

#include "cli_harness.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/json/json_reader.hpp"
#include "tools/tcpsim/cli.hpp"

namespace fs = std::filesystem;
using tcpsim::Json;

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

// The results file without the wall times, the one field allowed to differ.
std::vector<std::string> results_without_wall(const std::string& path) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(read_file(path))) {
        Json j = Json::parse(l);
        j.erase("wall_s");
        out.push_back(j.dump());
    }
    return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// 2 loss rates x 2 delays x 3 replications = 12 runs of a 100 kB transfer with losses.
const char* kSweep = R"({
  "name": "grid",
  "scenario": {
    "name": "p", "duration": "60s", "tcp": {"msl": "100ms"},
    "nodes": [{"name": "client"}, {"name": "server"}],
    "links": [{"between": ["client", "server"], "bandwidth": "10Mbps", "delay": "10ms", "loss": 0.01}],
    "applications": [{"type": "bulk", "from": "client", "to": "server", "bytes": "100kB"}]},
  "vary": {"/links/0/loss": {"name": "loss", "values": [0.01, 0.03]}, "/links/0/delay": ["5ms", "20ms"]},
  "replications": 3,
  "seed": 11,
  "metrics": ["goodput_bps", "retransmissions", "outcome"],
  "fit": [{"metric": "goodput_bps", "against": "loss"}]
})";

std::string write_sweep(const TempDir& dir, const std::string& text = kSweep) {
    std::string path = dir.file("grid.json");
    std::ofstream(path) << text;
    return path;
}

CliResult sweep(const std::string& file, const std::string& out_dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"sweep", file, "--out-dir", out_dir, "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
}

}  // namespace

TEST_CASE("sweep writes one record per run, the statistics as CSV and JSON, and prints the table") {
    TempDir dir;
    std::string file = write_sweep(dir);
    CliResult r = sweep(file, dir.file("out"), {"--jobs", "2"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto lines = lines_of(read_file(dir.file("out/grid.results.jsonl")));
    REQUIRE(lines.size() == 12);
    for (size_t i = 0; i < lines.size(); ++i) {
        Json j = Json::parse(lines[i]);
        CHECK(j["run"] == i);  // sorted by run index when the sweep ends
        CHECK(j["point"] == i / 3);
        CHECK(j["replication"] == i % 3);
        CHECK(j["status"] == "ok");
        CHECK(j["metrics"]["outcome"] == "normal");
        CHECK(j["wall_s"].is_number());
    }
    CHECK(Json::parse(lines[4])["params"] == Json{{"loss", 0.01}, {"/links/0/delay", "20ms"}});  // point 1
    Json stats = Json::parse(read_file(dir.file("out/grid.stats.json")));
    REQUIRE(stats["points"].size() == 4);
    CHECK(stats["points"][3]["runs"] == 3);
    CHECK(stats["points"][3]["metrics"]["goodput_bps"]["n"] == 3);
    CHECK(stats["points"][3]["metrics"]["outcome"]["counts"]["normal"] == 3);
    CHECK(stats["fits"][0]["model"] == "power");
    auto csv = lines_of(read_file(dir.file("out/grid.stats.csv")));
    REQUIRE(csv.size() == 5);  // header and 4 points
    CHECK(csv[0].starts_with("point,loss,/links/0/delay,runs,failed,goodput_bps_n,goodput_bps_mean,goodput_bps_sd,"
                             "goodput_bps_ci95_low,goodput_bps_ci95_high,goodput_bps_min,goodput_bps_max,"));
    CHECK(csv[0].ends_with(",outcome"));
    CHECK(csv[1].starts_with("0,0.01,5ms,3,0,3,"));
    CHECK(contains(r.out, "goodput_bps (mean +- 95% CI)"));
    CHECK(contains(r.out, "fit (power): goodput_bps = "));
}

TEST_CASE("--jobs 1 and --jobs 2 write the same results (but for wall times) and the same statistics") {
    TempDir dir;
    std::string file = write_sweep(dir);
    REQUIRE(sweep(file, dir.file("one"), {"--jobs", "1"}).code == 0);
    REQUIRE(sweep(file, dir.file("two"), {"--jobs", "2"}).code == 0);
    CHECK(results_without_wall(dir.file("one/grid.results.jsonl")) == results_without_wall(dir.file("two/grid.results.jsonl")));
    CHECK(read_file(dir.file("one/grid.stats.json")) == read_file(dir.file("two/grid.stats.json")));
    CHECK(read_file(dir.file("one/grid.stats.csv")) == read_file(dir.file("two/grid.stats.csv")));
    // Different seeds do give different runs: the comparison above can fail.
    std::string other = read_file(file);
    other.replace(other.find("\"seed\": 11"), 10, "\"seed\": 12");
    std::ofstream(dir.file("other.json")) << other;
    REQUIRE(sweep(dir.file("other.json"), dir.file("three"), {"--jobs", "2"}).code == 0);
    CHECK(read_file(dir.file("one/grid.stats.json")) != read_file(dir.file("three/grid.stats.json")));
}

TEST_CASE("shards 1/3, 2/3 and 3/3 merged give the statistics of the unsharded sweep") {
    TempDir dir;
    std::string file = write_sweep(dir);
    REQUIRE(sweep(file, dir.file("whole"), {"--jobs", "2"}).code == 0);
    std::set<uint64_t> runs;
    for (int k = 1; k <= 3; ++k) {
        CliResult r = sweep(file, dir.file("shards"), {"--shard", std::to_string(k) + "/3", "--jobs", "1"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        CHECK(r.out.empty());  // a shard prints no statistics
        std::string path = dir.file("shards/grid.shard-" + std::to_string(k) + "-of-3.results.jsonl");
        auto lines = lines_of(read_file(path));
        CHECK(lines.size() == 4);  // 12 runs round robin
        for (const auto& l : lines) {
            uint64_t run = Json::parse(l)["run"];
            CHECK(run % 3 == static_cast<uint64_t>(k - 1));
            runs.insert(run);
        }
    }
    CHECK(runs.size() == 12);
    // Any order of the files.
    CliResult m = run_cli({"merge", file, dir.file("shards/grid.shard-3-of-3.results.jsonl"),
                           dir.file("shards/grid.shard-1-of-3.results.jsonl"),
                           dir.file("shards/grid.shard-2-of-3.results.jsonl"), "--out-dir", dir.file("merged")});
    REQUIRE_MESSAGE(m.code == 0, m.err);
    CHECK(read_file(dir.file("merged/grid.stats.json")) == read_file(dir.file("whole/grid.stats.json")));
    CHECK(read_file(dir.file("merged/grid.stats.csv")) == read_file(dir.file("whole/grid.stats.csv")));
    CHECK(results_without_wall(dir.file("merged/grid.results.jsonl")) == results_without_wall(dir.file("whole/grid.results.jsonl")));

    // A shard left out: runs are missing, exit 1, unless --allow-missing.
    CliResult partial = run_cli({"merge", file, dir.file("shards/grid.shard-1-of-3.results.jsonl"), "--out-dir", dir.file("partial")});
    CHECK(partial.code == 1);
    CHECK(contains(partial.err, "8 of 12 runs are missing (the first is run 1)"));
    CHECK(run_cli({"merge", file, dir.file("shards/grid.shard-1-of-3.results.jsonl"), "--out-dir", dir.file("partial"),
                   "--allow-missing"}).code == 0);
}

TEST_CASE("--resume after a kill: a cut-off last line and lost runs are redone, nothing twice") {
    TempDir dir;
    std::string file = write_sweep(dir);
    REQUIRE(sweep(file, dir.file("whole"), {"--jobs", "2"}).code == 0);
    auto full = lines_of(read_file(dir.file("whole/grid.results.jsonl")));
    REQUIRE(full.size() == 12);
    // What a kill leaves: the runs finished so far in completion order, the last line half written.
    fs::create_directories(dir.file("killed"));
    std::string results = dir.file("killed/grid.results.jsonl");
    {
        std::ofstream f(results, std::ios::binary);
        for (int i : {2, 0, 5, 1, 7}) f << full[static_cast<size_t>(i)] << '\n';
        f << full[3].substr(0, full[3].size() / 2);
    }
    // Without --resume the file is not touched.
    CliResult refused = sweep(file, dir.file("killed"));
    CHECK(refused.code == 2);
    CHECK(contains(refused.err, "--resume continues it"));

    CliResult r = sweep(file, dir.file("killed"), {"--resume", "--jobs", "2"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.err, "the last line was cut short"));
    CHECK(contains(r.err, "5 already in"));
    CHECK(contains(r.err, "7 to run"));
    CHECK(results_without_wall(results) == results_without_wall(dir.file("whole/grid.results.jsonl")));
    CHECK(read_file(dir.file("killed/grid.stats.json")) == read_file(dir.file("whole/grid.stats.json")));

    // Fewer replications than the file holds: refused rather than renumbered into other runs.
    CliResult fewer = sweep(file, dir.file("killed"), {"--resume", "--replications", "2"});
    CHECK(fewer.code == 2);
    CHECK(contains(fewer.err, "is beyond the 2 replication(s) asked for: give --replications 3 or more"));

    // Resuming a complete file runs nothing and changes nothing.
    std::string before = read_file(results);
    CliResult again = sweep(file, dir.file("killed"), {"--resume"});
    CHECK(again.code == 0);
    CHECK(contains(again.err, "0 to run"));
    CHECK(read_file(results) == before);
}

TEST_CASE("a sweep resumed with more replications keeps its runs and adds the new ones") {
    TempDir dir;
    std::string file = write_sweep(dir);
    REQUIRE(sweep(file, dir.file("whole")).code == 0);
    REQUIRE(sweep(file, dir.file("grown"), {"--replications", "1"}).code == 0);
    CHECK(lines_of(read_file(dir.file("grown/grid.results.jsonl"))).size() == 4);
    CliResult r = sweep(file, dir.file("grown"), {"--resume"});  // the file's 3 replications
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(contains(r.err, "8 to run"));
    CHECK(results_without_wall(dir.file("grown/grid.results.jsonl")) == results_without_wall(dir.file("whole/grid.results.jsonl")));
}

TEST_CASE("--resume refuses a results file of another sweep and a corrupt line in the middle") {
    TempDir dir;
    std::string file = write_sweep(dir);
    REQUIRE(sweep(file, dir.file("a"), {"--replications", "1"}).code == 0);
    std::string other = read_file(file);
    other.replace(other.find("[0.01, 0.03]"), 12, "[0.02, 0.03]");
    std::ofstream(dir.file("other.json")) << other;
    CliResult r = sweep(dir.file("other.json"), dir.file("a"), {"--resume", "--results", dir.file("a/grid.results.jsonl")});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "belongs to another sweep"));

    auto lines = lines_of(read_file(dir.file("a/grid.results.jsonl")));
    {
        std::ofstream f(dir.file("a/grid.results.jsonl"), std::ios::binary);
        f << lines[0] << "\n{\"run\": 1, garbage\n" << lines[1] << '\n';
    }
    CliResult bad = sweep(file, dir.file("a"), {"--resume", "--replications", "1"});
    CHECK(bad.code == 2);
    CHECK(contains(bad.err, "grid.results.jsonl: line 2: not valid JSON"));
}

TEST_CASE("--replications caps a sweep to a subset of the same runs, --list prints them without running") {
    TempDir dir;
    std::string file = write_sweep(dir);
    CliResult full = run_cli({"sweep", file, "--list"});
    CliResult capped = run_cli({"sweep", file, "--list", "--replications", "1"});
    REQUIRE(full.code == 0);
    REQUIRE(capped.code == 0);
    auto all = lines_of(full.out), some = lines_of(capped.out);
    CHECK(all.size() == 12);
    REQUIRE(some.size() == 4);
    // Replication 0 of point 1 is run 3 of the full sweep and run 1 of the capped one: same seed.
    auto seed_of = [](const std::string& l) { return l.substr(l.find(" seed "), l.find(" {") - l.find(" seed ")); };
    CHECK(seed_of(some[1]) == seed_of(all[3]));
    CHECK(contains(all[3], "point 1 replication 0"));
    CHECK_FALSE(fs::exists("grid.results.jsonl"));
}

TEST_CASE("sweep and merge usage errors and bad sweep files exit 2") {
    TempDir dir;
    std::string file = write_sweep(dir);
    CHECK(run_cli({"sweep"}).code == 2);
    CHECK(run_cli({"sweep", file, file}).code == 2);
    CHECK(run_cli({"sweep", file, "--jobs", "0"}).code == 2);
    CHECK(run_cli({"sweep", file, "--shard", "4/3"}).code == 2);
    CHECK(run_cli({"sweep", file, "--resume", "--force"}).code == 2);
    CHECK(run_cli({"sweep", file, "--bogus"}).code == 2);
    CHECK(run_cli({"merge", file}).code == 2);
    CHECK(run_cli({"merge", file, dir.file("none.jsonl")}).code == 2);
    std::ofstream(dir.file("bad.json")) << R"({"name": "b", "scenario": "nowhere.json", "vary": {"/x": [1]}})";
    CliResult r = run_cli({"sweep", dir.file("bad.json")});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "tcpsim: error: " + dir.file("nowhere.json") + ": (document): cannot open file"));
    std::ofstream(dir.file("bad2.json")) << R"({"name": "b", "scenario": {"name": "s"}, "vary": {"/links/0/loss": {"from": 0, "to": 1, "steps": 3, "scale": "log"}}})";
    CliResult r2 = run_cli({"sweep", dir.file("bad2.json")});
    CHECK(r2.code == 2);
    CHECK(contains(r2.err, "bad2.json: /vary/~1links~10~1loss/from: expected a number > 0"));
    CHECK(contains(run_cli({"sweep", "--help"}).out, "--shard"));
    CHECK(contains(run_cli({"--help"}).out, "merge SWEEP RESULTS..."));
}
