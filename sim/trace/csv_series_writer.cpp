#include "sim/trace/csv_series_writer.hpp"

#include <charconv>
#include <cmath>

namespace tcpsim {

namespace {

constexpr size_t kFlushAt = 1 << 16;

// Columns named after the trace fields they come from, as the JSON records name them ("type" is
// the record's type); "t" and "t_ns" are the record's own.
constexpr std::string_view kSegmentColumns[] = {
    "t", "t_ns", "type", "node", "link", "conn", "pkt", "src", "sport", "dst", "dport", "flags",
    "seq", "ack", "rel_seq", "rel_ack", "len", "win", "ecn", "retransmission", "reason", "dup_of"};
constexpr std::string_view kCwndColumns[] = {
    "t", "t_ns", "node", "conn", "cwnd", "ssthresh", "flight", "srtt", "rttvar", "rto", "bytes_acked",
    "recovery", "cc"};
constexpr std::string_view kQueueColumns[] = {
    "t", "t_ns", "type", "link", "qlen", "qbytes", "pkt", "conn", "len", "reason"};

template <typename T>
void append_number(std::string& out, T v) {
    char tmp[32];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
    out.append(tmp, end);
}

void append_text(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';  // RFC 4180: a quote inside a quoted field is doubled
        out += c;
    }
    out += '"';
}

void append_value(std::string& out, const TraceFields& r, const TraceValue& v) {
    switch (v.kind) {
        case TraceValue::Kind::i64: append_number(out, v.i); break;
        case TraceValue::Kind::u64: append_number(out, v.u); break;
        case TraceValue::Kind::f64:
            if (std::isfinite(v.d)) append_number(out, v.d);  // JSON's null: an empty cell
            break;
        case TraceValue::Kind::boolean: out += v.b ? '1' : '0'; break;
        case TraceValue::Kind::string: append_text(out, r.text_of(v)); break;
        case TraceValue::Kind::raw:
            if (r.text_of(v) != "null") append_text(out, r.text_of(v));
            break;
    }
}

bool is_segment_event(std::string_view type) {
    return type == "send" || type == "deliver" || type == "drop" || type == "duplicate";
}

}  // namespace

std::span<const std::string_view> CsvSeriesWriter::columns(Series s) {
    switch (s) {
        case kSegments: return kSegmentColumns;
        case kCwnd: return kCwndColumns;
        case kQueue: return kQueueColumns;
        case kSeriesCount: break;
    }
    return {};
}

std::string_view CsvSeriesWriter::name(Series s) {
    switch (s) {
        case kSegments: return "segments";
        case kCwnd: return "cwnd";
        case kQueue: return "queue";
        case kSeriesCount: break;
    }
    return "?";
}

CsvSeriesWriter::CsvSeriesWriter(std::ostream& segments, std::ostream& cwnd, std::ostream& queue) {
    tables_[kSegments].out = &segments;
    tables_[kCwnd].out = &cwnd;
    tables_[kQueue].out = &queue;
    for (Table& t : tables_) t.buf.reserve(kFlushAt + 1024);
}

void CsvSeriesWriter::begin() {
    for (size_t s = 0; s < kSeriesCount; ++s) {
        std::string& b = tables_[s].buf;
        bool first = true;
        for (std::string_view c : columns(static_cast<Series>(s))) {
            if (!first) b += ',';
            b += c;
            first = false;
        }
        b += '\n';
    }
}

void CsvSeriesWriter::record(const TraceFields& r) {
    std::string_view type = r.type();
    if (is_segment_event(type)) row(tables_[kSegments], kSegments, r);
    if (type == "cc") row(tables_[kCwnd], kCwnd, r);
    // A drop on a link is a queue sample too (it carries the queue's length); drops at a node
    // (no route, TTL) are not.
    if (type == "enqueue" || type == "dequeue" || (type == "drop" && r.find("link")))
        row(tables_[kQueue], kQueue, r);
}

void CsvSeriesWriter::row(Table& t, Series s, const TraceFields& r) {
    std::string& b = t.buf;
    bool first = true;
    for (std::string_view c : columns(s)) {
        if (!first) b += ',';
        first = false;
        if (c == "t") b += r.t().to_seconds_string();
        else if (c == "t_ns") append_number(b, r.t().ns());
        else if (c == "type") append_text(b, r.type());
        else if (const TraceValue* v = r.find(c)) append_value(b, r, *v);
        else if (c == "retransmission" && r.type() == "send") b += '0';  // the JSON omits "false"
    }
    b += '\n';
    ++t.rows;
    flush(t, false);
}

void CsvSeriesWriter::flush(Table& t, bool force) {
    if (t.buf.empty() || (!force && t.buf.size() < kFlushAt)) return;
    t.out->write(t.buf.data(), static_cast<std::streamsize>(t.buf.size()));
    t.bytes += t.buf.size();
    t.buf.clear();
}

void CsvSeriesWriter::end(const RunSummary&) {
    for (Table& t : tables_) {
        flush(t, true);
        t.out->flush();
    }
}

}  // namespace tcpsim
