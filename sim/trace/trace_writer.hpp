#pragma once
// TraceWriter: where the models send trace records. It streams the JSON trace of a run (records
// are written as they happen, never held in memory), in one of two layouts:
//   json  - one document: {"meta":{...},"events":[{...},...],"summary":{...}}
//   jsonl - one object per line: {"type":"meta",...}, then events, then {"type":"summary",...}
// and hands the same records to any TraceSinks (CSV series, the human view), each of which
// chooses its own categories. JSON records are written field by field as ops into a buffer
// (trace_ops.hpp) and formatted from there: no JSON tree per event. Nothing wall-clock goes in here, so a trace is byte-identical
// for the same scenario and seed.
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/decimal.hpp"
#include "sim/core/invariant.hpp"
#include "sim/core/text_buffer.hpp"
#include "sim/core/time.hpp"
#include "sim/json/json_reader.hpp"
#include "sim/trace/background_writer.hpp"
#include "sim/trace/run_summary.hpp"
#include "sim/trace/trace_ops.hpp"
#include "sim/trace/trace_sink.hpp"

namespace tcpsim {

enum class TraceLevel { summary, segments, all };

// The category of a record type. Level `segments` keeps: send deliver drop state app cc;
// level `all` adds: enqueue dequeue duplicate link timer tcp. A type not in either list is a
// segment record (so a new one is never silently left out of a segments-level trace).
// Inline and constexpr: for the models' literal types it is worked out where they are compiled.
constexpr TraceCategory category_of(std::string_view type) {
    bool detail = false;
    switch (type.size()) {  // by length first: most types are told by one comparison
        case 3: detail = type == "tcp"; break;
        case 4: detail = type == "link"; break;
        case 5: detail = type == "timer"; break;
        case 7: detail = type == "enqueue" || type == "dequeue"; break;
        case 9: detail = type == "duplicate"; break;
        default: break;
    }
    return detail ? TraceCategory::detail : TraceCategory::segment;
}

std::string_view to_string(TraceFormat f);
std::string_view to_string(TraceLevel l);

class TraceWriter;

// One record under construction; ended when it goes out of scope. When the record goes to the
// JSON text only (the usual case: no sink takes its category), a field is written by inline code
// as an op (see trace_ops.hpp): the key's length is known where the call is, so copying it is a
// few stores, and the value is its bytes. The text is made from the ops later, maybe on another
// thread.
class TraceRecord {
public:
    TraceRecord(const TraceRecord&) = delete;
    TraceRecord& operator=(const TraceRecord&) = delete;
    [[gnu::always_inline]] ~TraceRecord();

    [[gnu::always_inline]] TraceRecord& field(std::string_view key, int64_t v) { return json_only() ? json_value(TraceOp::i64, key, v) : any_field(key, v); }
    [[gnu::always_inline]] TraceRecord& field(std::string_view key, uint64_t v) { return json_only() ? json_value(TraceOp::u64, key, v) : any_field(key, v); }
    [[gnu::always_inline]] TraceRecord& field(std::string_view key, uint32_t v) { return field(key, static_cast<uint64_t>(v)); }
    [[gnu::always_inline]] TraceRecord& field(std::string_view key, int v) { return field(key, static_cast<int64_t>(v)); }
    TraceRecord& field(std::string_view key, double v);
    TraceRecord& field(std::string_view key, bool v);
    TraceRecord& field(std::string_view key, std::string_view v);
    TraceRecord& field(std::string_view key, const char* v) { return field(key, std::string_view(v)); }
    // A text field whose JSON form (quoted and escaped) is known already: a node's name, say,
    // escaped once instead of on every record.
    [[gnu::always_inline]] TraceRecord& text(std::string_view key, std::string_view plain, std::string_view quoted) {
        return json_only() ? json_bytes(TraceOp::json, key, quoted) : any_text(key, plain, quoted);
    }
    // A time in seconds: the same as field(key, t.to_seconds()), the JSON text made from the
    // integer nanoseconds (no double formatting: see write_seconds_shortest).
    [[gnu::always_inline]] TraceRecord& seconds(std::string_view key, SimTime t) {
        return json_only() ? json_value(TraceOp::seconds, key, t.ns()) : field(key, t.to_seconds());
    }
    // A value that is already JSON text (a small nested object or array).
    TraceRecord& raw(std::string_view key, std::string_view json_text);
    // Several fields at once, for a record that goes to the JSON text only (can_repeat()): `fn`
    // writes their ,"key":value pairs from a copy of `payload`, in at most `most_chars` chars.
    // A caller whose record also goes to sinks writes the fields one by one instead.
    void fields(TraceFormatFn fn, const void* payload, uint16_t size, uint16_t most_chars);
    // The same with the payload written in place: returns where its `size` bytes go, which the
    // caller writes before it adds anything else to the record.
    [[gnu::always_inline]] char* fields_room(TraceFormatFn fn, uint16_t size, uint16_t most_chars);

