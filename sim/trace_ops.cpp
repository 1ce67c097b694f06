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

// ,"key": at `p`; keys are the models' own identifiers: no escaping.
inline char* put_key(char* p, std::string_view k) {
    p[0] = ',';
    p[1] = '"';
    p = copy_text(p + 2, k);
    p[0] = '"';
    p[1] = ':';
    return p + 2;
}

}  // namespace

void TraceTextFormatter::head(int64_t t, std::string_view type, TextBuffer& out) {
    out.append(format_ == TraceFormat::json ? (records_ == 0 ? "\n{" : ",\n{") : "{");
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
    if (plain) {
        char* p = out.room(head_len_ + type.size() + 1);
        p = copy_text(p, std::string_view(head_, head_len_));
        p = copy_text(p, type);
        *p++ = '"';
        out.commit(p);
    } else {
        out.append(std::string_view(head_, head_len_ - 1));  // without the opening quote
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
                head(t, std::string_view(p + 9, n), out);
                p += 9 + n;
                continue;
            }
            case TraceOp::end:
                out.append(format_ == TraceFormat::json ? "}" : "}\n");
                ++records_;
                continue;
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
        p += 1 + klen;
        switch (op) {
            case TraceOp::i64:
                out.commit(write_decimal(put_key(out.room(klen + 4 + 24), k), load_op_value<int64_t>(p)));
                p += 8;
                break;
            case TraceOp::u64:
                out.commit(write_decimal(put_key(out.room(klen + 4 + 24), k), load_op_value<uint64_t>(p)));
                p += 8;
                break;
            case TraceOp::seconds:
                out.commit(write_seconds_shortest(put_key(out.room(klen + 4 + 32), k), load_op_value<int64_t>(p)));
                p += 8;
                break;
            case TraceOp::f64: {
                auto v = load_op_value<double>(p);
                char* q = put_key(out.room(klen + 4 + kNumberChars), k);
                out.commit(std::isfinite(v) ? std::to_chars(q, q + kNumberChars, v).ptr : copy_text(q, "null"));
                p += 8;
                break;
            }
            case TraceOp::boolean:
                out.commit(copy_text(put_key(out.room(klen + 4 + 5), k), *p ? "true" : "false"));
                p += 1;
                break;
            case TraceOp::text:
            case TraceOp::json: {
                auto n = load_op_value<uint32_t>(p);
                std::string_view v(p + 4, n);
                if (op == TraceOp::json) {
                    out.commit(copy_text(put_key(out.room(klen + 4 + n), k), v));
                } else {
                    out.commit(put_key(out.room(klen + 4), k));
                    TraceWriter::append_escaped(out, v);
                }
                p += 4 + n;
                break;
            }
            case TraceOp::formatted: {
                auto n = load_op_value<uint16_t>(p);
                auto most = load_op_value<uint16_t>(p + 2);
                auto fn = load_op_value<TraceFormatFn>(p + 4);
                out.commit(fn(p + 4 + sizeof fn, put_key(out.room(klen + 4 + most), k)));
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
