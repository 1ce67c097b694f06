// Segment dialogues for option negotiation: MSS (RFC 9293 3.7.1), window scale and timestamps
// (RFC 7323), SACK-permitted (RFC 2018). An option is in use only when both SYNs carry it.
#include <doctest/doctest.h>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr uint32_t kIss = 1000;
constexpr uint32_t kPeerIss = 5000;

constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr SimTime s(int64_t v) { return SimTime::from_s(v); }

// What the peer's SYN (or SYN-ACK) offers.
struct PeerOffer {
    uint16_t mss = 1460;
    int8_t wscale = 7;
    bool sack = true;
    bool timestamps = true;
    uint32_t window = 65535;
};

Packet peer_syn(uint8_t flags, uint32_t ack, const PeerOffer& o) {
    Packet p = EndpointHarness::from_peer(flags, kPeerIss, ack, 0, o.window);
    p.options.mss = o.mss;
    p.options.wscale = o.wscale;
    p.options.sack_permitted = o.sack;
    if (o.timestamps) {
        p.options.has_timestamps = true;
        p.options.ts_val = 777;
        p.options.ts_ecr = (flags & kAck) ? kIss : 0;  // our TSval at t = 0 (ticks + ISS offset)
    }
    return p;
}

// Active open to ESTABLISHED against a peer offering `o`: our SYN at 0, its SYN-ACK at 100 ms.
void establish(EndpointHarness& h, const PeerOffer& o) {
    h.ep.connect(SimTime::zero());
    h.deliver(peer_syn(kSyn | kAck, kIss + 1, o), ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    h.take();
}

// Passive open to ESTABLISHED: the peer's SYN offering `o` at 0, its ACK at 100 ms, with
// `ack_window` in the ACK's window field.
void establish_passive(EndpointHarness& h, const PeerOffer& o, uint32_t ack_window = 65535) {
    h.ep.listen(SimTime::zero());
    h.deliver(peer_syn(kSyn, 0, o), SimTime::zero());
    Packet ack = EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0, ack_window);
    if (o.timestamps) {
        ack.options.has_timestamps = true;
        ack.options.ts_val = 877;
        ack.options.ts_ecr = kIss;
    }
    h.deliver(ack, ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    h.take();
}

}  // namespace

TEST_CASE("with the default config the SYN offers MSS 1460, wscale 7, SACK-permitted and timestamps") {
    // The receive buffer may grow to 6 MiB (Linux's tcp_rmem[2]); RFC 7323 2.3: the smallest
    // shift with 6291456 >> shift <= 65535 is 7 (>> 6 gives 98304).
    EndpointHarness h(TcpConfig{}, kIss);
    h.ep.connect(SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    const Packet& syn = h.sent[0];
    CHECK(syn.flags == kSyn);
    CHECK(syn.options.mss == 1460);
    CHECK(syn.options.wscale == 7);
    CHECK(syn.options.sack_permitted);
    CHECK(syn.options.has_timestamps);
    CHECK(syn.options.ts_val == kIss);  // 0 ticks + the per-connection offset (the ISS)
    CHECK(syn.options.ts_ecr == 0);     // nothing to echo yet (RFC 7323 3.2)
    // RFC 7323 2.2: the SYN's window is unscaled. Linux offers half its 131072-byte initial buffer
    // rounded down to whole segments: 44 x 1460 = 64240 (tcp_select_initial_window).
    CHECK(syn.window == 64240);
    // The rfc profile: the receive buffer (1 MiB) sets the scale, 5, and the window is all of it
    // that fits the field, 65535.
    TcpConfig rfc;
    apply_profile(rfc, TcpProfile::rfc);
    EndpointHarness r(rfc, kIss);
    r.ep.connect(SimTime::zero());
    REQUIRE(r.sent.size() == 1);
    CHECK(r.sent[0].options.wscale == 5);
    CHECK(r.sent[0].window == 65535);
}

TEST_CASE("the SYN-ACK echoes only the options the SYN offered: no timestamps if the SYN had none") {
    // RFC 7323 3.2: timestamps only in a <SYN,ACK> if the <SYN> had them, and then on no later
    // segment either. The SYN's window scale and SACK-permitted are answered.
    EndpointHarness h(TcpConfig{}, kIss);
    h.ep.listen(SimTime::zero());
    PeerOffer o;
    o.timestamps = false;
    h.deliver(peer_syn(kSyn, 0, o), SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    const Packet& synack = h.sent[0];
    CHECK(synack.flags == (kSyn | kAck));
    CHECK_FALSE(synack.options.has_timestamps);
    CHECK(synack.options.mss == 1460);
    CHECK(synack.options.wscale == 7);
    CHECK(synack.options.sack_permitted);
    CHECK_FALSE(h.ep.timestamps_enabled());
    h.take();

    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0, 65535), ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    h.ep.send(1000, s(1));
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 10), ms(1010));
    REQUIRE(h.sent.size() == 2);  // the data, and the ACK of the peer's 10 bytes (quick: its first data)
    for (const Packet& p : h.sent) CHECK_FALSE(p.options.has_timestamps);
}

