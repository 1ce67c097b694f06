// The "calls" application: each side's program as a timed list of socket calls (write, read,
// shutdown, close, abort, TCP_NODELAY, TCP_CORK), run as whole scenarios and read back from the
// trace. Two hosts 10 ms apart at 10 Mbit/s (two_hosts); timestamps are on, so a segment's wire
// size is 20 (IP) + 20 (TCP) + 12 (timestamp option) + payload bytes, and it takes 8 x that / 10^7 s
// to serialize. The handshake: SYN (60 bytes, 48 us) at 0, SYN-ACK at 10.048 ms, the client is
// ESTABLISHED at 20.096 ms. Expected numbers are worked out in the comments, not copied from a run.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "scenario_run.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

constexpr int64_t kUs = 1000;

// A scenario with one calls application from client to server (null: that side has no list).
Json calls_scenario(const std::string& name, const Json& client, const Json& server, const std::string& duration = "20s") {
    Json doc = two_hosts(name, duration);
    Json app = {{"type", "calls"}, {"from", "client"}, {"to", "server"}, {"port", 5555}};
    if (!client.is_null()) app["client"] = client;
    if (!server.is_null()) app["server"] = server;
    doc["applications"].push_back(app);
    return doc;
}

// Segments a node sent with payload, in order.
std::vector<Json> data_segments(const Run& r, const std::string& node) {
    std::vector<Json> out;
    for (const auto& e : events(r, "send", node))
        if (e["len"].get<uint64_t>() > 0) out.push_back(e);
    return out;
}

// The first segment `node` sent with flag `f` (FAIL if none).
Json first_with(const Run& r, const std::string& node, char f) {
    for (const auto& e : events(r, "send", node))
        if (has_flag(e, f)) return e;
    FAIL("no segment with ", f, " from ", node);
    return Json();
}

// The "call" records of `node`: what its program did, as "T_NS text".
std::vector<std::string> calls_made(const Run& r, const std::string& node) {
    std::vector<std::string> out;
    for (const auto& e : events(r, "app", node))
        if (e["event"] == "call") out.push_back(std::to_string(t_ns(e)) + " " + e["call"].get<std::string>());
    return out;
}

// The highest acknowledgment `node` sent before `before_ns`, as an offset from `base` (the peer's
// first data sequence number): how much of the peer's stream it had taken in by then.
uint64_t acked_before(const Run& r, const std::string& node, int64_t before_ns, uint32_t base) {
    uint64_t most = 0;
    for (const auto& e : events(r, "send", node))
        if (t_ns(e) < before_ns && has_flag(e, '.')) most = std::max<uint64_t>(most, u32(e["ack"]) - base);
    return most;
}

}  // namespace

TEST_CASE("calls: with TCP_NODELAY, twenty 200-byte writes 100 ms apart leave as twenty 200-byte segments at those times") {
    // Each write goes out when it is made: nothing holds it (no Nagle), and the window (the
    // server's 1 MiB buffer) and cwnd (10 segments) are open. The ACK of each is back 60 ms later
    // at most (10 ms there, 40 ms delayed ACK, 10 ms back), before the next write.
    Json doc = calls_scenario("calls-nodelay",
                              {{{"at", "0s"}, {"nodelay", true}},
                               {{"at", "100ms"}, {"write", 200}, {"repeat", 20}, {"every", "100ms"}}},
                              nullptr);
    Run r = run(doc);
    auto data = data_segments(r, "client");
    REQUIRE(data.size() == 20);
    uint32_t seq = u32(data[0]["seq"]);
    for (size_t k = 0; k < data.size(); ++k) {
        CHECK(t_ns(data[k]) == 100 * kMs + static_cast<int64_t>(k) * 100 * kMs);
        CHECK(data[k]["len"] == 200);
        CHECK(u32(data[k]["seq"]) == seq + 200 * k);
    }
    // The trace says what the program did, and when: the option once connected, then each write.
    auto calls = calls_made(r, "client");
    REQUIRE(calls.size() == 21);
    CHECK(calls[0] == std::to_string(entered(r, "client", "ESTABLISHED")) + " nodelay on");
    CHECK(calls[1] == std::to_string(100 * kMs) + " write 200");
    CHECK(calls[20] == std::to_string(2000 * kMs) + " write 200");
    CHECK(r.app()["type"] == "calls");
    CHECK(r.app()["client"]["bytes_written"] == 4000);
    CHECK(r.app()["server"]["bytes_received"] == 4000);
    CHECK(r.app()["server"]["bytes_read"] == 4000);
    CHECK(r.app()["streams_intact"] == true);
}

