// Bad TCP settings and TCP applications, through the command line as a user meets them: exit
// code 2 from both `validate` and `run`, a message naming the file and the JSON pointer of the
// field at fault and what was expected, and no trace written. One row per mistake.
#include <doctest/doctest.h>

#include "cli_harness.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "models/scenario/scenario_config.hpp"
#include "tools/tcpsim/cli.hpp"

namespace fs = std::filesystem;

namespace {

using TempDir = tcpsim::test::ScratchDir;  // tests/cli_harness.hpp

using tcpsim::test::BadInput;
using tcpsim::test::cli;
using tcpsim::test::write_text;

// Hosts "client" and "server" joined through the router "r"; `tcp` is the top-level "tcp"
// object, `app` one application.
std::string scenario(const std::string& tcp, const std::string& app) {
    return R"({"name": "t", "duration": "10s",)"
           R"( "nodes": [{"name": "client"}, {"name": "server"}, {"name": "r", "type": "router"}],)"
           R"( "links": [{"between": ["client", "r"]}, {"between": ["r", "server"]}],)"
           R"( "tcp": )" + tcp + R"(, "applications": [)" + app + "]}";
}
const std::string kBulk = R"({"type": "bulk", "from": "client", "to": "server", "bytes": 1000})";
std::string with_tcp(const std::string& tcp) { return scenario(tcp, kBulk); }
std::string with_app(const std::string& app) { return scenario("{}", app); }

std::vector<BadInput> bad_inputs() {
    return {
        // The "tcp" object: ranges.
        {"mss too small", with_tcp(R"({"mss": 10})"), "/tcp/mss", "expected an integer in [88, 65495], got 10"},
        {"mss too large", with_tcp(R"({"mss": 70000})"), "/tcp/mss", "expected an integer in [88, 65495]"},
        {"keepalive count 0", with_tcp(R"({"keepalive": {"count": 0}})"), "/tcp/keepalive/count",
         "expected an integer in [1, 1000], got 0"},
        {"keepalive interval 0", with_tcp(R"({"keepalive": {"interval": "0s"}})"), "/tcp/keepalive/interval",
         "expected a duration >= 1ms"},
        {"delayed ACK longer than RFC 1122 allows", with_tcp(R"({"delayed_ack": {"max_delay": "600ms"}})"),
         "/tcp/delayed_ack/max_delay", "at most 500ms (RFC 1122 4.2.3.2)"},
        {"delayed ACK every 0 segments", with_tcp(R"({"delayed_ack": {"every": 0}})"), "/tcp/delayed_ack/every",
         "expected an integer in [1, 64]"},
        {"min_rto above max_rto", with_tcp(R"({"min_rto": "2s", "max_rto": "1s"})"), "/tcp/max_rto",
         "a duration >= min_rto (2s)"},
        {"isn 2^32", with_tcp(R"({"isn": 4294967296})"), "/tcp/isn", "expected an integer in [0, 4294967295], got 4294967296"},
        {"negative isn", with_tcp(R"({"isn": -1})"), "/tcp/isn", "expected an integer in [0, 4294967295]"},
        {"negative send_buffer", with_tcp(R"({"send_buffer": -4096})"), "/tcp/send_buffer", "expected a size >= 1 bytes"},
        {"zero receive_buffer", with_tcp(R"({"receive_buffer": 0})"), "/tcp/receive_buffer", "expected a size >= 1 bytes"},
        {"receive_buffer over 1 GiB", with_tcp(R"({"receive_buffer": "2GiB"})"), "/tcp/receive_buffer", "at most 1 GiB"},
        {"data_retries 0", with_tcp(R"({"data_retries": 0})"), "/tcp/data_retries", "expected an integer in [1, 127]"},
        {"syn_retries 128", with_tcp(R"({"syn_retries": 128})"), "/tcp/syn_retries", "expected an integer in [0, 127]"},
        {"initial_cwnd 0", with_tcp(R"({"initial_cwnd": 0})"), "/tcp/initial_cwnd", "expected an integer in [1, 1000]"},
        {"timestamp tick 0", with_tcp(R"({"timestamp_tick": "0ms"})"), "/tcp/timestamp_tick", "expected a duration >= 1us"},
        {"unknown congestion control", with_tcp(R"({"cc": "vegas"})"), "/tcp/cc",
         "one of newreno, reno, cubic, got \"vegas\""},
        {"congestion control not a string", with_tcp(R"({"cc": 1})"), "/tcp/cc", "expected a string"},
        {"dupthresh 0", with_tcp(R"({"dupthresh": 0})"), "/tcp/dupthresh", "expected an integer in [1, 1000]"},
        {"ecn as a string", with_tcp(R"({"ecn": "yes"})"), "/tcp/ecn", "expected true or false"},

        // Profiles and the behaviours they set.
        {"unknown profile", with_tcp(R"({"profile": "bsd"})"), "/tcp/profile", "one of \"linux\", \"rfc\""},
        {"profile not a string", with_tcp(R"({"profile": true})"), "/tcp/profile", "expected one of \"linux\", \"rfc\", got true"},
        {"unknown rto_formula", with_tcp(R"({"rto_formula": "karn"})"), "/tcp/rto_formula", "one of \"linux\", \"rfc6298\""},
        {"unknown receive_window policy", with_tcp(R"({"receive_window": "bsd"})"), "/tcp/receive_window",
         "one of \"linux\", \"rfc\""},
        {"syn_linear_timeouts 128", with_tcp(R"({"syn_linear_timeouts": 128})"), "/tcp/syn_linear_timeouts",
         "expected an integer in [0, 127]"},
        {"negative user_timeout", with_tcp(R"({"user_timeout": "-1s"})"), "/tcp/user_timeout", "expected a duration >= 0s"},
        {"abc_limit 65", with_tcp(R"({"abc_limit": 65})"), "/tcp/abc_limit", "expected an integer in [0, 64]"},
        {"rack as a string", with_tcp(R"({"rack": "on"})"), "/tcp/rack", "expected true or false"},
        {"tlp as a number", with_tcp(R"({"tlp": 1})"), "/tcp/tlp", "expected true or false"},
        {"quickack as a string", with_tcp(R"({"delayed_ack": {"quickack": "yes"}})"), "/tcp/delayed_ack/quickack",
         "expected true or false"},
        {"autotuning initial above max", with_tcp(R"({"receive_autotuning": {"initial": "8MiB", "max": "1MiB"}})"),
         "/tcp/receive_autotuning/initial", "at most \"max\""},
        {"unknown key in receive_autotuning", with_tcp(R"({"receive_autotuning": {"maxx": "1MiB"}})"),
         "/tcp/receive_autotuning/maxx", "unknown key \"maxx\""},

        // The "tcp" object: types and keys.
        {"keepalive misspelt", with_tcp(R"({"keepalve": true})"), "/tcp/keepalve",
         "unknown key \"keepalve\" (did you mean \"keepalive\"?)"},
        {"unknown key inside keepalive", with_tcp(R"({"keepalive": {"idel": "10s"}})"), "/tcp/keepalive/idel",
         "did you mean \"idle\"?"},
        {"nagle as a string", with_tcp(R"({"nagle": "off"})"), "/tcp/nagle", "expected true or false"},
        {"tcp not an object", with_tcp(R"("fast")"), "/tcp", "expected an object"},

        // Where "tcp" may appear.
        {"tcp object on a router",
         R"({"name": "t", "duration": "10s", "nodes": [{"name": "client"}, {"name": "r", "type": "router", "tcp": {"mss": 1000}}]})",
         "/nodes/1/tcp", "routers have no TCP"},
        {"bad mss in a node's tcp",
         R"({"name": "t", "duration": "10s", "nodes": [{"name": "client", "tcp": {"mss": 1}}]})", "/nodes/0/tcp/mss",
         "expected an integer in [88, 65495]"},
        {"unknown key in an application's tcp",
         with_app(R"({"type": "bulk", "from": "client", "to": "server", "tcp": {"sackk": false}})"), "/applications/0/tcp/sackk",
         "did you mean \"sack\"?"},
        {"bad keepalive in server_tcp",
         with_app(R"({"type": "idle", "from": "client", "to": "server", "server_tcp": {"keepalive": {"count": 0}}})"),
         "/applications/0/server_tcp/keepalive/count", "expected an integer in [1, 1000]"},

        // TCP applications.
        {"sport 0", with_app(R"({"type": "bulk", "from": "client", "to": "server", "sport": 0})"), "/applications/0/sport",
         "expected an integer in [1, 65535]"},
        {"bulk from a router", with_app(R"({"type": "bulk", "from": "r", "to": "server"})"), "/applications/0/from",
         "a host (routers run no applications)"},
        {"bulk to a router", with_app(R"({"type": "bulk", "from": "client", "to": "r"})"), "/applications/0/to",
         "a host (routers run no applications)"},
        {"from equals to", with_app(R"({"type": "bulk", "from": "client", "to": "client"})"), "/applications/0/to",
         "another host than \"from\""},
        {"bytes on a request_response", with_app(R"({"type": "request_response", "from": "client", "to": "server", "bytes": 100})"),
         "/applications/0/bytes", "unknown key \"bytes\""},
        {"start after the duration", with_app(R"({"type": "bulk", "from": "client", "to": "server", "start": "11s"})"),
         "/applications/0/start", "a time before the end of the run (10s)"},
        {"start at the duration", with_app(R"({"type": "bulk", "from": "client", "to": "server", "start": "10s"})"),
         "/applications/0/start", "a time before the end of the run"},
        {"abort before the start", with_app(R"({"type": "bulk", "from": "client", "to": "server", "start": "2s", "abort_at": "1s"})"),
         "/applications/0/abort_at", "expected a duration >= 2s"},
        {"bulk bytes 0", with_app(R"({"type": "bulk", "from": "client", "to": "server", "bytes": 0})"), "/applications/0/bytes",
         "expected a size >= 1 bytes"},
        {"request_response count 0", with_app(R"({"type": "request_response", "from": "client", "to": "server", "count": 0})"),
         "/applications/0/count", "expected an integer in [1, 100000000]"},
        {"negative think time", with_app(R"({"type": "request_response", "from": "client", "to": "server", "think": "-1ms"})"),
         "/applications/0/think", "expected a duration >= 0s"},
        {"client port 70000", with_app(R"({"type": "bulk", "from": "client", "to": "server", "sport": 70000})"),
         "/applications/0/sport", "expected an integer in [1, 65535]"},
    };
}

}  // namespace