TEST_CASE("a SYN offering nothing gets a SYN-ACK with only the MSS, and no side scales") {
    // RFC 7323 2.2: window scaling is on only if both SYNs carry the option; otherwise both
    // shifts are 0. Unscaled, Linux offers whole segments of the window space and keeps an offer
    // that is within a segment of the free space: 64240 (44 x 1460), then 64240 - 10 after the
    // peer's 10 bytes (__tcp_select_window).
    EndpointHarness h(TcpConfig{}, kIss);
    h.ep.listen(SimTime::zero());
    PeerOffer o;
    o.wscale = -1;
    o.sack = false;
    o.timestamps = false;
    h.deliver(peer_syn(kSyn, 0, o), SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    const Packet& synack = h.sent[0];
    CHECK(synack.options.mss == 1460);
    CHECK(synack.options.wscale == -1);
    CHECK_FALSE(synack.options.sack_permitted);
    CHECK_FALSE(synack.options.has_timestamps);
    h.take();

    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0, 100), ms(100));
    CHECK(h.ep.snd_wscale() == 0);
    CHECK(h.ep.rcv_wscale() == 0);
    CHECK(h.ep.snd_wnd() == 100);
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 10), ms(110));
    REQUIRE(h.sent.size() == 1);  // the ACK of the peer's first data, at once (quick-ACK mode)
    CHECK(h.sent[0].window == 64240 - 10);
}

TEST_CASE("with no window space at all the unscaled Linux window is 0 (a 1-byte autotuned buffer)") {
    // Autotuning offers half the buffer: from a 1-byte buffer, nothing. The segment size is cut
    // to the space, 0, and __tcp_select_window then offers 0 ("if (mss <= 0) return 0") rather
    // than dividing the free space by it (found by fuzz_valid_scenarios: SIGFPE).
    TcpConfig c;
    c.autotune_initial = 1;
    EndpointHarness h(c, kIss);
    h.ep.listen(SimTime::zero());
    PeerOffer o;
    o.wscale = -1;
    h.deliver(peer_syn(kSyn, 0, o), SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].window == 0);
    h.take();
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0), ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.ep.rcv_wscale() == 0);
    // A byte beyond the zero window is refused and answered with the window, still 0.
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 1), ms(110));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == kPeerIss + 1);
    CHECK(h.sent[0].window == 0);
    CHECK(h.received == 0);
}

TEST_CASE("a scaled Linux window is aligned up to the scale's unit, and the peer may fill it (a 1-byte buffer)") {
    // __tcp_select_window aligns the window up to 1 << wscale ("Advertise enough space so that
    // it won't get scaled away"): a 1-byte buffer with scale 7 (from the 6 MiB it may grow to)
    // offers 128 bytes, and data within them is kept, however little is free. Found by
    // fuzz_valid_scenarios: the invariant on the data held allowed no more than the buffer.
    TcpConfig c;
    c.receive_buffer = 1;
    c.receive_autotuning = false;
    EndpointHarness h(c, kIss);
    h.ep.set_auto_read(false);
    PeerOffer o;
    o.timestamps = false;
    h.ep.connect(SimTime::zero());
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].window == 1);  // a SYN's window is not scaled: the 1-byte buffer
    h.take();
    h.deliver(peer_syn(kSyn | kAck, kIss + 1, o), ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.ep.rcv_wscale() == 7);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].window == 1);  // 1 << 7: 128 bytes
    h.take();
    // The second byte first, out of order, then the first: both are kept, 2 bytes in a 1-byte
    // buffer, and the window left is closed.
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 2, kIss + 1, 1), ms(110));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == kPeerIss + 1);
    REQUIRE(h.sent[0].options.sack_count == 1);
    h.take();
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 1), ms(120));
    CHECK(h.received == 2);
    CHECK(h.stream_errors == 0);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].ack == kPeerIss + 3);
    CHECK(h.sent[0].window == 0);
}

