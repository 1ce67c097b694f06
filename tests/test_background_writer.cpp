// BackgroundWriter and TraceWriter::write_in_background(): the file gets the same bytes in the
// same order as when the simulation thread writes it (the text made on the writer's thread from
// the records' ops), and a failing stream is still noticed.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/decimal.hpp"
#include "sim/trace/background_writer.hpp"
#include "sim/trace/trace_writer.hpp"

using namespace tcpsim;

namespace {

// A field made on the formatting side from a copy of its bytes: ,"pair":[v,2v].
char* pair_json(const char* payload, char* out) {
    int32_t v;
    std::memcpy(&v, payload, sizeof v);
    out = copy_text(out, ",\"pair\":");
    *out++ = '[';
    out = write_decimal(out, v);
    *out++ = ',';
    out = write_decimal(out, 2 * static_cast<int64_t>(v));
    *out++ = ']';
    return out;
}

// Enough records to cross the 256 KiB flush many times, fields of every kind, runs of fields
// remembered and repeated: in the background the text is made from the ops on the writer's
// thread, in the foreground as each record ends.
std::string trace_text(bool background, TraceFormat format) {
    std::ostringstream out;
    {
        TraceWriter w(&out, format, TraceLevel::all);
        if (background) w.write_in_background();
        w.begin(Json{{"scenario", "bg"}});
        for (int i = 0; i < 50000; ++i) {
            auto r = w.event(SimTime::from_us(i / 3), i % 3 ? "send" : (i % 5 ? "deliver" : "odd \"type\""));
            r.field("i", i)
                .field("u", uint64_t{4000000000u} + static_cast<uint64_t>(i))
                .text("node", "n1", "\"n1\"")
                .field("ok", i % 2 == 0)
                .seconds("rto", SimTime::from_us(200000 + i))
                .field("ratio", i % 7 ? i / 7.0 : std::nan(""))
                .field("note", i % 11 ? "plain" : "tab\there \"quoted\"")
                .raw("obj", "{\"a\":[1,2]}");
            int32_t v = i - 25000;
            r.fields(&pair_json, &v, sizeof v, 60);
            uint32_t slot = static_cast<uint32_t>(i / 4) % kTraceSlots;
            if (i % 4 == 0) {
                r.remember(slot);
                r.field("first", i).field("name", "run \"" + std::to_string(i) + "\"");
                r.forget();
            } else {
                r.repeat(slot);
            }
        }
        w.end(Json{{"events", 50000}});
        CHECK(w.events_written() == 50000);
        CHECK(w.bytes_written() == out.str().size());
        CHECK(w.status() == TraceWriter::Status::writing);
    }
    return out.str();
}

}  // namespace

TEST_CASE("a trace written in the background is byte-identical to one written in the foreground") {
    for (TraceFormat format : {TraceFormat::json, TraceFormat::jsonl}) {
        CAPTURE(to_string(format));
        std::string fg = trace_text(false, format), bg = trace_text(true, format);
        CHECK(fg.size() > 5'000'000);  // about 20 flushes of 256 KiB
        CHECK(bg == fg);
        // The foreground text itself is right: every line parses, repeats carry their run.
        std::istringstream in(fg);
        std::string line;
        std::vector<Json> records;
        if (format == TraceFormat::jsonl) {
            while (std::getline(in, line)) records.push_back(Json::parse(line));
            records.erase(records.begin());
            records.pop_back();
        } else {
            Json doc = Json::parse(fg);
            for (auto& e : doc.at("events")) records.push_back(e);
        }
        REQUIRE(records.size() == 50000);
        for (int i : {0, 1, 2, 3, 4, 5, 10, 44, 49999}) {
            CAPTURE(i);
            const Json& r = records[static_cast<size_t>(i)];
            CHECK(r.at("i") == i);
            CHECK(r.at("first") == i / 4 * 4);
            CHECK(r.at("name") == "run \"" + std::to_string(i / 4 * 4) + "\"");
            CHECK(r.at("pair") == Json::array({i - 25000, 2 * (i - 25000)}));
            CHECK(r.at("rto") == (200000 + i) / 1e6);
            CHECK(r.at("obj") == Json::parse(R"({"a":[1,2]})"));
        }
        CHECK(records[0].at("type") == "odd \"type\"");
        CHECK(records[0].at("ratio").is_null());
        CHECK(records[11].at("note") == "tab\there \"quoted\"");
    }
}

TEST_CASE("buffers handed to the background writer reach the stream in order, emptied on return") {
    std::ostringstream out;
    std::string want;
    {
        BackgroundWriter bw(out);
        TextBuffer buf;
        for (int i = 0; i < 2000; ++i) {
            std::string piece = std::to_string(i) + (i % 7 ? "," : "\n");
            buf.append(piece);
            want += piece;
            if (i % 13 == 0) {
                bw.write(buf);
                CHECK(buf.empty());
            }
        }
        bw.write(buf);
        CHECK(bw.finish());
        // After finish() a write still works, in the calling thread.
        buf.append("end");
        want += "end";
        bw.write(buf);
        CHECK(bw.finish());
    }
    CHECK(out.str() == want);
}

TEST_CASE("a stream that fails under the background writer stops the trace as a write failure") {
    std::ofstream full("/dev/full", std::ios::binary);
    if (!full) return;  // Linux only: every write to /dev/full fails (ENOSPC)
    TraceWriter w(&full, TraceFormat::jsonl, TraceLevel::all);
    int stops = 0;
    w.set_on_stop([&] { ++stops; });
    w.write_in_background();
    w.begin(Json::object());
    // ofstream buffers small writes: enough records that the writes reach the device.
    for (int i = 0; i < 100000 && w.status() == TraceWriter::Status::writing; ++i)
        w.event(SimTime::from_us(i), "send").field("i", i).field("pad", "0123456789abcdef0123456789abcdef");
    w.end(Json::object());
    CHECK(w.status() == TraceWriter::Status::write_failed);
    CHECK(stops == 1);
}

namespace {
// A stream buffer whose writes wait until release(): a disk (or a writer's thread) that is slow.
class HeldStreamBuf : public std::stringbuf {
public:
    void release() {
        std::lock_guard lock(m_);
        held_ = false;
        cv_.notify_all();
    }

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::unique_lock lock(m_);
        cv_.wait(lock, [this] { return !held_; });
        return std::stringbuf::xsputn(s, n);
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool held_ = true;
};
}  // namespace

TEST_CASE("the background writer takes several buffers without waiting while the stream is slow") {
    // The simulation hands a buffer over and goes on; with the thread held on a slow write, the
    // next kQueued buffers queue up instead of stopping the simulation at each hand-over.
    HeldStreamBuf held;
    std::ostream out(&held);
    std::string want;
    {
        BackgroundWriter bw(out);
        auto hand_over = std::async(std::launch::async, [&] {
            TextBuffer buf;
            for (size_t i = 0; i <= BackgroundWriter::kQueued; ++i) {  // one held in the write, kQueued queued
                std::string piece = "buffer " + std::to_string(i) + "\n";
                buf.append(piece);
                want += piece;
                bw.write(buf);
            }
        });
        bool returned = hand_over.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
        CHECK(returned);
        held.release();
        hand_over.get();
        CHECK(bw.finish());
    }
    CHECK(held.str() == want);
}
