// Whole TCP scenarios, read back from their JSON trace: the shipped scenarios show what the
// README promises (exact times, exact sequence numbers). Small scenarios written in the test are
// in test_tcp_inline_scenarios.cpp.
// Expected numbers are worked out in the comments from the RFCs and the scenario, not copied
// from a run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "scenario_run.hpp"

using namespace tcpsim;
using namespace tcpsim::test;


// ---------------------------------------------------------------- handshake.json

TEST_CASE("handshake: SYN 1000, SYN-ACK 5000/1001, ACK 1001/5001 are the first three segments") {
    // RFC 9293 3.5, figure 6, with the scenario's ISNs x = 1000 (client) and y = 5000 (server).
    Run r = run(shipped("handshake"));
    auto sends = events(r, "send");
    REQUIRE(sends.size() >= 3);
    CHECK(sends[0]["node"] == "client");
    CHECK(sends[0]["flags"] == "S");
    CHECK(u32(sends[0]["seq"]) == 1000);
    CHECK(sends[0]["len"] == 0);
    CHECK(sends[1]["node"] == "server");
    CHECK(sends[1]["flags"] == "S.");
    CHECK(u32(sends[1]["seq"]) == 5000);
    CHECK(u32(sends[1]["ack"]) == 1001);
    CHECK(sends[2]["node"] == "client");
    CHECK(sends[2]["flags"] == ".");
    CHECK(u32(sends[2]["seq"]) == 1001);
    CHECK(u32(sends[2]["ack"]) == 5001);
    CHECK(sends[2]["len"] == 0);
}

