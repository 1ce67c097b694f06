#include "models/capture/connection_table.hpp"

#include "models/network/seq.hpp"

namespace tcpsim {

// One per connection ever seen (100,000 idle ones): what only data moves is in DirectionData,
// allocated when needed. 136 bytes with LP64 and libstdc++ (224 with it inline), plus 16 in
// isns_ (the ISNs moved there from DirectionStats, whose records they left 16 bytes smaller).
static_assert(sizeof(ConnectionRecord) <= 136, "a connection record stays small");

std::pair<uint32_t, int> ConnectionTable::classify(const Packet& p) {
    Key key = key_of(p.src_node, p.src_port, p.dst_node, p.dst_port);
    KeyOfSlot key_of_slot{this};
    if (const uint32_t* slot = ids_.find(key, key_of_slot, KeyHash{})) {
        uint32_t id = *slot - 1;
        const Isns& s = isns_[id];
        return {id, (s.node0 == p.src_node && s.port0 == p.src_port) ? 0 : 1};
    }
    uint32_t id = static_cast<uint32_t>(isns_.size());
    if ((id & kBlockMask) == 0) blocks_.push_back(std::make_unique<ConnectionRecord[]>(size_t{1} << kBlockBits));
    ConnectionRecord& c = get(id);
    c.id = id;
    c.node[0] = p.src_node;
    c.port[0] = p.src_port;
    c.node[1] = p.dst_node;
    c.port[1] = p.dst_port;
    isns_.push_back(Isns{p.src_node, p.src_port, {0, 0}, {0, 0}});
    ids_.insert(id + 1, key_of_slot, KeyHash{});
    return {id, 0};
}

// Every case; on_sent() takes the common ones inline.
bool ConnectionTable::on_sent_slow(const Packet& p) {
    auto [id, d] = known(p);
    ConnectionRecord& c = get(id);
    DirectionStats& s = c.dir[d];
    ++s.segments_sent;
    // A packet in the network has its size stored (Node::send): its options are not summed again.
    s.wire_bytes_sent += p.sent_header_bytes ? p.sent_wire_bytes() : p.wire_bytes();
    if (p.payload_len) c.data(d).payload_bytes_sent += p.payload_len;
    if (p.flags & (kSyn | kFin | kRst)) {  // one test for the segments of a transfer, which have none
        if (p.flags & kSyn) ++s.syn;
        if (p.flags & kFin) ++s.fin;
        if (p.flags & kRst) {
            ++s.rst;
            return false;
        }
    }
    Isns& isns = isns_[id];
    if (!isns.known[d]) {
        // The SYN's seq is the ISN; without a SYN (capture started mid-stream) the first seq
        // seen stands in, as in Wireshark.
        isns.known[d] = 1;
        isns.isn[d] = p.seq;
        s.high_end = p.seq;
    }
    uint32_t len = p.seq_len();
    if (len == 0) return false;
    uint32_t end = p.seq + len;
    bool retransmission = seq_lt(p.seq, s.high_end);
    if (retransmission) {
        DirectionData& data = c.data(d);
        ++data.retransmissions;
        data.retransmitted_bytes += p.payload_len;
    }
    if (seq_gt(end, s.high_end)) s.high_end = end;
    return retransmission;
}

void ConnectionTable::on_dropped(const Packet& p) {
    auto [id, d] = known(p);
    ++get(id).data(d).segments_dropped;
}

}  // namespace tcpsim
