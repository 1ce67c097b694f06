#pragma once
// TcpStack: the TCP layer of one host. Demultiplexes arriving segments to connections by
// (local port, remote node, remote port), creates connections for listeners on a SYN, answers
// segments for closed ports with RST (RFC 9293 3.10.7.1), and runs each connection's timers on
// the simulator. TcpConnection is the glue between one TcpEndpoint and the simulation: it
// implements the endpoint's output (segments to the node, timers to the event queue, trace
// records, calls to the application).
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "models/network/node.hpp"
#include "models/tcp/tcp_application.hpp"
#include "models/tcp/tcp_endpoint.hpp"
#include "sim/core/probing_table.hpp"
#include "sim/core/simulator.hpp"

namespace tcpsim {

class Network;
class TcpStack;

class TcpConnection final : public EventTarget, public TcpEndpointOutput {
public:
    TcpConnection(TcpStack& stack, const TcpConfig& config, TcpAddress local, TcpAddress remote, uint32_t iss,
                  uint32_t ts_offset, TcpApplication* app);  // `config` must outlive the connection (TcpEndpoint)
    TcpConnection(TcpStack&, TcpConfig&&, TcpAddress, TcpAddress, uint32_t, uint32_t, TcpApplication*) = delete;
    ~TcpConnection();

    TcpEndpoint& endpoint() { return ep_; }
    const TcpEndpoint& endpoint() const { return ep_; }
    uint32_t trace_id() const { return trace_id_; }
    void set_application(TcpApplication* app) { app_ = app; }

    // Application calls, at the simulator's current time.
    uint64_t send(uint64_t bytes);
    void close();
    void abort();

    void on_event(uint32_t kind, uint64_t arg) override;

    // TcpEndpointOutput
    void emit(const Packet& segment) override;
    void set_timer(TcpTimer t, SimTime at) override;
    void cancel_timer(TcpTimer t) override;
    void state_changed(TcpState from, TcpState to, std::string_view reason) override;
    void connected() override;
    void data_received(uint64_t offset, uint64_t bytes) override;
    void peer_closed() override;
    void writable() override;
    void closed(CloseReason reason) override;
    void note(std::string_view what, SimTime value) override;
    void congestion_changed(const CcSample& sample) override;
    // Writes a "cc" record for the connection now (periodic sampling, --sample-interval).
    void write_cc_sample();

private:
    // A timer is armed in the event queue only when it must fire earlier than the entry already
    // there; a later deadline is remembered and the early firing re-arms itself. Restarting the
    // RTO on every ACK thus costs no heap operation.
    struct LazyTimer {
        // `due` is never negative (now plus a non-negative delay): INT64_MIN says "not set",
        // which keeps the struct at 24 bytes.
        static constexpr SimTime kOff = SimTime::from_ns(std::numeric_limits<int64_t>::min());
        TimerHandle handle;
        SimTime queued_at;  // when the entry in the event queue fires
        SimTime due = kOff; // when the endpoint wants it
        bool active() const { return due != kOff; }
    };
    // The retransmission and keepalive timers run on an idle connection (the handshake, then
    // keepalive); persist, delayed ACK and TIME-WAIT only once data moves or the connection
    // closes: they are allocated then, once per connection.
    using RareTimers = std::array<LazyTimer, 3>;
    // Inline: every ACK sets or cancels a timer or two.
    LazyTimer* find_timer(TcpTimer t) {
        switch (t) {
            case TcpTimer::retransmit: return &timers_[0];
            case TcpTimer::keepalive: return &timers_[1];
            case TcpTimer::persist: return rare_timers_ ? &(*rare_timers_)[0] : nullptr;
            case TcpTimer::delayed_ack: return rare_timers_ ? &(*rare_timers_)[1] : nullptr;
            case TcpTimer::time_wait: return rare_timers_ ? &(*rare_timers_)[2] : nullptr;
        }
        return nullptr;
    }
    LazyTimer& timer(TcpTimer t) {
        if (LazyTimer* lt = find_timer(t)) return *lt;
        return make_rare_timer(t);
    }
    LazyTimer& make_rare_timer(TcpTimer t);

    TcpStack& stack_;
    TcpEndpoint ep_;
    TcpApplication* app_;
    uint32_t trace_id_;
    std::array<LazyTimer, 2> timers_{};  // retransmit, keepalive
    std::unique_ptr<RareTimers> rare_timers_;
};

class TcpStack final : public SegmentHandler, public EventTarget {
public:
    // Makes the application of a connection a listener accepts (nullptr: a plain sink).
    using AcceptFn = std::function<TcpApplication*(TcpConnection&)>;

