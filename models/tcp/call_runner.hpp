#pragma once
// CallRunner: plays one side's list of socket calls (SocketCall) on its connection, the way a
// program with a blocking socket makes them:
// - no call is made before the connection is established (a blocking connect or accept);
// - calls are made in time order, ties in list order; a write that does not fit in the send
//   buffer blocks, and the calls after it wait until its last byte is in the buffer (so the FIN of
//   a shutdown or close follows every byte written before it). Reads and abort do not wait for a
//   blocked write: the program reads on a thread of its own, and an abort is how it gives up;
// - a read lets the program take N more bytes: those waiting now, the rest as they arrive. What
//   it does not take stays in the receive buffer and closes the advertised window. A list with no
//   read call reads everything as it arrives (the endpoint's auto-read);
// - close with unread data resets the connection, and so does data that arrives after the
//   program stopped reading, once its FIN is sent (RFC 1122 4.2.2.13, RFC 2525 2.17; Linux's
//   tcp_close and tcp_rcv_state_process in FIN-WAIT-1/2);
// - once every call is made and the peer's end of stream has been read, the program closes the
//   socket (it exits), if it had not already.
// It has no clock: run(now) makes what is due, next_run(now) says when it next has something to
// do, and its owner (TcpSession) turns that into an event. Inputs are what the connection tells.
#include <cstdint>
#include <vector>

#include "models/tcp/socket_call.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

class Network;
class TcpConnection;

class CallRunner {
public:
    static constexpr SimTime kNever = SimTime::max();

    // `calls` (the scenario's) must outlive the runner; `start` is the application's.
    CallRunner(const CallList& calls, SimTime start, Network& net);
    CallRunner(CallList&&, SimTime, Network&) = delete;

    // The side's connection exists (the client's from its connect, the server's from the SYN)
    // and has ended.
    void attach(TcpConnection& c);
    void detach() { conn_ = nullptr; }
    void connected() { connected_ = true; }
    // In-order bytes arrived. What the program takes of them it takes in run(), after the
    // segment's processing, as a program woken by the data would.
    void data(uint64_t bytes);
    // The peer's FIN. A program with nothing left to do closes at once (its FIN can carry the
    // ACK of the peer's, as the other applications' do).
    void peer_closed(SimTime now);
    // Send-buffer space was freed: a blocked write goes on at once (what follows it, in run()).
    void writable() { write_more(); }

    // Makes every call that is due and may go (and goes on with a blocked write).
    void run(SimTime now);
    // When run() next has something to do: now, a later time, or kNever (waiting for the
    // connection, for send-buffer space, for data, or done).
    SimTime next_run(SimTime now) const;

    // Every call made, the last write's bytes all handed to TCP.
    bool done() const { return ordered_.empty() && free_.empty() && write_left_ == 0; }
    uint64_t written() const { return written_; }  // handed to TCP
    uint64_t read() const { return read_; }        // taken by the program

private:
    // The next repetition of a call still to make: its absolute time, its place in the list, and
    // which repetition it is. Two min-heaps by (time, place): calls that wait for a blocked
    // write, and those that do not.
    struct Next {
        SimTime t;
        uint32_t index, k;
    };
    static bool later(const Next& a, const Next& b) { return a.t != b.t ? a.t > b.t : a.index > b.index; }
    void push(std::vector<Next>& heap, Next n);
    bool step(SimTime now);
    void make(const SocketCall& c, SimTime now);
    void write_more();
    void take(SimTime now);
    void stop_reading();
    void exit(SimTime now);
    void trace(const SocketCall& c, SimTime now);
    uint64_t unread() const { return delivered_ - read_; }
    bool program_ends() const { return !closed_ && done() && peer_fin_ && unread() == 0; }

    const CallList& calls_;
    Network& net_;
    TcpConnection* conn_ = nullptr;
    std::vector<Next> ordered_, free_;
    uint64_t write_left_ = 0;  // of the write under way
    uint64_t written_ = 0, delivered_ = 0, read_ = 0;
    uint64_t budget_ = 0;      // bytes the read calls let it take, not yet taken
    bool auto_read_;           // takes everything as it arrives (the endpoint's auto-read)
    bool connected_ = false, peer_fin_ = false, shut_rd_ = false, closed_ = false;
};

}  // namespace tcpsim
