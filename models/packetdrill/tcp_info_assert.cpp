#include "models/packetdrill/tcp_info_assert.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tcpsim::packetdrill {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }

struct Token {
    enum Kind { number, name, string, op, end_of_statement };
    Kind kind = end_of_statement;
    std::string text;
    double value = 0;      // number
    bool integer = false;  // number written without '.' or exponent
    SourcePos pos;
    size_t begin = 0, end = 0;  // offsets in the code
};

// Python's tokens, enough for the subset: statements end at a newline outside parentheses (a
// backslash before it continues the line) or at ';'.
class Tokenizer {
public:
    Tokenizer(std::string_view code, SourcePos origin) : code_(code), origin_(origin) {}

    std::vector<std::vector<Token>> statements() {
        std::vector<std::vector<Token>> out(1);
        int depth = 0;
        while (at_ < code_.size()) {
            char c = code_[at_];
            if (is_blank(c)) {
                ++at_;
            } else if (c == '\\' && at_ + 1 < code_.size() && code_[at_ + 1] == '\n') {
                at_ += 2;
                new_line();
            } else if (c == '#') {
                while (at_ < code_.size() && code_[at_] != '\n') ++at_;
            } else if (c == '\n' || c == ';') {
                ++at_;
                if (c == '\n') new_line();
                if (c == ';' || depth == 0) out.emplace_back();
            } else {
                Token t = next();
                if (t.text == "(" || t.text == "[" || t.text == "{") ++depth;
                if ((t.text == ")" || t.text == "]" || t.text == "}") && depth > 0) --depth;
                out.back().push_back(std::move(t));
            }
        }
        return out;
    }

private:
    SourcePos here() const {
        uint32_t column = static_cast<uint32_t>(at_ - line_start_);
        return line_ == 0 ? SourcePos{origin_.line, origin_.column + column} : SourcePos{origin_.line + line_, column + 1};
    }
    void new_line() {
        ++line_;
        line_start_ = at_;
    }

    Token next() {
        Token t;
        t.pos = here();
        t.begin = at_;
        char c = code_[at_];
        if (is_digit(c) || (c == '.' && at_ + 1 < code_.size() && is_digit(code_[at_ + 1]))) {
            number(t);
        } else if (is_ident_start(c)) {
            t.kind = Token::name;
            while (at_ < code_.size() && is_ident(code_[at_])) ++at_;
        } else if (c == '\'' || c == '"') {
            t.kind = Token::string;
            for (++at_;; ++at_) {
                if (at_ >= code_.size() || code_[at_] == '\n')
                    throw UnsupportedAssert(t.pos, UnsupportedAssert::Reason::unsupported_construct, "string",
                                            "unterminated string in the Python block");
                if (code_[at_] == '\\') ++at_;
                else if (code_[at_] == c) break;
            }
            ++at_;
        } else {
            t.kind = Token::op;
            static constexpr std::string_view kTwoChar[] = {"**", "//", "==", "!=", "<=", ">="};
            std::string_view two = code_.substr(at_, 2);
            bool pair = false;
            for (std::string_view p : kTwoChar) pair = pair || two == p;
            at_ += pair ? 2 : 1;
        }
        t.end = at_;
        t.text = std::string(code_.substr(t.begin, t.end - t.begin));
        return t;
    }

