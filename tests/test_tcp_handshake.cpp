// Segment dialogues for opening a connection (RFC 9293 3.5 and 3.10.7.3): active, passive and
// simultaneous open, SYN and SYN-ACK retransmission (RFC 6298 5.5), and the resets of SYN-SENT.
#include <doctest/doctest.h>

#include <string>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr uint32_t kIss = 1000;      // our ISS
constexpr uint32_t kPeerIss = 5000;  // the peer's ISS

constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr SimTime s(int64_t v) { return SimTime::from_s(v); }

// A SYN or SYN-ACK from the peer, announcing MSS 1460 and nothing else (as plain_tcp() does).
Packet peer_syn(uint8_t flags, uint32_t seq, uint32_t ack = 0) {
    Packet p = EndpointHarness::from_peer(flags, seq, ack);
    p.options.mss = 1460;
    return p;
}

// Active open to ESTABLISHED: our SYN at t = 0, the peer's SYN-ACK at t = 100 ms.
void establish(EndpointHarness& h) { h.establish(kPeerIss); }

}  // namespace

TEST_CASE("an active open: SYN x, SYN-ACK y/x+1, ACK x+1/y+1, ESTABLISHED") {
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kSyn);
    CHECK(h.sent[0].seq == kIss);  // x = 1000
    CHECK(h.ep.state() == TcpState::SYN_SENT);
    h.take();

    // RFC 9293 3.5 figure 6, line 3: <SEQ=y><ACK=x+1><CTL=SYN,ACK> -> line 4: <SEQ=x+1><ACK=y+1><CTL=ACK>.
    h.deliver(peer_syn(kSyn | kAck, kPeerIss, kIss + 1), ms(100));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == kIss + 1);      // 1001
    CHECK(h.sent[0].ack == kPeerIss + 1);  // 5001
    CHECK(h.sent[0].payload_len == 0);
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.connected_count == 1);
    CHECK(h.ep.irs() == kPeerIss);
    CHECK(h.ep.snd_una() == kIss + 1);
    CHECK(h.ep.snd_nxt() == kIss + 1);
    CHECK(h.ep.rcv_nxt() == kPeerIss + 1);
    CHECK(h.state_path() == "SYN-SENT ESTABLISHED");
}

TEST_CASE("establishing the connection stops the SYN's retransmission timer") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    // RFC 6298 (5.2): everything outstanding (the SYN) is acknowledged.
    CHECK_FALSE(h.timer_set(TcpTimer::retransmit));
    CHECK(h.connected_count == 1);
}

TEST_CASE("a passive open: SYN x, SYN-ACK y/x+1 in SYN-RECEIVED, the ACK establishes") {
    // Here the peer opens: x = kPeerIss = 5000 is its ISS, y = kIss = 1000 ours.
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.listen(SimTime::zero());
    CHECK(h.ep.state() == TcpState::LISTEN);

    h.deliver(peer_syn(kSyn, kPeerIss), ms(10));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kSyn | kAck));
    CHECK(h.sent[0].seq == kIss);           // y
    CHECK(h.sent[0].ack == kPeerIss + 1);   // x + 1
    CHECK(h.ep.state() == TcpState::SYN_RECEIVED);
    CHECK(h.connected_count == 0);
    // The SYN-ACK is under the 1 s initial RTO (RFC 6298 2.1).
    CHECK(h.timer_due(TcpTimer::retransmit) == ms(10) + s(1));
    h.take();

    // <SEQ=x+1><ACK=y+1><CTL=ACK>
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1), ms(110));
    CHECK(h.sent.empty());  // nothing to answer: the handshake is done
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.connected_count == 1);
    CHECK(h.ep.snd_una() == kIss + 1);
    CHECK(h.ep.rcv_nxt() == kPeerIss + 1);
    CHECK_FALSE(h.timer_set(TcpTimer::retransmit));
    CHECK(h.state_path() == "LISTEN SYN-RECEIVED ESTABLISHED");
}

