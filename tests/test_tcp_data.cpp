// Segment dialogues for data transfer on an established connection: segmentation and the
// initial window, cumulative ACKs, reassembly, delayed ACK, Nagle, zero window and persist,
// receiver flow control, wraparound, retransmission timeout, Karn's rule, keepalive.
#include <doctest/doctest.h>

#include <string>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr uint32_t kIss = 1000;      // our ISS: the first data byte is 1001
constexpr uint32_t kPeerIss = 5000;  // the peer's ISS: its first data byte is 5001

constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr SimTime s(int64_t v) { return SimTime::from_s(v); }

// Active open to ESTABLISHED: our SYN at t = 0, the peer's SYN-ACK (MSS 1460, window
// `peer_window`) at t = 100 ms. With plain_tcp() the SYN is timed (no timestamps): R = 100 ms,
// so RFC 6298 (2.2) gives SRTT = 100 ms, RTTVAR = 50 ms, RTO = 100 + 4*50 = 300 ms (above the
// 200 ms minimum). The effective MSS is min(1460, 1460) = 1460 and cwnd = IW10 = 14600.
constexpr SimTime kRto = SimTime::from_ms(300);
void establish(EndpointHarness& h, uint32_t peer_iss = kPeerIss, uint32_t peer_window = 65535) {
    h.establish(peer_iss, ms(100), peer_window);
}

// `len` bytes of the peer's data at `seq`, acknowledging our `ack`.
Packet data(uint32_t seq, uint32_t len, uint32_t ack = kIss + 1) {
    return EndpointHarness::from_peer(kAck, seq, ack, len);
}
// A pure ACK from the peer.
Packet ack_of(uint32_t ack, uint32_t win = 65535, uint32_t seq = kPeerIss + 1) {
    return EndpointHarness::from_peer(kAck, seq, ack, 0, win);
}

uint64_t payload_sum(const std::vector<Packet>& v) {
    uint64_t n = 0;
    for (const Packet& p : v) n += p.payload_len;
    return n;
}

TcpConfig no_nagle() {
    TcpConfig c = plain_tcp();
    c.nagle = false;
    return c;
}

}  // namespace

// ---------------------------------------------------------------- sending

TEST_CASE("5000 bytes leave as MSS-sized segments 1460, 1460, 1460, 620 with consecutive seqs") {
    // 5000 = 3*1460 + 620. Nagle is off: RFC 1122 4.2.3.4 would hold the short tail while the
    // first three are unacknowledged.
    EndpointHarness h(no_nagle(), kIss);
    establish(h);
    REQUIRE(h.ep.send(5000, s(1)) == 5000);
    REQUIRE(h.sent.size() == 4);
    const uint32_t len[] = {1460, 1460, 1460, 620};
    const uint32_t seq[] = {1001, 2461, 3921, 5381};
    for (int i = 0; i < 4; ++i) {
        CAPTURE(i);
        CHECK(h.sent[i].seq == seq[i]);
        CHECK(h.sent[i].payload_len == len[i]);
        CHECK((h.sent[i].flags & kAck) != 0);
        CHECK(h.sent[i].ack == kPeerIss + 1);
    }
    CHECK((h.sent[3].flags & kPsh) != 0);  // the end of what was written
    CHECK(h.ep.snd_nxt() == 1001 + 5000);
    CHECK(h.ep.flight_size() == 5000);
    // RFC 6298 (5.1): the first data segment starts the retransmission timer.
    CHECK(h.timer_due(TcpTimer::retransmit) == s(1) + kRto);
}

TEST_CASE("with a short tail and data in flight Nagle holds the tail until the ACK") {
    // RFC 1122 4.2.3.4: the 620-byte tail of 5000 bytes waits while 4380 are unacknowledged.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.send(5000, s(1));
    REQUIRE(h.sent.size() == 3);
    CHECK(payload_sum(h.sent) == 4380);
    h.take();
    h.deliver(ack_of(1001 + 4380), ms(1100));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 5381);
    CHECK(h.sent[0].payload_len == 620);
}

