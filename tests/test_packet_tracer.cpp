// PacketTracer's segment records: the header fields of a packet are formatted once and copied
// into its later records (deliver, drop, enqueue...), but only while the packet is unchanged.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/network.hpp"
#include "models/packet_tracer.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_writer.hpp"

using namespace tcpsim;
using Json = nlohmann::json;

namespace {

struct TracedNetwork {
    TracedNetwork() : sim(1), writer(&out, TraceFormat::jsonl, TraceLevel::segments), net(sim, writer, nullptr) {
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
