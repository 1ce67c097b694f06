// RTT samples and the timestamps they come from, with two endpoints wired to each other by hand
// (each segment carried, or dropped, by the test, 10 ms each way): the receiver's TS.Recent
// rules (RFC 7323 4.3) and the sender's sampling rules (RFC 7323 4.1; RFC 6298 5 and Karn's
// rule without timestamps).
#include <doctest/doctest.h>

#include <vector>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr SimTime kOneWay = ms(10);

TcpConfig config(bool timestamps) {
    TcpConfig c;  // the defaults: delayed ACK, SACK, window scaling, CUBIC
    c.timestamps = timestamps;
    // RFC 1122's delayed ACK, so that a lone segment's ACK waits (Linux would send its first
    // ACKs at once, in quick-ACK mode).
    c.delayed_ack.quickack = false;
    c.delayed_ack.adaptive = false;
    return c;
}

// Client `a` (node 0) and server `b` (node 1); what each sends waits in its harness until the
// test carries it across with `carry` or drops it with `drop`.
struct Wire {
    explicit Wire(const TcpConfig& c) : a(c, 1000), b(EndpointHarness::Peer{}, c, 9000) {}
    // Delivers everything `from` has sent, one way later than `at`, to `to`.
    void carry(EndpointHarness& from, EndpointHarness& to, SimTime at) {
        for (const Packet& p : from.take()) to.deliver(p, at + kOneWay);
    }
    void drop(EndpointHarness& from) { from.take(); }
    // SYN at 0, SYN-ACK at 10 ms, ACK at 20 ms: established both ways at 30 ms.
    void handshake() {
        b.ep.listen(SimTime::zero());
        a.ep.connect(SimTime::zero());
        carry(a, b, SimTime::zero());
        carry(b, a, ms(10));
        carry(a, b, ms(20));
        REQUIRE(a.ep.state() == TcpState::ESTABLISHED);
        REQUIRE(b.ep.state() == TcpState::ESTABLISHED);
    }
    EndpointHarness a, b;
};

}  // namespace

TEST_CASE("an ACK answering a timeout retransmission of data already received is one round trip, not the timeout") {
    // The ACK of a segment is lost; the sender's timer resends it and the receiver, which already
    // holds it, answers the duplicate. That answer echoes the retransmission's TSval (RFC 7323
    // 4.3 (2): SEG.SEQ <= Last.ACK.sent), so the sample it gives the sender is one round trip.
    // Echoing the original's TSval instead would make the sample the whole timeout plus a round
    // trip, and on a lossy path srtt would feed on itself.
    Wire w(config(true));
    w.handshake();
    REQUIRE(w.a.ep.rtt().samples() == 1);  // the SYN-ACK's: 20 ms
    REQUIRE(w.a.ep.rtt().srtt().ns() == ms(20).ns());
    w.a.ep.send(1000, ms(30));
    Packet original = w.a.take().at(0);
    w.b.deliver(original, ms(40));
    REQUIRE(w.b.fire(TcpTimer::delayed_ack));  // one segment: the ACK waits 40 ms, then is lost
    w.drop(w.b);

    SimTime rto_at = w.a.timer_due(TcpTimer::retransmit);
    CHECK(rto_at > ms(200));
    REQUIRE(w.a.fire(TcpTimer::retransmit));
    std::vector<Packet> rtx = w.a.take();
    REQUIRE(rtx.size() == 1);
    REQUIRE(rtx[0].seq == original.seq);
    REQUIRE(rtx[0].options.ts_val > original.options.ts_val);
    w.b.deliver(rtx[0], rto_at + kOneWay);
    std::vector<Packet> answer = w.b.take();
    REQUIRE(answer.size() == 1);
    CHECK(answer[0].ack == original.seq + 1000);
    CHECK(answer[0].options.ts_ecr == rtx[0].options.ts_val);

    w.a.deliver(answer[0], rto_at + kOneWay * 2);
    CHECK(w.a.ep.rtt().samples() == 2);
    // The new sample is 20 ms: srtt stays 20 ms (a 240 ms sample would make it 47.5 ms).
    CHECK(w.a.ep.rtt().srtt().ns() == ms(20).ns());
}

