#include "sim/background_writer.hpp"

#include <utility>

namespace tcpsim {

BackgroundWriter::BackgroundWriter(std::ostream& out) : out_(out), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() { finish(); }

void BackgroundWriter::write(TextBuffer& buf) {
    if (buf.empty()) return;
    if (!thread_.joinable()) {  // finished: nothing runs in the background any more
        out_.write(buf.view().data(), static_cast<std::streamsize>(buf.size()));
        if (!out_) failed_ = true;
        buf.clear();
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

void BackgroundWriter::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return busy_ || stopping_; });
        if (!busy_) return;  // stopping, and everything handed over is written
        lock.unlock();
        // The stream and in_flight_ are this thread's alone while busy_.
        out_.write(in_flight_.view().data(), static_cast<std::streamsize>(in_flight_.size()));
        if (!out_) failed_ = true;
        in_flight_.clear();
        lock.lock();
        busy_ = false;
        changed_.notify_all();
    }
}

}  // namespace tcpsim
