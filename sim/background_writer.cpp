#include "sim/background_writer.hpp"

#include <utility>

namespace tcpsim {

BackgroundWriter::BackgroundWriter(std::ostream& out, TraceTextFormatter* formatter)
    : out_(out), formatter_(formatter), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() { finish(); }

void BackgroundWriter::write(TextBuffer& buf) {
    if (buf.empty()) return;
    if (!thread_.joinable()) {  // finished: nothing runs in the background any more
        write_out(buf);
        return;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !busy_; });
    std::swap(buf, in_flight_);  // in_flight_ was cleared by the thread
    busy_ = true;
    lock.unlock();
    changed_.notify_all();
}

bool BackgroundWriter::finish() {
    if (thread_.joinable()) {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    return !failed();
}

void BackgroundWriter::write_out(TextBuffer& buf) {
    TextBuffer* text = &buf;
    if (formatter_) {
        text_.clear();
        formatter_->format(buf.view(), text_);
        text = &text_;
    }
    out_.write(text->view().data(), static_cast<std::streamsize>(text->size()));
    if (!out_) failed_ = true;
    bytes_.fetch_add(text->size(), std::memory_order_relaxed);
    buf.clear();
}

void BackgroundWriter::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return busy_ || stopping_; });
        if (!busy_) return;  // stopping, and everything handed over is written
        lock.unlock();
        // The stream, the formatter and in_flight_ are this thread's alone while busy_.
        write_out(in_flight_);
        lock.lock();
        busy_ = false;
        changed_.notify_all();
    }
}

}  // namespace tcpsim
