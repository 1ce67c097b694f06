#pragma once
// The `assert EXPR[, MSG]` statements of a `%{ ... }%` block (AssertBlock), evaluated over
// the tcp_info fields of the socket under test. packetdrill hands the block to Python; tcpsim
// evaluates the subset the scripts use and refuses the rest, so that an assert is never
// silently skipped:
//   - numbers (integers, floats, 0x hex), names, + - * / // % ** and unary -, parentheses;
//   - comparisons, chained as in Python (`990 <= x <= 1010` is `990 <= x and x <= 1010`);
//   - and, or, not (returning an operand, as Python does), True, False;
//   - statements separated by newlines or ';', a trailing backslash continuing a line, `#`
//     comments; besides assert, `NAME = EXPR` (scripts define constants that way).
// MSG is Python's message for a failed assert; it is kept as written, not evaluated (it is
// often a %-format of more fields).
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/packetdrill/script.hpp"

namespace tcpsim::packetdrill {

// The value of a name (a tcpi_* field of the socket at that moment), nullopt if unknown.
using TcpInfoLookup = std::function<std::optional<double>(std::string_view name)>;

// The Linux constants scripts compare with: TCP_CA_Open=0, TCP_CA_Disorder=1, TCP_CA_CWR=2,
// TCP_CA_Recovery=3, TCP_CA_Loss=4, TCP_INFINITE_SSTHRESH=0x7fffffff. nullopt for other names.
std::optional<double> tcp_info_constant(std::string_view name);

// Names bound by `NAME = EXPR`. Give the same map to every block of a script: packetdrill runs
// them in one interpreter, so a name defined in one block is defined in the blocks after it.
using AssignedNames = std::map<std::string, double, std::less<>>;

struct AssertOutcome {
    bool held = false;
    std::string text;     // the condition as written, on one line: "tcpi_snd_cwnd == 10"
    std::string message;  // MSG as written ("" without one)
    SourcePos pos;        // of the `assert` keyword
    // Every name the condition used, once, in the order first used, with its value.
    std::vector<std::pair<std::string, double>> values;
    std::string error;    // why the condition could not be evaluated (division by zero): not held

    // "assert tcpi_snd_cwnd == 10 failed: tcpi_snd_cwnd = 7"
    std::string failure_message() const;
};

// A block tcpsim cannot evaluate: a name it does not know (a tcp_info field it does not
// provide) or Python outside the subset (`print(...)`, strings in a condition, calls, ...).
// Not a failed assert: the runner reports the script unsupported, naming `subject`.
struct UnsupportedAssert : std::runtime_error {
    enum class Reason { unknown_name, unsupported_construct };
    UnsupportedAssert(SourcePos p, Reason r, std::string s, const std::string& what)
        : std::runtime_error(what), pos(p), reason(r), subject(std::move(s)) {}
    SourcePos pos;
    Reason reason;
    std::string subject;  // "tcpi_foo", "print(tcpi_snd_cwnd)"
};

// The outcome of each assert of `code`, in order. `pos` is where the code starts (the runner
// passes the event's position, Event::pos): lines after the first count from there and their
// columns are exact. Names resolve to `assigned` first, then tcp_info_constant, then `lookup`.
// Throws UnsupportedAssert before evaluating anything if any statement is outside the subset.
std::vector<AssertOutcome> evaluate_asserts(std::string_view code, SourcePos pos, const TcpInfoLookup& lookup,
                                            AssignedNames* assigned = nullptr);

}  // namespace tcpsim::packetdrill
