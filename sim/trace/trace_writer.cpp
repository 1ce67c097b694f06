#include "sim/trace/trace_writer.hpp"

#include <cstring>

#include "sim/core/invariant.hpp"

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
    : out_(out), format_(format), level_(level), formatter_(format) {
    if (out_) {
        if (level_ != TraceLevel::summary) json_wants_ |= bit(TraceCategory::segment);
        if (level_ == TraceLevel::all) json_wants_ |= bit(TraceCategory::detail);
        ops_.reserve(kFlushAt + 4096);
    }
    wanted_ = json_wants_;
    json_only_ = json_wants_;
}

TraceWriter::~TraceWriter() = default;

void TraceWriter::write_in_background() {
    if (out_) background_wanted_ = true;
}

void TraceWriter::add_sink(TraceSink* sink) {
    sinks_.push_back(sink);
    for (TraceCategory c : {TraceCategory::segment, TraceCategory::detail})
        if (sink->wants(c)) sinks_want_ |= bit(c);
    wanted_ = json_wants_ | sinks_want_;
    json_only_ = json_wants_ & ~sinks_want_;
}

void TraceWriter::begin(const Json& meta, std::span<const LentMember> lent) {
    for (TraceSink* s : sinks_) s->begin();
    if (!out_) return;
    if (background_wanted_ && !background_) {
        // A byte limit is checked on each record's text as the record ends, so then the text is
        // made here and only the writing is left to the thread.
        format_in_background_ = limit_ == UINT64_MAX;
        background_ = std::make_unique<BackgroundWriter>(*out_, format_in_background_ ? &formatter_ : nullptr);
    }
    verbatim(header_text(meta, lent));
    if (limit_ != UINT64_MAX) cuts_.push_back({bytes_ + text_.size(), 0});  // the header alone
}

void TraceWriter::note_cut_point() {
    uint64_t at = bytes_ + text_.size();
    if (cuts_.empty() || at >= cuts_.back().offset + kCutSpacing) cuts_.push_back({at, events_});
}

void TraceWriter::verbatim(std::string_view text) {
    if (!format_in_background_) {
        text_.append(text);
        return;
    }
    char* p = ops_.room(5 + text.size());
    p[0] = static_cast<char>(TraceOp::verbatim);
    auto n = static_cast<uint32_t>(text.size());
    std::memcpy(p + 1, &n, 4);
    ops_.commit(copy_text(p + 5, text));
}

TraceRecord TraceWriter::any_event(SimTime t, std::string_view type, TraceCategory c) {
    if (!wanted_) return TraceRecord(nullptr, false, false);
    bool json = (json_wants_ & bit(c)) != 0, sinks = (sinks_want_ & bit(c)) != 0;
    if (!json && !sinks) return TraceRecord(nullptr, false, false);
    if (json) {
        TCPSIM_INVARIANT(type.size() <= UINT8_MAX, "trace record type under 256 bytes");
        head_op(t, type);
    }
    if (sinks) fields_.reset(t, type, c);
    return TraceRecord(this, json, sinks);
}

void TraceWriter::end_record(bool json, bool sinks) {
    if (sinks)
        for (TraceSink* s : sinks_)
            if (s->wants(fields_.category())) s->record(fields_);
    if (!json) return;
    if (format_in_background_) {
        end_background_record();
        return;
    }
    char* p = ops_.room(1);
    *p = static_cast<char>(TraceOp::end);
    ops_.commit(p + 1);
    ++events_;
    size_t record_start = text_.size();
    formatter_.format(ops_.view(), text_);
    ops_.clear();
    if (bytes_ + text_.size() > limit_) {
        text_.truncate(record_start);  // this record would cross the limit: the events end before it
        --events_;
        stop_writing(Status::limit_reached);
        return;
    }
    if (limit_ != UINT64_MAX) note_cut_point();
    if (text_.size() >= kFlushAt) flush();
}

