#include "models/socket/socket_layer.hpp"

#include <algorithm>

namespace tcpsim {

std::string_view errno_name(SocketErrno e) {
    constexpr std::string_view names[] = {"", "EAGAIN", "EINPROGRESS", "EALREADY", "ECONNREFUSED", "ECONNRESET",
                                          "ETIMEDOUT", "EPIPE", "ENOTCONN", "EINVAL", "EBADF", "EISCONN",
                                          "EOPNOTSUPP", "EADDRINUSE", "ENOPROTOOPT", "ENOENT"};
    return names[static_cast<size_t>(e)];
}

int errno_number(SocketErrno e) {
    // Linux's asm-generic/errno-base.h and errno.h.
    constexpr int numbers[] = {0, 11, 115, 114, 111, 104, 110, 32, 107, 22, 9, 106, 95, 98, 92, 2};
    return numbers[static_cast<size_t>(e)];
}

namespace {
// What calls on a socket give once its connection ended for `r`.
SocketErrno error_of(CloseReason r) {
    switch (r) {
        case CloseReason::reset: return SocketErrno::econnreset;
        case CloseReason::refused: return SocketErrno::econnrefused;
        case CloseReason::connection_timed_out:
        case CloseReason::retransmit_limit:
        case CloseReason::keepalive_timeout:
        case CloseReason::user_timeout: return SocketErrno::etimedout;
        case CloseReason::normal:
        case CloseReason::aborted: return SocketErrno::none;
    }
    return SocketErrno::none;
}
}  // namespace

SocketLayer::SocketLayer(TcpStack& stack, uint32_t remote_node, const TcpConfig& base)
    : stack_(stack), remote_node_(remote_node), base_(base) {}

SocketLayer::~SocketLayer() = default;

SimTime SocketLayer::now() { return stack_.sim().now(); }

SocketLayer::Socket* SocketLayer::find(int fd) {
    auto it = sockets_.find(fd);
    return it == sockets_.end() ? nullptr : it->second.get();
}
const SocketLayer::Socket* SocketLayer::find(int fd) const {
    auto it = sockets_.find(fd);
    return it == sockets_.end() ? nullptr : it->second.get();
}
SocketLayer::Socket* SocketLayer::of(const TcpConnection& c) {
    auto it = by_conn_.find(&c);
    return it == by_conn_.end() ? nullptr : it->second;
}

SocketResult SocketLayer::socket(int fd) {
    if (find(fd)) return SocketResult::fail(SocketErrno::einval);
    auto s = std::make_unique<Socket>();
    s->config = base_;
    sockets_[fd] = std::move(s);
    last_fd_ = fd;
    return SocketResult::ok(fd);
}

SocketResult SocketLayer::bind(int fd, uint16_t port) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind != Socket::Kind::fresh || s->port) return SocketResult::fail(SocketErrno::einval);
    if (listening_.count(port)) return SocketResult::fail(SocketErrno::eaddrinuse);
    s->port = port;
    return SocketResult::ok();
}

SocketResult SocketLayer::listen(int fd, int backlog) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind == Socket::Kind::connection) return SocketResult::fail(SocketErrno::einval);
    if (!s->port) return SocketResult::fail(SocketErrno::einval);  // the model needs a bound port
    s->kind = Socket::Kind::listening;
    s->backlog = backlog;
    listening_[s->port] = s;
    stack_.listen(s->port, s->config, [this, s](TcpConnection& c) { return accepted(c, *s) ? this : nullptr; });
    return SocketResult::ok();
}

