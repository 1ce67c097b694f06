#include "models/network/node.hpp"

#include "sim/trace/trace_writer.hpp"

#include "models/network/link_direction.hpp"
#include "models/network/network.hpp"

namespace tcpsim {

Node::Node(Network& net, uint32_t id, std::string name, NodeKind kind)
    : net_(net), id_(id), name_(std::move(name)), kind_(kind) {
    TraceWriter::append_escaped(json_name_, name_);
}

void Node::set_routes(const std::vector<uint32_t>& next_hop) {
    routes_.assign(next_hop.size(), nullptr);
    for (size_t d = 0; d < next_hop.size(); ++d)
        if (next_hop[d] != kNoRoute) routes_[d] = interfaces_[next_hop[d]];
}

LinkDirection* Node::route_to(uint32_t dst) const {
    if (!routes_.empty()) return dst < routes_.size() ? routes_[dst] : nullptr;
    return interfaces_.size() == 1 ? interfaces_.front() : nullptr;
}

void Node::send(const Packet& segment, uint32_t conn_id) {
    PacketPool& pool = net_.pool();
    PacketPool::Index i = pool.alloc(segment);
    Packet& p = pool[i];
    p.uid = pool.next_uid();
    p.conn_id = conn_id;
    p.sent_header_bytes = static_cast<uint8_t>(p.header_bytes());
    net_.tracer().on_send(*this, p);
    forward(i, p);
}

void Node::receive(PacketPool::Index i) {
    Packet& p = net_.pool()[i];
    net_.tracer().on_arrive(*this, p);
    if (p.dst_node == id_) {
        net_.tracer().on_deliver(*this, p);
        if (transport_) transport_->on_segment(p);
        net_.pool().release(i);
        return;
    }
    if (kind_ == NodeKind::host) {
        // Hosts do not forward: a packet for someone else ends here.
        net_.tracer().on_drop(p, DropReason::no_route, nullptr, this);
        net_.pool().release(i);
        return;
    }
    if (p.ttl <= 1) {
        net_.tracer().on_drop(p, DropReason::ttl_expired, nullptr, this);
        net_.pool().release(i);
        return;
    }
    --p.ttl;
    forward(i, p);
}

void Node::forward(PacketPool::Index i, Packet& p) {
    LinkDirection* out = route_to(p.dst_node);
    if (!out) {
        net_.tracer().on_drop(p, DropReason::no_route, nullptr, this);
        net_.pool().release(i);
        return;
    }
    out->send(i);
}

}  // namespace tcpsim
