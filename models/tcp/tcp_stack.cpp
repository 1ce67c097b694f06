#include "models/tcp/tcp_stack.hpp"

#include <algorithm>

#include "models/network/network.hpp"
#include "models/tcp/cc_trace_record.hpp"
#include "sim/core/invariant.hpp"

namespace tcpsim {

// ---------------------------------------------------------------- TcpConnection

TcpConnection::TcpConnection(TcpStack& stack, const TcpConfig& config, TcpAddress local, TcpAddress remote,
                             uint32_t iss, uint32_t ts_offset, TcpApplication* app)
    : stack_(stack), ep_(config, *this, local, remote, iss, ts_offset), app_(app),
      trace_id_(stack.network().tracer().connection_id(local.node, local.port, remote.node, remote.port)) {
    // cc records are segment-category records, made on every change or, with periodic sampling,
    // by write_cc_sample(). The trace's sinks are all added before the first connection exists,
    // and a trace only ever stops wanting records: a connection that finds no taker now will
    // find none later.
    ep_.set_congestion_reports(stack.network().tracer().writer().wants(TraceCategory::segment));
}

TcpConnection::~TcpConnection() {
    for (auto& t : timers_) stack_.sim().cancel(t.handle);
    if (rare_timers_)
        for (auto& t : *rare_timers_) stack_.sim().cancel(t.handle);
}

// An idle connection is two of these: persist, delayed-ACK and TIME-WAIT timers live apart
// (RareTimers). 408 bytes with LP64 and libstdc++ (920 before TcpTransferState and this): with
// malloc's 8-byte header, one 416-byte chunk.
static_assert(sizeof(TcpConnection) <= 416, "an idle connection stays small");

TcpConnection::LazyTimer& TcpConnection::make_rare_timer(TcpTimer t) {
    rare_timers_ = std::make_unique<RareTimers>();
    return *find_timer(t);
}

uint64_t TcpConnection::send(uint64_t bytes) { return ep_.send(bytes, stack_.sim().now()); }
void TcpConnection::close() { ep_.close(stack_.sim().now()); }
void TcpConnection::abort() { ep_.abort(stack_.sim().now()); }

void TcpConnection::emit(const Packet& segment) { stack_.node().send(segment, trace_id_); }

void TcpConnection::set_timer(TcpTimer t, SimTime at) {
    Simulator& sim = stack_.sim();
    LazyTimer& lt = timer(t);
    lt.due = at;
    if (!sim.pending(lt.handle) || at < lt.queued_at) {
        sim.cancel(lt.handle);
        lt.handle = sim.timer_at(at, this, static_cast<uint32_t>(t));
        lt.queued_at = at;
    }
    TraceWriter& w = stack_.network().tracer().writer();
    if (w.wants(TraceCategory::detail))
        w.event(sim.now(), "timer")
            .text("node", stack_.node().name(), stack_.node().json_name())
            .field("conn", trace_id_)
            .field("timer", to_string(t))
            .field("action", "set")
            .seconds("due", at)
            .field("due_ns", at.ns());
}

void TcpConnection::cancel_timer(TcpTimer t) {
    LazyTimer* lt = find_timer(t);
    if (!lt || !lt->active()) return;
    lt->due = LazyTimer::kOff;  // the queued entry, if any, fires into nothing
    TraceWriter& w = stack_.network().tracer().writer();
    if (w.wants(TraceCategory::detail))
        w.event(stack_.sim().now(), "timer")
            .text("node", stack_.node().name(), stack_.node().json_name())
            .field("conn", trace_id_)
            .field("timer", to_string(t))
            .field("action", "cancel");
}

void TcpConnection::on_event(uint32_t kind, uint64_t) {
    Simulator& sim = stack_.sim();
    LazyTimer* found = find_timer(static_cast<TcpTimer>(kind));
    if (!found || !found->active()) return;
    LazyTimer& lt = *found;
    TCPSIM_INVARIANT(ep_.state() != TcpState::CLOSED, "no timer fires after its connection is gone");
    if (lt.due > sim.now()) {  // moved later since it was queued
        lt.handle = sim.timer_at(lt.due, this, kind);
        lt.queued_at = lt.due;
        return;
    }
    lt.due = LazyTimer::kOff;
    TraceWriter& w = stack_.network().tracer().writer();
    if (w.wants(TraceCategory::detail))
        w.event(sim.now(), "timer")
            .text("node", stack_.node().name(), stack_.node().json_name())
            .field("conn", trace_id_)
            .field("timer", to_string(static_cast<TcpTimer>(kind)))
            .field("action", "fire");
    ep_.on_timer(static_cast<TcpTimer>(kind), sim.now());
}

void TcpConnection::state_changed(TcpState from, TcpState to, std::string_view reason) {
    TraceWriter& w = stack_.network().tracer().writer();
    if (w.wants(TraceCategory::segment))
        w.event(stack_.sim().now(), "state")
            .text("node", stack_.node().name(), stack_.node().json_name())
            .field("conn", trace_id_)
            .field("port", static_cast<uint32_t>(ep_.local().port))
            .field("from", to_string(from))
            .field("to", to_string(to))
            .field("reason", reason);
}

namespace {
void app_record(TcpStack& stack, uint32_t conn, std::string_view what, std::string_view reason = {}) {
    TraceWriter& w = stack.network().tracer().writer();
    if (!w.wants(TraceCategory::segment)) return;
    auto r = w.event(stack.sim().now(), "app");
    r.text("node", stack.node().name(), stack.node().json_name()).field("conn", conn).field("event", what);
    if (!reason.empty()) r.field("reason", reason);
}
}  // namespace

void TcpConnection::connected() {
    app_record(stack_, trace_id_, "connected");
    if (app_) app_->on_connected(*this);
}

void TcpConnection::data_received(uint64_t offset, uint64_t bytes) {
    if (app_) app_->on_data(*this, offset, bytes);
}

void TcpConnection::peer_closed() {
    app_record(stack_, trace_id_, "eof");
    if (app_) app_->on_peer_closed(*this);
}

void TcpConnection::writable() {
    if (app_) app_->on_writable(*this);
}

void TcpConnection::closed(CloseReason reason) {
    app_record(stack_, trace_id_, "closed", to_string(reason));
    if (app_) app_->on_closed(*this, reason);
    stack_.retire(*this);
}

void TcpConnection::note(std::string_view what, SimTime value) {
    TraceWriter& w = stack_.network().tracer().writer();
    if (w.wants(TraceCategory::detail))
        w.event(stack_.sim().now(), "tcp")
            .text("node", stack_.node().name(), stack_.node().json_name())
            .field("conn", trace_id_)
            .field("what", what)
            .seconds("value", value)
            .field("value_ns", value.ns());
}

namespace {
void cc_record(TcpStack& stack, uint32_t conn, const TcpEndpoint& ep, const CcSample& s) {
    TraceWriter& w = stack.network().tracer().writer();
    if (!w.wants(TraceCategory::segment)) return;
    auto r = w.event(stack.sim().now(), "cc");
    write_cc_fields(r, CcTraceRecord{stack.node().name(), stack.node().json_name(), conn, ep.congestion_control_name()}, s);
}
}  // namespace

void TcpConnection::congestion_changed(const CcSample& sample) {
    if (!stack_.cc_periodic()) cc_record(stack_, trace_id_, ep_, sample);
}

void TcpConnection::write_cc_sample() { cc_record(stack_, trace_id_, ep_, ep_.cc_sample()); }

std::vector<TcpConnection*> TcpStack::connections_in_order() const {
    std::vector<TcpConnection*> v;
    v.reserve(by_key_.size());
    by_key_.for_each([&v](const Owned& c) { v.push_back(c.get()); });
    std::sort(v.begin(), v.end(), [](const TcpConnection* a, const TcpConnection* b) { return a->trace_id() < b->trace_id(); });
    return v;
}

// ---------------------------------------------------------------- TcpStack

TcpStack::TcpStack(Network& net, Node& node, const TcpConfig& config) : net_(net), node_(node), config_(config) {
    node_.set_transport(this);
}

TcpStack::~TcpStack() = default;

TcpConnection* TcpStack::find(uint16_t local_port, uint32_t remote_node, uint16_t remote_port) {
    Owned* c = by_key_.find(key(local_port, remote_node, remote_port), key_of, hash);
    return c ? c->get() : nullptr;
}

Simulator& TcpStack::sim() { return net_.sim(); }

TcpStack::InitialNumbers TcpStack::draw_initial(const TcpConfig& c, uint16_t local_port, uint32_t remote_node,
                                                uint16_t remote_port) {
    // One stream per connection, named by its 4-tuple: the numbers do not depend on connection
    // order. The first draw is the ISS, the second the timestamp clock's offset (Linux starts
    // each connection's TS clock at a random offset, not at the ISN); a fixed ISN leaves the
    // offset drawn all the same.
    std::string name = "tcp/" + node_.name() + ":" + std::to_string(local_port) + "->" +
                       net_.node(remote_node).name() + ":" + std::to_string(remote_port) + "/isn";
    RngStream g = sim().rng(name);
    uint32_t iss = static_cast<uint32_t>(g.next_u64());
    uint32_t ts_offset = static_cast<uint32_t>(g.next_u64());
    return InitialNumbers{c.isn ? *c.isn : iss, ts_offset};
}

TcpConnection& TcpStack::connect(uint32_t remote_node, uint16_t remote_port, const TcpConfig& config,
                                 TcpApplication* app, uint16_t local_port) {
    if (local_port == 0) {
        do {
            local_port = next_ephemeral_;
            next_ephemeral_ = next_ephemeral_ == 65535 ? 49152 : next_ephemeral_ + 1;
        } while (find(local_port, remote_node, remote_port) || reserved_.count(local_port));
    }
    InitialNumbers n = draw_initial(config, local_port, remote_node, remote_port);
    auto conn = std::make_unique<TcpConnection>(*this, config, TcpAddress{node_.id(), local_port},
                                                TcpAddress{remote_node, remote_port}, n.iss, n.ts_offset, app);
    TcpConnection& c = *conn;
    // An explicit local port may name a connection still open: the new one takes its place.
    if (Owned* old = by_key_.find(key(local_port, remote_node, remote_port), key_of, hash)) {
        forget(old->get());
        *old = std::move(conn);
    } else by_key_.insert(std::move(conn), key_of, hash);
    c.endpoint().connect(sim().now());
    return c;
}

void TcpStack::listen(uint16_t port, const TcpConfig& config, AcceptFn accept) {
    listeners_[port] = Listener{config, std::move(accept)};
}

void TcpStack::send_reset_for(const Packet& p) {
    // RFC 9293 3.10.7.1 (CLOSED): never answer a RST; if the segment has an ACK, the RST takes
    // its sequence number from it; otherwise seq 0 and an ACK of everything the segment covered.
    if (p.flags & kRst) return;
    Packet r;
    r.src_node = node_.id();
    r.src_port = p.dst_port;
    r.dst_node = p.src_node;
    r.dst_port = p.src_port;
    if (p.flags & kAck) {
        r.seq = p.ack;
        r.flags = kRst;
    } else {
        r.seq = 0;
        r.ack = p.seq + p.seq_len();
        r.flags = kRst | kAck;
    }
    node_.send(r);
}

// A segment's conn_id is the trace's id of its 4-tuple (the sender's, or looked up by the tracer
// when it was sent), which names both ends alike: a connection of this host with that id and the
// segment's destination port as its own has the segment's 4-tuple (when the peer is this host
// too, the port tells the two ends apart), so demux() may take the last connection found.
void TcpStack::on_segment(const Packet& p) {
    if (TcpConnection* c = demux(p)) {
        c->endpoint().on_segment(p, sim().now());
        return;
    }
    auto l = listeners_.find(p.dst_port);
    if (l != listeners_.end() && (p.flags & kSyn) && !(p.flags & (kAck | kRst))) {
        InitialNumbers n = draw_initial(l->second.config, p.dst_port, p.src_node, p.src_port);
        auto conn = std::make_unique<TcpConnection>(*this, l->second.config, TcpAddress{node_.id(), p.dst_port},
                                                    TcpAddress{p.src_node, p.src_port}, n.iss, n.ts_offset, nullptr);
        TcpConnection& c = *conn;
        by_key_.insert(std::move(conn), key_of, hash);
        if (l->second.accept) c.set_application(l->second.accept(c));
        c.endpoint().listen(sim().now());
        c.endpoint().on_segment(p, sim().now());
        return;
    }
    send_reset_for(p);
}

void TcpStack::retire(TcpConnection& c) {
    uint64_t k = key(c.endpoint().local().port, c.endpoint().remote().node, c.endpoint().remote().port);
    Owned* found = by_key_.find(k, key_of, hash);
    if (!found || found->get() != &c) return;
    forget(&c);
    retired_.push_back(by_key_.take(k, key_of, hash));
    if (!reap_scheduled_) {
        reap_scheduled_ = true;
        sim().at(sim().now(), this, 0);
    }
}

void TcpStack::on_event(uint32_t, uint64_t) {
    reap_scheduled_ = false;
    retired_.clear();
}

}  // namespace tcpsim
