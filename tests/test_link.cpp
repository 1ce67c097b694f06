// Link direction behaviour: exact timing, queue limits, and the random effects at their rates.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "network_fixture.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

LinkDirectionConfig plain(uint64_t bps, SimTime delay) {
    LinkDirectionConfig c;
    c.bandwidth_bps = bps;
    c.delay = delay;
    return c;
}

// n standard errors of a proportion p measured over n_trials.
double sigma(double p, double n_trials) { return std::sqrt(p * (1 - p) / n_trials); }

}  // namespace

TEST_CASE("serialization plus propagation is exact to the nanosecond") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& b = f.host("b");
    f.net.add_link(a, b, plain(10'000'000, SimTime::from_ms(10)), plain(10'000'000, SimTime::from_ms(10)));
    f.net.compute_routes();
    // 1460 bytes of payload + 40 of headers = 1500 bytes = 12000 bits; at 10 Mbit/s that is
    // 1.2 ms on the wire, then 10 ms of propagation: the first arrives at 11.2 ms. The second,
    // sent at the same instant, waits for the first's last bit: 2.4 ms + 10 ms = 12.4 ms.
    a.send(NetworkFixture::segment(a, b, 1460, 0));
    a.send(NetworkFixture::segment(a, b, 1460, 1460));
    f.sim.run(SimTime::from_s(1));
    auto& got = f.received_by(b).arrivals;
    REQUIRE(got.size() == 2);
    CHECK(got[0].at.ns() == 11'200'000);
    CHECK(got[1].at.ns() == 12'400'000);
    CHECK(got[1].packet.seq == 1460);
}

TEST_CASE("serialization delay rounds up to the next nanosecond") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& b = f.host("b");
    f.net.add_link(a, b, plain(3'000'000, SimTime::from_ms(1)), plain(3'000'000, SimTime::from_ms(1)));
    f.net.compute_routes();
    // A bare 40-byte header is 320 bits; at 3 Mbit/s that is 106666.67 ns, rounded up to
    // 106667 ns (the frame is not there before its last bit), plus 1 ms.
    a.send(NetworkFixture::segment(a, b, 0));
    f.sim.run(SimTime::from_s(1));
    REQUIRE(f.received_by(b).arrivals.size() == 1);
    CHECK(f.received_by(b).arrivals[0].at.ns() == 1'106'667);
}

TEST_CASE("a full drop-tail queue drops what does not fit, counted in packets") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& b = f.host("b");
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(1));
    c.queue.limit_packets = 2;
    auto [ab, ba] = f.net.add_link(a, b, c, c);
    f.net.compute_routes();
    // Five at once: the first goes on the wire, two wait, two find the queue full.
    for (uint32_t k = 0; k < 5; ++k) a.send(NetworkFixture::segment(a, b, 1460, k * 1460));
    f.sim.run(SimTime::from_s(1));
    CHECK(f.received_by(b).arrivals.size() == 3);
    CHECK(ab->stats().drops[static_cast<size_t>(DropReason::queue_full)] == 2);
    CHECK(ab->stats().max_queue_packets == 2);
    CHECK(f.net.tracer().drops(DropReason::queue_full) == 2);
    // What got through is the head of the burst, in order.
    CHECK(f.received_by(b).arrivals[2].packet.seq == 2 * 1460);
}

TEST_CASE("a full drop-tail queue drops what does not fit, counted in bytes") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& b = f.host("b");
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(1));
    c.queue.limit_packets = 0;
    c.queue.limit_bytes = 3000;  // two 1500-byte packets fit exactly, a third does not
    auto [ab, ba] = f.net.add_link(a, b, c, c);
    f.net.compute_routes();
    for (uint32_t k = 0; k < 5; ++k) a.send(NetworkFixture::segment(a, b, 1460, k * 1460));
    f.sim.run(SimTime::from_s(1));
    CHECK(f.received_by(b).arrivals.size() == 3);
    CHECK(ab->stats().drops[static_cast<size_t>(DropReason::queue_full)] == 2);
    CHECK(ab->stats().max_queue_bytes == 3000);
}

