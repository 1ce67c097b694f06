#pragma once
// EndpointHarness: drives one TcpEndpoint directly, with no network and no event queue, and
// records everything it does: segments emitted, timers set and cancelled, state changes and
// what the application was told. Tests feed it hand-made segments ("given an established
// connection, when this segment arrives, these segments leave").
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim::test {

struct StateChange {
    TcpState from, to;
    std::string reason;
};

class EndpointHarness final : public TcpEndpointOutput {
public:
    // Local node 0 port 1000, remote node 1 port 2000.
    // The timestamp clock starts at `ts_offset` (the ISS unless told: TSval = ISS + ticks).
    explicit EndpointHarness(const TcpConfig& c = TcpConfig{}, uint32_t iss = 1000)
        : EndpointHarness(c, iss, iss) {}
    EndpointHarness(const TcpConfig& c, uint32_t iss, uint32_t ts_offset)
        : config(c), ep(config, *this, TcpAddress{0, 1000}, TcpAddress{1, 2000}, iss, ts_offset) {}
    // The other end of a pair: local node 1 port 2000, remote node 0 port 1000 (see Wire).
    struct Peer {};
    EndpointHarness(Peer, const TcpConfig& c, uint32_t iss)
        : config(c), ep(config, *this, TcpAddress{1, 2000}, TcpAddress{0, 1000}, iss, iss) {}

    // --- TcpEndpointOutput ---
    void emit(const Packet& s) override { sent.push_back(s); }
    void set_timer(TcpTimer t, SimTime at) override { timers[t] = at; }
    void cancel_timer(TcpTimer t) override { timers.erase(t); }
    void state_changed(TcpState from, TcpState to, std::string_view reason) override {
        states.push_back({from, to, std::string(reason)});
    }
    void connected() override { ++connected_count; }
    void data_received(uint64_t offset, uint64_t bytes) override {
        if (offset != received) ++stream_errors;
        received += bytes;
    }
    void peer_closed() override {
        ++peer_closed_count;
        if (on_peer_closed) on_peer_closed();
    }
    void writable() override {
        ++writable_count;
        if (on_writable) on_writable();
    }
    void closed(CloseReason r) override { close_reasons.push_back(r); }
    void note(std::string_view, SimTime) override {}

    // A segment from the peer (node 1 port 2000 to node 0 port 1000).
    static Packet from_peer(uint8_t flags, uint32_t seq, uint32_t ack = 0, uint32_t len = 0, uint32_t win = 65535) {
        Packet p;
        p.src_node = 1;
        p.src_port = 2000;
        p.dst_node = 0;
        p.dst_port = 1000;
        p.flags = flags;
        p.seq = seq;
        p.ack = ack;
        p.payload_len = len;
        p.window = win;
        return p;
    }
    void deliver(const Packet& p, SimTime now) { ep.on_segment(p, now); }
    // Fires a timer if it is set (as the stack would at its due time); returns false if not set.
    bool fire(TcpTimer t) {
        auto it = timers.find(t);
        if (it == timers.end()) return false;
        SimTime at = it->second;
        timers.erase(it);
        ep.on_timer(t, at);
        return true;
    }
    bool timer_set(TcpTimer t) const { return timers.count(t) > 0; }
    // The states entered, in order, e.g. "SYN-SENT ESTABLISHED".
    std::string state_path() const {
        std::string out;
        for (const StateChange& c : states) {
            if (!out.empty()) out += ' ';
            out += to_string(c.to);
        }
        return out;
    }
    // Active open to ESTABLISHED: our SYN at t = 0, the peer's SYN-ACK (ISS `peer_iss`, MSS 1460,
    // window `window`, SACK-permitted if `sack`) at `at`; what was sent is cleared.
    void establish(uint32_t peer_iss, SimTime at = SimTime::from_ms(100), uint32_t window = 65535, bool sack = false) {
        ep.connect(SimTime::zero());
        Packet synack = from_peer(kSyn | kAck, peer_iss, ep.iss() + 1, 0, window);
        synack.options.mss = 1460;
        synack.options.sack_permitted = sack;
        deliver(synack, at);
        REQUIRE(ep.state() == TcpState::ESTABLISHED);
        sent.clear();
    }
    SimTime timer_due(TcpTimer t) const { return timers.at(t); }
    const Packet& last() const { return sent.back(); }
    std::vector<Packet> take() {
        std::vector<Packet> out;
        out.swap(sent);
        return out;
    }

    TcpConfig config;  // the endpoint refers to it
    TcpEndpoint ep;
    std::vector<Packet> sent;
    std::map<TcpTimer, SimTime> timers;
    std::vector<StateChange> states;
    std::vector<CloseReason> close_reasons;
    std::function<void()> on_peer_closed;  // the application's reaction, if any
    std::function<void()> on_writable;     // the application's write when send space frees
    int connected_count = 0, peer_closed_count = 0, writable_count = 0;
    uint64_t received = 0, stream_errors = 0;
};

// A TcpConfig with the options off and delayed ACK off: segment dialogues stay short.
inline TcpConfig plain_tcp() {
    // The RFCs' rules (the rfc profile: RFC 1122 delayed ACKs, RFC 6298 RTO, exponential SYN
    // back-off), with the 200 ms RTO floor the dialogues' figures were worked out with.
    TcpConfig c;
    apply_profile(c, TcpProfile::rfc);
    c.min_rto = SimTime::from_ms(200);
    c.timestamps = false;
    c.sack = false;
    c.window_scaling = false;
    c.delayed_ack.enabled = false;
    c.receive_buffer = 65535;
    c.cc = "newreno";  // the textbook window arithmetic of RFC 5681
    return c;
}

}  // namespace tcpsim::test
