// `tcpsim packetdrill` end to end, on scripts written here: the verdict lines (pass, fail with the
// line and what differs, unsupported, parse error with line and column), the counts and exit
// codes, usage errors, -v, -o with the trace, the matching rules (a run of segments for one
// offloaded segment, a blocking call's return time, sysctls, TS values) and the limits.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "cli_harness.hpp"
#include "sim/json/json_reader.hpp"

using namespace tcpsim;
using namespace tcpsim::test;

namespace {

std::string write(const ScratchDir& d, const std::string& name, const std::string& text) {
    std::string path = d.file(name);
    std::ofstream(path) << text;
    return path;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A passive open with no options but the MSS: data tests stay short.
const char* kListen =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535 <mss 1000>\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
    "+.1 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n";
// The same with SACK offered (RACK and TLP need it), 1000-byte segments and a 100 ms RTT.
constexpr const char* kListenSack =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
    "+0 > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 257\n"
    "+0 accept(3, ..., ...) = 4\n";

}  // namespace

TEST_CASE("packetdrill: a script that passes, one that fails at its line, one unsupported, one that does not parse") {
    ScratchDir d;
    std::string ok = write(d, "ok.pkt", std::string(kListen) + "+0 write(4, ..., 1000) = 1000\n+0 > P. 1:1001(1000) ack 1\n");
    // The stack sends 1000 bytes, the script says 500: fails at line 9.
    std::string bad = write(d, "bad.pkt", std::string(kListen) + "+0 write(4, ..., 1000) = 1000\n+0 > P. 1:501(500) ack 1\n");
    std::string unsup = write(d, "unsup.pkt", std::string(kListen) + "+0 ioctl(4, FIONBIO, [1]) = 0\n");
    std::string broken = write(d, "broken.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 > S. 0:0(5) ack 1\n");
    CliRun r = cli({"packetdrill", ok, bad, unsup, broken});
    CHECK(r.code == 1);  // the others still ran
    CHECK(has(r.out, "pass " + ok + "\n"));
    CHECK(has(r.out, "fail " + bad + ":9: expected P. 1:501(500) ack 1, got P. 1:1001(1000) ack 1"));
    CHECK(has(r.out, "sequence 1:1001(1000), expected 1:501(500)"));
    CHECK(has(r.out, "unsupported " + unsup + ":8: ioctl()"));
    CHECK(has(r.out, "fail " + broken + ":2:"));
    CHECK(has(r.out, "parse error"));
    CHECK(has(r.out, "4 scripts: 1 passed, 2 failed, 1 unsupported\n"));
    CHECK(cli({"packetdrill", ok}).code == 0);
    CHECK(cli({"packetdrill", ok, bad}).code == 1);
}

TEST_CASE("packetdrill: usage errors exit 2 and run nothing") {
    ScratchDir d;
    std::string ok = write(d, "ok.pkt", kListen);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"packetdrill"},
             {"packetdrill", d.file("missing.pkt")},
             {"packetdrill", ok, "--format", "pcap"},
             {"packetdrill", ok, "--tolerance-usecs", "-3"},
             {"packetdrill", ok, "--bogus"}}) {
        CliRun r = cli(args);
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK(has(r.err, "tcpsim: error: "));
    }
}

TEST_CASE("packetdrill: -v prints each line as it is met, and -o writes the run as tcpsim run does") {
    ScratchDir d;
    std::string s = write(d, "hs.pkt", std::string(kListen) + "+0 write(4, ..., 2000) = 2000\n+0 > P. 1:2001(2000) ack 1\n");
    CliRun v = cli({"packetdrill", "-v", s});
    CHECK(v.code == 0);
    CHECK(has(v.out, "line 4 sent: +0 < S 0:0(0) win 65535 <mss 1000>"));
    CHECK(has(v.out, "line 9 ok: +0 > P. 1:2001(2000) ack 1  (2 segments)"));  // two 1000-byte segments
    CliRun o = cli({"packetdrill", s, "-o", d.file("run"), "--format", "json,pcap"});
    REQUIRE(o.code == 0);
    Json trace = load_json_file(d.file("run.trace.json"));
    int sends = 0;
    for (const auto& e : trace["events"])
        if (e["type"] == "send" && e["node"] == "local") ++sends;
    CHECK(sends == 3);  // the SYN-ACK and two data segments
    CHECK(fs::exists(d.file("run.local.pcap")));
    CHECK(trace["summary"]["connections"].size() == 1);
}

