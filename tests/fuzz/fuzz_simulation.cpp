// libFuzzer harness: arbitrary bytes as a scenario, and when it loads, a short simulation of it
// (at most 10,000 events and 120 s of simulated time; see SimulationBudget) whose trace must be
// valid JSON and whose TCP streams must be intact.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_oracles.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    tcpsim::fuzz::load_and_simulate(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