TEST_CASE("the effective MSS is the smaller MSS less 12 bytes of timestamp option") {
    // Every segment carries the 10-byte timestamp option padded to 12 (RFC 7323 3.2), so a full
    // segment holds min(1460, 1460) - 12 = 1448 bytes, as Linux.
    EndpointHarness h(TcpConfig{}, kIss);
    establish(h, PeerOffer{});
    CHECK(h.ep.timestamps_enabled());
    CHECK(h.ep.effective_mss() == 1448);
    h.ep.send(3000, s(1));
    REQUIRE(!h.sent.empty());
    CHECK(h.sent[0].payload_len == 1448);
    CHECK(h.sent[0].options.has_timestamps);
}

TEST_CASE("the peer's smaller MSS limits the effective MSS: 1000 - 12 = 988") {
    EndpointHarness h(TcpConfig{}, kIss);
    PeerOffer o;
    o.mss = 1000;
    establish(h, o);
    CHECK(h.ep.effective_mss() == 988);
}

TEST_CASE("without timestamps the effective MSS is the smaller MSS itself") {
    EndpointHarness h(TcpConfig{}, kIss);
    PeerOffer o;
    o.mss = 1000;
    o.timestamps = false;
    establish(h, o);
    CHECK(h.ep.effective_mss() == 1000);
}

TEST_CASE("without an MSS option the peer's MSS is taken as 536") {
    // RFC 9293 3.7.1: "If an MSS Option is not received at connection setup, TCP implementations
    // MUST assume a default send MSS of 536 (576 - 40)".
    TcpConfig c = plain_tcp();
    EndpointHarness h(c, kIss);
    PeerOffer o;
    o.mss = 0;
    o.wscale = -1;
    o.sack = false;
    o.timestamps = false;
    establish(h, o);
    CHECK(h.ep.effective_mss() == 536);
}

TEST_CASE("after establishment the peer's window field is scaled by its shift: 100 << 3 = 800") {
    // RFC 7323 2.3: SND.WND = SEG.WND << Snd.Wind.Shift for every segment but a SYN.
    EndpointHarness h(TcpConfig{}, kIss);
    PeerOffer o;
    o.wscale = 3;
    o.timestamps = false;
    establish(h, o);
    CHECK(h.ep.snd_wscale() == 3);
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0, 100), s(1));
    CHECK(h.ep.snd_wnd() == 800);
}

TEST_CASE("the window in the peer's SYN-ACK is not scaled") {
    // RFC 7323 2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be
    // scaled." A SYN-ACK with window 1000 and wscale 3 means 1000 bytes, not 8000.
    EndpointHarness h(TcpConfig{}, kIss);
    PeerOffer o;
    o.wscale = 3;
    o.window = 1000;
    o.timestamps = false;
    establish(h, o);
    CHECK(h.ep.snd_wnd() == 1000);
}

TEST_CASE("the window in the peer's SYN is not scaled, the one in its ACK is") {
    // Passive open: the SYN's window 1000 stands as is; the handshake-completing ACK's field 100
    // with shift 3 gives 800.
    EndpointHarness h(TcpConfig{}, kIss);
    h.ep.listen(SimTime::zero());
    PeerOffer o;
    o.wscale = 3;
    o.window = 1000;
    o.timestamps = false;
    h.deliver(peer_syn(kSyn, 0, o), SimTime::zero());
    CHECK(h.ep.snd_wnd() == 1000);
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0, 100), ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.ep.snd_wnd() == 800);
}