TEST_CASE("packetdrill: a blocking call returns at its time, and one that returns late fails") {
    ScratchDir d;
    std::string body = std::string(kListen) +
                       "+0...0.1 read(4, ..., 1000) = 1000\n"
                       "+.1 < P. 1:1001(1000) ack 1 win 65535\n";
    CHECK(cli({"packetdrill", write(d, "ok.pkt", body)}).code == 0);
    std::string late = std::string(kListen) +
                       "+0...0.05 read(4, ..., 1000) = 1000\n"
                       "+.1 < P. 1:1001(1000) ack 1 win 65535\n";
    CliRun r = cli({"packetdrill", write(d, "late.pkt", late)});
    CHECK(r.code == 1);
    CHECK(has(r.out, ":8: the blocking call had not returned by 0.154000"));
    // A call that would block on a line that is not a blocking call.
    CliRun b = cli({"packetdrill", write(d, "hang.pkt", std::string(kListen) + "+0 read(4, ..., 1000) = 1000\n")});
    CHECK(has(b.out, ":8: read() would block"));
}

TEST_CASE("packetdrill: Linux's recovery sysctls switch tcpsim's RACK-TLP, and HyStart follows its module parameter") {
    ScratchDir d;
    // Three segments, no ACK: with tcp_early_retrans 3 (Linux's default, and tcpsim's) a tail
    // loss probe goes 2 SRTT + 2 ms after them; with 0 there is none and the RTO comes first.
    std::string body = std::string(kListenSack) +
                       "+0 write(4, ..., 3000) = 3000\n+0 > P. 1:3001(3000) ack 1\n+.202 > P. 2001:3001(1000) ack 1\n";
    CHECK(cli({"packetdrill", write(d, "tlp.pkt", body)}).code == 0);
    CliRun off = cli({"packetdrill", write(d, "notlp.pkt", "`sysctl -q net.ipv4.tcp_early_retrans=0`\n" + body)});
    CHECK(off.code == 1);
    CHECK(has(off.out, "nothing was sent"));
    CHECK(cli({"packetdrill", write(d, "rack-off.pkt", "`sysctl -q net.ipv4.tcp_recovery=0`\n" + body)}).code == 1);
    // A CUBIC module parameter tcpsim has is applied, not listed as ignored; one it lacks is.
    CliRun hy = cli({"packetdrill", write(d, "hy.pkt", "`echo 0 > /sys/module/tcp_cubic/parameters/hystart`\n" + body)});
    CHECK(hy.code == 0);
    CHECK_FALSE(has(hy.out, "ignored"));
    CliRun beta = cli({"packetdrill", write(d, "beta.pkt", "`echo 717 > /sys/module/tcp_cubic/parameters/beta`\n" + body)});
    CHECK(has(beta.out, "(ignored: /sys/module/tcp_cubic/parameters/beta)"));
}

