// Segment dialogues for closing a connection (RFC 9293 3.6, figures 12 and 13, and 3.10.7.4):
// active, passive and simultaneous close, half-close, and TIME-WAIT.
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

// TcpConfig's default MSL is 30 s: TIME-WAIT lasts 2*MSL = 60 s.
constexpr SimTime kTwoMsl = SimTime::from_s(60);

Packet peer(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len = 0) {
    return EndpointHarness::from_peer(flags, seq, ack, len);
}

// Active open to ESTABLISHED: our SYN at t = 0, the peer's SYN-ACK at t = 100 ms.
void establish(EndpointHarness& h) { h.establish(kPeerIss); }

}  // namespace

TEST_CASE("active close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 2*MSL, then CLOSED") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);

    // RFC 9293 3.6 figure 12, line 2: <SEQ=SND.NXT = 1001><ACK=5001><CTL=FIN,ACK>.
    h.ep.close(s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kFin | kAck));
    CHECK(h.sent[0].seq == kIss + 1);
    CHECK(h.sent[0].ack == kPeerIss + 1);
    CHECK(h.ep.state() == TcpState::FIN_WAIT_1);
    CHECK(h.ep.snd_nxt() == kIss + 2);  // the FIN takes one sequence number
    CHECK(h.timer_set(TcpTimer::retransmit));
    h.take();

    // Line 3: the ACK of our FIN (1002).
    h.deliver(peer(kAck, kPeerIss + 1, kIss + 2), ms(1100));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::FIN_WAIT_2);
    CHECK_FALSE(h.timer_set(TcpTimer::retransmit));

    // Line 4: the peer's FIN <SEQ=5001><ACK=1002>; line 5: our ACK <SEQ=1002><ACK=5002>.
    h.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 2), s(2));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 2);
    CHECK(h.sent[0].ack == kPeerIss + 2);
    CHECK(h.ep.state() == TcpState::TIME_WAIT);
    CHECK(h.peer_closed_count == 1);
    // RFC 9293 3.10.7.4 (FIN, TIME-WAIT): 2*MSL from now: 2 s + 60 s.
    CHECK(h.timer_due(TcpTimer::time_wait) == s(2) + kTwoMsl);
    CHECK(h.close_reasons.empty());

    REQUIRE(h.fire(TcpTimer::time_wait));
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::normal);
    CHECK(h.timers.empty());
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
}

TEST_CASE("a FIN that also acknowledges ours takes FIN-WAIT-1 to TIME-WAIT in one segment") {
    // RFC 9293 3.10.7.4 handles the ACK field (fifth) before the FIN bit (eighth): the ACK of our
    // FIN enters FIN-WAIT-2 "and continue[s] processing in that state", whose FIN enters
    // TIME-WAIT. Linux passes through FIN-WAIT-2 the same way.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.close(s(1));
    h.take();
    h.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 2), ms(1100));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == kPeerIss + 2);
    CHECK(h.ep.state() == TcpState::TIME_WAIT);
    CHECK(h.timer_due(TcpTimer::time_wait) == ms(1100) + kTwoMsl);
    REQUIRE(h.fire(TcpTimer::time_wait));
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
}

TEST_CASE("passive close: the peer's FIN gives CLOSE-WAIT, our close LAST-ACK, its ACK CLOSED") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);

    // Figure 12 seen from TCP Peer B: the FIN <SEQ=5001><ACK=1001> is acknowledged at once
    // (RCV.NXT = 5002) and the application told of the end of the peer's stream.
    h.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 1), s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 1);
    CHECK(h.sent[0].ack == kPeerIss + 2);
    CHECK(h.ep.state() == TcpState::CLOSE_WAIT);
    CHECK(h.peer_closed_count == 1);
    h.take();

    // Our close: <SEQ=1001><ACK=5002><CTL=FIN,ACK>.
    h.ep.close(s(2));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kFin | kAck));
    CHECK(h.sent[0].seq == kIss + 1);
    CHECK(h.sent[0].ack == kPeerIss + 2);
    CHECK(h.ep.state() == TcpState::LAST_ACK);
    h.take();

    // The ACK of our FIN (1002): no TIME-WAIT on this side.
    h.deliver(peer(kAck, kPeerIss + 2, kIss + 2), ms(2100));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::normal);
    CHECK(h.timers.empty());
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
}

TEST_CASE("simultaneous close: CLOSING on the peer's FIN, TIME-WAIT on the ACK of ours") {
    // RFC 9293 3.6 figure 13: both sent FIN <SEQ=1001> / <SEQ=5001>, each before seeing the
    // other's.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.close(s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kFin | kAck));
    h.take();

    // The peer's FIN acknowledges only up to 1001, not our FIN: CLOSING, and we ACK 5002.
    h.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 1), ms(1050));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 2);
    CHECK(h.sent[0].ack == kPeerIss + 2);
    CHECK(h.ep.state() == TcpState::CLOSING);
    CHECK(h.peer_closed_count == 1);
    h.take();

    // Its ACK of our FIN (1002): TIME-WAIT for 2*MSL from now.
    h.deliver(peer(kAck, kPeerIss + 2, kIss + 2), ms(1100));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::TIME_WAIT);
    CHECK(h.timer_due(TcpTimer::time_wait) == ms(1100) + kTwoMsl);

    REQUIRE(h.fire(TcpTimer::time_wait));
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::normal);
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
}

