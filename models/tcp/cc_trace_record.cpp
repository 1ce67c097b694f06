#include "models/tcp/cc_trace_record.hpp"

#include <cstring>
#include <type_traits>

#include "models/tcp/congestion_control.hpp"
#include "sim/core/decimal.hpp"

namespace tcpsim {

namespace {

// The payload of the packed op: the values, then the node's quoted name and the cc's name.
struct PackedCc {
    uint64_t cwnd, ssthresh, flight, bytes_acked;
    int64_t srtt_ns, rttvar_ns, rto_ns;
    uint32_t conn;
    uint16_t node_json_len;
    uint8_t cc_len;
    RecoveryState recovery;
};
static_assert(std::has_unique_object_representations_v<PackedCc>, "no padding: copied whole");

// Names longer than this go field by field (a payload is at most 64 KiB).
constexpr size_t kMostNameBytes = 1024;
// The text of a packed record but for the names: 11 keys, 7 numbers, the recovery state.
constexpr size_t kPackedCcChars = 160 + 7 * 24 + 8;

char* packed_cc_json(const char* payload, char* p) {
    PackedCc c;
    std::memcpy(&c, payload, sizeof c);
    std::string_view node(payload + sizeof c, c.node_json_len);
    std::string_view cc(payload + sizeof c + c.node_json_len, c.cc_len);
    p = copy_text(copy_text(p, ",\"node\":"), node);
    p = write_decimal(copy_text(p, ",\"conn\":"), c.conn);
    p = write_decimal(copy_text(p, ",\"cwnd\":"), c.cwnd);
    if (c.ssthresh >= CongestionControl::kInfiniteSsthresh) p = copy_text(p, ",\"ssthresh\":null");
    else p = write_decimal(copy_text(p, ",\"ssthresh\":"), c.ssthresh);
    p = write_decimal(copy_text(p, ",\"flight\":"), c.flight);
    p = write_seconds_shortest(copy_text(p, ",\"srtt\":"), c.srtt_ns);
    p = write_seconds_shortest(copy_text(p, ",\"rttvar\":"), c.rttvar_ns);
    p = write_seconds_shortest(copy_text(p, ",\"rto\":"), c.rto_ns);
    p = write_decimal(copy_text(p, ",\"bytes_acked\":"), c.bytes_acked);
    p = copy_text(copy_text(p, ",\"recovery\":\""), to_string(c.recovery));
    // Packed only when it needs no escaping (the cc's names are identifiers).
    p = copy_text(copy_text(p, "\",\"cc\":\""), cc);
    *p++ = '"';
    return p;
}

}  // namespace

void write_cc_fields(TraceRecord& r, const CcTraceRecord& who, const CcSample& s) {
    if (r.can_repeat() && who.node_json.size() <= kMostNameBytes && who.cc.size() <= 255 && !needs_escaping(who.cc)) {
        PackedCc c;  // every byte set below: it has no padding
        c.cwnd = s.cwnd;
        c.ssthresh = s.ssthresh;
        c.flight = s.flight;
        c.bytes_acked = s.bytes_acked;
        c.srtt_ns = s.srtt.ns();
        c.rttvar_ns = s.rttvar.ns();
        c.rto_ns = s.rto.ns();
        c.conn = who.conn;
        c.node_json_len = static_cast<uint16_t>(who.node_json.size());
        c.cc_len = static_cast<uint8_t>(who.cc.size());
        c.recovery = s.recovery;
        size_t names = who.node_json.size() + who.cc.size();
        char* q = r.fields_room(&packed_cc_json, static_cast<uint16_t>(sizeof c + names),
                                static_cast<uint16_t>(kPackedCcChars + names));
        std::memcpy(q, &c, sizeof c);
        copy_text(copy_text(q + sizeof c, who.node_json), who.cc);
        return;
    }
    r.text("node", who.node_name, who.node_json).field("conn", who.conn).field("cwnd", s.cwnd);
    if (s.ssthresh >= CongestionControl::kInfiniteSsthresh) r.raw("ssthresh", "null");
    else r.field("ssthresh", s.ssthresh);
    r.field("flight", s.flight)
        .seconds("srtt", s.srtt)
        .seconds("rttvar", s.rttvar)
        .seconds("rto", s.rto)
        .field("bytes_acked", s.bytes_acked)
        .field("recovery", to_string(s.recovery))
        .field("cc", who.cc);
}

}  // namespace tcpsim
