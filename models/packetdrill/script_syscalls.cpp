#include "models/packetdrill/script_syscalls.hpp"

#include <map>
#include <optional>

namespace tcpsim::packetdrill {

namespace {

// The constants scripts write, with Linux's values (sys/socket.h, netinet/tcp.h, fcntl.h).
const std::map<std::string, int64_t>& constants() {
    static const std::map<std::string, int64_t> c = {
        {"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2},
        {"MSG_OOB", 0x1}, {"MSG_PEEK", 0x2}, {"MSG_DONTWAIT", 0x40}, {"MSG_MORE", 0x8000}, {"MSG_ZEROCOPY", 0x4000000},
        {"F_GETFL", 3}, {"F_SETFL", 4}, {"O_RDWR", 02}, {"O_NONBLOCK", 04000},
        {"SOL_SOCKET", 1}, {"SOL_TCP", 6}, {"IPPROTO_TCP", 6}, {"SOCK_STREAM", 1}, {"SOL_IP", 0}, {"IPPROTO_IP", 0},
        {"SIOCINQ", 0x541B}, {"FIONREAD", 0x541B}, {"SIOCOUTQ", 0x5411},
        {"IP_PMTUDISC_DONT", 0}, {"IP_PMTUDISC_WANT", 1}, {"IP_PMTUDISC_DO", 2}, {"IP_PMTUDISC_PROBE", 3},
    };
    return c;
}

std::optional<int64_t> number(const SyscallArg& a) {
    if (a.kind == SyscallArg::Kind::number) return a.number;
    if (a.kind == SyscallArg::Kind::list && a.items.size() == 1) return number(a.items[0]);  // [1]: a pointer to an int
    if (a.kind != SyscallArg::Kind::name) return std::nullopt;
    int64_t v = 0;
    size_t start = 0;
    while (start <= a.text.size()) {
        size_t bar = a.text.find('|', start);
        std::string name = a.text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        auto it = constants().find(name);
        if (it == constants().end()) return std::nullopt;
        v |= it->second;
        if (bar == std::string::npos) break;
        start = bar + 1;
    }
    return v;
}

std::optional<SocketOption> option(const std::string& name) {
    static const std::map<std::string, SocketOption> o = {
        {"SO_REUSEADDR", SocketOption::reuseaddr}, {"SO_SNDBUF", SocketOption::sndbuf},
        {"SO_RCVBUF", SocketOption::rcvbuf},       {"SO_ERROR", SocketOption::error},
        {"SO_KEEPALIVE", SocketOption::keepalive}, {"SO_LINGER", SocketOption::linger},
        {"TCP_NODELAY", SocketOption::nodelay},    {"TCP_CORK", SocketOption::cork},
        {"TCP_MAXSEG", SocketOption::maxseg},      {"TCP_USER_TIMEOUT", SocketOption::user_timeout},
        {"TCP_KEEPIDLE", SocketOption::keepidle},  {"TCP_KEEPINTVL", SocketOption::keepintvl},
        {"TCP_KEEPCNT", SocketOption::keepcnt},
    };
    auto it = o.find(name);
    if (it == o.end()) return std::nullopt;
    return it->second;
}

const SyscallArg* field(const SyscallArg& s, const std::string& name) {
    for (const SyscallArg& f : s.items)
        if (f.kind == SyscallArg::Kind::named && f.text == name && !f.items.empty()) return &f.items[0];
    return nullptr;
}

// sendmsg's total length: the iovecs' lengths (`msg_iov(N)=[{..., 40}, ...]`).
std::optional<uint64_t> iovec_bytes(const SyscallArg& msg) {
    const SyscallArg* iov = msg.kind == SyscallArg::Kind::structure ? field(msg, "msg_iov") : nullptr;
    if (!iov || iov->kind != SyscallArg::Kind::list) return std::nullopt;
    uint64_t n = 0;
    for (const SyscallArg& v : iov->items) {
        if (v.kind != SyscallArg::Kind::structure || v.items.size() != 2) return std::nullopt;
        std::optional<int64_t> len = number(v.items[1]);
        if (!len || *len < 0) return std::nullopt;
        n += static_cast<uint64_t>(*len);
    }
    return n;
}

CallOutcome unsupported(const std::string& what) { return {CallOutcome::Kind::unsupported, what, 0, SocketErrno::none}; }

}  // namespace

CallOutcome ScriptSyscalls::call(const SyscallSpec& s, bool blocking_allowed) {
    const auto& a = s.args;
    auto arg_number = [&](size_t i) -> std::optional<int64_t> { return i < a.size() ? number(a[i]) : std::nullopt; };
    std::optional<int64_t> fd = arg_number(0);
    const std::string& n = s.name;
    if (n == "socket") {
        if (s.result < 0) return unsupported("socket() expected to fail");
        return finish(s, sockets_.socket(static_cast<int>(s.result)), blocking_allowed);
    }
    if (!fd) return unsupported(n + "() with a descriptor that is not a number");
    const int f = static_cast<int>(*fd);
    if (n == "bind") return finish(s, sockets_.bind(f, port_), blocking_allowed);
    if (n == "listen") return finish(s, sockets_.listen(f, static_cast<int>(arg_number(1).value_or(1))), blocking_allowed);
    if (n == "accept") {
        int new_fd = s.result >= 0 ? static_cast<int>(s.result) : 1000 + f;
        return finish(s, sockets_.accept(f, new_fd), blocking_allowed);
    }
    if (n == "connect") {
        SocketResult r = in_progress_ ? sockets_.connect_status(f) : sockets_.connect(f, port_);
        in_progress_ = r.would_block;
        return finish(s, r, blocking_allowed);
    }
    if (n == "write" || n == "send" || n == "sendto" || n == "sendmsg") {
        std::optional<uint64_t> bytes;
        int64_t flags = 0;
        if (n == "sendmsg") {
            if (a.size() < 3) return unsupported("sendmsg() without its message and flags");
            // msg_iov(N)=[...]: N must be the number of iovecs listed (a script error otherwise).
            if (a[1].kind == SyscallArg::Kind::structure)
                for (const SyscallArg& f : a[1].items)
                    if (f.kind == SyscallArg::Kind::named && f.text == "msg_iov" && f.number >= 0 && !f.items.empty() &&
                        f.items[0].kind == SyscallArg::Kind::list && static_cast<size_t>(f.number) != f.items[0].items.size())
                        return {CallOutcome::Kind::mismatch,
                                "sendmsg(): msg_iov(" + std::to_string(f.number) + ") lists " +
                                    std::to_string(f.items[0].items.size()) + " iovecs",
                                0, SocketErrno::none};
            bytes = iovec_bytes(a[1]);
            if (!bytes) return unsupported("sendmsg() message without msg_iov lengths");
            flags = arg_number(2).value_or(-1);
        } else {
            std::optional<int64_t> len = arg_number(2);
            if (len && *len >= 0) bytes = static_cast<uint64_t>(*len);
            if (n != "write") flags = arg_number(3).value_or(-1);
            if (!bytes) return unsupported(n + "() with a length that is not a number");
        }
        if (flags < 0) return unsupported(n + "() flags not understood");
        if (flags & ~(0x8000 | 0x4000000)) return unsupported(n + "() flags other than MSG_MORE and MSG_ZEROCOPY");
        SocketResult r = sockets_.write(f, *bytes - written_, (flags & 0x8000) != 0);
        if (!r.would_block && r.value > 0) written_ += static_cast<uint64_t>(r.value);
        // A blocking write returns when all its bytes are handed over.
        if (!r.would_block && r.error == SocketErrno::none && written_ < *bytes && blocking_allowed)
            return {CallOutcome::Kind::blocked, "", 0, SocketErrno::none};
        if (!r.would_block && r.error == SocketErrno::none) r.value = static_cast<int64_t>(written_);
        return finish(s, r, blocking_allowed);
    }
    if (n == "read" || n == "recv" || n == "recvfrom") {
        std::optional<int64_t> len = arg_number(2);
        if (!len || *len < 0) return unsupported(n + "() with a length that is not a number");
        if (n != "read" && arg_number(3).value_or(-1) != 0) return unsupported(n + "() with flags");
        return finish(s, sockets_.read(f, static_cast<uint64_t>(*len)), blocking_allowed);
    }
    if (n == "shutdown") {
        std::optional<int64_t> how = arg_number(1);
        if (!how || *how < 0 || *how > 2) return unsupported("shutdown() how not understood");
        return finish(s, sockets_.shutdown(f, *how != 1, *how != 0), blocking_allowed);
    }
    if (n == "close") return finish(s, sockets_.close(f), blocking_allowed);
    if (n == "ioctl") {
        // SIOCINQ (FIONREAD): bytes waiting to be read; SIOCOUTQ: bytes not yet acknowledged.
        std::optional<int64_t> req = arg_number(1);
        if (!req || (*req != 0x541B && *req != 0x5411) || a.size() < 3) return unsupported("ioctl() request");
        SocketResult r = *req == 0x541B ? sockets_.unread(f) : sockets_.unsent(f);
        int64_t got = r.value;
        if (r.error == SocketErrno::none) r.value = 0;
        CallOutcome out = finish(s, r, blocking_allowed);
        std::optional<int64_t> want = number(a[2]);
        if (out.kind == CallOutcome::Kind::done && r.error == SocketErrno::none && want && *want != got)
            return {CallOutcome::Kind::mismatch, "ioctl(" + a[1].text + ") gave " + std::to_string(got) + ", expected " + std::to_string(*want),
                    r.value, r.error};
        return out;
    }
    if (n == "fcntl") {
        std::optional<int64_t> cmd = arg_number(1);
        if (cmd == 3) return finish(s, sockets_.get_flags(f), blocking_allowed);
        if (cmd == 4 && arg_number(2)) return finish(s, sockets_.set_flags(f, *arg_number(2)), blocking_allowed);
        return unsupported("fcntl() command");
    }
    if (n == "setsockopt" || n == "getsockopt") {
        if (a.size() < 4 || a[2].kind != SyscallArg::Kind::name) return unsupported(n + "() arguments");
        const std::string& opt = a[2].text;
        if (n == "setsockopt" && opt == "TCP_CONGESTION") {
            if (a[3].kind != SyscallArg::Kind::string) return unsupported("TCP_CONGESTION with a value that is not a string");
            std::string cc = a[3].text == "reno" ? "newreno" : a[3].text;
            return finish(s, sockets_.set_congestion_control(f, cc), blocking_allowed);
        }
        if (opt == "SO_ZEROCOPY" && n == "setsockopt") return finish(s, SocketResult::ok(), blocking_allowed);
        // IP-level options that change nothing tcpsim models (path MTU discovery, the TOS byte):
        // accepted, and listed with what the run ignored.
        if ((opt == "IP_MTU_DISCOVER" || opt == "IP_TOS") && n == "setsockopt") {
            ignored.push_back("setsockopt(" + opt + ")");
            return finish(s, sockets_.exists(f) ? SocketResult::ok() : SocketResult::fail(SocketErrno::ebadf), blocking_allowed);
        }
        std::optional<SocketOption> o = option(opt);
        if (!o) return unsupported(n + "(" + opt + ")");
        if (n == "setsockopt") {
            int64_t v = 0;
            if (*o == SocketOption::linger) {
                const SyscallArg* on = a[3].kind == SyscallArg::Kind::structure ? field(a[3], "l_onoff") : nullptr;
                const SyscallArg* secs = a[3].kind == SyscallArg::Kind::structure ? field(a[3], "l_linger") : nullptr;
                if (!on || !secs || !number(*on) || !number(*secs)) return unsupported("SO_LINGER value");
                v = *number(*on) ? *number(*secs) : -1;
            } else {
                std::optional<int64_t> x = number(a[3]);
                if (!x) return unsupported("setsockopt(" + opt + ") value");
                v = *x;
            }
            return finish(s, sockets_.setsockopt(f, *o, v), blocking_allowed);
        }
        int64_t got = 0;
        SocketResult r = sockets_.getsockopt(f, *o, got);
        CallOutcome out = finish(s, r, blocking_allowed);
        std::optional<int64_t> want = number(a[3]);
        if (out.kind == CallOutcome::Kind::done && r.error == SocketErrno::none && want && *want != got)
            return {CallOutcome::Kind::mismatch, "getsockopt(" + opt + ") gave " + std::to_string(got) + ", expected " + std::to_string(*want),
                    r.value, r.error};
        return out;
    }
    return unsupported(n + "()");
}

CallOutcome ScriptSyscalls::finish(const SyscallSpec& s, const SocketResult& r, bool blocking_allowed) {
    if (r.would_block) {
        if (blocking_allowed) return {CallOutcome::Kind::blocked, "", 0, SocketErrno::none};
        return {CallOutcome::Kind::mismatch, s.name + "() would block (the line is not a blocking call T1...T2)", 0,
                SocketErrno::none};
    }
    in_progress_ = false;
    written_ = 0;  // the call returned: a later write starts afresh
    std::string got = std::to_string(r.value) + (r.error != SocketErrno::none ? " " + std::string(errno_name(r.error)) : "");
    std::string want = std::to_string(s.result) + (s.errno_name ? " " + *s.errno_name : "");
    bool same = r.value == s.result && (s.errno_name ? r.error != SocketErrno::none && errno_name(r.error) == *s.errno_name
                                                     : r.error == SocketErrno::none);
    if (!same) return {CallOutcome::Kind::mismatch, s.name + "() returned " + got + ", expected " + want, r.value, r.error};
    return {CallOutcome::Kind::done, "", r.value, r.error};
}

}  // namespace tcpsim::packetdrill
