// PacketTracer's segment records: the header fields of a packet are formatted once and copied
// into its later records (deliver, drop, enqueue...), but only while the packet is unchanged.
#include <doctest/doctest.h>

#include <initializer_list>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/capture/packet_tracer.hpp"
#include "models/network/network.hpp"
#include "segment_sink.hpp"
#include "sim/core/simulator.hpp"
#include "sim/trace/trace_writer.hpp"

using namespace tcpsim;
using Json = nlohmann::json;
using tcpsim::test::SegmentSink;

namespace {

struct TracedNetwork {
    explicit TracedNetwork(TraceSink* sink = nullptr)
        : sim(1), writer(&out, TraceFormat::jsonl, TraceLevel::segments), net(sim, writer, nullptr) {
        if (sink) writer.add_sink(sink);
        a = &net.add_node("a", NodeKind::host);
        b = &net.add_node("b \"quoted\"", NodeKind::host);
        writer.begin(Json::object());
    }
    // The records written so far, parsed, meta line left out.
    std::vector<Json> records() {
        writer.flush();
        std::vector<Json> r;
        std::istringstream in(out.str());
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) r.push_back(Json::parse(line));
        r.erase(r.begin());
        return r;
    }
    Packet segment(uint64_t uid, uint32_t seq) const {
        Packet p;
        p.uid = uid;
        p.src_node = a->id();
        p.dst_node = b->id();
        p.src_port = 1000;
        p.dst_port = 2000;
        p.seq = seq;
        p.ack = 77;
        p.flags = kAck;
        p.payload_len = 100;
        p.window = 500;
        p.options.has_timestamps = true;
        p.options.ts_val = 11;
        p.options.ts_ecr = 12;
        return p;
    }

    std::ostringstream out;
    Simulator sim;
    TraceWriter writer;
    Network net;
    Node* a = nullptr;
    Node* b = nullptr;
};

// The record less the fields that differ between a send and a deliver of one packet.
Json header_of(Json r) {
    for (const char* k : {"t", "t_ns", "type", "node"}) r.erase(k);
    return r;
}

}  // namespace

TEST_CASE("a packet's later records repeat its header fields, and follow any change to it") {
    TracedNetwork t;
    PacketTracer tracer(t.net, t.writer, nullptr);
    Packet p = t.segment(1, 5000);
    tracer.on_send(*t.a, p);
    tracer.on_deliver(*t.b, p);
    // Changed in flight, same uid: the copy made at the send must not be reused.
    p.seq = 6000;
    p.flags = kAck | kFin;
    p.options.ts_ecr = 99;
    p.options.sack_count = 1;
    p.options.sack[0] = SackBlock{1, 2};
    tracer.on_deliver(*t.b, p);
    // Another packet in the same slot of the copies (uids 1024 apart), then the first again.
    Packet q = t.segment(1 + 1024, 7000);
    tracer.on_send(*t.a, q);
    tracer.on_deliver(*t.b, p);
    tracer.on_deliver(*t.b, q);

    std::vector<Json> r = t.records();
    REQUIRE(r.size() == 6);
    CHECK(r[0].at("type") == "send");
    CHECK(r[1].at("type") == "deliver");
    CHECK(header_of(r[1]) == header_of(r[0]));
    CHECK(r[0].at("seq") == 5000);
    CHECK(r[0].at("dst") == "b \"quoted\"");
    CHECK(r[0].at("options") == Json::parse(R"({"ts":[11,12]})"));

    CHECK(r[2].at("seq") == 6000);
    CHECK(r[2].at("flags") == "F.");
    CHECK(r[2].at("options").at("ts") == Json::parse("[11,99]"));
    CHECK(r[2].at("options").at("sack") == Json::parse("[[1,2]]"));
    CHECK(r[2].at("pkt") == 1);

    CHECK(r[3].at("pkt") == 1025);
    CHECK(r[3].at("seq") == 7000);
    CHECK(header_of(r[4]) == header_of(r[2]));
    CHECK(header_of(r[5]) == header_of(r[3]));
}

