// libFuzzer harness: the input bytes are not a scenario but the choices of a generator that only
// writes valid ones (the property tests' generators, widened: 2 to 6 nodes, links that lose,
// reorder, jitter, duplicate, go down and queue with drop-tail or RED; both TCP profiles and most
// TCP settings at both ends; bulk, half-close, request/response, idle and socket-call
// applications). Each scenario goes through the scenario loader like a user's file and
// check_valid_scenario (fuzz_oracles.hpp) runs it twice: it must load, every stream must be
// intact as far as it got, the two runs' traces must be byte-identical, and an application the
// generator marks "_complete_by" must complete by then.
//
// Byte-driven rather than seeded: libFuzzer's coverage feedback steers the choices themselves, so
// rare combinations (an outage during a handshake with RACK off and a 1-segment window) are
// reached and kept. Bytes past the input's end read as zero: the shortest input is the simplest
// scenario (two hosts, one bulk transfer of one byte).
//
// Two kinds of scenario, chosen by the first byte:
//   - rough: anything valid (loss up to 30%, outages without end, tiny buffers, aborts, short
//     retry limits, keepalive, user timeouts, any socket-call list). Checked for integrity and
//     determinism, and that an application which neither completed nor was told to stop early has
//     an endpoint that says why (reset, timeout) once nothing is left to happen.
//   - open: every path is open again after at most 18 s and stays so. No random loss, no RED:
//     either outages that end or at most one numbered packet lost per link direction (at most 6
//     on a path: a handshake still gets through, rfc's 7th SYN at 63 s; not both, or the
//     outage takes the first SYNs and the numbered losses the last), reordering, jitter,
//     duplication, and drop-tail queues of 10 packets or 15 KB and more. TCP settings keep
//     retry limits, keepalive and user timeouts at values that cannot end a connection; buffers
//     are at least 16 KB; the bytes of all applications together take at most 1.5 s on the
//     slowest link. Every application then completes well within kCompleteBy (240 s; the worst
//     case worked out below is under 100 s), so one that has not is stalled.
//     Worst case: last start 2 s; a path down until 18 s (outages begin by 10 s, last at most
//     8 s, two per link); the retransmission timer backed off across it fires again by about
//     2 x 18 s + 1 s; or, with numbered losses instead, the 7th SYN
//     under the rfc profile at 63 s. Then the data: 1.5 s of
//     serialization on the slowest link at most, and at least 16 KB per round trip, a round trip
//     being at most 0.35 s of propagation, jitter and reordering on 3 links each way, plus what
//     the applications' own bytes queue (300 KB at most: 3 s), plus a 200 ms delayed ACK:
//     some 20 s, and a few round trips more for congestion drops.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_oracles.hpp"

using tcpsim::Json;

namespace {

constexpr const char* kCompleteBy = "240s";

// The generator's source of choices: the input bytes, big-endian, zeros past the end.
class Choices {
public:
    Choices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    uint64_t bytes(int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | (pos_ < size_ ? data_[pos_++] : 0);
        return v;
    }
    // A value in [0, k): one byte for small ranges, so that a mutated byte moves one choice.
    uint64_t below(uint64_t k) {
        if (k <= 1) return 0;
        int n = k <= 256 ? 1 : k <= 65536 ? 2 : k <= (1ull << 24) ? 3 : 4;
        return bytes(n) % k;
    }
    int64_t between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1))); }
    // Zero bytes say no: the input's end leaves every option out.
    bool percent(int p) { return static_cast<int>(below(100)) >= 100 - p; }
    double unit() { return static_cast<double>(bytes(2)) / 65535.0; }
    template <size_t N>
    const char* pick(const char* const (&options)[N]) { return options[below(N)]; }

private:
    const uint8_t* data_;
    size_t size_, pos_ = 0;
};

std::string us(int64_t v) { return std::to_string(v) + "us"; }
std::string kbps(int64_t v) { return std::to_string(v) + "kbps"; }

