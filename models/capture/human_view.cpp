#include "models/capture/human_view.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace tcpsim {

namespace {

// A plain text table: a header row, then rows; numbers right-aligned, text left-aligned.
// Rows of text cells printed in aligned columns. The cells are kept in one string (each ended by
// a NUL) with the column widths so far: a summary of 100,000 connections has 300,000 rows, which
// as vectors of strings took more memory than the simulation that made them.
class TextTable {
public:
    explicit TextTable(const std::vector<std::string>& header) : width_(header.size(), 0) { add(header); }
    void add(const std::vector<std::string>& row) {
        for (size_t c = 0; c < row.size() && c < width_.size(); ++c) {
            width_[c] = std::max(width_[c], row[c].size());
            cells_.append(row[c]);
            cells_.push_back('\0');
        }
        for (size_t c = row.size(); c < width_.size(); ++c) cells_.push_back('\0');  // a short row: empty cells
        ++rows_;
    }
    bool empty() const { return rows_ <= 1; }  // the header only
    void print(std::ostream& out, const std::vector<bool>& right_aligned) const {
        size_t at = 0;
        std::string line;
        for (size_t r = 0; r < rows_; ++r) {
            line.clear();
            for (size_t c = 0; c < width_.size(); ++c) {
                size_t end = cells_.find('\0', at);
                std::string_view cell(cells_.data() + at, end - at);
                at = end + 1;
                std::string pad(width_[c] - cell.size(), ' ');
                if (c) line += "  ";
                if (right_aligned[c]) line.append(pad).append(cell);
                else line.append(cell).append(c + 1 < width_.size() ? pad : "");
            }
            out << line << '\n';
        }
    }

private:
    std::vector<size_t> width_;
    std::string cells_;
    size_t rows_ = 0;
};

std::string text(const Json& j) {
    if (j.is_null()) return "-";
    if (j.is_string()) return j.get<std::string>();
    if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
    return j.dump();
}

std::string fixed(const Json& j, double scale, int decimals) {
    if (!j.is_number()) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, j.get<double>() * scale);
    return buf;
}

const Json& at(const Json& j, const char* key) {
    static const Json kNull;
    return j.is_object() && j.contains(key) ? j.at(key) : kNull;
}

void value_text(std::string& out, const TraceFields& r, const TraceValue& v) {
    switch (v.kind) {
        case TraceValue::Kind::i64: out += std::to_string(v.i); break;
        case TraceValue::Kind::u64: out += std::to_string(v.u); break;
        case TraceValue::Kind::f64: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.9g", v.d);
            out += buf;
            break;
        }
        case TraceValue::Kind::boolean: out += v.b ? "true" : "false"; break;
        case TraceValue::Kind::string:
        case TraceValue::Kind::raw: out += r.text_of(v); break;
    }
}

}  // namespace

void HumanView::record(const TraceFields& r) {
    const std::string_view type = r.type();
    // Segments have their own tcpdump-like lines; queue movements and cc samples are for files.
    if (type == "send" || type == "deliver" || type == "drop" || type == "enqueue" || type == "dequeue" ||
        type == "duplicate" || type == "cc")
        return;
    std::string line = r.t().to_seconds_string();
    line += ' ';
    std::string_view node = r.string("node");
    if (!node.empty()) {
        line += node;
        int64_t port;
        if (type == "state" && r.integer("port", port)) line += ":" + std::to_string(port);
    }
    int64_t conn;
    if (r.integer("conn", conn)) line += " [conn " + std::to_string(conn) + "]";
    if (type == "state") {
        line += " state ";
        line += r.string("from");
        line += " -> ";
        line += r.string("to");
        line += " (";
        line += r.string("reason");
        line += ")";
    } else if (type == "app") {
        line += " app ";
        line += r.string("event");
        if (!r.string("reason").empty()) line += std::string(": ") + std::string(r.string("reason"));
        if (!r.string("call").empty()) line += std::string(": ") + std::string(r.string("call"));
    } else if (type == "timer") {
        line += " timer ";
        line += r.string("timer");
        line += ' ';
        line += r.string("action");
        int64_t due;
        if (r.integer("due_ns", due)) line += ", due " + SimTime::from_ns(due).to_seconds_string();
    } else if (type == "tcp") {
        line += " tcp ";
        line += r.string("what");
        int64_t value;
        if (r.integer("value_ns", value)) line += " " + SimTime::from_ns(value).to_seconds_string() + " s";
    } else if (type == "link") {
        line += "link ";
        line += r.string("link");
        line += ' ';
        line += r.string("state");
    } else {
        // A record type this view does not know: its fields as they are.
        if (!node.empty()) line += ' ';
        line += type;
        for (size_t i = 0; i < r.size(); ++i) {
            if (r.key(i) == "node" || r.key(i) == "conn") continue;
            line += ' ';
            line += r.key(i);
            line += '=';
            value_text(line, r, r.value(i));
        }
    }
    out_ << line << '\n';
}

void HumanView::end(const RunSummary& summary) {
    if (after_lines_) out_ << '\n';
    print_summary(out_, summary);
    out_.flush();
}

// The tables hold their rows as text; the summary's records are read one at a time.
void HumanView::print_summary(std::ostream& out, const RunSummary& s) {
    static const Json kNull;
    const Json* run_value = s.value("run");
    const Json& run = run_value ? *run_value : kNull;
    out << "summary: stopped (" << text(at(run, "stop_reason")) << ") at t=" << fixed(at(run, "end_time"), 1, 9)
        << " s after " << text(at(run, "events")) << " events\n";

    TextTable conns({"conn", "from", "to", "segments", "payload bytes", "retransmitted", "dropped", "delivered"});
    s.for_each("connections", [&](size_t, const Json& c) {
        for (const char* dir : {"forward", "reverse"}) {
            const Json& d = at(c, dir);
            conns.add({text(at(c, "conn")), text(at(d, "from")), text(at(d, "to")), text(at(d, "segments_sent")),
                       text(at(d, "payload_bytes_sent")), text(at(d, "retransmissions")), text(at(d, "segments_dropped")),
                       text(at(d, "segments_delivered"))});
        }
    });
    if (!conns.empty()) {
        out << '\n';
        conns.print(out, {true, false, false, true, true, true, true, true});
    }

    TextTable apps({"app", "type", "client", "server", "bytes c>s", "bytes s>c", "RTOs", "completed (s)",
                    "goodput (Mbit/s)", "intact"});
    s.for_each("applications", [&](size_t i, const Json& a) {
        const Json &client = at(a, "client"), &server = at(a, "server");
        uint64_t rtos = 0;
        for (const Json* side : {&client, &server})
            if (at(*side, "rto_expirations").is_number()) rtos += at(*side, "rto_expirations").get<uint64_t>();
        apps.add({std::to_string(i), text(at(a, "type")), text(at(client, "outcome")), text(at(server, "outcome")),
                  text(at(server, "bytes_received")), text(at(client, "bytes_received")), std::to_string(rtos),
                  fixed(at(a, "completed_at"), 1, 6), fixed(at(a, "goodput_bps"), 1e-6, 3),
                  text(at(a, "streams_intact"))});
    });
    if (!apps.empty()) {
        out << '\n';
        apps.print(out, {true, false, false, false, true, true, true, true, true, false});
    }
}

}  // namespace tcpsim
