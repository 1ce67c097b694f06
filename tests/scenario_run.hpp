#pragma once
// Whole TCP scenarios run in process and read back from their JSON trace: the helpers the
// scenario tests share (test_tcp_scenarios.cpp: the shipped scenarios; test_tcp_inline_scenarios.cpp:
// small scenarios written in the test).
#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/world.hpp"

namespace tcpsim::test {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

struct Run {
    RunResult result;
    Json trace;  // the whole trace document: meta, events, summary
    const Json& events() const { return trace["events"]; }
    const Json& app(size_t i = 0) const { return trace["summary"]["applications"][i]; }
};

inline Json shipped(const std::string& name) {
    return load_json_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

inline Run run(const Json& doc, TraceLevel level = TraceLevel::segments) {
    ScenarioConfig c = parse_scenario(doc, "inline");
    std::ostringstream trace;
    RunOptions o;
    o.trace_out = &trace;
    o.level = level;
    World w(c, o);
    Run r{w.run(), Json()};
    r.trace = Json::parse(trace.str());
    return r;
}

// Events of one type at one node ("" for any node), in trace order.
inline std::vector<Json> events(const Run& r, const std::string& type, const std::string& node = "") {
    std::vector<Json> out;
    for (const auto& e : r.events())
        if (e["type"] == type && (node.empty() || e["node"] == node)) out.push_back(e);
    return out;
}

inline bool has_flag(const Json& e, char f) { return e["flags"].get<std::string>().find(f) != std::string::npos; }
inline int64_t t_ns(const Json& e) { return e["t_ns"].get<int64_t>(); }
inline uint32_t u32(const Json& v) { return v.get<uint32_t>(); }

// The states a node's connection went through: "CLOSED SYN-SENT ESTABLISHED ...", checking on
// the way that each change starts where the previous one ended.
inline std::string state_path(const Run& r, const std::string& node) {
    std::string out;
    std::string last;
    for (const auto& e : events(r, "state", node)) {
        std::string from = e["from"], to = e["to"];
        if (out.empty()) out = from;
        else CHECK_MESSAGE(from == last, node, ": state change from ", from, " after ", last);
        out += " " + to;
        last = to;
    }
    return out;
}

// The time of the state change into `to` at `node` (the first one).
inline int64_t entered(const Run& r, const std::string& node, const std::string& to) {
    for (const auto& e : events(r, "state", node))
        if (e["to"] == to) return t_ns(e);
    FAIL("no state change to ", to, " at ", node);
    return -1;
}

// The app event "closed" at `node`.
inline Json closed_event(const Run& r, const std::string& node) {
    for (const auto& e : events(r, "app", node))
        if (e["event"] == "closed") return e;
    FAIL("no closed event at ", node);
    return Json();
}

// Two hosts on one clean 10 Mbit/s, 10 ms link; MSL 1 s so that TIME-WAIT ends soon.
inline Json two_hosts(const std::string& name, const std::string& duration = "60s") {
    return Json{{"name", name},
                {"duration", duration},
                {"tcp", {{"msl", "1s"}}},
                {"nodes", {{{"name", "client"}}, {{"name", "server"}}}},
                {"links", {{{"between", {"client", "server"}}, {"bandwidth", "10Mbps"}, {"delay", "10ms"}}}},
                {"applications", Json::array()}};
}

}  // namespace tcpsim::test
