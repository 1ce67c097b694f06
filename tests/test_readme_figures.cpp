// The README's table of shipped scenarios quotes figures of each scenario's run. Here each figure
// is computed from a run of the shipped scenario, formatted as the table writes it, and looked
// for in that scenario's row: a change that moves a figure fails until the README says what the
// scenario does now.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/world.hpp"

using namespace tcpsim;

namespace {

constexpr int64_t kS = 1'000'000'000;

// The README row of `name` ("| `name.json` | ..."), or "" if there is none.
std::string readme_row(const std::string& name) {
    std::ifstream f(std::string(TCPSIM_SOURCE_DIR) + "/README.md");
    std::string line, start = "| `" + name + ".json` |";
    while (std::getline(f, line))
        if (line.rfind(start, 0) == 0) return line;
    return "";
}

Json shipped(const std::string& name) {
    return load_json_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

struct Run {
    Json trace;
    const Json& summary() const { return trace["summary"]; }
    std::vector<Json> events(const std::string& type, const std::string& node = "") const {
        std::vector<Json> out;
        for (const auto& e : trace["events"])
            if (e["type"] == type && (node.empty() || e["node"] == node)) out.push_back(e);
        return out;
    }
};

Run run(const std::string& name, TraceLevel level = TraceLevel::all) {
    ScenarioConfig c = parse_scenario(shipped(name), name);
    std::ostringstream out;
    RunOptions o;
    o.trace_out = &out;
    o.level = level;
    World w(c, o);
    w.run();
    return Run{Json::parse(out.str())};
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}
// 425712 -> "425,712", as the README writes large counts.
std::string grouped(uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
    return s;
}
double seconds(const Json& e) { return static_cast<double>(e["t_ns"].get<int64_t>()) / kS; }

// `text` occurs in `row` as a whole figure: a number in it is not part of a longer one ("10" is
// not found in "105" or "10.5", "0.5" not in "10.5").
bool has_figure(const std::string& row, const std::string& text) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (size_t at = row.find(text); at != std::string::npos; at = row.find(text, at + 1)) {
        size_t end = at + text.size();
        bool joined_before = !text.empty() && digit(text.front()) && at > 0 &&
                             (digit(row[at - 1]) || ((row[at - 1] == '.' || row[at - 1] == ',') && at > 1 && digit(row[at - 2])));
        bool joined_after = !text.empty() && digit(text.back()) && end < row.size() &&
                            (digit(row[end]) || ((row[end] == '.' || row[end] == ',') && end + 1 < row.size() && digit(row[end + 1])));
        if (!joined_before && !joined_after) return true;
    }
    return false;
}

#define CHECK_ROW(row, text)                                                      \
    do {                                                                          \
        std::string expected_ = (text);                                           \
        CHECK_MESSAGE(has_figure((row), expected_), "the README row lacks \"", expected_, "\": ", (row)); \
    } while (0)

}  // namespace

TEST_CASE("README figures: a figure matches only whole") {
    CHECK(has_figure("ecn_marked 10 and more", "ecn_marked 10"));
    CHECK_FALSE(has_figure("ecn_marked 105", "ecn_marked 10"));
    CHECK_FALSE(has_figure("at 10.5 s", "10"));
    CHECK_FALSE(has_figure("at 10.5 s", "0.5 s"));
    CHECK_FALSE(has_figure("1,234 bytes", "234 bytes"));
    CHECK(has_figure("done at 3.49 s.", "3.49 s"));
    CHECK(has_figure("10, then 10", "10, then"));
}

TEST_CASE("README figures: handshake") {
    std::string row = readme_row("handshake");
    REQUIRE(!row.empty());
    Run r = run("handshake");
    auto client = r.events("send", "client"), server = r.events("send", "server");
    REQUIRE(client.size() >= 3);
    REQUIRE(!server.empty());
    CHECK_ROW(row, "`seq " + std::to_string(client[0]["seq"].get<uint32_t>()) + "`");
    CHECK_ROW(row, "`seq " + std::to_string(server[0]["seq"].get<uint32_t>()) + ", ack " +
                       std::to_string(server[0]["ack"].get<uint32_t>()) + "`");
    CHECK_ROW(row, "`seq " + std::to_string(client[1]["seq"].get<uint32_t>()) + ", ack " +
                       std::to_string(client[1]["ack"].get<uint32_t>()) + "`");
    const Json& fin = server.back();
    CHECK_ROW(row, "`[" + fin["flags"].get<std::string>() + "]` with `ack " + std::to_string(fin["ack"].get<uint32_t>()) + "`");
    double time_wait = 0, closed = 0;
    for (const auto& e : r.events("state", "client")) {
        if (e["to"] == "TIME-WAIT") time_wait = seconds(e);
        if (e["from"] == "TIME-WAIT") closed = seconds(e);
    }
    CHECK_ROW(row, "TIME-WAIT lasting exactly " + fixed(closed - time_wait, 0) + " s");
}