TEST_CASE("the initial window lets exactly 14600 bytes leave before any ACK") {
    // RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)) = min(14600, max(2920, 14600)) = 14600,
    // i.e. ten 1460-byte segments of the 100 KB queued; the peer's window (65535) is larger.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    CHECK(h.ep.cwnd() == 14600);
    REQUIRE(h.ep.send(100000, s(1)) == 100000);
    CHECK(h.sent.size() == 10);
    CHECK(payload_sum(h.sent) == 14600);
    CHECK(h.ep.flight_size() == 14600);
    CHECK(h.ep.snd_nxt() == 1001 + 14600);
}

TEST_CASE("a cumulative ACK advances SND.UNA and frees send-buffer space") {
    // A 5000-byte send buffer, filled. The ACK of 2920 bytes (two segments) moves SND.UNA to
    // 1001 + 2920 = 3921, tells the application once, and makes 2920 bytes of room.
    TcpConfig c = no_nagle();
    c.send_buffer = 5000;
    EndpointHarness h(c, kIss);
    establish(h);
    REQUIRE(h.ep.send(5000, s(1)) == 5000);
    CHECK(h.ep.send(1, s(1)) == 0);  // full
    h.take();

    h.deliver(ack_of(1001 + 2920), ms(1100));
    CHECK(h.ep.snd_una() == 3921);
    CHECK(h.ep.bytes_acked() == 2920);
    CHECK(h.ep.flight_size() == 5000 - 2920);
    CHECK(h.writable_count == 1);
    CHECK(h.ep.send(5000, ms(1100)) == 2920);
}

TEST_CASE("Nagle: a second small write waits while the first is unacknowledged") {
    // RFC 896 / RFC 1122 4.2.3.4: with 100 bytes unacknowledged, the next 100 bytes wait for
    // the ACK, then leave at once.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.send(100, s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].payload_len == 100);
    h.take();
    h.ep.send(100, ms(1010));
    CHECK(h.sent.empty());

    h.deliver(ack_of(1101), ms(1100));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 1101);
    CHECK(h.sent[0].payload_len == 100);
}

TEST_CASE("Nagle off: a second small write leaves at once") {
    EndpointHarness h(no_nagle(), kIss);
    establish(h);
    h.ep.send(100, s(1));
    h.ep.send(100, ms(1010));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0].seq == 1001);
    CHECK(h.sent[1].seq == 1101);
    CHECK(h.sent[1].payload_len == 100);
}

// ---------------------------------------------------------------- receiving

TEST_CASE("in-order data is delivered and, with delayed ACK off, each segment ACKed") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(data(5001, 1000), s(1));
    h.deliver(data(6001, 1000), ms(1001));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == 1001);
    CHECK(h.sent[0].ack == 6001);
    CHECK(h.sent[0].payload_len == 0);
    CHECK(h.sent[1].ack == 7001);
    CHECK(h.received == 2000);
    CHECK(h.stream_errors == 0);
    CHECK(h.ep.rcv_nxt() == 7001);
}

TEST_CASE("an out-of-order segment is held and duplicate-ACKed, filling the hole delivers both") {
    // RFC 5681 4.2: an out-of-order segment is ACKed at once (ack = RCV.NXT = 5001, a duplicate
    // ACK); so is the segment that fills the hole, which acknowledges both: 7001.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(data(6001, 1000), s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == 5001);
    CHECK(h.received == 0);
    CHECK(h.ep.counters().out_of_order_segments == 1);
    h.take();

    h.deliver(data(5001, 1000), ms(1010));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == 7001);
    CHECK(h.received == 2000);
    CHECK(h.stream_errors == 0);  // [0, 2000) told in order, each byte once
}

TEST_CASE("a duplicate segment is ACKed and not delivered twice") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(data(5001, 1000), s(1));
    h.deliver(data(5001, 1000), ms(1200));  // the peer's retransmission; our ACK was lost
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[0].ack == 6001);
    CHECK(h.sent[1].ack == 6001);
    CHECK(h.received == 1000);
    CHECK(h.stream_errors == 0);
    CHECK(h.ep.counters().duplicate_segments == 1);
}

TEST_CASE("delayed ACK: one ACK for every second segment") {
    // RFC 5681 4.2 / RFC 1122 4.2.3.2: an ACK at least every second full-sized segment.
    TcpConfig c = plain_tcp();
    c.delayed_ack.enabled = true;  // every 2, at most 40 ms
    EndpointHarness h(c, kIss);
    establish(h);
    h.deliver(data(5001, 1460), s(1));
    CHECK(h.sent.empty());
    CHECK(h.timer_due(TcpTimer::delayed_ack) == s(1) + ms(40));
    h.deliver(data(6461, 1460), ms(1001));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == 7921);
    CHECK_FALSE(h.timer_set(TcpTimer::delayed_ack));
    h.deliver(data(7921, 1460), ms(1002));
    h.deliver(data(9381, 1460), ms(1003));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[1].ack == 10841);
    CHECK(h.received == 4 * 1460);
}

