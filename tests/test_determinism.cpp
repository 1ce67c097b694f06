// Same scenario and seed: byte-identical trace. Different seed: different trace. And each
// component's randomness is its own: adding a link changes no other link's draws.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "models/scenario/world.hpp"

using namespace tcpsim;

namespace {

std::string run_trace(const ScenarioConfig& c, TraceFormat format = TraceFormat::json) {
    std::ostringstream trace;
    RunOptions o;
    o.trace_out = &trace;
    o.format = format;
    World w(c, o);
    w.run();
    return trace.str();
}

ScenarioConfig lossy() { return load_scenario(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/lossy-link.json"); }

std::multiset<uint32_t> dropped_seqs(const std::string& trace_text, const std::string& link) {
    std::multiset<uint32_t> out;
    Json doc = Json::parse(trace_text);
    for (const auto& e : doc["events"])
        if (e["type"] == "drop" && e["link"] == link) out.insert(e["seq"].get<uint32_t>());
    return out;
}

}  // namespace

TEST_CASE("the same scenario and seed give a byte-identical trace, in both formats") {
    ScenarioConfig c = lossy();
    std::string a = run_trace(c), b = run_trace(c);
    CHECK(a.size() > 10000);
    CHECK(a == b);
    CHECK(run_trace(c, TraceFormat::jsonl) == run_trace(c, TraceFormat::jsonl));
}

TEST_CASE("a different seed gives a different trace") {
    ScenarioConfig c = lossy();
    std::string a = run_trace(c);
    c.seed = 43;
    std::string b = run_trace(c);
    CHECK(a != b);
    CHECK(dropped_seqs(a, "sender->receiver") != dropped_seqs(b, "sender->receiver"));
}

TEST_CASE("adding a link does not change the random draws of the others") {
    ScenarioConfig base = lossy();
    Json doc = base.source;
    doc["nodes"].push_back({{"name", "bystander"}});
    doc["links"].insert(doc["links"].begin(), Json{{"between", {"receiver", "bystander"}}, {"loss", 0.5}});
    ScenarioConfig more = parse_scenario(doc, "inline");
    auto drops_base = dropped_seqs(run_trace(base), "sender->receiver");
    auto drops_more = dropped_seqs(run_trace(more), "sender->receiver");
    CHECK(drops_base.size() > 5);
    CHECK(drops_base == drops_more);
}