TEST_CASE("README figures: syn-timeout and syn-timeout-rfc") {
    for (std::string name : {"syn-timeout", "syn-timeout-rfc"}) {
        INFO(name);
        std::string row = readme_row(name);
        REQUIRE(!row.empty());
        Run r = run(name);
        std::string times;
        for (const auto& e : r.events("send", "client"))
            if (e["flags"] == "S") times += (times.empty() ? "" : ", ") + fixed(seconds(e), 0);
        CHECK_ROW(row, "SYNs at " + times + " s");
        auto apps = r.events("app", "client");
        REQUIRE(!apps.empty());
        CHECK(apps.back()["reason"] == "connection timed out");
        CHECK_ROW(row, "at " + fixed(seconds(apps.back()), 0) + " s the `app` event `closed` with reason `connection timed out`");
    }
}

TEST_CASE("README figures: keepalive-dead-peer and keepalive-alive-peer") {
    std::string dead = readme_row("keepalive-dead-peer");
    REQUIRE(!dead.empty());
    Run r = run("keepalive-dead-peer");
    std::vector<double> probes;
    double rst = -1;
    for (const auto& e : r.events("send", "client")) {
        if (e["flags"] == "R.") rst = seconds(e);
        else if (e["len"] == 0 && e["flags"] == "." && seconds(e) > 5) probes.push_back(seconds(e));
    }
    REQUIRE(probes.size() >= 3);
    CHECK_ROW(dead, "at " + fixed(probes[0], 2) + ", " + fixed(probes[1], 2) + ", ... " + fixed(probes.back(), 2) + " s");
    CHECK_ROW(dead, fixed(probes[0] - seconds(r.events("deliver", "client").back()), 0) + " s after the last segment received");
    CHECK_ROW(dead, "at " + fixed(rst, 2) + " s a RST");
    CHECK_ROW(dead, std::to_string(probes.size()) + " probes");

    std::string alive = readme_row("keepalive-alive-peer");
    REQUIRE(!alive.empty());
    Run a = run("keepalive-alive-peer");
    const Json& client = a.summary()["applications"][0]["client"];
    CHECK_ROW(alive, "(" + std::to_string(client["keepalive_probes"].get<int>()) + " probes)");
    double closed = -1;
    for (const auto& e : a.events("state", "client"))
        if (e["to"] == "FIN-WAIT-1") closed = seconds(e);
    CHECK_ROW(alive, "closes it at " + fixed(closed, 0) + " s");
}

TEST_CASE("README figures: lossy-transfer") {
    std::string row = readme_row("lossy-transfer");
    REQUIRE(!row.empty());
    Run r = run("lossy-transfer", TraceLevel::summary);
    const Json& app = r.summary()["applications"][0];
    const Json& c = app["client"];
    CHECK_ROW(row, "`fast_retransmits` " + std::to_string(c["fast_retransmits"].get<int>()));
    CHECK_ROW(row, "`rto_expirations` " + std::to_string(c["rto_expirations"].get<int>()));
    CHECK_ROW(row, "`spurious_retransmits` " + std::to_string(c["spurious_retransmits"].get<int>()));
    CHECK_ROW(row, "`reductions_undone` " + std::to_string(c["reductions_undone"].get<int>()));
    CHECK_ROW(row, "completed at " + fixed(app["completed_at"].get<double>(), 2) + " s");
    CHECK(app["streams_intact"] == true);
}

