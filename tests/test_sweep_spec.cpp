// Sweep files: how `vary` expands into points (cartesian and zip, value lists and ranges on
// linear and log scales), the seeds of the runs, shards, writing a point's values into the
// scenario, and the rejection of bad sweep files with the JSON pointer of the bad field.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "models/sweep/sweep_metrics.hpp"
#include "models/sweep/sweep_runner.hpp"
#include "sim/core/rng.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_spec.hpp"

using namespace tcpsim;

namespace {

const Json kScenario = Json::parse(R"({
  "name": "s", "duration": "10s",
  "nodes": [{"name": "client"}, {"name": "server"}],
  "links": [{"between": ["client", "server"], "bandwidth": "10Mbps", "delay": "10ms"}],
  "applications": [{"type": "bulk", "from": "client", "to": "server", "bytes": 10000}]})");

// A sweep over kScenario with the given vary (and other keys).
Json sweep_doc(const Json& vary, const Json& extra = Json::object()) {
    Json d = {{"name", "t"}, {"scenario", kScenario}, {"vary", vary}};
    for (auto it = extra.begin(); it != extra.end(); ++it) d[it.key()] = it.value();
    return d;
}

SweepSpec parse(const Json& doc, const std::vector<std::string>& order = {}) {
    return parse_sweep(doc, "t.json", sweep_metric_catalog(), order);
}

std::vector<std::vector<Json>> point_values(const SweepSpec& s) {
    std::vector<std::vector<Json>> out;
    for (const auto& p : sweep_points(s)) out.push_back(p.values);
    return out;
}

// The InputError a bad sweep raises (parse and scenario checks), as "pointer|message".
std::string error_of(const Json& doc) {
    try {
        SweepSpec s = parse(doc);
        validate_sweep_scenarios(s, sweep_points(s));
    } catch (const InputError& e) {
        CHECK(e.file() == "t.json");
        return e.pointer() + "|" + e.message();
    }
    return "(accepted)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("cartesian mode: the first parameter varies slowest, in the order given") {
    SweepSpec s = parse(sweep_doc({{"/links/0/loss", {0, 0.01}}, {"/links/0/delay", {"5ms", "10ms", "20ms"}}}),
                        {"/links/0/loss", "/links/0/delay"});
    REQUIRE(s.parameters.size() == 2);
    CHECK(s.parameters[0].pointer == "/links/0/loss");
    CHECK(s.point_count() == 6);  // 2 x 3
    CHECK(s.run_count() == 6);    // one replication by default
    auto v = point_values(s);
    std::vector<std::vector<Json>> expected = {{0, "5ms"},    {0, "10ms"},    {0, "20ms"},
                                               {0.01, "5ms"}, {0.01, "10ms"}, {0.01, "20ms"}};
    CHECK(v == expected);
}

TEST_CASE("zip mode pairs the i-th values of every parameter") {
    SweepSpec s = parse(sweep_doc({{"/links/0/loss", {0, 0.01, 0.02}}, {"/links/0/delay", {"5ms", "10ms", "20ms"}}},
                                  {{"mode", "zip"}, {"replications", 4}}),
                        {"/links/0/loss", "/links/0/delay"});
    CHECK(s.point_count() == 3);
    CHECK(s.run_count() == 12);
    std::vector<std::vector<Json>> expected = {{0, "5ms"}, {0.01, "10ms"}, {0.02, "20ms"}};
    CHECK(point_values(s) == expected);
}

TEST_CASE("a sweep file keeps the vary keys in the order written, not sorted") {
    auto dir = std::filesystem::temp_directory_path() / ("tcpsim-sweep-order-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "s.json") << kScenario.dump();
    std::ofstream(dir / "w.json") << R"({"name": "w", "scenario": "s.json",
        "vary": {"/links/0/loss": [0, 0.1], "/links/0/delay": ["1ms", "2ms"]}})";
    SweepSpec s = load_sweep((dir / "w.json").string(), sweep_metric_catalog());
    std::filesystem::remove_all(dir);
    REQUIRE(s.parameters.size() == 2);
    CHECK(s.parameters[0].pointer == "/links/0/loss");  // sorted, "/links/0/delay" would come first
    CHECK(s.parameters[1].pointer == "/links/0/delay");
    CHECK_FALSE(s.scenario_inline);
    CHECK(s.scenario["name"] == "s");  // the path is relative to the sweep file
}

