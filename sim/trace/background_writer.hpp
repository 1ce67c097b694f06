#pragma once
// BackgroundWriter: writes text buffers to a stream on a thread of its own, so the simulation
// formats the next buffer while this one is copied into the file. On benchmark case A with a
// segments-level trace, write() and its page-cache work were 29% of the run's CPU time; the
// machine has a second core for it. Up to kQueued buffers wait for the thread, written in the
// order they came; write() waits only when all are taken. With one buffer in flight, the
// simulation waited at most of case A's 97 hand-overs in some runs (73-88 of them, 8-17 ms): the
// thread, asleep between buffers, is slow to wake on a VM, and the next buffer was full by then.
// The stream must not be used by anyone else until finish() returns.
//
// Given a TraceTextFormatter, the buffers handed over are a trace's ops (trace_ops.hpp), and the
// thread makes their text before writing it: the formatting leaves the simulation's thread too.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include "sim/core/text_buffer.hpp"
#include "sim/trace/trace_ops.hpp"

namespace tcpsim {

class BackgroundWriter {
public:
    // `formatter` (may be null: the buffers are text) is used by the thread alone until finish().
    explicit BackgroundWriter(std::ostream& out, TraceTextFormatter* formatter = nullptr);
    BackgroundWriter(const BackgroundWriter&) = delete;
    BackgroundWriter& operator=(const BackgroundWriter&) = delete;
    ~BackgroundWriter();

    // Buffers handed over and not yet written, at most.
    static constexpr size_t kQueued = 4;

    // Hands `buf`'s bytes over to be written and gives back an empty buffer (with the capacity
    // of one written earlier, or of `buf`) in its place.
    void write(TextBuffer& buf);
    // Waits until every byte handed over is written and stops the thread; later write() calls
    // write in the calling thread. True unless the stream failed.
    bool finish();
    // The stream failed on some earlier write (noticed at most kQueued + 1 buffers late).
    bool failed() const { return failed_.load(std::memory_order_relaxed); }
    // Bytes written to the stream; complete once finish() returned.
    uint64_t bytes_written() const { return bytes_.load(std::memory_order_relaxed); }

private:
    void run();
    // Formats (when there is a formatter) and writes `buf`, then clears it.
    void write_out(TextBuffer& buf);

    std::ostream& out_;
    TraceTextFormatter* formatter_;
    TextBuffer text_;       // the formatter's output
    std::mutex mutex_;
    std::condition_variable work_;  // the thread waits for a buffer (or for stopping_)
    std::condition_variable room_;  // write() waits for room in queued_
    std::deque<TextBuffer> queued_;  // handed over, oldest first; the thread takes the front
    std::vector<TextBuffer> spare_;  // written and emptied: given back by write()
    bool stopping_ = false;
    std::atomic<bool> failed_{false};
    std::atomic<uint64_t> bytes_{0};
    std::thread thread_;  // last: starts once everything above is constructed
};

}  // namespace tcpsim
