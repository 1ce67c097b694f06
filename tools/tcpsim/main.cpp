#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <streambuf>

#include "tools/tcpsim/cli.hpp"
#include "tools/tcpsim/memory_reserve.hpp"

namespace {

// Standard output through write(2) with a buffer of its own, remembering why the first failed
// write failed (a full disk, a closed pipe): std::cout only says that something did.
class StdoutBuffer final : public std::streambuf {
public:
    StdoutBuffer() { setp(buf_, buf_ + sizeof buf_); }
    ~StdoutBuffer() override { sync(); }
    int error() const { return error_; }
    const int* error_ptr() const { return &error_; }

protected:
    int overflow(int c) override {
        if (drain() != 0) return traits_type::eof();
        if (c != traits_type::eof()) {
            *pptr() = static_cast<char>(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return drain(); }

private:
    int drain() {
        const char* p = pbase();
        while (p < pptr()) {
            ssize_t n = ::write(1, p, static_cast<size_t>(pptr() - p));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (!error_) error_ = n < 0 ? errno : EIO;
                setp(buf_, buf_ + sizeof buf_);  // what could not be written is dropped
                return -1;
            }
            p += n;
        }
        setp(buf_, buf_ + sizeof buf_);
        return 0;
    }
    char buf_[1 << 16];
    int error_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    // 64 MiB: more than destroying the largest tree the JSON limits allow needs (a list of
    // kMaxJsonListLength entries: a 16 MB stack of values to destroy, grown by doubling).
    tcpsim::install_memory_reserve(64u << 20);
    StdoutBuffer buffer;
    std::ostream out(&buffer);
    return tcpsim::cli_main(argc, argv, out, std::cerr, buffer.error_ptr());
}