TEST_CASE("linear range: from and to included, evenly spaced, exact decimals") {
    SweepSpec s = parse(sweep_doc({{"/links/0/loss", {{"from", 0}, {"to", 0.03}, {"steps", 4}}}}));
    // 0.03 * 1/3 is 0.009999999999999998 in doubles; values keep 12 significant digits.
    std::vector<Json> expected = {0.0, 0.01, 0.02, 0.03};
    CHECK(s.parameters[0].values == expected);
}

TEST_CASE("log range: a geometric sequence, exact at the decades") {
    SweepSpec a = parse(sweep_doc({{"/links/0/loss", {{"from", 1e-4}, {"to", 1e-1}, {"steps", 4}, {"scale", "log"}}}}));
    // ratio (0.1 / 0.0001)^(1/3) = 10
    std::vector<Json> decades = {1e-4, 1e-3, 1e-2, 1e-1};
    CHECK(a.parameters[0].values == decades);
    SweepSpec b = parse(sweep_doc({{"/links/0/delay", {{"from", 0.005}, {"to", 0.08}, {"steps", 3}, {"scale", "log"}}}}));
    std::vector<Json> doubling = {0.005, 0.02, 0.08};  // ratio sqrt(16) = 4
    CHECK(b.parameters[0].values == doubling);
}

TEST_CASE("integer log range gives powers of two, a unit turns the values into strings") {
    SweepSpec a = parse(sweep_doc(
        {{"/tcp/receive_buffer", {{"from", 8192}, {"to", 1048576}, {"steps", 8}, {"scale", "log"}, {"integer", true}}}}));
    std::vector<Json> pow2 = {8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576};  // ratio 128^(1/7) = 2
    CHECK(a.parameters[0].values == pow2);
    CHECK(a.parameters[0].values[0].is_number_integer());
    SweepSpec b = parse(sweep_doc({{"/links/0/delay", {{"from", 1}, {"to", 10}, {"steps", 4}, {"unit", "ms"}, {"name", "d"}}}}));
    std::vector<Json> ms = {"1ms", "4ms", "7ms", "10ms"};
    CHECK(b.parameters[0].values == ms);
    CHECK(b.parameters[0].name == "d");
}

TEST_CASE("a point's values are written into the scenario at their pointers, creating missing objects") {
    SweepSpec s = parse(sweep_doc({{"/links/0/loss", {0.25}}, {"/tcp/keepalive/idle", {"3s"}}}));
    Json doc = apply_point(s, sweep_point(s, 0));
    CHECK(doc["links"][0]["loss"] == 0.25);
    CHECK(doc["links"][0]["delay"] == "10ms");  // the rest as in the base
    CHECK(doc["tcp"]["keepalive"]["idle"] == "3s");
    CHECK_FALSE(kScenario.contains("tcp"));
}

TEST_CASE("a pointer into an array element the scenario does not have is refused at its vary entry") {
    CHECK(error_of(sweep_doc({{"/links/3/loss", {0.1}}})) ==
          "/vary/~1links~13~1loss|the scenario has no element \"3\" in the array at /links (1 elements)");
}

