// Segment dialogues for loss recovery: fast retransmit, NewReno partial ACKs (RFC 6582), Reno's
// early exit (RFC 5681), SACK recovery (RFC 6675), receiver SACK and D-SACK blocks (RFC 2018,
// RFC 2883), the loss window after a timeout and Eifel detection (RFC 3522).
// The sender has sent a window of ten 1460-byte segments, seq = 1001 + 1460*i (i = 0..9).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "endpoint_harness.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr uint32_t kIss = 1000;
constexpr uint32_t kPeerIss = 5000;
constexpr uint32_t kMss = 1460;
constexpr SimTime ms(int64_t v) { return SimTime::from_ms(v); }
constexpr uint32_t seg(int i) { return kIss + 1 + kMss * static_cast<uint32_t>(i); }

void establish(EndpointHarness& h, bool sack) { h.establish(kPeerIss, ms(100), 65535, sack); }

TcpConfig config(const char* cc, bool sack) {
    TcpConfig c = plain_tcp();
    c.cc = cc;
    c.sack = sack;
    return c;
}

// A pure ACK from the peer with SACK blocks given as [first segment, end segment) index pairs.
Packet ack(uint32_t ack_seq, std::vector<std::pair<int, int>> blocks = {}) {
    Packet p = EndpointHarness::from_peer(kAck, kPeerIss + 1, ack_seq, 0, 65535);
    for (size_t i = 0; i < blocks.size(); ++i) p.options.sack[i] = SackBlock{seg(blocks[i].first), seg(blocks[i].second)};
    p.options.sack_count = static_cast<uint8_t>(blocks.size());
    return p;
}

std::vector<uint32_t> seqs_with_data(const std::vector<Packet>& v) {
    std::vector<uint32_t> out;
    for (const Packet& p : v)
        if (p.payload_len) out.push_back(p.seq);
    return out;
}

}  // namespace

TEST_CASE("three duplicate ACKs retransmit SND.UNA's segment, cwnd = ssthresh + 3*SMSS") {
    // 100 KB queued, IW10 sends 14600 bytes. Segment 0 is lost: the ACKs for segments 1, 2, 3
    // are duplicates of 1001. Limited transmit (RFC 3042) sends one new segment on each of the
    // first two (seq 15601 and 17061). On the third, RFC 5681 3.2 step 2: FlightSize without
    // what limited transmit sent = 14600, ssthresh = max(14600/2, 2*1460) = 7300, retransmit
    // 1001, cwnd = 7300 + 3*1460 = 11680.
    EndpointHarness h(config("newreno", false), kIss);
    establish(h, false);
    h.ep.send(100000, ms(100));
    REQUIRE(h.take().size() == 10);
    h.deliver(ack(seg(0)), ms(200));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(10)});
    h.deliver(ack(seg(0)), ms(201));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(11)});
    CHECK(h.ep.recovery() == RecoveryState::open);
    h.deliver(ack(seg(0)), ms(202));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    CHECK(h.ep.recovery() == RecoveryState::fast);
    CHECK(h.ep.ssthresh() == 7300);
    CHECK(h.ep.cwnd() == 11680);
    CHECK(h.ep.counters().fast_retransmits == 1);
    CHECK(h.ep.counters().rto_expirations == 0);
    // Each further duplicate inflates cwnd by one SMSS; new data leaves once cwnd exceeds the
    // 17520 bytes in flight by a segment: at 11680 + 5*1460 = 18980, the 5th further duplicate.
    for (int i = 0; i < 4; ++i) {
        h.deliver(ack(seg(0)), ms(203 + i));
        CHECK(h.take().empty());
    }
    h.deliver(ack(seg(0)), ms(207));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(12)});
    // The ACK of everything sent before recovery (recover = 17520 bytes in) ends it: RFC 6582
    // step 3, cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) = min(7300, 1460 + 1460).
    h.deliver(ack(seg(12)), ms(300));
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.cwnd() == 2920);
}

