#pragma once
// TraceWriter: streams the JSON trace of a run. Records are written as they happen (never held
// in memory), in one of two layouts:
//   json  - one document: {"meta":{...},"events":[{...},...],"summary":{...}}
//   jsonl - one object per line: {"type":"meta",...}, then events, then {"type":"summary",...}
// Records are built field by field straight into an output buffer: no JSON tree per event.
// Nothing wall-clock goes in here, so a trace is byte-identical for the same scenario and seed.
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "sim/json_reader.hpp"
#include "sim/time.hpp"

namespace tcpsim {

enum class TraceFormat { json, jsonl };
enum class TraceLevel { summary, segments, all };
// What a record is about; the level decides which categories are kept.
enum class TraceCategory {
    segment,  // a segment sent, delivered or dropped (level segments and all)
    detail,   // queueing, state changes, timers, link and application events (level all)
    series,   // time-series samples: congestion control per connection (levels segments and all)
};

std::string_view to_string(TraceFormat f);
std::string_view to_string(TraceLevel l);

class TraceWriter;

// One record under construction; written out when it goes out of scope.
class TraceRecord {
public:
    TraceRecord(const TraceRecord&) = delete;
    TraceRecord& operator=(const TraceRecord&) = delete;
    ~TraceRecord();

    TraceRecord& field(std::string_view key, int64_t v);
    TraceRecord& field(std::string_view key, uint64_t v);
    TraceRecord& field(std::string_view key, uint32_t v) { return field(key, static_cast<uint64_t>(v)); }
    TraceRecord& field(std::string_view key, int v) { return field(key, static_cast<int64_t>(v)); }
    TraceRecord& field(std::string_view key, double v);
    TraceRecord& field(std::string_view key, bool v);
    TraceRecord& field(std::string_view key, std::string_view v);
    TraceRecord& field(std::string_view key, const char* v) { return field(key, std::string_view(v)); }
    // A value that is already JSON text (a small nested object or array).
    TraceRecord& raw(std::string_view key, std::string_view json_text);

private:
    friend class TraceWriter;
    explicit TraceRecord(TraceWriter* w) : w_(w) {}
    void key(std::string_view k);
    TraceWriter* w_;  // null: the record is discarded
};

class TraceWriter {
public:
    // `out` may be null: records are then counted but not written (level summary, tests).
    TraceWriter(std::ostream* out, TraceFormat format, TraceLevel level);
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    bool wants(TraceCategory c) const {
        if (!out_) return false;
        return c == TraceCategory::detail ? level_ == TraceLevel::all : level_ != TraceLevel::summary;
    }
    TraceFormat format() const { return format_; }
    TraceLevel level() const { return level_; }

    void begin(const Json& meta);
    // Starts an event record with its time ("t" seconds and "t_ns") and type. Check wants() first:
    // a record for an unwanted category is still written.
    TraceRecord event(SimTime t, std::string_view type);
    void end(const Json& summary);
    void flush();

    uint64_t events_written() const { return events_; }
    uint64_t bytes_written() const { return bytes_; }

    static void append_escaped(std::string& out, std::string_view s);

private:
    friend class TraceRecord;
    void end_record();

    std::ostream* out_;
    TraceFormat format_;
    TraceLevel level_;
    std::string buf_;
    uint64_t events_ = 0;
    uint64_t bytes_ = 0;
};

}  // namespace tcpsim
