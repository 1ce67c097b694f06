#include "sim/trace/background_writer.hpp"

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
    room_.wait(lock, [this] { return queued_.size() < kQueued; });
    queued_.emplace_back();
    std::swap(queued_.back(), buf);
    if (!spare_.empty()) {
        std::swap(buf, spare_.back());
        spare_.pop_back();
    } else {
        buf.reserve(queued_.back().capacity());  // the first few hand-overs only
    }
    lock.unlock();
    work_.notify_one();
}

bool BackgroundWriter::finish() {
    if (thread_.joinable()) {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_.notify_one();
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
    TextBuffer buf;
    std::unique_lock lock(mutex_);
    for (;;) {
        work_.wait(lock, [this] { return !queued_.empty() || stopping_; });
        if (queued_.empty()) return;  // stopping, and everything handed over is written
        std::swap(buf, queued_.front());
        queued_.pop_front();
        lock.unlock();
        room_.notify_one();  // a write() waiting for room has it now
        // The stream and the formatter are this thread's alone until finish().
        write_out(buf);
        lock.lock();
        spare_.emplace_back();
        std::swap(spare_.back(), buf);
    }
}

}  // namespace tcpsim