struct Generator {
    Choices& in;
    bool open;                      // the "open" kind (see the top of the file)
    bool outages = true;            // open: outages, or else numbered losses
    int64_t slowest_kbps = 1'000'000;
    // Calls, close_at and abort_at fall within the run (the loader checks it): before its end
    // less the latest start (2 s).
    int64_t last_call_us = 0;

    Json loss() {
        // Rough only: every model the loader knows, at rates up to 30%.
        switch (in.below(5)) {
            case 0: return in.unit() * 0.3;
            case 1: return {{"model", "bernoulli"}, {"rate", in.unit() * 0.3}};
            case 2: {
                double b = 0.2 + 0.8 * in.unit();
                Json l{{"model", "gilbert_elliott"}, {"p_good_to_bad", in.unit() * 0.2}, {"p_bad_to_good", b}};
                if (in.percent(30)) l["loss_in_good"] = in.unit() * 0.05;
                if (in.percent(30)) l["loss_in_bad"] = 0.5 + 0.5 * in.unit();
                return l;
            }
            case 3: return {{"model", "periodic"}, {"every", in.between(2, 60)}};
            default: {
                Json drop = Json::array();
                for (int64_t i = 0, n = in.between(1, 6); i < n; ++i) drop.push_back(in.between(1, 200));
                return {{"model", "packets"}, {"drop", drop}};
            }
        }
    }