TcpConnection* SocketLayer::accepted(TcpConnection& c, Socket& listener) {
    // The connection gets a socket at once, a copy of the listener's settings (Linux: the child
    // inherits them), so that nothing of it refers to the listener after this.
    auto child = std::make_unique<Socket>();
    child->kind = Socket::Kind::connection;
    child->config = listener.config;
    child->rcvbuf_opt = listener.rcvbuf_opt;  // SO_RCVBUF reads back doubled on the child too
    child->sndbuf_opt = listener.sndbuf_opt;
    child->port = listener.port;
    child->conn = &c;
    child->connecting = true;
    c.endpoint().use_config(child->config);
    c.endpoint().set_auto_read(false);
    by_conn_[&c] = child.get();
    listener_of_[&c] = &listener;
    listener.handshaking.push_back(&c);
    unaccepted_[&c] = std::move(child);
    return &c;
}

SocketResult SocketLayer::accept(int fd, int new_fd) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind != Socket::Kind::listening) return SocketResult::fail(SocketErrno::einval);
    if (s->ready.empty()) return s->nonblocking ? SocketResult::fail(SocketErrno::eagain) : SocketResult::block();
    if (find(new_fd)) return SocketResult::fail(SocketErrno::einval);
    TcpConnection* c = s->ready.front();
    s->ready.pop_front();
    auto it = unaccepted_.find(c);
    std::unique_ptr<Socket> child = std::move(it->second);
    unaccepted_.erase(it);
    listener_of_.erase(c);
    if (child->cork && child->conn) child->conn->endpoint().set_cork(true, now());
    sockets_[new_fd] = std::move(child);
    last_fd_ = new_fd;
    return SocketResult::ok(new_fd);
}

SocketResult SocketLayer::connect(int fd, uint16_t remote_port) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind == Socket::Kind::listening) return SocketResult::fail(SocketErrno::eisconn);
    if (s->kind == Socket::Kind::connection) {
        if (s->connecting) return SocketResult::fail(SocketErrno::ealready);
        return SocketResult::fail(SocketErrno::eisconn);
    }
    s->kind = Socket::Kind::connection;
    s->connecting = true;
    TcpConnection& c = stack_.connect(remote_node_, remote_port, s->config, this, s->port);
    s->conn = &c;
    s->port = c.endpoint().local().port;
    by_conn_[&c] = s;
    c.endpoint().set_auto_read(false);
    if (s->cork) c.endpoint().set_cork(true, now());
    return s->nonblocking ? SocketResult::fail(SocketErrno::einprogress) : SocketResult::block();
}

SocketResult SocketLayer::connect_status(int fd) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->connected) return SocketResult::ok();
    if (!s->connecting) {
        SocketErrno e = s->pending_error;
        s->pending_error = SocketErrno::none;
        return SocketResult::fail(e != SocketErrno::none ? e : SocketErrno::econnrefused);
    }
    return SocketResult::block();
}

SocketResult SocketLayer::write(int fd, uint64_t bytes, bool more) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind != Socket::Kind::connection) return SocketResult::fail(SocketErrno::enotconn);
    if (s->pending_error != SocketErrno::none) {
        // Linux reports the reset (or timeout) once, then EPIPE: the socket is shut down.
        SocketErrno e = s->pending_error;
        s->pending_error = SocketErrno::none;
        return SocketResult::fail(e);
    }
    if (s->shut_wr || !s->conn) return SocketResult::fail(SocketErrno::epipe);
    if (!s->connected) return s->nonblocking ? SocketResult::fail(SocketErrno::eagain) : SocketResult::block();
    if (bytes == 0) return SocketResult::ok(0);
    uint64_t n = s->conn->endpoint().send(bytes, more, now());
    if (n == 0) return s->nonblocking ? SocketResult::fail(SocketErrno::eagain) : SocketResult::block();
    return SocketResult::ok(static_cast<int64_t>(n));
}

