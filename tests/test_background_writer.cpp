// BackgroundWriter and TraceWriter::write_in_background(): the file gets the same bytes in the
// same order as when the simulation thread writes it, and a failing stream is still noticed.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sim/background_writer.hpp"
#include "sim/trace_writer.hpp"

using namespace tcpsim;

namespace {

// Enough records to cross the 64 KiB flush many times, fields of every inline kind.
std::string trace_text(bool background, TraceFormat format) {
    std::ostringstream out;
    {
        TraceWriter w(&out, format, TraceLevel::all);
        if (background) w.write_in_background();
        w.begin(Json{{"scenario", "bg"}});
        for (int i = 0; i < 50000; ++i)
            w.event(SimTime::from_us(i), i % 3 ? "send" : "deliver")
                .field("i", i)
                .field("u", uint64_t{4000000000u} + static_cast<uint64_t>(i))
                .text("node", "n1", "\"n1\"")
                .field("ok", i % 2 == 0);
        w.end(Json{{"events", 50000}});
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
        CHECK(fg.size() > 2'000'000);  // about 40 flushes of 64 KiB
        CHECK(bg == fg);
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