TEST_CASE("packetdrill: sysctls set the host's TCP, and the ones without an equivalent are listed") {
    ScratchDir d;
    // With tcp_sack=0 the SYN-ACK carries no SACK-permitted even though the SYN offers it.
    std::string s = write(d, "nosack.pkt",
                          "`sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_tso_win_divisor=4`\n"
                          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                          "+0 bind(3, ..., ...) = 0\n"
                          "+0 listen(3, 1) = 0\n"
                          "+0 < S 0:0(0) win 65535 <mss 1000,sackOK>\n"
                          "+0 > S. 0:0(0) ack 1 <mss 1460>\n");
    CliRun r = cli({"packetdrill", s});
    CHECK(r.code == 0);
    CHECK(has(r.out, "pass " + s + " (ignored: tcp_tso_win_divisor)"));
    // The same script without the sysctl fails: the SYN-ACK has sackOK.
    std::string with = write(d, "sack.pkt",
                             "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                             "+0 < S 0:0(0) win 65535 <mss 1000,sackOK>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n");
    CliRun f = cli({"packetdrill", with});
    CHECK(f.code == 1);
    CHECK(has(f.out, "options <mss 1460,nop,nop,sackOK>, expected <mss 1460>"));
}

TEST_CASE("packetdrill: TS val is compared within the tolerance from the offset of the first, TS ecr exactly") {
    ScratchDir d;
    std::string head =
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
        "+0 < S 0:0(0) win 65535 <mss 1000,TS val 100 ecr 0>\n"
        "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 500 ecr 100>\n"
        "+.1 < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 200 ecr 500>\n"
        "+0 accept(3, ..., ...) = 4\n"
        "+0 write(4, ..., 100) = 100\n";
    // 100 ms later the local clock (1 ms ticks) says 600.
    CHECK(cli({"packetdrill", write(d, "ts.pkt", head + "+0 > P. 1:101(100) ack 1 <nop,nop,TS val 600 ecr 200>\n")}).code == 0);
    CliRun val = cli({"packetdrill", write(d, "val.pkt", head + "+0 > P. 1:101(100) ack 1 <nop,nop,TS val 650 ecr 200>\n")});
    CHECK(has(val.out, "TS val"));
    CliRun ecr = cli({"packetdrill", write(d, "ecr.pkt", head + "+0 > P. 1:101(100) ack 1 <nop,nop,TS val 600 ecr 199>\n")});
    CHECK(has(ecr.out, "TS ecr"));
}

TEST_CASE("packetdrill: a script waiting for ever stops at the run's limit and says so") {
    ScratchDir d;
    // `*` waits for a segment at any time; the stack sends none after the handshake.
    CliRun r = cli({"packetdrill", write(d, "wait.pkt", std::string(kListen) + "* > P. 1:2(1) ack 1\n"), "--max-events", "1000"});
    CHECK(r.code == 1);
    CHECK(has(r.out, "before the script's end"));
}

TEST_CASE("packetdrill: a second connection in one script is unsupported, not a confusing mismatch") {
    ScratchDir d;
    const std::string connect =
        "+0 fcntl(FD, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
        "+0 connect(FD, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
        "+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n";
    auto with_fd = [&](const std::string& fd) {
        std::string s = connect;
        for (size_t at; (at = s.find("FD")) != std::string::npos;) s.replace(at, 2, fd);
        return s;
    };
    std::string one = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" + with_fd("3") + "+.01 < R. 0:0(0) ack 1 win 0\n";
    CHECK(cli({"packetdrill", write(d, "one.pkt", one)}).code == 0);
    CliRun two = cli({"packetdrill", write(d, "two.pkt", one + "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4\n" + with_fd("4"))});
    CHECK(two.code == 1);
    CHECK(has(two.out, "unsupported " + d.file("two.pkt") + ":9: a second connection"));
}

TEST_CASE("packetdrill: sendmsg's msg_iov(N) must list N iovecs") {
    ScratchDir d;
    auto script = [&](int n) {
        return std::string(kListen) + "+0 sendmsg(4, {msg_name(...)=..., msg_iov(" + std::to_string(n) +
               ")=[{..., 1000}, {..., 500}], msg_flags=0}, 0) = 1500\n+0 > . 1:1001(1000) ack 1\n";
    };
    CHECK(cli({"packetdrill", write(d, "two.pkt", script(2))}).code == 0);
    CliRun r = cli({"packetdrill", write(d, "three.pkt", script(3))});
    CHECK(r.code == 1);
    CHECK(has(r.out, "msg_iov(3) lists 2 iovecs"));
}

TEST_CASE("packetdrill: with --strict, a segment sent before the script's last event that no line expects fails at the end") {
    ScratchDir d;
    // The peer's 100 bytes are ACKed 40 ms later (RFC 1122's delayed ACK: the rfc profile); the
    // script never says so.
    std::string data = std::string(kListen) + "+0 < P. 1:101(100) ack 1 win 65535\n";
    std::string late_script = write(d, "late.pkt", data + "+.1 read(4, ..., 100) = 100\n");
    CliRun late = cli({"packetdrill", "--strict", "--profile", "rfc", late_script});
    CHECK(late.code == 1);
    CHECK(has(late.out, "the stack sent . 1:1(0) ack 101"));
    CHECK(has(late.out, "which no line expects"));
    // Without --strict, as packetdrill, nothing after the last > line is looked at.
    CHECK(cli({"packetdrill", "--profile", "rfc", late_script}).code == 0);
    // Written, it passes; and what the stack sends after the last event is not looked at.
    CHECK(cli({"packetdrill", "--strict", "--profile", "rfc", write(d, "said.pkt", data + "+.04 > . 1:1(0) ack 101\n+.06 read(4, ..., 100) = 100\n")}).code == 0);
    CHECK(cli({"packetdrill", "--strict", "--profile", "rfc", write(d, "after.pkt", data + "+0 read(4, ..., 100) = 100\n")}).code == 0);
    // Linux's quick ACK answers the connection's first data at once, and the script must say so.
    CHECK(cli({"packetdrill", "--strict", write(d, "quick.pkt", data + "+.1 read(4, ..., 100) = 100\n")}).code == 1);
    CHECK(cli({"packetdrill", "--strict", write(d, "quick-said.pkt", data + "+0 > . 1:1(0) ack 101\n+.1 read(4, ..., 100) = 100\n")}).code == 0);
    // A bad profile is a usage error.
    CHECK(cli({"packetdrill", "--profile", "bsd", write(d, "x.pkt", data)}).code == 2);
}