    // For a caller that writes the same run of fields into several records (a packet's header
    // at each hop). When the record goes to the JSON text only (can_repeat()), the fields written
    // between remember(slot) and forget() are kept under `slot` (< kTraceSlots), replacing what it
    // held, and repeat(slot) writes them again in a later record; their text is made once.
    bool can_repeat() const { return w_ && json_only(); }
    void remember(uint32_t slot) { slot_op(TraceOp::remember, slot); }
    void forget();
    void repeat(uint32_t slot) { slot_op(TraceOp::repeat, slot); }

private:
    friend class TraceWriter;
    TraceRecord(TraceWriter* w, bool json, bool sinks) : w_(w), json_(json), sinks_(sinks) {}
    // The inline path: the record goes to the JSON text and to no sink.
    bool json_only() const { return json_ && !sinks_; }
    // Writes op, key length, key, and reserves `value_room` bytes after it; returns where the
    // value goes.
    // Always inlined: then the key's length is a constant and copying it a few stores (out of
    // line, each field cost a call to memcpy; 55 M instructions of benchmark case A's trace).
    [[gnu::always_inline]] char* key(TraceOp op, std::string_view k, size_t value_room);
    template <typename T>
    [[gnu::always_inline]] TraceRecord& json_value(TraceOp op, std::string_view k, T v);
    [[gnu::always_inline]] TraceRecord& json_bytes(TraceOp op, std::string_view k, std::string_view bytes);
    void slot_op(TraceOp op, uint32_t slot);
    TraceValue* sink_field(std::string_view k);
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
    // BackgroundWriter), which has the stream to itself until end(), and which also makes the
    // text from the records' ops unless there is a byte limit (that is checked record by record,
    // so those records are formatted here). Not for a stream that others write to (stdout).
    void write_in_background();

    // Whether anyone (the JSON text or a sink) takes records of this category: models check
    // this before building a record.
    bool wants(TraceCategory c) const { return (wanted_ & bit(c)) != 0; }
    // Whether there is JSON text to write (a stream was given), the only reader of begin()'s meta.
    bool writes_text() const { return out_ != nullptr; }
    TraceFormat format() const { return format_; }
    TraceLevel level() const { return level_; }

    // A member of the meta that the caller keeps and the writer reads in place (the scenario
    // as written can be hundreds of megabytes as a tree): written among meta's members in the
    // order of a Json object, as if it were one of them.
    struct LentMember {
        const char* key;
        const Json* value;
    };
    void begin(const Json& meta, std::span<const LentMember> lent = {});
    // Starts an event record with its time ("t" seconds and "t_ns") and type; its category is
    // category_of(type), and it goes to whoever wants that category. Inline for the usual case,
    // a record for the JSON text only: with a literal type that is a few stores.
    [[gnu::always_inline]] TraceRecord event(SimTime t, std::string_view type);
    // Writes the summary (streamed: see RunSummary) and closes the document; the sinks get it first.
    void end(const RunSummary& summary);
    void end(const Json& summary) { end(RunSummary::from_json(summary)); }
    // Hands what is written so far on to the stream (or to the background thread).
    void flush();

