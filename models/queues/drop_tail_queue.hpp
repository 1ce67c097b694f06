#pragma once
// DropTailQueue: FIFO of packet indices with a limit in packets or bytes; a packet that does not
// fit is refused (the caller drops it). A ring buffer: no allocation once it has grown.
#include <cstdint>
#include <vector>

#include "models/network/link_config.hpp"
#include "models/network/packet.hpp"
#include "sim/core/invariant.hpp"

namespace tcpsim {

class DropTailQueue {
public:
    explicit DropTailQueue(const QueueConfig& c) : c_(c) {}

    bool fits(uint32_t wire_bytes) const {
        if (c_.limit_packets) return count_ < c_.limit_packets;
        return bytes_ + wire_bytes <= c_.limit_bytes;
    }
    void push(PacketPool::Index p, uint32_t wire_bytes) {
        if (count_ == ring_.size()) grow();
        ring_[(head_ + count_) % ring_.size()] = Slot{p, wire_bytes};
        ++count_;
        bytes_ += wire_bytes;
        // The link asks fits() first: a drop-tail queue never holds more than its limit.
        TCPSIM_INVARIANT(c_.limit_packets ? count_ <= c_.limit_packets : bytes_ <= c_.limit_bytes,
                         "a drop-tail queue stays within its limit");
    }
    PacketPool::Index pop() {
        TCPSIM_INVARIANT(count_ > 0, "a packet is popped only from a non-empty queue");
        Slot s = ring_[head_];
        head_ = (head_ + 1) % ring_.size();
        --count_;
        TCPSIM_INVARIANT(bytes_ >= s.bytes && (count_ > 0 || bytes_ == s.bytes),
                         "queue byte count is the sum of the queued packets' bytes");
        bytes_ -= s.bytes;
        return s.packet;
    }
    bool empty() const { return count_ == 0; }
    size_t packets() const { return count_; }
    uint64_t bytes() const { return bytes_; }

private:
    struct Slot {
        PacketPool::Index packet;
        uint32_t bytes;
    };
    void grow() {
        std::vector<Slot> bigger(ring_.empty() ? 16 : ring_.size() * 2);
        for (size_t i = 0; i < count_; ++i) bigger[i] = ring_[(head_ + i) % ring_.size()];
        ring_.swap(bigger);
        head_ = 0;
    }
    QueueConfig c_;
    std::vector<Slot> ring_;
    size_t head_ = 0, count_ = 0;
    uint64_t bytes_ = 0;
};

}  // namespace tcpsim
