#pragma once
// Node: a host or a router. A router forwards by its routing table; a host hands segments
// addressed to it to its transport (the TCP stack, or nothing for raw-segment scenarios).
#include <cstdint>
#include <string>
#include <vector>

#include "models/network/packet.hpp"

namespace tcpsim {

class LinkDirection;
class Network;

enum class NodeKind { host, router };

// What a host's transport layer implements to receive segments addressed to the host.
class SegmentHandler {
public:
    virtual void on_segment(const Packet& p) = 0;

protected:
    ~SegmentHandler() = default;
};

class Node {
public:
    static constexpr uint32_t kNoRoute = UINT32_MAX;

    Node(Network& net, uint32_t id, std::string name, NodeKind kind);

    uint32_t id() const { return id_; }
    const std::string& name() const { return name_; }
    // The name as a JSON string literal (quoted, escaped): it goes into most trace records.
    const std::string& json_name() const { return json_name_; }
    NodeKind kind() const { return kind_; }

    void attach(LinkDirection* out) { interfaces_.push_back(out); }
    const std::vector<LinkDirection*>& interfaces() const { return interfaces_; }
    // next_hop[dst node id] = index into interfaces() or kNoRoute. A node with one interface
    // needs no table: everything leaves by it.
    void set_routes(const std::vector<uint32_t>& next_hop);
    LinkDirection* route_to(uint32_t dst) const;

    void set_transport(SegmentHandler* t) { transport_ = t; }

    // A host's own stack sends a segment (uid and conn_id are filled in here). A sender that
    // knows the trace's id of its connection (PacketTracer::connection_id) passes it, and the
    // tracer need not look the 4-tuple up for every segment.
    void send(const Packet& p, uint32_t conn_id = Packet::kNoConnection);
    // A packet arrives from a link.
    void receive(PacketPool::Index p);

private:
    void forward(PacketPool::Index i, Packet& p);

    Network& net_;
    uint32_t id_;
    std::string name_;
    std::string json_name_;
    NodeKind kind_;
    std::vector<LinkDirection*> interfaces_;
    // The link of next_hop[dst] (null: no route), looked up by every packet forwarded: one load,
    // not two. Empty: set_routes() not called, or with no table.
    std::vector<LinkDirection*> routes_;
    SegmentHandler* transport_ = nullptr;
};

}  // namespace tcpsim
