// Property: whatever the link does to the segments (loss, bursts of loss, reordering,
// duplication, jitter) and however the two ends are configured, TCP delivers each byte stream
// exactly once and in order, or gives up with a reason it reports. 10000 random scenarios from
// one fixed seed, each built as JSON and run through parse_scenario and World like a user's
// file (about 1.2 s in Release).
//
// For every run:
//   - it ends by itself (all applications finished, or nothing left to do): never on the event
//     budget, which would mean a livelock (an ACK storm, a timer loop), nor at the duration;
//   - no side ever sees a byte out of place (stream_errors == 0) or more bytes than the peer
//     wrote;
//   - either the application completed (streams intact, the client's outcome normal), or one
//     side gave up with "retransmission limit" or "connection timed out". The counts of each
//     case are reported with MESSAGE.
// Loss is at most 20% each way; Gilbert-Elliott bursts have a mean of 1.1 to 3.3 packets.
//
// The duration is 24 h of simulated time: at 20% loss each way a run can still meet a long
// series of backed-off timeouts, and idle simulated time costs nothing. (What srtt does on such
// paths is test_tcp_lossy_property.cpp's subject.)
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "models/scenario/world.hpp"
#include "random_draws.hpp"
#include "sim/core/rng.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr int kRuns = 10000;
constexpr uint64_t kEventBudget = 5'000'000;

// Half small-biased, half uniform: tiny transfers (one segment, Nagle, delayed ACK) and large
// ones (many windows, many losses) both well covered.
uint64_t size(RngStream& g, int64_t lo, int64_t hi) {
    return g.bernoulli(0.5) ? log_uniform(g, static_cast<double>(lo), static_cast<double>(hi))
                            : static_cast<uint64_t>(between(g, lo, hi));
}

Json random_loss(RngStream& g) {
    double rate = uniform(g, 0.0, 0.2);
    if (g.bernoulli(0.7)) return {{"model", "bernoulli"}, {"rate", rate}};
    // Gilbert-Elliott with every packet lost in the bad state: loss rate a / (a + b) = rate,
    // mean burst 1 / b packets.
    double b = uniform(g, 0.3, 0.9);
    double a = rate * b / (1.0 - rate);
    return {{"model", "gilbert_elliott"}, {"p_good_to_bad", a}, {"p_bad_to_good", b}};
}