TEST_CASE("run seeds: the documented formula, per point and replication, common mode shares them across points") {
    // derive_seed = first draw of RngStream(seed, "sweep/point/P/replication/R") >> 11
    CHECK(derive_seed(7, SweepSeedMode::independent, 2, 3) == (RngStream(7, "sweep/point/2/replication/3").next_u64() >> 11));
    CHECK(derive_seed(7, SweepSeedMode::common, 2, 3) == (RngStream(7, "sweep/replication/3").next_u64() >> 11));
    CHECK(derive_seed(7, SweepSeedMode::common, 0, 3) == derive_seed(7, SweepSeedMode::common, 5, 3));
    std::set<uint64_t> seeds;
    for (uint64_t p = 0; p < 20; ++p)
        for (uint64_t r = 0; r < 20; ++r) {
            uint64_t s = derive_seed(1, SweepSeedMode::independent, p, r);
            CHECK(s < (uint64_t{1} << 53));
            seeds.insert(s);
        }
    CHECK(seeds.size() == 400);
    // A run's seed does not depend on how many replications the sweep has.
    SweepSpec s = parse(sweep_doc({{"/links/0/loss", {0, 0.1}}}, {{"replications", 3}}));
    SweepRunId id = sweep_run(s, 4);  // point 1, replication 1
    CHECK(id.point == 1);
    CHECK(id.replication == 1);
    CHECK(id.seed == derive_seed(1, SweepSeedMode::independent, 1, 1));
}

TEST_CASE("shards K/N split the runs round robin into disjoint sets that cover them all") {
    CHECK_FALSE(parse_shard("0/3"));
    CHECK_FALSE(parse_shard("4/3"));
    CHECK_FALSE(parse_shard("1/0"));
    CHECK_FALSE(parse_shard("1-3"));
    CHECK_FALSE(parse_shard("a/3"));
    std::vector<int> owner(10, 0);
    for (uint64_t k = 1; k <= 3; ++k)
        for (uint64_t run = 0; run < 10; ++run)
            if (in_shard(run, *parse_shard(std::to_string(k) + "/3"))) owner[run] += static_cast<int>(k) * 10 + 1;
    // run i belongs to shard (i mod 3) + 1 only: 11, 21, 31, 11, ...
    for (uint64_t run = 0; run < 10; ++run) CHECK(owner[run] == static_cast<int>(run % 3 + 1) * 10 + 1);
}

