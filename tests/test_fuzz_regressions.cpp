// Every input the fuzzers ever found a bug with (tests/data/fuzz/FUZZER/, one file each, named
// for the bug) is replayed in every build through the same oracle the fuzzer used: it must load
// or be refused with an InputError, and a scenario that loads must simulate with a valid trace
// and intact streams. In the sanitizer build, ASan and UBSan watch the replay as well.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/fuzz/fuzz_oracles.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / dir))
        if (e.is_regular_file() && e.path().filename() != "README") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("fuzz regressions: every input that once broke the scenario loader loads or is refused cleanly") {
    auto files = inputs("tests/data/fuzz/scenario_loader");
    CHECK(!files.empty());
    for (const auto& f : files) {
        CAPTURE(f.filename().string());
        CHECK_NOTHROW(tcpsim::fuzz::load(read_file(f)));
    }
}

TEST_CASE("fuzz regressions: every input that once broke a simulation now runs or is refused cleanly") {
    auto files = inputs("tests/data/fuzz/simulation");
    for (const auto& f : files) {
        CAPTURE(f.filename().string());
        CHECK_NOTHROW(tcpsim::fuzz::load_and_simulate(read_file(f)));
    }
}

TEST_CASE("fuzz regressions: every valid scenario that once broke an invariant now keeps it") {
    // Scenarios (not fuzzer input bytes) kept from fuzz_valid_scenarios: intact streams, two
    // identical runs, and completion where the scenario says "_complete_by".
    for (const auto& f : inputs("tests/data/fuzz/valid_scenarios")) {
        CAPTURE(f.filename().string());
        CHECK_NOTHROW(tcpsim::fuzz::check_valid_scenario(read_file(f)));
    }
}

TEST_CASE("the fuzzers' extra seeds (forged segments, extreme values) load and simulate cleanly") {
    // tests/fuzz/seeds: scenarios the fuzzers start from besides scenarios/. Each must load (they
    // are valid on purpose) and pass the simulation oracle.
    auto files = inputs("tests/fuzz/seeds");
    CHECK(files.size() >= 20);
    for (const auto& f : files) {
        CAPTURE(f.filename().string());
        bool simulated = false;
        CHECK_NOTHROW(simulated = tcpsim::fuzz::load_and_simulate(read_file(f)));
        CHECK(simulated);
    }
}