TEST_CASE("README figures: rto-backoff") {
    std::string row = readme_row("rto-backoff");
    REQUIRE(!row.empty());
    Run r = run("rto-backoff");
    std::string times, values;
    for (const auto& e : r.events("tcp", "client")) {
        if (e["what"] != "rto") continue;
        times += (times.empty() ? "" : ", ") + fixed(seconds(e), 3);
        values += (values.empty() ? "" : ", ") + fixed(e["value"].get<double>(), 1);
    }
    // The last expiry's retransmission is the one that gets through; the table lists the others.
    size_t last = times.rfind(", ");
    REQUIRE(last != std::string::npos);
    CHECK_ROW(row, "RTO retransmissions at " + times.substr(0, last) + " s");
    CHECK_ROW(row, "the retransmission at " + times.substr(last + 2) + " s gets through");
    CHECK_ROW(row, "the RTO doubling " + values.substr(0, values.rfind(", ")) + " s");
    uint64_t ssthresh = 0;
    for (const auto& e : r.events("cc", "client"))
        if (ssthresh == 0 && e["ssthresh"].is_number()) ssthresh = e["ssthresh"].get<uint64_t>();
    CHECK_ROW(row, grouped(ssthresh) + " bytes");
    CHECK_ROW(row, "completes at " + fixed(r.summary()["applications"][0]["completed_at"].get<double>(), 2) + " s");
}

TEST_CASE("README figures: tail-loss-probe and tail-loss-probe-rfc") {
    for (std::string name : {"tail-loss-probe", "tail-loss-probe-rfc"}) {
        INFO(name);
        std::string row = readme_row(name);
        REQUIRE(!row.empty());
        Run r = run(name);
        std::vector<double> probes, rtos;
        for (const auto& e : r.events("tcp", "client")) {
            if (e["what"] == "tlp") probes.push_back(seconds(e));
            if (e["what"] == "rto") rtos.push_back(seconds(e));
        }
        REQUIRE(rtos.size() >= 3);
        std::string times;
        for (double t : rtos) times += (times.empty() ? "" : ", ") + fixed(t, 3);
        CHECK_ROW(row, "RTO retransmissions at " + times + " s");
        if (name == "tail-loss-probe") {
            REQUIRE(probes.size() == 1);
            CHECK_ROW(row, "The tail loss probe at " + fixed(probes[0], 3) + " s");
        } else {
            CHECK(probes.empty());
            CHECK_ROW(row, "No probe");
        }
    }
}

TEST_CASE("README figures: mathis") {
    std::string row = readme_row("mathis");
    REQUIRE(!row.empty());
    Run r = run("mathis", TraceLevel::summary);
    double goodput = r.summary()["applications"][0]["goodput_bps"].get<double>();
    // Mathis et al.: goodput = C * MSS / (RTT sqrt(p)); RTT 50 ms, MSS 1460 bytes, p = 0.001.
    double model = 1.22 * 1460 * 8 / (0.05 * std::sqrt(0.001));
    CHECK_ROW(row, "`goodput_bps` " + fixed(goodput / 1e6, 2) + " Mbit/s");
    CHECK_ROW(row, "Mathis model's " + fixed(model / 1e6, 1) + " (C = 1.22)");
    CHECK_ROW(row, "C = " + fixed(goodput * 0.05 * std::sqrt(0.001) / (1460 * 8), 2) + " measured");
}

TEST_CASE("README figures: red-ecn") {
    std::string row = readme_row("red-ecn");
    REQUIRE(!row.empty());
    Run r = run("red-ecn", TraceLevel::segments);
    auto a = r.events("send", "a"), b = r.events("send", "b");
    REQUIRE(!a.empty());
    REQUIRE(!b.empty());
    CHECK_ROW(row, "SYN flags `" + a[0]["flags"].get<std::string>() + "`");
    CHECK_ROW(row, "SYN-ACK `" + b[0]["flags"].get<std::string>() + "`");
    CHECK_ROW(row, "`links[2].ecn_marked` " + std::to_string(r.summary()["links"][2]["ecn_marked"].get<int>()));
    CHECK_ROW(row, "`client.ecn_reductions` " +
                       std::to_string(r.summary()["applications"][0]["client"]["ecn_reductions"].get<int>()));
}