Json random_link(RngStream& g) {
    Json l{{"between", {"client", "server"}},
           {"bandwidth", std::to_string(between(g, 1000, 100'000)) + "kbps"},
           {"delay", us(between(g, 1000, 50'000))},
           {"queue", {{"packets", between(g, 5, 200)}}}};
    if (g.bernoulli(0.8)) l["loss"] = random_loss(g);
    if (g.bernoulli(0.7)) l["reorder"] = {{"probability", uniform(g, 0.0, 0.3)}, {"delay", us(between(g, 500, 20'000))}};
    if (g.bernoulli(0.5)) l["duplicate"] = uniform(g, 0.0, 0.05);
    if (g.bernoulli(0.6)) l["jitter"] = {{"distribution", "uniform"}, {"max", us(between(g, 0, 5000))}};
    // Sometimes the two directions differ: a lossier (or clean) return path.
    if (g.bernoulli(0.3)) l["reverse"] = {{"loss", random_loss(g)}};
    return l;
}

Json random_tcp(RngStream& g) {
    Json t{{"send_buffer", log_uniform(g, 4096, 1 << 20)},
           {"receive_buffer", log_uniform(g, 4096, 1 << 20)},
           {"delayed_ack", g.bernoulli(0.5)},
           {"nagle", g.bernoulli(0.5)},
           {"timestamps", g.bernoulli(0.5)},
           {"sack", g.bernoulli(0.5)},
           {"window_scaling", g.bernoulli(0.5)}};
    if (g.bernoulli(0.2)) t["mss"] = between(g, 536, 1460);
    return t;
}

Json random_application(RngStream& g) {
    Json a{{"from", "client"}, {"to", "server"}, {"tcp", random_tcp(g)}, {"server_tcp", random_tcp(g)}};
    double kind = g.uniform01();
    if (kind < 0.6) {
        a["type"] = "bulk";
        a["bytes"] = size(g, 1, 200'000);
    } else if (kind < 0.8) {
        a["type"] = "bulk";  // half-close: the server answers after the client's FIN
        a["bytes"] = size(g, 1, 200'000);
        a["reply_bytes"] = size(g, 1, 100'000);
    } else {
        a["type"] = "request_response";
        a["count"] = between(g, 1, 5);
        a["request"] = log_uniform(g, 1, 2000);
        a["response"] = size(g, 1, 50'000);
        a["think"] = us(between(g, 0, 100'000));
    }
    if (g.bernoulli(0.2)) a["start"] = us(between(g, 0, 1'000'000));
    return a;
}

Json random_scenario(RngStream& g, int i) {
    return Json{{"name", "property-" + std::to_string(i)},
                {"seed", g.below(1'000'000'000)},
                {"duration", "24h"},
                {"nodes", {{{"name", "client"}}, {{"name", "server"}}}},
                {"links", {random_link(g)}},
                {"applications", {random_application(g)}}};
}

bool gave_up(const Json& outcome) { return outcome == "retransmission limit" || outcome == "connection timed out"; }

}  // namespace

TEST_CASE("property: over 10000 random lossy, reordering, duplicating links every stream arrives whole or TCP reports why not") {
    RngStream g(20240601, "tests/tcp-property");
    // completed: both ends closed normally, every byte delivered (the run stopped: all finished).
    // late_fin: the same, but the server's FIN retransmission (after a burst of lost ACKs had
    //   pushed its RTO past 2*MSL) reached the client after its TIME-WAIT: the client's stack
    //   answered with RST (RFC 9293 3.10.7.1) and the server, in LAST-ACK, reports "reset" -
    //   as Linux would with its 60 s TIME-WAIT and 120 s maximum RTO.
    // client_gave_up: the client reports retransmission limit or connection timed out.
    // server_gave_up: the server does; the client may be left half-open, waiting for ever (no
    //   keepalive; no RST is sent on giving up, as on Linux): the run ends with no events left.
    int completed = 0, late_fin = 0, client_gave_up = 0, server_gave_up = 0, other = 0;
    uint64_t events = 0;
    double simulated = 0, slowest = 0;
    auto wall_start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRuns; ++i) {
        Json doc = random_scenario(g, i);
        INFO("run ", i, ": ", doc.dump());
        ScenarioConfig c = parse_scenario(doc, "property");
        RunOptions o;
        o.max_events = kEventBudget;
        World w(c, o);
        RunResult r = w.run();
        Json app = w.session(0).summary();
        INFO("summary: ", app.dump());
        INFO("stop: ", std::string(to_string(r.reason)), " at ", r.end_time.to_string(), " after ", r.events, " events");
        events += r.events;
        simulated += r.end_time.to_seconds();

        // It ends by itself, never on the event budget (a livelock) nor at the 24 h duration.
        CHECK(r.reason != StopReason::event_budget);
        CHECK(r.reason != StopReason::end_time);
        const Json& client = app["client"];
        const Json& server = app["server"];
        // Never a lost, duplicated or reordered byte inside what was delivered.
        CHECK(client["stream_errors"] == 0);
        CHECK(server["stream_errors"] == 0);
        CHECK(client["bytes_received"].get<uint64_t>() <= server["bytes_written"].get<uint64_t>());
        CHECK(server["bytes_received"].get<uint64_t>() <= client["bytes_written"].get<uint64_t>());

        bool intact = app["streams_intact"] == true;
        if (intact && client["outcome"] == "normal" && server["outcome"] == "normal") {
            ++completed;
            CHECK(r.reason == StopReason::all_finished);
            CHECK(app.contains("completed_at"));
            if (app.contains("completed_at")) slowest = std::max(slowest, app["completed_at"].get<double>());
        } else if (intact && client["outcome"] == "normal" && server["outcome"] == "reset") {
            ++late_fin;
            CHECK(r.reason == StopReason::all_finished);
            CHECK(server["closed_at"].get<double>() > client["closed_at"].get<double>());
        } else if (gave_up(client["outcome"])) {
            ++client_gave_up;
        } else if (gave_up(server["outcome"])) {
            ++server_gave_up;
        } else {
            ++other;
            FAIL_CHECK("neither completed nor given up with a reason");
        }
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    MESSAGE(kRuns, " random scenarios: ", completed, " completed, ", late_fin,
            " completed with the server's late FIN reset after the client's TIME-WAIT, ", client_gave_up,
            " client gave up, ", server_gave_up, " server gave up (client half-open), ", other, " other; slowest completion at ",
            slowest, " s; ", events, " events, ", simulated, " s simulated, ", wall, " s wall");
    CHECK(other == 0);
    CHECK(completed > kRuns * 99 / 100);  // at <= 20% loss giving up must stay rare
}
