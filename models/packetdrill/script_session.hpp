#pragma once
// One packetdrill script run: the script read and parsed, a World of two hosts built for it
// ("local", the host under test with its TCP stack and socket layer, and "remote", the scripted
// peer) joined by a link of no delay and practically unlimited bandwidth, the runner playing the
// script, and the verdict. The World writes the same outputs as `tcpsim run` (trace, CSV, pcap).
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "models/packetdrill/host_settings.hpp"
#include "models/packetdrill/script.hpp"
#include "models/packetdrill/script_runner.hpp"
#include "models/scenario/scenario_config.hpp"
#include "models/scenario/world.hpp"

namespace tcpsim::packetdrill {

struct ScriptVerdict {
    Verdict verdict;
    std::vector<std::string> ignored;  // sysctls and options with no tcpsim equivalent
    RunResult run{};
    uint64_t events = 0;
};

struct SessionOptions {
    std::optional<SimTime> tolerance;  // --tolerance-usecs: overrides the script's
    std::ostream* verbose = nullptr;
    bool strict = false;  // --strict: an unexpected segment before the last event fails (RunnerOptions)
    uint64_t max_events = 50'000'000;  // a script that would run on for ever stops here
    // Called with the World once its run ended (the CLI reports the files it wrote).
    std::function<void(World&)> on_finished;
};

// The script's scenario: what World builds for it (named after the script's file). Its options
// (--tolerance_usecs ...) are applied to `settings` on the way.
ScenarioConfig script_scenario(const Script& script, HostSettings& settings);

// Runs `script` in a World made from `scenario` with `outputs` (trace files; may be empty).
ScriptVerdict run_script(const Script& script, const ScenarioConfig& scenario, HostSettings settings,
                         const SessionOptions& options, RunOptions outputs);

// Reads and parses the file: ParseError with line and column on a script that does not parse;
// std::runtime_error for a file that cannot be read.
Script load_script(const std::string& path);

}  // namespace tcpsim::packetdrill