TEST_CASE("calls: with Nagle, writes made while data is unacknowledged wait and leave together") {
    // Twenty 100-byte writes 5 ms apart from 100 ms; the server ACKs at once (no delayed ACK).
    // The first write finds nothing in flight and leaves at 100 ms. Nagle (RFC 896) holds the next
    // ones until it is acknowledged: 152 bytes take 121.6 us, +10 ms, the server's 52-byte ACK
    // 41.6 us, +10 ms: back at 120.1632 ms, when the writes of 105, 110, 115 and 120 ms (400
    // bytes) leave as one segment. With TCP_NODELAY the same writes are twenty segments.
    Json writes = {{{"at", "100ms"}, {"write", 100}, {"repeat", 20}, {"every", "5ms"}}};
    Json doc = calls_scenario("calls-nagle", writes, nullptr);
    doc["applications"][0]["server_tcp"] = {{"delayed_ack", false}};
    Run nagle = run(doc);
    auto data = data_segments(nagle, "client");
    REQUIRE(data.size() >= 2);
    CHECK(t_ns(data[0]) == 100 * kMs);
    CHECK(data[0]["len"] == 100);
    CHECK(t_ns(data[1]) == 120 * kMs + 163200);
    CHECK(data[1]["len"] == 400);
    CHECK(data.size() < 20);
    CHECK(nagle.app()["server"]["bytes_received"] == 2000);
    CHECK(nagle.app()["streams_intact"] == true);

    doc["applications"][0]["client"].push_back({{"at", "0s"}, {"nodelay", true}});
    Run nodelay = run(doc);
    auto each = data_segments(nodelay, "client");
    REQUIRE(each.size() == 20);
    for (size_t k = 0; k < each.size(); ++k) {
        CHECK(t_ns(each[k]) == 100 * kMs + static_cast<int64_t>(k) * 5 * kMs);
        CHECK(each[k]["len"] == 100);
    }
}

TEST_CASE("calls: a server that does not read closes the client's window, and each read reopens it") {
    // The server runs the rfc profile (RFC 1122's receive window: the free buffer, updates worth
    // a segment). Its 16 KiB receive buffer is advertised whole in the SYN-ACK (16384 < 65535: no
    // window scaling). Its program reads nothing until 3 s: what arrives stays in the buffer, the
    // window's right edge does not move, and the server takes in exactly 16384 bytes of the
    // client's 100000, then advertises win 0 (the client probes it). At 3 s it reads 4096 bytes:
    // the window opens by 4096 at once (worth a segment: RFC 1122 4.2.3.3), and 4096 more bytes come
    // in before it closes again. At 5 s it reads everything, from then on as it arrives.
    Json doc = calls_scenario("calls-zero-window", {{{"at", "100ms"}, {"write", 100000}}},
                              {{{"at", "3s"}, {"read", 4096}}, {{"at", "5s"}, {"read", "all"}}});
    doc["nodes"][1]["tcp"] = {{"profile", "rfc"}, {"receive_buffer", 16384}};
    Run r = run(doc);
    uint32_t base = u32(data_segments(r, "client").at(0)["seq"]);
    CHECK(acked_before(r, "server", 3 * kS, base) == 16384);
    bool zero_before_3s = false;
    for (const auto& e : events(r, "send", "server"))
        if (t_ns(e) < 3 * kS && e["win"] == 0) zero_before_3s = true;
    CHECK(zero_before_3s);
    CHECK(r.app()["client"]["zero_window_probes"].get<int>() >= 1);
    // The reads' window updates, at the reads' times.
    int64_t opened_at_3s = -1, opened_at_5s = -1;
    for (const auto& e : events(r, "send", "server")) {
        if (t_ns(e) == 3 * kS && opened_at_3s < 0) opened_at_3s = e["win"].get<int64_t>();
        if (t_ns(e) == 5 * kS && opened_at_5s < 0) opened_at_5s = e["win"].get<int64_t>();
    }
    CHECK(opened_at_3s == 4096);
    CHECK(acked_before(r, "server", 5 * kS, base) == 16384 + 4096);
    CHECK(opened_at_5s == 16384);
    CHECK(r.app()["server"]["bytes_received"] == 100000);
    CHECK(r.app()["server"]["bytes_read"] == 100000);
    CHECK(r.app()["streams_intact"] == true);
    CHECK(r.app()["client"]["outcome"] == "open");  // its list has no close: it waits for one
}