TEST_CASE("NewReno: a partial ACK retransmits the next hole at once and deflates cwnd") {
    // Exactly 14600 bytes queued (no new data). Segments 0 and 5 are lost. ACKs for 1-4 are
    // duplicates: the third enters recovery (FlightSize 14600: ssthresh 7300, cwnd 7300 + 4380
    // = 11680) and retransmits 1001; the 4th and those for 6-9 inflate cwnd to 11680 + 5*1460
    // = 18980. The retransmission fills the first hole: ACK 8301 (segment 5's seq) is partial
    // (recover = 15601): RFC 6582 step 4 retransmits 8301 and deflates cwnd by the 7300 bytes
    // acknowledged, adding back one SMSS: 18980 - 7300 + 1460 = 13140.
    EndpointHarness h(config("newreno", false), kIss);
    establish(h, false);
    h.ep.send(14600, ms(100));
    REQUIRE(h.take().size() == 10);
    for (int i = 0; i < 8; ++i) h.deliver(ack(seg(0)), ms(200 + i));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    CHECK(h.ep.cwnd() == 18980);
    h.deliver(ack(seg(5)), ms(300));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(5)});
    CHECK(h.ep.recovery() == RecoveryState::fast);
    CHECK(h.ep.cwnd() == 13140);
    CHECK(h.ep.counters().fast_retransmits == 2);
    // The full ACK ends recovery; no timeout was needed.
    h.deliver(ack(seg(10)), ms(400));
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.counters().rto_expirations == 0);
    CHECK(h.ep.counters().fast_recoveries == 1);
}

TEST_CASE("Reno leaves fast recovery on the partial ACK: the second loss waits for the timer") {
    // The same losses with RFC 5681's Reno: the partial ACK ends recovery (cwnd deflates to
    // min(ssthresh, FlightSize + SMSS) = min(7300, 7300 + 1460) = 7300) and nothing is resent;
    // with no more duplicate ACKs to come, segment 5 is resent by the retransmission timer.
    EndpointHarness h(config("reno", false), kIss);
    establish(h, false);
    h.ep.send(14600, ms(100));
    h.take();
    for (int i = 0; i < 8; ++i) h.deliver(ack(seg(0)), ms(200 + i));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    h.deliver(ack(seg(5)), ms(300));
    CHECK(h.take().empty());
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.cwnd() == 7300);
    REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(5)});
    CHECK(h.ep.counters().rto_expirations == 1);
}

TEST_CASE("SACK: three losses in one window are all retransmitted before the first hole is filled") {
    // Segments 0, 3 and 6 lost. The SACK blocks of the ACKs for 1, 2, 4, 5, 7, 8, 9 tell the
    // sender exactly what is missing. RFC 6675: recovery starts when more than 2*SMSS are SACKed
    // above SND.UNA (after segment 4: 4380 bytes) and retransmits 1001; NextSeg then names
    // segment 3 once three segments above it are SACKed (IsLost) and segment 6 by rule (3) as
    // pipe allows. All three leave within the first round trip, no timer involved.
    EndpointHarness h(config("newreno", true), kIss);
    establish(h, true);
    h.ep.send(14600, ms(100));
    REQUIRE(h.take().size() == 10);
    h.deliver(ack(seg(0), {{1, 2}}), ms(200));
    h.deliver(ack(seg(0), {{1, 3}}), ms(201));
    h.deliver(ack(seg(0), {{4, 5}, {1, 3}}), ms(202));
    CHECK(h.ep.recovery() == RecoveryState::fast);
    h.deliver(ack(seg(0), {{4, 6}, {1, 3}}), ms(203));
    h.deliver(ack(seg(0), {{7, 8}, {4, 6}, {1, 3}}), ms(204));
    h.deliver(ack(seg(0), {{7, 9}, {4, 6}, {1, 3}}), ms(205));
    h.deliver(ack(seg(0), {{7, 10}, {4, 6}, {1, 3}}), ms(206));
    auto rtx = seqs_with_data(h.take());
    std::sort(rtx.begin(), rtx.end());
    CHECK(rtx == std::vector<uint32_t>{seg(0), seg(3), seg(6)});
    CHECK(h.ep.counters().fast_retransmits == 3);
    CHECK(h.ep.ssthresh() == 7300);  // one reduction for the window: 14600 / 2
    // The retransmissions arrive: cumulative ACKs 4381+1001, then all; recovery ends, no RTO.
    h.deliver(ack(seg(3), {{4, 6}, {7, 10}}), ms(300));
    h.deliver(ack(seg(6), {{7, 10}}), ms(301));
    CHECK(h.ep.recovery() == RecoveryState::fast);
    h.deliver(ack(seg(10)), ms(302));
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.counters().rto_expirations == 0);
    CHECK(h.ep.counters().fast_recoveries == 1);
}

