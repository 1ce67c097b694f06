#include "models/packetdrill/host_settings.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>

#include "models/tcp/congestion_control.hpp"

namespace tcpsim::packetdrill {

namespace {

int64_t to_int(const std::string& name, const std::string& text) {
    int64_t v = 0;
    const char* b = text.data();
    const char* e = b + text.size();
    while (b < e && (*b == ' ' || *b == '"')) ++b;
    while (e > b && (e[-1] == ' ' || e[-1] == '"')) --e;
    int base = 10;
    if (e - b > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
        b += 2;
        base = 16;
    }
    auto [p, ec] = std::from_chars(b, e, v, base);
    if (ec != std::errc() || p != e) throw std::invalid_argument(name + "=" + text + ": expected an integer");
    return v;
}

std::vector<int64_t> to_ints(const std::string& name, const std::string& text) {
    std::string t;
    for (char c : text) t += c == '"' ? ' ' : c;
    std::istringstream in(t);
    std::vector<int64_t> out;
    std::string w;
    while (in >> w) out.push_back(to_int(name, w));
    return out;
}

}  // namespace

HostSettings default_host_settings(TcpProfile profile) {
    HostSettings h;
    apply_profile(h.tcp, profile);
    // Linux's own defaults where a script does not set them (net.ipv4 sysctls of a fresh boot).
    h.tcp.syn_retries = 6;
    h.tcp.synack_retries = 5;
    h.tcp.receive_buffer = 131072;   // the window when autotuning is off (the rfc profile)
    h.tcp.autotune_initial = 131072; // tcp_rmem[1]
    h.tcp.receive_buffer_max = 6291456;  // tcp_rmem[2] (it sets the window scale in both profiles)
    h.tcp.send_buffer = 16384;
    return h;
}

bool apply_sysctl(HostSettings& h, const std::string& full, const std::string& value) {
    const std::string prefix = "net.ipv4.";
    std::string name = full.rfind(prefix, 0) == 0 ? full.substr(prefix.size()) : full;
    TcpConfig& c = h.tcp;
    auto ignore = [&] {
        h.ignored.push_back(full + "=" + value);
        return false;
    };
    auto flag = [&] { return to_int(full, value) != 0; };
    if (name == "tcp_rmem" || name == "tcp_wmem") {
        std::vector<int64_t> v = to_ints(full, value);
        if (v.size() != 3 || v[1] < 1 || v[2] < v[1]) throw std::invalid_argument(full + "=" + value + ": expected min default max");
        if (name == "tcp_rmem") {
            c.receive_buffer = static_cast<uint64_t>(v[1]);
            c.autotune_initial = static_cast<uint64_t>(v[1]);
            c.receive_buffer_max = static_cast<uint64_t>(v[2]);
        } else {
            c.send_buffer = static_cast<uint64_t>(v[1]);
        }
        return true;
    }
    if (name == "tcp_timestamps") return c.timestamps = flag(), true;
    if (name == "tcp_sack") return c.sack = flag(), true;
    if (name == "tcp_window_scaling") return c.window_scaling = flag(), true;
    if (name == "tcp_syn_retries") return c.syn_retries = static_cast<uint32_t>(to_int(full, value)), true;
    if (name == "tcp_synack_retries") return c.synack_retries = static_cast<uint32_t>(to_int(full, value)), true;
    if (name == "tcp_retries2") return c.data_retries = static_cast<uint32_t>(to_int(full, value)), true;
    if (name == "tcp_reordering") {
        int64_t v = to_int(full, value);
        if (v < 1) throw std::invalid_argument(full + "=" + value + ": expected at least 1");
        c.dupthresh = static_cast<uint32_t>(v);
        return true;
    }
    if (name == "tcp_keepalive_time") return c.keepalive.idle = SimTime::from_s(to_int(full, value)), true;
    if (name == "tcp_keepalive_intvl") return c.keepalive.interval = SimTime::from_s(to_int(full, value)), true;
    if (name == "tcp_keepalive_probes") return c.keepalive.count = static_cast<uint32_t>(to_int(full, value)), true;
    if (name == "tcp_ecn") {
        int64_t v = to_int(full, value);
        c.ecn = v == 1;
        // 2 (Linux's default): answer an ECN-setup SYN but never ask. tcpsim's one switch asks
        // and answers; with it off, an incoming ECN request is refused.
        return v == 2 ? ignore() : true;
    }
    if (name == "tcp_congestion_control") {
        std::string cc = value;
        if (cc == "reno") cc = "newreno";  // Linux's "reno" recovers as NewReno (tcp_input.c)
        if (!is_congestion_control_name(cc)) return ignore();
        c.cc = cc;
        return true;
    }
    // Linux's mechanisms that tcpsim has as settings of their own.
    if (name == "tcp_recovery") return c.rack = (to_int(full, value) & 1) != 0, true;  // RACK loss detection
    if (name == "tcp_early_retrans") {
        // 3 and 4 enable the tail loss probe (0-2: off, or early retransmit that RACK replaced).
        int64_t v = to_int(full, value);
        c.tlp = v == 3 || v == 4;
        return true;
    }
    if (name == "tcp_frto") return c.undo = flag(), true;  // spurious-timeout detection, and its undo
    if (name == "tcp_slow_start_after_idle") return c.slow_start_after_idle = flag(), true;
    if (name == "tcp_syn_linear_timeouts") return c.syn_linear_timeouts = static_cast<uint32_t>(to_int(full, value)), true;
    if (name == "tcp_moderate_rcvbuf") return c.receive_autotuning = flag(), true;
    // What tcpsim does anyway.
    if (name == "tcp_dsack" && flag()) return true;              // D-SACK is always sent
    if (name == "tcp_fack" && !flag()) return true;              // no FACK
    // No equivalent (pacing, TSO sizing, Fast Open, syncookies, ...).
    return ignore();
}

bool apply_module_parameter(HostSettings& h, const std::string& module, const std::string& name, const std::string& value) {
    // CUBIC's HyStart: on or off (hystart), and which of its signals (hystart_detect: 1 the ACK
    // train, 2 the delay; tcpsim runs both or none).
    if (module == "tcp_cubic" && name == "hystart") return h.tcp.hystart = to_int(name, value) != 0, true;
    if (module == "tcp_cubic" && name == "hystart_detect") return h.tcp.hystart = to_int(name, value) != 0, true;
    h.ignored.push_back("/sys/module/" + module + "/parameters/" + name + "=" + value);
    return false;
}

bool apply_option(HostSettings& h, const std::string& name, const std::string& value) {
    if (name == "tolerance_usecs") {
        h.tolerance = SimTime::from_us(to_int("--" + name, value));
        return true;
    }
    if (name == "tcp_ts_tick_usecs") {
        h.ts_tick = SimTime::from_us(to_int("--" + name, value));
        return true;
    }
    if (name == "mss") {
        h.remote_mss = static_cast<uint32_t>(to_int("--" + name, value));
        return true;
    }
    if (name == "ip_version" && value == "ipv4") return true;
    h.ignored.push_back("--" + name + (value.empty() ? "" : "=" + value));
    return false;
}

}  // namespace tcpsim::packetdrill