TEST_CASE("calls: shutdown of writing sends the FIN at its time while the other direction still flows") {
    // The client writes 1000 bytes at 100 ms and shuts down writing at 200 ms: its FIN leaves
    // then, just past the 1000 bytes. The server writes 50000 bytes at 300 ms, which the client
    // receives in FIN-WAIT-2 (half-close, RFC 9293 3.6); the server's program is then done and
    // has read the client's end of stream, so it closes: its FIN follows its last byte.
    Json doc = calls_scenario("calls-half-close",
                              {{{"at", "100ms"}, {"write", 1000}}, {{"at", "200ms"}, {"shutdown", "write"}}},
                              {{{"at", "300ms"}, {"write", 50000}}});
    Run r = run(doc);
    auto up = data_segments(r, "client");
    REQUIRE(up.size() == 1);
    Json fin = first_with(r, "client", 'F');
    CHECK(t_ns(fin) == 200 * kMs);
    CHECK(u32(fin["seq"]) == u32(up[0]["seq"]) + 1000);
    auto down = data_segments(r, "server");
    REQUIRE(!down.empty());
    CHECK(t_ns(down[0]) == 300 * kMs);
    int64_t fin_wait_2 = entered(r, "client", "FIN-WAIT-2"), time_wait = entered(r, "client", "TIME-WAIT");
    int64_t last_delivery = 0;
    for (const auto& e : events(r, "deliver", "client")) {
        if (e["len"].get<uint64_t>() == 0) continue;
        CHECK(t_ns(e) > fin_wait_2);
        CHECK(t_ns(e) <= time_wait);
        last_delivery = t_ns(e);
    }
    Json server_fin = first_with(r, "server", 'F');
    // (A FIN that rides on the last data segment has that segment's seq: the FIN is past its len.)
    CHECK(u32(server_fin["seq"]) + server_fin["len"].get<uint32_t>() == u32(down[0]["seq"]) + 50000);
    CHECK(t_ns(server_fin) >= t_ns(down.back()));
    CHECK(state_path(r, "client") == "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    CHECK(r.app()["client"]["bytes_received"] == 50000);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
    CHECK(r.app()["streams_intact"] == true);
    // Complete when the last of the 50000 bytes arrived: both lists were done by then.
    CHECK(r.app()["completed_at"].get<double>() == doctest::Approx(static_cast<double>(last_delivery) / kS).epsilon(1e-12));
}

TEST_CASE("calls: a close waits for a blocked write, and its FIN follows the write's last byte") {
    // A 16 KiB send buffer and a 200000-byte write at 100 ms: the write blocks until all but the
    // last 16384 bytes are acknowledged, which takes more than their 147 ms of serialization, so
    // the close of 150 ms is made well after 150 ms; its FIN sits just past byte 200000.
    Json doc = calls_scenario("calls-close-after-write",
                              {{{"at", "100ms"}, {"write", 200000}}, {{"at", "150ms"}, {"close", true}}}, nullptr);
    doc["applications"][0]["tcp"] = {{"send_buffer", 16384}};
    Run r = run(doc);
    auto calls = calls_made(r, "client");
    REQUIRE(calls.size() == 2);
    CHECK(calls[0] == std::to_string(100 * kMs) + " write 200000");
    int64_t close_at = std::stoll(calls[1]);
    CHECK(calls[1].ends_with(" close"));
    CHECK(close_at > 100 * kMs + 147 * kMs);
    Json fin = first_with(r, "client", 'F');
    CHECK(u32(fin["seq"]) + fin["len"].get<uint32_t>() ==
          u32(data_segments(r, "client").at(0)["seq"]) + 200000);
    CHECK(t_ns(fin) >= close_at);
    CHECK(r.app()["server"]["bytes_received"] == 200000);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["streams_intact"] == true);
}

