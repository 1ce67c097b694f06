#pragma once
// TcpSession: runs one TcpAppSpec: the client side's connection, the server side accepted for
// it, the application behaviour of both, and what the summary reports about them (bytes each
// way, whether each stream arrived whole and in order, times, how each side ended). A "calls"
// application's behaviour is each side's CallRunner; the session gives them their events.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "models/tcp/tcp_app_spec.hpp"
#include "models/tcp/tcp_stack.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim {

class CallRunner;
class TcpSession;

// Told once when both sides of a session are closed.
class SessionObserver {
public:
    // The client has sent its SYN from client_port(): the server side may now be accepted.
    virtual void session_started(TcpSession& s) = 0;
    virtual void session_finished(TcpSession& s) = 0;

protected:
    ~SessionObserver() = default;
};

// What the summary reports of one side's TCP endpoint, copied from it when it closes (or at the
// end of the run): kept apart from SideRecord, and only once needed, so that a session whose
// connections are open (100,000 idle ones) does not carry two of them.
struct EndpointSnapshot {
    TcpCounters counters;
    SimTime srtt, rto;
    uint64_t cwnd = 0, ssthresh = 0;
    std::string cc;
};

// One side's view of its byte streams.
struct SideRecord {
    // "Not (yet)" for the times: they are never negative. (Not std::optional, which doubles
    // them: every session of 100,000 idle connections has four.)
    static constexpr SimTime kNever = SimTime::from_ns(std::numeric_limits<int64_t>::min());
    uint64_t to_send = 0;        // bytes the application still has to hand to TCP
    uint64_t written = 0;        // handed to TCP
    uint64_t received = 0;       // in-order bytes received
    uint64_t stream_errors = 0;  // deliveries not starting where the previous ended
    SimTime connected_at = kNever, closed_at = kNever;
    std::unique_ptr<EndpointSnapshot> endpoint;  // null until snapshot()
    uint16_t port = 0;           // this side's (the address is its node's name and this port)
    std::optional<CloseReason> outcome;
    bool close_when_sent = false;
    bool closed = false;
    bool existed = false;
};

// The session is the application of both its connections (TcpApplication); which side a call
// is about is told by the connection (side_of()).
class TcpSession final : public EventTarget, public TcpApplication {
public:
    enum Event : uint32_t { kStart, kClose, kAbort, kThinkDone, kClientCalls, kServerCalls };

    TcpSession(uint32_t index, const TcpAppSpec& spec, TcpStack& client, TcpStack& server, SessionObserver& obs);
    TcpSession(uint32_t, TcpAppSpec&&, TcpStack&, TcpStack&, SessionObserver&) = delete;  // spec_ refers
    ~TcpSession();
    void schedule(Simulator& sim);
    void on_event(uint32_t kind, uint64_t arg) override;
    // The server's listener hands over the connection it accepted for this session.
    TcpApplication* accept(TcpConnection& c);
    uint16_t client_port() const { return client_port_; }
    const TcpAppSpec& spec() const { return spec_; }
    bool finished() const { return finished_; }
    Json summary();

    // TcpApplication, for both sides.
    void on_connected(TcpConnection& c) override { connected(side_of(c), c); }
    void on_data(TcpConnection& c, uint64_t offset, uint64_t bytes) override { data(side_of(c), c, offset, bytes); }
    void on_peer_closed(TcpConnection& c) override { peer_closed(side_of(c), c); }
    void on_writable(TcpConnection& c) override { writable(side_of(c)); }
    void on_closed(TcpConnection& c, CloseReason r) override { side_closed(side_of(c), c, r); }

private:
    struct Side {
        TcpConnection* conn = nullptr;
        SideRecord rec;
    };
    // The server's connection is known from accept() on, before it can call; any other is the
    // client's (whose pointer is only stored once connect() has returned).
    Side& side_of(const TcpConnection& c) { return &c == server_.conn ? server_ : client_; }
    bool is_client(const Side& side) const { return &side == &client_; }

    void connected(Side& side, TcpConnection& c);
    void data(Side& side, TcpConnection& c, uint64_t offset, uint64_t bytes);
    void peer_closed(Side& side, TcpConnection& c);
    void writable(Side& side);
    void side_closed(Side& side, TcpConnection& c, CloseReason r);
    void push(Side& side);
    void queue(Side& side, uint64_t bytes, bool then_close);
    void snapshot(Side& side);
    void check_finished();
    // A "calls" application: each side's runner and the event that wakes it (only that kind has
    // them: the other sessions stay small).
    struct Calls;
    CallRunner& runner(const Side& side);
    // After anything the side's runner was told or did: its next event, the bytes it wrote, and
    // whether the application is complete.
    void calls_changed(Side& side);

    uint32_t index_;
    const TcpAppSpec& spec_;  // the scenario's, which outlives the World and its sessions
    TcpStack& client_stack_;   // the server's is reached through accept()'s connection
    SessionObserver& obs_;
    Side client_, server_;
    std::unique_ptr<Calls> calls_;  // null unless spec_.kind is calls
    SimTime completed_at_ = SideRecord::kNever;
    uint32_t responses_done_ = 0, requests_served_ = 0;
    uint16_t client_port_ = 0;
    bool finished_ = false;
};

}  // namespace tcpsim