TEST_CASE("without SACK the same three losses are retransmitted one per partial ACK") {
    // NewReno learns of one hole per round trip: only 1001 is resent on the duplicates.
    EndpointHarness h(config("newreno", false), kIss);
    establish(h, false);
    h.ep.send(14600, ms(100));
    h.take();
    for (int i = 0; i < 7; ++i) h.deliver(ack(seg(0)), ms(200 + i));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    h.deliver(ack(seg(3)), ms(300));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(3)});
    h.deliver(ack(seg(6)), ms(400));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(6)});
    h.deliver(ack(seg(10)), ms(500));
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.counters().fast_retransmits == 3);
}

TEST_CASE("a timeout collapses cwnd to one segment and resends only what was not SACKed") {
    // Segments 0 and 2 lost, 1 and 3-9 SACKed but only two duplicate ACKs arrive before the
    // timer fires... with SACK, the 8 SACKed segments make 0 and 2 lost at once, so use a
    // timeout with nothing SACKed beyond DupThresh: only segment 1 SACKed (one duplicate ACK).
    // RFC 5681 (4): ssthresh = 14600/2 = 7300, cwnd = 1460; go-back-N resends 1001 and, as the
    // window opens, 3921 onwards, skipping the SACKed segment 1 (2461).
    EndpointHarness h(config("newreno", true), kIss);
    establish(h, true);
    h.ep.send(14600, ms(100));
    h.take();
    h.deliver(ack(seg(0), {{1, 2}}), ms(200));
    CHECK(h.ep.recovery() == RecoveryState::open);
    REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    CHECK(h.ep.cwnd() == 1460);
    CHECK(h.ep.ssthresh() == 7300);
    CHECK(h.ep.recovery() == RecoveryState::rto);
    // The ACK of segment 0 (and the SACKed 1): slow start after a timeout counts at most one
    // SMSS per ACK (RFC 3465 2.3): cwnd 2920, two segments from 2.
    h.deliver(ack(seg(2)), ms(700));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(2), seg(3)});
    CHECK(h.ep.cwnd() == 2920);
}

TEST_CASE("Eifel: an ACK echoing the original's timestamp shows the timeout was spurious") {
    // Timestamps on, SACK off. The segment is delayed, not lost: the timer fires and resends
    // it; then the ACK of the original arrives, echoing the TSval of the first transmission
    // (older than the retransmission's), RFC 3522 3.2.
    TcpConfig c = config("newreno", false);
    c.timestamps = true;
    EndpointHarness h(c, kIss);
    h.ep.connect(SimTime::zero());
    Packet synack = EndpointHarness::from_peer(kSyn | kAck, kPeerIss, kIss + 1, 0, 65535);
    synack.options.mss = kMss;
    synack.options.has_timestamps = true;
    synack.options.ts_val = 77;
    synack.options.ts_ecr = h.sent[0].options.ts_val;
    h.deliver(synack, ms(100));
    h.take();
    h.ep.send(1000, ms(100));
    uint32_t first_tsval = h.take().at(0).options.ts_val;
    REQUIRE(h.fire(TcpTimer::retransmit));
    uint32_t rtx_tsval = h.take().at(0).options.ts_val;
    REQUIRE(rtx_tsval > first_tsval);
    Packet a = ack(kIss + 1 + 1000);
    a.options.has_timestamps = true;
    a.options.ts_val = 78;
    a.options.ts_ecr = first_tsval;
    h.deliver(a, h.timer_set(TcpTimer::retransmit) ? h.timer_due(TcpTimer::retransmit) - ms(1) : ms(2000));
    CHECK(h.ep.counters().spurious_retransmits == 1);
}

