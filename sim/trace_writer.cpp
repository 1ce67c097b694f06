#include "sim/trace_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

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

template <typename T>
void append_number(std::string& out, T v) {
    char tmp[32];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
    out.append(tmp, end);
}
}  // namespace

void TraceWriter::append_escaped(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char tmp[8];
                    std::snprintf(tmp, sizeof tmp, "\\u%04x", c);
                    out += tmp;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
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
        buf_ += "{\"meta\":";
        buf_ += meta.dump();
        buf_ += ",\n\"events\":[";
    } else {
        Json line = {{"type", "meta"}};
        line.update(meta);
        buf_ += line.dump();
        buf_ += '\n';
    }
}

TraceRecord TraceWriter::event(SimTime t, std::string_view type) {
    if (!wanted_) return TraceRecord(nullptr, false, false);
    TraceCategory c = category_of(type);
    bool json = (json_wants_ & bit(c)) != 0, sinks = (sinks_want_ & bit(c)) != 0;
    if (!json && !sinks) return TraceRecord(nullptr, false, false);
    if (json) {
        record_start_ = buf_.size();
        if (format_ == TraceFormat::json) buf_ += events_ == 0 ? "\n{" : ",\n{";
        else buf_ += '{';
        buf_ += "\"t\":";
        buf_ += t.to_seconds_string();
        buf_ += ",\"t_ns\":";
        append_number(buf_, t.ns());
        buf_ += ",\"type\":";
        append_escaped(buf_, type);
    }
    if (sinks) fields_.reset(t, type, c);
    return TraceRecord(this, json, sinks);
}

void TraceWriter::end_record(bool json, bool sinks) {
    if (sinks)
        for (TraceSink* s : sinks_)
            if (s->wants(fields_.category())) s->record(fields_);
    if (!json) return;
    buf_ += format_ == TraceFormat::json ? "}" : "}\n";
    if (bytes_ + buf_.size() > limit_) {
        buf_.resize(record_start_);  // this record would cross the limit: the events end before it
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
        buf_ += events_ == 0 ? "],\n\"summary\":" : "\n],\n\"summary\":";
        buf_ += summary.dump();
        buf_ += "}\n";
    } else {
        Json line = {{"type", "summary"}};
        line.update(summary);
        buf_ += line.dump();
        buf_ += '\n';
    }
    flush();
    out_->flush();
}

void TraceWriter::flush() {
    if (!out_ || buf_.empty()) return;
    out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    bytes_ += buf_.size();
    buf_.clear();
    if (!*out_) stop_writing(Status::write_failed);
}

TraceRecord::~TraceRecord() {
    if (w_) w_->end_record(json_, sinks_);
}

void TraceRecord::key(std::string_view k) {
    std::string& b = w_->buf_;
    b += ',';
    b += '"';
    b += k;  // keys are the models' own identifiers: no escaping needed
    b += "\":";
}

TraceValue* TraceRecord::sink_field(std::string_view k) { return sinks_ ? w_->fields_.add(k) : nullptr; }

TraceRecord& TraceRecord::field(std::string_view k, int64_t v) {
    if (!w_) return *this;
    if (json_) {
        key(k);
        append_number(w_->buf_, v);
    }
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::i64;
        f->i = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, uint64_t v) {
    if (!w_) return *this;
    if (json_) {
        key(k);
        append_number(w_->buf_, v);
    }
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::u64;
        f->u = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, double v) {
    if (!w_) return *this;
    if (json_) {
        key(k);
        if (std::isfinite(v)) append_number(w_->buf_, v);
        else w_->buf_ += "null";
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
        key(k);
        w_->buf_ += v ? "true" : "false";
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
        key(k);
        TraceWriter::append_escaped(w_->buf_, v);
    }
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::string, v);
    return *this;
}

TraceRecord& TraceRecord::raw(std::string_view k, std::string_view json_text) {
    if (!w_) return *this;
    if (json_) {
        key(k);
        w_->buf_ += json_text;
    }
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::raw, json_text);
    return *this;
}

}  // namespace tcpsim