    void number(Token& t) {
        t.kind = Token::number;
        size_t start = at_;
        if (code_[at_] == '0' && at_ + 1 < code_.size() && (code_[at_ + 1] == 'x' || code_[at_ + 1] == 'X')) {
            at_ += 2;
            uint64_t v = 0;
            auto [ptr, ec] = std::from_chars(code_.data() + at_, code_.data() + code_.size(), v, 16);
            if (ec != std::errc()) fail_number(t, start);
            at_ = static_cast<size_t>(ptr - code_.data());
            t.value = static_cast<double>(v);
            t.integer = true;
        } else {
            while (at_ < code_.size() && is_digit(code_[at_])) ++at_;
            t.integer = true;
            if (at_ < code_.size() && code_[at_] == '.') {
                t.integer = false;
                for (++at_; at_ < code_.size() && is_digit(code_[at_]);) ++at_;
            }
            if (at_ < code_.size() && (code_[at_] == 'e' || code_[at_] == 'E')) {
                size_t e = at_ + 1;
                if (e < code_.size() && (code_[e] == '+' || code_[e] == '-')) ++e;
                if (e < code_.size() && is_digit(code_[e])) {
                    t.integer = false;
                    for (at_ = e; at_ < code_.size() && is_digit(code_[at_]);) ++at_;
                }
            }
            auto [ptr, ec] = std::from_chars(code_.data() + start, code_.data() + at_, t.value);
            if (ec != std::errc() || ptr != code_.data() + at_) fail_number(t, start);
        }
        if (at_ < code_.size() && is_ident(code_[at_])) fail_number(t, start);
    }
    [[noreturn]] void fail_number(const Token& t, size_t start) {
        while (at_ < code_.size() && is_ident(code_[at_])) ++at_;
        std::string text(code_.substr(start, at_ - start));
        throw UnsupportedAssert(t.pos, UnsupportedAssert::Reason::unsupported_construct, text,
                                "unsupported number \"" + text + "\" in the Python block");
    }

    std::string_view code_;
    SourcePos origin_;
    size_t at_ = 0, line_start_ = 0;
    uint32_t line_ = 0;  // counted from 0 within the code
};

// A value in the subset: a number (booleans are 1 and 0, as in Python arithmetic), or the error
// that stopped its evaluation. Errors travel with the value, so `x == 0 or 1 / x > 1` is fine
// when x is 0, as in Python, where the right side is never evaluated.
struct Value {
    double number = 0;
    bool integer = true;
    std::string error;
};

Value boolean(bool b) { return {b ? 1.0 : 0.0, true, {}}; }
bool truthy(const Value& v) { return v.number != 0; }

