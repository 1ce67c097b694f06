// TraceWriter: the two trace layouts parse as JSON, strings are escaped, levels filter
// categories, and times are printed exactly from integer nanoseconds.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/trace/trace_writer.hpp"

using namespace tcpsim;

namespace {

Json sample_meta() { return Json{{"scenario", "unit"}, {"seed", 42}, {"format_version", 1}}; }
Json sample_summary() { return Json{{"stop_reason", "end_time"}, {"events", 2}}; }

// Two events of different shapes, then the summary.
void write_two_events(TraceWriter& w) {
    w.begin(sample_meta());
    w.event(SimTime::from_ms(10), "send").field("seq", uint64_t{1000}).field("len", 1460).field("flow", "a->b");
    w.event(SimTime::from_ms(25), "drop").field("reason", "queue full").field("ok", false);
    w.end(sample_summary());
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// One event with one string field, written as json and parsed back: the field's value.
std::string round_trip_string(std::string_view value) {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::json, TraceLevel::all);
    w.begin(Json::object());
    w.event(SimTime::zero(), "x").field("s", value);
    w.end(Json::object());
    return Json::parse(out.str()).at("events").at(0).at("s").get<std::string>();
}

}  // namespace

TEST_CASE("json format is one document with meta, the events in order and the summary") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::json, TraceLevel::all);
    write_two_events(w);
    Json doc;
    REQUIRE_NOTHROW(doc = Json::parse(out.str()));
    REQUIRE(doc.is_object());
    CHECK(doc.size() == 3);
    CHECK(doc.at("meta") == sample_meta());
    CHECK(doc.at("summary") == sample_summary());
    const Json& events = doc.at("events");
    REQUIRE(events.is_array());
    REQUIRE(events.size() == 2);
    CHECK(events[0] == Json{{"t", 0.01}, {"t_ns", 10'000'000}, {"type", "send"}, {"seq", 1000}, {"len", 1460}, {"flow", "a->b"}});
    CHECK(events[1] == Json{{"t", 0.025}, {"t_ns", 25'000'000}, {"type", "drop"}, {"reason", "queue full"}, {"ok", false}});
    CHECK(w.events_written() == 2);
    CHECK(w.bytes_written() == out.str().size());
}

TEST_CASE("json format with zero events is still one valid document with an empty events array") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::json, TraceLevel::summary);
    w.begin(sample_meta());
    w.end(sample_summary());
    Json doc;
    REQUIRE_NOTHROW(doc = Json::parse(out.str()));
    CHECK(doc.at("meta") == sample_meta());
    CHECK(doc.at("events") == Json::array());
    CHECK(doc.at("summary") == sample_summary());
    CHECK(w.events_written() == 0);
}

TEST_CASE("jsonl format is one JSON object per line: meta first, events, summary last") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    write_two_events(w);
    std::string text = out.str();
    REQUIRE(!text.empty());
    CHECK(text.back() == '\n');
    std::vector<std::string> lines = lines_of(text);
    REQUIRE(lines.size() == 4);
    std::vector<Json> records;
    for (const std::string& line : lines) {
        CAPTURE(line);
        Json j;
        REQUIRE_NOTHROW(j = Json::parse(line));
        REQUIRE(j.is_object());
        records.push_back(j);
    }
    // Meta: {"type":"meta"} merged with the meta object.
    Json want_meta = sample_meta();
    want_meta["type"] = "meta";
    CHECK(records[0] == want_meta);
    CHECK(records[1].at("type") == "send");
    CHECK(records[1].at("t_ns") == 10'000'000);
    CHECK(records[1].at("flow") == "a->b");
    CHECK(records[2].at("type") == "drop");
    CHECK(records[2].at("ok") == false);
    Json want_summary = sample_summary();
    want_summary["type"] = "summary";
    CHECK(records[3] == want_summary);
    CHECK(w.events_written() == 2);
}

TEST_CASE("jsonl format with zero events has exactly the meta and summary lines") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::summary);
    w.begin(sample_meta());
    w.end(sample_summary());
    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() == 2);
    CHECK(Json::parse(lines[0]).at("type") == "meta");
    CHECK(Json::parse(lines[1]).at("type") == "summary");
}