TEST_CASE("D-SACK: a block below the cumulative ACK for retransmitted data counts a spurious retransmission") {
    // RFC 2883 4.2: segment 0's retransmission was unnecessary; the receiver reports the
    // duplicate as the first SACK block, below the ACK number.
    EndpointHarness h(config("newreno", true), kIss);
    establish(h, true);
    h.ep.send(14600, ms(100));
    h.take();
    REQUIRE(h.fire(TcpTimer::retransmit));  // resends segment 0
    h.take();
    h.deliver(ack(seg(10)), ms(900));
    h.deliver(ack(seg(10), {{0, 1}}), ms(901));
    CHECK(h.ep.counters().dsacks_received == 1);
    CHECK(h.ep.counters().spurious_retransmits == 1);
    // A D-SACK for data never retransmitted (a duplicate made by the network) is not counted.
    h.deliver(ack(seg(10), {{5, 6}}), ms(902));
    CHECK(h.ep.counters().dsacks_received == 2);
    CHECK(h.ep.counters().spurious_retransmits == 1);
}

TEST_CASE("the receiver's SACK blocks put the newest block first and report a duplicate once") {
    // We receive: peer data 5001.. (its ISS 5000). Segments 1, 3 arrive (0 and 2 missing):
    // the ACK for 3 carries [3], then [1] (RFC 2018 4: the block with the newest segment
    // first). A second copy of segment 3 is reported with a D-SACK block first (RFC 2883).
    EndpointHarness h(config("newreno", true), kIss);
    establish(h, true);
    auto peer = [](int i) { return kPeerIss + 1 + kMss * static_cast<uint32_t>(i); };
    auto data = [&](int i) { return EndpointHarness::from_peer(kAck, peer(i), kIss + 1, kMss); };
    h.deliver(data(1), ms(200));
    REQUIRE(h.last().options.sack_count == 1);
    CHECK(h.last().options.sack[0].left == peer(1));
    h.deliver(data(3), ms(201));
    REQUIRE(h.last().options.sack_count == 2);
    CHECK(h.last().options.sack[0].left == peer(3));
    CHECK(h.last().options.sack[0].right == peer(4));
    CHECK(h.last().options.sack[1].left == peer(1));
    h.deliver(data(3), ms(202));
    REQUIRE(h.last().options.sack_count == 3);
    CHECK(h.last().options.sack[0].left == peer(3));  // the duplicate ...
    CHECK(h.last().options.sack[1].left == peer(3));  // ... inside a reported block
    h.deliver(data(0), ms(203));  // fills the first hole: ACK 2 segments in, [3] left
    CHECK(h.last().ack == peer(2));
    REQUIRE(h.last().options.sack_count == 1);
    CHECK(h.last().options.sack[0].left == peer(3));
    h.deliver(data(2), ms(204));
    CHECK(h.last().ack == peer(4));
    CHECK(h.last().options.sack_count == 0);
}

TEST_CASE("a repeated timeout of the same segment holds ssthresh, and the first timeout after new data sets it again") {
    // RFC 5681 3.1 (after equation 4): ssthresh = max(FlightSize/2, 2*SMSS) on a timeout, but
    // held constant when the segment was already retransmitted by the timer. Both algorithms.
    for (const char* cc : {"newreno", "cubic"}) {
        INFO(cc);
        EndpointHarness h(config(cc, false), kIss);
        establish(h, false);
        h.ep.send(100000, ms(100));
        REQUIRE(h.take().size() == 10);  // IW10: 14600 bytes in flight
        REQUIRE(h.fire(TcpTimer::retransmit));
        uint64_t first = h.ep.ssthresh();
        // NewReno: 14600 / 2; CUBIC: 0.7 * cwnd (14600).
        CHECK(first == (std::string(cc) == "newreno" ? 7300u : 10220u));
        CHECK(h.ep.cwnd() == kMss);
        for (int i = 0; i < 3; ++i) {
            REQUIRE(h.fire(TcpTimer::retransmit));
            CHECK(h.ep.ssthresh() == first);  // one segment in flight would give 2920
            CHECK(h.ep.cwnd() == kMss);
        }
        // The retransmission gets through: new data is acknowledged, the episode is over.
        h.deliver(ack(seg(1)), ms(5000));
        h.take();
        REQUIRE(h.fire(TcpTimer::retransmit));  // the next timeout is a first one again
        // NewReno: FlightSize 13140 (segments 1-9) / 2; CUBIC: 0.7 * cwnd (2920 after the ACK),
        // at least 2*SMSS.
        CHECK(h.ep.ssthresh() == (std::string(cc) == "newreno" ? 6570u : 2920u));
    }
}