TEST_CASE("a retransmitted SYN in SYN-RECEIVED is answered with the same SYN-ACK") {
    // Our SYN-ACK was lost; the peer's SYN comes again (RFC 9293 3.5: recovery from old
    // duplicates and loss in the handshake).
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.listen(SimTime::zero());
    h.deliver(peer_syn(kSyn, kPeerIss), ms(10));
    h.take();
    h.deliver(peer_syn(kSyn, kPeerIss), s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kSyn | kAck));
    CHECK(h.sent[0].seq == kIss);
    CHECK(h.sent[0].ack == kPeerIss + 1);
    CHECK(h.ep.state() == TcpState::SYN_RECEIVED);
}

TEST_CASE("simultaneous open: a SYN without ACK in SYN-SENT gets a SYN-ACK and moves to SYN-RECEIVED") {
    // RFC 9293 3.5 figure 7, lines 2-5: both sides sent SYNs; A, in SYN-SENT, receives B's SYN
    // and answers <SEQ=iss><ACK=peer+1><CTL=SYN,ACK>.
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.take();
    h.deliver(peer_syn(kSyn, kPeerIss), ms(50));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == (kSyn | kAck));
    CHECK(h.sent[0].seq == kIss);           // the same ISS again, not ISS+1
    CHECK(h.sent[0].ack == kPeerIss + 1);
    CHECK(h.ep.state() == TcpState::SYN_RECEIVED);
    CHECK(h.connected_count == 0);
    CHECK(h.timer_set(TcpTimer::retransmit));  // our SYN is still unacknowledged
}

TEST_CASE("simultaneous open: the peer's SYN-ACK in SYN-RECEIVED establishes the connection") {
    // RFC 9293 3.5 figure 7, line 6: <SEQ=300><ACK=101><CTL=SYN,ACK> takes A from SYN-RECEIVED
    // to ESTABLISHED: its ACK covers our SYN.
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.deliver(peer_syn(kSyn, kPeerIss), ms(50));
    h.take();
    h.deliver(peer_syn(kSyn | kAck, kPeerIss, kIss + 1), ms(100));
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.connected_count == 1);
    CHECK(h.ep.snd_una() == kIss + 1);
    CHECK(h.ep.rcv_nxt() == kPeerIss + 1);
    CHECK_FALSE(h.timer_set(TcpTimer::retransmit));
    CHECK(h.state_path() == "SYN-SENT SYN-RECEIVED ESTABLISHED");
}

TEST_CASE("the SYN is retransmitted with the RTO doubling: expiries at 1, 3, 7 s") {
    // RFC 6298 (2.1) initial RTO 1 s, (5.5) doubled on each expiry: the timer, fired when due,
    // runs out at 1, 1+2 = 3, 3+4 = 7 and 7+8 = 15 s.
    TcpConfig c = plain_tcp();
    c.syn_retries = 3;
    EndpointHarness h(c, kIss);
    h.ep.connect(SimTime::zero());
    h.take();
    CHECK(h.timer_due(TcpTimer::retransmit) == s(1));

    const SimTime next_due[] = {s(3), s(7), s(15)};
    const SimTime rto_after[] = {s(2), s(4), s(8)};
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        REQUIRE(h.fire(TcpTimer::retransmit));
        REQUIRE(h.sent.size() == 1);
        CHECK(h.sent[0].flags == kSyn);
        CHECK(h.sent[0].seq == kIss);
        CHECK(h.ep.rtt().rto() == rto_after[i]);
        CHECK(h.timer_due(TcpTimer::retransmit) == next_due[i]);
        CHECK(h.ep.state() == TcpState::SYN_SENT);
        h.take();
    }
    CHECK(h.ep.counters().syn_retransmissions == 3);
}

