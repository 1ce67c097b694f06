#pragma once
// SocketLayer: a model of the BSD socket API on one host's TCP stack, as an application sees it
// (socket, bind, listen, accept, connect, read, write, shutdown, close, socket options, fcntl),
// with Linux's results and errno values. It is the application of every connection it makes or
// accepts; the endpoints underneath stay state machines with no I/O. Calls return at once: a
// call that would block returns `would_block`, and the caller (a packetdrill script's blocking
// call) waits for on_change() and tries again.
//
// What the application has read decides the receive window: connections are made with the
// endpoint's auto-read off, and read() hands the bytes back to the endpoint (TcpEndpoint::read).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/tcp/tcp_application.hpp"
#include "models/tcp/tcp_config.hpp"
#include "models/tcp/tcp_stack.hpp"

namespace tcpsim {

// The errno values the calls give, by Linux's names.
enum class SocketErrno : uint8_t {
    none, eagain, einprogress, ealready, econnrefused, econnreset, etimedout, epipe, enotconn, einval,
    ebadf, eisconn, eopnotsupp, eaddrinuse, enoprotoopt, enoent,
};
std::string_view errno_name(SocketErrno e);  // "EAGAIN", ...
int errno_number(SocketErrno e);             // Linux's numbers (getsockopt SO_ERROR gives them)

struct SocketResult {
    int64_t value = 0;                    // -1 on error
    SocketErrno error = SocketErrno::none;
    bool would_block = false;             // a blocking socket must wait (value and error unset)
    static SocketResult ok(int64_t v = 0) { return {v, SocketErrno::none, false}; }
    static SocketResult fail(SocketErrno e) { return {-1, e, false}; }
    static SocketResult block() { return {0, SocketErrno::none, true}; }
};

// The options the layer models; the caller maps names (SO_SNDBUF, TCP_NODELAY, ...) onto them.
enum class SocketOption : uint8_t {
    reuseaddr, sndbuf, rcvbuf, error, keepalive, linger, nodelay, cork, maxseg, user_timeout,
    keepidle, keepintvl, keepcnt,
};

class SocketLayer final : public TcpApplication {
public:
    // Connections go to `remote_node`; those accepted come from anyone. `base` is the host's TCP
    // configuration (copied into each socket: options set on one socket are its own).
    SocketLayer(TcpStack& stack, uint32_t remote_node, const TcpConfig& base);
    ~SocketLayer();
    SocketLayer(const SocketLayer&) = delete;
    SocketLayer& operator=(const SocketLayer&) = delete;

    // The host's TCP configuration for sockets made from now on (a sysctl changed it).
    void set_base(const TcpConfig& c) { base_ = c; }
    // Called after anything that may let a waiting call go on (data, a connection, a close).
    void set_on_change(std::function<void()> f) { on_change_ = std::move(f); }

    // `fd` is the descriptor the caller gives the new socket (a script names its own).
    SocketResult socket(int fd);
    SocketResult bind(int fd, uint16_t port);
    SocketResult listen(int fd, int backlog);
    SocketResult accept(int fd, int new_fd);
    SocketResult connect(int fd, uint16_t remote_port);
    // A blocking connect() waiting: 0 once established, the error once it failed, else block.
    SocketResult connect_status(int fd);
    SocketResult write(int fd, uint64_t bytes, bool more);
    SocketResult read(int fd, uint64_t bytes);
    SocketResult shutdown(int fd, bool rd, bool wr);
    SocketResult close(int fd);
    // SO_LINGER's value: the linger time in seconds when on, -1 when off.
    SocketResult setsockopt(int fd, SocketOption o, int64_t value);
    SocketResult set_congestion_control(int fd, const std::string& name);
    SocketResult getsockopt(int fd, SocketOption o, int64_t& value);
    SocketResult get_flags(int fd);             // fcntl F_GETFL: O_RDWR (2), | O_NONBLOCK (04000)
    SocketResult unread(int fd);   // ioctl SIOCINQ: bytes received and not yet read
    SocketResult unsent(int fd);   // ioctl SIOCOUTQ: bytes written and not yet acknowledged
    SocketResult set_flags(int fd, int64_t flags);  // fcntl F_SETFL

