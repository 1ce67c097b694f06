#pragma once
// LinkDirection: one direction of a full-duplex point-to-point link: a drop-tail queue, a
// transmitter (serialization delay = wire bytes * 8 / bandwidth), then the wire (propagation
// delay, loss, jitter, reordering, duplication) and the node at the far end.
//
// Order of effects for a packet: link down? -> queue full? -> wait in queue -> serialize ->
// lost on the wire? -> propagation + jitter (+ reorder hold-back) -> duplicated? -> arrives.
#include <array>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "models/network/drop_reason.hpp"
#include "models/network/link_config.hpp"
#include "models/network/loss_model.hpp"
#include "models/network/packet.hpp"
#include "models/queues/drop_tail_queue.hpp"
#include "models/queues/red_queue.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

class Network;
class Node;

struct LinkStats {
    uint64_t packets_sent = 0, bytes_sent = 0;  // put on the wire (serialized)
    uint64_t packets_delivered = 0, bytes_delivered = 0;
    uint64_t duplicates = 0, reordered = 0;
    uint64_t ecn_marked = 0;  // packets a RED queue marked CE instead of dropping
    uint64_t max_queue_packets = 0, max_queue_bytes = 0;
    std::array<uint64_t, kDropReasonCount> drops{};
};

class LinkDirection final : public EventTarget {
public:
    enum Event : uint32_t { kTxDone = 1, kArrive = 2, kSetDown = 3, kSetUp = 4 };

    LinkDirection(Network& net, uint32_t id, std::string name, Node& from, Node& to, const LinkDirectionConfig& c,
                  uint64_t seed);

    uint32_t id() const { return id_; }
    const std::string& name() const { return name_; }
    const Node& from() const { return from_; }
    const Node& to() const { return to_; }
    const LinkDirectionConfig& config() const { return c_; }
    const LinkStats& stats() const { return stats_; }
    bool up() const { return up_; }
    size_t queue_packets() const { return queue_.packets(); }
    uint64_t queue_bytes() const { return queue_.bytes(); }

    // A packet handed over by `from` for transmission. The link owns it from here.
    void send(PacketPool::Index p);
    // Blackhole: while down, everything is dropped: arrivals, the queue, and packets already on
    // the wire (they would arrive at a dead interface).
    void set_up(bool up);

    void on_event(uint32_t kind, uint64_t arg) override;

private:
    void transmission_done(PacketPool::Index p);
    void wire_effects(PacketPool::Index p);
    void arrive(PacketPool::Index p);
    void drop(PacketPool::Index p, DropReason r);
    SimTime extra_delay();
    // Arrival no earlier than the packet sent ahead of it (FIFO on the wire); the time it keeps.
    SimTime in_order_arrival(SimTime earliest) {
        last_arrival_ = std::max(earliest, last_arrival_);
        return last_arrival_;
    }
    // serialization_delay() at this link's rate, a 128-bit division, kept for the last size
    // asked: a direction carries mostly one size (full segments one way, ACKs the other).
    SimTime tx_time(uint32_t bytes) {
        if (bytes != tx_bytes_) {
            tx_bytes_ = bytes;
            tx_time_ = serialization_delay(bytes, c_.bandwidth_bps);
        }
        return tx_time_;
    }
    void check_invariants() const;

    Network& net_;
    uint32_t id_;
    std::string name_;
    Node& from_;
    Node& to_;
    const LinkDirectionConfig c_;  // const: plain_wire_ is derived from it
    DropTailQueue queue_;
    std::unique_ptr<RedQueue> red_;  // null: plain drop-tail
    LossModel loss_;
    RngStream jitter_rng_, reorder_rng_, duplicate_rng_;
    bool busy_ = false;
    bool up_ = true;
    // No loss model, jitter, reordering or duplication: the wire only delays, and a packet's
    // arrival needs none of their tests (most links of most scenarios).
    bool plain_wire_;
    uint32_t epoch_ = 0;  // bumped when the link goes down: packets of an older epoch are dropped
    SimTime last_arrival_;  // jitter keeps FIFO order: nothing arrives before its predecessor
    uint32_t tx_bytes_ = UINT32_MAX;  // the size tx_time_ is for (none yet)
    SimTime tx_time_;
    LinkStats stats_;
};

}  // namespace tcpsim