TEST_CASE("bad sweep files are refused with the pointer of the field and what was expected") {
    struct Case {
        Json doc;
        std::string pointer, part;
    };
    Json vary = {{"/links/0/loss", {0, 0.01}}};
    auto with = [&](const Json& extra) { return sweep_doc(vary, extra); };
    Json no_name = sweep_doc(vary);
    no_name.erase("name");
    Json no_scenario = sweep_doc(vary);
    no_scenario.erase("scenario");
    const std::vector<Case> cases = {
        {no_name, "/name", "required field is missing"},
        {no_scenario, "/scenario", "required field is missing"},
        {with({{"scenario", 5}}), "/scenario", "an inline scenario object"},
        {sweep_doc(Json::object()), "/vary", "an object mapping JSON pointers"},
        {sweep_doc({{"links/0/loss", {0}}}), "/vary/links~10~1loss", "expected a JSON pointer"},
        {sweep_doc({{"/seed", {1, 2}}}), "/vary/~1seed", "vary another field"},
        {sweep_doc({{"/links/0/loss", Json::array()}}), "/vary/~1links~10~1loss", "at least one value"},
        {sweep_doc({{"/links/0/loss", 0.1}}), "/vary/~1links~10~1loss", "a list of values"},
        {sweep_doc({{"/links/0/loss", {{"from", 0}, {"to", 1}, {"steps", 1}}}}), "/vary/~1links~10~1loss/steps", "an integer in [2, 100000]"},
        {sweep_doc({{"/links/0/loss", {{"from", 0}, {"to", 1}}}}), "/vary/~1links~10~1loss/steps", "the number of values"},
        {sweep_doc({{"/links/0/loss", {{"from", 0}, {"to", 1}, {"steps", 3}, {"scale", "log"}}}}), "/vary/~1links~10~1loss/from", "a log scale needs positive ends"},
        {sweep_doc({{"/links/0/loss", {{"from", 0}, {"to", 1}, {"steps", 3}, {"scale", "logarithmic"}}}}), "/vary/~1links~10~1loss/scale", "\"linear\", \"log\""},
        {sweep_doc({{"/links/0/loss", {{"from", 1}, {"to", 3}, {"steps", 5}, {"integer", true}}}}), "/vary/~1links~10~1loss/steps", "repeats the value 2"},
        {sweep_doc({{"/links/0/loss", {{"from", 0}, {"to", 1}, {"steps", 3}, {"stpes", 3}}}}), "/vary/~1links~10~1loss/stpes", "unknown key \"stpes\" (did you mean \"steps\"?)"},
        {sweep_doc({{"/links/0/loss", {0, 1}}, {"/links/0/delay", {"1ms"}}}, {{"mode", "zip"}}), "/vary/~1links~10~1loss", "zip mode pairs"},
        {with({{"mode", "zipp"}}), "/mode", "did you mean \"zip\""},
        {with({{"replications", 0}}), "/replications", "an integer in [1, 1000000]"},
        {with({{"seed", -1}}), "/seed", "a non-negative integer"},
        {with({{"seeds", "same"}}), "/seeds", "\"independent\", \"common\""},
        {with({{"replication", 3}}), "/replication", "did you mean \"replications\""},
        {with({{"metrics", {"goodput"}}}), "/metrics/0", "unknown metric \"goodput\" (did you mean \"goodput_bps\"?)"},
        {with({{"metrics", Json::array()}}), "/metrics", "at least one metric"},
        {with({{"metrics", {"goodput_bps[x]"}}}), "/metrics/0", "name[i] for application i"},
        {with({{"metrics", {"jain_index[0]"}}}), "/metrics/0", "not per application"},
        {with({{"metrics", {"goodput_bps", "goodput_bps"}}}), "/metrics/1", "listed twice"},
        {with({{"metrics", {"goodput_bps[1]"}}}), "/metrics/0", "it has 1 TCP application(s)"},
        {with({{"metrics", {"goodput_bps"}}, {"fit", {{{"metric", "completion_time"}, {"against", "/links/0/loss"}}}}}), "/fit/0/metric", "one of the sweep's metrics"},
        {with({{"metrics", {"outcome"}}, {"fit", {{{"metric", "outcome"}, {"against", "/links/0/loss"}}}}}), "/fit/0/metric", "a numeric metric"},
        {with({{"metrics", {"goodput_bps"}}, {"fit", {{{"metric", "goodput_bps"}, {"against", "loss"}}}}}), "/fit/0/against", "a varied parameter (\"/links/0/loss\")"},
        {with({{"metrics", {"goodput_bps"}}, {"fit", {{{"metric", "goodput_bps"}, {"against", "/links/0/loss"}, {"model", "linear"}, {"exponents", {1}}}}}}), "/fit/0/exponents", "belong to a power-law model"},
        {with({{"metrics", {"goodput_bps"}}, {"fit", {{{"metric", "goodput_bps"}, {"against", "/links/0/loss"}, {"exponents", {1, 2}}}}}}), "/fit/0/exponents", "an array of 1 number(s)"},
        {with({{"replications", 1000000}, {"vary", {{"/links/0/loss", {{"from", 0}, {"to", 1}, {"steps", 100}}}}}}), "/replications", "at most 10000000 runs"},
        // The values are checked by loading every point's scenario.
        {sweep_doc({{"/links/0/delay", {"10ms", "-5ms"}}}), "/vary/~1links~10~1delay", "point 1 (/links/0/delay = \"-5ms\") makes an invalid scenario: the inline scenario: /links/0/delay: expected a duration"},
        {sweep_doc({{"/links/0/dealy", {"10ms"}}}), "/vary/~1links~10~1dealy", "unknown key \"dealy\" (did you mean \"delay\"?)"},
        {sweep_doc({{"/links/0/delay/ms", {10}}}), "/vary/~1links~10~1delay~1ms", "the scenario's value at /links/0/delay is \"10ms\", not an object or array to go into"},
    };
    for (const auto& c : cases) {
        std::string e = error_of(c.doc);
        INFO(c.doc.dump());
        INFO(e);
        CHECK(e.substr(0, e.find('|')) == c.pointer);
        CHECK(contains(e, c.part));
    }
}

TEST_CASE("an error in an inline base scenario is named at its place under /scenario in the sweep file") {
    Json doc = sweep_doc({{"/links/0/loss", {0}}});
    doc["scenario"]["duration"] = "forever";
    std::string e = error_of(doc);
    CHECK(e.substr(0, e.find('|')) == "/scenario/duration");
}
