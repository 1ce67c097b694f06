// Segment dialogues for resets (RFC 9293 3.5.2, 3.10.5, 3.10.7; RFC 5961): which RSTs are
// believed, challenge ACKs, abort, and the RST a listener sends.
#include <doctest/doctest.h>

#include <string>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr uint32_t kIss = 1000;      // our ISS: SND.NXT = 1001 once established
constexpr uint32_t kPeerIss = 5000;  // the peer's ISS: RCV.NXT = 5001 once established

constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr SimTime s(int64_t v) { return SimTime::from_s(v); }

Packet peer(uint8_t flags, uint32_t seq, uint32_t ack = 0, uint32_t len = 0) {
    return EndpointHarness::from_peer(flags, seq, ack, len);
}

// Active open to ESTABLISHED: our SYN at t = 0, the peer's SYN-ACK at t = 100 ms. plain_tcp()
// has a 65535-byte receive buffer, unscaled: RCV.WND = 65535, so [5001, 70536) is the window.
void establish(EndpointHarness& h) { h.establish(kPeerIss); }

}  // namespace

TEST_CASE("a RST with SEQ = RCV.NXT in ESTABLISHED closes the connection: reset") {
    // RFC 5961 3.2: "If the RST bit is set and the sequence number exactly matches the next
    // expected sequence number (RCV.NXT), then TCP MUST reset the connection."
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(peer(kRst, kPeerIss + 1), s(1));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::reset);
    CHECK(h.timers.empty());
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED CLOSED");
}

TEST_CASE("a RST in the window but not at RCV.NXT gets a challenge ACK and changes nothing") {
    // RFC 5961 3.2: in the window but not exact -> <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; a
    // genuine peer, having lost its state, answers that with a RST at exactly RCV.NXT.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(peer(kRst, kPeerIss + 1 + 100), s(1));  // 5101: inside [5001, 70536)
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 1);
    CHECK(h.sent[0].ack == kPeerIss + 1);
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.close_reasons.empty());
}

TEST_CASE("a RST outside the window is dropped without an answer") {
    // RFC 5961 3.2 / RFC 9293 3.10.7.4: "If the RST bit is set and the sequence number is
    // outside the current receive window, silently drop the segment."
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(peer(kRst, kPeerIss + 1 + 100000), s(1));  // beyond the right edge 70536
    h.deliver(peer(kRst, kPeerIss), s(2));                // left of RCV.NXT
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.close_reasons.empty());
}

TEST_CASE("a SYN in ESTABLISHED gets a challenge ACK and changes nothing") {
    // RFC 5961 4.2 (RFC 9293 3.10.7.4, fourth): a SYN in a synchronized state, whatever its
    // sequence number, is answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; no reset.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    Packet syn = peer(kSyn, kPeerIss + 1 + 10);  // in the window
    syn.options.mss = 1460;
    h.deliver(syn, s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 1);
    CHECK(h.sent[0].ack == kPeerIss + 1);
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.ep.rcv_nxt() == kPeerIss + 1);
    CHECK(h.close_reasons.empty());
}

TEST_CASE("abort in ESTABLISHED sends RST with SEQ = SND.NXT and closes: aborted") {
    // RFC 9293 3.10.5: "<SEQ=SND.NXT><CTL=RST>". 100 bytes are in flight, so SND.NXT = 1101,
    // not SND.UNA = 1001.
    TcpConfig c = plain_tcp();
    c.nagle = false;
    EndpointHarness h(c, kIss);
    establish(h);
    REQUIRE(h.ep.send(100, s(1)) == 100);
    REQUIRE(h.sent.size() == 1);
    h.take();

    h.ep.abort(s(2));
    REQUIRE(h.sent.size() == 1);
    CHECK((h.sent[0].flags & kRst) != 0);
    CHECK((h.sent[0].flags & (kSyn | kFin)) == 0);
    CHECK(h.sent[0].seq == kIss + 101);
    CHECK(h.sent[0].payload_len == 0);
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::aborted);
    CHECK(h.timers.empty());
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED CLOSED");
}

TEST_CASE("in LISTEN an ACK is answered with RST seq=SEG.ACK") {
    // RFC 9293 3.10.7.2, second: "Any acknowledgment is bad if it arrives on a connection still
    // in the LISTEN state. An acceptable reset segment should be formed ... <SEQ=SEG.ACK><CTL=RST>".
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.listen(SimTime::zero());
    h.deliver(peer(kAck, 7777, 4242), s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kRst);
    CHECK(h.sent[0].seq == 4242);
    CHECK(h.ep.state() == TcpState::LISTEN);
    CHECK(h.close_reasons.empty());
}

TEST_CASE("in LISTEN a RST is ignored") {
    // RFC 9293 3.10.7.2, first: "An incoming RST segment could not be valid ... ignore it".
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.listen(SimTime::zero());
    h.deliver(peer(kRst, 7777), s(1));
    h.deliver(peer(kRst | kAck, 7777, 4242), s(1));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::LISTEN);
}