TEST_CASE("delayed ACK: a lone segment is ACKed when the 40 ms timer fires") {
    TcpConfig c = plain_tcp();
    c.delayed_ack.enabled = true;
    EndpointHarness h(c, kIss);
    establish(h);
    h.deliver(data(5001, 500), s(1));
    CHECK(h.sent.empty());
    REQUIRE(h.timer_due(TcpTimer::delayed_ack) == ms(1040));
    REQUIRE(h.fire(TcpTimer::delayed_ack));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].ack == 5501);
}

// ---------------------------------------------------------------- windows

TEST_CASE("a zero window stops sending and arms the persist timer") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(ack_of(1001, 0), s(1));
    CHECK(h.ep.snd_wnd() == 0);
    h.ep.send(1000, s(1));
    CHECK(h.sent.empty());
    // RFC 9293 3.8.6.1: the persist timer, here first at one RTO: 1 s + 300 ms.
    CHECK(h.timer_due(TcpTimer::persist) == s(1) + kRto);
    CHECK_FALSE(h.timer_set(TcpTimer::retransmit));
}

TEST_CASE("the persist timer sends a zero-window probe and backs off") {
    // The probe: <SEQ=SND.UNA-1 = 1000><ACK=5001>, no data; the peer must answer with its
    // window. Then the timer is doubled: 2*RTO = 600 ms, then 4*RTO = 1.2 s.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(ack_of(1001, 0), s(1));
    h.ep.send(1000, s(1));
    REQUIRE(h.fire(TcpTimer::persist));  // at 1.3 s
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 1000);
    CHECK(h.sent[0].payload_len == 0);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].ack == 5001);
    CHECK(h.timer_due(TcpTimer::persist) == ms(1300) + ms(600));
    CHECK(h.ep.counters().zero_window_probes == 1);
    h.take();
    REQUIRE(h.fire(TcpTimer::persist));  // at 1.9 s
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 1000);
    CHECK(h.timer_due(TcpTimer::persist) == ms(1900) + ms(1200));
}

TEST_CASE("a window update from the peer resumes sending and stops the persist timer") {
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.deliver(ack_of(1001, 0), s(1));
    h.ep.send(1000, s(1));
    REQUIRE(h.fire(TcpTimer::persist));
    h.take();
    h.deliver(ack_of(1001, 65535), ms(1400));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 1001);
    CHECK(h.sent[0].payload_len == 1000);
    CHECK_FALSE(h.timer_set(TcpTimer::persist));
    CHECK(h.timer_due(TcpTimer::retransmit) == ms(1400) + kRto);
}

namespace {
// A receiver whose application does not read: a 4000-byte buffer, so the SYN offers 4000 and
// every 1000 bytes received take 1000 off the window.
TcpConfig small_receiver() {
    TcpConfig c = plain_tcp();
    c.receive_buffer = 4000;
    return c;
}
}  // namespace

TEST_CASE("unread data shrinks the advertised window to zero") {
    // Window = buffer - unread: 3000, 2000, 1000, 0 after each 1000 bytes.
    EndpointHarness h(small_receiver(), kIss);
    h.ep.set_auto_read(false);
    establish(h);
    CHECK(h.ep.rcv_wnd() == 4000);
    for (uint32_t i = 0; i < 4; ++i) h.deliver(data(5001 + 1000 * i, 1000), s(1) + ms(i));
    REQUIRE(h.sent.size() == 4);
    CHECK(h.sent[0].window == 3000);
    CHECK(h.sent[1].window == 2000);
    CHECK(h.sent[2].window == 1000);
    CHECK(h.sent[3].window == 0);
    CHECK(h.sent[3].ack == 9001);
    CHECK(h.received == 4000);
    CHECK(h.ep.rcv_wnd() == 0);
}