TEST_CASE("README figures: lossy-link, link-outage, dumbbell-raw") {
    std::string lossy = readme_row("lossy-link");
    REQUIRE(!lossy.empty());
    Run l = run("lossy-link", TraceLevel::summary);
    CHECK_ROW(lossy, "`links[0].drops.loss_model` (" + std::to_string(l.summary()["links"][0]["drops"]["loss_model"].get<int>()) +
                         " with seed " + std::to_string(l.trace["meta"]["seed"].get<int>()) + ")");

    std::string outage = readme_row("link-outage");
    REQUIRE(!outage.empty());
    Run o = run("link-outage", TraceLevel::summary);
    CHECK_ROW(outage, "(" + std::to_string(o.summary()["drops"]["link_down"].get<int>()) + " drops)");

    std::string dumbbell = readme_row("dumbbell-raw");
    REQUIRE(!dumbbell.empty());
    Run d = run("dumbbell-raw", TraceLevel::summary);
    // A summary's link is named by "link" ("left->right"); the loop must meet it.
    int bottlenecks = 0;
    for (const Json& link : d.summary()["links"]) {
        if (link.value("link", "") != "left->right") continue;
        ++bottlenecks;
        CHECK_ROW(dumbbell, "`queue_full` drops on `left->right` (" + std::to_string(link["drops"]["queue_full"].get<int>()) + ")");
        CHECK_ROW(dumbbell, "`max_queue_packets` " + std::to_string(link["max_queue_packets"].get<int>()));
    }
    CHECK(bottlenecks == 1);
}

TEST_CASE("README figures: socket-calls") {
    std::string row = readme_row("socket-calls");
    REQUIRE(!row.empty());
    Run r = run("socket-calls", TraceLevel::segments);
    // The three applications' connections, told apart by the client's port (49152, 49153, 49154).
    auto sent = [&](const std::string& node, const char* port_field, int port) {
        std::vector<Json> out;
        for (const auto& e : r.events("send", node))
            if (e[port_field] == port) out.push_back(e);
        return out;
    };
    // New data only: a retransmission (a tail loss probe) is listed apart.
    auto with_data = [](const std::vector<Json>& segs) {
        std::vector<Json> out;
        for (const auto& e : segs)
            if (e["len"].get<int>() > 0 && !e.value("retransmission", false)) out.push_back(e);
        return out;
    };
    auto first_flag = [](const std::vector<Json>& segs, char f) {
        for (const auto& e : segs)
            if (e["flags"].get<std::string>().find(f) != std::string::npos) return e;
        return Json();
    };

    auto nodelay = with_data(sent("client", "sport", 49152));
    REQUIRE(nodelay.size() == 20);
    for (const auto& e : nodelay) CHECK(e["len"] == 100);
    CHECK_ROW(row, "twenty 100-byte segments, " + fixed(seconds(nodelay.front()), 3) + " to " + fixed(seconds(nodelay.back()), 3) + " s");
    for (const auto& e : sent("client", "sport", 49152))
        if (e.value("retransmission", false))
            CHECK_ROW(row, "a tail loss probe at " + fixed(seconds(e), 3) + " s");
    Json fin = first_flag(sent("client", "sport", 49152), 'F');
    REQUIRE(!fin.is_null());
    CHECK_ROW(row, "the FIN at " + fixed(seconds(fin), 3) + " s");
    auto answer = with_data(sent("server", "dport", 49152));
    REQUIRE(answer.size() == 1);
    CHECK_ROW(row, "the server's " + std::to_string(answer[0]["len"].get<int>()) + " bytes at " + fixed(seconds(answer[0]), 3) + " s");

    auto nagle = with_data(sent("client", "sport", 49153));
    std::string sizes;
    for (const auto& e : nagle) sizes += (sizes.empty() ? "" : ", ") + std::to_string(e["len"].get<int>());
    CHECK_ROW(row, "as " + std::to_string(nagle.size()) + " segments (" + sizes + " bytes)");

    // The slow reader's window: the first zero, then each reopening after a zero.
    double zero = -1;
    std::vector<std::pair<double, int>> reopened;
    int last = -1;
    for (const auto& e : sent("server", "dport", 49154)) {
        int win = e["win"].get<int>();
        if (win == 0 && zero < 0) zero = seconds(e);
        if (last == 0 && win > 0) reopened.emplace_back(seconds(e), win);
        last = win;
    }
    CHECK_ROW(row, "`win 0` from " + fixed(zero, 3) + " s");
    const Json& slow = r.summary()["applications"][2];
    CHECK_ROW(row, "`zero_window_probes` " + std::to_string(slow["client"]["zero_window_probes"].get<int>()));
    REQUIRE(reopened.size() == 4);
    std::string opens;
    for (const auto& [t, w] : reopened) opens += (opens.empty() ? "" : ", ") + ("`win " + std::to_string(w) + "` at " + fixed(t, 3) + " s");
    CHECK_ROW(row, opens);
    CHECK_ROW(row, "completed at " + fixed(slow["completed_at"].get<double>(), 2) + " s");
    for (const Json& app : r.summary()["applications"]) CHECK(app["streams_intact"] == true);
}
