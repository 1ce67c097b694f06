// Small TCP scenarios written in the test and read back from their JSON trace: resets for closed
// ports, the retransmission limit, abort, completion with a reply, the timestamp clock, a lossy
// path with timestamps, half-close and request/response.
// Expected numbers are worked out in the comments from the RFCs and the scenario, not copied
// from a run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "scenario_run.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

// ---------------------------------------------------------------- closed ports

TEST_CASE("a SYN to a port nobody listens on is answered with RST seq 0, ack SYN+1") {
    // RFC 9293 3.10.7.1 (CLOSED): the segment has no ACK, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
    // <CTL=RST,ACK>, where the SYN counts 1.
    Json doc = two_hosts("syn-closed-port", "1s");
    doc["applications"].push_back({{"type", "segments"}, {"node", "client"},
                                   {"segments", {{{"at", "0ms"}, {"to", "server"}, {"sport", 40000}, {"dport", 7777},
                                                  {"flags", "S"}, {"seq", 123456}, {"options", {{"mss", 1460}}}}}}});
    Run r = run(doc);
    auto replies = events(r, "send", "server");
    REQUIRE(replies.size() == 1);
    CHECK(replies[0]["flags"] == "R.");
    CHECK(u32(replies[0]["seq"]) == 0);
    CHECK(u32(replies[0]["ack"]) == 123457);
    CHECK(replies[0]["sport"] == 7777);
    CHECK(replies[0]["dport"] == 40000);
    CHECK(replies[0]["len"] == 0);
    // The RST reaches the client, whose stack does not answer a RST.
    CHECK(events(r, "send", "client").size() == 1);
    CHECK(events(r, "deliver", "client").size() == 1);
}

TEST_CASE("a listening port takes the connection, an ACK to a closed port gets RST seq = its ACK") {
    // RFC 9293 3.10.7.1: a segment with ACK is answered <SEQ=SEG.ACK><CTL=RST> (no ACK flag).
    Json doc = two_hosts("ack-closed-port");
    doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"port", 5555}, {"bytes", 20000}});
    doc["applications"].push_back({{"type", "segments"}, {"node", "client"},
                                   {"segments", {{{"at", "100ms"}, {"to", "server"}, {"sport", 40001}, {"dport", 6000},
                                                  {"flags", "."}, {"seq", 77}, {"ack", 987654321}}}}});
    Run r = run(doc);
    std::vector<Json> rsts;
    for (const auto& e : events(r, "send", "server"))
        if (has_flag(e, 'R')) rsts.push_back(e);
    REQUIRE(rsts.size() == 1);
    CHECK(rsts[0]["flags"] == "R");
    CHECK(u32(rsts[0]["seq"]) == 987654321u);
    CHECK(rsts[0]["dport"] == 40001);
    CHECK(rsts[0]["sport"] == 6000);
    // The bulk connection to the listening port is untouched by it.
    CHECK(r.result.reason == StopReason::all_finished);
    CHECK(r.app()["streams_intact"] == true);
    CHECK(r.app()["server"]["bytes_received"] == 20000);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
}

// ---------------------------------------------------------------- retransmission limit