TEST_CASE("data beyond the advertised window is not accepted") {
    // RFC 9293 3.10.7.4: with 1000 bytes of window left, 1500 bytes at 8001 are trimmed to
    // [8001, 9001); then, at a zero window, 500 bytes at 9001 are refused. Both are answered
    // <ACK=9001><WIN=0>.
    EndpointHarness h(small_receiver(), kIss);
    h.ep.set_auto_read(false);
    establish(h);
    for (uint32_t i = 0; i < 3; ++i) h.deliver(data(5001 + 1000 * i, 1000), s(1));
    h.take();
    h.deliver(data(8001, 1500), ms(1010));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == 9001);
    CHECK(h.sent[0].window == 0);
    CHECK(h.received == 4000);
    h.take();
    h.deliver(data(9001, 500), ms(1020));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == 9001);
    CHECK(h.sent[0].window == 0);
    CHECK(h.received == 4000);
    CHECK(h.stream_errors == 0);
}

TEST_CASE("reading reopens the window with a window-update ACK once it is worth a segment") {
    // RFC 1122 4.2.3.3 (receiver SWS avoidance): the window is reopened only by at least
    // min(buffer/2, MSS) = min(2000, 1460) = 1460 bytes. Reading 1000 is not enough; reading
    // another 1000 (2000 free) is, and the update offers all 2000.
    EndpointHarness h(small_receiver(), kIss);
    h.ep.set_auto_read(false);
    establish(h);
    for (uint32_t i = 0; i < 4; ++i) h.deliver(data(5001 + 1000 * i, 1000), s(1));
    REQUIRE(h.ep.rcv_wnd() == 0);
    h.take();
    h.ep.read(1000, s(2));
    CHECK(h.sent.empty());
    h.ep.read(1000, s(3));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == 1001);
    CHECK(h.sent[0].ack == 9001);
    CHECK(h.sent[0].window == 2000);
    CHECK(h.ep.rcv_wnd() == 2000);
    // And the reopened window takes data again.
    h.take();
    h.deliver(data(9001, 1000), s(4));
    CHECK(h.received == 5000);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == 10001);
}

// ---------------------------------------------------------------- wraparound

TEST_CASE("sending across the 2^32 sequence wrap: 10 KB from ISS 0xFFFFFF00") {
    // The first data byte is 0xFFFFFF01; 255 bytes later sequence numbers wrap to 0. 10000 bytes
    // = 6*1460 + 1240 all fit in IW10, at seq 0xFFFFFF01 + k*1460 (mod 2^32); the last byte is
    // 0xFFFFFF01 + 9999, so the ACK of everything is 0xFFFFFF01 + 10000 = 9745 (0x2611).
    constexpr uint32_t iss = 0xFFFFFF00;
    EndpointHarness h(no_nagle(), iss);
    establish(h, iss);
    REQUIRE(h.ep.send(10000, s(1)) == 10000);
    REQUIRE(h.sent.size() == 7);
    for (uint32_t k = 0; k < 7; ++k) {
        CAPTURE(k);
        CHECK(h.sent[k].seq == static_cast<uint32_t>(0xFFFFFF01u + k * 1460));
        CHECK(h.sent[k].payload_len == (k < 6 ? 1460u : 1240u));
    }
    CHECK(h.sent[1].seq == 1205);  // 0xFFFFFF01 + 1460 - 2^32
    h.take();

    h.deliver(ack_of(static_cast<uint32_t>(0xFFFFFF01u + 2920), 65535, iss + 1), ms(1100));
    CHECK(h.ep.snd_una() == 2665);
    CHECK(h.ep.bytes_acked() == 2920);
    h.deliver(ack_of(9745, 65535, iss + 1), ms(1101));
    CHECK(h.ep.snd_una() == 9745);
    CHECK(h.ep.bytes_acked() == 10000);
    CHECK(h.ep.flight_size() == 0);
    CHECK_FALSE(h.timer_set(TcpTimer::retransmit));
}

