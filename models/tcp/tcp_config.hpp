#pragma once
// TcpConfig: every knob of a TCP endpoint, with Linux-like defaults where Linux has one.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/time.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim {

struct KeepaliveConfig {
    bool enabled = false;
    SimTime idle = SimTime::from_s(7200);     // Linux tcp_keepalive_time
    SimTime interval = SimTime::from_s(75);   // Linux tcp_keepalive_intvl
    uint32_t count = 10;                      // unanswered probes before the connection is closed
    bool probe_with_byte = false;             // RFC 1122 4.2.3.6: some stacks send one garbage byte
    bool send_rst = true;                     // Linux sends a RST when it gives up
};

struct DelayedAckConfig {
    bool enabled = true;
    uint32_t every = 2;                      // ACK at least every 2nd full-sized segment (RFC 1122/5681)
    SimTime max_delay = SimTime::from_ms(40);  // the timeout; adaptive: where it starts (Linux TCP_ATO_MIN)
    // Linux's quick-ACK mode: at the start of a connection (and after an idle period longer than
    // the RTO) every segment is acknowledged at once, up to 16 of them (tcp_incr_quickack).
    bool quickack = true;
    // Linux's adaptive timeout (icsk_ack.ato): halves towards the gap between arriving segments,
    // doubles when the timer fires, between max_delay and 200 ms (TCP_DELACK_MAX) or the RTT.
    bool adaptive = true;
};

// A set of defaults for the behaviours where Linux and the RFCs part (docs/tcp.md has the table).
// `linux`: what Linux 6.x does; `rfc`: the standards as written, no Linux-only mechanism.
enum class TcpProfile : uint8_t { linux_tcp, rfc };
constexpr std::string_view to_string(TcpProfile p) { return p == TcpProfile::rfc ? "rfc" : "linux"; }