TEST_CASE("a link that dies for good mid-transfer ends the transfer with retransmission limit after data_retries") {
    // data_retries 4: four RTO retransmissions of SND.UNA's segment, each one RTO after the
    // previous with the RTO doubling (RFC 6298 5.5); the fifth expiry, one doubled RTO after the
    // fourth retransmission, gives up. (A tail loss probe, the last segment sent again, comes
    // before the first; it is not counted.)
    Json doc = two_hosts("retransmission-limit", "300s");
    doc["links"][0]["outages"] = {{{"from", "500ms"}}};
    doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"bytes", "4MB"},
                                   {"tcp", {{"data_retries", 4}}}});
    Run r = run(doc, TraceLevel::all);  // with the timer notes ("tlp", "rto")
    CHECK(r.app()["client"]["outcome"] == "retransmission limit");
    CHECK(r.app()["client"]["rto_expirations"] == 4);
    CHECK(r.app()["streams_intact"] == false);  // the server got only a part of it
    CHECK(r.app()["server"]["stream_errors"] == 0);
    CHECK(r.app()["client"]["stream_errors"] == 0);
    std::vector<int64_t> times;
    uint32_t first_seq = 0;
    std::set<int64_t> probes;
    for (const auto& e : events(r, "tcp", "client"))
        if (e["what"] == "tlp") probes.insert(t_ns(e));
    CHECK(probes.size() == 1);
    for (const auto& e : events(r, "send", "client")) {
        if (!e.contains("retransmission") || t_ns(e) < 500 * kMs || probes.count(t_ns(e))) continue;
        if (times.empty()) first_seq = u32(e["seq"]);
        if (u32(e["seq"]) == first_seq) times.push_back(t_ns(e));
    }
    REQUIRE(times.size() == 4);
    for (size_t i = 2; i < times.size(); ++i) CHECK(times[i] - times[i - 1] == 2 * (times[i - 1] - times[i - 2]));
    Json closed = closed_event(r, "client");
    CHECK(closed["reason"] == "retransmission limit");
    CHECK(t_ns(closed) == times[3] + 2 * (times[3] - times[2]));
    CHECK(r.result.reason != StopReason::event_budget);
}

// ---------------------------------------------------------------- abort

TEST_CASE("a client that aborts mid-transfer sends RST at SND.NXT, the server's outcome is reset") {
    // RFC 9293 3.10.5: ABORT in ESTABLISHED sends <SEQ=SND.NXT><CTL=RST>. The link is FIFO and
    // clean, so the RST arrives right behind the last data segment, at the server's RCV.NXT,
    // and resets the connection (RFC 5961 3.2).
    Json doc = two_hosts("abort");
    doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"bytes", "4MB"}, {"abort_at", "300ms"}});
    Run r = run(doc);
    std::vector<Json> rsts;
    uint32_t snd_nxt = 0;
    for (const auto& e : events(r, "send", "client")) {
        if (has_flag(e, 'R')) {
            rsts.push_back(e);
            continue;
        }
        if (rsts.empty() && !has_flag(e, 'S')) snd_nxt = u32(e["seq"]) + e["len"].get<uint32_t>();
    }
    REQUIRE(!rsts.empty());
    CHECK(t_ns(rsts[0]) == 300 * kMs);
    CHECK(u32(rsts[0]["seq"]) == snd_nxt);
    Json closed = closed_event(r, "client");
    CHECK(closed["reason"] == "aborted");
    CHECK(t_ns(closed) == 300 * kMs);
    CHECK(r.app()["client"]["outcome"] == "aborted");
    CHECK(r.app()["server"]["outcome"] == "reset");
    CHECK(closed_event(r, "server")["reason"] == "reset");
    CHECK(r.app()["server"]["stream_errors"] == 0);
    CHECK(r.app()["server"]["bytes_received"].get<uint64_t>() < 4'000'000);
    CHECK(r.app()["server"]["bytes_received"].get<uint64_t>() > 0);
    CHECK(r.result.reason == StopReason::all_finished);
}

TEST_CASE("a bulk transfer with a reply is complete only once the reply has arrived too") {
    // 100 KB up (0.1 s at 10 Mbit/s), then a 5 MB reply (about 4 s); the client aborts at 2 s,
    // with the upload long complete and the reply half-way: the application never completed,
    // and the summary says so (no completed_at) as it says the streams are not intact.
    Json doc = two_hosts("reply-cut");
    doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"bytes", 100000},
                                   {"reply_bytes", 5000000}, {"abort_at", "2s"}});
    Run r = run(doc);
    CHECK(r.app()["server"]["bytes_received"] == 100000);
    CHECK(r.app()["client"]["bytes_received"].get<uint64_t>() < 5000000);
    CHECK(r.app()["streams_intact"] == false);
    CHECK_FALSE(r.app().contains("completed_at"));
    // Without the abort the same transfer completes when the reply's last byte arrives.
    doc["applications"][0].erase("abort_at");
    Run whole = run(doc);
    REQUIRE(whole.app().contains("completed_at"));
    CHECK(whole.app()["streams_intact"] == true);
    double reply_done = 0;
    for (const auto& e : events(whole, "deliver", "client"))
        if (e["len"].get<uint64_t>() > 0) reply_done = e["t"].get<double>();
    CHECK(whole.app()["completed_at"].get<double>() == reply_done);
}