TEST_CASE("receiving across the 2^32 sequence wrap: 10 KB from the peer's ISS 0xFFFFFF00") {
    // Ten 1000-byte segments from 0xFFFFFF01; the k-th is ACKed with 0xFFFFFF01 + 1000*(k+1)
    // (mod 2^32), the last with 9745.
    constexpr uint32_t iss = 0xFFFFFF00;
    EndpointHarness h(plain_tcp(), iss);
    establish(h, iss);
    for (uint32_t k = 0; k < 10; ++k)
        h.deliver(data(static_cast<uint32_t>(0xFFFFFF01u + 1000 * k), 1000, iss + 1), s(1) + ms(k));
    REQUIRE(h.sent.size() == 10);
    for (uint32_t k = 0; k < 10; ++k) {
        CAPTURE(k);
        CHECK(h.sent[k].ack == static_cast<uint32_t>(0xFFFFFF01u + 1000 * (k + 1)));
    }
    CHECK(h.sent[9].ack == 9745);
    CHECK(h.received == 10000);
    CHECK(h.stream_errors == 0);
    CHECK(h.ep.rcv_nxt() == 9745);
}

// ---------------------------------------------------------------- retransmission

TEST_CASE("a retransmission timeout resends SND.UNA's segment, doubles the RTO and collapses cwnd") {
    // 14600 bytes (IW10) in flight at 1 s; the timer fires at 1.3 s.
    // RFC 6298 (5.4)-(5.6): retransmit the earliest unacknowledged segment, RTO 300 -> 600 ms,
    // restart the timer. RFC 5681 (4)-(5): ssthresh = max(FlightSize/2, 2*SMSS) =
    // max(7300, 2920) = 7300; cwnd = loss window = 1 SMSS = 1460.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.send(14600, s(1));
    REQUIRE(h.ep.flight_size() == 14600);
    REQUIRE(h.timer_due(TcpTimer::retransmit) == ms(1300));
    h.take();

    REQUIRE(h.fire(TcpTimer::retransmit));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 1001);
    CHECK(h.sent[0].payload_len == 1460);
    CHECK(h.ep.rtt().rto() == ms(600));
    CHECK(h.timer_due(TcpTimer::retransmit) == ms(1300) + ms(600));
    CHECK(h.ep.cwnd() == 1460);
    CHECK(h.ep.ssthresh() == 7300);
    CHECK(h.ep.counters().retransmissions == 1);
}

TEST_CASE("Karn: the ACK of a retransmitted segment gives no RTT sample") {
    // Timestamps off: only the SYN has been timed (1 sample). 1460 bytes sent at 1 s,
    // retransmitted at 1.3 s, ACKed at 1.4 s: the ACK could be for either copy, so no sample
    // (RFC 6298 section 3), and the backed-off RTO of 600 ms stays.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    REQUIRE(h.ep.rtt().samples() == 1);
    h.ep.send(1460, s(1));
    REQUIRE(h.fire(TcpTimer::retransmit));
    h.deliver(ack_of(2461), ms(1400));
    CHECK(h.ep.snd_una() == 2461);
    CHECK(h.ep.rtt().samples() == 1);
    CHECK(h.ep.rtt().srtt() == ms(100));
    CHECK(h.ep.rtt().rto() == ms(600));
}

TEST_CASE("Karn: the ACK of a segment sent once gives an RTT sample") {
    // 1460 bytes at 1 s, ACKed at 1.1 s: R = 100 ms. RFC 6298 (2.3): RTTVAR = 3/4*50 + 1/4*|100
    // - 100| = 37.5 ms, SRTT = 7/8*100 + 1/8*100 = 100 ms, RTO = 100 + 4*37.5 = 250 ms.
    EndpointHarness h(plain_tcp(), kIss);
    establish(h);
    h.ep.send(1460, s(1));
    h.deliver(ack_of(2461), ms(1100));
    CHECK(h.ep.rtt().samples() == 2);
    CHECK(h.ep.rtt().srtt() == ms(100));
    CHECK(h.ep.rtt().rttvar() == SimTime::from_us(37500));
    CHECK(h.ep.rtt().rto() == ms(250));
}

TEST_CASE("with data_retries 3 the fourth retransmission timeout closes: retransmit limit") {
    // Sent at 1 s; expiries at 1.3, 1.9 (+600 ms), 3.1 (+1.2 s) resend it; the fourth, at
    // 5.5 s (+2.4 s), gives up (Linux tcp_retries2).
    TcpConfig c = plain_tcp();
    c.data_retries = 3;
    EndpointHarness h(c, kIss);
    establish(h);
    h.ep.send(1460, s(1));
    h.take();
    const SimTime due[] = {ms(1300), ms(1900), ms(3100)};
    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        REQUIRE(h.timer_due(TcpTimer::retransmit) == due[i]);
        REQUIRE(h.fire(TcpTimer::retransmit));
        REQUIRE(h.sent.size() == 1);
        CHECK(h.sent[0].seq == 1001);
        CHECK(h.ep.state() == TcpState::ESTABLISHED);
        h.take();
    }
    REQUIRE(h.timer_due(TcpTimer::retransmit) == ms(5500));
    REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(h.sent.empty());
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::retransmit_limit);
    CHECK(h.timers.empty());
}

