#pragma once
// A script's system calls on the socket layer: the arguments read as packetdrill writes them
// (`...` for addresses and buffers, `[1]` for a pointer to an int, constant names, iovecs), the
// call made, and what it returned compared with what the line says.
#include <cstdint>
#include <string>
#include <vector>

#include "models/packetdrill/script.hpp"
#include "models/socket/socket_layer.hpp"

namespace tcpsim::packetdrill {

struct CallOutcome {
    enum class Kind : uint8_t { done, blocked, unsupported, mismatch };
    Kind kind = Kind::done;
    std::string message;  // unsupported: the construct; mismatch: what differs
    int64_t value = 0;    // what the call returned
    SocketErrno error = SocketErrno::none;
};

class ScriptSyscalls {
public:
    // `port`: the port the local socket binds (and a connect goes to, at the remote).
    ScriptSyscalls(SocketLayer& sockets, uint16_t port) : sockets_(sockets), port_(port) {}

    // Makes the call (again, for a blocking call that waits: a write goes on with what is left).
    // `blocking_allowed`: the line is a blocking call (T1...T2): a call that must wait is then
    // `blocked`; otherwise waiting is a mismatch (the call would hang).
    CallOutcome call(const SyscallSpec& s, bool blocking_allowed);
    // Forgets a blocking call's progress (when it has returned).
    void reset() {
        written_ = 0;
        in_progress_ = false;
    }
    // Options set that tcpsim has no counterpart of (the verdict lists them); the caller takes them.
    std::vector<std::string> ignored;

private:
    CallOutcome finish(const SyscallSpec& s, const SocketResult& r, bool blocking_allowed);

    SocketLayer& sockets_;
    uint16_t port_;
    uint64_t written_ = 0;     // a blocking write's bytes handed over so far
    bool in_progress_ = false;  // a blocking connect waits: it is asked for its status
};

}  // namespace tcpsim::packetdrill
