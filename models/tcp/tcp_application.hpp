#pragma once
// TcpApplication: what an application hears from its connection. Applications call the
// connection (send, close, abort) in return.
#include <cstdint>

#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

class TcpConnection;

class TcpApplication {
public:
    virtual void on_connected(TcpConnection&) {}
    virtual void on_data(TcpConnection&, uint64_t offset, uint64_t bytes) { (void)offset, (void)bytes; }
    virtual void on_peer_closed(TcpConnection&) {}
    virtual void on_writable(TcpConnection&) {}
    virtual void on_closed(TcpConnection&, CloseReason) {}

protected:
    ~TcpApplication() = default;
};

}  // namespace tcpsim