SocketResult SocketLayer::read(int fd, uint64_t bytes) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind != Socket::Kind::connection) return SocketResult::fail(SocketErrno::enotconn);
    if (s->shut_rd) return SocketResult::ok(0);  // Linux: reads after SHUT_RD return 0
    uint64_t avail = s->delivered - s->consumed;
    if (avail > 0 && bytes > 0) {
        uint64_t n = std::min(bytes, avail);
        s->consumed += n;
        // What the application took frees receive buffer: the endpoint may open the window.
        if (s->conn) s->conn->endpoint().read(n, now());
        return SocketResult::ok(static_cast<int64_t>(n));
    }
    if (bytes == 0) return SocketResult::ok(0);
    if (s->peer_fin) return SocketResult::ok(0);
    if (s->pending_error != SocketErrno::none) {
        // tcp_recvmsg: the error once (unless a FIN came first); then the end of the stream.
        SocketErrno e = s->pending_error;
        s->pending_error = SocketErrno::none;
        return SocketResult::fail(e);
    }
    if (!s->conn) return SocketResult::ok(0);
    return s->nonblocking ? SocketResult::fail(SocketErrno::eagain) : SocketResult::block();
}

SocketResult SocketLayer::shutdown(int fd, bool rd, bool wr) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind != Socket::Kind::connection || !s->connected) return SocketResult::fail(SocketErrno::enotconn);
    if (rd) s->shut_rd = true;
    if (wr && !s->shut_wr) {
        s->shut_wr = true;
        if (s->conn) s->conn->close();  // the FIN after what is queued
    }
    changed();
    return SocketResult::ok();
}

SocketResult SocketLayer::close(int fd) {
    auto it = sockets_.find(fd);
    if (it == sockets_.end()) return SocketResult::fail(SocketErrno::ebadf);
    std::unique_ptr<Socket> s = std::move(it->second);
    sockets_.erase(it);
    if (s->kind == Socket::Kind::listening) {
        // Linux (inet_csk_listen_stop): the connections not yet accepted are reset.
        listening_.erase(s->port);
        stack_.unlisten(s->port);
        std::deque<TcpConnection*> children(s->handshaking.begin(), s->handshaking.end());
        children.insert(children.end(), s->ready.begin(), s->ready.end());
        for (TcpConnection* c : children) c->abort();
        graveyard_.push_back(std::move(s));
        return SocketResult::ok();
    }
    if (s->conn) {
        TcpConnection* c = s->conn;
        // RFC 2525 2.17, Linux tcp_close: unread data, or SO_LINGER with 0 s, resets the
        // connection; otherwise the FIN follows what is queued.
        bool reset = s->delivered > s->consumed || s->linger_zero;
        orphans_[c] = std::move(s);
        if (reset) c->abort();
        else c->close();
    } else {
        graveyard_.push_back(std::move(s));
    }
    changed();
    return SocketResult::ok();
}

SocketResult SocketLayer::setsockopt(int fd, SocketOption o, int64_t value) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    TcpEndpoint* ep = s->conn ? &s->conn->endpoint() : nullptr;
    auto seconds = [](int64_t v) { return SimTime::from_s(v); };
    switch (o) {
        case SocketOption::reuseaddr: break;
        case SocketOption::sndbuf:
            if (value < 0) return SocketResult::fail(SocketErrno::einval);
            s->sndbuf_opt = value;
            s->config.send_buffer = static_cast<uint64_t>(std::max<int64_t>(value, 1)) * 2;  // Linux doubles it
            break;
        case SocketOption::rcvbuf:
            if (value < 0) return SocketResult::fail(SocketErrno::einval);
            s->rcvbuf_opt = value;
            s->config.receive_buffer = static_cast<uint64_t>(std::max<int64_t>(value, 1));
            s->config.receive_autotuning = false;  // SO_RCVBUF locks the buffer (SOCK_RCVBUF_LOCK)
            break;
        case SocketOption::error: return SocketResult::fail(SocketErrno::enoprotoopt);
        case SocketOption::keepalive:
            s->config.keepalive.enabled = value != 0;
            if (ep) ep->keepalive_changed(now());
            break;
        case SocketOption::keepidle:
        case SocketOption::keepintvl:
            if (value < 1) return SocketResult::fail(SocketErrno::einval);
            (o == SocketOption::keepidle ? s->config.keepalive.idle : s->config.keepalive.interval) = seconds(value);
            if (ep && s->config.keepalive.enabled) ep->keepalive_changed(now());
            break;
        case SocketOption::keepcnt:
            if (value < 1 || value > 127) return SocketResult::fail(SocketErrno::einval);
            s->config.keepalive.count = static_cast<uint32_t>(value);
            break;
        case SocketOption::linger: s->linger_zero = value == 0; break;
        case SocketOption::nodelay:
            s->config.nagle = value == 0;
            if (ep) ep->set_nodelay(value != 0, now());
            break;
        case SocketOption::cork:
            s->cork = value != 0;
            if (ep) ep->set_cork(value != 0, now());
            break;
        case SocketOption::maxseg:
            // Linux accepts 88 (TCP_MIN_MSS) to 32767 (MAX_TCP_WINDOW) before the connection.
            if (value < 88 || value > 32767) return SocketResult::fail(SocketErrno::einval);
            s->config.mss = static_cast<uint32_t>(value);
            break;
        case SocketOption::user_timeout:
            // TCP_USER_TIMEOUT, in milliseconds (0: off); Linux refuses a negative one.
            if (value < 0) return SocketResult::fail(SocketErrno::einval);
            s->config.user_timeout = SimTime::from_ms(value);
            break;
    }
    return SocketResult::ok();
}

