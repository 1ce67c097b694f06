// What an idle connection costs: its endpoints allocate the state of a transfer
// (TcpTransferState: congestion control, recovery, SACK, reassembly) only once data moves, so
// 100,000 connections that only shook hands and keep alive stay small.
#include <doctest/doctest.h>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {
constexpr uint32_t kIss = 1000, kPeerIss = 5000;
SimTime ms(int64_t v) { return SimTime::from_ms(v); }

TcpConfig idle_tcp() {
    TcpConfig c;  // timestamps, SACK and window scaling on, as in the idle benchmark
    c.keepalive.enabled = true;
    c.keepalive.idle = SimTime::from_s(10);
    c.keepalive.interval = SimTime::from_s(5);
    c.keepalive.count = 3;
    return c;
}

Packet synack(const EndpointHarness& h) {
    Packet p = EndpointHarness::from_peer(kSyn | kAck, kPeerIss, h.ep.iss() + 1);
    p.options.mss = 1460;
    p.options.sack_permitted = true;
    p.options.wscale = 7;
    p.options.has_timestamps = true;
    p.options.ts_val = 77;
    p.options.ts_ecr = h.sent.back().options.ts_val;
    return p;
}

// The peer's answer to a keepalive probe: a pure ACK of what we sent.
Packet ack_from_peer(const EndpointHarness& h, uint32_t ts_val) {
    Packet p = EndpointHarness::from_peer(kAck, kPeerIss + 1, h.ep.snd_nxt());
    p.options.has_timestamps = true;
    p.options.ts_val = ts_val;
    p.options.ts_ecr = h.sent.back().options.ts_val;
    return p;
}
}  // namespace

TEST_CASE("an idle client connection keeps no transfer state through handshake, probes and their ACKs") {
    EndpointHarness h(idle_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.deliver(synack(h), ms(2));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    CHECK_FALSE(h.ep.has_transfer_state());
    // Three rounds of probe and answer (10 s idle each time after the last segment received).
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        // The timer, set when the previous probe went, first finds the connection idle only since
        // the answer and waits until 10 s after it.
        REQUIRE(h.fire(TcpTimer::keepalive));
        if (i > 0) REQUIRE(h.fire(TcpTimer::keepalive));
        REQUIRE(h.ep.keepalive_probes_unanswered() == 1);
        h.deliver(ack_from_peer(h, 78 + i), h.timer_due(TcpTimer::keepalive) - ms(4000));
        CHECK(h.ep.keepalive_probes_unanswered() == 0);
    }
    CHECK(h.ep.counters().keepalive_probes == 3);
    CHECK_FALSE(h.ep.has_transfer_state());
    // What the absent state reads as: RFC 6928's initial window for 1448-byte segments
    // (min(10 * 1448, max(2 * 1448, 14600)) = 14480), ssthresh "arbitrarily high", no recovery.
    CHECK(h.ep.cwnd() == 14480);
    CHECK(h.ep.ssthresh() == CongestionControl::kInfiniteSsthresh);
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.congestion_control_name() == "cubic");
    CHECK(h.ep.scoreboard().empty());
}

TEST_CASE("an idle server connection keeps no transfer state after accepting the handshake") {
    EndpointHarness h(idle_tcp(), kIss);
    h.ep.listen(SimTime::zero());
    Packet syn = EndpointHarness::from_peer(kSyn, kPeerIss);
    syn.options.mss = 1460;
    syn.options.sack_permitted = true;
    syn.options.wscale = 7;
    syn.options.has_timestamps = true;
    syn.options.ts_val = 77;
    h.deliver(syn, ms(1));
    REQUIRE(h.ep.state() == TcpState::SYN_RECEIVED);
    h.deliver(ack_from_peer(h, 78), ms(3));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    REQUIRE(h.fire(TcpTimer::keepalive));
    CHECK_FALSE(h.ep.has_transfer_state());
}

TEST_CASE("the first data written and sent allocates the transfer state") {
    EndpointHarness h(idle_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.deliver(synack(h), ms(2));
    REQUIRE_FALSE(h.ep.has_transfer_state());
    CHECK(h.ep.send(1000, ms(3)) == 1000);
    REQUIRE(h.last().payload_len == 1000);
    CHECK(h.ep.has_transfer_state());
    CHECK(h.ep.counters().bytes_sent == 1000);
    CHECK(h.ep.cwnd() == 14480);  // the congestion control starts where init() puts it
}

TEST_CASE("the first data received allocates the transfer state") {
    EndpointHarness h(idle_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.deliver(synack(h), ms(2));
    REQUIRE_FALSE(h.ep.has_transfer_state());
    Packet d = ack_from_peer(h, 78);
    d.payload_len = 500;
    h.deliver(d, ms(3));
    CHECK(h.ep.has_transfer_state());
    CHECK(h.received == 500);
    CHECK(h.ep.counters().bytes_delivered == 500);
}