TEST_CASE("after syn_retries retransmissions the next expiry closes: connection timed out") {
    // syn_retries = 3: SYNs at 0, 1, 3, 7 s; the expiry at 15 s gives up (Linux tcp_syn_retries).
    TcpConfig c = plain_tcp();
    c.syn_retries = 3;
    EndpointHarness h(c, kIss);
    h.ep.connect(SimTime::zero());
    for (int i = 0; i < 3; ++i) REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(h.sent.size() == 4);  // the SYN and three retransmissions
    h.take();
    REQUIRE(h.timer_due(TcpTimer::retransmit) == s(15));
    REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::connection_timed_out);
    CHECK(h.timers.empty());
    CHECK(h.connected_count == 0);
    CHECK(h.state_path() == "SYN-SENT CLOSED");
}

TEST_CASE("the SYN-ACK is retransmitted synack_retries times, then the half-open connection times out") {
    // synack_retries = 2: SYN-ACKs at 0 (the answer), 1 and 1+2 = 3 s; the expiry at 3+4 = 7 s
    // gives up (Linux tcp_synack_retries).
    TcpConfig c = plain_tcp();
    c.synack_retries = 2;
    EndpointHarness h(c, kIss);
    h.ep.listen(SimTime::zero());
    h.deliver(peer_syn(kSyn, kPeerIss), SimTime::zero());
    h.take();

    const SimTime due[] = {s(1), s(3)};
    for (int i = 0; i < 2; ++i) {
        CAPTURE(i);
        REQUIRE(h.timer_due(TcpTimer::retransmit) == due[i]);
        REQUIRE(h.fire(TcpTimer::retransmit));
        REQUIRE(h.sent.size() == 1);
        CHECK(h.sent[0].flags == (kSyn | kAck));
        CHECK(h.sent[0].seq == kIss);
        CHECK(h.sent[0].ack == kPeerIss + 1);
        h.take();
    }
    REQUIRE(h.timer_due(TcpTimer::retransmit) == s(7));
    REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::connection_timed_out);
    CHECK(h.state_path() == "LISTEN SYN-RECEIVED CLOSED");
}

TEST_CASE("in SYN-SENT an ACK that does not acknowledge our SYN is answered with RST seq=SEG.ACK") {
    // RFC 9293 3.10.7.3, first: SEG.ACK =< ISS or SEG.ACK > SND.NXT -> <SEQ=SEG.ACK><CTL=RST>.
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.take();

    h.deliver(EndpointHarness::from_peer(kAck, 7000, kIss + 50), ms(10));  // beyond SND.NXT = 1001
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kRst);
    CHECK(h.sent[0].seq == kIss + 50);
    h.take();

    h.deliver(EndpointHarness::from_peer(kSyn | kAck, kPeerIss, kIss), ms(20));  // = ISS
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kRst);
    CHECK(h.sent[0].seq == kIss);

    // The segment is dropped: our own open goes on.
    CHECK(h.ep.state() == TcpState::SYN_SENT);
    CHECK(h.close_reasons.empty());
}

TEST_CASE("in SYN-SENT a RST with an acceptable ACK means connection refused") {
    // RFC 9293 3.10.7.3, second: "If the ACK was acceptable, then signal to the user 'error:
    // connection reset', drop the segment, enter CLOSED state".
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.take();
    h.deliver(EndpointHarness::from_peer(kRst | kAck, 0, kIss + 1, 0, 0), ms(10));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::refused);
    CHECK(h.timers.empty());
    CHECK(h.state_path() == "SYN-SENT CLOSED");
}

TEST_CASE("in SYN-SENT a RST without ACK, or with an unacceptable one, is dropped") {
    // RFC 9293 3.10.7.3: a RST with a bad ACK is dropped without an answer (first check); one
    // without ACK is dropped too (second check) - neither can be tied to our SYN.
    EndpointHarness h(plain_tcp(), kIss);
    h.ep.connect(SimTime::zero());
    h.take();
    h.deliver(EndpointHarness::from_peer(kRst, 0), ms(10));
    h.deliver(EndpointHarness::from_peer(kRst | kAck, 0, kIss + 7), ms(20));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::SYN_SENT);
    CHECK(h.close_reasons.empty());
}
