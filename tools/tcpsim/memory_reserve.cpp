#include "tools/tcpsim/memory_reserve.hpp"

#include <new>

namespace tcpsim {

namespace {

char* reserve = nullptr;

void give_back_reserve() {
    if (reserve) {
        delete[] reserve;
        reserve = nullptr;
    }
    throw std::bad_alloc();
}

}  // namespace

void install_memory_reserve(size_t bytes) {
    if (!reserve) reserve = new (std::nothrow) char[bytes];
    std::set_new_handler(give_back_reserve);
}

}  // namespace tcpsim
