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
#include "models/packetdrill/script_lexer.hpp"

namespace tcpsim::packetdrill {
namespace {

// The event's text on one line: every run of white space (newlines included, and a backslash
// that continues a line in a block) becomes one space.
std::string one_line(std::string_view text) {
    std::string out;
    bool space = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (ScriptLexer::is_space(c) || (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n')) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

class ScriptParser : ScriptLexer {
public:
    ScriptParser(std::string_view text, const std::string& path) : ScriptLexer(text) { script_.path = path; }

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

    Script script_;
};

}  // namespace

Script parse_script(std::string_view text, const std::string& path) { return ScriptParser(text, path).parse(); }

}  // namespace tcpsim::packetdrill
