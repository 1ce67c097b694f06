// RFC 6298 worked by hand: alpha = 1/8, beta = 1/4, K = 4, G = 1 ns, min 200 ms, max 120 s.
#include <doctest/doctest.h>

#include "models/tcp/rtt_estimator.hpp"

using namespace tcpsim;

namespace {
RttEstimator linux_like() { return RttEstimator(SimTime::from_s(1), SimTime::from_ms(200), SimTime::from_s(120)); }
}  // namespace

TEST_CASE("before any sample the RTO is the initial 1 s and backs off 2, 4, 8 s") {
    RttEstimator r = linux_like();
    CHECK(r.rto() == SimTime::from_s(1));  // RFC 6298 (2.1)
    r.back_off();
    CHECK(r.rto() == SimTime::from_s(2));
    r.back_off();
    CHECK(r.rto() == SimTime::from_s(4));
    r.back_off();
    CHECK(r.rto() == SimTime::from_s(8));
    CHECK(r.backoff() == 3);
}

TEST_CASE("RTO follows RFC 6298 for a sequence of samples") {
    RttEstimator r = linux_like();
    // R1 = 100 ms (2.2): SRTT = 100, RTTVAR = 50, RTO = 100 + 4*50 = 300 ms.
    r.sample(SimTime::from_ms(100));
    CHECK(r.srtt() == SimTime::from_ms(100));
    CHECK(r.rttvar() == SimTime::from_ms(50));
    CHECK(r.rto() == SimTime::from_ms(300));
    // R2 = 120 ms (2.3): RTTVAR = 3/4*50 + 1/4*|100-120| = 42.5; SRTT = 7/8*100 + 1/8*120 = 102.5;
    // RTO = 102.5 + 4*42.5 = 272.5 ms.
    r.sample(SimTime::from_ms(120));
    CHECK(r.rttvar().ns() == 42'500'000);
    CHECK(r.srtt().ns() == 102'500'000);
    CHECK(r.rto().ns() == 272'500'000);
    // R3 = 60 ms: RTTVAR = 3/4*42.5 + 1/4*|102.5-60| = 42.5; SRTT = 7/8*102.5 + 1/8*60 = 97.1875;
    // RTO = 97.1875 + 170 = 267.1875 ms.
    r.sample(SimTime::from_ms(60));
    CHECK(r.rttvar().ns() == 42'500'000);
    CHECK(r.srtt().ns() == 97'187'500);
    CHECK(r.rto().ns() == 267'187'500);
    CHECK(r.samples() == 3);
}

TEST_CASE("RTO is never below the minimum nor above the maximum") {
    RttEstimator r = linux_like();
    r.sample(SimTime::from_ms(1));  // 1 + 4*0.5 = 3 ms, raised to the 200 ms floor (2.4)
    CHECK(r.rto() == SimTime::from_ms(200));
    for (int i = 0; i < 20; ++i) r.back_off();  // 200 ms * 2^20 would be 58 hours
    CHECK(r.rto() == SimTime::from_s(120));     // (2.5) a maximum may be placed
    RttEstimator rfc(SimTime::from_s(1), SimTime::from_s(1), SimTime::from_s(60));
    rfc.sample(SimTime::from_ms(100));  // 300 ms computed; RFC 6298's own floor is 1 s
    CHECK(rfc.rto() == SimTime::from_s(1));
}

TEST_CASE("each expiry doubles the RTO and a new sample ends the backoff") {
    RttEstimator r = linux_like();
    r.sample(SimTime::from_ms(100));  // RTO 300 ms
    r.back_off();
    CHECK(r.rto() == SimTime::from_ms(600));  // (5.5)
    r.back_off();
    CHECK(r.rto() == SimTime::from_ms(1200));
    // A new measurement: RTTVAR = 3/4*50 + 1/4*0 = 37.5, SRTT 100, RTO = 100 + 150 = 250 ms.
    r.sample(SimTime::from_ms(100));
    CHECK(r.backoff() == 0);
    CHECK(r.rto() == SimTime::from_ms(250));
}
