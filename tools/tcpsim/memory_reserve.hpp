#pragma once
#include <cstddef>

namespace tcpsim {

// Sets aside `bytes` of address space (allocated, never touched, so it costs no memory) and
// installs a new-handler that gives it back on the first failed allocation before throwing
// std::bad_alloc. The unwinding that follows needs memory of its own: destroying a large
// nlohmann::json tree allocates a stack of the children still to destroy, and an allocation that
// fails inside a destructor ends the process (std::terminate, SIGABRT) instead of reaching the
// "tcpsim: error: out of memory" handler. The reserve makes the first failure one that can be
// reported; tcpsim exits after it.
void install_memory_reserve(size_t bytes);

}  // namespace tcpsim
