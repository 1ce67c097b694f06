// The packetdrill script parser (models/packetdrill/script_parser.hpp): every construct of the
// language on small scripts of our own, the mistakes a script writer makes reported at their
// line and column, and every shared conformance script parsing (with its configuration).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "models/network/packet.hpp"
#include "models/packetdrill/config_commands.hpp"
#include "models/packetdrill/script_parser.hpp"

using namespace tcpsim;
using namespace tcpsim::packetdrill;

namespace {

Script parse(std::string_view text) { return parse_script(text, "test.pkt"); }

std::optional<ParseError> error_of(std::string_view text) {
    try {
        parse(text);
    } catch (const ParseError& e) {
        return e;
    }
    return std::nullopt;
}

// The error, checked to be at line:column and to say `says`.
void check_error(std::string_view text, uint32_t line, uint32_t column, const std::string& says) {
    std::optional<ParseError> e = error_of(text);
    REQUIRE_MESSAGE(e.has_value(), "no error for: ", text);
    INFO("message: ", e->what());
    CHECK(e->pos.line == line);
    CHECK(e->pos.column == column);
    CHECK(std::string(e->what()).find(says) != std::string::npos);
}

const PacketSpec& packet(const Event& e) { return std::get<PacketSpec>(e.action); }
const SyscallSpec& call(const Event& e) { return std::get<SyscallSpec>(e.action); }

}  // namespace

TEST_CASE("packetdrill: options at the top, with or without a value") {
    Script s = parse("--tolerance_usecs=10000\n--ip_version=ipv4\n--verbose\n0 close(3) = 0\n");
    REQUIRE(s.options.size() == 3);
    CHECK(s.options[0] == std::pair<std::string, std::string>{"tolerance_usecs", "10000"});
    CHECK(s.options[1] == std::pair<std::string, std::string>{"ip_version", "ipv4"});
    CHECK(s.options[2] == std::pair<std::string, std::string>{"verbose", ""});
    CHECK(s.path == "test.pkt");
    CHECK(s.events.size() == 1);
    // After the first event an option is a mistake, not a silent reconfiguration.
    check_error("0 close(3) = 0\n--mss=1000\n", 2, 1, "options");
}

TEST_CASE("packetdrill: comments of both kinds are skipped, also after an event") {
    Script s = parse(
        "// a line comment\n"
        "/* a block\n   comment */ 0 close(3) = 0 // after the call\n"
        "  +1 close(4) = 0 /* after too */\n");
    REQUIRE(s.events.size() == 2);
    CHECK(s.events[0].pos.line == 3);
    CHECK(s.events[0].pos.column == 15);
    CHECK(s.events[0].source == "0 close(3) = 0");
    CHECK(s.events[1].source == "+1 close(4) = 0");
}