TEST_CASE("the bad TCP input table has at least 12 rows") { CHECK(bad_inputs().size() >= 12); }

TEST_CASE("validate refuses each bad TCP setting or application with exit 2 and the JSON pointer") {
    tcpsim::test::check_bad_inputs_refused(bad_inputs(), "validate");
}

TEST_CASE("run refuses each bad TCP setting or application with exit 2, the same message, no trace") {
    tcpsim::test::check_bad_inputs_refused(bad_inputs(), "run");
}

TEST_CASE("the scenario the bad rows are built from is valid, with every TCP setting given") {
    // So that each row fails for its own mistake. All the knobs at once, at legal values.
    TempDir dir;
    fs::path p = dir.path() / "good.json";
    const std::string all = R"({"mss": 1000, "send_buffer": "64KB", "receive_buffer": "1MiB", "window_scaling": true,
        "sack": false, "timestamps": true, "timestamp_tick": "10ms", "nagle": false,
        "delayed_ack": {"enabled": true, "every": 3, "max_delay": "500ms", "quickack": true, "adaptive": false}, "isn": 4294967295, "initial_cwnd": 4,
        "initial_rto": "3s", "min_rto": "1s", "max_rto": "60s", "syn_retries": 0, "synack_retries": 127,
        "data_retries": 1, "msl": "1s", "profile": "rfc", "rto_formula": "linux", "syn_linear_timeouts": 2,
        "user_timeout": "30s", "receive_window": "linux", "receive_autotuning": {"enabled": true, "initial": "64KiB", "max": "4MiB"},
        "abc_limit": 0, "cwnd_validation": true, "slow_start_after_idle": false, "rack": true, "tlp": true, "prr": true,
        "hystart": true, "undo": true, "nagle_minshall": true,
        "keepalive": {"enabled": true, "idle": "1s", "interval": "1ms", "count": 1000, "probe_with_byte": true, "send_rst": false}})";
    for (const std::string& text :
         {with_tcp("{}"), with_tcp(all),
          with_app(R"({"type": "request_response", "from": "client", "to": "server", "count": 3, "think": "5ms", "request": 1, "response": 1})"),
          with_app(R"({"type": "bulk", "from": "client", "to": "server", "start": "9s", "abort_at": "9s", "tcp": {"sack": true}, "server_tcp": {}})")}) {
        INFO(text);
        write_text(p, text);
        tcpsim::test::CliRun v = cli({"validate", p.string()});
        CHECK(v.code == 0);
        CHECK(v.err.empty());
    }
}

