// The trace's cc records: packed into one op when the record goes to the JSON text only, field
// by field when a sink takes it too. Both must read the same.
#include <doctest/doctest.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/tcp/cc_trace_record.hpp"
#include "models/tcp/congestion_control.hpp"
#include "segment_sink.hpp"
#include "sim/trace/trace_writer.hpp"

using namespace tcpsim;
using Json = nlohmann::json;
using tcpsim::test::SegmentSink;

namespace {

// A few cc records: every recovery state, ssthresh infinite and not, RTT figures of every
// precision, a node name that needs escaping; `name` for the node.
std::string cc_trace(TraceSink* sink, const std::string& name) {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::segments);
    if (sink) w.add_sink(sink);
    w.begin(Json::object());
    std::string quoted;
    TraceWriter::append_escaped(quoted, name);
    CcSample s;
    s.cwnd = 14480;
    s.ssthresh = CongestionControl::kInfiniteSsthresh;
    s.rto = SimTime::from_ns(1'000'000'000);
    {
        auto r = w.event(SimTime::from_ns(10'048'000), "cc");
        write_cc_fields(r, CcTraceRecord{name, quoted, 0, "newreno"}, s);
    }
    s.cwnd = 2896;
    s.ssthresh = 65160;
    s.flight = 1448 * 3;
    s.bytes_acked = 123456789012ULL;
    s.srtt = SimTime::from_ns(20'123'457);
    s.rttvar = SimTime::from_ns(1);
    s.rto = SimTime::from_ns(200'000'000);
    s.recovery = RecoveryState::fast;
    {
        auto r = w.event(SimTime::from_ns(3'000'000'001), "cc");
        write_cc_fields(r, CcTraceRecord{name, quoted, 7, "cubic"}, s);
    }
    s.recovery = RecoveryState::rto;
    s.ssthresh = CongestionControl::kInfiniteSsthresh - 1;
    s.srtt = SimTime::from_ns(std::numeric_limits<int64_t>::max() / 2);
    {
        auto r = w.event(SimTime::from_ns(3'000'000'001), "cc");
        write_cc_fields(r, CcTraceRecord{name, quoted, UINT32_MAX, "reno"}, s);
    }
    w.flush();
    return out.str();
}

std::vector<Json> records_of(const std::string& text) {
    std::vector<Json> r;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) r.push_back(Json::parse(line));
    r.erase(r.begin());  // the meta line
    return r;
}

}  // namespace

TEST_CASE("a cc record packed into one op reads exactly as when written field by field") {
    SegmentSink sink;
    std::string packed = cc_trace(nullptr, "srv \"a\"\\b"), by_field = cc_trace(&sink, "srv \"a\"\\b");
    CHECK(sink.records == 3);
    CHECK(packed == by_field);
    std::vector<Json> r = records_of(packed);
    REQUIRE(r.size() == 3);
    CHECK(r[0].at("node") == "srv \"a\"\\b");
    CHECK(r[0].at("ssthresh").is_null());
    CHECK(r[0].at("rto") == 1.0);
    CHECK(r[0].at("recovery") == "open");
    CHECK(r[0].at("cc") == "newreno");
    CHECK(r[1].at("conn") == 7);
    CHECK(r[1].at("ssthresh") == 65160);
    CHECK(r[1].at("flight") == 4344);
    CHECK(r[1].at("bytes_acked") == 123456789012ULL);
    CHECK(r[1].at("srtt") == 0.020123457);
    CHECK(r[1].at("rttvar") == 1e-9);
    CHECK(r[1].at("recovery") == "fast");
    CHECK(r[2].at("conn") == UINT32_MAX);
    CHECK(r[2].at("ssthresh") == CongestionControl::kInfiniteSsthresh - 1);
    CHECK(r[2].at("recovery") == "rto");
    CHECK(r[2].at("cc") == "reno");
}

TEST_CASE("a cc record whose node name is too long to pack is still whole") {
    std::string name(5000, 'n');
    SegmentSink sink;
    std::string text = cc_trace(nullptr, name);
    CHECK(text == cc_trace(&sink, name));
    std::vector<Json> r = records_of(text);
    REQUIRE(r.size() == 3);
    CHECK(r[1].at("node") == name);
    CHECK(r[1].at("cwnd") == 2896);
}