TEST_CASE("NewReno: every partial ACK restarts the retransmission timer (slow-but-steady, as Linux)") {
    // Segments 0, 3 and 6 lost, one hole repaired per round trip. Each partial ACK moves the
    // timer to RTO after it, so a recovery from many losses is not cut short by a timeout in
    // its middle (RFC 3782 4's slow-but-steady variant; Linux re-arms on every ACK that advances
    // SND.UNA). The impatient variant would keep the deadline set by the first partial ACK.
    EndpointHarness h(config("newreno", false), kIss);
    establish(h, false);
    h.ep.send(14600, ms(100));
    h.take();
    for (int i = 0; i < 7; ++i) h.deliver(ack(seg(0)), ms(200 + i));
    h.deliver(ack(seg(3)), ms(300));
    SimTime rto = h.ep.rtt().rto();
    CHECK(h.timer_due(TcpTimer::retransmit).ns() == (ms(300) + rto).ns());
    h.deliver(ack(seg(6)), ms(400));
    CHECK(h.timer_due(TcpTimer::retransmit).ns() == (ms(400) + rto).ns());
}

TEST_CASE("without SACK, duplicate ACKs at exactly the recovery point after a timeout start no fast retransmit") {
    // RFC 6582 3.2 step 1 and section 4: after a timeout, go-back-N resends segments the
    // receiver already holds; their duplicate ACKs sit at the old recovery point and show no new
    // loss (Linux holds Reno's state until something above high_seq is acknowledged).
    EndpointHarness h(config("newreno", false), kIss);
    establish(h, false);
    h.ep.send(100000, ms(100));
    REQUIRE(h.take().size() == 10);
    REQUIRE(h.fire(TcpTimer::retransmit));  // recover = seg(10), one past what was sent
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    // Segments 1-9 had arrived: the ACK jumps to the recovery point; slow start sends two.
    h.deliver(ack(seg(10)), ms(1400));
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(10), seg(11)});
    CHECK(h.ep.recovery() == RecoveryState::open);
    // Three duplicates of that ACK (as go-back-N's copies would bring): nothing is resent.
    for (int i = 0; i < 3; ++i) h.deliver(ack(seg(10)), ms(1401 + i));
    CHECK(h.ep.recovery() == RecoveryState::open);
    CHECK(h.ep.counters().fast_recoveries == 0);
    for (const Packet& p : h.take()) CHECK(p.seq != seg(10));
    // Past the point, three duplicates are a loss again.
    h.deliver(ack(seg(11)), ms(1500));
    h.take();
    for (int i = 0; i < 3; ++i) h.deliver(ack(seg(11)), ms(1501 + i));
    CHECK(h.ep.recovery() == RecoveryState::fast);
    CHECK(h.ep.counters().fast_recoveries == 1);
}

TEST_CASE("a timeout during fast recovery keeps the recovery's ssthresh") {
    // Fast recovery set ssthresh = 7300 (FlightSize 14600 / 2) and inflated cwnd, which let new
    // data out. The timer then fires before the recovery point is acknowledged: RFC 5681 (4)
    // would take half of the larger flight; Linux keeps the reduction already made for this
    // window (tcp_enter_loss), and so does tcpsim. cwnd goes to the loss window.
    EndpointHarness h(config("newreno", false), kIss);
    establish(h, false);
    h.ep.send(100000, ms(100));
    REQUIRE(h.take().size() == 10);
    for (int i = 0; i < 10; ++i) h.deliver(ack(seg(0)), ms(200 + i));
    REQUIRE(h.ep.recovery() == RecoveryState::fast);
    REQUIRE(h.ep.ssthresh() == 7300);
    REQUIRE(h.ep.flight_size() > 2 * 7300);  // limited transmit and inflation sent new data
    REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(h.ep.ssthresh() == 7300);
    CHECK(h.ep.cwnd() == kMss);
    CHECK(h.ep.recovery() == RecoveryState::rto);
}