TEST_CASE("handshake: both ends go the RFC 9293 close paths and end in CLOSED") {
    // Figure 5 of RFC 9293: the client closes first (active close), the server answers its FIN
    // after the response has gone (passive close).
    Run r = run(shipped("handshake"));
    CHECK(state_path(r, "client") == "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    CHECK(state_path(r, "server") == "CLOSED LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
    CHECK(r.result.reason == StopReason::all_finished);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
}

TEST_CASE("handshake: the client leaves TIME-WAIT exactly 2*MSL = 2 s after entering it") {
    // RFC 9293 3.10.7.4; the scenario sets MSL = 1 s.
    Run r = run(shipped("handshake"));
    int64_t in = entered(r, "client", "TIME-WAIT");
    auto states = events(r, "state", "client");
    REQUIRE(!states.empty());
    const Json& last = states.back();
    CHECK(last["from"] == "TIME-WAIT");
    CHECK(last["to"] == "CLOSED");
    CHECK(t_ns(last) - in == 2 * kS);
    CHECK(t_ns(closed_event(r, "client")) == in + 2 * kS);
}

TEST_CASE("handshake: a RST at RCV.NXT during TIME-WAIT ends the wait early, and the outcome stays normal") {
    // RFC 9293 3.10.7.4 (TIME-WAIT, RST): enter CLOSED, delete the TCB - no "connection reset"
    // for the user, whose streams were complete and acknowledged (Linux without tcp_rfc1337 does
    // the same). The client is in TIME-WAIT from 0.0605 s to 2.0605 s; its RCV.NXT is 5202
    // (the server's ISS 5000 + SYN + 200 bytes + FIN). A raw RST from server:5555 at 1 s.
    Json doc = shipped("handshake");
    doc["applications"].push_back({{"type", "segments"}, {"node", "server"},
                                   {"segments", {{{"at", "1s"}, {"to", "client"}, {"sport", 5555}, {"dport", 49152},
                                                  {"flags", "R"}, {"seq", 5202}}}}});
    Run r = run(doc);
    int64_t arrival = -1;
    for (const auto& e : events(r, "deliver", "client"))
        if (has_flag(e, 'R')) arrival = t_ns(e);
    REQUIRE(arrival > 1 * kS);
    CHECK(state_path(r, "client") == "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    Json closed = closed_event(r, "client");
    CHECK(t_ns(closed) == arrival);
    CHECK(closed["reason"] == "normal");
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["streams_intact"] == true);
}

TEST_CASE("handshake: the 100-byte request and the 200-byte response arrive intact") {
    Run r = run(shipped("handshake"));
    CHECK(r.app()["streams_intact"] == true);
    CHECK(r.app()["server"]["bytes_received"] == 100);
    CHECK(r.app()["client"]["bytes_received"] == 200);
    CHECK(r.app()["client"]["stream_errors"] == 0);
    CHECK(r.app()["server"]["stream_errors"] == 0);
}

// ---------------------------------------------------------------- syn-timeout.json

namespace {
std::vector<int64_t> syn_times(const Run& r) {
    std::vector<int64_t> out;
    for (const auto& e : events(r, "send", "client"))
        if (has_flag(e, 'S')) out.push_back(t_ns(e));
    return out;
}
}  // namespace

TEST_CASE("syn-timeout: SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s and connection timed out at 131 s") {
    // Linux (tcp_syn_linear_timeouts 4): the first four expiries keep the 1 s initial RTO, later
    // ones double it: SYNs at 0, 1, 2, 3, 4, then +1 (the fifth expiry doubles to 2 s) 5, 7, 11,
    // 19, 35, 67. Giving up is time-based: the first expiry at or past 1+2+...+64 = 127 s after
    // the first SYN (tcp_syn_retries 6), the one 64 s after 67: 131 s.
    Run r = run(shipped("syn-timeout"));
    std::vector<int64_t> expected{0, 1 * kS, 2 * kS, 3 * kS, 4 * kS, 5 * kS, 7 * kS, 11 * kS, 19 * kS, 35 * kS, 67 * kS};
    CHECK(syn_times(r) == expected);
    Json closed = closed_event(r, "client");
    CHECK(closed["reason"] == "connection timed out");
    CHECK(t_ns(closed) == 131 * kS);
    CHECK(r.app()["client"]["outcome"] == "connection timed out");
    CHECK(r.app()["client"]["syn_retransmissions"] == 10);
    CHECK(r.app()["server"]["outcome"] == "never opened");
}

TEST_CASE("syn-timeout with syn_retries 3: SYNs at 0, 1, 2, 3, 4, 5, 7, 11 s and the timeout at 19 s") {
    // Measured on Linux 6.18 with tcp_syn_retries 3: the budget is 1+2+4+8 = 15 s; the expiries
    // at 11 s (before it) and 19 s (the first past it).
    Json doc = shipped("syn-timeout");
    doc["tcp"] = {{"syn_retries", 3}};
    Run r = run(doc);
    std::vector<int64_t> expected{0, 1 * kS, 2 * kS, 3 * kS, 4 * kS, 5 * kS, 7 * kS, 11 * kS};
    CHECK(syn_times(r) == expected);
    Json closed = closed_event(r, "client");
    CHECK(t_ns(closed) == 19 * kS);
    // Without the linear timeouts Linux backs off from the first expiry and gives up at the
    // budget itself: SYNs at 0, 1, 3, 7, the failure at 15 s (as the rfc profile).
    doc["tcp"]["syn_linear_timeouts"] = 0;
    Run exp = run(doc);
    CHECK(syn_times(exp) == std::vector<int64_t>{0, 1 * kS, 3 * kS, 7 * kS});
    CHECK(t_ns(closed_event(exp, "client")) == 15 * kS);
}

TEST_CASE("syn-timeout-rfc: SYNs at 0, 1, 3, 7, 15, 31, 63 s and connection timed out at 127 s") {
    // RFC 6298 (2.1) initial RTO 1 s, (5.5) doubled on each expiry: 1, 2, 4, 8, 16, 32 s between
    // the 7 SYNs (6 retries); the 7th expiry, 64 s after the last SYN, gives up: 63 + 64 = 127 s.
    Run r = run(shipped("syn-timeout-rfc"));
    std::vector<int64_t> expected{0, 1 * kS, 3 * kS, 7 * kS, 15 * kS, 31 * kS, 63 * kS};
    CHECK(syn_times(r) == expected);
    Json closed = closed_event(r, "client");
    CHECK(closed["reason"] == "connection timed out");
    CHECK(t_ns(closed) == 127 * kS);
    CHECK(r.app()["client"]["outcome"] == "connection timed out");
    CHECK(r.app()["client"]["syn_retransmissions"] == 6);
}

TEST_CASE("syn-timeout-rfc with syn_retries 2: SYNs at 0, 1, 3 s and the timeout at 7 s") {
    // Two retries: SYNs at 0, 0+1, 1+2; the third expiry comes 4 s after the last: 3 + 4 = 7 s.
    Json doc = shipped("syn-timeout-rfc");
    doc["tcp"]["syn_retries"] = 2;
    Run r = run(doc);
    std::vector<int64_t> expected{0, 1 * kS, 3 * kS};
    CHECK(syn_times(r) == expected);
    Json closed = closed_event(r, "client");
    CHECK(closed["reason"] == "connection timed out");
    CHECK(t_ns(closed) == 7 * kS);
    CHECK(r.result.end_time.ns() == 7 * kS);
}

// ---------------------------------------------------------------- keepalive-dead-peer.json

namespace {
struct KeepaliveRun {
    Run r;
    int64_t t0 = -1;       // the last segment the client received before the outage
    uint32_t iss = 0;      // the client's ISS (its SYN's seq)
    std::vector<Json> probes, rsts;
};

KeepaliveRun dead_peer(const Json& doc) {
    KeepaliveRun k{run(doc), -1, 0, {}, {}};
    constexpr int64_t kOutage = 5 * kS;  // the scenario's link goes down at 5 s
    for (const auto& e : events(k.r, "deliver", "client"))
        if (t_ns(e) < kOutage) k.t0 = t_ns(e);
    auto sends = events(k.r, "send", "client");
    REQUIRE(!sends.empty());
    k.iss = u32(sends[0]["seq"]);
    for (const auto& e : sends) {
        if (t_ns(e) <= k.t0) continue;
        if (has_flag(e, 'R')) k.rsts.push_back(e);
        else k.probes.push_back(e);
    }
    return k;
}
}  // namespace

TEST_CASE("keepalive-dead-peer: 10 probes from T0+10 s every 2 s, then keepalive timeout at T0+30 s with RST") {
    // RFC 1122 4.2.3.6 with the scenario's idle 10 s, interval 2 s, count 10. T0 is the SYN-ACK's
    // arrival (the last segment the client received). Probe k (0-based) at T0 + 10 + 2k s; the
    // expiry after the 10th probe, T0 + 10 + 10*2 = T0 + 30 s, gives up and sends RST.
    KeepaliveRun k = dead_peer(shipped("keepalive-dead-peer"));
    REQUIRE(k.t0 > 0);
    REQUIRE(k.probes.size() == 10);
    for (size_t i = 0; i < k.probes.size(); ++i) {
        INFO("probe ", i);
        CHECK(t_ns(k.probes[i]) == k.t0 + 10 * kS + static_cast<int64_t>(i) * 2 * kS);
        // SEG.SEQ = SND.NXT - 1 = ISS (no data was sent), no payload.
        CHECK(u32(k.probes[i]["seq"]) == k.iss);
        CHECK(k.probes[i]["len"] == 0);
        CHECK(k.probes[i]["flags"] == ".");
    }
    Json closed = closed_event(k.r, "client");
    CHECK(closed["reason"] == "keepalive timeout");
    CHECK(t_ns(closed) == k.t0 + 10 * kS + 10 * 2 * kS);
    REQUIRE(k.rsts.size() == 1);
    CHECK(t_ns(k.rsts[0]) == k.t0 + 30 * kS);
    CHECK(u32(k.rsts[0]["seq"]) == k.iss + 1);  // SND.NXT
    // Like every other segment of the connection (Linux, measured): the receive window and the
    // timestamp option, TSval 2 s on from the last probe's.
    CHECK(k.rsts[0]["win"] == k.probes.back()["win"]);
    CHECK(k.rsts[0]["win"].get<uint32_t>() > 0);
    REQUIRE(k.rsts[0].contains("options"));
    REQUIRE(k.rsts[0]["options"].contains("ts"));
    CHECK(u32(k.rsts[0]["options"]["ts"][0]) == u32(k.probes.back()["options"]["ts"][0]) + 2000);
    CHECK(k.r.app()["client"]["outcome"] == "keepalive timeout");
    CHECK(k.r.app()["client"]["keepalive_probes"] == 10);
}

TEST_CASE("keepalive-dead-peer with send_rst false: the same timeout, no RST") {
    Json doc = shipped("keepalive-dead-peer");
    doc["applications"][0]["tcp"]["keepalive"]["send_rst"] = false;
    KeepaliveRun k = dead_peer(doc);
    CHECK(k.probes.size() == 10);
    CHECK(k.rsts.empty());
    Json closed = closed_event(k.r, "client");
    CHECK(closed["reason"] == "keepalive timeout");
    CHECK(t_ns(closed) == k.t0 + 30 * kS);
}

// ---------------------------------------------------------------- keepalive-alive-peer.json

TEST_CASE("keepalive-alive-peer: every probe is ACKed, the idle clock restarts, 5 probes until the close at 60 s") {
    // Each probe's ACK restarts the idle time: probe k+1 goes exactly 10 s after that ACK
    // arrived. Probes near 10, 20, 30, 40, 50 s (each one round trip later than 10 s steps):
    // five before the client closes at 60 s.
    Run r = run(shipped("keepalive-alive-peer"));
    auto sends = events(r, "send", "client");
    REQUIRE(!sends.empty());
    uint32_t iss = u32(sends[0]["seq"]);
    std::vector<Json> probes;
    for (const auto& e : sends)
        if (u32(e["seq"]) == iss && !has_flag(e, 'S')) probes.push_back(e);
    REQUIRE(probes.size() == 5);
    auto server_sends = events(r, "send", "server");
    auto client_delivers = events(r, "deliver", "client");
    int64_t previous_ack_arrival = -1;
    for (size_t i = 0; i < probes.size(); ++i) {
        INFO("probe ", i);
        int64_t tp = t_ns(probes[i]);
        CHECK(probes[i]["len"] == 0);
        if (previous_ack_arrival >= 0) CHECK(tp == previous_ack_arrival + 10 * kS);
        // The server's next segment is a pure ACK of SND.NXT = ISS + 1.
        const Json* answer = nullptr;
        for (const auto& e : server_sends)
            if (t_ns(e) > tp) {
                answer = &e;
                break;
            }
        REQUIRE(answer != nullptr);
        CHECK((*answer)["flags"] == ".");
        CHECK((*answer)["len"] == 0);
        CHECK(u32((*answer)["ack"]) == iss + 1);
        CHECK(t_ns(*answer) < tp + 2 * kS);  // before the next probe would be due
        for (const auto& d : client_delivers)
            if (d["pkt"] == (*answer)["pkt"]) previous_ack_arrival = t_ns(d);
    }
    // Up until the close: ESTABLISHED without a break, FIN-WAIT-1 at exactly 60 s.
    CHECK(entered(r, "client", "FIN-WAIT-1") == 60 * kS);
    CHECK(state_path(r, "client") == "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    CHECK(t_ns(closed_event(r, "client")) > 60 * kS);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
    CHECK(r.app()["client"]["keepalive_probes"] == 5);
    CHECK(r.result.reason == StopReason::all_finished);
}

// ---------------------------------------------------------------- rto-backoff.json

TEST_CASE("rto-backoff: during the outage each RTO retransmission comes twice as long after the previous one") {
    // RFC 6298 (5.5): the timer doubles on every expiry. The outage (1 s - 6 s) blackholes the
    // segment at SND.UNA again and again; its retransmissions are spaced RTO, 2 RTO, 4 RTO, ...
    // until one gets through after 6 s; then the transfer completes.
    Run r = run(shipped("rto-backoff"));
    std::vector<int64_t> times;
    uint32_t first_seq = 0;
    for (const auto& e : events(r, "send", "client")) {
        if (!e.contains("retransmission")) continue;
        if (times.empty()) first_seq = u32(e["seq"]);
        if (u32(e["seq"]) == first_seq) times.push_back(t_ns(e));
    }
    REQUIRE(times.size() >= 4);
    CHECK(times.front() > 1 * kS);     // the first expiry comes after the link went down
    CHECK(times[times.size() - 2] < 6 * kS);  // all but the last are inside the outage
    CHECK(times.back() > 6 * kS);      // the last one is after it, and gets through
    for (size_t i = 2; i < times.size(); ++i) {
        INFO("gap ", i);
        CHECK(times[i] - times[i - 1] == 2 * (times[i - 1] - times[i - 2]));
    }
    CHECK(r.result.reason == StopReason::all_finished);
    CHECK(r.app()["streams_intact"] == true);
    CHECK(r.app()["server"]["bytes_received"] == 4'000'000);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
}

TEST_CASE("rto-backoff: the repeated timeouts of the outage hold ssthresh where the first one set it") {
    // RFC 5681 3.1: when a segment the timer already retransmitted times out again, ssthresh is
    // held constant. The first expiry (1.194 s) sets it from the flight; the four after it, with
    // one segment in flight, would otherwise bring it down to 2*SMSS and leave the transfer
    // crawling in congestion avoidance after the outage.
    Run r = run(shipped("rto-backoff"), TraceLevel::all);
    std::vector<int64_t> rto_times;
    for (const auto& e : events(r, "tcp", "client"))
        if (e["what"] == "rto") rto_times.push_back(t_ns(e));
    REQUIRE(rto_times.size() == 5);
    uint64_t after_first = 0;
    bool seen_first = false;
    for (const auto& e : events(r, "cc", "client")) {
        if (t_ns(e) < rto_times.front() || t_ns(e) > 6 * kS) continue;
        REQUIRE(e["ssthresh"].is_number());
        if (!seen_first) {
            seen_first = true;
            after_first = e["ssthresh"].get<uint64_t>();
            // CUBIC: beta 0.7 of the window at the first timeout, far above 2*SMSS.
            CHECK(after_first > 100'000);
        }
        INFO("cc record at ", e["t"].dump());
        CHECK(e["ssthresh"].get<uint64_t>() == after_first);
        CHECK(e["cwnd"].get<uint64_t>() == 1448);  // the loss window throughout
    }
    CHECK(seen_first);
}
