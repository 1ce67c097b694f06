#pragma once
// Network: the nodes and link directions of one simulation, the packet pool they share, and
// static shortest-path routing computed once the topology is built.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/capture/packet_tracer.hpp"
#include "models/network/link_direction.hpp"
#include "models/network/node.hpp"
#include "models/network/packet.hpp"
#include "sim/core/simulator.hpp"

namespace tcpsim {

class Network {
public:
    Network(Simulator& sim, TraceWriter& writer, std::ostream* human) : sim_(sim), tracer_(*this, writer, human) {}
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    Simulator& sim() const { return sim_; }
    PacketPool& pool() { return pool_; }
    PacketTracer& tracer() { return tracer_; }
    const PacketTracer& tracer() const { return tracer_; }

    Node& add_node(std::string name, NodeKind kind);
    // A full-duplex link: direction a->b with `ab`, b->a with `ba`.
    std::pair<LinkDirection*, LinkDirection*> add_link(Node& a, Node& b, const LinkDirectionConfig& ab,
                                                       const LinkDirectionConfig& ba);
    // Shortest paths by hop count; ties go to the interface declared first (BFS in declaration
    // order), so routes do not depend on anything but the scenario.
    void compute_routes();

    Node& node(uint32_t id) { return *nodes_[id]; }
    const Node& node(uint32_t id) const { return *nodes_[id]; }
    Node* find_node(std::string_view name);
    size_t node_count() const { return nodes_.size(); }
    const std::vector<std::unique_ptr<LinkDirection>>& links() const { return links_; }
    LinkDirection* find_link(std::string_view name);

    // The summary record of links()[i]: its configuration, counters and drops.
    Json link_summary(size_t i) const;

private:
    Simulator& sim_;
    PacketPool pool_;
    PacketTracer tracer_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::vector<std::unique_ptr<LinkDirection>> links_;
    std::map<std::string, uint32_t, std::less<>> by_name_;
    std::map<std::string, uint32_t, std::less<>> link_by_name_;
    // "a->b" -> how many links between a and b in that direction so far (names a->b, a->b#2, ...).
    std::map<std::string, uint32_t, std::less<>> parallel_links_;
};

}  // namespace tcpsim
