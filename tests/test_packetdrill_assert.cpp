// The assert lines of packetdrill's %{ }% blocks over tcp_info (models/packetdrill/tcp_info_assert.hpp):
// Python's meaning for the subset scripts use, a failure message naming the values, and
// anything outside the subset refused as unsupported instead of skipped.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/packetdrill/tcp_info_assert.hpp"

using namespace tcpsim::packetdrill;

namespace {

// A socket's tcp_info as a test sets it.
struct FakeInfo {
    std::map<std::string, double, std::less<>> fields;
    TcpInfoLookup lookup() const {
        return [this](std::string_view name) -> std::optional<double> {
            auto it = fields.find(name);
            if (it == fields.end()) return std::nullopt;
            return it->second;
        };
    }
};

std::vector<AssertOutcome> run(std::string_view code, const FakeInfo& info, AssignedNames* names = nullptr) {
    return evaluate_asserts(code, {1, 1}, info.lookup(), names);
}

bool holds(std::string_view condition, const FakeInfo& info = {}) {
    std::vector<AssertOutcome> out = run("assert " + std::string(condition), info);
    REQUIRE(out.size() == 1);
    return out[0].held;
}

std::optional<UnsupportedAssert> unsupported_of(std::string_view code, const FakeInfo& info = {}) {
    try {
        run(code, info);
    } catch (const UnsupportedAssert& e) {
        return e;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("packetdrill assert: a holding assert and a failing one, the failure naming the values") {
    FakeInfo info{{{"tcpi_snd_cwnd", 7}, {"tcpi_snd_ssthresh", 7}}};
    std::vector<AssertOutcome> out = run(" assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd \n assert tcpi_snd_ssthresh == 7", info);
    REQUIRE(out.size() == 2);
    CHECK_FALSE(out[0].held);
    CHECK(out[0].text == "tcpi_snd_cwnd == 10");
    CHECK(out[0].message == "tcpi_snd_cwnd");
    REQUIRE(out[0].values.size() == 1);
    CHECK(out[0].values[0].first == "tcpi_snd_cwnd");
    CHECK(out[0].values[0].second == 7);
    CHECK(out[0].failure_message() == "assert tcpi_snd_cwnd == 10 failed: tcpi_snd_cwnd = 7");
    CHECK(out[1].held);
    CHECK(out[1].message.empty());
}

TEST_CASE("packetdrill assert: the Linux constants are built in") {
    FakeInfo info{{{"tcpi_ca_state", 3}, {"tcpi_snd_ssthresh", 2147483647}}};
    CHECK(holds("tcpi_ca_state == TCP_CA_Recovery", info));
    CHECK(holds("TCP_CA_Open == 0 and TCP_CA_Disorder == 1 and TCP_CA_CWR == 2 and TCP_CA_Loss == 4"));
    CHECK(holds("tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH", info));
    CHECK(tcp_info_constant("TCP_INFINITE_SSTHRESH") == 0x7fffffff);
    CHECK_FALSE(tcp_info_constant("tcpi_snd_cwnd").has_value());
    // Only names the condition reads are reported, constants included.
    std::vector<AssertOutcome> out = run("assert tcpi_ca_state == TCP_CA_Open", info);
    CHECK(out[0].failure_message() == "assert tcpi_ca_state == TCP_CA_Open failed: tcpi_ca_state = 3, TCP_CA_Open = 0");
}

TEST_CASE("packetdrill assert: comparisons chain as in Python") {
    FakeInfo info{{{"x", 1000}}};
    CHECK(holds("990 <= x <= 1010", info));
    CHECK_FALSE(holds("990 <= x <= 999", info));
    CHECK_FALSE(holds("1001 <= x <= 2000", info));
    // 1 < 3 > 2: both links hold, although (1 < 3) > 2 would not.
    CHECK(holds("1 < 3 > 2"));
    CHECK(holds("x != 999 != 1000", info) == true);
    CHECK(holds("x >= 1000 > 999 == 999", info));
}

TEST_CASE("packetdrill assert: arithmetic with Python's operators and precedence") {
    CHECK(holds("2 + 3 * 4 == 14"));
    CHECK(holds("(2 + 3) * 4 == 20"));
    CHECK(holds("7 / 2 == 3.5"));
    CHECK(holds("7 // 2 == 3"));
    CHECK(holds("-7 // 2 == -4"));  // floor, not truncation
    CHECK(holds("-7 % 3 == 2"));    // the sign of the divisor
    CHECK(holds("7 % -3 == -2"));
    CHECK(holds("-2 ** 2 == -4"));  // ** binds tighter than unary minus
    CHECK(holds("2 ** -1 == 0.5"));
    CHECK(holds("0x7fffffff == 2147483647"));
    CHECK(holds("1.5e3 == 1500 and .5 == 0.5"));
    CHECK(holds("- - 3 == 3"));
    CHECK(holds("10 - 2 - 3 == 5"));  // left to right
}

TEST_CASE("packetdrill assert: and, or, not, True and False") {
    FakeInfo info{{{"a", 0}, {"b", 5}}};
    CHECK(holds("a == 0 and b == 5", info));
    CHECK_FALSE(holds("a == 0 and b == 6", info));
    CHECK(holds("a == 1 or b == 5", info));
    CHECK(holds("not a", info));
    CHECK(holds("not a == 1", info));  // not binds looser than ==
    CHECK(holds("(a or b) == 5", info));  // or returns an operand
    CHECK(holds("(b and a) == 0", info));
    CHECK(holds("True and not False"));
}

TEST_CASE("packetdrill assert: a division by zero fails the assert, unless Python would not evaluate it") {
    FakeInfo info{{{"tcpi_x", 0}}};
    std::vector<AssertOutcome> out = run("assert 10 / tcpi_x > 1", info);
    REQUIRE(out.size() == 1);
    CHECK_FALSE(out[0].held);
    CHECK(out[0].error == "division by zero");
    CHECK(out[0].failure_message() == "assert 10 / tcpi_x > 1 failed: division by zero (tcpi_x = 0)");
    CHECK(holds("tcpi_x == 0 or 10 / tcpi_x > 1", info));
    CHECK_FALSE(holds("tcpi_x != 0 and 10 // tcpi_x > 1", info));
}

TEST_CASE("packetdrill assert: statements on lines, after a semicolon, continued by a backslash, with comments") {
    FakeInfo info{{{"tcpi_lost", 7}, {"tcpi_reordering", 3}, {"tcpi_sacked", 0}}};
    std::string code =
        "\n"
        "assert tcpi_lost == 7, tcpi_lost  # seven marked lost\n"
        "assert tcpi_reordering == 3; assert tcpi_sacked == 0,tcpi_sacked\n"
        "assert 0 <= tcpi_lost <= 10, tcpi_lost; \\\n"
        "\t assert (tcpi_lost +\n"
        "           1) == 8\n";
    std::vector<AssertOutcome> out = evaluate_asserts(code, {20, 5}, info.lookup());
    REQUIRE(out.size() == 5);
    for (const AssertOutcome& o : out) CHECK(o.held);
    CHECK(out[0].message == "tcpi_lost");
    CHECK(out[0].pos.line == 21);
    CHECK(out[0].pos.column == 1);
    CHECK(out[1].text == "tcpi_reordering == 3");
    CHECK(out[2].pos.line == 22);
    CHECK(out[2].pos.column == 30);
    CHECK(out[2].message == "tcpi_sacked");
    CHECK(out[3].text == "0 <= tcpi_lost <= 10");
    CHECK(out[4].pos.line == 24);
    CHECK(out[4].pos.column == 3);
    CHECK(out[4].text == "(tcpi_lost + 1) == 8");
    // On the block's first line, columns count from where the block starts.
    std::vector<AssertOutcome> first = evaluate_asserts(" assert tcpi_sacked == 0", {3, 10}, info.lookup());
    CHECK(first[0].pos.line == 3);
    CHECK(first[0].pos.column == 11);
}

TEST_CASE("packetdrill assert: the message is kept as written, not evaluated") {
    // The message may use fields tcpsim does not have, and Python's % formatting.
    FakeInfo info{{{"tcpi_ca_state", 3}}};
    std::vector<AssertOutcome> out =
        run("assert tcpi_ca_state == 3, 'state: %d rtt: %d' % (tcpi_ca_state, tcpi_unknown_field)", info);
    REQUIRE(out.size() == 1);
    CHECK(out[0].held);
    CHECK(out[0].message == "'state: %d rtt: %d' % (tcpi_ca_state, tcpi_unknown_field)");
}

TEST_CASE("packetdrill assert: an unknown name is unsupported, naming it") {
    FakeInfo info{{{"tcpi_snd_cwnd", 10}}};
    std::optional<UnsupportedAssert> e = unsupported_of("assert tcpi_snd_cwnd == 10\nassert tcpi_reord_seen == 2", info);
    REQUIRE(e.has_value());
    CHECK(e->reason == UnsupportedAssert::Reason::unknown_name);
    CHECK(e->subject == "tcpi_reord_seen");
    CHECK(e->pos.line == 2);
    CHECK(e->pos.column == 8);
    CHECK(std::string(e->what()).find("tcpi_reord_seen") != std::string::npos);
    // Even where Python would not look: the verdict must not depend on the values.
    std::optional<UnsupportedAssert> lazy = unsupported_of("assert tcpi_snd_cwnd == 10 or tcpi_nope == 1", info);
    REQUIRE(lazy.has_value());
    CHECK(lazy->subject == "tcpi_nope");
}

TEST_CASE("packetdrill assert: statements and constructs outside the subset are unsupported") {
    FakeInfo info{{{"tcpi_snd_cwnd", 10}}};
    std::optional<UnsupportedAssert> print = unsupported_of("print(tcpi_snd_cwnd); assert tcpi_snd_cwnd == 10", info);
    REQUIRE(print.has_value());
    CHECK(print->reason == UnsupportedAssert::Reason::unsupported_construct);
    CHECK(print->subject == "print(tcpi_snd_cwnd)");
    for (const char* code : {"assert abs(tcpi_snd_cwnd) == 10", "assert tcpi_snd_cwnd in (10, 11)",
                             "assert tcpi_snd_cwnd == 'ten'", "assert tcpi_snd_cwnd ==", "assert tcpi_snd_cwnd == 10 10",
                             "assert tcpi_snd_cwnd.real == 10", "assert (1, 2)", "if tcpi_snd_cwnd: pass",
                             "assert tcpi_snd_cwnd == 10, 'unterminated"}) {
        INFO(code);
        std::optional<UnsupportedAssert> e = unsupported_of(code, info);
        REQUIRE(e.has_value());
        CHECK(e->reason == UnsupportedAssert::Reason::unsupported_construct);
    }
}

TEST_CASE("packetdrill assert: NAME = value defines a name for the rest of the block and the blocks after") {
    FakeInfo info{{{"tcpi_snd_ssthresh", 2147483647}, {"tcpi_snd_cwnd", 20}}};
    AssignedNames names;
    CHECK(run("LIMIT = 2 * 10", info, &names).empty());
    CHECK(names.at("LIMIT") == 20);
    std::vector<AssertOutcome> out = run("assert tcpi_snd_cwnd == LIMIT", info, &names);
    REQUIRE(out.size() == 1);
    CHECK(out[0].held);
    // A script's own definition of a built-in constant is accepted.
    CHECK(run(" TCP_INFINITE_SSTHRESH = 0x7fffffff ", info, &names).empty());
    CHECK(run("assert tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH", info, &names).at(0).held);
    // A block that is not supported leaves the names as they were.
    CHECK(unsupported_of("OTHER = 1; print(OTHER)").has_value());
    AssignedNames before = names;
    try {
        run("OTHER = 1\nprint(OTHER)", info, &names);
    } catch (const UnsupportedAssert&) {
    }
    CHECK(names == before);
}
