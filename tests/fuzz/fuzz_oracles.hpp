#pragma once
// What the fuzzers (tests/fuzz/fuzz_*.cpp) and the regression test of their findings
// (tests/test_fuzz_regressions.cpp) check for one input. Bad input must end in an InputError;
// anything else that escapes (another exception, an InvariantViolation), a sanitizer report, a
// crash or a hang is a bug. A scenario that loads is also simulated briefly, and must produce a
// trace that is valid JSON with every TCP stream intact as far as it got.
#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "models/scenario/scenario_config.hpp"
#include "models/scenario/world.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim::fuzz {

inline constexpr const char* kFile = "fuzz.json";

// A bug the oracles found; the harness turns it into a crash so libFuzzer keeps the input.
struct OracleFailure : std::logic_error {
    using std::logic_error::logic_error;
};

// Loads `bytes` as a scenario. Returns true if it loaded, false on InputError (whose message
// must name the file, as every user-facing one does).
inline bool load(std::string_view bytes, ScenarioConfig* out = nullptr) {
    try {
        ScenarioConfig c = parse_scenario(parse_json_text(std::string(bytes), kFile), kFile);
        if (out) *out = std::move(c);
        return true;
    } catch (const InputError& e) {
        if (std::string_view(e.what()).substr(0, std::string_view(kFile).size()) != kFile)
            throw OracleFailure(std::string("InputError message does not start with the file name: ") + e.what());
        return false;
    }
}

// Limits that keep one fuzzed run short (a few ms): bigger scenarios are only loaded.
struct SimulationBudget {
    size_t max_nodes = 64, max_links = 128, max_applications = 16, max_script_segments = 20'000;
    SimTime max_duration = SimTime::from_s(120);
    uint64_t max_events = 10'000;
    size_t max_trace_to_parse = 1u << 20;
};

// Loads and, if it loads and fits the budget, simulates. Returns true if it was simulated.
inline bool load_and_simulate(std::string_view bytes, const SimulationBudget& budget = {}) {
    ScenarioConfig c;
    if (!load(bytes, &c)) return false;
    size_t script_segments = 0;
    for (const auto& a : c.applications)
        if (const auto* s = std::get_if<SegmentScriptSpec>(&a)) script_segments += s->segments.size();
    if (c.nodes.size() > budget.max_nodes || c.links.size() > budget.max_links ||
        c.application_count() > budget.max_applications || script_segments > budget.max_script_segments)
        return false;
    c.duration = std::min(c.duration, budget.max_duration);
    // Level "all" and the tcpdump-like lines: every formatting path runs.
    std::ostringstream trace, human;
    RunOptions o;
    o.trace_out = &trace;
    o.human = &human;
    o.level = TraceLevel::all;
    o.max_events = budget.max_events;
    o.format = c.seed % 2 ? TraceFormat::json : TraceFormat::jsonl;
    World w(c, o);
    RunResult r = w.run();
    if (r.end_time > c.duration) throw OracleFailure("the run went past its duration");
    for (size_t i = 0; i < w.session_count(); ++i) {
        Json s = w.session(i).summary();
        for (const char* side : {"client", "server"})
            if (s[side]["stream_errors"] != 0)
                throw OracleFailure("application " + std::to_string(i) + " " + side + ": bytes delivered out of place: " + s.dump());
    }
    // Validated without building a tree (a DOM of 20,000 events would cost more than the run).
    std::string text = trace.str();
    if (text.size() <= budget.max_trace_to_parse) {
        if (o.format == TraceFormat::json) {
            if (!Json::accept(text)) throw OracleFailure("the trace is not valid JSON");
            if (text.rfind("\"summary\":") == std::string::npos) throw OracleFailure("trace without a summary");
        } else {
            std::istringstream lines(text);
            std::string line, last;
            while (std::getline(lines, line)) {
                if (!Json::accept(line)) throw OracleFailure("a jsonl line that is not JSON: " + line.substr(0, 200));
                last = std::move(line);
            }
            if (Json::parse(last).value("type", "") != "summary") throw OracleFailure("jsonl trace without a summary line last");
        }
    }
    return true;
}

}  // namespace tcpsim::fuzz
