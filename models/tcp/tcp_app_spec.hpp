#pragma once
// TcpAppSpec: one application of a scenario: a client that opens a connection to a server port
// and what both sides do with it.
#include <cstdint>
#include <optional>

#include "models/tcp/socket_call.hpp"
#include "models/tcp/tcp_config.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

struct TcpAppSpec {
    enum class Kind { bulk, request_response, idle, calls };
    Kind kind = Kind::bulk;
    uint32_t client = 0, server = 0;  // node indices
    uint16_t port = 5555;             // the server's
    uint16_t sport = 0;               // the client's; 0: ephemeral
    SimTime start;
    std::optional<SimTime> close_at, abort_at;  // the client closes / aborts then
    // bulk: the client sends `bytes` (nullopt: without end) then closes; the server answers the
    // client's FIN with `reply_bytes` of its own (half-close) and closes.
    std::optional<uint64_t> bytes;
    uint64_t reply_bytes = 0;
    // request_response: `count` times, `request` bytes up, `response` bytes down, `think` between.
    uint64_t request = 100, response = 1000;
    uint32_t count = 1;
    SimTime think;
    // calls: what each side's program does with its socket, and when (CallRunner).
    CallList client_calls, server_calls;
    TcpConfig client_tcp, server_tcp;
    // "connections": how many sessions run this spec, each its own connection from its own
    // ephemeral port. One spec for all of them: the endpoints and sessions refer to it.
    uint32_t copies = 1;
};

}  // namespace tcpsim
