#include "models/capture/packet_tracer.hpp"

#include <array>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "models/capture/packet_capture.hpp"
#include "models/network/link_direction.hpp"
#include "models/network/network.hpp"
#include "sim/core/decimal.hpp"
#include "sim/core/invariant.hpp"

namespace tcpsim {

namespace {
// A packed segment header's text, but for the two names: 13 keys, 11 numbers, flags, options.
constexpr size_t kSegmentHeaderChars = 200 + 11 * 20 + 12 + kOptionsJsonChars;
// The payload's size limit here (header and names), within the 64 KiB of a payload and a text.
constexpr size_t kSegmentHeaderPayload = 1024;
}  // namespace

size_t format_options_json(const TcpOptions& o, char* out) {
    // Written by hand, in the key order a JSON object with sorted keys has (mss, sack,
    // sack_permitted, ts, wscale): this runs for nearly every segment record.
    char* p = out;
    const char* sep = "{";
    auto key = [&](std::string_view k) {
        *p++ = *sep;
        *p++ = '"';
        std::memcpy(p, k.data(), k.size());
        p += k.size();
        *p++ = '"';
        *p++ = ':';
        sep = ",";
    };
    auto pair = [&](uint32_t a, uint32_t b) {
        *p++ = '[';
        p = write_decimal(p, a);
        *p++ = ',';
        p = write_decimal(p, b);
        *p++ = ']';
    };
    if (o.mss) {
        key("mss");
        p = write_decimal(p, uint32_t{o.mss});
    }
    if (o.sack_count) {
        key("sack");
        *p++ = '[';
        for (int i = 0; i < o.sack_count; ++i) {
            if (i) *p++ = ',';
            pair(o.sack[i].left, o.sack[i].right);
        }
        *p++ = ']';
    }
    if (o.sack_permitted) {
        key("sack_permitted");
        std::memcpy(p, "true", 4);
        p += 4;
    }
    if (o.has_timestamps) {
        key("ts");
        pair(o.ts_val, o.ts_ecr);
    }
    if (o.wscale >= 0) {
        key("wscale");
        p = write_decimal(p, static_cast<int>(o.wscale));
    }
    if (*sep == '{') *p++ = '{';
    *p++ = '}';
    return static_cast<size_t>(p - out);
}

std::string options_to_json(const TcpOptions& o) {
    char buf[kOptionsJsonChars];
    return std::string(buf, format_options_json(o, buf));
}

namespace {
std::string options_to_tcpdump(const TcpOptions& o) {
    std::string s;
    auto add = [&s](const std::string& part) { s += (s.empty() ? "" : ",") + part; };
    if (o.mss) add("mss " + std::to_string(o.mss));
    if (o.sack_permitted) add("sackOK");
    if (o.has_timestamps) add("TS val " + std::to_string(o.ts_val) + " ecr " + std::to_string(o.ts_ecr));
    if (o.wscale >= 0) add("wscale " + std::to_string(o.wscale));
    if (o.sack_count) {
        std::string blocks = "sack " + std::to_string(o.sack_count);
        for (int i = 0; i < o.sack_count; ++i)
            blocks += " {" + std::to_string(o.sack[i].left) + ":" + std::to_string(o.sack[i].right) + "}";
        add(blocks);
    }
    return s;
}
}  // namespace

std::string PacketTracer::describe(const Packet& p) const {
    std::string s = net_.node(p.src_node).name() + ":" + std::to_string(p.src_port) + " > " +
                    net_.node(p.dst_node).name() + ":" + std::to_string(p.dst_port) + " Flags [" +
                    flags_to_tcpdump(p.flags) + "], seq " + std::to_string(p.seq);
    // Absolute numbers, as `tcpdump -S` prints them: the textbook x, y, x+1, y+1 stay visible.
    if (p.payload_len) s += ":" + std::to_string(p.seq + p.payload_len);
    if (p.flags & kAck) s += ", ack " + std::to_string(p.ack);
    s += ", win " + std::to_string(p.window);
    if (!p.options.empty()) s += ", options [" + options_to_tcpdump(p.options) + "]";
    s += ", length " + std::to_string(p.payload_len);
    return s;
}

bool PacketTracer::same_header(const SegmentHeader& a, const SegmentHeader& b) {
    static_assert(sizeof a == 64);
    uint64_t diff = 0;
    for (size_t i = 0; i < sizeof a; i += 8) {
        uint64_t x, y;
        std::memcpy(&x, reinterpret_cast<const char*>(&a) + i, 8);
        std::memcpy(&y, reinterpret_cast<const char*>(&b) + i, 8);
        diff |= x ^ y;
    }
    return diff == 0;
}

void PacketTracer::segment_fields(TraceRecord& r, const Packet& p) const {
    ConnectionTable::Relative rel;
    conns_.relative(p, rel);
    if (!r.can_repeat()) {
        write_segment_fields(r, p, rel);
        return;
    }
    static_assert(std::has_unique_object_representations_v<SegmentHeader>, "no padding: compared word by word");
    const TcpOptions& o = p.options;
    SegmentHeader h;
    h.uid = p.uid;
    h.conn = p.conn_id;
    h.src_node = p.src_node;
    h.dst_node = p.dst_node;
    h.seq = p.seq;
    h.ack = p.ack;
    h.rel_seq = rel.has_seq ? rel.seq : 0;
    h.rel_ack = rel.has_ack ? rel.ack : 0;
    h.len = p.payload_len;
    h.win = p.window;
    h.ts_val = o.ts_val;
    h.ts_ecr = o.ts_ecr;
    h.sport = p.src_port;
    h.dport = p.dst_port;
    h.mss = o.mss;
    h.flags = p.flags;
    h.sack_count = o.sack_count;
    h.bits = static_cast<uint8_t>((rel.has_seq ? kHasRelSeq : 0) | (rel.has_ack ? kHasRelAck : 0) |
                                  (o.sack_permitted ? kSackPermitted : 0) | (o.has_timestamps ? kHasTimestamps : 0));
    h.wscale = o.wscale;
    h.built = 1;
    h.ecn = p.ecn & 3;

    if (segment_slots_.empty()) segment_slots_.resize(kTraceSlots);  // zeros: built == 0 matches nothing
    auto slot = static_cast<uint32_t>(p.uid % kTraceSlots);
    SegmentHeader& c = segment_slots_[slot];
    if (same_header(c, h)) {
        r.repeat(slot);
        return;
    }
    std::string_view src = net_.node(p.src_node).json_name(), dst = net_.node(p.dst_node).json_name();
    size_t sack = size_t{o.sack_count} * sizeof(SackBlock);
    size_t payload = sizeof h + sack + 4 + src.size() + dst.size();
    // Names of many kilobytes (a payload is at most 64 KiB): field by field.
    if (payload > kSegmentHeaderPayload) {
        write_segment_fields(r, p, rel);  // the writer's slot, and so `c`, stay as they were
        return;
    }
    bool remember = o.sack_count == 0;
    if (remember) {
        c = h;
        r.remember(slot);
    }
    char* q = r.fields_room(&segment_header_json, static_cast<uint16_t>(payload),
                            static_cast<uint16_t>(kSegmentHeaderChars + src.size() + dst.size()));
    std::memcpy(q, &h, sizeof h);
    q += sizeof h;
    std::memcpy(q, o.sack.data(), sack);
    q += sack;
    auto src_len = static_cast<uint16_t>(src.size()), dst_len = static_cast<uint16_t>(dst.size());
    std::memcpy(q, &src_len, 2);
    std::memcpy(q + 2, &dst_len, 2);
    copy_text(copy_text(q + 4, src), dst);
    if (remember) r.forget();
}

void PacketTracer::write_segment_fields(TraceRecord& r, const Packet& p, const ConnectionTable::Relative& rel) const {
    const Node& src = net_.node(p.src_node);
    const Node& dst = net_.node(p.dst_node);
    char flags[10];  // "flags", quoted: the letters need no escaping
    size_t n = flags_to_tcpdump(p.flags, flags + 1);
    flags[0] = flags[n + 1] = '"';
    r.field("conn", p.conn_id)
        .field("pkt", p.uid)
        .text("src", src.name(), src.json_name())
        .field("sport", static_cast<uint32_t>(p.src_port))
        .text("dst", dst.name(), dst.json_name())
        .field("dport", static_cast<uint32_t>(p.dst_port))
        .text("flags", std::string_view(flags + 1, n), std::string_view(flags, n + 2))
        .field("seq", p.seq)
        .field("ack", p.ack);
    if (rel.has_seq) r.field("rel_seq", rel.seq);
    if (rel.has_ack) r.field("rel_ack", rel.ack);
    r.field("len", p.payload_len).field("win", p.window);
    if (p.ecn) r.field("ecn", ecn_name(p.ecn));
    if (!p.options.empty()) {
        char buf[kOptionsJsonChars];
        r.raw("options", std::string_view(buf, format_options_json(p.options, buf)));
    }
}

namespace {
// ,"flags":"<tcpdump letters>" for every flags byte, made once (by flags_to_tcpdump) before
// the first record.
struct FlagsText {
    char text[20];
    uint8_t len;
};
const std::array<FlagsText, 256> kFlagsText = [] {
    std::array<FlagsText, 256> t{};
    for (size_t f = 0; f < t.size(); ++f) {
        char* p = copy_text(t[f].text, ",\"flags\":\"");
        p += flags_to_tcpdump(static_cast<uint8_t>(f), p);
        *p++ = '"';
        t[f].len = static_cast<uint8_t>(p - t[f].text);
    }
    return t;
}();

// The text of the numbers last written for one direction of a flow (see DecimalMemo).
struct FlowNumbers {
    DecimalMemo conn, sport, dport, seq, ack, rel_seq, rel_ack, len, win, ts_val, ts_ecr;
};
// Per formatting thread: a cache of texts, right whichever trace wrote them, so traces formatted
// on one thread may share it. Directions of flows map onto its entries by connection and node.
constexpr size_t kFlowNumbers = 256;
thread_local std::array<FlowNumbers, kFlowNumbers> t_flow_numbers{};
}  // namespace

char* PacketTracer::segment_header_json(const char* payload, char* p) {
    SegmentHeader h;
    std::memcpy(&h, payload, sizeof h);
    const char* sack = payload + sizeof h;
    const char* rest = sack + h.sack_count * sizeof(SackBlock);
    uint16_t src_len, dst_len;
    std::memcpy(&src_len, rest, 2);
    std::memcpy(&dst_len, rest + 2, 2);
    std::string_view src_name(rest + 4, src_len);
    std::string_view dst_name(rest + 4 + src_len, dst_len);
    FlowNumbers& m = t_flow_numbers[(h.conn * 2 + (h.src_node & 1)) % kFlowNumbers];
    p = write_decimal(copy_text(p, ",\"conn\":"), h.conn, m.conn);
    p = write_decimal(copy_text(p, ",\"pkt\":"), h.uid);
    p = copy_text(copy_text(p, ",\"src\":"), src_name);
    p = write_decimal(copy_text(p, ",\"sport\":"), uint32_t{h.sport}, m.sport);
    p = copy_text(copy_text(p, ",\"dst\":"), dst_name);
    p = write_decimal(copy_text(p, ",\"dport\":"), uint32_t{h.dport}, m.dport);
    const FlagsText& f = kFlagsText[h.flags];
    std::memcpy(p, f.text, sizeof f.text);
    p += f.len;
    p = write_decimal(copy_text(p, ",\"seq\":"), h.seq, m.seq);
    p = write_decimal(copy_text(p, ",\"ack\":"), h.ack, m.ack);
    if (h.bits & kHasRelSeq) p = write_decimal(copy_text(p, ",\"rel_seq\":"), h.rel_seq, m.rel_seq);
    if (h.bits & kHasRelAck) p = write_decimal(copy_text(p, ",\"rel_ack\":"), h.rel_ack, m.rel_ack);
    p = write_decimal(copy_text(p, ",\"len\":"), h.len, m.len);
    p = write_decimal(copy_text(p, ",\"win\":"), h.win, m.win);
    if (h.ecn) p = copy_text(copy_text(copy_text(p, ",\"ecn\":\""), ecn_name(h.ecn)), "\"");
    if ((h.bits & (kHasTimestamps | kSackPermitted)) == kHasTimestamps && h.mss == 0 && h.sack_count == 0 && h.wscale < 0) {
        // Timestamps alone: nearly every segment of a connection that negotiated them.
        p = write_decimal(copy_text(p, ",\"options\":{\"ts\":["), h.ts_val, m.ts_val);
        p = write_decimal(copy_text(p, ","), h.ts_ecr, m.ts_ecr);
        return copy_text(p, "]}");
    }
    TcpOptions o;
    o.mss = h.mss;
    o.wscale = h.wscale;
    o.sack_permitted = (h.bits & kSackPermitted) != 0;
    o.has_timestamps = (h.bits & kHasTimestamps) != 0;
    o.sack_count = h.sack_count;
    o.ts_val = h.ts_val;
    o.ts_ecr = h.ts_ecr;
    std::memcpy(o.sack.data(), sack, h.sack_count * sizeof(SackBlock));
    if (!o.empty()) {
        p = copy_text(p, ",\"options\":");
        p += format_options_json(o, p);
    }
    return p;
}

// What on_send writes when anyone records it: the trace record, the capture, the human line.
void PacketTracer::send_record(const Node& node, const Packet& p, bool retransmission) {
    if (w_.wants(TraceCategory::segment)) {
        auto r = w_.event(net_.sim().now(), "send");
        r.text("node", node.name(), node.json_name());
        segment_fields(r, p);
        if (retransmission) r.field("retransmission", true);
    }
    if (capture_) capture_->on_sent(node, p, net_.sim().now());
    if (human_) *human_ << net_.sim().now().to_seconds_string() << ' ' << describe(p) << '\n';
}

void PacketTracer::capture_arrived(const Node& node, const Packet& p) { capture_->on_arrived(node, p, net_.sim().now()); }

void PacketTracer::enqueue_record(const LinkDirection& l, const Packet& p) {
    auto r = w_.event(net_.sim().now(), "enqueue");
    r.text("node", l.from().name(), l.from().json_name()).field("link", l.name());
    segment_fields(r, p);
    r.field("qlen", static_cast<uint64_t>(l.queue_packets())).field("qbytes", l.queue_bytes());
}

void PacketTracer::dequeue_record(const LinkDirection& l, const Packet& p) {
    auto r = w_.event(net_.sim().now(), "dequeue");
    r.text("node", l.from().name(), l.from().json_name()).field("link", l.name());
    segment_fields(r, p);
    r.field("qlen", static_cast<uint64_t>(l.queue_packets())).field("qbytes", l.queue_bytes());
}

void PacketTracer::on_drop(const Packet& p, DropReason reason, const LinkDirection* link, const Node* node) {
    ++drops_[static_cast<size_t>(reason)];
    if (p.conn_id != Packet::kNoConnection) conns_.on_dropped(p);
    if (w_.wants(TraceCategory::segment)) {
        auto r = w_.event(net_.sim().now(), "drop");
        const Node& at = link ? link->from() : *node;
        r.text("node", at.name(), at.json_name());
        if (link) r.field("link", link->name());
        r.field("reason", to_string(reason));
        segment_fields(r, p);
        // The queue as the drop left it: for queue_full, the queue that had no room.
        if (link) r.field("qlen", static_cast<uint64_t>(link->queue_packets())).field("qbytes", link->queue_bytes());
    }
    if (human_) {
        *human_ << net_.sim().now().to_seconds_string() << ' ' << describe(p) << " [dropped: " << to_string(reason);
        if (link) *human_ << " on " << link->name();
        else if (node) *human_ << " at " << node->name();
        *human_ << "]\n";
    }
}

void PacketTracer::deliver_record(const Node& node, const Packet& p) {
    auto r = w_.event(net_.sim().now(), "deliver");
    r.text("node", node.name(), node.json_name());
    segment_fields(r, p);
}

void PacketTracer::on_duplicate(const LinkDirection& l, const Packet& original, const Packet& copy) {
    if (!w_.wants(TraceCategory::detail)) return;
    auto r = w_.event(net_.sim().now(), "duplicate");
    r.text("node", l.from().name(), l.from().json_name()).field("link", l.name());
    segment_fields(r, copy);
    r.field("dup_of", original.uid);
}

void PacketTracer::on_link_state(const LinkDirection& l, bool up) {
    if (!w_.wants(TraceCategory::detail)) return;
    w_.event(net_.sim().now(), "link").field("link", l.name()).field("state", up ? "up" : "down");
}

size_t PacketTracer::connection_count() const { return conns_.size(); }

Json PacketTracer::connection_summary(size_t index) const {
    const ConnectionRecord& c = conns_.get(static_cast<uint32_t>(index));
    Json j;
    j["conn"] = c.id;
    for (int e = 0; e < 2; ++e) {
        const auto& s = c.dir[e];
        const DirectionData& data = c.data(e);
        Json d;
        d["from"] = net_.node(c.node[e]).name() + ":" + std::to_string(c.port[e]);
        d["to"] = net_.node(c.node[1 - e]).name() + ":" + std::to_string(c.port[1 - e]);
        d["segments_sent"] = s.segments_sent;
        d["wire_bytes_sent"] = s.wire_bytes_sent;
        d["payload_bytes_sent"] = data.payload_bytes_sent;
        d["retransmissions"] = data.retransmissions;
        d["retransmitted_bytes"] = data.retransmitted_bytes;
        d["segments_delivered"] = s.segments_delivered;
        d["payload_bytes_delivered"] = data.payload_bytes_delivered;
        d["segments_dropped"] = data.segments_dropped;
        d["syn"] = s.syn;
        d["fin"] = s.fin;
        d["rst"] = s.rst;
        j[e == 0 ? "forward" : "reverse"] = std::move(d);
    }
    return j;
}

}  // namespace tcpsim
