// RunSummary: the end-of-run summary written member by member, its lists one element at a time,
// in exactly the bytes of the whole tree's compact dump; and the trace files that end with it.
#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "sim/trace/run_summary.hpp"
#include "sim/trace/trace_writer.hpp"

using namespace tcpsim;

namespace {

// An element with enough fields (nested, escaped strings, null, doubles) to be like a real one.
Json make_connection(size_t i) {
    return Json{{"conn", i},
                {"forward", {{"from", "client \"" + std::to_string(i) + "\""}, {"segments_sent", i * 3}, {"ssthresh", nullptr}}},
                {"reverse", {{"to", "ü\n"}, {"rtt", 0.001 * static_cast<double>(i)}}}};
}

RunSummary sample(size_t count, size_t* made = nullptr) {
    RunSummary s;
    s.set("run", {{"stop_reason", "end_time"}, {"events", 7}});
    s.set_list("connections", count, [made](size_t i) {
        if (made) ++*made;
        return make_connection(i);
    });
    s.set("drops", {{"queue", 1}});
    s.set_list("applications", 0, [](size_t) { return Json(); });
    return s;
}

std::string written(const RunSummary& s, const Json& extra = Json::object(), size_t* pieces = nullptr,
                    size_t* largest = nullptr) {
    std::string out;
    s.write(
        [&](std::string_view t) {
            out.append(t);
            if (pieces) ++*pieces;
            if (largest && t.size() > *largest) *largest = t.size();
        },
        extra);
    return out;
}

}  // namespace

TEST_CASE("run summary: the text is the compact dump of the whole tree, members in key order") {
    for (size_t count : {size_t{0}, size_t{1}, size_t{5}, size_t{3000}}) {
        RunSummary s = sample(count);
        Json tree = s.to_json();
        CHECK(tree["connections"].size() == count);
        CHECK(tree["applications"].is_array());
        CHECK(written(s) == tree.dump());
        CHECK(s.text_size() == tree.dump().size());
    }
}

TEST_CASE("run summary: JSON Lines' extra member goes in its sorted place, the summary's own value winning") {
    RunSummary s = sample(3);
    Json line = {{"type", "summary"}};
    line.update(s.to_json());
    CHECK(written(s, Json{{"type", "summary"}}) == line.dump());

    // A key before every member, one between, and one the summary has too.
    Json extra = {{"aaa", 1}, {"deep", {1, 2}}, {"run", "overridden?"}, {"zzz", false}};
    Json merged = extra;
    merged.update(s.to_json());
    CHECK(written(s, extra) == merged.dump());
    CHECK(s.text_size(extra) == merged.dump().size());
}

TEST_CASE("run summary: a long list is made one element at a time and written in bounded pieces") {
    size_t made = 0, pieces = 0, largest = 0;
    RunSummary s = sample(20000, &made);
    std::string text = written(s, Json::object(), &pieces, &largest);
    CHECK(made == 20000);  // each element made once, when written
    CHECK(text.size() > 1000000);
    // Handed on as it is made: many pieces, none much above 16 KiB (one element past it at most).
    CHECK(pieces > 50);
    CHECK(largest < 17 * 1024);
}

TEST_CASE("run summary: plain members, lists read one by one, and from_json") {
    RunSummary s = sample(4);
    REQUIRE(s.value("run") != nullptr);
    CHECK((*s.value("run"))["events"] == 7);
    CHECK(s.value("connections") == nullptr);  // a list is not a plain value
    CHECK(s.value("absent") == nullptr);
    CHECK(s.contains("connections"));
    std::vector<size_t> seen;
    s.for_each("connections", [&](size_t i, const Json& c) {
        CHECK(c["conn"] == i);
        seen.push_back(i);
    });
    CHECK(seen == std::vector<size_t>{0, 1, 2, 3});

    Json tree = s.to_json();
    RunSummary copy = RunSummary::from_json(tree);
    CHECK(written(copy) == tree.dump());
    size_t n = 0;
    copy.for_each("connections", [&](size_t, const Json&) { ++n; });
    CHECK(n == 4);

    // Replacing a member keeps one of that key.
    s.set("connections", Json::array({1}));
    CHECK(s.to_json()["connections"] == Json::array({1}));
}

TEST_CASE("run summary: a trace ends with the streamed summary, in both layouts") {
    for (TraceFormat f : {TraceFormat::json, TraceFormat::jsonl}) {
        std::ostringstream out;
        TraceWriter w(&out, f, TraceLevel::all);
        w.begin(Json{{"scenario", "unit"}});
        w.event(SimTime::from_ms(1), "send").field("len", 10);
        RunSummary s = sample(5000);
        w.end(s);
        std::string text = out.str();
        if (f == TraceFormat::json) {
            Json doc = Json::parse(text);
            CHECK(doc["summary"] == s.to_json());
            CHECK(doc["events"].size() == 1);
        } else {
            std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
            Json line = Json::parse(last);
            CHECK(line["type"] == "summary");
            line.erase("type");
            CHECK(line == s.to_json());
        }
        CHECK(w.closing_size(s, 1) + w.header_text(Json{{"scenario", "unit"}}).size() < text.size());
    }
}