struct TcpConfig {
    uint32_t mss = 1460;                // the MSS option value announced; payload = min(both) - options
    uint64_t send_buffer = 1 << 20;
    uint64_t receive_buffer = 1 << 20;
    // The largest the receive buffer may become (Linux tcp_rmem[2]): the window scale is chosen
    // so that it can be advertised (tcp_select_initial_window). 0: receive_buffer.
    uint64_t receive_buffer_max = 6291456;
    bool window_scaling = true;         // RFC 7323
    bool sack = true;                   // RFC 2018 SACK-permitted (negotiated)
    bool timestamps = true;             // RFC 7323
    SimTime timestamp_tick = SimTime::from_ms(1);
    bool nagle = true;
    // Nagle as Linux runs it (Minshall's variant, tcp_minshall_check): a short segment is held
    // only while an earlier short segment is unacknowledged. Off: RFC 896/1122, held while any
    // data is unacknowledged.
    bool nagle_minshall = true;
    DelayedAckConfig delayed_ack;
    std::optional<uint32_t> isn;        // fixed ISN (textbook figures); else drawn from the endpoint's stream
    std::string cc = "cubic";           // congestion control: newreno | reno | cubic (Linux's default)
    bool ecn = false;                   // RFC 3168: negotiate ECN, react to CE marks
    uint32_t dupthresh = 3;             // RFC 5681 DupThresh
    uint32_t initial_cwnd_segments = 10;  // RFC 6928 IW10
    // Slow start's growth per ACK: RFC 3465's L in segments (2; 1 after a timeout), or 0 for all
    // that was acknowledged (Linux's tcp_slow_start, which counts every segment delivered).
    uint32_t abc_limit = 0;
    // Linux's congestion window validation (tcp_cwnd_validate, RFC 7661 in spirit): cwnd grows
    // only while the sender uses it (is_cwnd_limited; in slow start while cwnd < twice the most
    // ever in flight in the last window), and a window left unused for an RTO shrinks halfway
    // to what was used (tcp_cwnd_application_limited). Off: every ACK grows cwnd.
    bool cwnd_validation = true;
    // RFC 5681 4.1 / Linux tcp_slow_start_after_idle: after sending nothing for more than an
    // RTO, cwnd is halved once per RTO idle, down to the initial window (tcp_cwnd_restart).
    bool slow_start_after_idle = true;
    // RACK (RFC 8985 6; Linux tcp_recovery 1): loss detection by time, with a reordering window
    // of min_RTT/4 that grows when D-SACKs show retransmissions were spurious; recovery sends
    // what RACK marks lost. Needs SACK; without it, DupThresh and NewReno (RFC 5681, 6582).
    bool rack = true;
    // Tail loss probe (RFC 8985 7; Linux tcp_early_retrans 3): 2 SRTT after the last send with
    // nothing heard, re-send the last segment (or send a new one) to draw an ACK. Needs RACK.
    bool tlp = true;
    // Proportional rate reduction (RFC 6937; Linux): how much is sent during fast recovery.
    // Off: RFC 6675's pipe (cwnd = ssthresh from the start). With RACK.
    bool prr = true;
    // CUBIC's HyStart as Linux runs it (tcp_cubic hystart, hystart_detect 3): slow start ends when
    // a round trip's ACKs arrive as a train longer than half the minimum RTT or its RTT grows.
    bool hystart = true;
    // Undo a window reduction that D-SACKs or timestamps show was for nothing (Linux's
    // tcp_try_undo_*, with tcp_frto 2's detection of a spurious timeout): the window of before.
    bool undo = true;
    SimTime initial_rto = SimTime::from_s(1);    // RFC 6298 (2.1)
    SimTime min_rto = SimTime::from_ms(200);     // Linux; RFC 6298 (2.4) says 1 s
    SimTime max_rto = SimTime::from_s(120);      // Linux TCP_RTO_MAX
    // Where min_rto applies: true, to the variance term (Linux: RTO = SRTT + max(4*RTTVAR,
    // min_rto)); false, to the whole RTO (RFC 6298 (2.4): RTO = max(SRTT + 4*RTTVAR, min_rto)).
    bool min_rto_on_variance = true;
    // Linux tcp_syn_linear_timeouts (6.5+): the first N SYN retransmissions keep the initial RTO,
    // and connect() gives up at the first expiry past the exponential schedule's budget
    // 1 + 2 + ... + 2^syn_retries initial RTOs (time-based, tcp_model_timeout). 0: RFC 6298 (5.5)
    // exponential back-off from the first expiry, and give up after syn_retries retransmissions.
    uint32_t syn_linear_timeouts = 4;
    // TCP_USER_TIMEOUT (RFC 5482; Linux): give up on the connection once data has gone
    // unacknowledged this long since its first timeout retransmission. Zero: off.
    SimTime user_timeout;
    // How the receive window is chosen and announced. Linux's (true): a read sends a window
    // update only once the window can double (tcp_cleanup_rbuf). RFC (false): the free buffer,
    // announced once it has grown by a segment or half the buffer (RFC 1122 4.2.3.3).
    bool linux_receive_window = true;
    // Linux's receive buffer autotuning (tcp_moderate_rcvbuf): the buffer starts at
    // autotune_initial (tcp_rmem[1], 131072) and grows to receive_buffer_max (tcp_rmem[2],
    // 6 MiB); the window is half of it. Off, or when receive_buffer is set (as SO_RCVBUF turns
    // Linux's off): the window space is receive_buffer.
    bool receive_autotuning = true;
    uint64_t autotune_initial = 131072;
    uint32_t syn_retries = 6;           // Linux tcp_syn_retries
    uint32_t synack_retries = 5;        // Linux tcp_synack_retries
    uint32_t data_retries = 15;         // Linux tcp_retries2
    SimTime msl = SimTime::from_s(30);  // TIME-WAIT lasts 2*MSL = 60 s, as Linux's fixed TIME-WAIT
    KeepaliveConfig keepalive;
    TcpProfile profile = TcpProfile::linux_tcp;
};

// The behaviours a profile decides, set to that profile's values (the rest of `c` is kept).
void apply_profile(TcpConfig& c, TcpProfile p);

// Reads the fields present in r over `base` ("tcp" at the top level, then per-node and
// per-application overrides).
TcpConfig read_tcp_config(JsonObjectReader& r, TcpConfig base);
Json tcp_config_to_json(const TcpConfig& c);

}  // namespace tcpsim
