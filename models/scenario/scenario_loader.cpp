#include <algorithm>
#include <map>
#include <new>
#include <tuple>

#include "models/scenario/call_list_loader.hpp"
#include "models/scenario/scenario_config.hpp"
#include "models/scenario/topology_shorthand.hpp"

namespace tcpsim {

namespace {

bool valid_name(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; });
}

class Loader {
public:
    Loader(const Json& doc, const std::string& file) : doc_(doc), file_(file) {}

    ScenarioConfig load() {
        JsonObjectReader top(doc_, "", file_);
        c_.file = file_;
        c_.name = top.string("name");
        if (!valid_name(c_.name))
            top.fail("name", "a name of 1-64 letters, digits, '_', '-' or '.' (it names the output file)");
        c_.description = top.string_or("description", "");
        c_.seed = top.uint64_or("seed", 1);
        c_.duration = top.duration("duration", SimTime::from_ns(1));
        if (auto t = top.object_opt("trace")) read_trace(*t);
        if (auto t = top.object_opt("tcp")) {
            c_.tcp = read_tcp_config(*t, TcpConfig{});
            t->finish();
        }

        if (auto topo = top.object_opt("topology")) expand_topology(*topo);
        if (const Json* nodes = top.array_opt("nodes"))
            for (size_t i = 0; i < nodes->size(); ++i) read_node((*nodes)[i], "/nodes/" + std::to_string(i));
        if (c_.nodes.empty()) top.fail("nodes", "at least one node (\"nodes\": [{\"name\": \"client\"}, ...] or a \"topology\")");
        if (const Json* links = top.array_opt("links")) {
            for (size_t i = 0; i < links->size(); ++i) {
                // Refused at the first link too many, before the rest is read into memory.
                if (c_.links.size() >= kMaxLinks)
                    throw InputError(file_, "/links/" + std::to_string(i),
                                     "too many links (the limit is " + std::to_string(kMaxLinks) + ")");
                read_link((*links)[i], "/links/" + std::to_string(i));
            }
        }
        check_routing_work(top);
        if (const Json* apps = top.array_opt("applications")) {
            if (apps->size() > kMaxApplications)
                top.fail("applications", "at most " + std::to_string(kMaxApplications) + " applications");
            for (size_t i = 0; i < apps->size(); ++i) read_application((*apps)[i], "/applications/" + std::to_string(i));
        }
        top.finish();
        return std::move(c_);
    }

private:
    // Static routing costs memory and time in (nodes with several links) x (nodes + links): see
    // kMaxRoutingWork. Checked before anything is built.
    void check_routing_work(JsonObjectReader& top) {
        std::vector<uint32_t> degree(c_.nodes.size());
        for (const auto& l : c_.links) {
            ++degree[l.a];
            ++degree[l.b];
        }
        uint64_t routing_nodes = static_cast<uint64_t>(std::count_if(degree.begin(), degree.end(), [](uint32_t d) { return d > 1; }));
        uint64_t work = routing_nodes * (c_.nodes.size() + 2 * c_.links.size());
        if (work > kMaxRoutingWork)
            throw InputError(file_, top.has("links") ? "/links" : "/topology",
                             "the topology is too large to route: " + std::to_string(routing_nodes) +
                                 " nodes with several links x (" + std::to_string(c_.nodes.size()) + " nodes + 2 x " +
                                 std::to_string(c_.links.size()) + " links) = " + std::to_string(work) +
                                 " steps of route computation (the limit is " + std::to_string(kMaxRoutingWork) + ")");
    }

    void read_trace(JsonObjectReader& t) {
        std::string level = t.choice("level", {"summary", "segments", "all"}, "segments");
        c_.trace_level = level == "summary" ? TraceLevel::summary : level == "segments" ? TraceLevel::segments : TraceLevel::all;
        t.finish();
    }

