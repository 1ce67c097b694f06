#include "models/tcp/tcp_session.hpp"

#include "models/network/network.hpp"
#include "models/tcp/call_runner.hpp"

namespace tcpsim {

namespace {
constexpr uint64_t kUnlimited = UINT64_MAX / 4;  // "until the run ends"
}

struct TcpSession::Calls {
    Calls(TcpSession& s, const TcpAppSpec& spec, Network& net)
        : client(spec.client_calls, spec.start, net), server(spec.server_calls, spec.start, net),
          client_wake(&s, kClientCalls), server_wake(&s, kServerCalls) {}
    CallRunner client, server;
    Timer client_wake, server_wake;
};

TcpSession::TcpSession(uint32_t index, const TcpAppSpec& spec, TcpStack& client, TcpStack& server,
                       SessionObserver& obs)
    : index_(index), spec_(spec), client_stack_(client), obs_(obs) {
    (void)server;  // its connection comes through accept()
    if (spec.kind == TcpAppSpec::Kind::calls) calls_ = std::make_unique<Calls>(*this, spec, client.network());
}

TcpSession::~TcpSession() = default;

// Two of these per idle connection, besides the endpoints: 224 bytes with LP64 and libstdc++.
static_assert(sizeof(TcpSession) <= 224, "a session stays small");

void TcpSession::schedule(Simulator& sim) {
    sim.at(spec_.start, this, kStart);
    if (spec_.close_at) sim.at(*spec_.close_at, this, kClose);
    if (spec_.abort_at) sim.at(*spec_.abort_at, this, kAbort);
}

void TcpSession::on_event(uint32_t kind, uint64_t) {
    switch (kind) {
        case kStart: {
            client_.rec.existed = true;
            TcpConnection& c = client_stack_.connect(spec_.server, spec_.port, spec_.client_tcp, this, spec_.sport);
            client_.conn = &c;
            client_port_ = c.endpoint().local().port;
            client_.rec.port = client_port_;
            if (calls_) calls_->client.attach(c);
            obs_.session_started(*this);
            break;
        }
        case kClose:
            if (client_.conn) client_.conn->close();
            break;
        case kAbort:
            if (client_.conn) client_.conn->abort();
            break;
        case kThinkDone: queue(client_, spec_.request, false); break;
        case kClientCalls:
        case kServerCalls: {
            Side& side = kind == kClientCalls ? client_ : server_;
            runner(side).run(client_stack_.sim().now());
            calls_changed(side);
            break;
        }
    }
}

CallRunner& TcpSession::runner(const Side& side) { return is_client(side) ? calls_->client : calls_->server; }

void TcpSession::calls_changed(Side& side) {
    Simulator& sim = client_stack_.sim();
    CallRunner& r = runner(side);
    side.rec.written = r.written();
    Timer& wake = is_client(side) ? calls_->client_wake : calls_->server_wake;
    SimTime at = r.next_run(sim.now());
    if (at == CallRunner::kNever) wake.cancel(sim);
    else if (!wake.armed(sim) || wake.deadline() != at) wake.arm_at(sim, at);
    // Complete once both programs have made all their calls and every byte either wrote has
    // arrived at the other side.
    if (completed_at_ != SideRecord::kNever || !calls_->client.done() || !calls_->server.done()) return;
    if (client_.rec.connected_at == SideRecord::kNever || server_.rec.connected_at == SideRecord::kNever) return;
    if (server_.rec.received == client_.rec.written && client_.rec.received == server_.rec.written)
        completed_at_ = sim.now();
}

TcpApplication* TcpSession::accept(TcpConnection& c) {
    server_.conn = &c;
    server_.rec.existed = true;
    server_.rec.port = c.endpoint().local().port;
    if (calls_) calls_->server.attach(c);
    return this;
}

void TcpSession::queue(Side& side, uint64_t bytes, bool then_close) {
    side.rec.to_send += bytes;
    if (then_close) side.rec.close_when_sent = true;
    push(side);
}

void TcpSession::push(Side& side) {
    if (!side.conn || side.rec.closed) return;
    if (side.rec.to_send) {
        uint64_t n = side.conn->send(side.rec.to_send);
        side.rec.to_send -= n;
        side.rec.written += n;
    }
    if (side.rec.to_send == 0 && side.rec.close_when_sent) {
        side.rec.close_when_sent = false;
        side.conn->close();
    }
}

void TcpSession::connected(Side& side, TcpConnection& c) {
    (void)c;
    side.rec.connected_at = client_stack_.sim().now();
    if (calls_) {
        runner(side).connected();
        calls_changed(side);
        return;
    }
    if (!is_client(side)) return;
    switch (spec_.kind) {
        case TcpAppSpec::Kind::bulk:
            queue(side, spec_.bytes.value_or(kUnlimited), spec_.bytes.has_value());
            break;
        case TcpAppSpec::Kind::request_response: queue(side, spec_.request, false); break;
        case TcpAppSpec::Kind::idle:
        case TcpAppSpec::Kind::calls: break;
    }
}

void TcpSession::data(Side& side, TcpConnection&, uint64_t offset, uint64_t bytes) {
    // The stream must arrive whole and in order: each delivery starts where the last ended.
    if (offset != side.rec.received) ++side.rec.stream_errors;
    side.rec.received += bytes;
    SimTime now = client_stack_.sim().now();
    if (calls_) {
        runner(side).data(bytes);
        calls_changed(side);
    } else if (spec_.kind == TcpAppSpec::Kind::bulk) {
        // Complete when every byte of both streams has arrived: the upload, and the reply if
        // there is one (whichever is last; the reply is sent after the upload's FIN, but the
        // upload's last bytes may still be on their way).
        bool up = spec_.bytes && server_.rec.received == *spec_.bytes;
        bool down = !spec_.reply_bytes || client_.rec.received == spec_.reply_bytes;
        if (up && down && completed_at_ == SideRecord::kNever) completed_at_ = now;
    } else if (spec_.kind == TcpAppSpec::Kind::request_response) {
        if (is_client(side)) {
            while (side.rec.received >= (responses_done_ + 1) * spec_.response && responses_done_ < spec_.count) {
                ++responses_done_;
                if (responses_done_ == spec_.count) {
                    completed_at_ = now;
                    side.conn->close();
                } else {
                    client_stack_.sim().after(spec_.think, this, kThinkDone);
                }
            }
        } else {
            while (side.rec.received >= (requests_served_ + 1) * spec_.request) {
                ++requests_served_;
                queue(side, spec_.response, false);
            }
        }
    }
}

void TcpSession::peer_closed(Side& side, TcpConnection& c) {
    (void)c;
    if (calls_) {
        runner(side).peer_closed(client_stack_.sim().now());
        calls_changed(side);
        return;
    }
    // The server answers the client's FIN: with its reply first if it has one (half-close).
    if (!is_client(side) && spec_.kind == TcpAppSpec::Kind::bulk && spec_.reply_bytes) {
        queue(side, spec_.reply_bytes, true);
        return;
    }
    if (side.rec.to_send == 0) side.conn->close();
    else side.rec.close_when_sent = true;
}

void TcpSession::writable(Side& side) {
    if (!calls_) {
        push(side);
        return;
    }
    runner(side).writable();
    calls_changed(side);
}

namespace {
void fill_snapshot(EndpointSnapshot& e, const TcpEndpoint& ep) {
    e.counters = ep.counters();
    e.srtt = ep.rtt().srtt();
    e.rto = ep.rtt().rto();
    e.cwnd = ep.cwnd();
    e.ssthresh = ep.ssthresh();
    e.cc = std::string(ep.congestion_control_name());
}
}  // namespace

void TcpSession::snapshot(Side& side) {
    if (!side.conn) return;
    if (!side.rec.endpoint) side.rec.endpoint = std::make_unique<EndpointSnapshot>();
    fill_snapshot(*side.rec.endpoint, side.conn->endpoint());
}

void TcpSession::side_closed(Side& side, TcpConnection&, CloseReason r) {
    snapshot(side);
    side.rec.closed = true;
    side.rec.outcome = r;
    side.rec.closed_at = client_stack_.sim().now();
    side.conn = nullptr;  // the stack destroys it after this event
    if (calls_) {
        runner(side).detach();
        calls_changed(side);
    }
    check_finished();
}

void TcpSession::check_finished() {
    if (finished_) return;
    bool client_done = client_.rec.closed;
    bool server_done = !server_.rec.existed || server_.rec.closed;
    if (client_done && server_done) {
        finished_ = true;
        obs_.session_finished(*this);
    }
}

namespace {
// `live`: the state of a connection still open (else the snapshot taken when it closed).
Json side_json(const SideRecord& r, const std::string& node, const EndpointSnapshot* live) {
    static const EndpointSnapshot kNever;  // a side that never had a connection
    const EndpointSnapshot& e = live ? *live : r.endpoint ? *r.endpoint : kNever;
    Json j;
    j["address"] = r.existed ? node + ":" + std::to_string(r.port) : std::string();
    j["bytes_written"] = r.written;
    j["bytes_received"] = r.received;
    j["stream_errors"] = r.stream_errors;
    j["outcome"] = r.outcome ? std::string(to_string(*r.outcome)) : std::string(r.existed ? "open" : "never opened");
    if (r.connected_at != SideRecord::kNever) j["connected_at"] = r.connected_at.to_seconds();
    if (r.closed_at != SideRecord::kNever) j["closed_at"] = r.closed_at.to_seconds();
    j["segments_sent"] = e.counters.segments_sent;
    j["segments_received"] = e.counters.segments_received;
    j["retransmissions"] = e.counters.retransmissions;
    j["rto_expirations"] = e.counters.rto_expirations;
    j["syn_retransmissions"] = e.counters.syn_retransmissions;
    j["keepalive_probes"] = e.counters.keepalive_probes;
    j["zero_window_probes"] = e.counters.zero_window_probes;
    j["duplicate_segments"] = e.counters.duplicate_segments;
    j["out_of_order_segments"] = e.counters.out_of_order_segments;
    j["fast_retransmits"] = e.counters.fast_retransmits;
    j["fast_recoveries"] = e.counters.fast_recoveries;
    j["spurious_retransmits"] = e.counters.spurious_retransmits;
    j["dsacks_received"] = e.counters.dsacks_received;
    j["ecn_reductions"] = e.counters.ecn_reductions;
    j["reductions_undone"] = e.counters.reductions_undone;
    j["srtt"] = e.srtt.to_seconds();
    j["mean_rtt"] = e.counters.rtt_samples
                        ? e.counters.rtt_sum.to_seconds() / static_cast<double>(e.counters.rtt_samples)
                        : 0.0;
    j["rto"] = e.rto.to_seconds();
    j["cc"] = e.cc;
    j["cwnd"] = e.cwnd;
    j["max_cwnd"] = e.counters.max_cwnd;
    if (e.ssthresh >= CongestionControl::kInfiniteSsthresh) j["ssthresh"] = nullptr;
    else j["ssthresh"] = e.ssthresh;
    return j;
}
}  // namespace

Json TcpSession::summary() {
    // Connections still open at the end of the run report their state now (a snapshot made for
    // this summary only: one kept per session would grow the process by half a kilobyte per
    // connection as the summary is written).
    EndpointSnapshot live_client, live_server;
    if (client_.conn) fill_snapshot(live_client, client_.conn->endpoint());
    if (server_.conn) fill_snapshot(live_server, server_.conn->endpoint());
    Json j;
    j["app"] = index_;
    constexpr const char* kinds[] = {"bulk", "request_response", "idle", "calls"};
    j["type"] = kinds[static_cast<int>(spec_.kind)];
    j["client"] = side_json(client_.rec, client_stack_.node().name(), client_.conn ? &live_client : nullptr);
    j["server"] = side_json(server_.rec, client_stack_.network().node(spec_.server).name(),
                            server_.conn ? &live_server : nullptr);
    if (calls_) {
        // What each program read: less than bytes_received when it left data unread.
        j["client"]["bytes_read"] = calls_->client.read();
        j["server"]["bytes_read"] = calls_->server.read();
    }
    // Every byte once and in order, each way: nothing out of place, and all that was handed to
    // TCP by one side arrived at the other.
    bool up = client_.rec.stream_errors == 0 && server_.rec.received == client_.rec.written;
    bool down = server_.rec.stream_errors == 0 && client_.rec.received == server_.rec.written;
    j["streams_intact"] = up && down;
    if (completed_at_ != SideRecord::kNever) j["completed_at"] = completed_at_.to_seconds();
    // Goodput: bytes the server's application received over the time from the start to the
    // completion (or, for a transfer still running, to the end of the run).
    if (spec_.kind == TcpAppSpec::Kind::bulk) {
        SimTime end = completed_at_ != SideRecord::kNever ? completed_at_ : client_stack_.sim().now();
        double secs = (end - spec_.start).to_seconds();
        j["goodput_bps"] = secs > 0 ? static_cast<double>(server_.rec.received) * 8.0 / secs : 0.0;
    }
    return j;
}

}  // namespace tcpsim
