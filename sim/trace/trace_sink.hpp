#pragma once
// TraceSink: a consumer of trace records other than the JSON text itself (CSV series, the human
// view). The TraceWriter hands each sink the same records the JSON formats get, as a flat list
// of typed fields (TraceFields), so every output is fed from the same events and a new record
// type (say "cc") reaches every sink without any model knowing the sinks exist.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/core/time.hpp"
#include "sim/json/json_reader.hpp"
#include "sim/trace/run_summary.hpp"

namespace tcpsim {

// What a record is about; the level (JSON) or the sink decides which categories are kept.
enum class TraceCategory {
    segment,  // segments sent, delivered, dropped; state changes, application events, cc samples
    detail,   // queueing, duplicates, timers, link state, TCP notes (level all)
};

// One field value. Strings and raw JSON text live in the owning TraceFields' text buffer.
struct TraceValue {
    enum class Kind : uint8_t { i64, u64, f64, boolean, string, raw };
    Kind kind = Kind::i64;
    union {
        int64_t i;
        uint64_t u;
        double d;
        bool b;
    };
    uint32_t text_offset = 0, text_length = 0;
    TraceValue() : i(0) {}
};

// One record, flattened: its time, type and fields in the order they were written. Reused from
// record to record: filling it allocates nothing once its buffers have grown.
class TraceFields {
public:
    static constexpr size_t kMaxFields = 48;

    SimTime t() const { return t_; }
    std::string_view type() const { return text(type_); }
    TraceCategory category() const { return category_; }
    size_t size() const { return count_; }
    std::string_view key(size_t i) const { return text(keys_[i]); }
    const TraceValue& value(size_t i) const { return values_[i]; }

    // The field called `key`, or null.
    const TraceValue* find(std::string_view key) const {
        for (size_t i = 0; i < count_; ++i)
            if (text(keys_[i]) == key) return &values_[i];
        return nullptr;
    }
    // The text of a string or raw value.
    std::string_view text_of(const TraceValue& v) const { return {text_.data() + v.text_offset, v.text_length}; }
    // Convenience lookups; `fallback` when absent or of another kind.
    std::string_view string(std::string_view key, std::string_view fallback = {}) const {
        const TraceValue* v = find(key);
        return v && v->kind == TraceValue::Kind::string ? text_of(*v) : fallback;
    }
    bool integer(std::string_view key, int64_t& out) const {
        const TraceValue* v = find(key);
        if (!v) return false;
        if (v->kind == TraceValue::Kind::i64) out = v->i;
        else if (v->kind == TraceValue::Kind::u64) out = static_cast<int64_t>(v->u);
        else return false;
        return true;
    }

    // Filled by the TraceWriter.
    void reset(SimTime t, std::string_view type, TraceCategory c) {
        t_ = t;
        category_ = c;
        count_ = 0;
        text_.clear();
        type_ = store(type);
    }
    // Fields beyond kMaxFields are dropped (no record has nearly that many).
    TraceValue* add(std::string_view key) {
        if (count_ == kMaxFields) return nullptr;
        keys_[count_] = store(key);
        values_[count_] = TraceValue{};
        return &values_[count_++];
    }
    void set_text(TraceValue& v, TraceValue::Kind kind, std::string_view s) {
        Span span = store(s);
        v.kind = kind;
        v.text_offset = span.offset;
        v.text_length = span.length;
    }

private:
    struct Span {
        uint32_t offset = 0, length = 0;
    };
    Span store(std::string_view s) {
        Span span{static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(s.size())};
        text_.append(s);
        return span;
    }
    std::string_view text(Span s) const { return {text_.data() + s.offset, s.length}; }

    SimTime t_;
    TraceCategory category_ = TraceCategory::segment;
    Span type_;
    size_t count_ = 0;
    std::array<Span, kMaxFields> keys_{};
    std::array<TraceValue, kMaxFields> values_{};
    std::string text_;  // keys, the type and string values: copied, so callers' temporaries may die
};

class TraceSink {
public:
    virtual ~TraceSink() = default;
    // Asked once, when the sink is added to a TraceWriter: the answer must not change.
    virtual bool wants(TraceCategory c) const = 0;
    virtual void begin() {}
    virtual void record(const TraceFields& r) = 0;
    // The end-of-run summary, whose lists are made as they are read (RunSummary::for_each).
    virtual void end(const RunSummary& summary) { (void)summary; }
};

}  // namespace tcpsim
