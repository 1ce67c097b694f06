#pragma once
// ScriptLexer: the cursor over a packetdrill script's text (index, line and column) and the
// reading of its smallest pieces: blanks and comments, single characters, identifiers, words,
// integers and exact decimal seconds; errors as ParseError with the line and column. The parser
// (script_parser.cpp) builds options, events, packets and system calls on top of it.
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>

#include "models/packetdrill/script.hpp"
#include "sim/core/time.hpp"

namespace tcpsim::packetdrill {

class ScriptLexer {
public:
    // Character classes (also for the parser's own scanning).
    static bool is_hspace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
    static bool is_space(char c) { return is_hspace(c) || c == '\n'; }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }
    static bool is_hex_digit(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
    static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
    static bool is_ident_start(char c) { return is_alpha(c) || c == '_'; }
    static bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }
    static std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

protected:
    explicit ScriptLexer(std::string_view text) : text_(text) {}

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

    std::string_view text_;
    size_t at_ = 0;
    uint32_t line_ = 1, column_ = 1;
    size_t token_end_ = 0;  // just past the last character of the last token read
};

}  // namespace tcpsim::packetdrill