TEST_CASE("half-close: in FIN-WAIT-2 the peer's data is still delivered and acknowledged") {
    // RFC 9293 3.10.7.4, seventh: FIN-WAIT-1 and FIN-WAIT-2 still process segment text - only
    // our direction is closed.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.close(s(1));
    h.deliver(peer(kAck, kPeerIss + 1, kIss + 2), ms(1100));
    REQUIRE(h.ep.state() == TcpState::FIN_WAIT_2);
    h.take();

    // 100 bytes [5001, 5101), then 200 bytes [5101, 5301): each ACKed (delayed ACK is off).
    h.deliver(peer(kAck, kPeerIss + 1, kIss + 2, 100), s(2));
    h.deliver(peer(kAck | kPsh, kPeerIss + 101, kIss + 2, 200), ms(2010));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0].seq == kIss + 2);
    CHECK(h.sent[0].ack == kPeerIss + 101);
    CHECK(h.sent[1].ack == kPeerIss + 301);
    CHECK(h.received == 300);
    CHECK(h.stream_errors == 0);
    CHECK(h.ep.state() == TcpState::FIN_WAIT_2);
    h.take();

    // Then its FIN <SEQ=5301>: ACK 5302 and TIME-WAIT.
    h.deliver(peer(kFin | kAck, kPeerIss + 301, kIss + 2), s(3));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == kPeerIss + 302);
    CHECK(h.ep.state() == TcpState::TIME_WAIT);
    CHECK(h.peer_closed_count == 1);
    CHECK(h.received == 300);

    REQUIRE(h.fire(TcpTimer::time_wait));
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
}

TEST_CASE("a retransmitted FIN in TIME-WAIT is acknowledged again and restarts 2*MSL") {
    // RFC 9293 3.10.7.4, eighth (TIME-WAIT): "The only thing that can arrive in this state is a
    // retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.close(s(1));
    h.deliver(peer(kAck, kPeerIss + 1, kIss + 2), ms(1100));
    h.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 2), s(2));
    REQUIRE(h.ep.state() == TcpState::TIME_WAIT);
    REQUIRE(h.timer_due(TcpTimer::time_wait) == s(2) + kTwoMsl);
    h.take();

    // Our ACK was lost; the peer retransmits its FIN 10 s later.
    h.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 2), s(12));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 2);
    CHECK(h.sent[0].ack == kPeerIss + 2);
    CHECK(h.ep.state() == TcpState::TIME_WAIT);
    CHECK(h.timer_due(TcpTimer::time_wait) == s(12) + kTwoMsl);  // 72 s, not 62 s
    CHECK(h.peer_closed_count == 1);                              // told once only

    REQUIRE(h.fire(TcpTimer::time_wait));
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::normal);
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
}

TEST_CASE("data and FIN in one segment are acknowledged by one ACK") {
    // The last data segment carries the FIN: one ACK covers both (5001 + 100 + 1), not an ACK
    // for the data and another for the FIN at the same instant.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(peer(kFin | kAck | kPsh, kPeerIss + 1, kIss + 1, 100), s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].ack == kPeerIss + 1 + 100 + 1);
    CHECK(h.received == 100);
    CHECK(h.ep.state() == TcpState::CLOSE_WAIT);
}

TEST_CASE("an application that closes on the peer's FIN sends one FIN-ACK, no separate ACK") {
    // Passive close with the application closing at once: its FIN carries the ACK of the peer's
    // data and FIN, as Linux's does; the state goes CLOSE-WAIT then LAST-ACK.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.on_peer_closed = [&] { h.ep.close(s(1)); };
    h.deliver(peer(kFin | kAck | kPsh, kPeerIss + 1, kIss + 1, 100), s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kFin | kAck));
    CHECK(h.sent[0].ack == kPeerIss + 1 + 100 + 1);
    CHECK(h.ep.state() == TcpState::LAST_ACK);
    // The same with a FIN alone.
    EndpointHarness g(plain_tcp(), kIss);
    g.establish(kPeerIss);
    g.on_peer_closed = [&] { g.ep.close(s(1)); };
    g.deliver(peer(kFin | kAck, kPeerIss + 1, kIss + 1), s(1));
    REQUIRE(g.sent.size() == 1);
    CHECK(g.sent[0].flags == (kFin | kAck));
    CHECK(g.sent[0].ack == kPeerIss + 2);
}