    uint64_t events_written() const { return events_; }
    // Bytes of JSON text written; with the text made in the background, known once end() returns.
    uint64_t bytes_written() const { return bytes_; }

    // Guards against filling the disk (--max-trace-bytes) and notices a stream that fails (disk
    // full). Either way the writer stops writing events: a record that would take the file past
    // max_bytes is not written, and neither is any after it. on_stop is called once, when that
    // happens (the World stops the run there). end() still writes the summary, so the file stays
    // one valid document of at most max_bytes: when the summary does not fit after the events,
    // the last events are cut off the file (`truncate`, from whoever opened it, cuts it to a
    // size; without one the limit cannot be kept). Set both before begin().
    enum class Status { writing, limit_reached, write_failed };
    void set_byte_limit(uint64_t max_bytes) { limit_ = max_bytes; }
    void set_truncate(std::function<bool(uint64_t)> truncate) { truncate_ = std::move(truncate); }
    // Events cut off at the end to make room for the summary (limit_reached is then the status).
    uint64_t events_cut() const { return events_cut_; }
    // The summary did not fit even with every event cut: the file has a shortened one.
    bool summary_shortened() const { return summary_shortened_; }
    // The text begin() writes first, and the size of what end() writes after `events` events (the
    // close of the events and the summary).
    std::string header_text(const Json& meta, std::span<const LentMember> lent = {}) const;
    // Inserts key in sorted place among members unless it is there already.
    static void lent_or_added(std::vector<std::pair<std::string_view, const Json*>>& members, std::string_view key,
                              const Json* value);
    uint64_t closing_size(const RunSummary& summary, uint64_t events) const;
    void set_on_stop(std::function<void()> f) { on_stop_ = std::move(f); }
    Status status() const { return status_; }

    // `s` as a JSON string literal, quotes included.
    static void append_escaped(std::string& out, std::string_view s);
    static void append_escaped(TextBuffer& out, std::string_view s);

private:
    friend class TraceRecord;
    static constexpr unsigned bit(TraceCategory c) { return 1u << static_cast<unsigned>(c); }
    TraceRecord any_event(SimTime t, std::string_view type, TraceCategory c);
    void head_op(SimTime t, std::string_view type);
    // The end of a record whose text is made in the background: the end op, and the buffer
    // handed over once full.
    [[gnu::always_inline]] void end_background_record();
    void end_record(bool json, bool sinks);
    void verbatim(std::string_view text);
    void stop_writing(Status why);
    void end_within_limit(const RunSummary& summary);
    // The close of the events and the summary, in pieces, to `out`.
    void write_closing(const RunSummary& summary, uint64_t events, const RunSummary::Output& out) const;
    void note_cut_point();