TEST_CASE("a scenario built in memory, whose integers are signed, loads like the same text") {
    // nlohmann::json parses a non-negative integer as unsigned, but one built in code
    // (Json{{"bytes", 20000}}) holds it signed: sizes, seeds and queue limits must accept both.
    using tcpsim::Json;
    const std::string text = R"({"name": "t", "duration": "10s", "seed": 42,
        "nodes": [{"name": "client"}, {"name": "server"}],
        "links": [{"between": ["client", "server"], "queue": 50}],
        "tcp": {"send_buffer": 65536},
        "applications": [{"type": "bulk", "from": "client", "to": "server", "bytes": 20000, "reply_bytes": 300}]})";
    Json built{{"name", "t"},
               {"duration", "10s"},
               {"seed", 42},
               {"nodes", {{{"name", "client"}}, {{"name", "server"}}}},
               {"links", {{{"between", {"client", "server"}}, {"queue", 50}}}},
               {"tcp", {{"send_buffer", 65536}}},
               {"applications", {{{"type", "bulk"}, {"from", "client"}, {"to", "server"}, {"bytes", 20000}, {"reply_bytes", 300}}}}};
    REQUIRE(built["seed"].is_number_integer());
    REQUIRE_FALSE(built["seed"].is_number_unsigned());
    for (const Json& doc : {Json::parse(text), built}) {
        tcpsim::ScenarioConfig c = tcpsim::parse_scenario(doc, "inline");
        CHECK(c.seed == 42);
        CHECK(c.tcp.send_buffer == 65536);
        CHECK(c.links.at(0).forward.queue.limit_packets == 50);
        const auto& app = std::get<tcpsim::TcpAppSpec>(c.applications.at(0));
        CHECK(app.bytes == 20000u);
        CHECK(app.reply_bytes == 300u);
    }
    // Negative ones are still refused.
    Json negative = built;
    negative["applications"][0]["bytes"] = -1;
    CHECK_THROWS_AS(tcpsim::parse_scenario(negative, "inline"), tcpsim::InputError);
    negative = built;
    negative["seed"] = -1;
    CHECK_THROWS_AS(tcpsim::parse_scenario(negative, "inline"), tcpsim::InputError);
}