// The text of a token range on one line (backslash continuations and runs of blanks become one
// space).
std::string one_line(std::string_view code, size_t begin, size_t end) {
    std::string out;
    bool space = false;
    for (size_t i = begin; i < end; ++i) {
        char c = code[i];
        if (is_blank(c) || c == '\n' || (c == '\\' && i + 1 < end && code[i + 1] == '\n')) {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::string format_number(double v) {
    char buf[64];
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e18)
        return std::to_string(static_cast<int64_t>(v));
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, ptr) : "?";
}

// Parses and evaluates one statement's tokens at once (the subset has no side effects but
// assignment, so there is nothing to defer).
class Evaluator {
public:
    Evaluator(std::string_view code, const std::vector<Token>& tokens, const TcpInfoLookup& lookup, AssignedNames& assigned)
        : code_(code), tokens_(tokens), lookup_(lookup), assigned_(assigned) {}

    // The outcome of an assert; nullopt for an assignment.
    std::optional<AssertOutcome> run() {
        const Token& first = tokens_.front();
        if (first.kind == Token::name && first.text == "assert") {
            ++at_;
            AssertOutcome outcome;
            outcome.pos = first.pos;
            size_t begin = peek().begin;
            Value v = expression();
            outcome.text = one_line(code_, begin, tokens_[at_ - 1].end);
            if (peek().text == ",") {
                ++at_;
                if (at_ == tokens_.size()) unsupported(tokens_[at_ - 1], "assert with an empty message");
                outcome.message = one_line(code_, peek().begin, tokens_.back().end);
                at_ = tokens_.size();
            }
            expect_end();
            outcome.held = v.error.empty() && truthy(v);
            outcome.error = v.error;
            outcome.values = std::move(used_);
            return outcome;
        }
        if (first.kind == Token::name && tokens_.size() > 1 && tokens_[1].text == "=") {
            at_ = 2;
            Value v = expression();
            expect_end();
            if (!v.error.empty()) unsupported(first, first.text + " = ...: " + v.error);
            assigned_[first.text] = v.number;
            return std::nullopt;
        }
        std::string text = one_line(code_, first.begin, tokens_.back().end);
        throw UnsupportedAssert(first.pos, UnsupportedAssert::Reason::unsupported_construct, text,
                                "unsupported Python statement \"" + text + "\" (tcpsim evaluates assert and NAME = value)");
    }

private:
    const Token& peek() const {
        static const Token kEnd;
        return at_ < tokens_.size() ? tokens_[at_] : kEnd;
    }
    bool peek_is(std::string_view op) const { return peek().kind == Token::op && peek().text == op; }
    bool peek_word(std::string_view word) const { return peek().kind == Token::name && peek().text == word; }

    [[noreturn]] void unsupported(const Token& t, const std::string& construct) const {
        throw UnsupportedAssert(t.pos, UnsupportedAssert::Reason::unsupported_construct, construct,
                                "unsupported Python in the assert: " + construct);
    }
    void expect_end() const {
        if (at_ < tokens_.size()) unsupported(peek(), "\"" + one_line(code_, peek().begin, tokens_.back().end) + "\"");
    }

    Value expression() {  // or_test
        Value v = and_test();
        while (peek_word("or")) {
            ++at_;
            Value r = and_test();
            if (!v.error.empty() || !truthy(v)) v = r;
        }
        return v;
    }
    Value and_test() {
        Value v = not_test();
        while (peek_word("and")) {
            ++at_;
            Value r = not_test();
            if (v.error.empty() && truthy(v)) v = r;
        }
        return v;
    }
    Value not_test() {
        if (peek_word("not")) {
            ++at_;
            Value v = not_test();
            return v.error.empty() ? boolean(!truthy(v)) : v;
        }
        return comparison();
    }
    // a < b < c is a < b and b < c, b evaluated once.
    Value comparison() {
        Value left = arithmetic();
        std::optional<Value> result;
        for (;;) {
            std::string op = peek().kind == Token::op ? peek().text : "";
            if (peek_word("in") || peek_word("is")) unsupported(peek(), "the operator \"" + peek().text + "\"");
            if (op != "<" && op != ">" && op != "<=" && op != ">=" && op != "==" && op != "!=") break;
            ++at_;
            Value right = arithmetic();
            if (!result || (result->error.empty() && truthy(*result))) {
                if (!left.error.empty()) result = left;
                else if (!right.error.empty()) result = right;
                else result = boolean(compare(left.number, op, right.number));
            }
            left = right;
        }
        return result ? *result : left;
    }
    static bool compare(double a, const std::string& op, double b) {
        if (op == "<") return a < b;
        if (op == ">") return a > b;
        if (op == "<=") return a <= b;
        if (op == ">=") return a >= b;
        if (op == "==") return a == b;
        return a != b;
    }
    Value arithmetic() {
        Value v = term();
        while (peek_is("+") || peek_is("-")) {
            bool plus = peek().text == "+";
            ++at_;
            Value r = term();
            v = combine(v, r, [&] { return Value{plus ? v.number + r.number : v.number - r.number, v.integer && r.integer, {}}; });
        }
        return v;
    }
    Value term() {
        Value v = factor();
        while (peek_is("*") || peek_is("/") || peek_is("//") || peek_is("%")) {
            std::string op = peek().text;
            ++at_;
            Value r = factor();
            v = combine(v, r, [&] {
                bool both_int = v.integer && r.integer;
                if (op == "*") return Value{v.number * r.number, both_int, {}};
                if (r.number == 0) return Value{0, true, op == "%" ? "modulo by zero" : "division by zero"};
                if (op == "/") return Value{v.number / r.number, false, {}};
                double q = std::floor(v.number / r.number);  // Python floors toward -infinity
                if (op == "//") return Value{q, both_int, {}};
                return Value{v.number - r.number * q, both_int, {}};
            });
        }
        return v;
    }
    Value factor() {
        if (peek_is("-") || peek_is("+")) {
            bool minus = peek().text == "-";
            ++at_;
            Value v = factor();
            if (minus) v.number = -v.number;
            return v;
        }
        return power();
    }
    Value power() {
        Value v = atom();
        if (peek_is("**")) {
            ++at_;
            Value r = factor();
            v = combine(v, r, [&] {
                if (v.number == 0 && r.number < 0) return Value{0, true, "zero to a negative power"};
                return Value{std::pow(v.number, r.number), v.integer && r.integer && r.number >= 0, {}};
            });
        }
        return v;
    }
    template <typename F>
    static Value combine(const Value& a, const Value& b, F compute) {
        if (!a.error.empty()) return a;
        if (!b.error.empty()) return b;
        return compute();
    }

    Value atom() {
        if (at_ >= tokens_.size()) {
            const Token& last = tokens_.back();
            unsupported(last, "an incomplete expression after \"" + last.text + "\"");
        }
        const Token& t = tokens_[at_++];
        if (t.kind == Token::number) return Value{t.value, t.integer, {}};
        if (t.kind == Token::op && t.text == "(") {
            Value v = expression();
            if (!peek_is(")")) unsupported(at_ < tokens_.size() ? peek() : t, "\"(\" without its \")\" (tuples are not supported)");
            ++at_;
            return v;
        }
        if (t.kind == Token::name) {
            if (peek_is("(")) unsupported(t, "the call " + t.text + "(...)");
            if (peek_is(".") || peek_is("[")) unsupported(t, "\"" + t.text + peek().text + "\"");
            return Value{resolve(t), true, {}};
        }
        if (t.kind == Token::string) unsupported(t, "the string " + t.text + " in a condition");
        unsupported(t, "\"" + t.text + "\"");
    }

    double resolve(const Token& t) {
        static constexpr std::string_view kKeywords[] = {"and", "or", "not", "in", "is", "if", "else", "lambda", "None", "assert"};
        if (t.text == "True") return 1;
        if (t.text == "False") return 0;
        for (std::string_view k : kKeywords)
            if (t.text == k) unsupported(t, "\"" + t.text + "\" here");
        std::optional<double> v;
        if (auto it = assigned_.find(t.text); it != assigned_.end()) v = it->second;
        if (!v) v = tcp_info_constant(t.text);
        if (!v && lookup_) v = lookup_(t.text);
        if (!v)
            throw UnsupportedAssert(t.pos, UnsupportedAssert::Reason::unknown_name, t.text,
                                    "unknown name \"" + t.text + "\" in the assert (not a tcp_info field tcpsim provides)");
        bool seen = false;
        for (const auto& [name, value] : used_) seen = seen || name == t.text;
        if (!seen) used_.emplace_back(t.text, *v);
        return *v;
    }

    std::string_view code_;
    const std::vector<Token>& tokens_;
    const TcpInfoLookup& lookup_;
    AssignedNames& assigned_;
    size_t at_ = 0;
    std::vector<std::pair<std::string, double>> used_;
};

}  // namespace