TEST_CASE("each connection's timestamp clock starts at an offset of its own, not at its ISN") {
    // Linux starts a connection's TS clock at a random offset; tcpsim draws it from the
    // connection's random stream (after its ISS). Two connections with the same fixed ISN, at
    // the same time, from different ports: their first TSvals differ, and neither is the ISN.
    Json doc = two_hosts("ts-offset", "5s");
    doc["tcp"]["isn"] = 1000;
    for (int port : {40001, 40002})
        doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"sport", port}, {"bytes", 1000}});
    Run r = run(doc);
    std::vector<uint32_t> syn_tsval;
    for (const auto& e : events(r, "send", "client"))
        if (e["flags"] == "S") syn_tsval.push_back(u32(e["options"]["ts"][0]));
    REQUIRE(syn_tsval.size() == 2);
    CHECK(syn_tsval[0] != syn_tsval[1]);
    CHECK(syn_tsval[0] != 1000);
    CHECK(syn_tsval[1] != 1000);
    // The same scenario again: the same offsets (they come from the seed).
    Run again = run(doc);
    std::vector<uint32_t> again_tsval;
    for (const auto& e : events(again, "send", "client"))
        if (e["flags"] == "S") again_tsval.push_back(u32(e["options"]["ts"][0]));
    CHECK(again_tsval == syn_tsval);
}

TEST_CASE("abort sends its RST with the connection's window and timestamp option") {
    Json doc = two_hosts("abort-rst", "5s");
    doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"abort_at", "1s"}});
    Run r = run(doc);
    std::vector<Json> rsts;
    // (The RSTs after it are the stack's answers to segments still arriving for the connection:
    // those, RFC 9293 3.10.7.1, carry no options.)
    for (const auto& e : events(r, "send", "client"))
        if (has_flag(e, 'R') && t_ns(e) == 1 * kS) rsts.push_back(e);
    REQUIRE(rsts.size() == 1);
    CHECK(rsts[0]["flags"] == "R.");
    CHECK(rsts[0]["win"].get<uint32_t>() > 0);
    REQUIRE(rsts[0]["options"].contains("ts"));
}

TEST_CASE("a lossy path with timestamps: the transfer takes about as long as without, and srtt stays near the path's RTT") {
    // 15% loss one way, 30% the other, 20 ms RTT: ACKs of data are lost often and timeouts resend
    // data the receiver already holds. Its answers echo the retransmissions' timestamps, so no
    // RTT sample holds a timeout: srtt ends near 20 ms, and timestamps do not slow the transfer
    // (they were 18x slower for seed 6 when the echo was the original's).
    for (int seed = 1; seed <= 10; ++seed) {
        INFO("seed ", seed);
        Json doc = Json::parse(R"({"name": "rtt-inflation", "duration": "1800s",
            "tcp": {"timestamps": true, "msl": "500ms"},
            "nodes": [{"name": "client"}, {"name": "server"}],
            "links": [{"between": ["client", "server"], "bandwidth": "10Mbps", "delay": "10ms",
                       "forward": {"loss": 0.15}, "reverse": {"loss": 0.3}}],
            "applications": [{"type": "bulk", "from": "client", "to": "server", "bytes": 200000}]})");
        doc["seed"] = seed;
        Run with = run(doc);
        doc["tcp"]["timestamps"] = false;
        Run without = run(doc);
        REQUIRE(with.app().contains("completed_at"));
        REQUIRE(without.app().contains("completed_at"));
        CHECK(with.app()["completed_at"].get<double>() <= 2 * without.app()["completed_at"].get<double>());
        // srtt may start high (a SYN-ACK lost: the first sample holds its 1 s timeout), but no
        // later sample of the data phase holds a timeout: none raises srtt to 0.35 s. (With 30%
        // of the ACKs lost a sample can still include the wait for the next ACK that gets through,
        // as Linux's would; a timeout in it would add at least the 1 s initial RTO or a backed-off
        // RTO. At the close, a FIN the peer retransmits on its own timer acknowledges ours while
        // echoing our FIN's timestamp from before that timeout, a sample RFC 7323 cannot tell
        // apart: the check ends at our FIN.)
        double fin_at = 1e9;
        for (const auto& e : events(with, "send", "client"))
            if (has_flag(e, 'F')) fin_at = std::min(fin_at, e["t"].get<double>());
        double last = 0, highest_rise = 0;
        int changes = 0;
        for (const auto& e : events(with, "cc", "client")) {
            if (e["t"].get<double>() >= fin_at) break;
            double srtt = e["srtt"].get<double>();
            if (last > 0 && srtt > last) highest_rise = std::max(highest_rise, srtt);
            if (srtt > 0 && srtt != last) ++changes;
            if (srtt > 0) last = srtt;
        }
        CHECK(changes >= 5);
        CHECK(highest_rise < 0.35);
    }
}

