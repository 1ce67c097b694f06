#include "models/scenario/world.hpp"

#include <sys/resource.h>

#include <utility>

#include "models/capture/ipv4_tcp_encoder.hpp"
#include "sim/core/version.hpp"

namespace tcpsim {

World::World(const ScenarioConfig& config, const RunOptions& options)
    : config_(config), options_(options), sim_(config.seed),
      writer_(options.trace_out, options.format, options.level.value_or(config.trace_level)),
      net_(sim_, writer_, options.human) {
    for (TraceSink* s : options_.sinks) writer_.add_sink(s);
    net_.tracer().set_capture(options_.capture);
    sim_.set_interrupt_flag(options.interrupt);
    writer_.set_byte_limit(options.max_trace_bytes);
    writer_.set_truncate(options.trace_truncate);
    if (options.trace_in_background) writer_.write_in_background();
    writer_.set_on_stop([this] {
        sim_.stop(writer_.status() == TraceWriter::Status::limit_reached ? StopReason::trace_limit : StopReason::trace_error);
    });
    for (const auto& n : config_.nodes) net_.add_node(n.name, n.kind);
    for (const auto& l : config_.links) net_.add_link(net_.node(l.a), net_.node(l.b), l.forward, l.reverse);
    net_.compute_routes();
    stacks_.resize(config_.nodes.size());
    for (size_t i = 0; i < config_.nodes.size(); ++i)
        if (config_.nodes[i].kind == NodeKind::host)
            stacks_[i] = std::make_unique<TcpStack>(net_, net_.node(static_cast<uint32_t>(i)), config_.nodes[i].tcp);
    for (const auto& app : config_.applications) {
        if (const auto* s = std::get_if<SegmentScriptSpec>(&app)) {
            scripts_.push_back(std::make_unique<SegmentScript>(net_, *s));
            continue;
        }
        const TcpAppSpec& a = std::get<TcpAppSpec>(app);
        if (a.sport) stacks_[a.client]->reserve_port(a.sport);
        auto key = std::make_pair(a.server, a.port);
        if (!expected_.count(key)) {
            // One listener per server port; it hands each accepted connection to the session
            // whose client it comes from (the first session's server_tcp configures the port).
            expected_[key];
            stacks_[a.server]->listen(a.port, a.server_tcp, [this, key](TcpConnection& c) -> TcpApplication* {
                auto& waiting = expected_[key];
                auto it = waiting.find({c.endpoint().remote().node, c.endpoint().remote().port});
                if (it == waiting.end()) return nullptr;
                TcpSession* s = it->second;
                waiting.erase(it);
                return s->accept(c);
            });
        }
        for (uint32_t k = 0; k < a.copies; ++k)
            sessions_.push_back(std::make_unique<TcpSession>(static_cast<uint32_t>(sessions_.size()), a,
                                                             *stacks_[a.client], *stacks_[a.server], *this));
    }
}

void World::session_started(TcpSession& s) {
    expected_[{s.spec().server, s.spec().port}][{s.spec().client, s.client_port()}] = &s;
}

void World::session_finished(TcpSession&) {
    if (++sessions_finished_ == sessions_.size()) sim_.stop(StopReason::all_finished);
}

void World::on_event(uint32_t, uint64_t) {
    for (auto& stack : stacks_)
        if (stack)
            for (TcpConnection* c : stack->connections_in_order()) c->write_cc_sample();
    // Keep sampling while anything else is still to happen.
    if (sim_.pending_events() > 0) sim_.after(options_.sample_interval, this, 0);
}

void World::schedule_outages() {
    // Links were added in scenario order, two directions each: link k is links()[2k], [2k+1].
    for (size_t k = 0; k < config_.links.size(); ++k) {
        for (const OutageSpec& o : config_.links[k].outages) {
            LinkDirection* dirs[2] = {net_.links()[2 * k].get(), net_.links()[2 * k + 1].get()};
            for (int d = 0; d < 2; ++d) {
                if (o.direction == OutageSpec::Direction::forward && d == 1) continue;
                if (o.direction == OutageSpec::Direction::reverse && d == 0) continue;
                sim_.at(o.from, dirs[d], LinkDirection::kSetDown);
                if (o.to != SimTime::max()) sim_.at(o.to, dirs[d], LinkDirection::kSetUp);
            }
        }
    }
}

Json World::meta() const {
    Json m;
    m["tool"] = "tcpsim";
    m["version"] = kVersion;
    m["scenario"] = config_.name;
    m["file"] = config_.file;
    m["seed"] = config_.seed;
    m["duration"] = config_.duration.to_seconds();
    m["duration_ns"] = config_.duration.ns();
    m["trace_level"] = std::string(to_string(writer_.level()));
    Json nodes = Json::array();
    for (uint32_t i = 0; i < config_.nodes.size(); ++i) {
        const NodeSpec& n = config_.nodes[i];
        nodes.push_back({{"name", n.name},
                         {"type", n.kind == NodeKind::host ? "host" : "router"},
                         {"address", ipv4_to_string(node_ipv4_address(i))}});  // as in pcap files
    }
    m["nodes"] = std::move(nodes);
    Json links = Json::array();
    for (const auto& l : net_.links()) links.push_back({{"link", l->name()}, {"config", link_direction_to_json(l->config())}});
    m["links"] = std::move(links);
    return m;
}

RunSummary World::summary(const RunResult& r) {
    RunSummary s;
    s.set("run", {{"stop_reason", std::string(to_string(r.reason))},
                  {"end_time", r.end_time.to_seconds()},
                  {"end_time_ns", r.end_time.ns()},
                  {"events", r.events}});
    Json drops = Json::object();
    for (size_t i = 0; i < kDropReasonCount; ++i)
        drops[std::string(to_string(static_cast<DropReason>(i)))] = net_.tracer().drops(static_cast<DropReason>(i));
    s.set("drops", std::move(drops));
    s.set_list("links", net_.links().size(), [this](size_t i) { return net_.link_summary(i); });
    const PacketTracer& tracer = net_.tracer();
    s.set_list("connections", tracer.connection_count(), [&tracer](size_t i) { return tracer.connection_summary(i); });
    s.set_list("applications", sessions_.size(), [this](size_t i) { return sessions_[i]->summary(); });
    return s;
}

uint64_t World::trace_floor_bytes() {
    RunResult none{};
    return writer_.header_text(meta(), lent_meta()).size() + writer_.closing_size(summary(none), 0);
}

RunResult World::run() {
    // Only the JSON text has a meta member (the sinks take none): a run without one does not
    // build it.
    writer_.begin(writer_.writes_text() ? meta() : Json(), lent_meta());
    schedule_outages();
    for (auto& s : scripts_) s->start(sim_);
    for (auto& s : sessions_) s->schedule(sim_);
    if (options_.sample_interval > SimTime::zero()) {
        for (auto& stack : stacks_)
            if (stack) stack->set_cc_sampling(true);
        sim_.after(options_.sample_interval, this, 0);
    }
    RunResult r = sim_.run(config_.duration, options_.max_events);
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) peak_rss_after_run_kib_ = static_cast<uint64_t>(usage.ru_maxrss);
    // Nobody reads the summary of a run without a trace, a sink or a caller that asks for it:
    // building it (a JSON tree of every application and connection) can cost more than the run.
    const bool traced = options_.trace_out || !options_.sinks.empty();
    if (!traced && !options_.keep_summary) return r;
    RunSummary s = summary(r);
    if (options_.keep_summary) summary_ = s.to_json();
    if (traced) writer_.end(s);
    return r;
}

}  // namespace tcpsim
