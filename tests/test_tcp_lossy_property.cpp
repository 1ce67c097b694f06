// Property: on random multi-hop networks (2 to 6 nodes: hosts, and routers between them when
// there are more than two) whose links lose, reorder, duplicate, jitter and go down for a while,
// with random TCP settings at both ends and bulk, half-close and request/response applications,
// every transfer finishes and what the summary says of it holds together. 300 scenarios from one
// fixed seed, each built as JSON and run like a user's file (well under a second in Release).
//
// For every application:
//   - it completes (completed_at), its streams arrived whole (streams_intact) and nobody gave
//     up: loss is at most 8% per direction, bursts are short and outages last at most 8 s, far
//     inside the SYN and data retransmission budgets (127 s, 15 expiries);
//   - whenever completed_at is set, streams_intact is true;
//   - at both ends, retransmissions >= spurious retransmissions;
//   - at both ends srtt never rises above 2 x the path's worst round trip + 100 ms (every cc
//     record of the run is looked at): samples after the first measure one round trip. The
//     worst round trip adds up, over every link of the path both ways, propagation, the largest
//     jitter and reordering hold-back, a full queue and a segment's serialization; 100 ms covers
//     a delayed ACK (40 ms) and the 1 ms timestamp tick. The first sample, which may include a
//     SYN-ACK retransmission timeout, only sets where srtt starts (below kFirstSampleLimit). An
//     ACK that echoes a stale timestamp makes srtt rise and run away (to tens of seconds) and
//     fails this.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "models/scenario/world.hpp"
#include "random_draws.hpp"
#include "sim/core/rng.hpp"
#include "sim/trace/trace_sink.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr int kRuns = 300;
// The first RTT sample may be the handshake's: when the SYN-ACK was lost and resent by the
// peer's timer, it is the SYN's round trip including that timeout (1 s, 2 s, ...; Linux samples
// it so too). Later samples only ever measure a round trip.
constexpr double kFirstSampleLimit = 8.0;

struct Generated {
    Json doc;
    // Per application: the worst round trip of its path (seconds).
    std::vector<double> path_rtt;
};

