#pragma once
// ConnectionTable: names each TCP connection seen on the network (by its 4-tuple, either
// direction) with a small id in order of first appearance, and keeps what a capture tool would
// work out per direction: the ISN (for Wireshark-style relative numbers), segment and byte
// counts, and retransmissions (a segment that re-covers sequence space already sent).
//
// It runs for every segment sent and delivered, so the per-segment path does no hashing: a
// segment's connection id is named by its sender when it knows it (a TCP connection learns its
// id when it is made, see PacketTracer::on_send) and travels in the packet (Packet::conn_id);
// only a segment from a sender that does not (raw flows, packetdrill) is looked up by 4-tuple.
#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "models/network/packet.hpp"
#include "sim/core/probing_table.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim {

struct DirectionStats {
    uint32_t high_end = 0;  // highest seq + seq_len sent so far (valid once the ISN is known)
    uint64_t segments_sent = 0, wire_bytes_sent = 0;
    uint64_t segments_delivered = 0;
    uint64_t syn = 0, fin = 0, rst = 0;
};

// What a direction carries beyond segments: payload, retransmissions, drops. A connection that
// only shook hands and keeps alive has none of it (its probes carry no data and re-cover no
// sequence space), so it is allocated with the first of them, for both directions at once.
struct DirectionData {
    uint64_t payload_bytes_sent = 0;
    uint64_t retransmissions = 0, retransmitted_bytes = 0;
    uint64_t payload_bytes_delivered = 0;
    uint64_t segments_dropped = 0;
};

struct ConnectionRecord {
    uint32_t id;
    // Endpoint 0 is the side that sent the first segment seen (normally the active opener).
    uint32_t node[2];
    uint16_t port[2];
    DirectionStats dir[2];
    std::unique_ptr<std::array<DirectionData, 2>> data_block;  // null: all zero (see data())

    const DirectionData& data(int d) const {
        static const DirectionData kNone;
        return data_block ? (*data_block)[d] : kNone;
    }
    DirectionData& data(int d) {
        if (!data_block) data_block = std::make_unique<std::array<DirectionData, 2>>();
        return (*data_block)[d];
    }
};

class ConnectionTable {
public:
    // Finds or creates the connection of p and returns its id and p's direction (0: from
    // endpoint 0).
    std::pair<uint32_t, int> classify(const Packet& p);
    // Connections by id, 0 .. size() - 1, in order of first appearance.
    size_t size() const { return isns_.size(); }
    ConnectionRecord& get(uint32_t id) { return blocks_[id >> kBlockBits][id & kBlockMask]; }
    const ConnectionRecord& get(uint32_t id) const { return blocks_[id >> kBlockBits][id & kBlockMask]; }

    // Accounts a segment leaving its sender; returns true if it is a retransmission. A packet
    // whose conn_id is set is taken to belong to that connection (no lookup).
    // Inline for what nearly every segment of a transfer is: a packet in the network (its size
    // stored) of a known connection whose ISN is known, no SYN, FIN or RST, and either no
    // sequence space (an ACK) or data starting where this direction's sent data ends. That was
    // ~100 instructions a segment out of line (a call, and the general case's tests); the rest
    // (handshake, retransmissions, the first data) goes to on_sent_slow().
    bool on_sent(const Packet& p) {
        if (p.conn_id < isns_.size() && !(p.flags & (kSyn | kFin | kRst)) && p.sent_header_bytes) {
            const Isns& isns = isns_[p.conn_id];
            int d = (isns.node0 == p.src_node && isns.port0 == p.src_port) ? 0 : 1;
            ConnectionRecord& c = get(p.conn_id);
            DirectionStats& s = c.dir[d];
            if (isns.known[d] && (p.payload_len == 0 || (p.seq == s.high_end && c.data_block))) {
                ++s.segments_sent;
                s.wire_bytes_sent += p.sent_wire_bytes();
                if (p.payload_len) {
                    (*c.data_block)[d].payload_bytes_sent += p.payload_len;
                    s.high_end = p.seq + p.payload_len;  // payload_len < 2^31: beyond high_end
                }
                return false;
            }
        }
        return on_sent_slow(p);
    }
    // Inline: every segment delivered comes here, for two counters.
    void on_delivered(const Packet& p) {
        auto [id, d] = known(p);
        ConnectionRecord& c = get(id);
        ++c.dir[d].segments_delivered;
        if (p.payload_len) c.data(d).payload_bytes_delivered += p.payload_len;
    }
    void on_dropped(const Packet& p);