    // The settings one direction (or both) may have.
    void direction(Json& d, bool whole_link) {
        int64_t bw = open ? in.between(2000, 100'000) : in.between(100, 100'000);
        d["bandwidth"] = kbps(bw);
        slowest_kbps = std::min(slowest_kbps, bw);
        d["delay"] = us(in.between(0, 30'000));
        if (in.percent(whole_link ? 100 : 30)) {
            Json q;
            if (in.percent(75)) q["packets"] = open ? in.between(10, 300) : in.between(1, 300);
            else q["bytes"] = open ? in.between(15'000, 500'000) : in.between(100, 500'000);
            if (!open && in.percent(15)) {
                q["type"] = "red";
                if (in.percent(50)) q["ecn"] = true;
                if (in.percent(30)) q["max_p"] = 0.01 + 0.5 * in.unit();
                if (in.percent(30)) q["gentle"] = in.percent(50);
            }
            d["queue"] = q;
        }
        if (open) {
            // One numbered packet lost, at most, per direction (see the top of the file).
            if (!outages && in.percent(30)) d["loss"] = {{"model", "packets"}, {"drop", {in.between(1, 80)}}};
        } else if (in.percent(60)) {
            d["loss"] = loss();
        }
        if (in.percent(35)) d["reorder"] = {{"probability", in.unit() * 0.3}, {"delay", us(in.between(100, 20'000))}};
        if (in.percent(30)) d["duplicate"] = in.unit() * 0.05;
        if (in.percent(35)) {
            if (in.percent(70)) d["jitter"] = {{"distribution", "uniform"}, {"max", us(in.between(0, 5000))}};
            else d["jitter"] = {{"distribution", "normal"}, {"mean", us(in.between(0, 3000))}, {"stddev", us(in.between(0, 2000))}};
        }
    }

    Json link(const std::string& a, const std::string& b) {
        Json l{{"between", {a, b}}};
        direction(l, true);
        // A direction of its own: a lossier return path, a slower uplink.
        for (const char* side : {"forward", "reverse"})
            if (in.percent(20)) {
                Json d;
                direction(d, false);
                l[side] = d;
            }
        if (outages && in.percent(30)) {
            Json list = Json::array();
            for (int64_t i = 0, n = in.between(1, 2); i < n; ++i) {
                int64_t from = in.between(0, 10'000'000);
                Json o{{"from", us(from)}, {"direction", in.pick({"both", "forward", "reverse"})}};
                if (open || in.percent(85)) o["to"] = us(from + in.between(1000, 8'000'000));
                list.push_back(o);
            }
            l["outages"] = list;
        }
        return l;
    }

    // TCP settings for a host, an application's client or its server.
    Json tcp() {
        Json t = Json::object();
        if (in.percent(40)) t["profile"] = in.pick({"linux", "rfc"});
        if (in.percent(30)) t["cc"] = in.pick({"cubic", "newreno", "reno"});
        if (in.percent(25)) t["mss"] = open ? in.between(500, 1460) : in.between(88, 9000);
        if (in.percent(30)) t["send_buffer"] = open ? in.between(16'384, 1 << 20) : in.between(1, 1 << 20);
        if (in.percent(30)) t["receive_buffer"] = open ? in.between(16'384, 1 << 20) : in.between(1, 1 << 20);
        if (in.percent(10)) {
            int64_t max = in.between(open ? 16'384 : 1, 8 << 20);
            t["receive_autotuning"] = {{"enabled", in.percent(70)}, {"initial", in.between(open ? 16'384 : 1, max)}, {"max", max}};
        }
        for (const char* flag : {"window_scaling", "sack", "timestamps", "nagle", "ecn", "hystart", "cwnd_validation",
                                 "slow_start_after_idle", "rack", "tlp", "prr", "undo", "nagle_minshall"})
            if (in.percent(15)) t[flag] = in.percent(50);
        if (in.percent(15)) t["receive_window"] = in.pick({"linux", "rfc"});
        if (in.percent(10)) t["rto_formula"] = in.pick({"linux", "rfc6298"});
        if (in.percent(20)) {
            if (in.percent(30)) {
                t["delayed_ack"] = in.percent(50);
            } else {
                Json d{{"enabled", in.percent(80)}, {"every", in.between(1, open ? 4 : 64)},
                       {"max_delay", us(in.between(1, open ? 200'000 : 500'000))}};
                if (in.percent(50)) d["quickack"] = in.percent(50);
                if (in.percent(50)) d["adaptive"] = in.percent(50);
                t["delayed_ack"] = d;
            }
        }
        if (in.percent(10)) t["dupthresh"] = in.between(1, open ? 10 : 1000);
        if (in.percent(10)) t["initial_cwnd"] = in.between(1, open ? 100 : 1000);
        if (in.percent(10)) t["abc_limit"] = in.between(0, 64);
        if (in.percent(10)) t["timestamp_tick"] = us(in.between(1, 10'000));
        if (in.percent(10)) t["isn"] = in.bytes(4);
        if (in.percent(15)) {
            int64_t min = open ? in.between(10'000, 1'000'000) : in.between(1, 1'000'000);
            t["min_rto"] = us(min);
            // Open: the initial and largest RTO stay at 1 s and 120 s, so that 15 backed-off
            // expiries, or the SYN's retries, outlast any outage (a 10 ms cap would run out of
            // retries in a fraction of a second). Rough: at least 1 s, the rfc profile's
            // min_rto, which an application's "profile" may bring over this max_rto.
            if (!open && in.percent(50)) t["max_rto"] = us(in.between(1'000'000, 11'000'000));
        }
        if (!open && in.percent(10)) t["initial_rto"] = us(in.between(1000, 5'000'000));
        if (in.percent(10)) t["syn_linear_timeouts"] = in.between(0, open ? 6 : 20);
        if (in.percent(10)) t["msl"] = us(in.between(1000, 5'000'000));
        if (!open) {
            // Settings that end a connection early: rough scenarios only.
            if (in.percent(10)) t["syn_retries"] = in.between(0, 8);
            if (in.percent(10)) t["synack_retries"] = in.between(0, 8);
            if (in.percent(10)) t["data_retries"] = in.between(1, 15);
            if (in.percent(10)) t["user_timeout"] = us(in.between(0, 20'000'000));
        }
        if (in.percent(10)) {
            // Open scenarios: idle 60 s and more, far beyond any silence (18 s of outage).
            Json k{{"enabled", true},
                   {"idle", us(open ? in.between(60'000'000, 100'000'000) : in.between(1000, 20'000'000))},
                   {"interval", us(in.between(1000, 10'000'000))},
                   {"count", in.between(open ? 3 : 1, 20)}};
            if (in.percent(30)) k["probe_with_byte"] = in.percent(50);
            if (in.percent(30)) k["send_rst"] = in.percent(50);
            t["keepalive"] = k;
        }
        return t;
    }

    // A socket-call list for one side. Open scenarios: writes, option calls, reading everything,
    // and at most a final shutdown of writing; both sides then end their streams or leave them
    // open, and every byte arrives. Rough: any valid list (partial reads, shutdowns, close, abort).
    Json calls(int64_t& budget) {
        Json list = Json::array();
        int64_t t = 0;
        bool write_shut = false, read_shut = false, corked = false;
        for (int64_t i = 0, n = in.between(0, 8); i < n; ++i) {
            t += in.between(0, 400'000);
            if (t > last_call_us) break;
            Json c{{"at", us(t)}};
            uint64_t kind = in.below(open ? 4 : 9);
            if (kind == 0 && !write_shut && budget > 0) {
                int64_t repeat = in.percent(30) ? in.between(2, 20) : 1;
                int64_t every = in.between(1000, 100'000);
                if (t + (repeat - 1) * every > last_call_us) repeat = 1;
                int64_t bytes = in.between(1, std::max<int64_t>(1, std::min<int64_t>(budget, 60'000) / repeat));
                c["write"] = bytes;
                if (repeat > 1) {
                    c["repeat"] = repeat;
                    c["every"] = us(every);
                    t += (repeat - 1) * every;
                }
                budget -= bytes * repeat;
            } else if (kind == 1) {
                c["nodelay"] = in.percent(50);
            } else if (kind == 2) {
                corked = in.percent(50);
                c["cork"] = corked;
            } else if (kind == 3 && !read_shut) {
                c["read"] = "all";
            } else if (kind == 4 && !read_shut) {
                c["read"] = in.between(1, 100'000);
                int64_t repeat = in.between(2, 20), every = in.between(1000, 100'000);
                if (in.percent(30) && t + (repeat - 1) * every <= last_call_us) {
                    c["repeat"] = repeat;
                    c["every"] = us(every);
                    t += (repeat - 1) * every;
                }
            } else if (kind == 5 && !write_shut) {
                c["shutdown"] = "write";
                write_shut = true;
            } else if (kind == 6 && !read_shut) {
                c["shutdown"] = in.pick({"read", "both"});
                read_shut = true;
                if (c["shutdown"] == "both") write_shut = true;
            } else if (kind == 7) {
                c["close"] = true;
                list.push_back(c);
                return list;
            } else if (kind == 8) {
                c["abort"] = true;
                list.push_back(c);
                return list;
            } else {
                continue;
            }
            list.push_back(c);
        }
        // A cork left on would hold the last partial segment until the FIN: open scenarios
        // uncork, so the data goes without one.
        if (open && corked) list.push_back({{"at", us(t)}, {"cork", false}});
        if (open && !write_shut && in.percent(70)) list.push_back({{"at", us(t)}, {"shutdown", "write"}});
        return list;
    }

    Json application(const std::string& from, const std::string& to, int k, int64_t budget) {
        Json a{{"from", from}, {"to", to}, {"port", 5000 + k}};
        if (in.percent(40)) a["tcp"] = tcp();
        if (in.percent(40)) a["server_tcp"] = tcp();
        int64_t start = in.percent(30) ? in.between(0, 2'000'000) : 0;
        if (start) a["start"] = us(start);
        uint64_t kind = in.below(open ? 4 : 6);
        if (kind == 0 || kind == 1) {
            a["type"] = "bulk";
            if (!open && in.percent(5)) {
                // No size: it sends until the run ends.
            } else {
                a["bytes"] = in.between(1, std::max<int64_t>(1, kind == 1 ? budget / 2 : budget));
            }
            if (kind == 1) a["reply_bytes"] = in.between(1, std::max<int64_t>(1, budget / 2));
        } else if (kind == 2) {
            a["type"] = "request_response";
            int64_t count = in.between(1, 5);
            int64_t each = std::max<int64_t>(2, budget / count);
            a["count"] = count;
            a["request"] = in.between(1, std::min<int64_t>(each / 2, 4000));
            a["response"] = in.between(1, each / 2);
            a["think"] = us(in.between(0, 100'000));
        } else if (kind == 3) {
            a["type"] = "calls";
            int64_t half = budget / 2;
            a["client"] = calls(half);
            half = budget / 2;
            a["server"] = calls(half);
        } else {
            a["type"] = "idle";
            if (in.percent(70)) a["close_at"] = us(in.between(start, last_call_us));
        }
        if (!open && a["type"] != "calls") {
            if (in.percent(10)) a["close_at"] = us(in.between(start, last_call_us));
            else if (in.percent(10)) a["abort_at"] = us(in.between(start, last_call_us));
        }
        if (in.percent(10)) a["connections"] = in.between(2, 3);
        else if (in.percent(10)) a["sport"] = 20'000 + k;  // one per application: no 4-tuple twice
        if (open) a["_complete_by"] = kCompleteBy;
        return a;
    }

    // Hosts h0..; with more than two nodes, one or two routers in a chain and every host on one
    // of them (the lossy property test's networks), so every path has at most 3 links.
    Json scenario() {
        Json doc{{"name", open ? "fuzz-open" : "fuzz-rough"}, {"seed", in.bytes(4)}};
        const char* duration = open ? "250s" : in.pick({"5s", "30s", "100s", "300s"});
        doc["duration"] = duration;
        last_call_us = (open ? 250 : std::stoll(duration)) * 1'000'000 - 2'000'000;
        if (open) outages = in.percent(50);
        if (in.percent(50)) doc["tcp"] = tcp();
        int nodes = static_cast<int>(in.between(2, 6));
        int routers = nodes == 2 ? 0 : static_cast<int>(in.between(1, std::min(2, nodes - 2)));
        int hosts = nodes - routers;
        Json node_list = Json::array(), links = Json::array();
        for (int i = 0; i < hosts; ++i) {
            Json n{{"name", "h" + std::to_string(i)}};
            if (in.percent(20)) n["tcp"] = tcp();
            node_list.push_back(n);
        }
        for (int i = 0; i < routers; ++i) node_list.push_back({{"name", "r" + std::to_string(i)}, {"type", "router"}});
        if (routers == 0) {
            links.push_back(link("h0", "h1"));
        } else {
            for (int i = 0; i < hosts; ++i)
                links.push_back(link("h" + std::to_string(i), "r" + std::to_string(in.below(static_cast<uint64_t>(routers)))));
            if (routers == 2) links.push_back(link("r0", "r1"));
        }
        // Open: all bytes together take at most 1.5 s on the slowest link (see the top).
        int64_t budget = open ? std::min<int64_t>(slowest_kbps * 1000 / 8 * 3 / 2, 300'000) : 400'000;
        int count = static_cast<int>(in.between(1, 4));
        Json apps = Json::array();
        for (int k = 0; k < count; ++k) {
            int a = static_cast<int>(in.below(static_cast<uint64_t>(hosts)));
            int b = static_cast<int>(in.below(static_cast<uint64_t>(hosts - 1)));
            if (b >= a) ++b;
            // Each application gets its share; "connections" copies it, so a third of a share.
            apps.push_back(application("h" + std::to_string(a), "h" + std::to_string(b), k, budget / count / 3));
        }
        doc["nodes"] = node_list;
        doc["links"] = links;
        doc["applications"] = apps;
        return doc;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Choices in(data, size);
    bool open = in.percent(50);
    Generator g{in, open};
    std::string text = g.scenario().dump();
    // TCPSIM_FUZZ_SHOW=1 fuzz_valid_scenarios FILE: the scenario an input stands for, printed
    // before it runs (a sanitizer report ends the process before the catch below could).
    static const bool show = std::getenv("TCPSIM_FUZZ_SHOW") != nullptr;
    if (show) std::fprintf(stderr, "fuzz_valid_scenarios: the scenario:\n%s\n", text.c_str());
    try {
        tcpsim::fuzz::check_valid_scenario(text);
    } catch (...) {
        if (show) throw;
        // The scenario itself is what to keep (tests/data/fuzz/valid_scenarios/), not the bytes.
        std::fprintf(stderr, "fuzz_valid_scenarios: the scenario:\n%s\n", text.c_str());
        throw;
    }
    return 0;
}
