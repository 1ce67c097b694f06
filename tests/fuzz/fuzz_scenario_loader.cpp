// libFuzzer harness: arbitrary bytes as a scenario file. Expected outcomes: it loads, or an
// InputError. See tests/fuzz/README section in the top-level README ("Security and limits").
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_oracles.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tcpsim::fuzz::load(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