void TraceWriter::stop_writing(Status why) {
    if (status_ != Status::writing) return;
    status_ = why;
    // No more events in the JSON text (sinks, which write their own files, go on).
    json_wants_ = 0;
    wanted_ = sinks_want_;
    json_only_ = 0;
    if (on_stop_) on_stop_();
}

std::string TraceWriter::header_text(const Json& meta, std::span<const LentMember> lent) const {
    // The members of meta and lent, and "type":"meta" in jsonl, in the order a Json object keeps
    // (sorted keys; a key in both is meta's), written one by one so that nothing is copied.
    std::vector<std::pair<std::string_view, const Json*>> members;
    for (auto it = meta.begin(); it != meta.end(); ++it) members.emplace_back(it.key(), &it.value());
    const Json type = "meta";
    if (format_ == TraceFormat::jsonl) lent_or_added(members, "type", &type);
    for (const LentMember& l : lent) lent_or_added(members, l.key, l.value);
    std::string text = format_ == TraceFormat::json ? "{\"meta\":{" : "{";
    bool first = true;
    for (const auto& [key, value] : members) {
        if (!first) text += ',';
        first = false;
        text += Json(std::string(key)).dump();
        text += ':';
        text += value->dump();
    }
    text += format_ == TraceFormat::json ? "},\n\"events\":[" : "}\n";
    return text;
}

void TraceWriter::lent_or_added(std::vector<std::pair<std::string_view, const Json*>>& members, std::string_view key,
                                const Json* value) {
    auto at = std::lower_bound(members.begin(), members.end(), key, [](const auto& m, std::string_view k) { return m.first < k; });
    if (at != members.end() && at->first == key) return;  // the meta's own member wins, as in Json::update
    members.insert(at, {key, value});
}

void TraceWriter::write_closing(const RunSummary& summary, uint64_t events, const RunSummary::Output& out) const {
    if (format_ == TraceFormat::json) {
        out(events == 0 ? "],\n\"summary\":" : "\n],\n\"summary\":");
        summary.write(out);
        out("}\n");
        return;
    }
    summary.write(out, Json{{"type", "summary"}});  // {"type":"summary"} updated with the summary
    out("\n");
}

uint64_t TraceWriter::closing_size(const RunSummary& summary, uint64_t events) const {
    uint64_t n = 0;
    write_closing(summary, events, [&](std::string_view t) { n += t.size(); });
    return n;
}

void TraceWriter::end(const RunSummary& summary) {
    for (TraceSink* s : sinks_) s->end(summary);
    if (!out_) return;
    if (limit_ != UINT64_MAX) {
        end_within_limit(summary);
        return;
    }
    // Piece by piece through the usual path, handed on whenever a buffer's worth has gathered.
    write_closing(summary, events_, [&](std::string_view t) {
        verbatim(t);
        if ((format_in_background_ ? ops_.size() : text_.size()) >= kFlushAt) flush();
    });
    flush();
    if (background_) {
        if (!background_->finish()) stop_writing(Status::write_failed);
        if (format_in_background_) bytes_ = background_->bytes_written();
    }
    out_->flush();
}

