// Static shortest-path routing and forwarding.
#include <doctest/doctest.h>

#include "network_fixture.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

TEST_CASE("routes take the fewest hops and ties go to the link declared first") {
    // a -- b -- d and a -- c -- d: two equal paths. b's link was declared first, so a -> d goes
    // through b. A direct a -- e -- f -- d path is longer and never used.
    NetworkFixture f;
    Node& a = f.host("a");
    Node& b = f.router("b");
    Node& c = f.router("c");
    Node& d = f.host("d");
    LinkDirectionConfig cfg;
    auto [ab, ba] = f.net.add_link(a, b, cfg, cfg);
    auto [ac, ca] = f.net.add_link(a, c, cfg, cfg);
    f.net.add_link(b, d, cfg, cfg);
    f.net.add_link(c, d, cfg, cfg);
    f.net.compute_routes();
    CHECK(a.route_to(d.id()) == ab);
    CHECK(a.route_to(c.id()) == ac);
    a.send(NetworkFixture::segment(a, d, 100));
    f.sim.run(SimTime::from_s(1));
    REQUIRE(f.received_by(d).arrivals.size() == 1);
    CHECK(ab->stats().packets_sent == 1);
    CHECK(ac->stats().packets_sent == 0);
    // Each router decremented the TTL once.
    CHECK(f.received_by(d).arrivals[0].packet.ttl == 63);
}

TEST_CASE("a packet to an unreachable node is dropped with reason no_route") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& r = f.router("r");
    Node& b = f.host("b");
    Node& island = f.host("island");
    LinkDirectionConfig cfg;
    f.net.add_link(a, r, cfg, cfg);
    f.net.add_link(r, b, cfg, cfg);
    f.net.compute_routes();
    a.send(NetworkFixture::segment(a, island, 10));
    f.sim.run(SimTime::from_s(1));
    CHECK(f.net.tracer().drops(DropReason::no_route) == 1);
    CHECK(f.received_by(island).arrivals.empty());
}

TEST_CASE("a router drops a packet whose TTL runs out") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& r1 = f.router("r1");
    Node& r2 = f.router("r2");
    Node& b = f.host("b");
    LinkDirectionConfig cfg;
    f.net.add_link(a, r1, cfg, cfg);
    f.net.add_link(r1, r2, cfg, cfg);
    f.net.add_link(r2, b, cfg, cfg);
    f.net.compute_routes();
    Packet p = NetworkFixture::segment(a, b, 10);
    p.ttl = 2;  // r1 forwards with TTL 1, r2 may not forward it further
    a.send(p);
    p.ttl = 3;
    a.send(p);
    f.sim.run(SimTime::from_s(1));
    CHECK(f.net.tracer().drops(DropReason::ttl_expired) == 1);
    CHECK(f.received_by(b).arrivals.size() == 1);
}