TEST_CASE("packetdrill: times are exact decimal nanoseconds, absolute or relative") {
    Script s = parse(
        "0.100 close(3) = 0\n"
        "1.5 close(3) = 0\n"
        "+.1 close(3) = 0\n"
        "+0.000001 close(3) = 0\n"
        "2 close(3) = 0\n"
        "0.123456789 close(3) = 0\n"
        "+0 close(3) = 0\n");
    REQUIRE(s.events.size() == 7);
    auto t = [&](size_t i) { return *s.events[i].time; };
    // 0.100 would be 100000000.0000000055... through a double; read digit by digit it is exact.
    CHECK(t(0).kind == EventTime::Kind::absolute);
    CHECK(t(0).start == SimTime::from_ns(100'000'000));
    CHECK(t(1).start == SimTime::from_ns(1'500'000'000));
    CHECK(t(2).kind == EventTime::Kind::relative);
    CHECK(t(2).start == SimTime::from_ms(100));
    CHECK(t(3).start == SimTime::from_us(1));
    CHECK(t(4).start == SimTime::from_s(2));
    CHECK(t(5).start == SimTime::from_ns(123'456'789));
    CHECK(t(6).kind == EventTime::Kind::relative);
    CHECK(t(6).start == SimTime::zero());
    for (const Event& e : s.events) CHECK(e.time->range == EventTime::Range::none);
    check_error("+0.1234567891 close(3) = 0\n", 1, 2, "more precise than a nanosecond");
    check_error("+x close(3) = 0\n", 1, 2, "expected a time");
}

TEST_CASE("packetdrill: any time, windows and blocking calls") {
    Script s = parse(
        "* > . 1:1(0) ack 1\n"
        "+.3~+.310 > . 1:1(0) ack 1\n"
        "1~1.25 > . 1:1(0) ack 1\n"
        "+0...0.200 read(4, ..., 2000) = 2000\n"
        "+.002 ... 0.004 connect(4, ..., ...) = 0\n"
        "0...0 accept(3, ..., ...) = 4\n");
    REQUIRE(s.events.size() == 6);
    auto t = [&](size_t i) { return *s.events[i].time; };
    CHECK(t(0).kind == EventTime::Kind::any);
    CHECK(t(1).kind == EventTime::Kind::relative);
    CHECK(t(1).range == EventTime::Range::window);
    CHECK(t(1).start == SimTime::from_ms(300));
    CHECK(t(1).end == SimTime::from_ms(310));
    CHECK(t(1).end_relative);
    CHECK(t(2).kind == EventTime::Kind::absolute);
    CHECK(t(2).range == EventTime::Range::window);
    CHECK(t(2).end == SimTime::from_ms(1250));
    CHECK_FALSE(t(2).end_relative);
    // A blocking call's return time counts from the same base as its start.
    CHECK(t(3).range == EventTime::Range::blocking);
    CHECK(t(3).start == SimTime::zero());
    CHECK(t(3).end == SimTime::from_ms(200));
    CHECK(t(3).end_relative);
    CHECK(call(s.events[3]).name == "read");
    CHECK(t(4).range == EventTime::Range::blocking);
    CHECK(t(4).start == SimTime::from_ms(2));
    CHECK(t(4).end == SimTime::from_ms(4));
    CHECK(t(4).end_relative);
    CHECK(t(5).kind == EventTime::Kind::absolute);
    CHECK(t(5).range == EventTime::Range::blocking);
    CHECK_FALSE(t(5).end_relative);
}

TEST_CASE("packetdrill: packets have a direction, flags, a range, and ack, win, urg in any order") {
    Script s = parse(
        "0 < S 0:0(0) win 32792\n"
        "+0 > S. 0:0(0) ack 1\n"
        "+0 < P. 1:101(100) urg 5 win 257 ack 1\n"
        "+0 > SEW 0:0(0)\n"
        "+0 < F. 101:101(0) ack 1\n"
        "+0 > R 1:1(0)\n"
        "+0 < U. 1:1(0) ack 1\n"
        "+0 < - 1:1001(1000) win 20000\n"
        "+0 < SE. 0:0(0) ack 1\n");
    REQUIRE(s.events.size() == 9);
    const PacketSpec& syn = packet(s.events[0]);
    CHECK(syn.inbound);
    CHECK(syn.flags == kSyn);
    CHECK(syn.seq == 0);
    CHECK(syn.end == 0);
    CHECK(syn.len == 0);
    CHECK(syn.win == 32792u);
    CHECK_FALSE(syn.ack.has_value());
    CHECK_FALSE(syn.options.has_value());
    CHECK_FALSE(syn.any_options);
    CHECK_FALSE(syn.ecn.has_value());
    const PacketSpec& synack = packet(s.events[1]);
    CHECK_FALSE(synack.inbound);
    CHECK(synack.flags == (kSyn | kAck));
    CHECK(synack.ack == 1u);
    const PacketSpec& data = packet(s.events[2]);
    CHECK(data.flags == (kPsh | kAck));
    CHECK(data.seq == 1);
    CHECK(data.end == 101);
    CHECK(data.len == 100);
    CHECK(data.urg == 5u);
    CHECK(data.win == 257u);
    CHECK(data.ack == 1u);
    CHECK(packet(s.events[3]).flags == (kSyn | kEce | kCwr));
    CHECK(packet(s.events[4]).flags == (kFin | kAck));
    CHECK(packet(s.events[5]).flags == kRst);
    CHECK(packet(s.events[6]).flags == (kUrg | kAck));
    CHECK(packet(s.events[7]).flags == 0);  // '-': no flag at all
    CHECK(packet(s.events[8]).flags == (kSyn | kEce | kAck));
    check_error("0 < . 1:1(0) ack 1 ack 2\n", 1, 20, "\"ack\" is given twice");
}

TEST_CASE("packetdrill: ECN codepoints in brackets before the flags") {
    Script s = parse("0 > [ect0] P. 1:1001(1000) ack 1\n+0 < [ce] . 1:1(0) ack 1\n"
                     "+0 < [noecn] . 1:1(0) ack 1\n+0 < [ect1] . 1:1(0) ack 1\n");
    CHECK(packet(s.events[0]).ecn == uint8_t{2});
    CHECK(packet(s.events[0]).flags == (kPsh | kAck));
    CHECK(packet(s.events[1]).ecn == uint8_t{3});
    CHECK(packet(s.events[2]).ecn == uint8_t{0});
    CHECK(packet(s.events[3]).ecn == uint8_t{1});
    check_error("0 < [ect2] . 1:1(0) ack 1\n", 1, 5, "unknown ECN codepoint \"[ect2]\"");
}

TEST_CASE("packetdrill: TCP options in wire order, <...>, and unknown kinds kept as text") {
    using Kind = TcpOptionSpec::Kind;
    Script s = parse(
        "0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>\n"
        "+0 < . 1:1(0) ack 1 win 257 <sack 1:2 3:4,nop,nop>\n"
        "+0 > S. 0:0(0) ack 1 <...>\n"
        "+0 < . 1:1(0) ack 1 <md5 0123, eol>\n"
        "+0 < . 1:1(0) ack 1 < nop , nop >\n");
    const std::vector<TcpOptionSpec>& syn = *packet(s.events[0]).options;
    REQUIRE(syn.size() == 5);
    CHECK(syn[0].kind == Kind::mss);
    CHECK(syn[0].value == 1460);
    CHECK(syn[1].kind == Kind::sack_permitted);
    CHECK(syn[2].kind == Kind::timestamp);
    CHECK(syn[2].value == 100);
    CHECK(syn[2].value2 == 0);
    CHECK(syn[3].kind == Kind::nop);
    CHECK(syn[4].kind == Kind::wscale);
    CHECK(syn[4].value == 8);
    const std::vector<TcpOptionSpec>& sack = *packet(s.events[1]).options;
    REQUIRE(sack.size() == 3);
    CHECK(sack[0].kind == Kind::sack);
    CHECK(sack[0].blocks == std::vector<std::pair<uint32_t, uint32_t>>{{1, 2}, {3, 4}});
    CHECK(packet(s.events[2]).any_options);
    CHECK_FALSE(packet(s.events[2]).options.has_value());
    const std::vector<TcpOptionSpec>& other = *packet(s.events[3]).options;
    REQUIRE(other.size() == 2);
    CHECK(other[0].kind == Kind::other);
    CHECK(other[0].text == "md5 0123");
    CHECK(other[1].kind == Kind::eol);
    CHECK(packet(s.events[4]).options->size() == 2);
    check_error("0 < . 1:1(0) ack 1 <TS val 1>\n", 1, 29, "expected \"ecr\"");
    check_error("0 < . 1:1(0) ack 1 <mss>\n", 1, 24, "expected the MSS");
    check_error("0 < . 1:1(0) ack 1 <nop nop>\n", 1, 25, "expected \",\" or \">\"");
}

TEST_CASE("packetdrill: system call arguments of every kind") {
    using Kind = SyscallArg::Kind;
    Script s = parse(
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
        "+0 getsockopt(3, SOL_TCP, TCP_MAXSEG, [1100], [4]) = 0\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
        "+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, \"reno\", 4) = 0\n"
        "+0 ioctl(3, -1, 0x1f, [...]) = 0\n"
        "+0 close() = 0\n");
    const SyscallSpec& sock = call(s.events[0]);
    CHECK(sock.name == "socket");
    REQUIRE(sock.args.size() == 3);
    CHECK(sock.args[0].kind == Kind::ellipsis);
    CHECK(sock.args[1].kind == Kind::name);
    CHECK(sock.args[1].text == "SOCK_STREAM");
    CHECK(sock.result == 3);
    CHECK_FALSE(sock.errno_name.has_value());
    const SyscallSpec& fcntl = call(s.events[1]);
    CHECK(fcntl.args[0].kind == Kind::number);
    CHECK(fcntl.args[0].number == 3);
    CHECK(fcntl.args[2].kind == Kind::name);
    CHECK(fcntl.args[2].text == "O_RDWR|O_NONBLOCK");
    const SyscallSpec& get = call(s.events[2]);
    REQUIRE(get.args[3].kind == Kind::list);
    REQUIRE(get.args[3].items.size() == 1);
    CHECK(get.args[3].items[0].number == 1100);
    CHECK(get.args[4].items[0].number == 4);
    const SyscallArg& linger = call(s.events[3]).args[3];
    REQUIRE(linger.kind == Kind::structure);
    REQUIRE(linger.items.size() == 2);
    CHECK(linger.items[0].kind == Kind::named);
    CHECK(linger.items[0].text == "l_onoff");
    CHECK(linger.items[0].number == -1);
    CHECK(linger.items[0].items.at(0).number == 1);
    CHECK(linger.items[1].text == "l_linger");
    CHECK(linger.items[1].items.at(0).number == 0);
    const SyscallArg& cc = call(s.events[4]).args[3];
    CHECK(cc.kind == Kind::string);
    CHECK(cc.text == "reno");
    const SyscallSpec& ioctl = call(s.events[5]);
    CHECK(ioctl.args[1].number == -1);
    CHECK(ioctl.args[2].number == 31);
    CHECK(ioctl.args[3].items.at(0).kind == Kind::ellipsis);
    CHECK(call(s.events[6]).args.empty());
}

TEST_CASE("packetdrill: results, negative or hex, with an errno and a note") {
    Script s = parse(
        "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
        "+0 fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)\n"
        "+0 write(4, ..., 10) = -1 EPIPE\n"
        "+0 read(4, ..., 10) = 10\n");
    CHECK(call(s.events[0]).result == -1);
    CHECK(call(s.events[0]).errno_name == "EINPROGRESS");
    CHECK(call(s.events[1]).result == 0x802);
    CHECK_FALSE(call(s.events[1]).errno_name.has_value());
    CHECK(call(s.events[2]).errno_name == "EPIPE");
    CHECK(call(s.events[3]).result == 10);
    CHECK(s.events[0].source == "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)");
}

TEST_CASE("packetdrill: a call over several lines, with a struct of named fields and lists") {
    using Kind = SyscallArg::Kind;
    Script s = parse(
        "0 sendmsg(4, {msg_name(...)=...,\n"
        "              msg_iov(2)=[{..., 30}, {..., 0}],\n"
        "              msg_flags=0}, MSG_MORE) = 30\n"
        "+0 > P. 1:31(30) ack 1\n");
    REQUIRE(s.events.size() == 2);
    const SyscallSpec& send = call(s.events[0]);
    REQUIRE(send.args.size() == 3);
    const SyscallArg& msg = send.args[1];
    REQUIRE(msg.kind == Kind::structure);
    REQUIRE(msg.items.size() == 3);
    CHECK(msg.items[0].kind == Kind::named);
    CHECK(msg.items[0].text == "msg_name");
    CHECK(msg.items[0].number == -1);  // msg_name(...)
    CHECK(msg.items[0].items.at(0).kind == Kind::ellipsis);
    const SyscallArg& iov = msg.items[1];
    CHECK(iov.text == "msg_iov");
    CHECK(iov.number == 2);
    const SyscallArg& vec = iov.items.at(0);
    REQUIRE(vec.kind == Kind::list);
    REQUIRE(vec.items.size() == 2);
    CHECK(vec.items[0].kind == Kind::structure);
    CHECK(vec.items[0].items.at(0).kind == Kind::ellipsis);
    CHECK(vec.items[0].items.at(1).number == 30);
    CHECK(vec.items[1].items.at(1).number == 0);
    CHECK(msg.items[2].text == "msg_flags");
    CHECK(send.args[2].text == "MSG_MORE");
    CHECK(send.result == 30);
    CHECK(s.events[0].source ==
          "0 sendmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 30}, {..., 0}], msg_flags=0}, MSG_MORE) = 30");
    CHECK(s.events[1].pos.line == 4);
}

TEST_CASE("packetdrill: backquoted blocks alone or timed, and %{ }% blocks, kept verbatim") {
    Script s = parse(
        "`sysctl -q net.ipv4.tcp_sack=1`\n"
        "`first line\n"
        "second line`\n"
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 `tc qdisc show`\n"
        "+0 %{ assert tcpi_snd_cwnd == 10 }%\n"
        "+.01 %{\n"
        "assert a == 1\n"
        "assert b == 2\n"
        "}%   // a comment after the block\n");
    REQUIRE(s.events.size() == 6);
    CHECK_FALSE(s.events[0].time.has_value());
    CHECK(std::get<ShellBlock>(s.events[0].action).text == "sysctl -q net.ipv4.tcp_sack=1");
    CHECK(s.events[0].pos.line == 1);
    CHECK(s.events[0].pos.column == 1);
    CHECK(std::get<ShellBlock>(s.events[1].action).text == "first line\nsecond line");
    CHECK(s.events[1].source == "`first line second line`");
    REQUIRE(s.events[3].time.has_value());
    CHECK(std::get<ShellBlock>(s.events[3].action).text == "tc qdisc show");
    CHECK(std::get<AssertBlock>(s.events[4].action).code == " assert tcpi_snd_cwnd == 10 ");
    CHECK(std::get<AssertBlock>(s.events[5].action).code == "\nassert a == 1\nassert b == 2\n");
    CHECK(s.events[5].time->start == SimTime::from_ms(10));
    CHECK(s.events[5].source == "+.01 %{ assert a == 1 assert b == 2 }%");
}

TEST_CASE("packetdrill: mistakes are reported at their line and column") {
    // A flag letter tcpdump does not print: the column of the letter.
    check_error("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < SX 0:0(0) win 100\n", 2, 7, "unknown TCP flag 'X'");
    // 1:1001 holds 1000 bytes: the range is where the mistake is.
    check_error("+0 < . 1:1001(100) ack 1 win 257\n", 1, 8, "1:1001 is 1000 bytes, but the length says (100)");
    // Unterminated blocks: where they open.
    check_error("0 close(3) = 0\n+0 %{ assert tcpi_snd_cwnd == 10\n+0 close(4) = 0\n", 2, 4,
                "unterminated %{ block: no closing \"}%\"");
    check_error("0 close(3) = 0\n`sysctl -q net.ipv4.tcp_sack=1\n0 close(3) = 0\n", 2, 1,
                "unterminated backquoted block");
    check_error("/* never closed\n0 close(3) = 0\n", 1, 1, "unterminated comment");
    // A call without its result: at the end of its line, not on the next event.
    check_error("0 close(3)\n+0 close(4) = 0\n", 1, 11, "expected \"=\" and the result after close(...), got the end of the line");
    check_error("0 close(3) = \n", 1, 14, "expected the result of close(), a number");
    check_error("0 close(3) = 0x\n", 1, 14, "expected the result of close(), a number, got \"0x\"");
    check_error("0 < . 1:1(0) ack 1x\n", 1, 18, "expected a number after \"ack\", got \"1x\"");
    // Text left after an event.
    check_error("+0 > . 1:1(0) ack 1 foo\n", 1, 21, "unexpected \"foo\" after the packet");
    check_error("0 close(3) = 0 0\n", 1, 16, "unexpected \"0\" after the system call");
    check_error("0 foo\n", 1, 3, "expected a packet or a system call after the time, got \"foo\"");
    check_error("  hello\n", 1, 3, "expected an event");
    check_error("0 write(4, ..., 10 = 10\n", 1, 20, "expected \",\" or \")\" in the arguments of write()");
    check_error("0 < S 0:0 win 10\n", 1, 10, "expected \"(\" in SEQ:END(LEN)");
    check_error("0 < 0:0(0) win 10\n", 1, 5, "expected the TCP flags");
}

// The conformance scripts shared beside the repository (GPL reference data, not part of tcpsim):
// every one parses, and the configuration of each (its backquoted blocks, defaults.sh included)
// interprets.
TEST_CASE("packetdrill: every shared conformance script parses and its configuration interprets") {
    namespace fs = std::filesystem;
    fs::path root = fs::path(TCPSIM_SOURCE_DIR "/../shared/packetdrill");
    if (!fs::is_directory(root)) {
        MESSAGE("skipped: no ", root.string());
        return;
    }
    int scripts = 0;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".pkt") continue;
        ++scripts;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        INFO("script: ", entry.path().string());
        try {
            Script script = parse_script(text.str(), entry.path().string());
            CHECK_FALSE(script.events.empty());
            for (const Event& event : script.events) {
                if (const ShellBlock* shell = std::get_if<ShellBlock>(&event.action)) {
                    std::vector<ConfigAction> actions =
                        interpret_shell_block(shell->text, event.pos, entry.path().parent_path().string());
                    CHECK_FALSE(actions.empty());
                }
            }
        } catch (const ParseError& e) {
            FAIL_CHECK(e.pos.line, ":", e.pos.column, ": ", e.what());
        } catch (const ConfigError& e) {
            FAIL_CHECK("config at ", e.pos.line, ":", e.pos.column, ": ", e.what());
        }
    }
    CHECK(scripts > 0);
    MESSAGE(scripts, " shared scripts parsed");
}
