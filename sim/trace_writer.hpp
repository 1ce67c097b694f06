#pragma once
// TraceWriter: where the models send trace records. It streams the JSON trace of a run (records
// are written as they happen, never held in memory), in one of two layouts:
//   json  - one document: {"meta":{...},"events":[{...},...],"summary":{...}}
//   jsonl - one object per line: {"type":"meta",...}, then events, then {"type":"summary",...}
// and hands the same records to any TraceSinks (CSV series, the human view), each of which
// chooses its own categories. JSON records are built field by field straight into an output
// buffer: no JSON tree per event. Nothing wall-clock goes in here, so a trace is byte-identical
// for the same scenario and seed.
#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/background_writer.hpp"
#include "sim/decimal.hpp"
#include "sim/json_reader.hpp"
#include "sim/text_buffer.hpp"
#include "sim/time.hpp"
#include "sim/trace_sink.hpp"

namespace tcpsim {

enum class TraceFormat { json, jsonl };
enum class TraceLevel { summary, segments, all };

// The category of a record type. Level `segments` keeps: send deliver drop state app cc;
// level `all` adds: enqueue dequeue duplicate link timer tcp. A type not in either list is a
// segment record (so a new one is never silently left out of a segments-level trace).
TraceCategory category_of(std::string_view type);

std::string_view to_string(TraceFormat f);
std::string_view to_string(TraceLevel l);

class TraceWriter;

// One record under construction; written out when it goes out of scope. When the record goes
// to the JSON text only (the usual case: no sink takes its category), a field is formatted by
// inline code straight into the writer's buffer: the key's length is known where the call is,
// so copying it is a few stores rather than a call to memcpy (a segment record has 18 fields,
// and at 242,723 records for benchmark case A that was a quarter of the traced run's time).
class TraceRecord {
public:
    TraceRecord(const TraceRecord&) = delete;
    TraceRecord& operator=(const TraceRecord&) = delete;
    ~TraceRecord();

    TraceRecord& field(std::string_view key, int64_t v) { return json_only() ? json_number(key, v) : any_field(key, v); }
    TraceRecord& field(std::string_view key, uint64_t v) { return json_only() ? json_number(key, v) : any_field(key, v); }
    TraceRecord& field(std::string_view key, uint32_t v) { return field(key, static_cast<uint64_t>(v)); }
    TraceRecord& field(std::string_view key, int v) { return field(key, static_cast<int64_t>(v)); }
    TraceRecord& field(std::string_view key, double v);
    TraceRecord& field(std::string_view key, bool v);
    TraceRecord& field(std::string_view key, std::string_view v);
    TraceRecord& field(std::string_view key, const char* v) { return field(key, std::string_view(v)); }
    // A text field whose JSON form (quoted and escaped) is known already: a node's name, say,
    // escaped once instead of on every record.
    TraceRecord& text(std::string_view key, std::string_view plain, std::string_view quoted) {
        return json_only() ? json_raw(key, quoted) : any_text(key, plain, quoted);
    }
    // A time in seconds: the same as field(key, t.to_seconds()), the JSON text made from the
    // integer nanoseconds (no double formatting: see write_seconds_shortest).
    TraceRecord& seconds(std::string_view key, SimTime t);
    // A value that is already JSON text (a small nested object or array).
    TraceRecord& raw(std::string_view key, std::string_view json_text);

    // For a caller that writes the same run of fields in several records (a packet's header at
    // each hop): when the record goes to the JSON text only, json_mark() is where the text stands
    // (else kNoMark, and the caller writes its fields as usual), json_since(mark) what was written
    // after it, and json_append(text) writes such a run again, ",key:value" pairs and all.
    static constexpr size_t kNoMark = SIZE_MAX;
    size_t json_mark() const;
    std::string_view json_since(size_t mark) const;
    void json_append(std::string_view text);

private:
    friend class TraceWriter;
    TraceRecord(TraceWriter* w, bool json, bool sinks) : w_(w), json_(json), sinks_(sinks) {}
    // The inline path: the record goes to the JSON text and to no sink.
    bool json_only() const { return json_ && !sinks_; }
    // Writes ,"key": and reserves `value_room` bytes after it; returns where the value goes.
    char* key(std::string_view k, size_t value_room);
    TraceValue* sink_field(std::string_view k);
    template <typename T>
    TraceRecord& json_number(std::string_view k, T v);
    TraceRecord& json_raw(std::string_view k, std::string_view json_text);
    TraceRecord& any_text(std::string_view k, std::string_view plain, std::string_view quoted);
    TraceRecord& any_field(std::string_view k, int64_t v);
    TraceRecord& any_field(std::string_view k, uint64_t v);
    TraceWriter* w_;  // null: the record is discarded
    bool json_;       // goes into the JSON text
    bool sinks_;      // goes to the sinks (as TraceFields)
};

class TraceWriter {
public:
    // `out` may be null: no JSON is written (sinks may still be added). `level` applies to the
    // JSON text only; each sink chooses its own categories.
    TraceWriter(std::ostream* out, TraceFormat format, TraceLevel level);
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    ~TraceWriter();