// A link between a and b with random impairments; `worst` gets its worst one-way delay.
Json random_link(RngStream& g, const std::string& a, const std::string& b, double& worst) {
    int64_t kbps = between(g, 1000, 100'000);
    int64_t delay_us = between(g, 500, 30'000);
    int64_t queue = between(g, 10, 200);
    Json l{{"between", {a, b}},
           {"bandwidth", std::to_string(kbps) + "kbps"},
           {"delay", us(delay_us)},
           {"queue", {{"packets", queue}}}};
    double tx = 1500.0 * 8 / (static_cast<double>(kbps) * 1000);
    worst = delay_us * 1e-6 + tx * static_cast<double>(queue + 1);
    if (g.bernoulli(0.8)) {
        double rate = uniform(g, 0.0, 0.08);
        if (g.bernoulli(0.7)) {
            l["loss"] = rate;
        } else {
            double pb = uniform(g, 0.5, 0.9);  // mean burst 1.1 to 2 packets
            l["loss"] = {{"model", "gilbert_elliott"}, {"p_good_to_bad", rate * pb / (1 - rate)}, {"p_bad_to_good", pb}};
        }
    }
    if (g.bernoulli(0.5)) {
        int64_t hold = between(g, 500, 15'000);
        l["reorder"] = {{"probability", uniform(g, 0.0, 0.2)}, {"delay", us(hold)}};
        worst += hold * 1e-6;
    }
    if (g.bernoulli(0.4)) l["duplicate"] = uniform(g, 0.0, 0.03);
    if (g.bernoulli(0.5)) {
        int64_t jitter = between(g, 0, 5000);
        l["jitter"] = {{"distribution", "uniform"}, {"max", us(jitter)}};
        worst += jitter * 1e-6;
    }
    if (g.bernoulli(0.2)) {
        int64_t from = between(g, 100'000, 20'000'000);
        int64_t length = between(g, 100'000, 8'000'000);
        const char* dirs[] = {"both", "forward", "reverse"};
        l["outages"] = {{{"from", us(from)}, {"to", us(from + length)}, {"direction", dirs[g.below(3)]}}};
    }
    return l;
}

Json random_tcp(RngStream& g) {
    const char* ccs[] = {"cubic", "newreno", "reno"};
    Json t{{"send_buffer", between(g, 8192, 1 << 20)},
           {"receive_buffer", between(g, 8192, 1 << 20)},
           {"delayed_ack", g.bernoulli(0.7)},
           {"nagle", g.bernoulli(0.7)},
           {"timestamps", g.bernoulli(0.7)},
           {"sack", g.bernoulli(0.6)},
           {"window_scaling", g.bernoulli(0.7)},
           {"ecn", g.bernoulli(0.2)},
           {"cc", ccs[g.below(3)]}};
    if (g.bernoulli(0.2)) t["mss"] = between(g, 536, 1460);
    return t;
}

Json random_application(RngStream& g, const std::string& from, const std::string& to, int port) {
    Json a{{"from", from}, {"to", to}, {"port", port}, {"tcp", random_tcp(g)}, {"server_tcp", random_tcp(g)}};
    double kind = g.uniform01();
    if (kind < 0.5) {
        a["type"] = "bulk";
        a["bytes"] = between(g, 1, 300'000);
    } else if (kind < 0.75) {
        a["type"] = "bulk";
        a["bytes"] = between(g, 1, 100'000);
        a["reply_bytes"] = between(g, 1, 100'000);
    } else {
        a["type"] = "request_response";
        a["count"] = between(g, 1, 5);
        a["request"] = between(g, 1, 2000);
        a["response"] = between(g, 1, 40'000);
        a["think"] = us(between(g, 0, 50'000));
    }
    if (g.bernoulli(0.3)) a["start"] = us(between(g, 0, 2'000'000));
    return a;
}

// Hosts h0..; with more than two nodes, one or two routers in a chain and every host on one of
// them. Paths are unique (a tree), so each application's worst round trip is known.
Generated random_scenario(RngStream& g, int index) {
    int nodes = static_cast<int>(between(g, 2, 6));
    int routers = nodes == 2 ? 0 : static_cast<int>(between(g, 1, std::min(2, nodes - 2)));
    int hosts = nodes - routers;
    Json node_list = Json::array(), links = Json::array();
    for (int i = 0; i < hosts; ++i) node_list.push_back({{"name", "h" + std::to_string(i)}});
    for (int i = 0; i < routers; ++i) node_list.push_back({{"name", "r" + std::to_string(i)}, {"type", "router"}});
    std::vector<int> attached(static_cast<size_t>(hosts), 0);  // a host's router
    std::vector<double> host_link(static_cast<size_t>(hosts), 0);
    double router_link = 0;
    if (routers == 0) {
        links.push_back(random_link(g, "h0", "h1", host_link[0]));
    } else {
        for (int i = 0; i < hosts; ++i) {
            attached[static_cast<size_t>(i)] = static_cast<int>(g.below(static_cast<uint64_t>(routers)));
            links.push_back(random_link(g, "h" + std::to_string(i), "r" + std::to_string(attached[static_cast<size_t>(i)]),
                                        host_link[static_cast<size_t>(i)]));
        }
        if (routers == 2) links.push_back(random_link(g, "r0", "r1", router_link));
    }
    Generated out;
    Json apps = Json::array();
    int count = static_cast<int>(between(g, 1, 3));
    for (int k = 0; k < count; ++k) {
        int a = static_cast<int>(g.below(static_cast<uint64_t>(hosts)));
        int b = static_cast<int>(g.below(static_cast<uint64_t>(hosts - 1)));
        if (b >= a) ++b;
        apps.push_back(random_application(g, "h" + std::to_string(a), "h" + std::to_string(b), 5000 + k));
        double one_way = routers == 0 ? host_link[0]
                                      : host_link[static_cast<size_t>(a)] + host_link[static_cast<size_t>(b)] +
                                            (attached[static_cast<size_t>(a)] != attached[static_cast<size_t>(b)] ? router_link : 0);
        out.path_rtt.push_back(2 * one_way);
    }
    out.doc = Json{{"name", "lossy-property-" + std::to_string(index)},
                   {"seed", g.below(1'000'000'000)},
                   {"duration", "1h"},
                   {"tcp", {{"msl", "2s"}}},
                   {"nodes", node_list},
                   {"links", links},
                   {"applications", apps}};
    return out;
}

// Each connection end's srtt at its cc records, by (node, conn): the largest value, and the
// largest value reached by a rise (any record but the first with an srtt).
struct SrttSink : TraceSink {
    struct End {
        double last = 0, largest = 0, largest_rise = 0;
    };
    bool wants(TraceCategory c) const override { return c == TraceCategory::segment; }
    void record(const TraceFields& r) override {
        if (r.type() != "cc") return;
        const TraceValue* srtt = r.find("srtt");
        int64_t conn = -1;
        if (!srtt || srtt->kind != TraceValue::Kind::f64 || !r.integer("conn", conn) || srtt->d <= 0) return;
        End& e = ends[{std::string(r.string("node")), conn}];
        if (e.last > 0 && srtt->d > e.last) e.largest_rise = std::max(e.largest_rise, srtt->d);
        e.largest = std::max(e.largest, srtt->d);
        e.last = srtt->d;
    }
    std::map<std::pair<std::string, int64_t>, End> ends;
};

}  // namespace

TEST_CASE("property: on 300 random lossy multi-hop networks every transfer finishes, srtt stays near the path's round trip") {
    RngStream g(20261204, "tests/tcp-lossy-property");
    int completed = 0, applications = 0;
    double worst_ratio = 0;
    for (int i = 0; i < kRuns; ++i) {
        Generated s = random_scenario(g, i);
        INFO("run ", i, ": ", s.doc.dump());
        ScenarioConfig c = parse_scenario(s.doc, "lossy-property");
        SrttSink sink;
        RunOptions o;
        o.keep_summary = true;
        o.max_events = 20'000'000;
        o.sinks.push_back(&sink);
        World w(c, o);
        RunResult r = w.run();
        CHECK(r.reason == StopReason::all_finished);
        const Json& summary = w.summary_json();
        for (const Json& app : summary["applications"]) {
            ++applications;
            size_t k = app["app"].get<size_t>();
            INFO("application ", k, ": ", app.dump());
            bool done = app.contains("completed_at");
            if (done) CHECK(app["streams_intact"] == true);  // never complete with a short stream
            CHECK(done);
            CHECK(app["streams_intact"] == true);
            completed += done ? 1 : 0;
            for (const char* side : {"client", "server"}) {
                const Json& e = app[side];
                CHECK(e["retransmissions"].get<uint64_t>() >= e["spurious_retransmits"].get<uint64_t>());
                CHECK(e["outcome"] != "retransmission limit");
                CHECK(e["outcome"] != "connection timed out");
            }
        }
        // srtt bound, per connection end: a connection's application is the one whose client
        // and server addresses it joins.
        for (const Json& conn : summary["connections"]) {
            int64_t id = conn["conn"].get<int64_t>();
            std::string from = conn["forward"]["from"], to = conn["forward"]["to"];
            const Json* owner = nullptr;
            for (const Json& app : summary["applications"])
                if ((app["client"]["address"] == from && app["server"]["address"] == to) ||
                    (app["client"]["address"] == to && app["server"]["address"] == from))
                    owner = &app;
            REQUIRE(owner != nullptr);
            size_t k = (*owner)["app"].get<size_t>();
            REQUIRE(k < s.path_rtt.size());
            double bound = 2 * s.path_rtt[k] + 0.1;
            for (const std::string& address : {from, to}) {
                std::string node = address.substr(0, address.find(':'));
                auto it = sink.ends.find({node, id});
                if (it == sink.ends.end()) continue;
                const SrttSink::End& e = it->second;
                INFO("connection ", id, " at ", node, ": srtt at most ", e.largest, " s, by a rise ", e.largest_rise,
                     " s; bound ", bound, " s");
                CHECK(e.largest_rise <= bound);
                CHECK(e.largest <= kFirstSampleLimit);
                worst_ratio = std::max(worst_ratio, e.largest_rise / bound);
            }
        }
    }
    MESSAGE(kRuns, " random networks, ", applications, " applications, ", completed,
            " completed; largest srtt rise / bound ", worst_ratio);
    CHECK(completed == applications);
}
