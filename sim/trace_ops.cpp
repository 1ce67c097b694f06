#include "sim/trace_ops.hpp"

#include <charconv>
#include <cmath>

#include "sim/decimal.hpp"
#include "sim/invariant.hpp"
#include "sim/time.hpp"
#include "sim/trace_writer.hpp"

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

void TraceTextFormatter::head(int64_t t, std::string_view type, size_t readable, TextBuffer& out) {
    // "t":S.nnnnnnnnn,"t_ns":N,"type":"T". Records come in bursts at one time (a segment
    // delivered, the ACK it causes sent, a cc sample), so the time part is formatted once per time.
    if (t != head_time_ || head_len_ == 0) {
        char* h = head_;
        h = copy_text(h, "\"t\":");
        h += SimTime::from_ns(t).format_seconds(h);
        h = copy_text(h, ",\"t_ns\":");
        h = write_decimal(h, t);
        h = copy_text(h, ",\"type\":\"");
        head_len_ = static_cast<size_t>(h - head_);
        head_time_ = t;
    }
    bool plain = true;  // the models' types are plain identifiers; anything else is escaped
    for (char c : type) plain = plain && static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
    char* p = out.room(3 + sizeof head_ + type.size() + kSlack);
    if (format_ == TraceFormat::json && records_ > 0) *p++ = ',';
    if (format_ == TraceFormat::json) *p++ = '\n';
    *p++ = '{';
    p = copy_short(p, head_, head_len_, sizeof head_);
    if (plain) {
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
    while (p < end) {
        auto op = static_cast<TraceOp>(*p++);
        switch (op) {
            case TraceOp::record: {
                auto n = static_cast<uint8_t>(*p);
                int64_t t = load_op_value<int64_t>(p + 1);
                head(t, std::string_view(p + 9, n), static_cast<size_t>(end - (p + 9)), out);
                p += 9 + n;
                continue;
            }
            case TraceOp::end: {
                char* q = out.room(2);
                *q++ = '}';
                if (format_ == TraceFormat::jsonl) *q++ = '\n';
                out.commit(q);
                ++records_;
                continue;
            }
            case TraceOp::remember:
                if (slots_.empty()) slots_.resize(kTraceSlots);
                slot_ = load_op_value<uint16_t>(p);
                slot_start_ = out.size();
                p += 2;
                continue;
            case TraceOp::forget:
                slots_[slot_].assign(out.view().substr(slot_start_));
                continue;
            case TraceOp::repeat:
                out.append(slots_[load_op_value<uint16_t>(p)]);
                p += 2;
                continue;
            case TraceOp::verbatim: {
                auto n = load_op_value<uint32_t>(p);
                out.append(std::string_view(p + 4, n));
                p += 4 + n;
                continue;
            }
            default: break;
        }
        // A field: key, then the value.
        auto klen = static_cast<uint8_t>(*p);
        std::string_view k(p + 1, klen);
        auto readable = static_cast<size_t>(end - (p + 1));
        p += 1 + klen;
        switch (op) {
            case TraceOp::i64:
                out.commit(write_decimal(put_key(out.room(klen + kKeyRoom + 24), k, readable), load_op_value<int64_t>(p)));
                p += 8;
                break;
            case TraceOp::u64:
                out.commit(write_decimal(put_key(out.room(klen + kKeyRoom + 24), k, readable), load_op_value<uint64_t>(p)));
                p += 8;
                break;
            case TraceOp::seconds:
                out.commit(write_seconds_shortest(put_key(out.room(klen + kKeyRoom + 32), k, readable), load_op_value<int64_t>(p)));
                p += 8;
                break;
            case TraceOp::f64: {
                auto v = load_op_value<double>(p);
                char* q = put_key(out.room(klen + kKeyRoom + kNumberChars), k, readable);
                out.commit(std::isfinite(v) ? std::to_chars(q, q + kNumberChars, v).ptr : copy_text(q, "null"));
                p += 8;
                break;
            }
            case TraceOp::boolean:
                out.commit(copy_text(put_key(out.room(klen + kKeyRoom + 5), k, readable), *p ? "true" : "false"));
                p += 1;
                break;
            case TraceOp::text:
            case TraceOp::json: {
                auto n = load_op_value<uint32_t>(p);
                std::string_view v(p + 4, n);
                if (op == TraceOp::json) {
                    out.commit(copy_short(put_key(out.room(klen + kKeyRoom + n + kSlack), k, readable), v.data(), n,
                                          static_cast<size_t>(end - v.data())));
                } else {
                    out.commit(put_key(out.room(klen + kKeyRoom), k, readable));
                    TraceWriter::append_escaped(out, v);
                }
                p += 4 + n;
                break;
            }
            case TraceOp::formatted: {
                auto n = load_op_value<uint16_t>(p);
                auto most = load_op_value<uint16_t>(p + 2);
                auto fn = load_op_value<TraceFormatFn>(p + 4);
                out.commit(fn(p + 4 + sizeof fn, put_key(out.room(klen + kKeyRoom + most), k, readable)));
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
