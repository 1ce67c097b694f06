#include "sim/trace_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace tcpsim {

std::string_view to_string(TraceFormat f) { return f == TraceFormat::json ? "json" : "jsonl"; }
std::string_view to_string(TraceLevel l) {
    switch (l) {
        case TraceLevel::summary: return "summary";
        case TraceLevel::segments: return "segments";
        case TraceLevel::all: return "all";
    }
    return "?";
}

TraceCategory category_of(std::string_view type) {
    for (std::string_view d : {"enqueue", "dequeue", "duplicate", "link", "timer", "tcp"})
        if (type == d) return TraceCategory::detail;
    return TraceCategory::segment;
}

namespace {
constexpr size_t kFlushAt = 1 << 16;

// Room for any number or literal after a key.
constexpr size_t kNumberChars = 48;
}  // namespace

void TraceWriter::append_escaped(std::string& out, std::string_view s) {
    TextBuffer b(s.size() + 2);
    append_escaped(b, s);
    out.append(b.view());
}

void TraceWriter::append_escaped(TextBuffer& out, std::string_view s) {
    // Worst case every byte becomes \u00XX (6 bytes), plus the two quotes.
    char* p = out.room(6 * s.size() + 2);
    *p++ = '"';
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && c != '"' && c != '\\') {
            *p++ = c;
            continue;
        }
        *p++ = '\\';
        switch (c) {
            case '"': *p++ = '"'; break;
            case '\\': *p++ = '\\'; break;
            case '\n': *p++ = 'n'; break;
            case '\t': *p++ = 't'; break;
            case '\r': *p++ = 'r'; break;
            default: {
                static constexpr char hex[] = "0123456789abcdef";
                p = copy_text(p, "u00");
                *p++ = hex[u >> 4];
                *p++ = hex[u & 15];
            }
        }
    }
    *p++ = '"';
    out.commit(p);
}

TraceWriter::TraceWriter(std::ostream* out, TraceFormat format, TraceLevel level)
    : out_(out), format_(format), level_(level) {
    if (out_) {
        if (level_ != TraceLevel::summary) json_wants_ |= bit(TraceCategory::segment);
        if (level_ == TraceLevel::all) json_wants_ |= bit(TraceCategory::detail);
        buf_.reserve(kFlushAt + 4096);
    }
    wanted_ = json_wants_;
}

TraceWriter::~TraceWriter() = default;

void TraceWriter::write_in_background() {
    if (out_ && !background_) background_ = std::make_unique<BackgroundWriter>(*out_);
}

void TraceWriter::add_sink(TraceSink* sink) {
    sinks_.push_back(sink);
    for (TraceCategory c : {TraceCategory::segment, TraceCategory::detail})
        if (sink->wants(c)) sinks_want_ |= bit(c);
    wanted_ = json_wants_ | sinks_want_;
}

void TraceWriter::begin(const Json& meta) {
    for (TraceSink* s : sinks_) s->begin(meta);
    if (!out_) return;
    if (format_ == TraceFormat::json) {
        buf_.append("{\"meta\":");
        buf_.append(meta.dump());
        buf_.append(",\n\"events\":[");
    } else {
        Json line = {{"type", "meta"}};
        line.update(meta);
        buf_.append(line.dump());
        buf_.append('\n');
    }
}

TraceRecord TraceWriter::event(SimTime t, std::string_view type) {
    if (!wanted_) return TraceRecord(nullptr, false, false);
    TraceCategory c = category_of(type);
    bool json = (json_wants_ & bit(c)) != 0, sinks = (sinks_want_ & bit(c)) != 0;
    if (!json && !sinks) return TraceRecord(nullptr, false, false);
    if (json) {
        record_start_ = buf_.size();
        if (format_ == TraceFormat::json) buf_.append(events_ == 0 ? "\n{" : ",\n{");
        else buf_.append('{');
        // The record's head: "t":S.nnnnnnnnn,"t_ns":N,"type":"T". Records come in bursts at one
        // time (a segment delivered, the ACK it causes sent, a cc sample), so the time part is
        // formatted once per time.
        if (t != head_time_ || head_len_ == 0) {
            char* h = head_;
            h = copy_text(h, "\"t\":");
            h += t.format_seconds(h);
            h = copy_text(h, ",\"t_ns\":");
            h = write_decimal(h, t.ns());
            h = copy_text(h, ",\"type\":\"");
            head_len_ = static_cast<size_t>(h - head_);
            head_time_ = t;
        }
        bool plain = true;  // the models' types are plain identifiers; anything else is escaped
        for (char c : type) plain = plain && static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
        if (plain) {
            char* p = buf_.room(head_len_ + type.size() + 1);
            p = copy_text(p, std::string_view(head_, head_len_));
            p = copy_text(p, type);
            *p++ = '"';
            buf_.commit(p);
        } else {
            buf_.append(std::string_view(head_, head_len_ - 1));  // without the opening quote
            append_escaped(buf_, type);
        }
    }
    if (sinks) fields_.reset(t, type, c);
    return TraceRecord(this, json, sinks);
}

