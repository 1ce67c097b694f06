#include "models/network/network.hpp"

#include <deque>

namespace tcpsim {

Node& Network::add_node(std::string name, NodeKind kind) {
    uint32_t id = static_cast<uint32_t>(nodes_.size());
    by_name_.emplace(name, id);
    nodes_.push_back(std::make_unique<Node>(*this, id, std::move(name), kind));
    return *nodes_.back();
}

std::pair<LinkDirection*, LinkDirection*> Network::add_link(Node& a, Node& b, const LinkDirectionConfig& ab,
                                                            const LinkDirectionConfig& ba) {
    auto make = [&](Node& from, Node& to, const LinkDirectionConfig& c) {
        std::string name = from.name() + "->" + to.name();
        // A second link between the same pair gets "#2", "#3": names stay unique and stable.
        // Counted, not searched: a million links are added in linear time. (Node names have no
        // '#' or '>', so these names cannot collide.)
        uint32_t k = ++parallel_links_[name];
        if (k > 1) name += "#" + std::to_string(k);
        link_by_name_.emplace(name, static_cast<uint32_t>(links_.size()));
        links_.push_back(std::make_unique<LinkDirection>(*this, static_cast<uint32_t>(links_.size()), name, from, to,
                                                         c, sim_.seed()));
        from.attach(links_.back().get());
        return links_.back().get();
    };
    LinkDirection* x = make(a, b, ab);
    LinkDirection* y = make(b, a, ba);
    return {x, y};
}

void Network::compute_routes() {
    const uint32_t n = static_cast<uint32_t>(nodes_.size());
    std::vector<uint32_t> first_hop(n);
    std::deque<uint32_t> frontier;
    for (auto& src : nodes_) {
        if (src->interfaces().size() <= 1) continue;  // single interface: default route
        std::fill(first_hop.begin(), first_hop.end(), Node::kNoRoute);
        frontier.clear();
        for (uint32_t i = 0; i < src->interfaces().size(); ++i) {
            uint32_t nb = src->interfaces()[i]->to().id();
            if (nb == src->id() || first_hop[nb] != Node::kNoRoute) continue;
            first_hop[nb] = i;
            frontier.push_back(nb);
        }
        while (!frontier.empty()) {
            uint32_t u = frontier.front();
            frontier.pop_front();
            for (LinkDirection* l : nodes_[u]->interfaces()) {
                uint32_t v = l->to().id();
                if (v == src->id() || first_hop[v] != Node::kNoRoute) continue;
                first_hop[v] = first_hop[u];
                frontier.push_back(v);
            }
        }
        src->set_routes(first_hop);
    }
}

Node* Network::find_node(std::string_view name) {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : nodes_[it->second].get();
}

LinkDirection* Network::find_link(std::string_view name) {
    auto it = link_by_name_.find(name);
    return it == link_by_name_.end() ? nullptr : links_[it->second].get();
}

Json Network::link_summary(size_t i) const {
    const LinkDirection& l = *links_[i];
    const LinkStats& s = l.stats();
    Json j;
    j["link"] = l.name();
    j["config"] = link_direction_to_json(l.config());
    j["packets_sent"] = s.packets_sent;
    j["bytes_sent"] = s.bytes_sent;
    j["packets_delivered"] = s.packets_delivered;
    j["bytes_delivered"] = s.bytes_delivered;
    j["duplicates"] = s.duplicates;
    j["reordered"] = s.reordered;
    j["ecn_marked"] = s.ecn_marked;
    j["max_queue_packets"] = s.max_queue_packets;
    j["max_queue_bytes"] = s.max_queue_bytes;
    Json drops = Json::object();
    for (size_t r = 0; r < kDropReasonCount; ++r) drops[std::string(to_string(static_cast<DropReason>(r)))] = s.drops[r];
    j["drops"] = std::move(drops);
    return j;
}

}  // namespace tcpsim
