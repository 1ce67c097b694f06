#pragma once
// PacketTracer: turns what happens to packets into trace records and tcpdump-style lines, and
// keeps the per-connection accounting (ConnectionTable) for the summary.
#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

#include "models/capture/connection_table.hpp"
#include "models/network/drop_reason.hpp"
#include "models/network/packet.hpp"
#include "sim/core/invariant.hpp"
#include "sim/trace/trace_writer.hpp"

namespace tcpsim {

class LinkDirection;
class Network;
class Node;
class PacketCapture;

class PacketTracer {
public:
    // `human` (may be null) receives one tcpdump-like line per segment sent, plus one per drop.
    PacketTracer(const Network& net, TraceWriter& writer, std::ostream* human)
        : net_(net), w_(writer), human_(human) {}

    // Capture points for pcap files (null: none). Not owned.
    void set_capture(PacketCapture* capture) { capture_ = capture; }

    // The hooks a packet meets at every hop (arrive, enqueue, dequeue) are inline and test
    // whether anyone records them before calling out: in an untraced run (a benchmark, a sweep)
    // they are a load and a branch, not a call per hop per packet.
    // Assigns p.conn_id (when its sender did not) and counts the segment.
    void on_send(const Node& node, Packet& p) {
        if (p.conn_id == Packet::kNoConnection) p.conn_id = conns_.classify(p).first;
        else TCPSIM_INVARIANT(conns_.classify(p).first == p.conn_id, "a sender names its own connection");
        bool retransmission = conns_.on_sent(p);
        if (w_.wants(TraceCategory::segment) || capture_ || human_) send_record(node, p, retransmission);
    }
    // A packet reaches a node from a link (before it is delivered, forwarded or dropped there).
    void on_arrive(const Node& node, const Packet& p) {
        if (capture_) capture_arrived(node, p);
    }
    void on_enqueue(const LinkDirection& l, const Packet& p) {
        if (w_.wants(TraceCategory::detail)) enqueue_record(l, p);
    }
    void on_dequeue(const LinkDirection& l, const Packet& p) {
        if (w_.wants(TraceCategory::detail)) dequeue_record(l, p);
    }
    void on_drop(const Packet& p, DropReason r, const LinkDirection* link, const Node* node);
    void on_deliver(const Node& node, const Packet& p) {
        conns_.on_delivered(p);
        if (w_.wants(TraceCategory::segment)) deliver_record(node, p);
    }
    void on_duplicate(const LinkDirection& l, const Packet& original, const Packet& copy);
    void on_link_state(const LinkDirection& l, bool up);

    const ConnectionTable& connections() const { return conns_; }
    // The trace's connection id of a 4-tuple (either direction), for endpoint-level records.
    uint32_t connection_id(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport) {
        Packet p;
        p.src_node = src;
        p.src_port = sport;
        p.dst_node = dst;
        p.dst_port = dport;
        return conns_.classify(p).first;
    }
    TraceWriter& writer() { return w_; }
    uint64_t drops(DropReason r) const { return drops_[static_cast<size_t>(r)]; }
    // The summary of each connection seen, by index (0 .. connection_count() - 1), one at a time.
    size_t connection_count() const;
    Json connection_summary(size_t index) const;

    // "client:49152 > server:5555 Flags [S.], seq 5000, ack 1001, win 65535, options [mss 1460], length 0"
    std::string describe(const Packet& p) const;

private:
    void send_record(const Node& node, const Packet& p, bool retransmission);
    void deliver_record(const Node& node, const Packet& p);
    void capture_arrived(const Node& node, const Packet& p);
    void enqueue_record(const LinkDirection& l, const Packet& p);
    void dequeue_record(const LinkDirection& l, const Packet& p);
    // A segment record's header fields (what write_segment_fields() writes) but for SACK blocks,
    // packed into one cache line without padding: for a record that goes to the JSON text only,
    // it is copied into the trace's ops (the SACK blocks carried, the two nodes' quoted names
    // after it) and formatted where the text is made, and it is what tells whether a packet is
    // unchanged since its last record (same_header). Records of one packet (send, enqueue,
    // dequeue, deliver, drop) have the same fields unless the packet changed between them; the
    // writer remembers them (by uid, in its slots) and repeats them. A segment with SACK blocks
    // (only ACKs in a recovery) is not remembered.
    struct alignas(64) SegmentHeader {
        uint64_t uid;
        uint32_t conn, src_node, dst_node, seq, ack, rel_seq, rel_ack, len, win, ts_val, ts_ecr;
        uint16_t sport, dport, mss;
        uint8_t flags, sack_count;
        uint8_t bits;  // kHasRelSeq | kHasRelAck | kSackPermitted | kHasTimestamps
        int8_t wscale;
        uint8_t built;  // 1: a header built by segment_fields (a slot not yet used holds zeros)
        uint8_t ecn;    // the IP header's ECN codepoint
    };
    static constexpr uint8_t kHasRelSeq = 1, kHasRelAck = 2, kSackPermitted = 4, kHasTimestamps = 8;
    void segment_fields(TraceRecord& r, const Packet& p) const;
    // Word by word, without a call to memcmp: compared for nearly every segment record.
    static bool same_header(const SegmentHeader& a, const SegmentHeader& b);
    void write_segment_fields(TraceRecord& r, const Packet& p, const ConnectionTable::Relative& rel) const;
    static char* segment_header_json(const char* payload, char* out);

    const Network& net_;
    TraceWriter& w_;
    std::ostream* human_;
    PacketCapture* capture_ = nullptr;
    ConnectionTable conns_;
    std::array<uint64_t, kDropReasonCount> drops_{};
    mutable std::vector<SegmentHeader> segment_slots_;  // what each writer slot holds; allocated with the first JSON-only record
};

std::string options_to_json(const TcpOptions& o);
// The same text into `out` (room for kOptionsJsonChars: four SACK blocks and every option),
// without allocating; returns its length.
constexpr size_t kOptionsJsonChars = 320;
size_t format_options_json(const TcpOptions& o, char* out);

}  // namespace tcpsim
