// The "connections" field of a TCP application: N copies of one entry, each its own connection
// from its own ephemeral port (how the benchmark's 10,000 flows and 100,000 idle connections are
// written), and the limits the loader enforces on it.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "models/scenario/world.hpp"

using namespace tcpsim;

namespace {

Json with_app(const Json& app, const std::string& duration = "30s") {
    return Json{{"name", "conns"},
                {"duration", duration},
                {"tcp", {{"msl", "1s"}}},
                {"nodes", {{{"name", "a"}}, {{"name", "b"}}}},
                {"links", {{{"between", {"a", "b"}}, {"bandwidth", "10Mbps"}, {"delay", "5ms"}}}},
                {"applications", Json::array({app})}};
}

// The InputError's pointer and message for a document the loader must refuse.
std::pair<std::string, std::string> refusal(const Json& doc) {
    try {
        parse_scenario(doc, "inline");
    } catch (const InputError& e) {
        return {e.pointer(), e.message()};
    }
    FAIL("the loader accepted the document");
    return {};
}

}  // namespace

TEST_CASE("connections: 3 runs three bulk connections from ports 49152, 49153, 49154, each intact") {
    Json doc = with_app({{"type", "bulk"}, {"from", "a"}, {"to", "b"}, {"bytes", 20000}, {"connections", 3}});
    ScenarioConfig c = parse_scenario(doc, "inline");
    // One spec standing for three sessions (they refer to it rather than carrying a copy each).
    REQUIRE(c.applications.size() == 1);
    REQUIRE(c.application_count() == 3);
    std::ostringstream trace;
    RunOptions o;
    o.trace_out = &trace;
    o.level = TraceLevel::summary;
    World w(c, o);
    RunResult r = w.run();
    CHECK(r.reason == StopReason::all_finished);
    Json t = Json::parse(trace.str());
    const Json& apps = t["summary"]["applications"];
    REQUIRE(apps.size() == 3);
    // Ephemeral ports count up from 49152 in the order the clients connect (all at t=0, in
    // entry order); each server side received exactly its 20000 bytes.
    for (int k = 0; k < 3; ++k) {
        CHECK(apps[k]["client"]["address"] == "a:" + std::to_string(49152 + k));
        CHECK(apps[k]["server"]["bytes_received"] == 20000);
        CHECK(apps[k]["streams_intact"] == true);
    }
    CHECK(t["summary"]["connections"].size() == 3);
}

TEST_CASE("connections: 1000 idle connections all reach ESTABLISHED and stay open to the end") {
    Json doc = with_app({{"type", "idle"}, {"from", "a"}, {"to", "b"}, {"connections", 1000}}, "2s");
    // All 1000 SYNs leave at t=0: a queue that holds them, so no SYN waits for a retransmission.
    doc["links"][0]["queue"] = 2000;
    ScenarioConfig c = parse_scenario(doc, "inline");
    std::ostringstream trace;
    RunOptions o;
    o.trace_out = &trace;
    o.level = TraceLevel::summary;
    World w(c, o);
    RunResult r = w.run();
    // Idle connections without keepalive arm no timer once established: the run ends when
    // nothing is left to happen, with every connection still open.
    CHECK(r.reason == StopReason::no_events);
    CHECK(w.stack(0)->open_connections() == 1000);
    CHECK(w.stack(1)->open_connections() == 1000);
    Json t = Json::parse(trace.str());
    for (const Json& app : t["summary"]["applications"]) {
        REQUIRE(app["client"]["outcome"] == "open");
        REQUIRE(app["client"].contains("connected_at"));
        REQUIRE(app["server"].contains("connected_at"));
    }
}

TEST_CASE("connections: the default is one connection per entry") {
    ScenarioConfig c = parse_scenario(with_app({{"type", "idle"}, {"from", "a"}, {"to", "b"}}), "inline");
    CHECK(c.applications.size() == 1);
    CHECK(c.application_count() == 1);
}

TEST_CASE("connections: 0 is refused with the pointer of the field") {
    auto [pointer, message] = refusal(with_app({{"type", "bulk"}, {"from", "a"}, {"to", "b"}, {"connections", 0}}));
    CHECK(pointer == "/applications/0/connections");
    CHECK(message.find("expected an integer in [1, 200000]") != std::string::npos);
}

TEST_CASE("connections: more than one with a fixed sport is refused (one 4-tuple, one connection)") {
    auto [pointer, message] =
        refusal(with_app({{"type", "bulk"}, {"from", "a"}, {"to", "b"}, {"sport", 40000}, {"connections", 2}}));
    CHECK(pointer == "/applications/0/connections");
    CHECK(message.find("1 when \"sport\" is fixed") != std::string::npos);
}

TEST_CASE("connections: more than the 16384 ephemeral ports from one client to one server port is refused") {
    // 65536 - 49152 = 16384 ports: exactly that many is fine, one more is not.
    CHECK(parse_scenario(with_app({{"type", "idle"}, {"from", "a"}, {"to", "b"}, {"connections", 16384}}), "inline")
              .application_count() == 16384);
    auto [pointer, message] = refusal(with_app({{"type", "idle"}, {"from", "a"}, {"to", "b"}, {"connections", 16385}}));
    CHECK(pointer == "/applications/0/connections");
    CHECK(message.find("at most 16384 connections in all from \"a\" to \"b\" port 5555") != std::string::npos);
}

TEST_CASE("connections: the ephemeral-port limit counts every entry to the same server port, not others") {
    Json doc = with_app({{"type", "idle"}, {"from", "a"}, {"to", "b"}, {"connections", 10000}});
    doc["applications"].push_back({{"type", "idle"}, {"from", "a"}, {"to", "b"}, {"port", 6000}, {"connections", 10000}});
    CHECK(parse_scenario(doc, "inline").application_count() == 20000);  // two server ports: 10000 each
    doc["applications"].push_back({{"type", "idle"}, {"from", "a"}, {"to", "b"}, {"connections", 6385}});
    auto [pointer, message] = refusal(doc);  // 10000 + 6385 = 16385 to port 5555
    CHECK(pointer == "/applications/2/connections");
}