SocketResult SocketLayer::set_congestion_control(int fd, const std::string& name) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (!is_congestion_control_name(name)) return SocketResult::fail(SocketErrno::enoent);
    if (s->conn) return SocketResult::fail(SocketErrno::eopnotsupp);  // tcpsim: only before it exists
    s->config.cc = name;
    return SocketResult::ok();
}

SocketResult SocketLayer::getsockopt(int fd, SocketOption o, int64_t& value) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    switch (o) {
        case SocketOption::error:
            value = errno_number(s->pending_error);
            s->pending_error = SocketErrno::none;
            return SocketResult::ok();
        case SocketOption::sndbuf: value = static_cast<int64_t>(s->config.send_buffer); return SocketResult::ok();
        case SocketOption::rcvbuf: value = s->rcvbuf_opt ? s->rcvbuf_opt * 2 : static_cast<int64_t>(s->config.receive_buffer); return SocketResult::ok();
        case SocketOption::keepalive: value = s->config.keepalive.enabled; return SocketResult::ok();
        case SocketOption::keepidle: value = s->config.keepalive.idle.ns() / 1'000'000'000; return SocketResult::ok();
        case SocketOption::keepintvl: value = s->config.keepalive.interval.ns() / 1'000'000'000; return SocketResult::ok();
        case SocketOption::keepcnt: value = s->config.keepalive.count; return SocketResult::ok();
        case SocketOption::user_timeout: value = s->config.user_timeout.ns() / 1'000'000; return SocketResult::ok();
        case SocketOption::nodelay: value = s->conn ? s->conn->endpoint().nodelay() : !s->config.nagle; return SocketResult::ok();
        case SocketOption::cork: value = s->conn ? s->conn->endpoint().corked() : s->cork; return SocketResult::ok();
        case SocketOption::maxseg:
            // Established: the MSS in use (Linux's mss_cache, without the timestamp option's
            // bytes here); before: what was set, else Linux's default 536.
            if (s->conn && s->connected) value = s->conn->endpoint().effective_mss();
            else value = s->config.mss != base_.mss ? s->config.mss : 536;
            return SocketResult::ok();
        default: return SocketResult::fail(SocketErrno::enoprotoopt);
    }
}

SocketResult SocketLayer::unread(int fd) {
    const Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind == Socket::Kind::listening) return SocketResult::fail(SocketErrno::einval);
    return SocketResult::ok(static_cast<int64_t>(s->delivered - s->consumed));
}