    TcpStack(Network& net, Node& node, const TcpConfig& config);
    ~TcpStack();

    Node& node() { return node_; }
    Network& network() { return net_; }
    Simulator& sim();
    const TcpConfig& config() const { return config_; }

    // Active open from `local_port` (0: the next free ephemeral port, from 49152).
    // `config` must outlive the connection (the endpoint refers to it).
    TcpConnection& connect(uint32_t remote_node, uint16_t remote_port, const TcpConfig& config, TcpApplication* app,
                           uint16_t local_port = 0);
    TcpConnection& connect(uint32_t, uint16_t, TcpConfig&&, TcpApplication*, uint16_t = 0) = delete;
    void listen(uint16_t port, const TcpConfig& config, AcceptFn accept);
    // The port stops listening: a SYN to it is answered with RST (the listener's connections are
    // the application's to end).
    void unlisten(uint16_t port) { listeners_.erase(port); }
    // A port some application will connect from explicitly: never handed out as ephemeral.
    void reserve_port(uint16_t port) { reserved_.insert(port); }

    void on_segment(const Packet& p) override;
    void on_event(uint32_t kind, uint64_t arg) override;  // reaps closed connections

    // Called by a connection whose endpoint reached CLOSED: removed from the demultiplexer now,
    // destroyed after the current event (its endpoint may still be on the call stack).
    void retire(TcpConnection& c);
    size_t open_connections() const { return by_key_.size(); }
    TcpConnection* find(uint16_t local_port, uint32_t remote_node, uint16_t remote_port);
    // Open connections in trace-id order (deterministic, unlike the hash map).
    std::vector<TcpConnection*> connections_in_order() const;
    // 0: a "cc" record at every change; else the world samples every interval instead.
    void set_cc_sampling(bool periodic) { cc_periodic_ = periodic; }
    bool cc_periodic() const { return cc_periodic_; }

private:
    static uint64_t key(uint16_t local_port, uint32_t remote_node, uint16_t remote_port) {
        return (static_cast<uint64_t>(remote_node) << 32) | (static_cast<uint64_t>(local_port) << 16) | remote_port;
    }
    // The connection of an arriving segment: the one the last segment went to, when its trace id
    // and port say it is the same (see on_segment); else a lookup of the 4-tuple.
    TcpConnection* demux(const Packet& p) {
        TcpConnection* c = last_;
        if (c && c->trace_id() == p.conn_id && c->endpoint().local().port == p.dst_port) return c;
        if ((c = find(p.dst_port, p.src_node, p.src_port))) last_ = c;
        return c;
    }
    // A connection leaving the demultiplexer is no longer the last one found.
    void forget(const TcpConnection* c) {
        if (last_ == c) last_ = nullptr;
    }
    using Owned = std::unique_ptr<TcpConnection>;
    static uint64_t key_of(const Owned& c) {
        return key(c->endpoint().local().port, c->endpoint().remote().node, c->endpoint().remote().port);
    }
    static uint64_t hash(uint64_t k) { return mix64(k); }
    // A new connection's ISS (or the configured ISN) and the start of its timestamp clock.
    struct InitialNumbers {
        uint32_t iss, ts_offset;
    };
    InitialNumbers draw_initial(const TcpConfig& c, uint16_t local_port, uint32_t remote_node, uint16_t remote_port);
    void send_reset_for(const Packet& p);

    struct Listener {
        TcpConfig config;
        AcceptFn accept;
    };

    Network& net_;
    Node& node_;
    TcpConfig config_;
    // Open connections by key(): one owning pointer per slot (the key is the connection's own).
    ProbingTable<Owned> by_key_;
    std::map<uint16_t, Listener> listeners_;
    std::set<uint16_t> reserved_;
    std::vector<std::unique_ptr<TcpConnection>> retired_;
    // The connection the last segment went to (null: none, or it has left): a host's segments
    // come in trains for one connection (one per host in the benchmarks), so most arrivals find it
    // here without hashing (~60 instructions per segment). Never one retired or replaced.
    TcpConnection* last_ = nullptr;
    bool reap_scheduled_ = false;
    uint16_t next_ephemeral_ = 49152;
    bool cc_periodic_ = false;
};

}  // namespace tcpsim
