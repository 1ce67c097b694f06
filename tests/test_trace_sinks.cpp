// Trace records reach every consumer that wants their category: the JSON text by its level,
// each sink by its own choice; the CSV series and the human view are built from them.
#include <doctest/doctest.h>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "models/capture/human_view.hpp"
#include "sim/trace/csv_series_writer.hpp"
#include "sim/trace/trace_writer.hpp"

using namespace tcpsim;

namespace {

// Keeps "type t key=value ..." for every record it gets.
class RecordingSink final : public TraceSink {
public:
    explicit RecordingSink(bool detail) : detail_(detail) {}
    bool wants(TraceCategory c) const override { return c == TraceCategory::segment || detail_; }
    void record(const TraceFields& r) override {
        std::string s = std::string(r.type()) + " " + std::to_string(r.t().ns());
        for (size_t i = 0; i < r.size(); ++i) {
            s += " " + std::string(r.key(i)) + "=";
            const TraceValue& v = r.value(i);
            switch (v.kind) {
                case TraceValue::Kind::i64: s += "i" + std::to_string(v.i); break;
                case TraceValue::Kind::u64: s += "u" + std::to_string(v.u); break;
                case TraceValue::Kind::f64: s += "d" + std::to_string(v.d); break;
                case TraceValue::Kind::boolean: s += v.b ? "true" : "false"; break;
                case TraceValue::Kind::string: s += "'" + std::string(r.text_of(v)) + "'"; break;
                case TraceValue::Kind::raw: s += "raw" + std::string(r.text_of(v)); break;
            }
        }
        seen.push_back(s);
    }
    std::vector<std::string> seen;

private:
    bool detail_;
};

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("record types fall into the segment or detail category") {
    for (const char* t : {"send", "deliver", "drop", "state", "app", "cc"}) CHECK(category_of(t) == TraceCategory::segment);
    for (const char* t : {"enqueue", "dequeue", "duplicate", "link", "timer", "tcp"}) CHECK(category_of(t) == TraceCategory::detail);
    // A type nobody listed yet is kept at level segments rather than silently lost.
    CHECK(category_of("something_new") == TraceCategory::segment);
    // Worked out at compile time for a literal (the writer's inline path relies on it).
    static_assert(category_of("dequeue") == TraceCategory::detail);
    static_assert(category_of("deliver") == TraceCategory::segment);
}

TEST_CASE("a sink that wants details gets them while the JSON at level segments does not") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::segments);
    RecordingSink sink(true);
    w.add_sink(&sink);
    CHECK(w.wants(TraceCategory::segment));
    CHECK(w.wants(TraceCategory::detail));  // because the sink does
    w.event(SimTime::from_ns(5), "send").field("seq", uint64_t{1000}).field("node", "client");
    w.event(SimTime::from_ns(6), "timer").field("timer", "retransmit").field("due_ns", int64_t{99});
    w.flush();
    auto json = lines(out.str());
    REQUIRE(json.size() == 1);  // only the send
    CHECK(json[0] == R"({"t":0.000000005,"t_ns":5,"type":"send","seq":1000,"node":"client"})");
    REQUIRE(sink.seen.size() == 2);
    CHECK(sink.seen[0] == "send 5 seq=u1000 node='client'");
    CHECK(sink.seen[1] == "timer 6 timer='retransmit' due_ns=i99");
    CHECK(w.events_written() == 1);
}

TEST_CASE("with no JSON stream a sink alone decides what is built") {
    TraceWriter w(nullptr, TraceFormat::json, TraceLevel::all);
    CHECK_FALSE(w.wants(TraceCategory::segment));
    RecordingSink sink(false);
    w.add_sink(&sink);
    CHECK(w.wants(TraceCategory::segment));
    CHECK_FALSE(w.wants(TraceCategory::detail));
    w.event(SimTime::zero(), "dequeue").field("qlen", 3);  // detail: nobody wants it
    w.event(SimTime::zero(), "cc").field("cwnd", uint64_t{14480}).raw("ssthresh", "null").field("srtt", 0.25);
    REQUIRE(sink.seen.size() == 1);
    CHECK(sink.seen[0] == "cc 0 cwnd=u14480 ssthresh=rawnull srtt=d0.250000");
}

TEST_CASE("string fields reach sinks as copies, so temporaries may die before the record ends") {
    TraceWriter w(nullptr, TraceFormat::json, TraceLevel::all);
    RecordingSink sink(true);
    w.add_sink(&sink);
    {
        auto r = w.event(SimTime::zero(), "state");
        {
            std::string from = "SYN-SENT", to = "ESTABLISHED";
            r.field("from", from).field("to", to);
            from.assign(20, 'x');  // overwritten before the record is finished
        }
        r.field("conn", 0);
    }
    REQUIRE(sink.seen.size() == 1);
    CHECK(sink.seen[0] == "state 0 from='SYN-SENT' to='ESTABLISHED' conn=i0");
}

