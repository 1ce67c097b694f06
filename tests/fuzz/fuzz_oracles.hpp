#pragma once
// What the fuzzers (tests/fuzz/fuzz_*.cpp) and the regression test of their findings
// (tests/test_fuzz_regressions.cpp) check for one input. Bad input must end in an InputError;
// anything else that escapes (another exception, an InvariantViolation), a sanitizer report, a
// crash or a hang is a bug. A scenario that loads is also simulated briefly, and must produce a
// trace that is valid JSON with every TCP stream intact as far as it got.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

// The trace is valid JSON (or JSON lines) and ends with its summary. Validated without building a
// tree (a DOM of 20,000 events would cost more than the run); longer traces are not looked at.
inline void check_trace(const std::string& text, TraceFormat format, size_t max_to_parse) {
    if (text.size() > max_to_parse) return;
    if (format == TraceFormat::json) {
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
    check_trace(trace.str(), o.format, budget.max_trace_to_parse);
    return true;
}

// A valid scenario (fuzz_valid_scenarios.cpp writes them; tests/data/fuzz/valid_scenarios/ keeps
// those that found bugs), run twice at trace level "all". Checked:
//   - it loads (the generator writes only valid scenarios: a refusal is the generator's bug or
//     the loader's);
//   - the run stops by its duration, the two runs' traces and tcpdump-like lines are
//     byte-identical, and the trace is valid JSON;
//   - for every application: no byte out of place, never more bytes received than the peer
//     wrote, and completed_at only with streams_intact;
//   - an application marked "_complete_by" (a duration; the generator's open scenarios, whose
//     paths always open again) completed by then with its streams intact: one that did not is
//     stalled (or livelocked, if the events ran out first);
//   - once nothing is left to happen (all finished, no events), a bulk transfer of a given size
//     or a request/response exchange that was not told to close or abort either completed or
//     has an endpoint that says why not (reset, refused, timed out, retransmission limit, ...).
// An open scenario's applications all complete within a few thousand events (300 KB at most, in
// segments of 500 bytes and more, over 3 links each way, with ACKs): 3,329 at most in 100,000
// generated with random and extreme (0x00, 0xff) choices. At 25,000 events, over 7 times that,
// one that has not completed is stalled or livelocked; the rest stops here. A run of 25,000
// events at level "all" writes 10 to 16 MB of trace.
inline constexpr uint64_t kValidScenarioEvents = 25'000;

struct ValidRun {
    RunResult result;
    std::string trace, human;
    Json summary;
};

inline ValidRun run_valid(const ScenarioConfig& c) {
    std::ostringstream trace, human;
    RunOptions o;
    o.trace_out = &trace;
    o.human = &human;
    o.level = TraceLevel::all;
    o.max_events = kValidScenarioEvents;
    o.keep_summary = true;
    World w(c, o);
    ValidRun r{w.run(), "", "", Json()};
    r.trace = trace.str();
    r.human = human.str();
    r.summary = w.summary_json();
    return r;
}

inline void check_valid_scenario(std::string_view text) {
    Json doc = parse_json_text(std::string(text), kFile);
    ScenarioConfig c;
    try {
        c = parse_scenario(doc, kFile);
    } catch (const InputError& e) {
        throw OracleFailure(std::string("a valid scenario was refused: ") + e.what());
    }
    ValidRun first = run_valid(c);
    const RunResult& r = first.result;
    if (r.end_time > c.duration) throw OracleFailure("the run went past its duration");
    ValidRun second = run_valid(c);
    if (second.trace != first.trace || second.human != first.human || second.result.events != r.events)
        throw OracleFailure("two runs of the same scenario differ");
    check_trace(first.trace, TraceFormat::json, 64u << 20);

    // The applications as the summary lists them: each entry "connections" times.
    std::vector<const Json*> entries;
    for (const Json& a : doc["applications"])
        for (int64_t k = 0; k < a.value("connections", int64_t{1}); ++k) entries.push_back(&a);
    const Json& apps = first.summary["applications"];
    if (apps.size() != entries.size()) throw OracleFailure("the summary does not list every application");
    bool quiet = r.reason == StopReason::all_finished || r.reason == StopReason::no_events;
    for (size_t i = 0; i < entries.size(); ++i) {
        const Json& e = *entries[i];
        const Json& app = apps[i];
        std::string where = "application " + std::to_string(i) + ": ";
        if (app["type"] != e["type"]) throw OracleFailure(where + "the summary lists another type");
        const Json &client = app["client"], &server = app["server"];
        if (client["stream_errors"] != 0 || server["stream_errors"] != 0)
            throw OracleFailure(where + "bytes delivered out of place: " + app.dump());
        if (client["bytes_received"].get<uint64_t>() > server["bytes_written"].get<uint64_t>() ||
            server["bytes_received"].get<uint64_t>() > client["bytes_written"].get<uint64_t>())
            throw OracleFailure(where + "more bytes received than written: " + app.dump());
        bool completed = app.contains("completed_at");
        if (completed && app["streams_intact"] != true) throw OracleFailure(where + "completed with a short stream: " + app.dump());
        if (e.contains("_complete_by")) {
            std::optional<SimTime> limit = parse_duration(e["_complete_by"]);
            if (!limit) throw OracleFailure(where + "_complete_by is not a duration");
            double by = limit->to_seconds();
            if (!completed || app["completed_at"].get<double>() > by || app["streams_intact"] != true)
                throw OracleFailure(where + "stalled on an open path (to complete by " + e["_complete_by"].get<std::string>() +
                                    "; the run stopped: " + std::string(to_string(r.reason)) + " at " +
                                    r.end_time.to_string() + "): " + app.dump());
        }
        bool finite = (e["type"] == "bulk" && e.contains("bytes")) || e["type"] == "request_response";
        if (quiet && finite && !completed && !e.contains("close_at") && !e.contains("abort_at")) {
            auto says_why = [](const Json& side) {
                std::string o = side["outcome"];
                return o != "normal" && o != "open" && o != "never opened";
            };
            if (!says_why(client) && !says_why(server))
                throw OracleFailure(where + "neither completed nor ended with a reason, and nothing is left to happen: " + app.dump());
        }
    }
}

}  // namespace tcpsim::fuzz