TEST_CASE("a trace far larger than the write buffer stays valid and complete") {
    // The writer flushes its buffer every 64 KiB; 20000 records of ~100 bytes cross that ~30 times.
    for (TraceFormat format : {TraceFormat::json, TraceFormat::jsonl}) {
        CAPTURE(to_string(format));
        std::ostringstream out;
        TraceWriter w(&out, format, TraceLevel::all);
        w.begin(sample_meta());
        constexpr int kEvents = 20000;
        for (int i = 0; i < kEvents; ++i)
            w.event(SimTime::from_us(i), "tick").field("i", i).field("pad", "0123456789abcdef0123456789abcdef");
        w.end(sample_summary());
        CHECK(w.events_written() == kEvents);
        CHECK(w.bytes_written() == out.str().size());
        std::vector<Json> events;
        if (format == TraceFormat::json) {
            Json doc = Json::parse(out.str());
            for (const Json& e : doc.at("events")) events.push_back(e);
        } else {
            std::vector<std::string> lines = lines_of(out.str());
            REQUIRE(lines.size() == kEvents + 2);
            for (size_t k = 1; k + 1 < lines.size(); ++k) events.push_back(Json::parse(lines[k]));
        }
        REQUIRE(events.size() == kEvents);
        bool in_order = true;
        for (int i = 0; i < kEvents; ++i)
            in_order = in_order && events[i].at("i") == i && events[i].at("t_ns") == int64_t{i} * 1000;
        CHECK(in_order);
    }
}

TEST_CASE("string values are escaped: quotes, backslash and control characters") {
    const std::string nasty = std::string("say \"hi\" \\ path\\to\nnew\tline\rcr") + '\x01' + '\x1f' + '\b' + '\f' +
                              std::string(1, '\0') + "end";
    CHECK(round_trip_string(nasty) == nasty);
    // Characters JSON allows unescaped pass through unchanged: DEL, '/', and UTF-8.
    CHECK(round_trip_string("\x7f / caf\xc3\xa9 \xe2\x86\x92") == "\x7f / caf\xc3\xa9 \xe2\x86\x92");
    CHECK(round_trip_string("") == "");
}

TEST_CASE("control characters are written as escapes, never raw") {
    std::string buf;
    TraceWriter::append_escaped(buf, std::string("a\"b\\c\n\t\r") + '\x01' + '\x1f' + std::string(1, '\0'));
    CHECK(buf == "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u001f\\u0000\"");
    for (char c : buf) CHECK(static_cast<unsigned char>(c) >= 0x20);
}

TEST_CASE("the event type is escaped like any other string") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    w.event(SimTime::zero(), "we\"ird\\type\n");
    w.flush();
    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() == 1);  // the newline inside the type did not split the record
    CHECK(Json::parse(lines[0]).at("type") == "we\"ird\\type\n");
}

TEST_CASE("a type with any one byte that needs escaping is escaped (each on its own)") {
    // Literal types are checked where they are compiled (needs_escaping): each kind of byte alone.
    static_assert(!needs_escaping("deliver"));
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    w.event(SimTime::zero(), "back\\slash");
    w.event(SimTime::zero(), "quo\"te");
    w.event(SimTime::zero(), "tab\there");
    w.event(SimTime::zero(), std::string_view("nul\0", 4));
    w.event(SimTime::zero(), "plain");
    w.flush();
    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() == 5);
    CHECK(Json::parse(lines[0]).at("type") == "back\\slash");
    CHECK(Json::parse(lines[1]).at("type") == "quo\"te");
    CHECK(Json::parse(lines[2]).at("type") == "tab\there");
    CHECK(Json::parse(lines[3]).at("type") == std::string("nul\0", 4));
    CHECK(Json::parse(lines[4]).at("type") == "plain");
}

