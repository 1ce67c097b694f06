#pragma once
// ScenarioConfig: a scenario as typed, checked structs. Produced by load_scenario(); everything
// after it trusts these values.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "models/network/link_config.hpp"
#include "models/network/node.hpp"
#include "models/network/packet.hpp"
#include "models/tcp/tcp_app_spec.hpp"
#include "models/tcp/tcp_config.hpp"
#include "sim/core/time.hpp"
#include "sim/json/json_reader.hpp"
#include "sim/trace/trace_writer.hpp"

namespace tcpsim {

struct NodeSpec {
    std::string name;
    NodeKind kind = NodeKind::host;
    TcpConfig tcp;  // the scenario's "tcp" defaults with this node's "tcp" overrides applied
};

// A link (or one direction) is down from `from` until `to` (SimTime::max(): for good).
struct OutageSpec {
    enum class Direction { both, forward, reverse };
    SimTime from, to;
    Direction direction = Direction::both;
};

struct LinkSpec {
    uint32_t a = 0, b = 0;  // node indices; "forward" is a -> b
    LinkDirectionConfig forward, reverse;
    std::vector<OutageSpec> outages;
};

// A raw segment sent at a fixed time: until the TCP endpoint exists, and for tests that need a
// segment exactly as written.
struct ScriptSegmentSpec {
    SimTime at;
    Packet header;  // src_node, dst_node, ports, seq, ack, flags, window, payload_len, options
};
struct SegmentScriptSpec {
    uint32_t node = 0;
    std::vector<ScriptSegmentSpec> segments;
};

using ApplicationSpec = std::variant<SegmentScriptSpec, TcpAppSpec>;

struct ScenarioConfig {
    std::string file;
    std::string name;
    std::string description;
    uint64_t seed = 1;
    SimTime duration;
    TraceLevel trace_level = TraceLevel::segments;
    TcpConfig tcp;  // top-level "tcp": defaults for every host
    std::vector<NodeSpec> nodes;
    std::vector<LinkSpec> links;
    std::vector<ApplicationSpec> applications;  // a TcpAppSpec with copies = N stands for N sessions
    Json source;  // the document as written, for the trace's meta

    // Sessions and segment scripts the applications expand to (the summary's "applications").
    size_t application_count() const;  // the document as written, for the trace's meta
};

// Reads, parses and validates; InputError (file, JSON pointer, what was expected) on any problem.
ScenarioConfig load_scenario(const std::string& path);
ScenarioConfig parse_scenario(const Json& doc, const std::string& file);
// The same, keeping doc as the source without a copy of it.
ScenarioConfig parse_scenario(Json&& doc, const std::string& file);

// Sanity limits: a typo such as 1e7 nodes gets a message naming the field and the limit, not an
// out-of-memory or an hour of setup. Measured (README "Security and limits"): a dumbbell of
// 50,000 pairs (100,002 nodes, 100,001 links) loads and builds in 6 s and 1.1 GB.
inline constexpr size_t kMaxNodes = 100'000;
inline constexpr size_t kMaxLinks = 400'000;
inline constexpr size_t kMaxApplications = 1'000'000;  // after "connections" expansion (bench case E: 1,000,000)
// Raw segments of all "segments" applications together, counting each repeat (each is an event
// scheduled at the start, about 130 bytes).
inline constexpr uint64_t kMaxScriptSegments = 2'000'000;
// Static routing keeps a table over all nodes at every node with two or more links, built by one
// breadth-first search each: refused when (such nodes) x (nodes + 2 x links) exceeds this
// (a chain of 10,000 routers: 3 x 10^8, refused; a 49,999-pair dumbbell: 6 x 10^5).
inline constexpr uint64_t kMaxRoutingWork = 50'000'000;
// Socket calls of "calls" applications: entries in one side's list (each is kept in memory), and
// calls made in all applications together, counting each repetition and each of "connections"
// (each is an event at its time; none is scheduled ahead). One write or read moves at most
// kMaxCallBytes, so that the bytes of every repetition add up within 64 bits.
inline constexpr size_t kMaxCallEntries = 10'000;
inline constexpr uint64_t kMaxCalls = 10'000'000;
inline constexpr uint64_t kMaxCallBytes = uint64_t{1} << 40;
inline constexpr int64_t kMaxConnectionsPerApplication = 200'000;  // "connections" of one entry
inline constexpr uint64_t kEphemeralPorts = 65536 - 49152;           // per client, server and port

}  // namespace tcpsim