std::optional<double> tcp_info_constant(std::string_view name) {
    // include/uapi/linux/tcp.h (enum tcp_ca_state) and include/net/tcp.h.
    static constexpr std::pair<std::string_view, double> kConstants[] = {
        {"TCP_CA_Open", 0},     {"TCP_CA_Disorder", 1}, {"TCP_CA_CWR", 2},
        {"TCP_CA_Recovery", 3}, {"TCP_CA_Loss", 4},     {"TCP_INFINITE_SSTHRESH", 0x7fffffff},
    };
    for (const auto& [n, v] : kConstants)
        if (n == name) return v;
    return std::nullopt;
}

std::string AssertOutcome::failure_message() const {
    std::string out = "assert " + text + " failed";
    std::string names;
    for (const auto& [name, value] : values) names += (names.empty() ? "" : ", ") + name + " = " + format_number(value);
    if (!error.empty()) out += ": " + error + (names.empty() ? "" : " (" + names + ")");
    else if (!names.empty()) out += ": " + names;
    return out;
}

std::vector<AssertOutcome> evaluate_asserts(std::string_view code, SourcePos pos, const TcpInfoLookup& lookup,
                                            AssignedNames* assigned) {
    // Evaluated against a copy, committed at the end: an unsupported statement late in the
    // block leaves the caller's names as they were.
    AssignedNames names = assigned ? *assigned : AssignedNames{};
    std::vector<AssertOutcome> outcomes;
    for (const std::vector<Token>& statement : Tokenizer(code, pos).statements()) {
        if (statement.empty()) continue;
        if (std::optional<AssertOutcome> outcome = Evaluator(code, statement, lookup, names).run())
            outcomes.push_back(std::move(*outcome));
    }
    if (assigned) *assigned = std::move(names);
    return outcomes;
}

}  // namespace tcpsim::packetdrill