TEST_CASE("without timestamps Karn's rule takes no sample from the ACK of a retransmitted segment") {
    Wire w(config(false));
    w.handshake();
    REQUIRE(w.a.ep.rtt().samples() == 1);  // the SYN, timed: 20 ms
    w.a.ep.send(1000, ms(30));
    w.carry(w.a, w.b, ms(30));
    REQUIRE(w.b.fire(TcpTimer::delayed_ack));
    w.drop(w.b);
    SimTime rto_at = w.a.timer_due(TcpTimer::retransmit);
    REQUIRE(w.a.fire(TcpTimer::retransmit));
    w.carry(w.a, w.b, rto_at);
    w.carry(w.b, w.a, rto_at + kOneWay);
    CHECK(w.a.ep.bytes_acked() == 1000);
    CHECK(w.a.ep.rtt().samples() == 1);  // RFC 6298 5 (Karn): none from a retransmission
    CHECK(w.a.ep.rtt().srtt().ns() == ms(20).ns());
}

TEST_CASE("a delayed ACK echoes the timestamp of the earliest segment it acknowledges") {
    // RFC 7323 4.3 (1): while the ACK is delayed TS.Recent keeps the TSval of the first segment
    // after Last.ACK.sent, so the sender's sample includes the time the ACK was held.
    Wire w(config(true));
    w.handshake();
    w.a.ep.send(1448, ms(30));
    Packet first = w.a.take().at(0);
    w.a.ep.send(1448, ms(35));
    Packet second = w.a.take().at(0);
    REQUIRE(second.options.ts_val == first.options.ts_val + 5);
    w.b.deliver(first, ms(40));
    REQUIRE(w.b.sent.empty());  // delayed
    w.b.deliver(second, ms(45));
    REQUIRE(w.b.sent.size() == 1);  // every second full segment
    CHECK(w.b.last().options.ts_ecr == first.options.ts_val);
}

TEST_CASE("handshake: a retransmitted SYN or SYN-ACK is echoed, so the first sample is one round trip") {
    // The SYN-ACK is lost and the client's timer resends the SYN (1 s): the server answers the
    // retransmission echoing its TSval, and the client's first sample is 20 ms, not 1.02 s.
    {
        Wire w(config(true));
        w.b.ep.listen(SimTime::zero());
        w.a.ep.connect(SimTime::zero());
        w.carry(w.a, w.b, SimTime::zero());
        w.drop(w.b);  // the SYN-ACK
        REQUIRE(w.a.fire(TcpTimer::retransmit));
        SimTime resent = SimTime::from_s(1);
        w.carry(w.a, w.b, resent);
        w.carry(w.b, w.a, resent + kOneWay);
        REQUIRE(w.a.ep.state() == TcpState::ESTABLISHED);
        CHECK(w.a.ep.rtt().srtt().ns() == ms(20).ns());
    }
    // The client's ACK is lost and the server's timer resends the SYN-ACK: the client answers
    // it (a duplicate for it) echoing its TSval, and the server's first sample is 20 ms.
    {
        Wire w(config(true));
        w.b.ep.listen(SimTime::zero());
        w.a.ep.connect(SimTime::zero());
        w.carry(w.a, w.b, SimTime::zero());
        w.carry(w.b, w.a, ms(10));
        w.drop(w.a);  // the ACK
        REQUIRE(w.b.fire(TcpTimer::retransmit));
        SimTime resent = SimTime::from_s(1) + ms(10);
        w.carry(w.b, w.a, resent);
        w.carry(w.a, w.b, resent + kOneWay);
        REQUIRE(w.b.ep.state() == TcpState::ESTABLISHED);
        CHECK(w.b.ep.rtt().srtt().ns() == ms(20).ns());
    }
}
