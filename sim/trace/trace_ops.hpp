#pragma once
// Trace records in their binary form, and the formatter that turns them into JSON text.
//
// The models write a record's fields as ops: a tag byte, the key, the value's bytes (an integer
// as its 8 bytes, a time as its nanoseconds, a text as its bytes). Turning those into JSON text
// (digits, quotes, the record's head) is most of what a trace costs, and it need not happen on
// the simulation's thread: with the trace going to a file of its own, the buffers of ops go to
// the BackgroundWriter's thread, which formats and writes them while the simulation goes on (on
// benchmark case A, formatting on the simulation's thread made the traced run 2.2x the
// untraced one by instructions). Otherwise the writer formats each record as it ends.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/text_buffer.hpp"

namespace tcpsim {

enum class TraceFormat { json, jsonl };

enum class TraceOp : uint8_t {
    record,     // u8 type length, i64 time (ns), the type's bytes: a record begins (its type
                // needs no escaping: see needs_escaping)
    record_escaped,  // the same for a type that is escaped when formatted
    end,        // the record ends
    i64,        // u8 key length, key, 8 bytes (and likewise for the next five)
    u64,
    f64,
    seconds,    // an i64 of nanoseconds, written in seconds
    boolean,    // 1 byte
    text,       // u32 length, bytes: a string, escaped when formatted
    json,       // u32 length, bytes: JSON text already (a quoted name, a small object)
    fields,     // u16 payload length, u16 most chars, function pointer, payload: no key, the
                // function writes whole ,"key":value pairs (see TraceFormatFn)
    remember,   // u16 slot: the fields up to `forget` are kept under the slot
    forget,     // ends a remembered run
    repeat,     // u16 slot: the remembered fields again
    verbatim,   // u32 length, bytes: text outside the records (meta, summary)
};

// Whether `s` has a byte that a JSON string escapes. constexpr: for the models' literal record
// types it is worked out where they are compiled, and the formatter need not look.
constexpr bool needs_escaping(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') return true;
    return false;
}

// Writes the ,"key":value pairs that `payload` (bytes copied when the fields were written) stands
// for at `out`, at most the number of chars given with it; returns the end.
using TraceFormatFn = char* (*)(const char* payload, char* out);

// Remembered runs of fields: slots 0 .. kTraceSlots-1.
inline constexpr uint32_t kTraceSlots = 1024;

// Turns ops into JSON text. Holds what formatting needs from record to record (the remembered
// runs, the head of the last time, whether a record came before), so one formatter takes a
// trace's ops in order, on one thread.
class TraceTextFormatter {
public:
    explicit TraceTextFormatter(TraceFormat format) : format_(format) {}

    // Appends the text of `ops` (whole records and verbatim pieces) to `out`.
    void format(std::string_view ops, TextBuffer& out);

private:
    // `readable`: bytes that may be read from type.data() on.
    void head(int64_t t, std::string_view type, size_t readable, bool escape, TextBuffer& out);

    TraceFormat format_;
    uint64_t records_ = 0;  // formatted so far: in the json layout all but the first follow a comma
    int64_t head_time_ = 0;
    char head_[96];         // "t":...,"t_ns":...,"type":" for head_time_
    size_t head_len_ = 0;   // 0: none yet
    std::vector<std::string> slots_;  // allocated with the first remembered run
    uint32_t slot_ = 0;               // the run being remembered
    size_t slot_start_ = 0;           // where in `out` it began
};

// Reads a value of T from possibly unaligned bytes.
template <typename T>
inline T load_op_value(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace tcpsim