namespace {
// Sends n bare segments 100 us apart over a 10 Mbit/s, 10 ms link configured by `c` and returns
// the link direction (packets are 40 bytes = 32 us on the wire: the queue never fills).
struct Stream {
    NetworkFixture f;
    Node* a;
    Node* b;
    LinkDirection* ab;
    std::unique_ptr<Sender> sender;
    Stream(const LinkDirectionConfig& c, uint64_t n, uint64_t seed = 7) : f(seed) {
        a = &f.host("a");
        b = &f.host("b");
        ab = f.net.add_link(*a, *b, c, c).first;
        f.net.compute_routes();
        sender = std::make_unique<Sender>(*a, NetworkFixture::segment(*a, *b, 1));
        sender->schedule(f.sim, n, SimTime::from_us(100));
        f.sim.run(SimTime::from_s(100000));
    }
    const std::vector<Arrival>& arrivals() { return f.received_by(*b).arrivals; }
};
}  // namespace

TEST_CASE("Bernoulli loss drops packets at the configured rate") {
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(10));
    c.loss.model = LossConfig::Model::bernoulli;
    c.loss.rate = 0.1;
    const double n = 100'000;
    Stream s(c, static_cast<uint64_t>(n));
    double lost = static_cast<double>(s.ab->stats().drops[static_cast<size_t>(DropReason::loss_model)]);
    CHECK(lost + static_cast<double>(s.arrivals().size()) == n);
    // 5 standard errors: 5 * sqrt(0.1 * 0.9 / 1e5) = 0.0047.
    CHECK(std::abs(lost / n - 0.1) < 5 * sigma(0.1, n));
}

TEST_CASE("Gilbert-Elliott loss comes in bursts with the stationary loss rate") {
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(10));
    c.loss.model = LossConfig::Model::gilbert_elliott;
    c.loss.p_good_to_bad = 0.01;
    c.loss.p_bad_to_good = 0.25;
    c.loss.loss_in_good = 0;
    c.loss.loss_in_bad = 1;
    const uint64_t n = 200'000;
    Stream s(c, n);
    // Stationary share of the bad state: 0.01 / (0.01 + 0.25) = 0.0385; bursts last
    // 1 / 0.25 = 4 packets on average. Correlated draws: a looser, 15% band on the rate.
    std::vector<bool> arrived(n, false);
    for (const auto& a : s.arrivals()) arrived[a.packet.seq] = true;
    uint64_t lost = 0, bursts = 0;
    for (uint64_t k = 0; k < n; ++k) {
        if (arrived[k]) continue;
        ++lost;
        if (k == 0 || arrived[k - 1]) ++bursts;
    }
    double rate = static_cast<double>(lost) / static_cast<double>(n);
    CHECK(rate == doctest::Approx(0.01 / 0.26).epsilon(0.15));
    double mean_burst = static_cast<double>(lost) / static_cast<double>(bursts);
    CHECK(mean_burst > 3.5);
    CHECK(mean_burst < 4.5);
}

TEST_CASE("reordering holds back packets at the configured rate and they arrive late") {
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(10));
    c.reorder.probability = 0.25;
    c.reorder.delay = SimTime::from_ms(5);
    const double n = 50'000;
    Stream s(c, static_cast<uint64_t>(n));
    REQUIRE(s.arrivals().size() == static_cast<size_t>(n));
    double held = static_cast<double>(s.ab->stats().reordered);
    CHECK(std::abs(held / n - 0.25) < 5 * sigma(0.25, n));
    // A held packet is overtaken by the ~50 sent during its 5 ms hold-back: it arrives after a
    // higher sequence number. Every held packet shows up as such a late arrival.
    uint64_t late = 0;
    uint32_t highest = 0;
    bool any = false;
    for (const auto& a : s.arrivals()) {
        if (any && a.packet.seq < highest) ++late;
        if (!any || a.packet.seq > highest) highest = a.packet.seq;
        any = true;
    }
    CHECK(static_cast<double>(late) == held);
}

