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
    buf_.reserve(kFlushAt + 4096);
}

void TraceWriter::begin(const Json& meta) {
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
    if (!out_ || status_ != Status::writing) return TraceRecord(nullptr);
    record_start_ = buf_.size();
    if (format_ == TraceFormat::json) buf_ += events_ == 0 ? "\n{" : ",\n{";
    else buf_ += '{';
    buf_ += "\"t\":";
    buf_ += t.to_seconds_string();
    buf_ += ",\"t_ns\":";
    append_number(buf_, t.ns());
    buf_ += ",\"type\":";
    append_escaped(buf_, type);
    return TraceRecord(this);
}

void TraceWriter::end_record() {
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
    if (on_stop_) on_stop_();
}

void TraceWriter::end(const Json& summary) {
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
    if (w_) w_->end_record();
}

void TraceRecord::key(std::string_view k) {
    std::string& b = w_->buf_;
    b += ',';
    b += '"';
    b += k;  // keys are the models' own identifiers: no escaping needed
    b += "\":";
}

TraceRecord& TraceRecord::field(std::string_view k, int64_t v) {
    if (!w_) return *this;
    key(k);
    append_number(w_->buf_, v);
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, uint64_t v) {
    if (!w_) return *this;
    key(k);
    append_number(w_->buf_, v);
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, double v) {
    if (!w_) return *this;
    key(k);
    if (std::isfinite(v)) append_number(w_->buf_, v);
    else w_->buf_ += "null";
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, bool v) {
    if (!w_) return *this;
    key(k);
    w_->buf_ += v ? "true" : "false";
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, std::string_view v) {
    if (!w_) return *this;
    key(k);
    TraceWriter::append_escaped(w_->buf_, v);
    return *this;
}

TraceRecord& TraceRecord::raw(std::string_view k, std::string_view json_text) {
    if (!w_) return *this;
    key(k);
    w_->buf_ += json_text;
    return *this;
}

}  // namespace tcpsim
