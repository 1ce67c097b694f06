#include "models/packetdrill/script_session.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/packetdrill/script_parser.hpp"
#include "models/socket/socket_layer.hpp"
#include "sim/core/os_error.hpp"

namespace tcpsim::packetdrill {

namespace {
constexpr uint16_t kLocalPort = 8080;    // packetdrill's bind and connect port
constexpr uint16_t kRemotePort = 40000;  // the scripted peer's
constexpr uint32_t kRemoteIsn = 1000000;
constexpr uint32_t kLocal = 0, kRemote = 1;

// An upper bound of the script's last time: the run's duration (plus time for a last wait).
SimTime script_length(const Script& s) {
    SimTime t = SimTime::zero();
    for (const Event& e : s.events) {
        if (!e.time) continue;
        const EventTime& et = *e.time;
        SimTime start = et.kind == EventTime::Kind::relative ? t + et.start : et.kind == EventTime::Kind::absolute ? et.start : t;
        SimTime end = start;
        if (et.range != EventTime::Range::none) end = std::max(end, et.end_relative ? t + et.end : et.end);
        t = std::max(start, end);
    }
    return t;
}
}  // namespace

Script load_script(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read \"" + path + "\": " + system_reason(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_script(text.str(), path);
}

ScenarioConfig script_scenario(const Script& script, HostSettings& settings) {
    for (const auto& [name, value] : script.options) apply_option(settings, name, value);
    ScenarioConfig c;
    c.file = script.path;
    c.name = std::filesystem::path(script.path).stem().string();
    if (c.name.empty()) c.name = "script";
    c.seed = 1;
    c.duration = script_length(script) + SimTime::from_s(600);
    c.trace_level = TraceLevel::segments;
    c.tcp = settings.tcp;
    c.nodes.push_back(NodeSpec{"local", NodeKind::host, settings.tcp});
    c.nodes.push_back(NodeSpec{"remote", NodeKind::host, settings.tcp});
    LinkSpec l;
    l.a = kLocal;
    l.b = kRemote;
    // packetdrill's tun device: no delay; a packet takes a nanosecond to serialize, so segments
    // sent together arrive together.
    l.forward.bandwidth_bps = 1'000'000'000'000'000ULL;
    l.forward.delay = SimTime::zero();
    l.forward.queue.limit_packets = 1'000'000;
    l.reverse = l.forward;
    c.links.push_back(l);
    c.source = Json{{"packetdrill", script.path}};
    return c;
}

ScriptVerdict run_script(const Script& script, const ScenarioConfig& scenario, HostSettings settings,
                         const SessionOptions& options, RunOptions outputs) {
    if (options.tolerance) settings.tolerance = *options.tolerance;
    outputs.max_events = std::min(outputs.max_events, options.max_events);
    World world(scenario, outputs);
    TcpStack& local = *world.stack(kLocal);
    SocketLayer sockets(local, kRemote, settings.tcp);
    Node& remote = world.network().node(kRemote);
    ScriptPackets packets(kRemoteIsn, kLocal, kRemote, kRemotePort);
    packets.set_local_port(kLocalPort);
    RunnerOptions ro;
    ro.verbose = options.verbose;
    ro.strict = options.strict;
    ro.script_dir = std::filesystem::path(script.path).parent_path().string();
    ScriptRunner runner(script, settings, world.sim(), remote, sockets, packets, kLocalPort, ro);
    remote.set_transport(&runner);  // the scripted peer receives what the local stack sends
    runner.start();
    ScriptVerdict v;
    v.run = world.run();
    v.events = v.run.events;
    if (options.on_finished) options.on_finished(world);
    if (runner.finished()) {
        v.verdict = runner.verdict();
    } else {
        v.verdict.kind = Verdict::Kind::fail;
        v.verdict.message = v.run.reason == StopReason::event_budget
                                ? "stopped after " + std::to_string(v.run.events) + " events (the limit) at t=" +
                                      v.run.end_time.to_seconds_string() + " s, before the script's end"
                                : "the run ended (" + std::string(to_string(v.run.reason)) + ") at t=" +
                                      v.run.end_time.to_seconds_string() + " s, before the script's end";
        if (runner.current_event()) v.verdict.pos = runner.current_event()->pos;
    }
    v.ignored = settings.ignored;
    return v;
}

}  // namespace tcpsim::packetdrill