// ---------------------------------------------------------------- half-close

TEST_CASE("half-close: the server's reply after the client's FIN arrives while the client is in FIN-WAIT-2") {
    // RFC 9293 3.6: after its FIN is acknowledged the client is in FIN-WAIT-2 and still receives
    // (only its own direction is closed); the server's FIN after the reply takes it to TIME-WAIT.
    Json doc = two_hosts("half-close");
    doc["applications"].push_back({{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"bytes", 50000}, {"reply_bytes", 30000}});
    Run r = run(doc);
    CHECK(state_path(r, "client") == "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    CHECK(state_path(r, "server") == "CLOSED LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
    int64_t fw2 = entered(r, "client", "FIN-WAIT-2"), tw = entered(r, "client", "TIME-WAIT");
    uint64_t reply = 0;
    for (const auto& e : events(r, "deliver", "client")) {
        uint64_t len = e["len"].get<uint64_t>();
        if (len == 0) continue;
        INFO("reply segment at ", t_ns(e));
        CHECK(t_ns(e) >= fw2);  // the first reply segment acknowledges the client's FIN
        CHECK(t_ns(e) <= tw);
        reply += len;
    }
    CHECK(reply == 30000);
    CHECK(r.result.reason == StopReason::all_finished);
    CHECK(r.app()["streams_intact"] == true);
    CHECK(r.app()["server"]["bytes_received"] == 50000);
    CHECK(r.app()["client"]["bytes_received"] == 30000);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
    CHECK(r.app().contains("completed_at"));
}

// ---------------------------------------------------------------- request/response

TEST_CASE("request_response: 3 requests with 200 ms think time, 3 x 5000 response bytes") {
    // Request k+1 leaves exactly `think` after the last byte of response k arrived (Nagle does
    // not hold it: the previous request is acknowledged by the response itself).
    Json doc = two_hosts("request-response");
    doc["applications"].push_back({{"type", "request_response"}, {"from", "client"}, {"to", "server"},
                                   {"request", 100}, {"response", 5000}, {"count", 3}, {"think", "200ms"}});
    Run r = run(doc);
    CHECK(r.result.reason == StopReason::all_finished);
    CHECK(r.app()["streams_intact"] == true);
    CHECK(r.app()["client"]["bytes_received"] == 15000);
    CHECK(r.app()["server"]["bytes_received"] == 300);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
    std::vector<int64_t> requests, responses_done;
    for (const auto& e : events(r, "send", "client"))
        if (e["len"].get<uint64_t>() > 0) requests.push_back(t_ns(e));
    uint64_t got = 0;
    for (const auto& e : events(r, "deliver", "client")) {
        got += e["len"].get<uint64_t>();
        if (e["len"].get<uint64_t>() > 0 && got % 5000 == 0) responses_done.push_back(t_ns(e));
    }
    REQUIRE(requests.size() == 3);
    REQUIRE(responses_done.size() == 3);
    CHECK(requests[1] == responses_done[0] + 200 * kMs);
    CHECK(requests[2] == responses_done[1] + 200 * kMs);
    CHECK(entered(r, "client", "FIN-WAIT-1") == responses_done[2]);  // closes after the last
}
