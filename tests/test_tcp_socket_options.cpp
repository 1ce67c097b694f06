// The endpoint's socket options, as the socket layer sets them: TCP_NODELAY, TCP_CORK, MSG_MORE
// (Linux's semantics), the window scale chosen for the largest receive buffer (tcp_rmem[2]), and
// keepalive switched on after the connection is up.
#include <doctest/doctest.h>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {
constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr uint32_t kIss = 1000, kPeerIss = 5000;

Packet ack_all(const EndpointHarness& h) {
    return EndpointHarness::from_peer(kAck, kPeerIss + 1, h.ep.snd_nxt());
}
}  // namespace

TEST_CASE("TCP_CORK holds short writes until uncorked, and uncorking sends them as one segment") {
    EndpointHarness h(plain_tcp(), kIss);
    h.establish(kPeerIss);
    h.ep.set_cork(true, ms(100));
    h.ep.send(40, ms(110));
    h.ep.send(40, ms(160));
    CHECK(h.sent.empty());  // Nagle alone would have sent the first 40 bytes (nothing in flight)
    h.ep.set_cork(false, ms(170));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].payload_len == 80);
    CHECK((h.sent[0].flags & kPsh) != 0);
}

TEST_CASE("TCP_NODELAY turns Nagle off, and setting it pushes what waits") {
    EndpointHarness h(plain_tcp(), kIss);
    h.establish(kPeerIss);
    h.ep.send(40, ms(110));
    REQUIRE(h.take().size() == 1);  // nothing in flight: goes at once
    h.ep.send(40, ms(120));
    CHECK(h.sent.empty());          // Nagle: 40 bytes unacknowledged, a short segment waits
    h.ep.set_nodelay(true, ms(130));
    REQUIRE(h.sent.size() == 1);    // pushed
    CHECK(h.sent[0].payload_len == 40);
    h.take();
    h.ep.send(40, ms(140));
    CHECK(h.sent.size() == 1);      // no Nagle any more: sent with 80 bytes in flight
}

TEST_CASE("MSG_MORE holds short writes like a cork, and the data pushed by TCP_NODELAY carries no PSH") {
    EndpointHarness h(plain_tcp(), kIss);
    h.establish(kPeerIss);
    h.ep.send(40, true, ms(110));
    h.ep.send(40, true, ms(160));
    CHECK(h.sent.empty());
    h.ep.set_nodelay(true, ms(170));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].payload_len == 80);
    CHECK((h.sent[0].flags & kPsh) == 0);  // Linux marks no PSH on MSG_MORE data (tcp_push)
    h.deliver(ack_all(h), ms(180));
    h.take();
    h.ep.send(40, false, ms(190));         // a write without MSG_MORE: sent, with PSH
    REQUIRE(h.sent.size() == 1);
    CHECK((h.sent[0].flags & kPsh) != 0);
}

TEST_CASE("the window scale is chosen for the largest receive buffer, not the initial one") {
    TcpConfig c;
    c.receive_buffer = 540000;                 // shift 4 would do for it
    c.receive_buffer_max = 15 * 1024 * 1024;   // Linux tcp_rmem[2]: shift 8, as Linux sends
    EndpointHarness h(c, kIss);
    h.ep.connect(SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].options.wscale == 8);
    TcpConfig d;
    d.receive_buffer = 540000;
    d.receive_buffer_max = 0;  // no larger maximum: the receive buffer sets the scale
    EndpointHarness g(d, kIss);
    g.ep.connect(SimTime::zero());
    CHECK(g.sent[0].options.wscale == 4);
}

TEST_CASE("keepalive switched on after the connection is up arms its timer, and switched off cancels it") {
    TcpConfig c = plain_tcp();
    EndpointHarness h(c, kIss);
    h.establish(kPeerIss);
    CHECK_FALSE(h.timer_set(TcpTimer::keepalive));
    TcpConfig on = c;
    on.keepalive.enabled = true;
    on.keepalive.idle = SimTime::from_s(5);
    h.ep.use_config(on);
    h.ep.keepalive_changed(ms(200));
    REQUIRE(h.timer_set(TcpTimer::keepalive));
    CHECK(h.timer_due(TcpTimer::keepalive).ns() == (ms(100) + SimTime::from_s(5)).ns());  // idle from the last segment
    TcpConfig off = on;
    off.keepalive.enabled = false;
    h.ep.use_config(off);
    h.ep.keepalive_changed(ms(300));
    CHECK_FALSE(h.timer_set(TcpTimer::keepalive));
}

TEST_CASE("reading opens the window only as far as the header can advertise: no window update that changes nothing") {
    // Without window scaling the field carries at most 65535. A 128 KiB buffer with 100 bytes
    // unread already advertises 65535 - 100 ... up to the field's maximum once read: reading the
    // 100 bytes opens less than a segment and sends nothing (an ACK there would repeat the window).
    TcpConfig c = plain_tcp();
    c.receive_buffer = 131072;
    EndpointHarness h(c, kIss);
    h.ep.set_auto_read(false);
    h.establish(kPeerIss);
    h.deliver(EndpointHarness::from_peer(kAck | kPsh, kPeerIss + 1, kIss + 1, 100), ms(200));
    h.take();
    h.ep.read(100, ms(300));
    CHECK(h.sent.empty());
    // With a buffer the window can cover, reading a segment's worth does announce it.
    TcpConfig small = plain_tcp();
    small.receive_buffer = 8000;
    EndpointHarness g(small, kIss);
    g.ep.set_auto_read(false);
    g.establish(kPeerIss);
    g.deliver(EndpointHarness::from_peer(kAck | kPsh, kPeerIss + 1, kIss + 1, 4000), ms(200));
    // The ACK of the data advertises what is left of the buffer while the data is unread.
    REQUIRE(g.sent.size() == 1);
    CHECK(g.sent[0].window == 4000);
    g.take();
    g.ep.read(4000, ms(300));
    REQUIRE(g.sent.size() == 1);
    CHECK(g.sent[0].window == 8000);
}