TEST_CASE("\"t\" is printed exactly from integer nanoseconds, \"t_ns\" as the integer") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    w.event(SimTime::from_ns(10'000'000), "a");
    w.event(SimTime::from_ns(1), "b");
    w.event(SimTime::from_ns(123'456'789'012), "c");
    w.event(SimTime::max(), "d");
    // From one second on, "t_ns" is made from the digits of "t": zeros after the point stay.
    w.event(SimTime::from_ns(1'000'000'005), "e");
    w.event(SimTime::from_ns(1'000'000'000), "f");
    w.event(SimTime::from_ns(999'999'999), "g");
    w.flush();
    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() == 7);
    CHECK(lines[0] == R"({"t":0.010000000,"t_ns":10000000,"type":"a"})");
    CHECK(lines[1] == R"({"t":0.000000001,"t_ns":1,"type":"b"})");
    CHECK(lines[2] == R"({"t":123.456789012,"t_ns":123456789012,"type":"c"})");
    // int64 max ns: a double could not hold these digits; the text does.
    CHECK(lines[3] == R"({"t":9223372036.854775807,"t_ns":9223372036854775807,"type":"d"})");
    CHECK(Json::parse(lines[3]).at("t_ns").get<int64_t>() == std::numeric_limits<int64_t>::max());
    CHECK(lines[4] == R"({"t":1.000000005,"t_ns":1000000005,"type":"e"})");
    CHECK(lines[5] == R"({"t":1.000000000,"t_ns":1000000000,"type":"f"})");
    CHECK(lines[6] == R"({"t":0.999999999,"t_ns":999999999,"type":"g"})");
}

TEST_CASE("numeric, boolean and raw fields are written as JSON values of their type") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    w.event(SimTime::zero(), "v")
        .field("i64", int64_t{-9'000'000'000})
        .field("u64", std::numeric_limits<uint64_t>::max())
        .field("u32", uint32_t{4'000'000'000u})
        .field("int", -3)
        .field("dbl", 0.1)
        .field("inf", std::numeric_limits<double>::infinity())
        .field("nan", std::numeric_limits<double>::quiet_NaN())
        .field("yes", true)
        .raw("obj", R"({"a":[1,2]})");
    w.flush();
    std::string line = out.str().substr(0, out.str().find('\n'));
    // Shortest round-trip double text: 0.1 is written as 0.1, not 0.10000000000000001.
    CHECK(line.find(R"("dbl":0.1,)") != std::string::npos);
    Json j = Json::parse(line);
    CHECK(j.at("i64").get<int64_t>() == -9'000'000'000);
    CHECK(j.at("u64").get<uint64_t>() == std::numeric_limits<uint64_t>::max());
    CHECK(j.at("u32").get<uint64_t>() == 4'000'000'000u);
    CHECK(j.at("int").get<int>() == -3);
    CHECK(j.at("dbl").get<double>() == 0.1);
    CHECK(j.at("inf").is_null());  // JSON has no infinities
    CHECK(j.at("nan").is_null());
    CHECK(j.at("yes") == true);
    CHECK(j.at("obj") == Json{{"a", {1, 2}}});
}

TEST_CASE("a writer with no stream writes nothing and wants nothing") {
    for (TraceLevel level : {TraceLevel::summary, TraceLevel::segments, TraceLevel::all}) {
        for (TraceFormat format : {TraceFormat::json, TraceFormat::jsonl}) {
            TraceWriter w(nullptr, format, level);
            CHECK_FALSE(w.wants(TraceCategory::segment));
            CHECK_FALSE(w.wants(TraceCategory::detail));
            // All of the writing calls are safe and do nothing.
            w.begin(sample_meta());
            w.event(SimTime::from_ms(1), "send").field("seq", 1).field("s", "x").raw("r", "[]");
            w.flush();
            w.end(sample_summary());
            CHECK(w.bytes_written() == 0);
            CHECK(w.events_written() == 0);
        }
    }
}

TEST_CASE("the trace level decides which categories are wanted") {
    std::ostringstream out;
    // summary: only meta and summary, no events of either category.
    TraceWriter summary(&out, TraceFormat::json, TraceLevel::summary);
    CHECK_FALSE(summary.wants(TraceCategory::segment));
    CHECK_FALSE(summary.wants(TraceCategory::detail));
    // segments: segment records only.
    TraceWriter segments(&out, TraceFormat::json, TraceLevel::segments);
    CHECK(segments.wants(TraceCategory::segment));
    CHECK_FALSE(segments.wants(TraceCategory::detail));
    // all: both.
    TraceWriter all(&out, TraceFormat::json, TraceLevel::all);
    CHECK(all.wants(TraceCategory::segment));
    CHECK(all.wants(TraceCategory::detail));
    CHECK(out.str().empty());  // constructing writers writes nothing
}

TEST_CASE("format and level names are the CLI's spellings") {
    CHECK(to_string(TraceFormat::json) == "json");
    CHECK(to_string(TraceFormat::jsonl) == "jsonl");
    CHECK(to_string(TraceLevel::summary) == "summary");
    CHECK(to_string(TraceLevel::segments) == "segments");
    CHECK(to_string(TraceLevel::all) == "all");
}

TEST_CASE("the same records give byte-identical traces") {
    std::ostringstream a, b;
    TraceWriter wa(&a, TraceFormat::json, TraceLevel::all);
    TraceWriter wb(&b, TraceFormat::json, TraceLevel::all);
    write_two_events(wa);
    write_two_events(wb);
    CHECK(a.str() == b.str());
    CHECK(!a.str().empty());
}

TEST_CASE("records at one time share a head formatted once, and a new time gets its own") {
    // The writer keeps the last time's "t"/"t_ns" text: every change of time, back and forth,
    // must be noticed, and a type needing escapes still gets them after a plain one.
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    w.event(SimTime::from_ns(5), "a");
    w.event(SimTime::from_ns(5), "bb");
    w.event(SimTime::from_ns(7), "c");
    w.event(SimTime::from_ns(5), "d\"q");
    w.event(SimTime::from_ns(5), "e");
    w.flush();
    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] == R"({"t":0.000000005,"t_ns":5,"type":"a"})");
    CHECK(lines[1] == R"({"t":0.000000005,"t_ns":5,"type":"bb"})");
    CHECK(lines[2] == R"({"t":0.000000007,"t_ns":7,"type":"c"})");
    CHECK(lines[3] == R"({"t":0.000000005,"t_ns":5,"type":"d\"q"})");
    CHECK(lines[4] == R"({"t":0.000000005,"t_ns":5,"type":"e"})");
}

TEST_CASE("keys, types and names of every length come out whole, at the end of a record too") {
    // The formatter copies short pieces 16 or 32 bytes at a time when the ops that follow them
    // leave room to read that far, and byte by byte otherwise: lengths on both sides of 16 and
    // 32, with the piece last in the record (nothing after it) or followed by more fields.
    for (size_t len : {1, 15, 16, 17, 31, 32, 33, 64, 200}) {
        CAPTURE(len);
        std::string key(len, 'k'), type(len, 't'), name(len, 'n');
        std::string quoted = "\"" + name + "\"";
        for (bool last : {true, false}) {
            for (bool background : {false, true}) {
                std::ostringstream out;
                {
                    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
                    if (background) w.write_in_background();
                    w.begin(Json::object());
                    {
                        auto r = w.event(SimTime::from_ms(1), type);
                        r.field(key, true).text("name", name, quoted);
                        if (!last) r.field("after", 1).field(key + "2", uint64_t{7});
                    }
                    w.event(SimTime::from_ms(1), "next").text(key, name, quoted);
                    w.end(Json::object());
                }
                std::vector<std::string> lines = lines_of(out.str());
                REQUIRE(lines.size() == 4);
                Json first = Json::parse(lines[1]), second = Json::parse(lines[2]);
                CHECK(first.at("type") == type);
                CHECK(first.at(key) == true);
                CHECK(first.at("name") == name);
                if (!last) CHECK(first.at(key + "2") == 7);
                CHECK(second.at("type") == "next");
                CHECK(second.at(key) == name);
            }
        }
    }
}
