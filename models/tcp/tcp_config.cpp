#include "models/tcp/tcp_config.hpp"

#include "models/tcp/congestion_control.hpp"

namespace tcpsim {

void apply_profile(TcpConfig& c, TcpProfile p) {
    bool lx = p == TcpProfile::linux_tcp;
    c.profile = p;
    c.min_rto = lx ? SimTime::from_ms(200) : SimTime::from_s(1);  // Linux TCP_RTO_MIN; RFC 6298 (2.4)
    c.min_rto_on_variance = lx;
    c.syn_linear_timeouts = lx ? 4 : 0;
    c.delayed_ack.quickack = lx;
    c.delayed_ack.adaptive = lx;
    c.linux_receive_window = lx;
    c.receive_autotuning = lx;
    c.receive_buffer_max = lx ? 6291456 : 0;  // Linux tcp_rmem[2]; rfc: the window scale fits receive_buffer
    c.abc_limit = lx ? 0 : 2;
    c.cwnd_validation = lx;
    c.slow_start_after_idle = true;  // RFC 5681 4.1 SHOULD, and Linux's default
    c.nagle_minshall = lx;
    c.rack = lx;
    c.tlp = lx;
    c.prr = lx;
    c.hystart = lx;
    c.undo = lx;
}

TcpConfig read_tcp_config(JsonObjectReader& r, TcpConfig c) {
    // The profile first: the keys beside it change its values one by one.
    if (r.has("profile")) apply_profile(c, r.choice("profile", {"linux", "rfc"}, "linux") == "rfc" ? TcpProfile::rfc : TcpProfile::linux_tcp);
    c.mss = static_cast<uint32_t>(r.integer_or("mss", c.mss, 88, 65495));
    c.send_buffer = r.byte_size_or("send_buffer", c.send_buffer, 1);
    c.receive_buffer = r.byte_size_or("receive_buffer", c.receive_buffer, 1);
    // A fixed receive buffer turns autotuning off, as SO_RCVBUF does on Linux.
    if (r.has("receive_buffer") && !r.has("receive_autotuning")) c.receive_autotuning = false;
    if (auto v = r.optional("receive_autotuning")) {
        if (v->value.is_boolean()) {
            c.receive_autotuning = v->value.get<bool>();
        } else {
            JsonObjectReader a(v->value, v->pointer, r.file());
            c.receive_autotuning = a.boolean_or("enabled", true);
            c.autotune_initial = a.byte_size_or("initial", c.autotune_initial, 1);
            c.receive_buffer_max = a.byte_size_or("max", c.receive_buffer_max, 1);
            if (c.receive_buffer_max > (1ULL << 31)) a.fail("max", "at most 2 GiB (a 1 GiB window, scale 14)");
            if (c.autotune_initial > c.receive_buffer_max) a.fail("initial", "at most \"max\" (" + std::to_string(c.receive_buffer_max) + " bytes)");
            a.finish();
        }
    }
    if (c.send_buffer > (1ULL << 30)) r.fail("send_buffer", "at most 1 GiB");
    if (c.receive_buffer > (1ULL << 30)) r.fail("receive_buffer", "at most 1 GiB (window scale 14)");
    c.receive_buffer_max = r.byte_size_or("receive_buffer_max", c.receive_buffer_max, 1);
    if (c.receive_buffer_max > (1ULL << 30)) r.fail("receive_buffer_max", "at most 1 GiB (window scale 14)");
    c.window_scaling = r.boolean_or("window_scaling", c.window_scaling);
    c.sack = r.boolean_or("sack", c.sack);
    c.timestamps = r.boolean_or("timestamps", c.timestamps);
    c.timestamp_tick = r.duration_or("timestamp_tick", c.timestamp_tick, SimTime::from_us(1));
    c.nagle = r.boolean_or("nagle", c.nagle);
    c.nagle_minshall = r.boolean_or("nagle_minshall", c.nagle_minshall);
    if (auto v = r.optional("delayed_ack")) {
        if (v->value.is_boolean()) {
            c.delayed_ack.enabled = v->value.get<bool>();
        } else {
            JsonObjectReader d(v->value, v->pointer, r.file());
            c.delayed_ack.enabled = d.boolean_or("enabled", true);
            c.delayed_ack.every = static_cast<uint32_t>(d.integer_or("every", c.delayed_ack.every, 1, 64));
            c.delayed_ack.max_delay = d.duration_or("max_delay", c.delayed_ack.max_delay, SimTime::from_ns(1));
            if (c.delayed_ack.max_delay > SimTime::from_ms(500))
                d.fail("max_delay", "at most 500ms (RFC 1122 4.2.3.2)");
            c.delayed_ack.quickack = d.boolean_or("quickack", c.delayed_ack.quickack);
            c.delayed_ack.adaptive = d.boolean_or("adaptive", c.delayed_ack.adaptive);
            d.finish();
        }
    }
    if (r.has("isn")) c.isn = static_cast<uint32_t>(r.integer_or("isn", 0, 0, UINT32_MAX));
    if (r.has("cc")) {
        std::string cc = r.string_or("cc", c.cc);
        if (!make_congestion_control(cc))
            r.fail("cc", "one of " + std::string(kCongestionControlNames));
        c.cc = cc;
    }
    c.ecn = r.boolean_or("ecn", c.ecn);
    c.dupthresh = static_cast<uint32_t>(r.integer_or("dupthresh", c.dupthresh, 1, 1000));
    c.initial_cwnd_segments = static_cast<uint32_t>(r.integer_or("initial_cwnd", c.initial_cwnd_segments, 1, 1000));
    c.abc_limit = static_cast<uint32_t>(r.integer_or("abc_limit", c.abc_limit, 0, 64));
    c.cwnd_validation = r.boolean_or("cwnd_validation", c.cwnd_validation);
    c.slow_start_after_idle = r.boolean_or("slow_start_after_idle", c.slow_start_after_idle);
    c.rack = r.boolean_or("rack", c.rack);
    c.tlp = r.boolean_or("tlp", c.tlp);
    c.prr = r.boolean_or("prr", c.prr);
    c.hystart = r.boolean_or("hystart", c.hystart);
    c.undo = r.boolean_or("undo", c.undo);
    c.initial_rto = r.duration_or("initial_rto", c.initial_rto, SimTime::from_ms(1));
    c.min_rto = r.duration_or("min_rto", c.min_rto, SimTime::from_us(1));
    c.max_rto = r.duration_or("max_rto", c.max_rto, SimTime::from_ms(1));
    if (c.max_rto < c.min_rto) r.fail("max_rto", "a duration >= min_rto (" + c.min_rto.to_string() + ")");
    if (r.has("rto_formula")) c.min_rto_on_variance = r.choice("rto_formula", {"linux", "rfc6298"}, "linux") == "linux";
    c.syn_linear_timeouts = static_cast<uint32_t>(r.integer_or("syn_linear_timeouts", c.syn_linear_timeouts, 0, 127));
    c.user_timeout = r.duration_or("user_timeout", c.user_timeout, SimTime::zero());
    if (r.has("receive_window")) c.linux_receive_window = r.choice("receive_window", {"linux", "rfc"}, "linux") == "linux";
    c.syn_retries = static_cast<uint32_t>(r.integer_or("syn_retries", c.syn_retries, 0, 127));
    c.synack_retries = static_cast<uint32_t>(r.integer_or("synack_retries", c.synack_retries, 0, 127));
    c.data_retries = static_cast<uint32_t>(r.integer_or("data_retries", c.data_retries, 1, 127));
    c.msl = r.duration_or("msl", c.msl);
    if (auto v = r.optional("keepalive")) {
        if (v->value.is_boolean()) {
            c.keepalive.enabled = v->value.get<bool>();
        } else {
            JsonObjectReader k(v->value, v->pointer, r.file());
            c.keepalive.enabled = k.boolean_or("enabled", true);
            c.keepalive.idle = k.duration_or("idle", c.keepalive.idle, SimTime::from_ms(1));
            c.keepalive.interval = k.duration_or("interval", c.keepalive.interval, SimTime::from_ms(1));
            c.keepalive.count = static_cast<uint32_t>(k.integer_or("count", c.keepalive.count, 1, 1000));
            c.keepalive.probe_with_byte = k.boolean_or("probe_with_byte", c.keepalive.probe_with_byte);
            c.keepalive.send_rst = k.boolean_or("send_rst", c.keepalive.send_rst);
            k.finish();
        }
    }
    return c;
}

Json tcp_config_to_json(const TcpConfig& c) {
    Json j;
    j["profile"] = std::string(to_string(c.profile));
    j["mss"] = c.mss;
    j["send_buffer"] = c.send_buffer;
    j["receive_buffer"] = c.receive_buffer;
    j["receive_buffer_max"] = c.receive_buffer_max;
    j["receive_autotuning"] = {{"enabled", c.receive_autotuning}, {"initial", c.autotune_initial}};
    j["window_scaling"] = c.window_scaling;
    j["sack"] = c.sack;
    j["timestamps"] = c.timestamps;
    j["timestamp_tick_ns"] = c.timestamp_tick.ns();
    j["nagle"] = c.nagle;
    j["nagle_minshall"] = c.nagle_minshall;
    j["delayed_ack"] = {{"enabled", c.delayed_ack.enabled},
                        {"every", c.delayed_ack.every},
                        {"max_delay_ns", c.delayed_ack.max_delay.ns()},
                        {"quickack", c.delayed_ack.quickack},
                        {"adaptive", c.delayed_ack.adaptive}};
    if (c.isn) j["isn"] = *c.isn;
    j["cc"] = c.cc;
    j["ecn"] = c.ecn;
    j["dupthresh"] = c.dupthresh;
    j["initial_cwnd"] = c.initial_cwnd_segments;
    j["abc_limit"] = c.abc_limit;
    j["cwnd_validation"] = c.cwnd_validation;
    j["slow_start_after_idle"] = c.slow_start_after_idle;
    j["rack"] = c.rack;
    j["tlp"] = c.tlp;
    j["prr"] = c.prr;
    j["hystart"] = c.hystart;
    j["undo"] = c.undo;
    j["initial_rto_ns"] = c.initial_rto.ns();
    j["min_rto_ns"] = c.min_rto.ns();
    j["max_rto_ns"] = c.max_rto.ns();
    j["rto_formula"] = c.min_rto_on_variance ? "linux" : "rfc6298";
    j["syn_linear_timeouts"] = c.syn_linear_timeouts;
    j["user_timeout_ns"] = c.user_timeout.ns();
    j["receive_window"] = c.linux_receive_window ? "linux" : "rfc";
    j["syn_retries"] = c.syn_retries;
    j["synack_retries"] = c.synack_retries;
    j["data_retries"] = c.data_retries;
    j["msl_ns"] = c.msl.ns();
    j["keepalive"] = {{"enabled", c.keepalive.enabled},   {"idle_ns", c.keepalive.idle.ns()},
                      {"interval_ns", c.keepalive.interval.ns()}, {"count", c.keepalive.count},
                      {"probe_with_byte", c.keepalive.probe_with_byte}, {"send_rst", c.keepalive.send_rst}};
    return j;
}

}  // namespace tcpsim
