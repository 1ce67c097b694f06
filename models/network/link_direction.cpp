#include "models/network/link_direction.hpp"

#include <algorithm>
#include <cmath>

#include "models/network/network.hpp"
#include "models/network/node.hpp"
#include "sim/core/invariant.hpp"

namespace tcpsim {

LinkDirection::LinkDirection(Network& net, uint32_t id, std::string name, Node& from, Node& to,
                             const LinkDirectionConfig& c, uint64_t seed)
    : net_(net), id_(id), name_(std::move(name)), from_(from), to_(to), c_(c), queue_(c.queue),
      // One stream per effect and per direction, named after the link: turning on jitter does not
      // change which packets the loss model drops, and adding a link changes nobody's draws.
      loss_(c.loss, RngStream(seed, "link/" + name_ + "/loss")),
      jitter_rng_(seed, "link/" + name_ + "/jitter"),
      reorder_rng_(seed, "link/" + name_ + "/reorder"),
      duplicate_rng_(seed, "link/" + name_ + "/duplicate"),
      plain_wire_(c.loss.model == LossConfig::Model::none && c.jitter.distribution == JitterConfig::Distribution::none &&
                  !(c.reorder.probability > 0) && !(c.duplicate_probability > 0)) {
    if (c.queue.discipline == QueueConfig::Discipline::red)
        red_ = std::make_unique<RedQueue>(c.queue.red, RngStream(seed, "link/" + name_ + "/red"),
                                          serialization_delay(1500, c.bandwidth_bps));
}

void LinkDirection::drop(PacketPool::Index i, DropReason r) {
    ++stats_.drops[static_cast<size_t>(r)];
    net_.tracer().on_drop(net_.pool()[i], r, this, nullptr);
    net_.pool().release(i);
}

void LinkDirection::send(PacketPool::Index i) {
    if (!up_) return drop(i, DropReason::link_down);
    const Packet& p = net_.pool()[i];
    TCPSIM_INVARIANT(p.sent_header_bytes == p.header_bytes(), "a packet's options do not change in the network");
    uint32_t bytes = p.sent_wire_bytes();
    if (red_) {
        double queued = static_cast<double>(c_.queue.limit_packets ? queue_.packets() : queue_.bytes());
        switch (red_->on_arrival(queued, p.ecn == kEcnEct0 || p.ecn == 1 || p.ecn == kEcnCe, net_.sim().now())) {
            case RedQueue::Verdict::accept: break;
            case RedQueue::Verdict::drop: return drop(i, DropReason::red);
            case RedQueue::Verdict::mark:
                net_.pool()[i].ecn = kEcnCe;
                ++stats_.ecn_marked;
                break;
        }
    }
    if (!busy_) {
        // Idle transmitter: the packet goes straight on the wire, never waiting in the queue.
        busy_ = true;
        net_.pool()[i].link_epoch = epoch_;
        net_.tracer().on_enqueue(*this, p);
        net_.tracer().on_dequeue(*this, p);
        net_.sim().after(tx_time(bytes), this, kTxDone, i);
        return;
    }
    if (!queue_.fits(bytes)) return drop(i, DropReason::queue_full);
    queue_.push(i, bytes);
    stats_.max_queue_packets = std::max<uint64_t>(stats_.max_queue_packets, queue_.packets());
    stats_.max_queue_bytes = std::max(stats_.max_queue_bytes, queue_.bytes());
    net_.tracer().on_enqueue(*this, p);
    check_invariants();
}

SimTime LinkDirection::extra_delay() {
    switch (c_.jitter.distribution) {
        case JitterConfig::Distribution::none: return SimTime::zero();
        case JitterConfig::Distribution::uniform:
            return SimTime::from_ns(static_cast<int64_t>(jitter_rng_.below(static_cast<uint64_t>(c_.jitter.max.ns()) + 1)));
        case JitterConfig::Distribution::normal: {
            double ns = static_cast<double>(c_.jitter.mean.ns()) + static_cast<double>(c_.jitter.stddev.ns()) * jitter_rng_.normal();
            return SimTime::from_ns(ns > 0 ? static_cast<int64_t>(std::llround(ns)) : 0);
        }
    }
    return SimTime::zero();
}

// The next packet's start is in here, not a call: a hop was three calls (on_event,
// transmission_done, start_transmission). This stays a function of its own: inlined in
// on_event, its register saves were paid by every arrival too (on_event only jumps here).
void LinkDirection::transmission_done(PacketPool::Index i) {
    Packet& p = net_.pool()[i];
    ++stats_.packets_sent;
    stats_.bytes_sent += p.sent_wire_bytes();
    // The next packet starts as soon as this one's last bit is out (before this one's arrival is
    // scheduled: same-time events run in the order they were scheduled).
    if (!queue_.empty()) {
        PacketPool::Index next = queue_.pop();
        Packet& q = net_.pool()[next];
        q.link_epoch = epoch_;
        net_.tracer().on_dequeue(*this, q);
        net_.sim().after(tx_time(q.sent_wire_bytes()), this, kTxDone, next);
    } else {
        busy_ = false;
        if (red_) red_->on_idle(net_.sim().now());
    }
    // The link went down while the packet was being serialized.
    if (!up_ || p.link_epoch != epoch_) return drop(i, DropReason::link_down);
    if (plain_wire_) {  // what wire_effects() does when every effect is off (no draws)
        net_.sim().at(in_order_arrival(net_.sim().now() + c_.delay), this, kArrive, i);
        return;
    }
    wire_effects(i);
}

// Out of line: the loss model, jitter, reordering and duplication of a packet that left the
// transmitter, for links that have any of them.
void LinkDirection::wire_effects(PacketPool::Index i) {
    if (loss_.lose_next()) return drop(i, DropReason::loss_model);

    SimTime arrival = net_.sim().now() + c_.delay + extra_delay();
    bool held_back = c_.reorder.probability > 0 && reorder_rng_.bernoulli(c_.reorder.probability);
    if (held_back) {
        // Overtaken by whatever is sent during the hold-back; does not hold back the others.
        arrival += c_.reorder.delay;
        ++stats_.reordered;
    } else {
        // Jitter alone never reorders: nothing arrives before the packet sent ahead of it.
        arrival = in_order_arrival(arrival);
    }
    net_.sim().at(arrival, this, kArrive, i);

    if (c_.duplicate_probability > 0 && duplicate_rng_.bernoulli(c_.duplicate_probability)) {
        PacketPool& pool = net_.pool();
        PacketPool::Index copy = pool.alloc(pool[i]);
        pool[copy].uid = pool.next_uid();
        ++stats_.duplicates;
        net_.tracer().on_duplicate(*this, pool[i], pool[copy]);
        net_.sim().at(arrival, this, kArrive, copy);  // right behind the original
    }
}

void LinkDirection::arrive(PacketPool::Index i) {
    const Packet& p = net_.pool()[i];
    if (!up_ || p.link_epoch != epoch_) return drop(i, DropReason::link_down);
    ++stats_.packets_delivered;
    stats_.bytes_delivered += p.sent_wire_bytes();
    to_.receive(i);
}

void LinkDirection::set_up(bool up) {
    if (up == up_) return;
    up_ = up;
    net_.tracer().on_link_state(*this, up);
    if (!up) {
        ++epoch_;  // whatever is on the wire now will be dropped when it would arrive
        while (!queue_.empty()) drop(queue_.pop(), DropReason::link_down);
    }
}

void LinkDirection::check_invariants() const {
    // A packet waits only behind one being serialized; a link that is down holds no queue (its
    // packets were dropped when it went down); the summary's maxima cover the present.
    TCPSIM_INVARIANT(busy_ || queue_.empty(), "a link direction with packets queued is transmitting");
    TCPSIM_INVARIANT(up_ || queue_.empty(), "a link direction that is down holds no queue");
    TCPSIM_INVARIANT(stats_.max_queue_packets >= queue_.packets() && stats_.max_queue_bytes >= queue_.bytes(),
                     "queue maxima cover the current queue");
    TCPSIM_INVARIANT(stats_.packets_delivered <= stats_.packets_sent + stats_.duplicates,
                     "a link delivers no more packets than it sent and duplicated");
}

void LinkDirection::on_event(uint32_t kind, uint64_t arg) {
    switch (kind) {
        case kTxDone: transmission_done(static_cast<PacketPool::Index>(arg)); break;
        case kArrive: arrive(static_cast<PacketPool::Index>(arg)); break;
        case kSetDown: set_up(false); break;
        case kSetUp: set_up(true); break;
    }
    check_invariants();
}

}  // namespace tcpsim
