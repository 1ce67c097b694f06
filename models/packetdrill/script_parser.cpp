#include "models/packetdrill/script_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "models/network/packet.hpp"

namespace tcpsim::packetdrill {
namespace {

bool is_hspace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
bool is_space(char c) { return is_hspace(c) || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ident_start(char c) { return is_alpha(c) || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }

// The event's text on one line: every run of white space (newlines included, and a backslash
// that continues a line in a block) becomes one space.
std::string one_line(std::string_view text) {
    std::string out;
    bool space = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (is_space(c) || (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n')) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

class ScriptParser {
public:
    ScriptParser(std::string_view text, const std::string& path) : text_(text) { script_.path = path; }

    Script parse() {
        bool seen_event = false;
        for (;;) {
            skip_space(true);
            if (at_end()) break;
            if (looking_at("--")) {
                if (seen_event) fail(pos(), "options (--name=value) go at the top, before the first event");
                parse_option();
                expect_line_end("the option");
                continue;
            }
            seen_event = true;
            script_.events.push_back(parse_event());
        }
        return std::move(script_);
    }

private:
    // ---- the cursor: an index into the text, with its line and column

    struct Mark { size_t at, token_end; uint32_t line, column; };

    bool at_end() const { return at_ >= text_.size(); }
    char peek(size_t ahead = 0) const { return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0'; }
    bool looking_at(std::string_view s) const { return text_.substr(at_, s.size()) == s; }
    bool at_line_end() const { return at_end() || peek() == '\n'; }
    SourcePos pos() const { return {line_, column_}; }
    Mark mark() const { return {at_, token_end_, line_, column_}; }
    void restore(const Mark& m) { std::tie(at_, token_end_, line_, column_) = std::tie(m.at, m.token_end, m.line, m.column); }

    void advance(size_t n = 1) {
        for (; n > 0 && !at_end(); --n, ++at_) {
            bool newline = text_[at_] == '\n';
            line_ += newline ? 1 : 0;
            column_ = newline ? 1 : column_ + 1;
        }
        token_end_ = at_;
    }

    // Blanks and comments; newlines too when `newlines` (between events, inside parentheses).
    // token_end_ stays at the end of the last token, so an event's source leaves out a trailing
    // comment.
    void skip_space(bool newlines) {
        size_t keep = token_end_;
        for (;;) {
            char c = peek();
            if (is_hspace(c) || (newlines && c == '\n')) {
                advance();
            } else if (looking_at("//")) {
                while (!at_line_end()) advance();
            } else if (looking_at("/*")) {
                SourcePos start = pos();
                size_t close = text_.find("*/", at_ + 2);
                if (close == std::string_view::npos) fail(start, "unterminated comment: no closing \"*/\"");
                advance(close + 2 - at_);
            } else {
                break;
            }
        }
        token_end_ = keep;
    }
    void skip_blanks() { skip_space(false); }

    // What is at the cursor, for "got ..." in messages.
    std::string describe_next() const {
        if (at_end()) return "the end of the file";
        if (peek() == '\n') return "the end of the line";
        size_t n = 0;
        if (is_ident(peek())) {
            while (is_ident(peek(n))) ++n;
        } else {
            while (n < 16 && at_ + n < text_.size() && !is_space(peek(n))) ++n;
        }
        return quoted(text_.substr(at_, n));
    }

    [[noreturn]] void fail(SourcePos p, const std::string& message) const { throw ParseError(p, message); }
    [[noreturn]] void fail_expected(const std::string& expected) const {
        fail(pos(), "expected " + expected + ", got " + describe_next());
    }

    bool accept(char c) {
        if (peek() != c) return false;
        advance();
        return true;
    }
    void expect(char c, const std::string& expected) {
        if (!accept(c)) fail_expected(expected);
    }
    void expect_line_end(const std::string& after) {
        skip_blanks();
        if (!at_line_end()) fail(pos(), "unexpected " + describe_next() + " after " + after);
    }

    template <typename Predicate>
    std::string_view take_while(Predicate keep) {
        size_t start = at_;
        while (!at_end() && keep(peek())) advance();
        return text_.substr(start, at_ - start);
    }
    std::string_view read_identifier() { return take_while(is_ident); }
    // The identifier at the cursor without moving: "ack", "win", "val"...
    std::string_view peek_identifier() const {
        size_t n = 0;
        while (is_ident(peek(n))) ++n;
        return text_.substr(at_, n);
    }
    // `word`, with blanks around it: "val" and "ecr" in `TS val N ecr N`.
    void expect_word(std::string_view word, const std::string& context) {
        skip_blanks();
        if (peek_identifier() != word) fail_expected(quoted(word) + " " + context);
        advance(word.size());
        skip_blanks();
    }

    // ---- numbers

    // Sequence numbers, windows, option values: unsigned, 32 bits.
    uint32_t parse_u32(const std::string& what) {
        SourcePos start = pos();
        if (peek() == '-') fail_expected(what);
        int64_t v = parse_i64(what);
        if (v > std::numeric_limits<uint32_t>::max()) fail(start, what + " does not fit in 32 bits");
        return static_cast<uint32_t>(v);
    }

    // A decimal or 0x-hex integer, possibly negative.
    int64_t parse_i64(const std::string& what) {
        SourcePos start = pos();
        bool negative = peek() == '-';
        size_t sign = negative ? 1 : 0;
        int base = 10;
        size_t digits = sign;
        if (peek(sign) == '0' && (peek(sign + 1) == 'x' || peek(sign + 1) == 'X') && is_hex_digit(peek(sign + 2))) {
            base = 16;
            digits = sign + 2;
        }
        if (!is_hex_digit(peek(digits)) || (base == 10 && !is_digit(peek(digits)))) fail_expected(what);
        size_t end = digits;
        while (base == 16 ? is_hex_digit(peek(end)) : is_digit(peek(end))) ++end;
        if (is_ident(peek(end))) fail_expected(what);  // "0x", "12ab": not a number followed by a name
        uint64_t magnitude = 0;
        const char* first = text_.data() + at_ + digits;
        auto [ptr, ec] = std::from_chars(first, text_.data() + at_ + end, magnitude, base);
        uint64_t limit = negative ? uint64_t{1} << 63 : uint64_t{std::numeric_limits<int64_t>::max()};
        if (ec != std::errc() || magnitude > limit) fail(start, what + " does not fit in 64 bits");
        advance(end);
        return negative ? static_cast<int64_t>(uint64_t{0} - magnitude) : static_cast<int64_t>(magnitude);
    }

    // Seconds written in decimal ("0", "1.5", ".1", "0.100") to exact nanoseconds: the fraction
    // is read digit by digit, so 0.1 is 100000000 ns and not the nearest double.
    SimTime parse_seconds(const std::string& what) {
        SourcePos start = pos();
        constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000 - 1;
        int64_t whole = 0;
        bool any_digit = false;
        while (is_digit(peek())) {
            whole = whole * 10 + (peek() - '0');
            if (whole > kMaxSeconds) fail(start, "the time is too large");
            any_digit = true;
            advance();
        }
        int64_t fraction = 0;
        int fraction_digits = 0;
        // A '.' is a decimal point only when a digit follows, or after digits when it does not
        // start "..." (as in `+0...0.1`).
        if (peek() == '.' && (is_digit(peek(1)) || (any_digit && peek(1) != '.'))) {
            advance();
            while (is_digit(peek())) {
                if (fraction_digits == 9) {
                    if (peek() != '0') fail(start, "the time is more precise than a nanosecond");
                } else {
                    fraction = fraction * 10 + (peek() - '0');
                    ++fraction_digits;
                }
                any_digit = true;
                advance();
            }
        }
        if (!any_digit) fail_expected(what);
        for (int i = fraction_digits; i < 9; ++i) fraction *= 10;
        return SimTime::from_ns(whole * 1'000'000'000 + fraction);
    }

    // ---- options and events

    void parse_option() {
        advance(2);  // "--"
        std::string name(take_while([](char c) { return is_ident(c) || c == '-'; }));
        if (name.empty()) fail_expected("an option name after \"--\"");
        std::string value;
        if (accept('=')) value = take_while([](char c) { return !is_space(c); });
        script_.options.emplace_back(std::move(name), std::move(value));
    }

    Event parse_event() {
        Event event;
        event.pos = pos();
        size_t start = at_;
        if (peek() == '`') {
            event.action = ShellBlock{read_block("`", "`", "backquoted block")};
        } else {
            char c = peek();
            if (!(is_digit(c) || c == '.' || c == '+' || c == '*'))
                fail_expected("an event (a time, then a packet or a system call)");
            event.time = parse_time();
            skip_blanks();
            event.action = parse_action();
        }
        event.source = one_line(text_.substr(start, token_end_ - start));
        // In the order of Event::action's alternatives.
        static constexpr const char* kWhat[] = {"the packet", "the system call", "the %{ }% block", "the backquoted block"};
        expect_line_end(kWhat[event.action.index()]);
        return event;
    }

    EventTime parse_time() {
        EventTime t;
        if (accept('*')) {
            t.kind = EventTime::Kind::any;
            return t;
        }
        bool relative = accept('+');
        t.kind = relative ? EventTime::Kind::relative : EventTime::Kind::absolute;
        t.start = parse_seconds("a time (like 0.1, +.1 or *)");
        Mark after_start = mark();
        skip_blanks();
        if (accept('~')) {
            skip_blanks();
            t.range = EventTime::Range::window;
            t.end_relative = accept('+');
            t.end = parse_seconds("the end of the time window (T1~T2)");
        } else if (looking_at("...")) {
            advance(3);
            skip_blanks();
            t.range = EventTime::Range::blocking;
            // The return time counts from the same base as the start (SYNTAX.md: `+0...0.1`
            // returns 0.1 s after the previous event).
            t.end_relative = accept('+') || relative;
            t.end = parse_seconds("the time the blocking call returns (T1...T2)");
        } else {
            restore(after_start);
        }
        return t;
    }

    decltype(Event::action) parse_action() {
        if (peek() == '<' || peek() == '>') return parse_packet();
        if (looking_at("%{")) return AssertBlock{read_block("%{", "}%", "%{ block")};
        if (peek() == '`') return ShellBlock{read_block("`", "`", "backquoted block")};
        if (is_ident_start(peek())) {
            Mark at_name = mark();
            std::string name(read_identifier());
            skip_blanks();
            if (peek() == '(') return parse_syscall(std::move(name));
            restore(at_name);
        }
        fail_expected("a packet or a system call after the time");
    }

    // The text between `open` and `close`, verbatim (newlines included).
    std::string read_block(std::string_view open, std::string_view close, const std::string& what) {
        SourcePos start = pos();
        size_t end = text_.find(close, at_ + open.size());
        if (end == std::string_view::npos) fail(start, "unterminated " + what + ": no closing " + quoted(close));
        std::string body(text_.substr(at_ + open.size(), end - at_ - open.size()));
        advance(end + close.size() - at_);
        return body;
    }

    // ---- packets: DIRECTION [ECN] FLAGS SEQ:END(LEN) [ack N] [win N] [urg N] [<OPTIONS>]

    PacketSpec parse_packet() {
        PacketSpec packet;
        packet.inbound = peek() == '<';
        advance();
        skip_blanks();
        if (peek() == '[') parse_ecn(packet);
        packet.flags = parse_flags();
        skip_blanks();
        SourcePos range_pos = pos();
        packet.seq = parse_u32("the sequence range SEQ:END(LEN)");
        expect(':', "\":\" in SEQ:END(LEN)");
        packet.end = parse_u32("END in SEQ:END(LEN)");
        expect('(', "\"(\" in SEQ:END(LEN)");
        packet.len = parse_u32("LEN in SEQ:END(LEN)");
        expect(')', "\")\" in SEQ:END(LEN)");
        // Unsigned: a range may wrap around 2^32.
        uint32_t span = packet.end - packet.seq;
        if (span != packet.len)
            fail(range_pos, std::to_string(packet.seq) + ":" + std::to_string(packet.end) + " is " + std::to_string(span) +
                                " bytes, but the length says (" + std::to_string(packet.len) + ")");
        for (;;) {
            Mark before = mark();
            skip_blanks();
            SourcePos field_pos = pos();
            std::string_view word = peek_identifier();
            std::optional<uint32_t>* field = word == "ack" ? &packet.ack
                                           : word == "win" ? &packet.win
                                           : word == "urg" ? &packet.urg
                                                           : nullptr;
            if (field) {
                if (field->has_value()) fail(field_pos, quoted(word) + " is given twice");
                advance(word.size());
                skip_blanks();
                *field = parse_u32("a number after " + quoted(word));
            } else if (peek() == '<') {
                if (packet.any_options || packet.options) fail(field_pos, "the TCP options are given twice");
                parse_tcp_options(packet);
            } else {
                restore(before);
                return packet;
            }
        }
    }

    void parse_ecn(PacketSpec& packet) {
        SourcePos start = pos();
        size_t close = text_.find(']', at_);
        size_t line_end = text_.find('\n', at_);
        if (close == std::string_view::npos || close > line_end) fail(start, "unterminated \"[\": no closing \"]\"");
        std::string_view name = text_.substr(at_ + 1, close - at_ - 1);
        // Indexed by codepoint (RFC 3168 5): Not-ECT, ECT(1), ECT(0), CE.
        static constexpr std::string_view kNames[] = {"noecn", "ect1", "ect0", "ce"};
        for (uint8_t codepoint = 0; codepoint < 4; ++codepoint)
            if (name == kNames[codepoint]) packet.ecn = codepoint;
        if (!packet.ecn)
            fail(start, "unknown ECN codepoint \"[" + std::string(name) + "]\" (expected [noecn], [ect0], [ect1] or [ce])");
        advance(close + 1 - at_);
        skip_blanks();
    }

    // tcpdump's letters: S F P R U E W, '.' for ACK; '-' alone for a segment with no flag.
    uint8_t parse_flags() {
        static constexpr std::pair<char, uint8_t> kLetters[] = {{'S', kSyn}, {'F', kFin}, {'P', kPsh}, {'R', kRst},
                                                                {'U', kUrg}, {'E', kEce}, {'W', kCwr}, {'.', kAck}};
        if (at_line_end() || peek() == '<' || is_digit(peek())) fail_expected("the TCP flags (S, S., ., P., F., R, ...)");
        SourcePos start = pos();
        std::string_view word = take_while([](char c) { return !is_space(c); });
        uint8_t flags = 0;
        for (size_t i = 0; i < word.size() && word != "-"; ++i) {
            auto letter = std::find_if(std::begin(kLetters), std::end(kLetters), [&](auto& l) { return l.first == word[i]; });
            if (letter == std::end(kLetters))
                fail({start.line, start.column + static_cast<uint32_t>(i)},
                     "unknown TCP flag '" + std::string(1, word[i]) + "' in " + quoted(word) +
                         " (the flags are S F P R U E W, '.' for ACK, '-' for none)");
            flags |= letter->second;
        }
        return flags;
    }

    // <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8,sack 1:2 3:4,eol>, or <...>.
    void parse_tcp_options(PacketSpec& packet) {
        advance();  // '<'
        skip_blanks();
        if (looking_at("...")) {
            advance(3);
            skip_blanks();
            expect('>', "\">\" after \"<...\"");
            packet.any_options = true;
            return;
        }
        packet.options.emplace();  // `<>`: written, and empty
        if (peek() != '>') {
            do {
                skip_blanks();
                packet.options->push_back(parse_tcp_option());
                skip_blanks();
            } while (accept(','));
        }
        expect('>', "\",\" or \">\" after a TCP option");
    }

    TcpOptionSpec parse_tcp_option() {
        using Kind = TcpOptionSpec::Kind;
        TcpOptionSpec option;
        Mark start = mark();
        std::string_view word = read_identifier();
        if (word == "mss" || word == "wscale") {
            option.kind = word == "mss" ? Kind::mss : Kind::wscale;
            skip_blanks();
            option.value = parse_u32(word == "mss" ? "the MSS after \"mss\"" : "the shift count after \"wscale\"");
        } else if (word == "sackOK" || word == "nop" || word == "eol") {
            option.kind = word == "sackOK" ? Kind::sack_permitted : word == "nop" ? Kind::nop : Kind::eol;
        } else if (word == "TS") {
            option.kind = Kind::timestamp;
            expect_word("val", "after \"TS\"");
            option.value = parse_u32("the TS value after \"val\"");
            expect_word("ecr", "after the TS value");
            option.value2 = parse_u32("the TS echo reply after \"ecr\"");
        } else if (word == "sack") {
            option.kind = Kind::sack;
            for (skip_blanks(); is_digit(peek()); skip_blanks()) {
                uint32_t left = parse_u32("the left edge of a SACK block");
                expect(':', "\":\" in the SACK block LEFT:RIGHT");
                uint32_t right = parse_u32("the right edge of a SACK block");
                option.blocks.emplace_back(left, right);
            }
        } else {
            // An option the runner does not know (md5, FO ...): kept as written, so it can be
            // reported unsupported without failing the parse.
            restore(start);
            std::string_view text = take_while([](char c) { return c != '\n' && c != ',' && c != '>'; });
            while (!text.empty() && is_hspace(text.back())) text.remove_suffix(1);
            if (text.empty()) fail_expected("a TCP option");
            option.kind = Kind::other;
            option.text = std::string(text);
        }
        return option;
    }

    // ---- system calls: name(ARGS) = RESULT [ERRNO] [(text)]

    SyscallSpec parse_syscall(std::string name) {
        SyscallSpec call;
        call.name = std::move(name);
        advance();  // '('
        call.args = parse_arguments(')', "the arguments of " + call.name + "()");
        skip_blanks();
        expect('=', "\"=\" and the result after " + call.name + "(...)");
        skip_blanks();
        call.result = parse_i64("the result of " + call.name + "(), a number");
        skip_blanks();
        if (is_ident_start(peek())) {
            call.errno_name = std::string(read_identifier());
            skip_blanks();
        }
        // `(Operation now in progress)`, `(flags O_RDWR)`: a note for the reader.
        SourcePos open = pos();
        for (int depth = 0; peek() == '(' || depth > 0; advance()) {
            if (at_end()) fail(open, "unterminated \"(\" after the result: no closing \")\"");
            depth += peek() == '(' ? 1 : peek() == ')' ? -1 : 0;
        }
        return call;
    }

    // Comma-separated arguments up to `close` (already past the opening bracket); newlines
    // count as blanks here, so a call may span several lines.
    std::vector<SyscallArg> parse_arguments(char close, const std::string& what) {
        std::vector<SyscallArg> args;
        skip_space(true);
        if (peek() != close) {
            do {
                args.push_back(parse_argument());
                skip_space(true);
            } while (accept(','));
        }
        expect(close, "\",\" or \"" + std::string(1, close) + "\" in " + what);
        return args;
    }

    SyscallArg parse_argument() {
        using Kind = SyscallArg::Kind;
        skip_space(true);
        SyscallArg arg;
        char c = peek();
        if (looking_at("...")) {
            advance(3);
            arg.kind = Kind::ellipsis;
        } else if (c == '"') {
            arg.kind = Kind::string;
            arg.text = parse_string();
        } else if (c == '[' || c == '{') {
            advance();
            arg.kind = c == '[' ? Kind::list : Kind::structure;
            arg.items = parse_arguments(c == '[' ? ']' : '}', c == '[' ? "the list" : "the struct");
        } else if (is_digit(c) || (c == '-' && is_digit(peek(1)))) {
            arg.kind = Kind::number;
            arg.number = parse_i64("a number");
        } else if (is_ident_start(c)) {
            parse_named_argument(arg);
        } else {
            fail_expected("an argument (a number, a name, a string, [...], {...} or ...)");
        }
        return arg;
    }

    // NAME, NAME|NAME..., NAME=VALUE or NAME(N)=VALUE (struct fields such as msg_iov(4)=[...]).
    void parse_named_argument(SyscallArg& arg) {
        using Kind = SyscallArg::Kind;
        std::string name(read_identifier());
        Mark after_name = mark();
        skip_space(true);
        if (peek() == '|') {
            arg.kind = Kind::name;
            arg.text = name;
            while (accept('|')) {
                skip_space(true);
                if (!is_ident_start(peek())) fail_expected("a name after \"|\"");
                arg.text += '|';
                arg.text += read_identifier();
                after_name = mark();
                skip_space(true);
            }
            restore(after_name);
            return;
        }
        int64_t count = -1;
        if (accept('(')) {
            skip_space(true);
            if (looking_at("...")) advance(3);
            else count = parse_i64("a count in " + name + "(N)");
            skip_space(true);
            expect(')', "\")\" in " + name + "(N)");
            skip_space(true);
            if (peek() != '=') fail_expected("\"=\" after " + name + "(...) (function calls are not arguments)");
        }
        if (peek() == '=' && peek(1) != '=') {
            advance();
            arg.kind = Kind::named;
            arg.text = std::move(name);
            arg.number = count;
            arg.items.push_back(parse_argument());
            return;
        }
        restore(after_name);
        arg.kind = Kind::name;
        arg.text = std::move(name);
    }

    std::string parse_string() {
        SourcePos open = pos();
        advance();  // '"'
        std::string out;
        for (;;) {
            if (at_line_end()) fail(open, "unterminated string: no closing '\"'");
            char c = peek();
            advance();
            if (c == '"') return out;
            if (c == '\\' && !at_line_end()) {
                c = peek();
                advance();
                c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? '\0' : c;  // else \\, \", \'
            }
            out += c;
        }
    }

    std::string_view text_;
    size_t at_ = 0;
    uint32_t line_ = 1, column_ = 1;
    size_t token_end_ = 0;  // just past the last character of the last token read
    Script script_;
};

}  // namespace

Script parse_script(std::string_view text, const std::string& path) { return ScriptParser(text, path).parse(); }

}  // namespace tcpsim::packetdrill