TEST_CASE("calls: an abort does not wait for a blocked write: RST at its time, and the peer is reset") {
    // The same blocked write; an abort at 150 ms resets at once (RFC 9293 3.10.5) and what was
    // still to write is dropped, so the server never gets the 200000 bytes.
    Json doc = calls_scenario("calls-abort",
                              {{{"at", "100ms"}, {"write", 200000}}, {{"at", "150ms"}, {"abort", true}}}, nullptr);
    doc["applications"][0]["tcp"] = {{"send_buffer", 16384}};
    Run r = run(doc);
    Json rst = first_with(r, "client", 'R');
    CHECK(t_ns(rst) == 150 * kMs);
    CHECK(r.app()["client"]["outcome"] == "aborted");
    CHECK(r.app()["server"]["outcome"] == "reset");
    CHECK(r.app()["client"]["bytes_written"].get<uint64_t>() < 200000);
    CHECK(r.app()["server"]["bytes_received"].get<uint64_t>() < 200000);
    CHECK(r.result.reason == StopReason::all_finished);
}

TEST_CASE("calls: a close with received data left unread resets the connection (RFC 2525 2.17)") {
    // The server reads 100 of the client's 1000 bytes, then closes at 1 s: unread data at close
    // is answered with a RST instead of a FIN (RFC 1122 4.2.2.13 SHOULD, Linux does). Had it read
    // them all, the close would be a FIN.
    Json client = {{{"at", "100ms"}, {"write", 1000}}};
    Run partly = run(calls_scenario("calls-close-unread", client, {{{"at", "500ms"}, {"read", 100}}, {{"at", "1s"}, {"close", true}}}));
    Json rst = first_with(partly, "server", 'R');
    CHECK(t_ns(rst) == 1 * kS);
    CHECK(partly.app()["server"]["outcome"] == "aborted");
    CHECK(partly.app()["client"]["outcome"] == "reset");
    CHECK(partly.app()["server"]["bytes_received"] == 1000);
    CHECK(partly.app()["server"]["bytes_read"] == 100);

    Run all = run(calls_scenario("calls-close-read", client, {{{"at", "500ms"}, {"read", 1000}}, {{"at", "1s"}, {"close", true}}}));
    CHECK(t_ns(first_with(all, "server", 'F')) == 1 * kS);
    for (const auto& e : events(all, "send", "server")) CHECK_FALSE(has_flag(e, 'R'));
    CHECK(all.app()["server"]["bytes_read"] == 1000);
    CHECK(all.app()["server"]["outcome"] == "normal");
}

TEST_CASE("calls: data arriving after the program closed its socket is answered with a RST") {
    // The client closes at 200 ms (FIN), the server writes 1000 bytes at 300 ms: they reach the
    // client in FIN-WAIT-2, where no program reads any more; the client resets the connection
    // as soon as they arrive (RFC 1122 4.2.2.13; Linux's tcp_rcv_state_process).
    Json doc = calls_scenario("calls-data-after-close",
                              {{{"at", "100ms"}, {"write", 100}}, {{"at", "200ms"}, {"close", true}}},
                              {{{"at", "300ms"}, {"write", 1000}}});
    Run r = run(doc);
    Json rst = first_with(r, "client", 'R');
    int64_t arrival = -1;
    for (const auto& e : events(r, "deliver", "client"))
        if (e["len"].get<uint64_t>() > 0 && arrival < 0) arrival = t_ns(e);
    CHECK(t_ns(rst) == arrival);
    CHECK(r.app()["client"]["outcome"] == "aborted");
    CHECK(r.app()["server"]["outcome"] == "reset");
}

