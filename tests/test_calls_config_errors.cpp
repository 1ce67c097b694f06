// Bad "calls" applications, through the command line as a user meets them: exit code 2 from both
// `validate` and `run`, a message naming the file, the JSON pointer of the field at fault and what
// was expected, and no trace written. One row per mistake.
#include <doctest/doctest.h>

#include "cli_harness.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/scenario/scenario_config.hpp"
#include "tools/tcpsim/cli.hpp"

namespace fs = std::filesystem;

namespace {

using TempDir = tcpsim::test::ScratchDir;  // tests/cli_harness.hpp

using tcpsim::test::BadInput;
using tcpsim::test::cli;
using tcpsim::test::write_text;

// A 10 s run between hosts "client" and "server"; `fields` are the calls application's own.
std::string app(const std::string& fields) {
    return R"({"name": "t", "duration": "10s", "nodes": [{"name": "client"}, {"name": "server"}],)"
           R"( "links": [{"between": ["client", "server"]}],)"
           R"( "applications": [{"type": "calls", "from": "client", "to": "server", )" + fields + "}]}";
}
// The client's list holds these calls.
std::string client(const std::string& calls) { return app(R"("client": [)" + calls + "]"); }

std::vector<BadInput> bad_inputs() {
    return {
        // One call: its keys and values.
        {"unknown key in a call", client(R"({"at": "0s", "write": 100, "evry": "1s"})"), "/applications/0/client/0/evry",
         "unknown key \"evry\" (did you mean \"every\"?)"},
        {"a call without an action", client(R"({"at": "0s"})"), "/applications/0/client/0", "a call needs one action: \"write\", \"read\""},
        {"a call with two actions", client(R"({"at": "0s", "write": 100, "close": true})"), "/applications/0/client/0/close",
         "one action per call: \"write\" and \"close\" are two calls"},
        {"a call without a time", client(R"({"write": 100})"), "/applications/0/client/0/at", "required field is missing"},
        {"a negative time", client(R"({"at": "-1s", "write": 100})"), "/applications/0/client/0/at", "expected a duration >= 0s"},
        {"a call after the end of the run", client(R"({"at": "11s", "write": 100})"), "/applications/0/client/0/at",
         "a time within the run: start (0s) + at <= duration (10s)"},
        {"a call after the end counting the start", app(R"("start": "5s", "server": [{"at": "6s", "write": 1}])"),
         "/applications/0/server/0/at", "start (5s) + at <= duration (10s)"},
        {"repetitions past the end of the run", client(R"({"at": "1s", "write": 1, "repeat": 100, "every": "1s"})"),
         "/applications/0/client/0/repeat", "the last of 100 would be at 100s, after the duration 10s"},
        {"repeat 0", client(R"({"at": "0s", "write": 1, "repeat": 0})"), "/applications/0/client/0/repeat",
         "expected an integer in [1, 10000000]"},
        {"repeat without every", client(R"({"at": "0s", "write": 1, "repeat": 3})"), "/applications/0/client/0/every",
         "not given; expected a positive interval when repeat > 1"},
        {"every 0", client(R"({"at": "0s", "write": 1, "repeat": 3, "every": "0s"})"), "/applications/0/client/0/every",
         "expected a duration >= 1ns"},
        {"every without repeat", client(R"({"at": "0s", "write": 1, "every": "1s"})"), "/applications/0/client/0/every",
         "\"every\" needs \"repeat\" > 1"},
        {"write 0 bytes", client(R"({"at": "0s", "write": 0})"), "/applications/0/client/0/write", "expected a size >= 1 bytes"},
        {"write a word", client(R"({"at": "0s", "write": "lots"})"), "/applications/0/client/0/write", "expected a size >= 1 bytes"},
        {"write more than 1 TiB", client(R"({"at": "0s", "write": "2000GB"})"), "/applications/0/client/0/write",
         "at most 1099511627776 bytes (1 TiB) in one call"},
        {"read some", client(R"({"at": "0s", "read": "some"})"), "/applications/0/client/0/read", "or \"all\", got \"some\""},
        {"shutdown sideways", client(R"({"at": "0s", "shutdown": "sideways"})"), "/applications/0/client/0/shutdown",
         "one of \"read\", \"write\", \"both\""},
        {"close false", client(R"({"at": "0s", "close": false})"), "/applications/0/client/0/close", "expected true"},
        {"nodelay as a word", client(R"({"at": "0s", "nodelay": "yes"})"), "/applications/0/client/0/nodelay", "expected true or false"},
        {"a repeated close", client(R"({"at": "0s", "close": true, "repeat": 2, "every": "1s"})"), "/applications/0/client/0/repeat",
         "a \"close\" is made once"},
        {"a call that is not an object", client("5"), "/applications/0/client/0", "expected an object"},

        // The order of the calls in a list.
        {"a call after the close", client(R"({"at": "1s", "close": true}, {"at": "2s", "write": 5})"), "/applications/0/client/1",
         "a call after the socket is closed (the close at 1s, /applications/0/client/0)"},
        {"a second close", client(R"({"at": "1s", "abort": true}, {"at": "1s", "close": true})"), "/applications/0/client/1",
         "nothing follows a close or an abort"},
        {"a repeated write that goes on past the shutdown",
         client(R"({"at": "1s", "shutdown": "write"}, {"at": "0s", "write": 5, "repeat": 3, "every": "1s"})"),
         "/applications/0/client/1", "a write after the shutdown of writing at 1s"},
        {"a read after shutdown both", app(R"("server": [{"at": "1s", "shutdown": "both"}, {"at": "2s", "read": "all"}])"),
         "/applications/0/server/1", "a read after the shutdown of reading at 1s"},

        // The application.
        {"a list that is not an array", app(R"("client": {})"), "/applications/0/client", "expected an array"},
        {"close_at on a calls application", app(R"("close_at": "1s")"), "/applications/0/close_at", "a {\"close\": true} call in \"client\""},
        {"abort_at on a calls application", app(R"("abort_at": "1s")"), "/applications/0/abort_at", "a {\"abort\": true} call"},
        {"a list of calls on a bulk application",
         R"({"name": "t", "duration": "10s", "nodes": [{"name": "client"}, {"name": "server"}], "links": [{"between": ["client", "server"]}],)"
         R"( "applications": [{"type": "bulk", "from": "client", "to": "server", "client": []}]})",
         "/applications/0/client", "unknown key \"client\""},
        {"more calls in all than the limit",
         app(R"("client": [{"at": "0s", "write": 1, "repeat": 10000000, "every": "1ns"}], "server": [{"at": "0s", "read": 1}])"),
         "/applications/0", "at most 10000000 socket calls in all calls applications together"},
        {"more calls than the limit across connections",
         app(R"("connections": 2, "client": [{"at": "0s", "write": 1, "repeat": 6000000, "every": "1ns"}])"), "/applications/0",
         "(this one brings the total to 12000000)"},
    };
}

}  // namespace