TEST_CASE("a segment's header packed into one op reads exactly as when written field by field") {
    // The JSON-only path copies the header whole and formats it on the writer's side; with a sink
    // the same fields go one by one. Segments with every option, SACK blocks, a FIN, before and
    // after the ISNs are known (rel_seq, rel_ack), must give the same text either way.
    auto trace = [](TraceSink* sink) {
        TracedNetwork t(sink);
        PacketTracer tracer(t.net, t.writer, nullptr);
        Packet syn = t.segment(1, 1000);
        syn.flags = kSyn;
        syn.ack = 0;
        syn.payload_len = 0;
        syn.options.mss = 1460;
        syn.options.wscale = 7;
        syn.options.sack_permitted = true;
        tracer.on_send(*t.a, syn);
        tracer.on_deliver(*t.b, syn);
        Packet synack = t.segment(2, 5000);
        std::swap(synack.src_node, synack.dst_node);
        std::swap(synack.src_port, synack.dst_port);
        synack.flags = kSyn | kAck;
        synack.ack = 1001;
        synack.payload_len = 0;
        synack.options = TcpOptions{};
        tracer.on_send(*t.b, synack);
        Packet data = t.segment(3, 1001);
        data.ack = 5001;
        data.options.sack_count = 3;
        data.options.sack = {SackBlock{1, 2}, SackBlock{4000000000u, 4294967295u}, SackBlock{7, 8}, SackBlock{9, 9}};
        tracer.on_send(*t.a, data);
        Packet fin = t.segment(4, 1101);
        fin.flags = kFin | kAck | kPsh;
        fin.options = TcpOptions{};
        tracer.on_send(*t.a, fin);
        tracer.on_drop(fin, DropReason::queue_full, nullptr, t.b);
        t.writer.flush();
        return t.out.str();
    };
    SegmentSink sink;
    std::string packed = trace(nullptr), by_field = trace(&sink);
    CHECK(sink.records == 6);
    CHECK(packed.find("\"rel_ack\":1") != std::string::npos);
    CHECK(packed.find("\"sack\":[[1,2],[4000000000,4294967295],[7,8]]") != std::string::npos);
    CHECK(packed == by_field);
}

TEST_CASE("a node name too long to pack with the header still gives a whole record") {
    TracedNetwork t;
    std::string long_name(3000, 'x');
    Node& c = t.net.add_node(long_name, NodeKind::host);
    PacketTracer tracer(t.net, t.writer, nullptr);
    Packet p = t.segment(1, 5000);
    p.dst_node = c.id();
    tracer.on_send(*t.a, p);
    tracer.on_deliver(c, p);
    std::vector<Json> r = t.records();
    REQUIRE(r.size() == 2);
    CHECK(r[0].at("dst") == long_name);
    CHECK(r[0].at("seq") == 5000);
    CHECK(header_of(r[1]) == header_of(r[0]));
}

TEST_CASE("segments of many flows, numbers repeating and changing, read the same packed as field by field") {
    // The packed header's formatter keeps each flow direction's numbers' text while they repeat
    // (a cache shared by flows whose entries collide) and takes flags' text from a table; a
    // packet's later record repeats its header unless it changed or carries SACK blocks: random
    // segments of 300 connections, values drawn from a few (so they repeat), every flags byte,
    // half of them delivered, some changed on the way.
    auto trace = [](TraceSink* sink) {
        TracedNetwork t(sink);
        PacketTracer tracer(t.net, t.writer, nullptr);
        std::mt19937 gen(17);
        auto pick = [&gen](std::initializer_list<uint32_t> v) { return *(v.begin() + gen() % v.size()); };
        for (uint64_t uid = 1; uid <= 6000; ++uid) {
            Packet p = t.segment(uid, pick({0, 7, 99'999, 4'294'967'295u}));
            p.src_port = static_cast<uint16_t>(1000 + gen() % 300);
            if (gen() % 2) {
                std::swap(p.src_node, p.dst_node);
                std::swap(p.src_port, p.dst_port);
            }
            p.ack = pick({0, 1, 123'456'789});
            p.flags = static_cast<uint8_t>(gen() % 256);
            p.payload_len = pick({0, 1448});
            p.window = pick({0, 65535});
            p.ecn = static_cast<uint8_t>(pick({0, 0, 2, 3}));
            p.options.ts_val = pick({0, 5, 2'864'971'707u});
            p.options.ts_ecr = pick({0, 2'437'371'733u});
            p.options.has_timestamps = gen() % 8 != 0;
            if (gen() % 10 == 0) p.options.mss = 1460;
            if (gen() % 10 == 0) p.options.sack_count = 1, p.options.sack[0] = SackBlock{3, 4};
            tracer.on_send(uid % 2 ? *t.a : *t.b, p);
            // Delivered (a repeat of the header), sometimes changed in flight (not a repeat).
            if (gen() % 2) {
                if (gen() % 4 == 0) p.options.sack_count = 0, p.seq += 1;
                if (gen() % 4 == 0) p.options.sack_count = 2, p.options.sack[1] = SackBlock{5, 6};
                if (gen() % 2 == 0) p.options.sack[0].right += 1;  // the same count, other blocks
                if (p.ecn == 2 && gen() % 3 == 0) p.ecn = 3;          // a queue marked it CE
                tracer.on_deliver(uid % 2 ? *t.b : *t.a, p);
            }
        }
        t.writer.flush();
        return t.out.str();
    };
    SegmentSink sink;
    std::string packed = trace(nullptr), by_field = trace(&sink);
    CHECK(sink.records > 8000);
    CHECK(packed.find("\"flags\":\"none\"") != std::string::npos);
    CHECK(packed.find("\"sack\":[[3,4],[5,6]]") != std::string::npos);
    CHECK(packed.find(",\"ecn\":\"ce\"") != std::string::npos);
    CHECK(packed.find(",\"ecn\":\"ect0\"") != std::string::npos);
    CHECK(packed == by_field);
}
