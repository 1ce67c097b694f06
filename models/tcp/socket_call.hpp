#pragma once
// SocketCall: one entry of a "calls" application's list: what one side's program does to its
// socket, and when (relative to the application's start). The loader checks the list (one
// action per call, times within the run, nothing after the socket is closed); CallRunner
// (call_runner.hpp) plays it on a connection.
#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

namespace tcpsim {

struct SocketCall {
    enum class Action : uint8_t {
        write,           // `bytes` more to send; blocks while the send buffer is full
        read,            // the program takes up to `bytes` more of what arrives
        read_all,        // it takes everything, now and from now on
        shutdown_read,   // shutdown(SHUT_RD): it reads no more
        shutdown_write,  // shutdown(SHUT_WR): FIN after what was written
        shutdown_both,   // shutdown(SHUT_RDWR)
        close,           // close(): FIN, or RST if received data was left unread
        abort,           // RST now (SO_LINGER 0, then close)
        nodelay,         // TCP_NODELAY `on`
        cork,            // TCP_CORK `on`
    };
    SimTime at;           // the first time, from the application's start
    SimTime every;        // between repetitions (repeat > 1)
    uint64_t bytes = 0;   // write, read
    uint32_t repeat = 1;  // how many times, `every` apart
    Action action = Action::write;
    bool on = false;      // nodelay, cork

    SimTime time_of(uint32_t k) const { return at + every * k; }  // the k-th repetition's, from 0
    SimTime last() const { return time_of(repeat - 1); }
    // A read or an abort does not wait for a blocked write before it (see CallRunner).
    bool waits_for_writes() const { return action != Action::read && action != Action::read_all && action != Action::abort; }
    bool reads() const { return action == Action::read || action == Action::read_all; }
};

// One side's list, in the order written (CallRunner orders the calls by time, then by place).
using CallList = std::vector<SocketCall>;

// A side whose list has no read call reads everything as it arrives, like the other applications.
inline bool reads_on_its_own(const CallList& calls) {
    for (const SocketCall& c : calls)
        if (c.reads()) return false;
    return true;
}

}  // namespace tcpsim