TEST_CASE("calls: a server without a list reads all and closes on the client's FIN, its FIN carrying the ACK") {
    // The client writes 500 bytes and closes at 200 ms. The server's program has nothing to do:
    // it reads what arrives, and when the FIN comes (200 ms + 41.6 us + 10 ms) it closes at once,
    // so its FIN acknowledges the client's (ack = FIN + 1) and no pure ACK comes first.
    Json doc = calls_scenario("calls-default-server", {{{"at", "100ms"}, {"write", 500}}, {{"at", "200ms"}, {"close", true}}},
                              nullptr);
    Run r = run(doc);
    Json fin = first_with(r, "client", 'F');
    CHECK(t_ns(fin) == 200 * kMs);
    std::vector<Json> after;
    for (const auto& e : events(r, "send", "server"))
        if (t_ns(e) > t_ns(fin)) after.push_back(e);
    REQUIRE(!after.empty());
    CHECK(after[0]["flags"] == "F.");
    CHECK(u32(after[0]["ack"]) == u32(fin["seq"]) + 1);
    CHECK(t_ns(after[0]) == 200 * kMs + 10 * kMs + 41600);
    CHECK(r.app()["server"]["bytes_read"] == 500);
    CHECK(r.app()["client"]["outcome"] == "normal");
    CHECK(r.app()["server"]["outcome"] == "normal");
    CHECK(r.result.reason == StopReason::all_finished);
}

TEST_CASE("calls: a call made before the connection is established waits for it") {
    // A write at 0 s, when the SYN has just left: it is made when the client is ESTABLISHED
    // (20.096 ms), and its segment leaves then.
    Run r = run(calls_scenario("calls-wait-connect", {{{"at", "0s"}, {"write", 100}}}, nullptr));
    int64_t established = entered(r, "client", "ESTABLISHED");
    CHECK(established == 20 * kMs + 96 * kUs);
    auto data = data_segments(r, "client");
    REQUIRE(data.size() == 1);
    CHECK(t_ns(data[0]) == established);
    CHECK(calls_made(r, "client") == std::vector<std::string>{std::to_string(established) + " write 100"});
}

TEST_CASE("calls: TCP_CORK holds five short writes, and uncorking sends them as one segment") {
    // Corked at 100 ms (listed first, so made before the write of the same time), five 100-byte
    // writes 10 ms apart wait; uncorking at 200 ms pushes the 500 bytes at once (Linux).
    Json doc = calls_scenario("calls-cork",
                              {{{"at", "100ms"}, {"cork", true}},
                               {{"at", "100ms"}, {"write", 100}, {"repeat", 5}, {"every", "10ms"}},
                               {{"at", "200ms"}, {"cork", false}}},
                              nullptr);
    Run r = run(doc);
    auto data = data_segments(r, "client");
    REQUIRE(data.size() == 1);
    CHECK(t_ns(data[0]) == 200 * kMs);
    CHECK(data[0]["len"] == 500);
}

TEST_CASE("calls: each of several connections runs both lists") {
    // "connections": 3 copies of the application, each its own connection making the same calls.
    Json doc = calls_scenario("calls-copies", {{{"at", "100ms"}, {"write", 300}}, {{"at", "200ms"}, {"shutdown", "write"}}},
                              {{{"at", "300ms"}, {"write", 700}}});
    doc["applications"][0]["connections"] = 3;
    Run r = run(doc);
    REQUIRE(r.trace["summary"]["applications"].size() == 3);
    for (size_t i = 0; i < 3; ++i) {
        INFO("copy ", i);
        CHECK(r.app(i)["type"] == "calls");
        CHECK(r.app(i)["server"]["bytes_received"] == 300);
        CHECK(r.app(i)["client"]["bytes_received"] == 700);
        CHECK(r.app(i)["streams_intact"] == true);
        CHECK(r.app(i)["client"]["outcome"] == "normal");
    }
    CHECK(r.result.reason == StopReason::all_finished);
}
