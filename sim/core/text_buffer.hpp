#pragma once
// TextBuffer: a growable byte buffer for text output written in place. The trace writer asks for
// room for a whole field (",\"key\":" and its value), writes into it with plain stores and
// commits what it wrote: one capacity test per field instead of one per appended piece, and
// nothing zero-filled first (as std::string::resize would). Grows by doubling; never shrinks.
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace tcpsim {

class TextBuffer {
public:
    explicit TextBuffer(size_t capacity = 0) { reserve(capacity); }

    // Where at least `n` more bytes may be written; commit() the end of what was written.
    char* room(size_t n) {
        if (cap_ - len_ < n) reserve(len_ + n);
        return data_.get() + len_;
    }
    void commit(const char* end) { len_ = static_cast<size_t>(end - data_.get()); }

    void append(std::string_view s) {
        char* p = room(s.size());
        std::memcpy(p, s.data(), s.size());
        len_ += s.size();
    }
    void append(char c) { *room(1) = c, ++len_; }

    std::string_view view() const { return {data_.get(), len_}; }
    size_t size() const { return len_; }
    size_t capacity() const { return cap_; }
    bool empty() const { return len_ == 0; }
    void clear() { len_ = 0; }
    // Drops everything after the first n bytes (n <= size()).
    void truncate(size_t n) { len_ = n; }

    void reserve(size_t n) {
        if (n <= cap_) return;
        size_t cap = cap_ ? cap_ : 256;
        while (cap < n) cap *= 2;
        std::unique_ptr<char[]> grown(new char[cap]);
        if (len_) std::memcpy(grown.get(), data_.get(), len_);
        data_ = std::move(grown);
        cap_ = cap;
    }

private:
    std::unique_ptr<char[]> data_;
    size_t len_ = 0;
    size_t cap_ = 0;
};

// Copies `s` to `p` and returns the end: for writing into TextBuffer::room().
inline char* copy_text(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
}

}  // namespace tcpsim