void TraceWriter::end_record(bool json, bool sinks) {
    if (sinks)
        for (TraceSink* s : sinks_)
            if (s->wants(fields_.category())) s->record(fields_);
    if (!json) return;
    buf_.append(format_ == TraceFormat::json ? "}" : "}\n");
    if (bytes_ + buf_.size() > limit_) {
        buf_.truncate(record_start_);  // this record would cross the limit: the events end before it
        stop_writing(Status::limit_reached);
        return;
    }
    ++events_;
    if (buf_.size() >= kFlushAt) flush();
}

void TraceWriter::stop_writing(Status why) {
    if (status_ != Status::writing) return;
    status_ = why;
    // No more events in the JSON text (sinks, which write their own files, go on).
    json_wants_ = 0;
    wanted_ = sinks_want_;
    if (on_stop_) on_stop_();
}

void TraceWriter::end(const Json& summary) {
    for (TraceSink* s : sinks_) s->end(summary);
    if (!out_) return;
    if (format_ == TraceFormat::json) {
        buf_.append(events_ == 0 ? "],\n\"summary\":" : "\n],\n\"summary\":");
        buf_.append(summary.dump());
        buf_.append("}\n");
    } else {
        Json line = {{"type", "summary"}};
        line.update(summary);
        buf_.append(line.dump());
        buf_.append('\n');
    }
    flush();
    if (background_ && !background_->finish()) stop_writing(Status::write_failed);
    out_->flush();
}

void TraceWriter::flush() {
    if (!out_ || buf_.empty()) return;
    bytes_ += buf_.size();
    if (background_) {
        background_->write(buf_);
        if (background_->failed()) stop_writing(Status::write_failed);
        return;
    }
    out_->write(buf_.view().data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
    if (!*out_) stop_writing(Status::write_failed);
}

TraceRecord::~TraceRecord() {
    if (w_) w_->end_record(json_, sinks_);
}

TraceValue* TraceRecord::sink_field(std::string_view k) { return sinks_ ? w_->fields_.add(k) : nullptr; }

TraceRecord& TraceRecord::any_field(std::string_view k, int64_t v) {
    if (!w_) return *this;
    if (json_) json_number(k, v);
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::i64;
        f->i = v;
    }
    return *this;
}

TraceRecord& TraceRecord::any_field(std::string_view k, uint64_t v) {
    if (!w_) return *this;
    if (json_) json_number(k, v);
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::u64;
        f->u = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, double v) {
    if (!w_) return *this;
    if (json_) {
        char* p = key(k, kNumberChars);
        w_->buf_.commit(std::isfinite(v) ? std::to_chars(p, p + kNumberChars, v).ptr : copy_text(p, "null"));
    }
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::f64;
        f->d = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, bool v) {
    if (!w_) return *this;
    if (json_) {
        char* p = key(k, kNumberChars);
        w_->buf_.commit(copy_text(p, v ? "true" : "false"));
    }
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::boolean;
        f->b = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, std::string_view v) {
    if (!w_) return *this;
    if (json_) {
        w_->buf_.commit(key(k, 0));
        TraceWriter::append_escaped(w_->buf_, v);
    }
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::string, v);
    return *this;
}

TraceRecord& TraceRecord::any_text(std::string_view k, std::string_view plain, std::string_view quoted) {
    if (!w_) return *this;
    if (json_) json_raw(k, quoted);
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::string, plain);
    return *this;
}

TraceRecord& TraceRecord::raw(std::string_view k, std::string_view json_text) {
    if (!w_) return *this;
    if (json_) json_raw(k, json_text);
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::raw, json_text);
    return *this;
}

}  // namespace tcpsim
