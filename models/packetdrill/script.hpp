#pragma once
// A packetdrill script as parsed (script_parser.hpp): its options, and its events in order, each
// with where it is in the file. Numbers stay as the script writes them (relative sequence
// numbers, script-side timestamps); the runner (script_runner.hpp) turns them into what goes on
// the wire and what it expects there.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/core/time.hpp"

namespace tcpsim::packetdrill {

struct SourcePos {
    uint32_t line = 0, column = 0;  // 1-based
};

// A script that does not parse: where, and what was expected there.
struct ParseError : std::runtime_error {
    ParseError(SourcePos p, const std::string& what) : std::runtime_error(what), pos(p) {}
    SourcePos pos;
};

// When an event happens. `0.1` absolute, `+0.1` relative to the previous event's actual time,
// `*` any time (outbound packets only); `T1~T2` a window; `T1...T2` a blocking system call that
// starts at T1 and returns at T2 (T2 relative to the same base as T1 when written with or
// without '+': see SYNTAX.md).
struct EventTime {
    enum class Kind : uint8_t { absolute, relative, any };
    enum class Range : uint8_t { none, window, blocking };
    Kind kind = Kind::absolute;
    SimTime start;  // the time, or the delta when relative
    Range range = Range::none;
    SimTime end;               // window end or blocking return time
    bool end_relative = false; // written with '+' (window), or relative because start is (blocking)
};

struct TcpOptionSpec {
    enum class Kind : uint8_t { mss, sack_permitted, sack, timestamp, nop, eol, wscale, other };
    Kind kind = Kind::nop;
    uint32_t value = 0;   // mss, wscale, TS val
    uint32_t value2 = 0;  // TS ecr
    std::vector<std::pair<uint32_t, uint32_t>> blocks;  // sack A:B ..., as written (relative)
    std::string text;     // other: the option as written (the runner reports it unsupported)
};

struct PacketSpec {
    bool inbound = true;                 // '<': the remote sends it; '>': the local stack must
    std::optional<uint8_t> ecn;          // [noecn]=0 [ect1]=1 [ect0]=2 [ce]=3
    uint8_t flags = 0;                   // kFin, kSyn, ... (models/network/packet.hpp bits)
    uint32_t seq = 0, end = 0, len = 0;  // SEQ:END(LEN), relative
    std::optional<uint32_t> ack, win, urg;
    bool any_options = false;            // <...>: options not checked
    std::optional<std::vector<TcpOptionSpec>> options;  // absent: none written
};

// An argument of a system call, as written: `...`, a number, a constant name (or several joined
// by '|', kept as written, e.g. "O_RDWR|O_NONBLOCK"), a string, `[...]` a list (a pointer to an
// int is `[1]`), `{...}` a struct, or `name=value` / `name(N)=value` inside a struct.
struct SyscallArg {
    enum class Kind : uint8_t { ellipsis, number, name, string, list, structure, named };
    Kind kind = Kind::ellipsis;
    int64_t number = 0;             // number; for named: the N of name(N), or -1
    std::string text;               // name, string, or the field name of `named`
    std::vector<SyscallArg> items;  // list and structure elements; named: items[0] is the value
};

struct SyscallSpec {
    std::string name;
    std::vector<SyscallArg> args;
    int64_t result = 0;
    std::optional<std::string> errno_name;  // "EINPROGRESS" in `= -1 EINPROGRESS (...)`
};

// `%{ ... }%`: Python in packetdrill; the runner evaluates its `assert` lines (tcp_info_assert.hpp).
struct AssertBlock {
    std::string code;
};

// Backquoted shell text: host configuration (config_commands.hpp).
struct ShellBlock {
    std::string text;
};

struct Event {
    SourcePos pos;
    std::optional<EventTime> time;  // absent only for a shell block standing alone
    std::variant<PacketSpec, SyscallSpec, AssertBlock, ShellBlock> action;
    std::string source;  // the event's text as written (for -v and messages), on one line
};

struct Script {
    std::string path;
    std::vector<std::pair<std::string, std::string>> options;  // --name=value, in order
    std::vector<Event> events;
};

}  // namespace tcpsim::packetdrill