TEST_CASE("our advertised window is scaled by our shift once scaling is agreed") {
    // The first ACK after the SYN-ACK offers the 64240 bytes of the SYN aligned up to the scale
    // (Linux's __tcp_select_window): 64256 = 502 << 7. With a fixed 1 MiB buffer (the rfc
    // profile) it offers all of it: 2^20 >> 5 = 32768.
    EndpointHarness h(TcpConfig{}, kIss);
    h.ep.connect(SimTime::zero());
    h.deliver(peer_syn(kSyn | kAck, kIss + 1, PeerOffer{}), ms(100));
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[1].flags == kAck);
    CHECK(h.sent[1].window == 502);
    CHECK(h.ep.rcv_wnd() == 64256);

    TcpConfig rfc;
    apply_profile(rfc, TcpProfile::rfc);
    EndpointHarness r(rfc, kIss);
    r.ep.connect(SimTime::zero());
    r.deliver(peer_syn(kSyn | kAck, kIss + 1, PeerOffer{}), ms(100));
    REQUIRE(r.sent.size() == 2);
    CHECK(r.sent[1].window == 32768);
    CHECK(r.ep.rcv_wnd() == (uint64_t{1} << 20));
}

TEST_CASE("SACK is permitted only when both sides enabled it") {
    // RFC 2018 2: SACK-permitted in both SYNs.
    SUBCASE("both") {
        EndpointHarness h(TcpConfig{}, kIss);
        establish(h, PeerOffer{});
        CHECK(h.ep.sack_permitted());
    }
    SUBCASE("the peer does not offer it") {
        EndpointHarness h(TcpConfig{}, kIss);
        PeerOffer o;
        o.sack = false;
        establish(h, o);
        CHECK_FALSE(h.ep.sack_permitted());
    }
    SUBCASE("we have it off") {
        TcpConfig c;
        c.sack = false;
        EndpointHarness h(c, kIss);
        h.ep.listen(SimTime::zero());
        h.deliver(peer_syn(kSyn, 0, PeerOffer{}), SimTime::zero());
        REQUIRE(h.sent.size() == 1);
        CHECK_FALSE(h.sent[0].options.sack_permitted);
        CHECK_FALSE(h.ep.sack_permitted());
    }
}

TEST_CASE("timestamps: the SYN-ACK echoes the SYN's TSval, and the echo gives the RTT") {
    // RFC 7323 3.2/4.1: TSecr = the peer's TSval (777); the peer's ACK echoing our SYN-ACK's
    // TSval (tick 0 + offset 1000) at t = 100 ms gives RTT = 100 ticks of 1 ms.
    EndpointHarness h(TcpConfig{}, kIss);
    establish_passive(h, PeerOffer{});
    CHECK(h.ep.timestamps_enabled());
    CHECK(h.ep.rtt().samples() == 1);
    CHECK(h.ep.rtt().srtt() == ms(100));
    h.ep.send(100, s(1));
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0].options.has_timestamps);
    CHECK(h.sent[0].options.ts_val == kIss + 1000);  // 1000 ticks at t = 1 s
    CHECK(h.sent[0].options.ts_ecr == 877);          // the TSval of the peer's last ACK
}

TEST_CASE("in a simultaneous open the peer's SYN-ACK window is not scaled either") {
    // RFC 9293 3.5 figure 7: the peer's SYN (window 1000, wscale 3) reaches us in SYN-SENT, then
    // its SYN-ACK (window 2000) in SYN-RECEIVED. Both carry SYN, so RFC 7323 2.2: 2000 bytes,
    // not 2000 << 3; the next ACK's 100 is scaled: 800.
    EndpointHarness h(TcpConfig{}, kIss);
    h.ep.connect(SimTime::zero());
    PeerOffer o;
    o.wscale = 3;
    o.window = 1000;
    o.timestamps = false;
    h.deliver(peer_syn(kSyn, 0, o), ms(50));
    REQUIRE(h.ep.state() == TcpState::SYN_RECEIVED);
    CHECK(h.ep.snd_wnd() == 1000);
    o.window = 2000;
    h.deliver(peer_syn(kSyn | kAck, kIss + 1, o), ms(100));
    REQUIRE(h.ep.state() == TcpState::ESTABLISHED);
    CHECK(h.ep.snd_wnd() == 2000);
    h.deliver(EndpointHarness::from_peer(kAck, kPeerIss + 1, kIss + 1, 0, 100), s(1));
    CHECK(h.ep.snd_wnd() == 800);
}
