// Interrupting a run (SIGINT, SIGTERM, or any flag a signal handler raises) ends it after the
// current event, and the trace is closed with its summary: valid JSON that says "interrupted".
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "models/scenario/world.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace tcpsim;

namespace {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "tcpsim-interrupt-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// An hour of bulk transfer over a 1 Gbit/s link: about 3 x 10^8 segments, minutes of wall time
// at least, so the signal always finds it running.
const char* kLongRun = R"({"name": "long", "duration": "1h",
  "nodes": [{"name": "a"}, {"name": "b"}],
  "links": [{"between": ["a", "b"], "bandwidth": "1Gbps", "delay": "1ms"}],
  "applications": [{"type": "bulk", "from": "a", "to": "b"}]})";

// Raises a flag at a set simulated time, as a signal handler would at some wall time.
struct FlagRaiser final : EventTarget {
    volatile std::sig_atomic_t* flag;
    explicit FlagRaiser(volatile std::sig_atomic_t* f) : flag(f) {}
    void on_event(uint32_t, uint64_t) override { *flag = 1; }
};

ScenarioConfig long_run() { return parse_scenario(Json::parse(kLongRun), "long.json"); }

// Runs `tcpsim run SCENARIO -q -o TRACE`, sends `sig` once the trace has passed 100 kB (so the
// run is well under way), and returns the exit status.
int run_and_signal(const std::string& scenario, const std::string& trace, int sig) {
    std::string bin = TCPSIM_BINARY;
    const char* argv[] = {bin.c_str(), "run", scenario.c_str(), "-q", "-o", trace.c_str(), nullptr};
    pid_t pid;
    REQUIRE(posix_spawn(&pid, bin.c_str(), nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::error_code ec;
    while (std::chrono::steady_clock::now() < deadline && !(fs::exists(trace, ec) && fs::file_size(trace, ec) > 100'000))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(::kill(pid, sig) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));  // ended by itself, not killed by the signal
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("a raised interrupt flag ends the run after the current event with stop reason interrupted") {
    ScenarioConfig c = long_run();
    volatile std::sig_atomic_t flag = 0;
    std::ostringstream trace;
    RunOptions o;
    o.trace_out = &trace;
    o.interrupt = &flag;
    World w(c, o);
    FlagRaiser raiser(&flag);
    w.sim().at(SimTime::from_ms(500), &raiser, 0);
    RunResult r = w.run();
    CHECK(r.reason == StopReason::interrupted);
    // The flag is checked before each event: the raiser's event at 0.5 s is the last one run.
    CHECK(r.end_time == SimTime::from_ms(500));
    Json doc = Json::parse(trace.str());
    CHECK(doc["summary"]["run"]["stop_reason"] == "interrupted");
    CHECK(doc["summary"]["run"]["end_time_ns"] == 500'000'000);
    CHECK(doc["events"].size() > 100);
}

TEST_CASE("a flag raised before the run starts runs no event at all") {
    ScenarioConfig c = long_run();
    volatile std::sig_atomic_t flag = 1;
    RunOptions o;
    o.interrupt = &flag;
    World w(c, o);
    RunResult r = w.run();
    CHECK(r.reason == StopReason::interrupted);
    CHECK(r.events == 0);
}

TEST_CASE("SIGINT during tcpsim run: exit 130, the trace file complete JSON with stop reason interrupted") {
    TempDir dir;
    std::string scenario = dir.file("long.json"), trace = dir.file("long.trace.json");
    std::ofstream(scenario) << kLongRun;
    CHECK(run_and_signal(scenario, trace, SIGINT) == 130);
    Json doc = Json::parse(read_file(trace));  // throws if the file was cut off
    CHECK(doc["summary"]["run"]["stop_reason"] == "interrupted");
    CHECK(doc["summary"]["run"]["end_time_ns"].get<int64_t>() < int64_t{3600} * 1'000'000'000);
    CHECK(doc["events"].size() > 300);  // 100 kB of records of about 300 bytes had been written
}

TEST_CASE("SIGTERM during tcpsim run ends it the same way") {
    TempDir dir;
    std::string scenario = dir.file("long.json"), trace = dir.file("long.trace.json");
    std::ofstream(scenario) << kLongRun;
    CHECK(run_and_signal(scenario, trace, SIGTERM) == 130);
    Json doc = Json::parse(read_file(trace));
    CHECK(doc["summary"]["run"]["stop_reason"] == "interrupted");
}
