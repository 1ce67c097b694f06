#pragma once
// Packet: one IPv4+TCP segment as it crosses the network. A small value type; payload bytes are
// not materialised (the sequence numbers say which bytes of the stream it carries).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tcpsim {

// TCP header flags, with the RFC 9293 bit values.
enum TcpFlag : uint8_t {
    kFin = 0x01,
    kSyn = 0x02,
    kRst = 0x04,
    kPsh = 0x08,
    kAck = 0x10,
    kUrg = 0x20,
    kEce = 0x40,
    kCwr = 0x80,
};
inline constexpr uint8_t kEcnNotEct = 0, kEcnEct0 = 2, kEcnCe = 3;

// tcpdump's notation: "S", "S.", ".", "P.", "F.", "R", "R." ...
std::string flags_to_tcpdump(uint8_t flags);
// The name of an ECN codepoint (RFC 3168 5) as traces write it: "" for Not-ECT, "ect1", "ect0",
// "ce".
constexpr std::string_view ecn_name(uint8_t ecn) {
    constexpr std::string_view names[] = {"", "ect1", "ect0", "ce"};
    return names[ecn & 3];
}
// The same into `out` (room for 8 characters); returns the length.
size_t flags_to_tcpdump(uint8_t flags, char* out);
// Parses tcpdump's notation (and "SA", "FA" style letters); false on an unknown letter.
bool flags_from_text(const std::string& text, uint8_t& flags);

struct SackBlock {
    uint32_t left = 0, right = 0;
};

// TCP options as negotiated and carried (RFC 9293 MSS, RFC 7323 window scale and timestamps,
// RFC 2018 SACK). Absent options have their "absent" value.
struct TcpOptions {
    uint16_t mss = 0;       // 0: absent
    int8_t wscale = -1;     // -1: absent
    bool sack_permitted = false;
    bool has_timestamps = false;
    uint8_t sack_count = 0;
    uint32_t ts_val = 0, ts_ecr = 0;
    std::array<SackBlock, 4> sack{};

    // Bytes the options take in the header, padded to a multiple of 4 (max 40). Inline: every
    // packet entering the network needs it twice (its size, the tracer's byte count).
    uint32_t encoded_length() const {
        uint32_t n = (mss ? 4u : 0u) + (wscale >= 0 ? 3u : 0u) + (sack_permitted ? 2u : 0u) +
                     (has_timestamps ? 10u : 0u) + (sack_count ? 2u + 8u * sack_count : 0u);
        n = (n + 3) & ~3u;
        return n > 40 ? 40 : n;
    }
    bool empty() const { return mss == 0 && wscale < 0 && !sack_permitted && !has_timestamps && sack_count == 0; }
};

struct Packet {
    static constexpr uint32_t kIpHeader = 20;
    static constexpr uint32_t kTcpHeader = 20;
    static constexpr uint32_t kNoConnection = UINT32_MAX;

    uint64_t uid = 0;  // unique per simulation; a duplicate made by a link gets its own
    uint32_t src_node = 0, dst_node = 0;
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint32_t window = 0;       // the header's 16-bit field (before window scaling)
    uint32_t payload_len = 0;  // bytes of TCP payload
    uint8_t flags = 0;
    uint8_t ttl = 64;
    uint8_t ecn = 0;  // the IP header's ECN field (RFC 3168 5): 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE
    // header_bytes() as the packet entered the network (set by Node::send; at most 80). Nothing
    // on the way changes the options, and each link needs the size three or four times per
    // packet (queue, serialization, counters): read here, not worked out from the options again.
    uint8_t sent_header_bytes = 0;
    uint32_t conn_id = kNoConnection;  // assigned when the tracer first sees the 4-tuple
    uint32_t link_epoch = 0;           // scratch for the link it is crossing (see LinkDirection)
    TcpOptions options;

    uint32_t header_bytes() const { return kIpHeader + kTcpHeader + options.encoded_length(); }
    uint32_t wire_bytes() const { return header_bytes() + payload_len; }
    // wire_bytes() of a packet in the network (after Node::send).
    uint32_t sent_wire_bytes() const { return sent_header_bytes + payload_len; }
    // Sequence space the segment occupies: payload, plus one each for SYN and FIN.
    uint32_t seq_len() const { return payload_len + ((flags & kSyn) ? 1 : 0) + ((flags & kFin) ? 1 : 0); }
};

// Packets in flight live here and are named by index; freed slots are reused, so the steady
// state allocates nothing. Storage is chunked so that a Packet& stays valid while others are
// allocated. A chunk is raw memory whose slots are constructed as they are first handed out: the
// pages of slots never used are never touched (a short run uses a few of a chunk's 1024, and
// constructing them all cost it 23 page faults).
class PacketPool {
public:
    using Index = uint32_t;
    Index alloc(const Packet& p);
    void release(Index i) { free_.push_back(i); --in_use_; }
    Packet& operator[](Index i) { return chunks_[i >> kChunkBits][i & kChunkMask]; }
    const Packet& operator[](Index i) const { return chunks_[i >> kChunkBits][i & kChunkMask]; }
    size_t in_use() const { return in_use_; }
    uint64_t next_uid() { return ++uid_; }

private:
    static constexpr uint32_t kChunkBits = 10;
    static constexpr uint32_t kChunkMask = (1u << kChunkBits) - 1;
    static_assert(std::is_trivially_destructible_v<Packet>, "a chunk is freed without destroying its packets");
    struct FreeChunk {
        void operator()(Packet* chunk) const { ::operator delete(chunk); }
    };
    std::vector<std::unique_ptr<Packet[], FreeChunk>> chunks_;
    std::vector<Index> free_;
    Index next_ = 0;
    size_t in_use_ = 0;
    uint64_t uid_ = 0;
};

}  // namespace tcpsim