    void add_node(const std::string& name, NodeKind kind, const std::string& pointer,
                  const TcpConfig* tcp = nullptr) {
        if (!valid_name(name))
            throw InputError(file_, pointer, "expected a node name of 1-64 letters, digits, '_', '-' or '.', got \"" + shorten_for_message(name) + "\"");
        if (!node_index_.emplace(name, static_cast<uint32_t>(c_.nodes.size())).second)
            throw InputError(file_, pointer, "node \"" + name + "\" is defined twice");
        if (c_.nodes.size() >= kMaxNodes)
            throw InputError(file_, pointer, "too many nodes (the limit is " + std::to_string(kMaxNodes) + ")");
        c_.nodes.push_back(NodeSpec{name, kind, tcp ? *tcp : c_.tcp});
    }

    void read_node(const Json& v, const std::string& pointer) {
        JsonObjectReader r(v, pointer, file_);
        std::string name = r.string("name");
        std::string type = r.choice("type", {"host", "router"}, "host");
        TcpConfig tcp = c_.tcp;
        if (auto t = r.object_opt("tcp")) {
            if (type == "router") r.fail("tcp", "no \"tcp\" on a router (routers have no TCP)");
            tcp = read_tcp_config(*t, c_.tcp);
            t->finish();
        }
        r.finish();
        add_node(name, type == "router" ? NodeKind::router : NodeKind::host, r.pointer_of("name"), &tcp);
    }