    // Wireshark-style relative numbers: seq relative to this direction's ISN, ack relative to
    // the other direction's (for a segment with ACK set); has_* false when the ISN is not known
    // yet. Both from one lookup: the tracer asks for every segment record. (Filled in place: a
    // returned Relative, built by narrow stores and read back whole, stalled store forwarding
    // and was the simulation thread's costliest trace function by cycles.)
    struct Relative {
        uint32_t seq = 0, ack = 0;
        bool has_seq = false, has_ack = false;
    };
    [[gnu::always_inline]] void relative(const Packet& p, Relative& out) const {
        out = Relative{};
        if (p.conn_id >= isns_.size()) return;
        const Isns& s = isns_[p.conn_id];
        int d = (s.node0 == p.src_node && s.port0 == p.src_port) ? 0 : 1;
        if (s.known[d]) {
            out.has_seq = true;
            out.seq = p.seq - s.isn[d];
        }
        if ((p.flags & kAck) && s.known[1 - d]) {
            out.has_ack = true;
            out.ack = p.ack - s.isn[1 - d];
        }
    }

private:
    bool on_sent_slow(const Packet& p);
    // classify() for a packet whose conn_id may be set already (by the tracer's on_send, or by
    // its sender): then its direction alone, from isns_ (a vector, read in a few instructions).
    std::pair<uint32_t, int> known(const Packet& p) {
        if (p.conn_id >= isns_.size()) return classify(p);
        const Isns& s = isns_[p.conn_id];
        return {p.conn_id, (s.node0 == p.src_node && s.port0 == p.src_port) ? 0 : 1};
    }
    // (node << 16 | port) of each endpoint, the lower first: one key for both directions.
    struct Key {
        uint64_t low, high;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const {
            return static_cast<size_t>(mix64(k.low * 0x9E3779B97F4A7C15ull ^ k.high));
        }
    };
    static Key key_of(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport) {
        uint64_t a = static_cast<uint64_t>(src) << 16 | sport, b = static_cast<uint64_t>(dst) << 16 | dport;
        return a < b ? Key{a, b} : Key{b, a};
    }
    // The key of a slot (id + 1) is its record's endpoints.
    struct KeyOfSlot {
        const ConnectionTable* table;
        Key operator()(uint32_t slot) const {
            const ConnectionRecord& c = table->get(slot - 1);
            return key_of(c.node[0], c.port[0], c.node[1], c.port[1]);
        }
    };
    // Ids + 1 (0: an empty slot) in a hash table of 4-byte slots: only lookups reach it (ids
    // come from the records, in order of first appearance), so its order never reaches the output.
    ProbingTable<uint32_t> ids_;
    // The records in blocks of 256 that never move: 100,000 records grow without a copy of them
    // all (nor twice the memory at that moment), and a record is found by a shift and a mask
    // (a deque's index took ~20 instructions, twice per segment).
    static constexpr uint32_t kBlockBits = 8;
    static constexpr uint32_t kBlockMask = (1u << kBlockBits) - 1;
    std::vector<std::unique_ptr<ConnectionRecord[]>> blocks_;
    // Each connection's ISNs (for relative()) and its endpoint 0, by id, apart from the records:
    // the tracer reads them for every segment record, and the direction of every segment comes
    // from them (relative() was 70 instructions per call on benchmark case A's trace when it read
    // a deque of records).
    struct Isns {
        uint32_t node0;
        uint16_t port0;
        uint8_t known[2];  // whether isn[d] is known yet
        uint32_t isn[2];   // the SYN's seq, or the first seq seen (a capture started mid-stream)
    };
    static_assert(sizeof(Isns) == 16);
    std::vector<Isns> isns_;
};

}  // namespace tcpsim
