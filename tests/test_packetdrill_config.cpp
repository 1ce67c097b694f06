// Backquoted shell text of packetdrill scripts into configuration actions
// (models/packetdrill/config_commands.hpp): sysctls in their two spellings, .sh files read
// relative to the script, the commands that change nothing tcpsim models, and the rest refused.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/packetdrill/config_commands.hpp"

using namespace tcpsim::packetdrill;

namespace {

// Files as a test writes them, by the path the interpreter asks for.
struct FakeFiles {
    std::map<std::string, std::string> files;
    std::vector<std::string> asked;
    ConfigFileReader reader() {
        return [this](const std::string& path) -> std::optional<std::string> {
            asked.push_back(path);
            auto it = files.find(path);
            if (it == files.end()) return std::nullopt;
            return it->second;
        };
    }
};

std::vector<ConfigAction> interpret(std::string_view text, SourcePos pos = {1, 1}) {
    FakeFiles none;
    return interpret_shell_block(text, pos, "scripts", none.reader());
}

void check_sysctl(const ConfigAction& a, const std::string& name, const std::string& value) {
    CHECK(a.kind == ConfigAction::sysctl);
    CHECK(a.name == name);
    CHECK(a.value == value);
}

std::optional<ConfigError> error_of(std::string_view text, FakeFiles& files, SourcePos pos = {1, 1}) {
    try {
        interpret_shell_block(text, pos, "scripts", files.reader());
    } catch (const ConfigError& e) {
        return e;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("packetdrill config: sysctl -q NAME=VALUE, several on a line") {
    std::vector<ConfigAction> a = interpret("sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_dsack=0\nsysctl net.ipv4.tcp_ecn=1");
    REQUIRE(a.size() == 3);
    check_sysctl(a[0], "net.ipv4.tcp_sack", "0");
    check_sysctl(a[1], "net.ipv4.tcp_dsack", "0");
    check_sysctl(a[2], "net.ipv4.tcp_ecn", "1");
    CHECK(a[0].text == "sysctl -q net.ipv4.tcp_sack=0 net.ipv4.tcp_dsack=0");
    CHECK(a[0].file.empty());
    // Only reading a value changes nothing.
    std::vector<ConfigAction> read = interpret("sysctl -q net.ipv4.tcp_sack");
    REQUIRE(read.size() == 1);
    CHECK(read[0].kind == ConfigAction::ignored);
}

TEST_CASE("packetdrill config: quoted values, with $((...)) shell arithmetic evaluated") {
    std::vector<ConfigAction> a = interpret(
        "sysctl -q net.ipv4.tcp_wmem=\"4096 $((64*1024)) $((2 * (3 + 1) * 1024 * 1024))\"\n"
        "sysctl -q net.ipv4.tcp_rmem='8192 $((1+1)) 3'\n"
        "sysctl -q net.ipv4.tcp_x=$((-7 / 2 + 10 % 4 - -1))\n"
        "sysctl -q net.ipv4.tcp_y=$((0x10 + 010))");
    REQUIRE(a.size() == 4);
    check_sysctl(a[0], "net.ipv4.tcp_wmem", "4096 65536 8388608");
    // Single quotes keep the text as written, as in the shell.
    check_sysctl(a[1], "net.ipv4.tcp_rmem", "8192 $((1+1)) 3");
    // Integer arithmetic as the shell does it: -7 / 2 is -3 (truncated), 10 % 4 is 2.
    check_sysctl(a[2], "net.ipv4.tcp_x", "0");
    // Hex and (shell) octal.
    check_sysctl(a[3], "net.ipv4.tcp_y", "24");
}

TEST_CASE("packetdrill config: arithmetic it cannot evaluate is an error at the block") {
    FakeFiles files;
    for (const char* bad : {"sysctl -q net.ipv4.a=$((1/0))", "sysctl -q net.ipv4.a=$((x+1))", "sysctl -q net.ipv4.a=$((1+))",
                            "sysctl -q net.ipv4.a=$((2*(3))", "sysctl -q net.ipv4.a=$((9223372036854775807+1))"}) {
        INFO(bad);
        std::optional<ConfigError> e = error_of(bad, files, {7, 3});
        REQUIRE(e.has_value());
        CHECK(e->pos.line == 7);
        CHECK(e->pos.column == 3);
        CHECK(std::string(e->what()).find("$((") != std::string::npos);
    }
}

TEST_CASE("packetdrill config: set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE is a sysctl, over continued lines") {
    std::vector<ConfigAction> a = interpret(
        "../tools/set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0 \\\n"
        "\t\t/proc/sys/net/ipv4/tcp_min_tso_segs=2");
    REQUIRE(a.size() == 2);
    check_sysctl(a[0], "net.ipv4.tcp_timestamps", "0");
    check_sysctl(a[1], "net.ipv4.tcp_min_tso_segs", "2");
    CHECK(a[0].text == "../tools/set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0 /proc/sys/net/ipv4/tcp_min_tso_segs=2");
    std::vector<ConfigAction> odd = interpret("./set_sysctls.py /etc/foo=1");
    REQUIRE(odd.size() == 1);
    CHECK(odd[0].kind == ConfigAction::unsupported);
}

TEST_CASE("packetdrill config: a .sh file is read relative to the script and interpreted line by line") {
    FakeFiles files;
    files.files["scripts/../lib/base.sh"] =
        "#!/bin/bash\n"
        "# Our baseline.\n"
        "\n"
        "sysctl -q net.ipv4.tcp_sack=1\n"
        "   # an indented comment\n"
        "sysctl -q net.ipv4.tcp_ecn=0   # trailing comment\n"
        "../lib/more.sh\n";
    files.files["scripts/../lib/more.sh"] = "sysctl -q net.ipv4.tcp_frto=0\n";
    std::vector<ConfigAction> a =
        interpret_shell_block("../lib/base.sh\nsysctl -q net.ipv4.tcp_dsack=0", {4, 1}, "scripts", files.reader());
    REQUIRE(a.size() == 4);
    check_sysctl(a[0], "net.ipv4.tcp_sack", "1");
    CHECK(a[0].file == "../lib/base.sh");
    CHECK(a[0].file_line == 4);
    CHECK(a[0].pos.line == 4);  // where the script names the file
    check_sysctl(a[1], "net.ipv4.tcp_ecn", "0");
    CHECK(a[1].text == "sysctl -q net.ipv4.tcp_ecn=0");
    CHECK(a[1].file_line == 6);
    // A file named in a file: also relative to the script's folder (the shell's current one).
    check_sysctl(a[2], "net.ipv4.tcp_frto", "0");
    CHECK(a[2].file == "../lib/more.sh");
    CHECK(a[2].file_line == 1);
    check_sysctl(a[3], "net.ipv4.tcp_dsack", "0");
    CHECK(a[3].file.empty());
    CHECK(a[3].pos.line == 5);
    CHECK(files.asked == std::vector<std::string>{"scripts/../lib/base.sh", "scripts/../lib/more.sh"});
}

TEST_CASE("packetdrill config: a missing .sh file is an error at the block") {
    FakeFiles files;
    std::optional<ConfigError> e = error_of("../common/nothing.sh", files, {3, 1});
    REQUIRE(e.has_value());
    CHECK(e->pos.line == 3);
    CHECK(e->pos.column == 1);
    CHECK(std::string(e->what()).find("cannot read ../common/nothing.sh") != std::string::npos);
    // A file that names itself stops instead of recursing forever.
    files.files["scripts/loop.sh"] = "loop.sh\n";
    std::optional<ConfigError> loop = error_of("loop.sh", files);
    REQUIRE(loop.has_value());
    CHECK(std::string(loop->what()).find("nested") != std::string::npos);
}

TEST_CASE("packetdrill config: commands that change nothing tcpsim models are ignored, with their text") {
    std::vector<ConfigAction> a = interpret(
        "ip tcp_metrics flush all > /dev/null 2>&1\n"
        "tc qdisc add dev tun0 root pfifo\n"
        "tc qdisc replace dev tun0 root pfifo\n"
        "ethtool -K tun0 tso off gso off\n"
        "/tmp/sysctl_restore_${PPID}.sh\n"
        "echo 0 > /sys/module/tcp_cubic/parameters/hystart\n"
        "echo 1 2>/dev/null 1>/sys/module/tcp_cubic/parameters/fast_convergence\n"
        "sysctl -q net.ipv4.tcp_notsent_lowat=1000 > /dev/null 2>&1");
    REQUIRE(a.size() == 8);
    for (size_t i = 0; i < 7; ++i) CHECK(a[i].kind == ConfigAction::ignored);
    CHECK(a[0].text == "ip tcp_metrics flush all > /dev/null 2>&1");
    CHECK(a[4].text == "/tmp/sysctl_restore_${PPID}.sh");
    CHECK(a[5].text == "echo 0 > /sys/module/tcp_cubic/parameters/hystart");
    // Output thrown away does not change what a sysctl sets.
    check_sysctl(a[7], "net.ipv4.tcp_notsent_lowat", "1000");
}

TEST_CASE("packetdrill config: anything else is unsupported, with its text, one action per command") {
    std::vector<ConfigAction> a = interpret(
        "tc qdisc delete dev tun0 root 2>/dev/null ; tc qdisc add dev tun0 root pfifo limit 0\n"
        "tc qdisc replace dev tun0 root fq\n"
        "ip link set dev tun0 mtu 1500 && sysctl -q net.ipv4.tcp_sack=1\n"
        "echo 1 > /proc/sys/net/ipv4/tcp_sack\n"
        "/usr/local/lib/setup.sh\n"
        "ethtool -K tun0 tso maybe");
    REQUIRE(a.size() == 8);
    CHECK(a[0].kind == ConfigAction::unsupported);
    CHECK(a[0].text == "tc qdisc delete dev tun0 root 2>/dev/null");
    CHECK(a[1].kind == ConfigAction::unsupported);  // a qdisc that holds no packet drops them all
    CHECK(a[1].text == "tc qdisc add dev tun0 root pfifo limit 0");
    CHECK(a[2].kind == ConfigAction::unsupported);  // fq paces
    CHECK(a[3].kind == ConfigAction::unsupported);
    CHECK(a[3].text == "ip link set dev tun0 mtu 1500");
    check_sysctl(a[4], "net.ipv4.tcp_sack", "1");
    CHECK(a[5].kind == ConfigAction::unsupported);  // a sysctl through /proc, not the two known forms
    CHECK(a[6].kind == ConfigAction::unsupported);  // an absolute .sh path is not read
    CHECK(a[7].kind == ConfigAction::unsupported);
}

TEST_CASE("packetdrill config: each command's position in a block of several lines") {
    // The first line is where the block's event is; the later ones have their own column.
    std::vector<ConfigAction> a = interpret(
        "sysctl -q net.ipv4.tcp_sack=1\n"
        "  sysctl -q net.ipv4.tcp_ecn=1  # fully on\n"
        "\n"
        "tc qdisc add dev tun0 root pfifo; \tethtool -K tun0 gro off\n",
        {10, 4});
    REQUIRE(a.size() == 4);
    CHECK(a[0].pos.line == 10);
    CHECK(a[0].pos.column == 4);
    CHECK(a[1].pos.line == 11);
    CHECK(a[1].pos.column == 3);
    CHECK(a[1].text == "sysctl -q net.ipv4.tcp_ecn=1");
    CHECK(a[2].pos.line == 13);
    CHECK(a[2].pos.column == 1);
    CHECK(a[3].pos.line == 13);
    CHECK(a[3].pos.column == 36);
    CHECK(a[3].kind == ConfigAction::ignored);
}

TEST_CASE("packetdrill config: an unterminated quote is an error, and # inside quotes is not a comment") {
    FakeFiles files;
    std::optional<ConfigError> e = error_of("sysctl -q net.ipv4.tcp_sack=1\nsysctl -q net.ipv4.tcp_wmem=\"4096 8192", files, {2, 1});
    REQUIRE(e.has_value());
    CHECK(e->pos.line == 3);
    CHECK(e->pos.column == 1);
    CHECK(std::string(e->what()).find("unterminated \"") != std::string::npos);
    std::vector<ConfigAction> a = interpret("sysctl -q net.ipv4.tcp_fastopen_key=\"a#b;c\"");
    REQUIRE(a.size() == 1);
    check_sysctl(a[0], "net.ipv4.tcp_fastopen_key", "a#b;c");
}
