#include "models/tcp/call_runner.hpp"

#include <algorithm>
#include <cstdio>

#include "models/network/network.hpp"
#include "models/tcp/tcp_stack.hpp"

namespace tcpsim {

CallRunner::CallRunner(const CallList& calls, SimTime start, Network& net)
    : calls_(calls), net_(net), auto_read_(reads_on_its_own(calls)) {
    // Each call's first repetition; the heaps hold one entry per call at most, so they never grow.
    size_t waiting = 0;
    for (const SocketCall& c : calls) waiting += c.waits_for_writes() ? 1 : 0;
    ordered_.reserve(waiting);
    free_.reserve(calls.size() - waiting);
    for (uint32_t i = 0; i < calls.size(); ++i)
        push(calls[i].waits_for_writes() ? ordered_ : free_, Next{start + calls[i].at, i, 0});
}

void CallRunner::push(std::vector<Next>& heap, Next n) {
    heap.push_back(n);
    std::push_heap(heap.begin(), heap.end(), later);
}

void CallRunner::attach(TcpConnection& c) {
    conn_ = &c;
    c.endpoint().set_auto_read(auto_read_);
}

void CallRunner::data(uint64_t bytes) {
    delivered_ += bytes;
    if (auto_read_) read_ += bytes;  // the endpoint did not keep them as unread
    if (!conn_ || !shut_rd_) return;
    // RFC 1122 4.2.2.13 (Linux's tcp_rcv_state_process): new data for a socket that reads no
    // more, once its FIN is out, resets the connection; the peer learns that it was not read.
    TcpState s = conn_->endpoint().state();
    if (s == TcpState::FIN_WAIT_1 || s == TcpState::FIN_WAIT_2) conn_->abort();
}

void CallRunner::run(SimTime now) {
    if (!conn_ || !connected_) return;
    write_more();
    while (conn_ && step(now)) {
    }
    take(now);
    if (conn_ && program_ends()) exit(now);
}

void CallRunner::peer_closed(SimTime now) {
    peer_fin_ = true;
    if (conn_ && connected_ && program_ends()) exit(now);
}

void CallRunner::exit(SimTime now) {
    // The program has made its calls and read the end of the peer's stream: it exits, and the
    // socket is closed.
    SocketCall close;
    close.action = SocketCall::Action::close;
    trace(close, now);
    make(close, now);
}

SimTime CallRunner::next_run(SimTime now) const {
    if (!conn_ || !connected_) return kNever;
    if ((!auto_read_ && !shut_rd_ && budget_ > 0 && unread() > 0) || program_ends()) return now;
    SimTime t = kNever;
    if (!free_.empty()) t = free_.front().t;
    if (!ordered_.empty() && write_left_ == 0) t = std::min(t, ordered_.front().t);
    return t == kNever ? t : std::max(t, now);
}

bool CallRunner::step(SimTime now) {
    // The earlier of the two heaps' first calls, the one waiting for writes only if none blocks.
    const Next* o = !ordered_.empty() && write_left_ == 0 ? &ordered_.front() : nullptr;
    const Next* f = !free_.empty() ? &free_.front() : nullptr;
    bool from_free = f && (!o || later(*o, *f));
    const Next* n = from_free ? f : o;
    if (!n || n->t > now) return false;
    std::vector<Next>& heap = from_free ? free_ : ordered_;
    Next made = *n;
    std::pop_heap(heap.begin(), heap.end(), later);
    heap.pop_back();
    const SocketCall& c = calls_[made.index];
    if (made.k + 1 < c.repeat) push(heap, Next{made.t + c.every, made.index, made.k + 1});
    trace(c, now);
    make(c, now);
    return true;
}

void CallRunner::make(const SocketCall& c, SimTime now) {
    TcpEndpoint& ep = conn_->endpoint();
    switch (c.action) {
        case SocketCall::Action::write:
            write_left_ = c.bytes;
            write_more();
            break;
        case SocketCall::Action::read:
            if (!shut_rd_) budget_ = std::min(budget_ + c.bytes, UINT64_MAX / 2);
            break;
        case SocketCall::Action::read_all:
            if (shut_rd_ || auto_read_) break;
            // What waits is taken now; from now on the endpoint takes everything as it arrives.
            auto_read_ = true;
            budget_ = 0;
            ep.set_auto_read(true);
            if (uint64_t n = unread()) {
                read_ += n;
                ep.read(n, now);
            }
            break;
        case SocketCall::Action::shutdown_read: stop_reading(); break;
        case SocketCall::Action::shutdown_write: conn_->close(); break;  // the FIN after what is queued
        case SocketCall::Action::shutdown_both:
            stop_reading();
            conn_->close();
            break;
        case SocketCall::Action::close:
            closed_ = true;
            stop_reading();
            // RFC 1122 4.2.2.13, RFC 2525 2.17 (Linux tcp_close): data the program never read
            // makes the close a reset.
            if (unread()) conn_->abort();
            else conn_->close();
            break;
        case SocketCall::Action::abort:
            closed_ = true;
            write_left_ = 0;  // a blocked write gives up
            conn_->abort();
            break;
        case SocketCall::Action::nodelay: ep.set_nodelay(c.on, now); break;
        case SocketCall::Action::cork: ep.set_cork(c.on, now); break;
    }
}

void CallRunner::write_more() {
    if (!conn_ || write_left_ == 0) return;
    uint64_t n = conn_->send(write_left_);
    write_left_ -= n;
    written_ += n;
}

void CallRunner::take(SimTime now) {
    if (!conn_ || auto_read_ || shut_rd_) return;
    uint64_t n = std::min(unread(), budget_);
    if (n == 0) return;
    read_ += n;
    budget_ -= n;
    conn_->endpoint().read(n, now);  // may announce the window it frees
}

void CallRunner::stop_reading() {
    shut_rd_ = true;
    budget_ = 0;
    if (auto_read_) {
        // What arrives from now on stays unread, as it does in Linux after SHUT_RD.
        auto_read_ = false;
        conn_->endpoint().set_auto_read(false);
    }
}

void CallRunner::trace(const SocketCall& c, SimTime now) {
    TraceWriter& w = net_.tracer().writer();
    if (!w.wants(TraceCategory::segment)) return;
    char text[48];
    switch (c.action) {
        case SocketCall::Action::write:
            std::snprintf(text, sizeof text, "write %llu", static_cast<unsigned long long>(c.bytes));
            break;
        case SocketCall::Action::read:
            std::snprintf(text, sizeof text, "read %llu", static_cast<unsigned long long>(c.bytes));
            break;
        case SocketCall::Action::read_all: std::snprintf(text, sizeof text, "read all"); break;
        case SocketCall::Action::shutdown_read: std::snprintf(text, sizeof text, "shutdown read"); break;
        case SocketCall::Action::shutdown_write: std::snprintf(text, sizeof text, "shutdown write"); break;
        case SocketCall::Action::shutdown_both: std::snprintf(text, sizeof text, "shutdown both"); break;
        case SocketCall::Action::close: std::snprintf(text, sizeof text, "close"); break;
        case SocketCall::Action::abort: std::snprintf(text, sizeof text, "abort"); break;
        case SocketCall::Action::nodelay: std::snprintf(text, sizeof text, "nodelay %s", c.on ? "on" : "off"); break;
        case SocketCall::Action::cork: std::snprintf(text, sizeof text, "cork %s", c.on ? "on" : "off"); break;
    }
    const Node& node = net_.node(conn_->endpoint().local().node);
    w.event(now, "app")
        .text("node", node.name(), node.json_name())
        .field("conn", conn_->trace_id())
        .field("event", "call")
        .field("call", std::string_view(text));
}

}  // namespace tcpsim