// ---------------------------------------------------------------- keepalive

namespace {
TcpConfig keepalive_tcp() {
    TcpConfig c = plain_tcp();
    c.keepalive.enabled = true;
    c.keepalive.idle = SimTime::from_s(10);
    c.keepalive.interval = SimTime::from_s(2);
    c.keepalive.count = 10;
    return c;
}
}  // namespace

TEST_CASE("keepalive: after the idle time a probe SND.NXT-1 without data, then every interval") {
    // The last segment received is the SYN-ACK at 100 ms: the first probe is due at 10.1 s.
    // RFC 1122 4.2.3.6: the probe carries SEG.SEQ = SND.NXT-1 = 1000 and no data, so the peer
    // must answer with an ACK. The next is due one interval later: 12.1 s.
    EndpointHarness h(keepalive_tcp(), kIss);
    establish(h);
    REQUIRE(h.timer_due(TcpTimer::keepalive) == ms(10100));
    REQUIRE(h.fire(TcpTimer::keepalive));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].flags == kAck);
    CHECK(h.sent[0].seq == 1000);
    CHECK(h.sent[0].ack == 5001);
    CHECK(h.sent[0].payload_len == 0);
    CHECK(h.timer_due(TcpTimer::keepalive) == ms(12100));
    CHECK(h.ep.keepalive_probes_unanswered() == 1);
}

TEST_CASE("keepalive: after ten unanswered probes the next expiry sends RST and closes") {
    // Probes at 10.1, 12.1, ..., 28.1 s (10.1 + 2*9); at 30.1 s the peer is declared dead: RST
    // <SEQ=SND.NXT=1001> (as Linux) and CloseReason::keepalive_timeout.
    EndpointHarness h(keepalive_tcp(), kIss);
    establish(h);
    for (int i = 0; i < 10; ++i) {
        CAPTURE(i);
        REQUIRE(h.timer_due(TcpTimer::keepalive) == ms(10100 + 2000 * i));
        REQUIRE(h.fire(TcpTimer::keepalive));
    }
    REQUIRE(h.sent.size() == 10);
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    h.take();
    REQUIRE(h.timer_due(TcpTimer::keepalive) == ms(30100));
    REQUIRE(h.fire(TcpTimer::keepalive));
    REQUIRE(h.sent.size() == 1);
    CHECK((h.sent[0].flags & kRst) != 0);
    CHECK(h.sent[0].seq == 1001);
    CHECK(h.ep.state() == TcpState::CLOSED);
    REQUIRE(h.close_reasons.size() == 1);
    CHECK(h.close_reasons[0] == CloseReason::keepalive_timeout);
    CHECK(h.ep.counters().keepalive_probes == 10);
}

TEST_CASE("keepalive: an ACK from the peer resets the probe count and the connection stays up") {
    // Three probes (10.1, 12.1, 14.1 s), then the peer's ACK at 15 s. The timer, due at 16.1 s,
    // finds the connection idle only since 15 s and waits until 15 + 10 = 25 s for the next
    // probe, the first of a fresh count.
    EndpointHarness h(keepalive_tcp(), kIss);
    establish(h);
    for (int i = 0; i < 3; ++i) REQUIRE(h.fire(TcpTimer::keepalive));
    REQUIRE(h.ep.keepalive_probes_unanswered() == 3);
    h.take();

    h.deliver(ack_of(1001), s(15));
    CHECK(h.ep.keepalive_probes_unanswered() == 0);
    REQUIRE(h.timer_due(TcpTimer::keepalive) == ms(16100));
    REQUIRE(h.fire(TcpTimer::keepalive));
    CHECK(h.sent.empty());
    REQUIRE(h.timer_due(TcpTimer::keepalive) == s(25));
    REQUIRE(h.fire(TcpTimer::keepalive));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].seq == 1000);
    CHECK(h.ep.keepalive_probes_unanswered() == 1);
    CHECK(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.close_reasons.empty());
}
