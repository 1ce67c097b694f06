#include "sim/trace/trace_ops.hpp"

#include <charconv>
#include <cmath>

#include "sim/core/decimal.hpp"
#include "sim/core/invariant.hpp"
#include "sim/core/time.hpp"
#include "sim/trace/trace_writer.hpp"

namespace tcpsim {

namespace {

// Room for any number or literal after a key.
constexpr size_t kNumberChars = 48;

// Short pieces (keys, names, types: most under 16 bytes) are copied 16 or 32 bytes at a time,
// a few moves instead of a call to memcpy for every field: the destination has kSlack bytes of
// room beyond the piece, and the copy is only made so when `readable` (the bytes that may be read
// from the source on) allows it.
constexpr size_t kSlack = 32;

inline char* copy_short(char* to, const char* from, size_t n, size_t readable) {
    if (n <= 16 && readable >= 16) std::memcpy(to, from, 16);
    else if (n <= 32 && readable >= 32) std::memcpy(to, from, 32);
    else std::memcpy(to, from, n);
    return to + n;
}

// Room put_key() may write beyond the key's length.
constexpr size_t kKeyRoom = 4 + kSlack;

// ,"key": at `p`; keys are the models' own identifiers: no escaping.
inline char* put_key(char* p, std::string_view k, size_t readable) {
    p[0] = ',';
    p[1] = '"';
    p = copy_short(p + 2, k.data(), k.size(), readable);
    p[0] = '"';
    p[1] = ':';
    return p + 2;
}

}  // namespace

void TraceTextFormatter::head(int64_t t, std::string_view type, size_t readable, bool escape, TextBuffer& out) {
    // "t":S.nnnnnnnnn,"t_ns":N,"type":"T". Records come in bursts at one time (a segment
    // delivered, the ACK it causes sent, a cc sample), so the time part is formatted once per time.
    if (t != head_time_ || head_len_ == 0) {
        char* h = copy_text(head_, "\"t\":");
        char* digits = h;
        h += SimTime::from_ns(t).format_seconds(h);
        char* point = h - 10;  // S.nnnnnnnnn: the point is 10 from the end
        h = copy_text(h, ",\"t_ns\":");
        if (t >= 1'000'000'000) {
            // N is S's digits and the nine after the point: copied, not converted a second time.
            h = copy_text(h, std::string_view(digits, static_cast<size_t>(point - digits)));
            h = copy_text(h, std::string_view(point + 1, 9));
        } else {
            h = write_decimal(h, t);
        }
        h = copy_text(h, ",\"type\":\"");
        head_len_ = static_cast<size_t>(h - head_);
        head_time_ = t;
    }
    char* p = out.room(3 + sizeof head_ + type.size() + kSlack);
    if (format_ == TraceFormat::json && records_ > 0) *p++ = ',';
    if (format_ == TraceFormat::json) *p++ = '\n';
    *p++ = '{';
    // The head is 40-60 bytes until t reaches 10^7 s: 64 bytes copied whole, without a call.
    static_assert(sizeof head_ >= 64);
    if (head_len_ <= 64) std::memcpy(p, head_, 64);
    else std::memcpy(p, head_, head_len_);
    p += head_len_;
    if (!escape) {
        p = copy_short(p, type.data(), type.size(), readable);
        *p++ = '"';
        out.commit(p);
    } else {
        out.commit(p - 1);  // without the opening quote
        TraceWriter::append_escaped(out, type);
    }
}

void TraceTextFormatter::format(std::string_view ops, TextBuffer& out) {
    const char* p = ops.data();
    const char* end = p + ops.size();
    // A field's op is followed by its key: ,"key": written with room for `value_room` more
    // bytes; returns where the value goes. One switch on the op for the fields and the rest.
    std::string_view k;
    size_t readable = 0;
    auto key = [&](size_t value_room) {
        auto klen = static_cast<uint8_t>(*p);
        k = std::string_view(p + 1, klen);
        readable = static_cast<size_t>(end - (p + 1));
        p += 1 + klen;
        return put_key(out.room(klen + kKeyRoom + value_room), k, readable);
    };
    while (p < end) {
        switch (static_cast<TraceOp>(*p++)) {
            case TraceOp::record:
            case TraceOp::record_escaped: {
                auto n = static_cast<uint8_t>(*p);
                int64_t t = load_op_value<int64_t>(p + 1);
                head(t, std::string_view(p + 9, n), static_cast<size_t>(end - (p + 9)),
                     static_cast<TraceOp>(p[-1]) == TraceOp::record_escaped, out);
                p += 9 + n;
                break;
            }
            case TraceOp::end: {
                char* q = out.room(2);
                *q++ = '}';
                if (format_ == TraceFormat::jsonl) *q++ = '\n';
                out.commit(q);
                ++records_;
                break;
            }
            case TraceOp::remember:
                if (slots_.empty()) slots_.resize(kTraceSlots);
                slot_ = load_op_value<uint16_t>(p);
                slot_start_ = out.size();
                p += 2;
                break;
            case TraceOp::forget:
                slots_[slot_].assign(out.view().substr(slot_start_));
                break;
            case TraceOp::repeat:
                out.append(slots_[load_op_value<uint16_t>(p)]);
                p += 2;
                break;
            case TraceOp::verbatim: {
                auto n = load_op_value<uint32_t>(p);
                out.append(std::string_view(p + 4, n));
                p += 4 + n;
                break;
            }
            case TraceOp::i64: {
                char* q = key(24);
                out.commit(write_decimal(q, load_op_value<int64_t>(p)));
                p += 8;
                break;
            }
            case TraceOp::u64: {
                char* q = key(24);
                out.commit(write_decimal(q, load_op_value<uint64_t>(p)));
                p += 8;
                break;
            }
            case TraceOp::seconds: {
                char* q = key(32);
                out.commit(write_seconds_shortest(q, load_op_value<int64_t>(p)));
                p += 8;
                break;
            }
            case TraceOp::f64: {
                char* q = key(kNumberChars);
                auto v = load_op_value<double>(p);
                out.commit(std::isfinite(v) ? std::to_chars(q, q + kNumberChars, v).ptr : copy_text(q, "null"));
                p += 8;
                break;
            }
            case TraceOp::boolean: {
                char* q = key(5);
                out.commit(copy_text(q, *p ? "true" : "false"));
                p += 1;
                break;
            }
            case TraceOp::json: {
                // The value's length is after the key: peek at it for the room.
                auto klen = static_cast<uint8_t>(*p);
                auto n = load_op_value<uint32_t>(p + 1 + klen);
                char* q = key(n + kSlack);
                const char* v = p + 4;
                out.commit(copy_short(q, v, n, static_cast<size_t>(end - v)));
                p += 4 + n;
                break;
            }
            case TraceOp::text: {
                out.commit(key(0));
                auto n = load_op_value<uint32_t>(p);
                TraceWriter::append_escaped(out, std::string_view(p + 4, n));
                p += 4 + n;
                break;
            }
            case TraceOp::fields: {
                auto n = load_op_value<uint16_t>(p);
                auto most = load_op_value<uint16_t>(p + 2);
                auto fn = load_op_value<TraceFormatFn>(p + 4);
                out.commit(fn(p + 4 + sizeof fn, out.room(most)));
                p += 4 + sizeof fn + n;
                break;
            }
            default:
                // The writer only writes the ops above: anything else is a bug, not input.
                TCPSIM_INVARIANT(false, "trace op known");
                return;
        }
    }
}

}  // namespace tcpsim
