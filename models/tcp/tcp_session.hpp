#pragma once
// TcpSession: runs one TcpAppSpec: the client side's connection, the server side accepted for
// it, the application behaviour of both, and what the summary reports about them (bytes each
// way, whether each stream arrived whole and in order, times, how each side ended).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "models/tcp/tcp_app_spec.hpp"
#include "models/tcp/tcp_stack.hpp"
#include "sim/json_reader.hpp"

namespace tcpsim {

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
    uint64_t to_send = 0;        // bytes the application still has to hand to TCP
    uint64_t written = 0;        // handed to TCP
    uint64_t received = 0;       // in-order bytes received
    uint64_t stream_errors = 0;  // deliveries not starting where the previous ended
    bool close_when_sent = false;
    bool closed = false;
    bool existed = false;
    uint16_t port = 0;           // this side's (the address is its node's name and this port)
    std::optional<CloseReason> outcome;
    std::optional<SimTime> connected_at, closed_at;
    std::unique_ptr<EndpointSnapshot> endpoint;  // null until snapshot()
};

class TcpSession final : public EventTarget {
public:
    enum Event : uint32_t { kStart, kClose, kAbort, kThinkDone };

    TcpSession(uint32_t index, const TcpAppSpec& spec, TcpStack& client, TcpStack& server, SessionObserver& obs);
    TcpSession(uint32_t, TcpAppSpec&&, TcpStack&, TcpStack&, SessionObserver&) = delete;  // spec_ refers
    void schedule(Simulator& sim);
    void on_event(uint32_t kind, uint64_t arg) override;
    // The server's listener hands over the connection it accepted for this session.
    TcpApplication* accept(TcpConnection& c);
    uint16_t client_port() const { return client_port_; }
    const TcpAppSpec& spec() const { return spec_; }
    bool finished() const { return finished_; }
    Json summary();

private:
    struct Side final : public TcpApplication {
        TcpSession* s;
        bool is_client;
        TcpConnection* conn = nullptr;
        SideRecord rec;
        void on_connected(TcpConnection& c) override { s->connected(*this, c); }
        void on_data(TcpConnection& c, uint64_t offset, uint64_t bytes) override { s->data(*this, c, offset, bytes); }
        void on_peer_closed(TcpConnection& c) override { s->peer_closed(*this, c); }
        void on_writable(TcpConnection&) override { s->push(*this); }
        void on_closed(TcpConnection& c, CloseReason r) override { s->side_closed(*this, c, r); }
    };

    void connected(Side& side, TcpConnection& c);
    void data(Side& side, TcpConnection& c, uint64_t offset, uint64_t bytes);
    void peer_closed(Side& side, TcpConnection& c);
    void side_closed(Side& side, TcpConnection& c, CloseReason r);
    void push(Side& side);
    void queue(Side& side, uint64_t bytes, bool then_close);
    void snapshot(Side& side);
    void check_finished();

    uint32_t index_;
    const TcpAppSpec& spec_;  // the scenario's, which outlives the World and its sessions
    TcpStack& client_stack_;
    TcpStack& server_stack_;
    SessionObserver& obs_;
    Side client_, server_;
    uint16_t client_port_ = 0;
    uint32_t responses_done_ = 0, requests_served_ = 0;
    std::optional<SimTime> completed_at_;
    bool finished_ = false;
};

}  // namespace tcpsim
