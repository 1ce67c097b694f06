// The harness itself: an active open emits the SYN and arms the retransmission timer.
#include <doctest/doctest.h>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

TEST_CASE("an active open sends a SYN with the ISS and arms the 1 s initial RTO") {
    EndpointHarness h(plain_tcp(), 1000);
    h.ep.connect(SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    CHECK(h.last().flags == kSyn);
    CHECK(h.last().seq == 1000);
    CHECK(h.ep.state() == TcpState::SYN_SENT);
    CHECK(h.timer_due(TcpTimer::retransmit) == SimTime::from_s(1));
}

#include "models/scenario/world.hpp"

TEST_CASE("an ephemeral port never takes a port another application connects from explicitly") {
    // The first application gets an ephemeral port; the second asks for 49152, the first
    // ephemeral port. Without the reservation both would be 49152 -> server:5555.
    Json doc = Json::parse(R"({
      "name": "ports", "duration": "60s", "tcp": {"msl": "1s"},
      "nodes": [{"name": "c"}, {"name": "s"}],
      "links": [{"between": ["c", "s"]}],
      "applications": [
        {"type": "bulk", "from": "c", "to": "s", "bytes": 5000},
        {"type": "bulk", "from": "c", "to": "s", "bytes": 7000, "sport": 49152}]})");
    ScenarioConfig c = parse_scenario(doc, "inline");
    World w(c, RunOptions{});
    CHECK(w.run().reason == StopReason::all_finished);
    Json first = w.session(0).summary(), second = w.session(1).summary();
    CHECK(first["client"]["address"] == "c:49153");
    CHECK(second["client"]["address"] == "c:49152");
    CHECK(first["streams_intact"] == true);
    CHECK(second["streams_intact"] == true);
    CHECK(first["server"]["bytes_received"] == 5000);
    CHECK(second["server"]["bytes_received"] == 7000);
}