    // Before begin(). The sink must outlive the writer's last call.
    void add_sink(TraceSink* sink);
    // Before begin(): the JSON text is written to the stream by a thread of its own (see
    // BackgroundWriter), which has the stream to itself until end(). Not for a stream that
    // others write to as well (stdout).
    void write_in_background();

    // Whether anyone (the JSON text or a sink) takes records of this category: models check
    // this before building a record.
    bool wants(TraceCategory c) const { return (wanted_ & bit(c)) != 0; }
    TraceFormat format() const { return format_; }
    TraceLevel level() const { return level_; }

    void begin(const Json& meta);
    // Starts an event record with its time ("t" seconds and "t_ns") and type; its category is
    // category_of(type), and it goes to whoever wants that category.
    TraceRecord event(SimTime t, std::string_view type);
    void end(const Json& summary);
    void flush();

    uint64_t events_written() const { return events_; }
    uint64_t bytes_written() const { return bytes_; }

    // Guards against filling the disk (--max-trace-bytes) and notices a stream that fails (disk
    // full). Either way the writer stops writing events: a record that would take the file past
    // max_bytes is not written, and neither is any after it. end() still writes the summary, so
    // the file stays one valid document (its size: at most max_bytes, plus the summary). on_stop
    // is called once, when that happens (the World stops the run there).
    enum class Status { writing, limit_reached, write_failed };
    void set_byte_limit(uint64_t max_bytes) { limit_ = max_bytes; }
    void set_on_stop(std::function<void()> f) { on_stop_ = std::move(f); }
    Status status() const { return status_; }

    // `s` as a JSON string literal, quotes included.
    static void append_escaped(std::string& out, std::string_view s);
    static void append_escaped(TextBuffer& out, std::string_view s);

private:
    friend class TraceRecord;
    static constexpr unsigned bit(TraceCategory c) { return 1u << static_cast<unsigned>(c); }
    void end_record(bool json, bool sinks);
    void stop_writing(Status why);

    std::ostream* out_;
    TraceFormat format_;
    TraceLevel level_;
    unsigned json_wants_ = 0;   // categories the JSON text keeps
    unsigned sinks_want_ = 0;   // categories at least one sink keeps
    unsigned wanted_ = 0;       // either
    std::vector<TraceSink*> sinks_;
    TraceFields fields_;        // the record being built, for the sinks
    TextBuffer buf_;
    uint64_t events_ = 0;
    uint64_t bytes_ = 0;
    uint64_t limit_ = UINT64_MAX;
    size_t record_start_ = 0;  // where in buf_ the record being built begins
    SimTime head_time_;        // the time head_ was formatted for
    char head_[96];            // "t":...,"t_ns":...,"type":" for head_time_
    size_t head_len_ = 0;      // 0: none yet
    Status status_ = Status::writing;
    std::function<void()> on_stop_;
    std::unique_ptr<BackgroundWriter> background_;  // null: flush() writes in this thread
};

// Keys are the models' own identifiers: no escaping.
inline char* TraceRecord::key(std::string_view k, size_t value_room) {
    char* p = w_->buf_.room(k.size() + 4 + value_room);
    p[0] = ',';
    p[1] = '"';
    p = copy_text(p + 2, k);
    p[0] = '"';
    p[1] = ':';
    return p + 2;
}

// ,"key":value at the end of the writer's buffer; 24 bytes is room for any 64-bit integer.
template <typename T>
inline TraceRecord& TraceRecord::json_number(std::string_view k, T v) {
    w_->buf_.commit(write_decimal(key(k, 24), v));
    return *this;
}

inline TraceRecord& TraceRecord::seconds(std::string_view k, SimTime t) {
    if (!json_only()) return field(k, t.to_seconds());
    w_->buf_.commit(write_seconds_shortest(key(k, 32), t.ns()));
    return *this;
}

inline size_t TraceRecord::json_mark() const { return w_ && json_only() ? w_->buf_.size() : kNoMark; }
inline std::string_view TraceRecord::json_since(size_t mark) const { return w_->buf_.view().substr(mark); }
inline void TraceRecord::json_append(std::string_view text) { w_->buf_.append(text); }

inline TraceRecord& TraceRecord::json_raw(std::string_view k, std::string_view json_text) {
    w_->buf_.commit(copy_text(key(k, json_text.size()), json_text));
    return *this;
}

}  // namespace tcpsim