TEST_CASE("jitter varies the delay but never reorders") {
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(10));
    c.jitter.distribution = JitterConfig::Distribution::uniform;
    c.jitter.max = SimTime::from_ms(1);  // ten times the spacing: would reorder if unchecked
    Stream s(c, 20'000);
    REQUIRE(s.arrivals().size() == 20'000);
    std::set<int64_t> distinct_delays;
    for (size_t k = 0; k < s.arrivals().size(); ++k) {
        CHECK(s.arrivals()[k].packet.seq == k);
        if (k > 0) CHECK(s.arrivals()[k].at >= s.arrivals()[k - 1].at);
        distinct_delays.insert((s.arrivals()[k].at - SimTime::from_us(100) * static_cast<int64_t>(k)).ns());
    }
    CHECK(distinct_delays.size() > 1000);
    // Every one-way delay lies in [10 ms + 32.8 us, 10 ms + 1 ms + 32.8 us] (41 bytes on the wire).
    for (size_t k = 0; k < s.arrivals().size(); ++k) {
        int64_t d = (s.arrivals()[k].at - SimTime::from_us(100) * static_cast<int64_t>(k)).ns();
        CHECK(d >= 10'032'800);
        CHECK(d <= 11'032'800);
    }
}

TEST_CASE("normal jitter is clamped at zero and keeps FIFO order") {
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(10));
    c.jitter.distribution = JitterConfig::Distribution::normal;
    c.jitter.mean = SimTime::from_us(200);
    c.jitter.stddev = SimTime::from_us(300);
    Stream s(c, 10'000);
    REQUIRE(s.arrivals().size() == 10'000);
    for (size_t k = 1; k < s.arrivals().size(); ++k) CHECK(s.arrivals()[k].at >= s.arrivals()[k - 1].at);
    CHECK(s.arrivals()[0].at.ns() >= 10'032'800);
}

TEST_CASE("duplication delivers extra copies at the configured rate") {
    LinkDirectionConfig c = plain(10'000'000, SimTime::from_ms(10));
    c.duplicate_probability = 0.05;
    const double n = 50'000;
    Stream s(c, static_cast<uint64_t>(n));
    double dups = static_cast<double>(s.ab->stats().duplicates);
    CHECK(static_cast<double>(s.arrivals().size()) == n + dups);
    CHECK(std::abs(dups / n - 0.05) < 5 * sigma(0.05, n));
    // A copy arrives right behind its original, same sequence number, its own uid.
    size_t pairs = 0;
    for (size_t k = 1; k < s.arrivals().size(); ++k) {
        if (s.arrivals()[k].packet.seq == s.arrivals()[k - 1].packet.seq) {
            ++pairs;
            CHECK(s.arrivals()[k].at == s.arrivals()[k - 1].at);
            CHECK(s.arrivals()[k].packet.uid != s.arrivals()[k - 1].packet.uid);
        }
    }
    CHECK(static_cast<double>(pairs) == dups);
}

TEST_CASE("a link outage drops everything, including packets already on the wire") {
    NetworkFixture f;
    Node& a = f.host("a");
    Node& b = f.host("b");
    auto [ab, ba] = f.net.add_link(a, b, plain(10'000'000, SimTime::from_ms(10)), plain(10'000'000, SimTime::from_ms(10)));
    f.net.compute_routes();
    // Down at 30 ms, up at 60 ms (scheduled first: at 60 ms the link is up before the send).
    f.sim.at(SimTime::from_ms(30), ab, LinkDirection::kSetDown);
    f.sim.at(SimTime::from_ms(60), ab, LinkDirection::kSetUp);
    Sender sender(a, NetworkFixture::segment(a, b, 1));
    sender.schedule(f.sim, 100, SimTime::from_ms(1));  // seq k sent at k ms
    f.sim.run(SimTime::from_s(1));
    // 41 bytes take 32.8 us; a packet sent at k ms arrives at k + 10.0328 ms. Those sent at
    // 0..19 ms arrive before 30 ms; 20..29 are on the wire at 30 ms and die; 30..59 meet a dead
    // link; 60..99 get through: 20 + 40 = 60 packets.
    std::vector<uint32_t> seqs;
    for (const auto& x : f.received_by(b).arrivals) seqs.push_back(x.packet.seq);
    REQUIRE(seqs.size() == 60);
    CHECK(seqs[19] == 19);
    CHECK(seqs[20] == 60);
    CHECK(ab->stats().drops[static_cast<size_t>(DropReason::link_down)] == 40);
    CHECK(ba->stats().drops[static_cast<size_t>(DropReason::link_down)] == 0);
}