    uint32_t node_ref(JsonValueRef v) {
        if (!v.value.is_string()) v.fail("a node name");
        auto it = node_index_.find(v.value.get<std::string>());
        if (it == node_index_.end()) {
            std::vector<std::string> names;
            for (const auto& [n, _] : node_index_) names.push_back(n);
            std::string hint = closest_match(v.value.get<std::string>(), names);
            throw InputError(file_, v.pointer, "unknown node \"" + shorten_for_message(v.value.get<std::string>()) + "\"" +
                                                   (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
        }
        return it->second;
    }

    void read_link(const Json& v, const std::string& pointer) {
        JsonObjectReader r(v, pointer, file_);
        const Json& between = r.array("between");
        std::string bp = r.pointer_of("between");
        if (between.size() != 2) throw InputError(file_, bp, "expected two node names [\"a\", \"b\"], got " + describe_json_value(between));
        LinkSpec l;
        l.a = node_ref(JsonValueRef{between[0], bp + "/0", file_});
        l.b = node_ref(JsonValueRef{between[1], bp + "/1", file_});
        if (l.a == l.b) throw InputError(file_, bp, "a link joins two different nodes");
        LinkDirectionConfig shared = read_link_direction(r, LinkDirectionConfig{});
        l.forward = l.reverse = shared;
        if (auto f = r.object_opt("forward")) {
            l.forward = read_link_direction(*f, shared);
            f->finish();
        }
        if (auto b = r.object_opt("reverse")) {
            l.reverse = read_link_direction(*b, shared);
            b->finish();
        }
        if (const Json* outages = r.array_opt("outages")) {
            for (size_t i = 0; i < outages->size(); ++i) {
                JsonObjectReader o((*outages)[i], r.pointer_of("outages") + "/" + std::to_string(i), file_);
                OutageSpec s;
                s.from = o.duration("from");
                s.to = o.duration_or("to", SimTime::max());
                if (s.to <= s.from) o.fail("to", "a time after \"from\"");
                std::string d = o.choice("direction", {"both", "forward", "reverse"}, "both");
                s.direction = d == "both" ? OutageSpec::Direction::both
                              : d == "forward" ? OutageSpec::Direction::forward : OutageSpec::Direction::reverse;
                o.finish();
                l.outages.push_back(s);
            }
        }
        r.finish();
        c_.links.push_back(l);
    }

    void expand_topology(JsonObjectReader& t) {
        std::string type = t.choice("type", {"dumbbell"}, "dumbbell");
        (void)type;
        DumbbellSpec d = read_dumbbell(t);
        t.finish();
        std::string p = t.pointer();
        auto add = [&](const std::string& n, NodeKind k) { add_node(n, k, p); };
        add(d.left_router, NodeKind::router);
        add(d.right_router, NodeKind::router);
        c_.links.push_back(LinkSpec{node_index_[d.left_router], node_index_[d.right_router], d.bottleneck, d.bottleneck, {}});
        for (uint32_t i = 1; i <= d.pairs; ++i) {
            std::string s = d.sender_prefix + std::to_string(i), r = d.receiver_prefix + std::to_string(i);
            add(s, NodeKind::host);
            add(r, NodeKind::host);
            c_.links.push_back(LinkSpec{node_index_[s], node_index_[d.left_router], d.access, d.access, {}});
            c_.links.push_back(LinkSpec{node_index_[d.right_router], node_index_[r], d.access, d.access, {}});
        }
    }

    void read_application(const Json& v, const std::string& pointer) {
        JsonObjectReader r(v, pointer, file_);
        std::string type = r.choice("type", {"bulk", "request_response", "idle", "calls", "segments"}, "");
        if (type.empty()) r.require("type");
        if (type == "segments") read_segment_script(r);
        else read_tcp_application(r, type);
        r.finish();
    }

    uint32_t host_ref(JsonObjectReader& r, std::string_view key) {
        uint32_t n = node_ref(r.require(key));
        if (c_.nodes[n].kind != NodeKind::host) r.fail(key, "a host (routers run no applications)");
        return n;
    }

    void read_tcp_application(JsonObjectReader& r, const std::string& type) {
        TcpAppSpec a;
        a.kind = type == "bulk"               ? TcpAppSpec::Kind::bulk
                 : type == "request_response" ? TcpAppSpec::Kind::request_response
                 : type == "calls"            ? TcpAppSpec::Kind::calls
                                              : TcpAppSpec::Kind::idle;
        a.client = host_ref(r, "from");
        a.server = host_ref(r, "to");
        if (a.client == a.server) r.fail("to", "another host than \"from\"");
        a.port = static_cast<uint16_t>(r.integer_or("port", 5555, 1, 65535));
        // Port 0 is no port on the wire; absent, the client takes an ephemeral one.
        if (r.has("sport")) a.sport = static_cast<uint16_t>(r.integer_or("sport", 0, 1, 65535));
        if (a.sport != 0) {
            // Two connections with one 4-tuple would be one connection to the client's stack.
            auto [it, fresh] = fixed_tuples_.emplace(std::make_tuple(a.client, a.sport, a.server, a.port), r.pointer());
            if (!fresh)
                r.fail("sport", "a port not used by " + it->second + " (same client, server and port: the same connection)");
        }
        a.start = r.duration_or("start", SimTime::zero());
        if (a.start >= c_.duration) r.fail("start", "a time before the end of the run (" + c_.duration.to_string() + ")");
        if (a.kind == TcpAppSpec::Kind::calls) {
            // The lists say when each side closes; two ways to say it could disagree.
            for (const char* key : {"close_at", "abort_at"})
                if (r.has(key))
                    r.fail(key, std::string("a {\"") + (key[0] == 'c' ? "close" : "abort") +
                                    "\": true} call in \"client\" instead (a calls application's lists say when it ends)");
        } else {
            if (r.has("close_at")) a.close_at = r.duration("close_at", a.start);
            if (r.has("abort_at")) a.abort_at = r.duration("abort_at", a.start);
        }
        if (a.kind == TcpAppSpec::Kind::calls) {
            a.client_calls = read_call_list(r, "client", a.start, c_.duration);
            a.server_calls = read_call_list(r, "server", a.start, c_.duration);
        } else if (a.kind == TcpAppSpec::Kind::bulk) {
            if (r.has("bytes")) a.bytes = r.byte_size_or("bytes", 0, 1);
            a.reply_bytes = r.byte_size_or("reply_bytes", 0);
        } else if (a.kind == TcpAppSpec::Kind::request_response) {
            a.request = r.byte_size_or("request", a.request, 1);
            a.response = r.byte_size_or("response", a.response, 1);
            a.count = static_cast<uint32_t>(r.integer_or("count", 1, 1, 100'000'000));
            a.think = r.duration_or("think", SimTime::zero());
        }
        a.client_tcp = c_.nodes[a.client].tcp;
        a.server_tcp = c_.nodes[a.server].tcp;
        if (auto t = r.object_opt("tcp")) {
            a.client_tcp = read_tcp_config(*t, a.client_tcp);
            t->finish();
        }
        if (auto t = r.object_opt("server_tcp")) {
            a.server_tcp = read_tcp_config(*t, a.server_tcp);
            t->finish();
        }
        // "connections": N runs N copies of this application, each its own connection from its
        // own ephemeral port: N flows or N idle connections without N entries. A copy is
        // exactly what writing the entry N times gives (N entries in the summary).
        int64_t connections = r.integer_or("connections", 1, 1, kMaxConnectionsPerApplication);
        if (connections > 1 && a.sport != 0)
            r.fail("connections", "1 when \"sport\" is fixed (each connection needs a client port of its own)");
        if (a.sport == 0) {
            // The client picks ephemeral ports from 49152-65535; more connections than that from
            // one client to one server port could not all get a port of their own.
            uint64_t& n = ephemeral_connections_[std::make_tuple(a.client, a.server, a.port)];
            n += static_cast<uint64_t>(connections);
            if (n > kEphemeralPorts) {
                std::string what = "at most " + std::to_string(kEphemeralPorts) + " connections in all from \"" +
                                   c_.nodes[a.client].name + "\" to \"" + c_.nodes[a.server].name + "\" port " +
                                   std::to_string(a.port) + " (the client's ephemeral ports 49152-65535)";
                if (r.has("connections")) r.fail("connections", what);
                r.fail_here("one connection too many: " + what + "; use another server port or client host");
            }
        }
        if (sessions_ + static_cast<size_t>(connections) > kMaxApplications) {
            std::string what = "at most " + std::to_string(kMaxApplications) + " applications in all";
            if (r.has("connections")) r.fail("connections", what);
            r.fail_here("one application too many: " + what + " (each of an entry's connections counts)");
        }
        sessions_ += static_cast<size_t>(connections);
        a.copies = static_cast<uint32_t>(connections);
        if (a.kind == TcpAppSpec::Kind::calls) {
            // Each connection makes the lists' calls: an event each, at its time.
            calls_ += (calls_made(a.client_calls) + calls_made(a.server_calls)) * static_cast<uint64_t>(connections);
            if (calls_ > kMaxCalls)
                r.fail_here("at most " + std::to_string(kMaxCalls) +
                            " socket calls in all calls applications together, each repetition and connection counted (this one brings the total to " +
                            std::to_string(calls_) + ")");
        }
        c_.applications.push_back(std::move(a));
    }

    void read_segment_script(JsonObjectReader& r) {
        SegmentScriptSpec app;
        app.node = host_ref(r, "node");
        const Json& segs = r.array("segments", 1);
        for (size_t i = 0; i < segs.size(); ++i) {
            JsonObjectReader s(segs[i], r.pointer_of("segments") + "/" + std::to_string(i), file_);
            ScriptSegmentSpec seg;
            seg.at = s.duration("at");
            if (seg.at > c_.duration) s.fail("at", "a time within the scenario's duration (" + c_.duration.to_string() + ")");
            Packet& h = seg.header;
            h.src_node = app.node;
            h.dst_node = node_ref(s.require("to"));
            if (h.dst_node == app.node) s.fail("to", "another node than the sender");
            h.src_port = static_cast<uint16_t>(s.integer_or("sport", 49152, 1, 65535));
            h.dst_port = static_cast<uint16_t>(s.integer_or("dport", 5555, 1, 65535));
            auto f = s.require("flags");
            if (!f.value.is_string() || !flags_from_text(f.value.get<std::string>(), h.flags))
                f.fail("tcpdump-style flags such as \"S\", \"S.\", \".\", \"P.\", \"F.\", \"R\"");
            h.seq = static_cast<uint32_t>(s.integer_or("seq", 0, 0, UINT32_MAX));
            h.ack = static_cast<uint32_t>(s.integer_or("ack", 0, 0, UINT32_MAX));
            h.window = static_cast<uint32_t>(s.integer_or("win", 65535, 0, 65535));
            h.payload_len = static_cast<uint32_t>(s.integer_or("len", 0, 0, 65495));
            if (auto o = s.object_opt("options")) {
                h.options.mss = static_cast<uint16_t>(o->integer_or("mss", 0, 0, 65535));
                h.options.wscale = static_cast<int8_t>(o->integer_or("wscale", -1, -1, 14));
                h.options.sack_permitted = o->boolean_or("sack_permitted", false);
                o->finish();
            }
            // A repeated segment is a raw constant-rate source: `count` copies `interval` apart,
            // each one's seq advanced by the payload length (a stream without TCP).
            int64_t count = s.integer_or("count", 1, 1, 10'000'000);
            SimTime interval = s.duration_or("interval", SimTime::zero());
            if (count > 1 && interval == SimTime::zero()) s.fail("interval", "a positive interval when count > 1");
            s.finish();
            // Copies after the end of the run are never sent: count only those within it (divided,
            // not multiplied, so a huge count times a long interval cannot overflow).
            if (count > 1) count = std::min<int64_t>(count, (c_.duration - seg.at).ns() / interval.ns() + 1);
            script_segments_ += static_cast<uint64_t>(count);
            if (script_segments_ > kMaxScriptSegments)
                s.fail("count", "at most " + std::to_string(kMaxScriptSegments) +
                                    " raw segments within the run in all applications together (this one brings the total to " +
                                    std::to_string(script_segments_) + ")");
            for (int64_t k = 0; k < count; ++k) {
                ScriptSegmentSpec copy = seg;
                copy.at = seg.at + interval * k;
                copy.header.seq = seg.header.seq + static_cast<uint32_t>(k) * seg.header.payload_len;
                app.segments.push_back(copy);
            }
        }
        c_.applications.push_back(app);
        ++sessions_;
    }

    const Json& doc_;
    const std::string& file_;
    ScenarioConfig c_;
    std::map<std::string, uint32_t> node_index_;
    uint64_t script_segments_ = 0;
    uint64_t calls_ = 0;  // socket calls of "calls" applications, repetitions and connections counted
    // (client, sport, server, port) of applications with a fixed sport -> the first one's pointer.
    std::map<std::tuple<uint32_t, uint16_t, uint32_t, uint16_t>, std::string> fixed_tuples_;
    // (client, server, port) -> connections from ephemeral client ports.
    std::map<std::tuple<uint32_t, uint32_t, uint16_t>, uint64_t> ephemeral_connections_;
    size_t sessions_ = 0;  // TCP applications so far, "connections" counted
};

}  // namespace

size_t ScenarioConfig::application_count() const {
    size_t n = 0;
    for (const auto& a : applications) n += std::holds_alternative<TcpAppSpec>(a) ? std::get<TcpAppSpec>(a).copies : 1;
    return n;
}

ScenarioConfig parse_scenario(const Json& doc, const std::string& file) { return parse_scenario(Json(doc), file); }

ScenarioConfig parse_scenario(Json&& doc, const std::string& file) {
    try {
        ScenarioConfig c = Loader(doc, file).load();
        c.source = std::move(doc);  // the tree kept once, not copied (it can be most of the memory loading takes)
        return c;
    } catch (const std::bad_alloc&) {
        throw InputError(file, "", "out of memory while loading the scenario");
    }
}

ScenarioConfig load_scenario(const std::string& path) { return parse_scenario(load_json_file(path), path); }

}  // namespace tcpsim