TEST_CASE("D-SACK: every unneeded retransmission is counted once, however many came before the D-SACKs") {
    // The timer fires 20 times for segment 0 (the ACKs are lost); the receiver got the original
    // and all 20 copies, and each copy it got twice brings a D-SACK. Twenty D-SACKs: 20 unneeded
    // retransmissions, counted in full however long ago they were sent (a log of the last few
    // would miss the early ones); a 21st finds none left.
    TcpConfig c = config("newreno", true);
    c.data_retries = 30;
    EndpointHarness h(c, kIss);
    establish(h, true);
    h.ep.send(1460, ms(100));
    h.take();
    for (int i = 0; i < 20; ++i) REQUIRE(h.fire(TcpTimer::retransmit));
    CHECK(h.ep.counters().retransmissions == 20);
    h.take();
    h.deliver(ack(seg(1)), ms(900'000));
    for (int i = 0; i < 21; ++i) h.deliver(ack(seg(1), {{0, 1}}), ms(900'001 + i));
    CHECK(h.ep.counters().dsacks_received == 21);
    CHECK(h.ep.counters().spurious_retransmits == 20);
}

TEST_CASE("D-SACK: one block over several retransmitted segments counts each of them") {
    // After a spurious timeout go-back-N resends segments 0-5 and 7-9 as the ACKs come back
    // (segment 6 is acknowledged before its turn). The receiver reports the duplicates in one
    // block [0, 4), then [4, 10): each resent segment once (not segment 6), and the same block
    // again finds nothing left.
    EndpointHarness h(config("newreno", true), kIss);
    establish(h, true);
    h.ep.send(14600, ms(100));
    h.take();
    REQUIRE(h.fire(TcpTimer::retransmit));
    h.deliver(ack(seg(1)), ms(1400));
    h.deliver(ack(seg(3)), ms(1401));
    h.deliver(ack(seg(7)), ms(1402));
    h.deliver(ack(seg(10)), ms(1403));
    auto resent = seqs_with_data(h.take());
    CHECK(resent == std::vector<uint32_t>{seg(0), seg(1), seg(2), seg(3), seg(4), seg(5), seg(7), seg(8), seg(9)});
    CHECK(h.ep.counters().retransmissions == 9);
    h.deliver(ack(seg(10), {{0, 4}}), ms(2000));
    CHECK(h.ep.counters().spurious_retransmits == 4);
    h.deliver(ack(seg(10), {{4, 10}}), ms(2001));
    CHECK(h.ep.counters().spurious_retransmits == 9);
    h.deliver(ack(seg(10), {{4, 10}}), ms(2002));
    CHECK(h.ep.counters().spurious_retransmits == 9);
}

TEST_CASE("RACK: what the application writes on an ACK after a timeout goes after the lost segments") {
    // Linux sends once tcp_ack is done (tcp_xmit_recovery, then tcp_data_snd_check): the
    // segments the timeout marked lost are retransmitted before any new data, and the data the
    // application writes when the ACK frees send space waits for that one send pass.
    TcpConfig c;  // the linux profile: RACK
    c.timestamps = false;
    c.tlp = false;  // the timer is the RTO, not a loss probe
    EndpointHarness h(c, kIss);
    establish(h, true);
    h.ep.send(14600, ms(100));
    REQUIRE(seqs_with_data(h.take()).size() == 10);
    SimTime rto_at = h.timer_due(TcpTimer::retransmit);
    REQUIRE(h.fire(TcpTimer::retransmit));
    REQUIRE(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(0)});
    int writes = 0;
    h.on_writable = [&] {
        ++writes;
        h.ep.send(4 * kMss, rto_at + ms(100));
    };
    h.deliver(ack(seg(1)), rto_at + ms(100));
    REQUIRE(writes == 1);
    // cwnd 2 segments: segments 1 and 2 again, none of the 4 new ones (seg(10) on).
    CHECK(seqs_with_data(h.take()) == std::vector<uint32_t>{seg(1), seg(2)});
}