TEST_CASE("calls errors: validate refuses each bad calls application with exit 2 and the JSON pointer") {
    tcpsim::test::check_bad_inputs_refused(bad_inputs(), "validate");
}

TEST_CASE("calls errors: run refuses each bad calls application with exit 2, the same message, no trace") {
    tcpsim::test::check_bad_inputs_refused(bad_inputs(), "run");
}

TEST_CASE("calls errors: a list longer than the limit is refused before its calls are read") {
    std::string calls;
    for (size_t i = 0; i <= tcpsim::kMaxCallEntries; ++i) calls += std::string(i ? ", " : "") + R"({"at": "0s", "write": 1})";
    TempDir dir;
    fs::path p = dir.path() / "scenario.json";
    write_text(p, client(calls));
    tcpsim::test::CliRun v = cli({"validate", p.string()});
    CHECK(v.code == 2);
    CHECK(v.err.find(": /applications/0/client: at most 10000 calls in one list (\"repeat\" repeats one), not 10001") != std::string::npos);
}

TEST_CASE("calls errors: the pieces the bad rows are built from are valid, with every kind of call") {
    // So that each row fails for its own mistake: every action, repeat and every at their limits.
    TempDir dir;
    fs::path p = dir.path() / "good.json";
    for (const std::string& text :
         {app(R"("client": [])"), app(R"("server": [])"),
          client(R"({"at": "0s", "nodelay": true}, {"at": "0s", "cork": false}, {"at": "1s", "write": "64KB", "repeat": 10, "every": "100ms"},
                     {"at": "1s", "read": 1}, {"at": "2s", "read": "all"}, {"at": "3s", "shutdown": "read"}, {"at": "4s", "shutdown": "write"},
                     {"at": "10s", "close": true})"),
          client(R"({"at": "0s", "write": 1, "repeat": 10, "every": "1s"}, {"at": "9s", "shutdown": "both"}, {"at": "9s", "abort": true})"),
          app(R"("start": "5s", "connections": 2, "client": [{"at": "5s", "write": 1}], "server": [{"at": "0s", "read": 10}])")}) {
        INFO(text);
        write_text(p, text);
        tcpsim::test::CliRun v = cli({"validate", p.string()});
        CHECK(v.code == 0);
        CHECK(v.err.empty());
    }
}