    static constexpr int64_t kO_RDWR = 02, kO_NONBLOCK = 04000;

    bool exists(int fd) const { return sockets_.count(fd) > 0; }
    // The connection of `fd` (null: none, or it has ended).
    const TcpEndpoint* endpoint(int fd) const;
    // For TCP_INFO's tcpi_last_data_recv: when data last arrived on `fd`'s connection.
    std::optional<SimTime> last_data_received(int fd) const;
    // The most recent socket created or accepted (packetdrill's TCP_INFO target), or -1.
    int last_socket() const { return last_fd_; }

    // TcpApplication
    void on_connected(TcpConnection& c) override;
    void on_data(TcpConnection& c, uint64_t offset, uint64_t bytes) override;
    void on_peer_closed(TcpConnection& c) override;
    void on_writable(TcpConnection& c) override;
    void on_closed(TcpConnection& c, CloseReason r) override;

private:
    struct Socket {
        enum class Kind : uint8_t { fresh, listening, connection };
        Kind kind = Kind::fresh;
        TcpConfig config;  // the endpoint refers to it: a Socket never moves (held by pointer)
        uint16_t port = 0;
        int backlog = 0;
        bool nonblocking = false;
        // Listening: connections still in the handshake, and those established, not accepted.
        std::deque<TcpConnection*> handshaking, ready;
        // Connection.
        TcpConnection* conn = nullptr;     // null once it ended (or before connect)
        bool connecting = false;           // connect() made, not yet established or failed
        bool connected = false;
        uint64_t delivered = 0, consumed = 0;
        bool peer_fin = false;             // the peer's FIN: reads return 0 once drained
        bool shut_rd = false, shut_wr = false;
        // Linux's sk_err: why the connection failed (reset, timeout, refused), reported once by
        // whichever of write(), read(), connect() or SO_ERROR asks first (sock_error()).
        SocketErrno pending_error = SocketErrno::none;
        std::optional<SimTime> last_data;
        int64_t sndbuf_opt = 0, rcvbuf_opt = 0;  // as set, for getsockopt (Linux doubles them)
        bool cork = false;                 // TCP_CORK set before the connection existed
        bool linger_zero = false;          // SO_LINGER on with 0 s: close() resets
    };
    Socket* find(int fd);
    const Socket* find(int fd) const;
    Socket* of(const TcpConnection& c);
    TcpConnection* accepted(TcpConnection& c, Socket& listener);  // the stack's accept hook
    void forget(const TcpConnection& c);
    void changed() {
        if (on_change_) on_change_();
    }
    SimTime now();

    TcpStack& stack_;
    uint32_t remote_node_;
    TcpConfig base_;
    std::map<int, std::unique_ptr<Socket>> sockets_;
    // Every connection's socket: one with a descriptor (sockets_), one a listener made for a
    // connection not yet accepted (unaccepted_), or one closed by the application while its
    // connection still ends (orphans_).
    std::map<const TcpConnection*, Socket*> by_conn_;
    std::map<const TcpConnection*, std::unique_ptr<Socket>> unaccepted_, orphans_;
    std::map<const TcpConnection*, Socket*> listener_of_;  // unaccepted: whose listener
    std::map<uint16_t, Socket*> listening_;                // by port
    // Sockets whose connection ended or that were closed: kept for the life of the layer (a
    // connection's endpoint refers to its socket's settings until the stack reaps it).
    std::vector<std::unique_ptr<Socket>> graveyard_;
    std::function<void()> on_change_;
    int last_fd_ = -1;
};

}  // namespace tcpsim