// The summary after the events, the file at most limit_ bytes: if it does not fit after them,
// the file goes back to the last cut point where it does (whole records only), and the summary
// is written there.
void TraceWriter::end_within_limit(const RunSummary& summary) {
    flush();
    if (background_) {
        if (!background_->finish()) stop_writing(Status::write_failed);
        background_.reset();
    }
    out_->flush();
    if (status_ == Status::write_failed || !*out_) {
        stop_writing(Status::write_failed);
        return;
    }
    auto to_file = [&](std::string_view t) { out_->write(t.data(), static_cast<std::streamsize>(t.size())); };
    if (bytes_ + closing_size(summary, events_) <= limit_) {
        uint64_t n = 0;
        write_closing(summary, events_, [&](std::string_view t) { to_file(t); n += t.size(); });
        bytes_ += n;
        out_->flush();
        if (!*out_) stop_writing(Status::write_failed);
        return;
    }
    const uint64_t with_events = closing_size(summary, 1), without = closing_size(summary, 0);
    size_t i = cuts_.size();
    while (i > 0 && cuts_[i - 1].offset + (cuts_[i - 1].events ? with_events : without) > limit_) --i;
    CutPoint cut = cuts_.empty() ? CutPoint{bytes_, events_} : cuts_.front();
    RunSummary brief;
    const RunSummary* closing = &summary;
    if (i > 0) {
        cut = cuts_[i - 1];
    } else {
        // Not even the summary alone fits: say so in a summary that does (the usage check before
        // a run makes this all but impossible).
        summary_shortened_ = true;
        const Json* run = summary.value("run");
        brief.set("run", run ? *run : Json::object());
        brief.set("shortened", "the summary did not fit in --max-trace-bytes");
        if (cut.offset + closing_size(brief, cut.events) > limit_) brief = RunSummary{};
        closing = &brief;
    }
    events_cut_ = events_ - cut.events;
    events_ = cut.events;
    status_ = status_ == Status::writing ? Status::limit_reached : status_;
    out_->seekp(static_cast<std::streamoff>(cut.offset));
    uint64_t n = 0;
    write_closing(*closing, events_, [&](std::string_view t) { to_file(t); n += t.size(); });
    out_->flush();
    bytes_ = cut.offset + n;
    if (!*out_ || !truncate_ || !truncate_(bytes_)) status_ = Status::write_failed;
}

void TraceWriter::flush() {
    if (!out_) return;
    if (format_in_background_) {
        background_->write(ops_);
        if (background_->failed()) stop_writing(Status::write_failed);
        return;
    }
    if (text_.empty()) return;
    bytes_ += text_.size();
    if (background_) {
        background_->write(text_);
        if (background_->failed()) stop_writing(Status::write_failed);
        return;
    }
    out_->write(text_.view().data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
    if (!*out_) stop_writing(Status::write_failed);
}

TraceValue* TraceRecord::sink_field(std::string_view k) { return sinks_ ? w_->fields_.add(k) : nullptr; }

TraceRecord& TraceRecord::any_field(std::string_view k, int64_t v) {
    if (!w_) return *this;
    if (json_) json_value(TraceOp::i64, k, v);
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::i64;
        f->i = v;
    }
    return *this;
}

TraceRecord& TraceRecord::any_field(std::string_view k, uint64_t v) {
    if (!w_) return *this;
    if (json_) json_value(TraceOp::u64, k, v);
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::u64;
        f->u = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, double v) {
    if (!w_) return *this;
    if (json_) json_value(TraceOp::f64, k, v);
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::f64;
        f->d = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, bool v) {
    if (!w_) return *this;
    if (json_) json_value(TraceOp::boolean, k, static_cast<uint8_t>(v));
    if (TraceValue* f = sink_field(k)) {
        f->kind = TraceValue::Kind::boolean;
        f->b = v;
    }
    return *this;
}

TraceRecord& TraceRecord::field(std::string_view k, std::string_view v) {
    if (!w_) return *this;
    if (json_) json_bytes(TraceOp::text, k, v);
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::string, v);
    return *this;
}

TraceRecord& TraceRecord::any_text(std::string_view k, std::string_view plain, std::string_view quoted) {
    if (!w_) return *this;
    if (json_) json_bytes(TraceOp::json, k, quoted);
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::string, plain);
    return *this;
}

TraceRecord& TraceRecord::raw(std::string_view k, std::string_view json_text) {
    if (!w_) return *this;
    if (json_) json_bytes(TraceOp::json, k, json_text);
    if (TraceValue* f = sink_field(k)) w_->fields_.set_text(*f, TraceValue::Kind::raw, json_text);
    return *this;
}

void TraceRecord::fields(TraceFormatFn fn, const void* payload, uint16_t size, uint16_t most_chars) {
    std::memcpy(fields_room(fn, size, most_chars), payload, size);
}

}  // namespace tcpsim