    std::ostream* out_;
    TraceFormat format_;
    TraceLevel level_;
    unsigned json_wants_ = 0;   // categories the JSON text keeps
    unsigned sinks_want_ = 0;   // categories at least one sink keeps
    unsigned wanted_ = 0;       // either
    unsigned json_only_ = 0;    // categories the JSON text keeps and no sink does
    std::vector<TraceSink*> sinks_;
    TraceFields fields_;        // the record being built, for the sinks
    TextBuffer ops_;            // records as ops, not yet formatted
    TextBuffer text_;           // JSON text not yet written (when formatted in this thread)
    TraceTextFormatter formatter_;
    uint64_t events_ = 0;
    uint64_t bytes_ = 0;
    uint64_t limit_ = UINT64_MAX;
    // With a limit: record boundaries the file can be cut back to (offset, events before it),
    // one at least every kCutSpacing bytes, so that the list stays small (at most limit / 4 KiB
    // entries) and a cut removes at most 4 KiB more than it must.
    struct CutPoint {
        uint64_t offset, events;
    };
    std::vector<CutPoint> cuts_;
    static constexpr uint64_t kCutSpacing = 4096;
    std::function<bool(uint64_t)> truncate_;
    uint64_t events_cut_ = 0;
    bool summary_shortened_ = false;
    Status status_ = Status::writing;
    std::function<void()> on_stop_;
    bool background_wanted_ = false;
    std::unique_ptr<BackgroundWriter> background_;  // null: flush() writes in this thread
    bool format_in_background_ = false;             // ops_ go to background_, formatted there
    // Buffers go to the background thread at this size: 256 KiB made benchmark case A's traced
    // run 13% faster than 64 KiB (median of 21 interleaved runs, 0.147 -> 0.127 s): a quarter of
    // the hand-overs, each of which wakes the other thread.
    static constexpr size_t kFlushAt = 1 << 18;
};

inline void TraceWriter::head_op(SimTime t, std::string_view type) {
    // Types are the models' short identifiers (checked in any_event for any other).
    char* p = ops_.room(10 + type.size());
    p[0] = static_cast<char>(needs_escaping(type) ? TraceOp::record_escaped : TraceOp::record);
    p[1] = static_cast<char>(static_cast<uint8_t>(type.size()));
    int64_t ns = t.ns();
    std::memcpy(p + 2, &ns, 8);
    ops_.commit(copy_text(p + 10, type));
}

inline TraceRecord TraceWriter::event(SimTime t, std::string_view type) {
    TraceCategory c = category_of(type);
    if ((json_only_ & bit(c)) && type.size() <= UINT8_MAX) {
        head_op(t, type);
        return TraceRecord(this, true, false);
    }
    return any_event(t, type, c);
}

inline void TraceWriter::end_background_record() {
    char* p = ops_.room(1);
    *p = static_cast<char>(TraceOp::end);
    ops_.commit(p + 1);
    ++events_;
    if (ops_.size() >= kFlushAt) flush();
}

inline TraceRecord::~TraceRecord() {
    if (!w_) return;
    if (json_only() && w_->format_in_background_) w_->end_background_record();
    else w_->end_record(json_, sinks_);
}

inline char* TraceRecord::key(TraceOp op, std::string_view k, size_t value_room) {
    char* p = w_->ops_.room(k.size() + 2 + value_room);
    p[0] = static_cast<char>(op);
    p[1] = static_cast<char>(static_cast<uint8_t>(k.size()));  // keys are short identifiers
    return copy_text(p + 2, k);
}

template <typename T>
inline TraceRecord& TraceRecord::json_value(TraceOp op, std::string_view k, T v) {
    char* p = key(op, k, sizeof v);
    std::memcpy(p, &v, sizeof v);
    w_->ops_.commit(p + sizeof v);
    return *this;
}

inline TraceRecord& TraceRecord::json_bytes(TraceOp op, std::string_view k, std::string_view bytes) {
    char* p = key(op, k, 4 + bytes.size());
    auto n = static_cast<uint32_t>(bytes.size());
    std::memcpy(p, &n, 4);
    w_->ops_.commit(copy_text(p + 4, bytes));
    return *this;
}

inline char* TraceRecord::fields_room(TraceFormatFn fn, uint16_t size, uint16_t most_chars) {
    TCPSIM_INVARIANT(can_repeat(), "fields() only for a record that goes to the JSON text only");
    char* p = w_->ops_.room(5 + sizeof fn + size);
    p[0] = static_cast<char>(TraceOp::fields);
    std::memcpy(p + 1, &size, 2);
    std::memcpy(p + 3, &most_chars, 2);
    std::memcpy(p + 5, &fn, sizeof fn);
    w_->ops_.commit(p + 5 + sizeof fn + size);
    return p + 5 + sizeof fn;
}

inline void TraceRecord::forget() {
    char* p = w_->ops_.room(1);
    *p = static_cast<char>(TraceOp::forget);
    w_->ops_.commit(p + 1);
}

inline void TraceRecord::slot_op(TraceOp op, uint32_t slot) {
    char* p = w_->ops_.room(3);
    p[0] = static_cast<char>(op);
    auto s = static_cast<uint16_t>(slot % kTraceSlots);
    std::memcpy(p + 1, &s, 2);
    w_->ops_.commit(p + 3);
}

}  // namespace tcpsim
