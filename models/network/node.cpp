#include "models/network/node.hpp"

#include "sim/trace/trace_writer.hpp"

#include "models/network/link_direction.hpp"
#include "models/network/network.hpp"

namespace tcpsim {

Node::Node(Network& net, uint32_t id, std::string name, NodeKind kind)
    : net_(net), id_(id), name_(std::move(name)), kind_(kind) {
    TraceWriter::append_escaped(json_name_, name_);
}

LinkDirection* Node::route_to(uint32_t dst) const {
    if (interfaces_.empty()) return nullptr;
    if (next_hop_.empty()) return interfaces_.size() == 1 ? interfaces_.front() : nullptr;
    uint32_t i = dst < next_hop_.size() ? next_hop_[dst] : kNoRoute;
    return i == kNoRoute ? nullptr : interfaces_[i];
}

void Node::send(const Packet& segment, uint32_t conn_id) {
    PacketPool& pool = net_.pool();
    PacketPool::Index i = pool.alloc(segment);
    Packet& p = pool[i];
    p.uid = pool.next_uid();
    p.conn_id = conn_id;
    p.sent_header_bytes = static_cast<uint8_t>(p.header_bytes());
    net_.tracer().on_send(*this, p);
    forward(i);
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
    forward(i);
}

void Node::forward(PacketPool::Index i) {
    Packet& p = net_.pool()[i];
    LinkDirection* out = route_to(p.dst_node);
    if (!out) {
        net_.tracer().on_drop(p, DropReason::no_route, nullptr, this);
        net_.pool().release(i);
        return;
    }
    out->send(i);
}

}  // namespace tcpsim
