#pragma once
// A small network built directly in C++ (no JSON) for link and routing tests: hosts record what
// reaches them and when.
#include <memory>
#include <vector>

#include "models/network/network.hpp"
#include "sim/core/simulator.hpp"
#include "sim/trace/trace_writer.hpp"

namespace tcpsim::test {

struct Arrival {
    SimTime at;
    Packet packet;
};

class RecordingTransport final : public SegmentHandler {
public:
    explicit RecordingTransport(Simulator& sim) : sim_(sim) {}
    void on_segment(const Packet& p) override { arrivals.push_back({sim_.now(), p}); }
    std::vector<Arrival> arrivals;

private:
    Simulator& sim_;
};

struct NetworkFixture {
    explicit NetworkFixture(uint64_t seed = 1) : sim(seed), writer(nullptr, TraceFormat::json, TraceLevel::summary), net(sim, writer, nullptr) {}

    Node& host(const std::string& name) {
        Node& n = net.add_node(name, NodeKind::host);
        transports.push_back(std::make_unique<RecordingTransport>(sim));
        n.set_transport(transports.back().get());
        transport_of.resize(n.id() + 1, nullptr);
        transport_of[n.id()] = transports.back().get();
        return n;
    }
    Node& router(const std::string& name) { return net.add_node(name, NodeKind::router); }
    RecordingTransport& received_by(const Node& n) { return *transport_of[n.id()]; }

    // A data segment of `payload` bytes from a to b (wire size = 40 + payload).
    static Packet segment(const Node& a, const Node& b, uint32_t payload, uint32_t seq = 0) {
        Packet p;
        p.src_node = a.id();
        p.dst_node = b.id();
        p.src_port = 1000;
        p.dst_port = 2000;
        p.seq = seq;
        p.flags = kAck;
        p.payload_len = payload;
        return p;
    }

    Simulator sim;
    TraceWriter writer;
    Network net;
    std::vector<std::unique_ptr<RecordingTransport>> transports;
    std::vector<RecordingTransport*> transport_of;
};

// Sends `count` segments from a at fixed spacing via scheduled events.
class Sender final : public EventTarget {
public:
    Sender(Node& from, Packet templ) : from_(from), templ_(templ) {}
    void on_event(uint32_t, uint64_t k) override {
        Packet p = templ_;
        p.seq = templ_.seq + static_cast<uint32_t>(k) * templ_.payload_len;
        from_.send(p);
    }
    void schedule(Simulator& sim, uint64_t count, SimTime spacing, SimTime start = SimTime::zero()) {
        for (uint64_t k = 0; k < count; ++k) sim.at(start + spacing * static_cast<int64_t>(k), this, 0, k);
    }

private:
    Node& from_;
    Packet templ_;
};

}  // namespace tcpsim::test