TEST_CASE("csv series: one row per segment, cc and queue record, missing fields empty") {
    std::ostringstream seg, cwnd, queue;
    CsvSeriesWriter csv(seg, cwnd, queue);
    TraceWriter w(nullptr, TraceFormat::json, TraceLevel::summary);
    w.add_sink(&csv);
    w.begin(Json::object());
    w.event(SimTime::from_ns(1'500'000'000), "send")
        .field("node", "client").field("conn", 0).field("pkt", uint64_t{7}).field("src", "client")
        .field("sport", uint32_t{49152}).field("dst", "server").field("dport", uint32_t{80}).field("flags", "P.")
        .field("seq", uint32_t{1001}).field("ack", uint32_t{5001}).field("rel_seq", uint32_t{1})
        .field("rel_ack", uint32_t{1}).field("len", uint32_t{100}).field("win", uint32_t{512})
        .field("ecn", "ce").field("retransmission", true);
    w.event(SimTime::from_ns(1'600'000'000), "drop")
        .field("node", "client").field("link", "client->server").field("reason", "queue_full").field("conn", 0)
        .field("pkt", uint64_t{8}).field("len", uint32_t{1448}).field("qlen", uint64_t{20}).field("qbytes", uint64_t{30000});
    w.event(SimTime::from_ns(1'700'000'000), "enqueue")
        .field("node", "client").field("link", "client->server").field("conn", 0).field("pkt", uint64_t{9})
        .field("len", uint32_t{0}).field("qlen", uint64_t{1}).field("qbytes", uint64_t{40});
    w.event(SimTime::from_ns(2'000'000'000), "cc")
        .field("node", "client").field("conn", 0).field("cwnd", uint64_t{14480}).raw("ssthresh", "null")
        .field("flight", uint64_t{2896}).field("srtt", 0.04).field("rttvar", 0.02)
        .field("rto", std::numeric_limits<double>::infinity()).field("recovery", "open").field("cc", "cubic");
    w.event(SimTime::from_ns(2'100'000'000), "state").field("node", "a,b \"quoted\"");  // in no series
    w.event(SimTime::from_ns(2'200'000'000), "deliver").field("node", "a,b \"quoted\"");
    w.end(Json::object());

    auto s = lines(seg.str());
    REQUIRE(s.size() == 4);
    // The columns are the JSON records' field names ("type" too), so pandas reads both alike.
    CHECK(s[0] == "t,t_ns,type,node,link,conn,pkt,src,sport,dst,dport,flags,seq,ack,rel_seq,rel_ack,len,win,"
                  "ecn,retransmission,reason,dup_of");
    CHECK(s[1] == "1.500000000,1500000000,send,client,,0,7,client,49152,server,80,P.,1001,5001,1,1,100,512,ce,1,,");
    CHECK(s[2] == "1.600000000,1600000000,drop,client,client->server,0,8,,,,,,,,,,1448,,,,queue_full,");
    // RFC 4180: a field with a comma or quote is quoted, its quotes doubled.
    CHECK(s[3] == "2.200000000,2200000000,deliver,\"a,b \"\"quoted\"\"\",,,,,,,,,,,,,,,,,,");
    auto c = lines(cwnd.str());
    REQUIRE(c.size() == 2);
    CHECK(c[0] == "t,t_ns,node,conn,cwnd,ssthresh,flight,srtt,rttvar,rto,bytes_acked,recovery,cc");
    // null ssthresh and an infinite rto are empty cells; bytes_acked is absent.
    CHECK(c[1] == "2.000000000,2000000000,client,0,14480,,2896,0.04,0.02,,,open,cubic");
    auto q = lines(queue.str());
    REQUIRE(q.size() == 3);
    CHECK(q[0] == "t,t_ns,type,link,qlen,qbytes,pkt,conn,len,reason");
    CHECK(q[1] == "1.600000000,1600000000,drop,client->server,20,30000,8,0,1448,queue_full");
    CHECK(q[2] == "1.700000000,1700000000,enqueue,client->server,1,40,9,0,0,");
    CHECK(csv.rows(CsvSeriesWriter::kSegments) == 3);
    CHECK(csv.rows(CsvSeriesWriter::kCwnd) == 1);
    CHECK(csv.rows(CsvSeriesWriter::kQueue) == 2);
}

TEST_CASE("csv series without cc records: the cwnd file is its header alone") {
    std::ostringstream seg, cwnd, queue;
    CsvSeriesWriter csv(seg, cwnd, queue);
    TraceWriter w(nullptr, TraceFormat::json, TraceLevel::summary);
    w.add_sink(&csv);
    w.begin(Json::object());
    w.event(SimTime::zero(), "send").field("node", "a");
    w.end(Json::object());
    CHECK(cwnd.str() == "t,t_ns,node,conn,cwnd,ssthresh,flight,srtt,rttvar,rto,bytes_acked,recovery,cc\n");
    CHECK(lines(seg.str()).size() == 2);
}

TEST_CASE("the verbose human view prints state changes, timers, application and link events") {
    std::ostringstream out;
    HumanView view(out, true, true);
    TraceWriter w(nullptr, TraceFormat::json, TraceLevel::summary);
    w.add_sink(&view);
    w.event(SimTime::from_ms(20), "state").field("node", "client").field("conn", 0).field("port", uint32_t{49152})
        .field("from", "SYN-SENT").field("to", "ESTABLISHED").field("reason", "SYN-ACK received");
    w.event(SimTime::from_ms(20), "timer").field("node", "client").field("conn", 0).field("timer", "retransmit")
        .field("action", "set").field("due", 0.22).field("due_ns", int64_t{220'000'000});
    w.event(SimTime::from_ms(21), "app").field("node", "server").field("conn", 0).field("event", "closed")
        .field("reason", "reset");
    w.event(SimTime::from_s(1), "link").field("link", "a->b").field("state", "down");
    w.event(SimTime::from_s(1), "send").field("node", "client");  // printed by the tracer, not here
    w.event(SimTime::from_s(2), "mystery").field("node", "n").field("x", 3);
    CHECK(lines(out.str()) == std::vector<std::string>{
        "0.020000000 client:49152 [conn 0] state SYN-SENT -> ESTABLISHED (SYN-ACK received)",
        "0.020000000 client [conn 0] timer retransmit set, due 0.220000000",
        "0.021000000 server [conn 0] app closed: reset",
        "1.000000000 link a->b down",
        "2.000000000 n mystery x=3"});
}

TEST_CASE("the summary table has one row per connection direction and per application") {
    Json s = Json::parse(R"({"run": {"stop_reason": "all_finished", "end_time": 2.0605152, "end_time_ns": 2060515200, "events": 24},
        "connections": [{"conn": 0,
            "forward": {"from": "client:49152", "to": "server:5555", "segments_sent": 5, "payload_bytes_sent": 100,
                        "retransmissions": 0, "segments_dropped": 0, "segments_delivered": 5},
            "reverse": {"from": "server:5555", "to": "client:49152", "segments_sent": 4, "payload_bytes_sent": 200,
                        "retransmissions": 1, "segments_dropped": 1, "segments_delivered": 3}}],
        "applications": [{"type": "bulk", "streams_intact": true, "completed_at": 8.2705008, "goodput_bps": 967293.3,
            "client": {"outcome": "normal", "bytes_received": 200, "rto_expirations": 2},
            "server": {"outcome": "normal", "bytes_received": 100, "rto_expirations": 1}}]})");
    std::ostringstream out;
    HumanView::print_summary(out, s);
    CHECK(lines(out.str()) == std::vector<std::string>{
        "summary: stopped (all_finished) at t=2.060515200 s after 24 events",
        "",
        "conn  from          to            segments  payload bytes  retransmitted  dropped  delivered",
        "   0  client:49152  server:5555          5            100              0        0          5",
        "   0  server:5555   client:49152         4            200              1        1          3",
        "",
        "app  type  client  server  bytes c>s  bytes s>c  RTOs  completed (s)  goodput (Mbit/s)  intact",
        "  0  bulk  normal  normal        100        200     3       8.270501             0.967  yes"});
}

TEST_CASE("a text field with its JSON form given: the JSON text gets that form, sinks the plain text") {
    std::ostringstream out;
    TraceWriter w(&out, TraceFormat::jsonl, TraceLevel::all);
    RecordingSink sink(true);
    w.add_sink(&sink);
    w.event(SimTime::zero(), "send").text("node", "a\"b", "\"a\\\"b\"").field("seq", uint64_t{7});
    w.flush();
    REQUIRE(sink.seen.size() == 1);
    CHECK(sink.seen[0] == "send 0 node='a\"b' seq=u7");
    CHECK(Json::parse(lines(out.str()).at(0)).at("node") == "a\"b");

    // The same record on the inline path (no sink takes it): the same JSON text.
    std::ostringstream alone;
    TraceWriter only_json(&alone, TraceFormat::jsonl, TraceLevel::all);
    only_json.event(SimTime::zero(), "send").text("node", "a\"b", "\"a\\\"b\"").field("seq", uint64_t{7});
    only_json.flush();
    CHECK(alone.str() == out.str());
}