SocketResult SocketLayer::unsent(int fd) {
    const Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    if (s->kind == Socket::Kind::listening) return SocketResult::fail(SocketErrno::einval);
    if (!s->conn) return SocketResult::ok(0);
    const TcpEndpoint& ep = s->conn->endpoint();
    return SocketResult::ok(static_cast<int64_t>(ep.bytes_queued() - ep.bytes_acked()));
}

SocketResult SocketLayer::get_flags(int fd) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    return SocketResult::ok(kO_RDWR | (s->nonblocking ? kO_NONBLOCK : 0));
}

SocketResult SocketLayer::set_flags(int fd, int64_t flags) {
    Socket* s = find(fd);
    if (!s) return SocketResult::fail(SocketErrno::ebadf);
    s->nonblocking = (flags & kO_NONBLOCK) != 0;
    return SocketResult::ok();
}

const TcpEndpoint* SocketLayer::endpoint(int fd) const {
    const Socket* s = find(fd);
    return s && s->conn ? &s->conn->endpoint() : nullptr;
}

std::optional<SimTime> SocketLayer::last_data_received(int fd) const {
    const Socket* s = find(fd);
    return s ? s->last_data : std::nullopt;
}

// ---------------------------------------------------------------- what the connections say

void SocketLayer::on_connected(TcpConnection& c) {
    Socket* s = of(c);
    if (!s) return;
    s->connecting = false;
    s->connected = true;
    // Linux's tcpi_last_data_recv counts from here until data arrives (icsk_ack.lrcvtime).
    if (!s->last_data) s->last_data = now();
    auto l = listener_of_.find(&c);
    if (l != listener_of_.end()) {
        Socket& listener = *l->second;
        auto h = std::find(listener.handshaking.begin(), listener.handshaking.end(), &c);
        if (h != listener.handshaking.end()) listener.handshaking.erase(h);
        listener.ready.push_back(&c);
    }
    changed();
}

void SocketLayer::on_data(TcpConnection& c, uint64_t, uint64_t bytes) {
    Socket* s = of(c);
    if (!s) return;
    s->delivered += bytes;
    s->last_data = now();
    // Linux (tcp_rcv_state_process, LINUX_MIB_TCPABORTONDATA): data for a socket the application
    // has closed, arriving in FIN-WAIT-1 or FIN-WAIT-2, resets the connection.
    if (orphans_.count(&c)) {
        TcpState st = c.endpoint().state();
        if (st == TcpState::FIN_WAIT_1 || st == TcpState::FIN_WAIT_2) {
            c.abort();
            return;
        }
    }
    changed();
}

void SocketLayer::on_peer_closed(TcpConnection& c) {
    if (Socket* s = of(c)) s->peer_fin = true;
    changed();
}

void SocketLayer::on_writable(TcpConnection&) { changed(); }

void SocketLayer::on_closed(TcpConnection& c, CloseReason r) {
    if (Socket* s = of(c)) {
        SocketErrno e = error_of(r);
        if (e != SocketErrno::none) s->pending_error = e;
        s->connecting = false;
        s->conn = nullptr;
    }
    forget(c);
    changed();
}

void SocketLayer::forget(const TcpConnection& c) {
    by_conn_.erase(&c);
    // The endpoint still refers to its socket's settings until the stack destroys it (after the
    // current event): the socket is kept, not destroyed.
    if (auto o = orphans_.find(&c); o != orphans_.end()) {
        graveyard_.push_back(std::move(o->second));
        orphans_.erase(o);
    }
    auto l = listener_of_.find(&c);
    if (l != listener_of_.end()) {
        Socket& listener = *l->second;
        for (auto* q : {&listener.handshaking, &listener.ready}) {
            auto it = std::find(q->begin(), q->end(), &c);
            if (it != q->end()) q->erase(it);
        }
        listener_of_.erase(l);
        if (auto u = unaccepted_.find(&c); u != unaccepted_.end()) {
            graveyard_.push_back(std::move(u->second));
            unaccepted_.erase(u);
        }
    }
}

}  // namespace tcpsim
