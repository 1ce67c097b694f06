#include "models/packetdrill/config_commands.hpp"

#include <cctype>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tcpsim::packetdrill {
namespace {

// defaults.sh includes nothing, but a file that includes itself must not recurse forever.
constexpr int kMaxIncludeDepth = 8;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One command of the shell text: its text as written (comment removed, continuation lines
// joined) and where it starts.
struct Command {
    std::string text;
    SourcePos pos;
    uint32_t file_line = 0;
};

// A command's words after quote removal and $((...)) expansion, and its redirections.
struct Redirect {
    std::string op, target;  // "2>", "/dev/null"
};
struct Words {
    std::vector<std::string> words;
    std::vector<Redirect> redirects;  // those to /dev/null and &N left out: they change nothing
};

// `$((15*1024*1024))`: shell integer arithmetic, + - * / % and parentheses.
class Arithmetic {
public:
    Arithmetic(std::string_view text, SourcePos pos) : text_(text), pos_(pos) {}

    int64_t evaluate() {
        int64_t v = sum();
        skip_blanks();
        if (at_ != text_.size()) fail("unexpected \"" + std::string(text_.substr(at_)) + "\"");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& why) const {
        throw ConfigError(pos_, "cannot evaluate $((" + std::string(text_) + ")): " + why);
    }
    void skip_blanks() {
        while (at_ < text_.size() && is_blank(text_[at_])) ++at_;
    }
    char peek() {
        skip_blanks();
        return at_ < text_.size() ? text_[at_] : '\0';
    }
    void check(bool overflow) const {
        if (overflow) fail("the result does not fit in 64 bits");
    }
    int64_t sum() {
        int64_t v = product();
        for (char c = peek(); c == '+' || c == '-'; c = peek()) {
            ++at_;
            int64_t r = product();
            check(c == '+' ? __builtin_add_overflow(v, r, &v) : __builtin_sub_overflow(v, r, &v));
        }
        return v;
    }
    int64_t product() {
        int64_t v = unary();
        for (char c = peek(); c == '*' || c == '/' || c == '%'; c = peek()) {
            ++at_;
            int64_t r = unary();
            if (c == '*') {
                check(__builtin_mul_overflow(v, r, &v));
            } else {
                if (r == 0) fail("division by zero");
                check(v == INT64_MIN && r == -1);
                v = c == '/' ? v / r : v % r;
            }
        }
        return v;
    }
    int64_t unary() {
        char c = peek();
        if (c == '-' || c == '+') {
            ++at_;
            int64_t v = unary();
            check(c == '-' && v == INT64_MIN);
            return c == '-' ? -v : v;
        }
        if (c == '(') {
            ++at_;
            int64_t v = sum();
            if (peek() != ')') fail("missing \")\"");
            ++at_;
            return v;
        }
        if (!is_digit(c)) fail(c ? "expected a number at \"" + std::string(text_.substr(at_)) + "\"" : "expected a number");
        int base = 10;
        if (c == '0' && at_ + 1 < text_.size() && (text_[at_ + 1] == 'x' || text_[at_ + 1] == 'X')) {
            base = 16;
            at_ += 2;
        } else if (c == '0') {
            base = 8;  // as in the shell: 010 is 8
        }
        int64_t v = 0;
        size_t start = at_;
        for (; at_ < text_.size(); ++at_) {
            char d = text_[at_];
            int digit = is_digit(d) ? d - '0' : (d >= 'a' && d <= 'f') ? d - 'a' + 10 : (d >= 'A' && d <= 'F') ? d - 'A' + 10 : 99;
            if (digit >= base) break;
            check(__builtin_mul_overflow(v, base, &v));
            check(__builtin_add_overflow(v, digit, &v));
        }
        if (at_ == start && base == 16) fail("expected hex digits after 0x");
        if (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_'))
            fail("only numbers are supported, not \"" + std::string(text_.substr(at_)) + "\"");
        return v;
    }

    std::string_view text_;
    SourcePos pos_;
    size_t at_ = 0;
};

// Splits a command into words the way the shell would for the commands recognised here:
// quotes removed, `$((...))` evaluated, redirections apart. Other `$` expansions stay as
// written (`${PPID}` in a restore path).
Words split_words(const Command& command) {
    const std::string& s = command.text;
    Words out;
    std::string word;
    bool in_word = false;
    auto finish = [&] {
        if (in_word) out.words.push_back(std::move(word));
        word.clear();
        in_word = false;
    };
    auto expand_arithmetic = [&](size_t& i) {  // at "$((", leaves i past "))"
        size_t start = i + 3;
        int depth = 2;
        size_t j = start;
        for (; j < s.size() && depth > 0; ++j) {
            if (s[j] == '(') ++depth;
            if (s[j] == ')') --depth;
        }
        if (depth > 0) throw ConfigError(command.pos, "unterminated $(( in " + s);
        word += std::to_string(Arithmetic(std::string_view(s).substr(start, j - 2 - start), command.pos).evaluate());
        in_word = true;
        i = j;
    };
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        if (is_blank(c)) {
            finish();
            ++i;
        } else if (c == '\'') {
            size_t close = s.find('\'', i + 1);
            if (close == std::string::npos) throw ConfigError(command.pos, "unterminated ' in " + s);
            word += s.substr(i + 1, close - i - 1);
            in_word = true;
            i = close + 1;
        } else if (c == '"') {
            in_word = true;
            for (++i;; ) {
                if (i >= s.size()) throw ConfigError(command.pos, "unterminated \" in " + s);
                if (s[i] == '"') {
                    ++i;
                    break;
                }
                if (s.compare(i, 3, "$((") == 0) {
                    expand_arithmetic(i);
                } else if (s[i] == '\\' && i + 1 < s.size() && std::string_view("\"\\$`").find(s[i + 1]) != std::string_view::npos) {
                    word += s[i + 1];
                    i += 2;
                } else {
                    word += s[i++];
                }
            }
        } else if (s.compare(i, 3, "$((") == 0) {
            expand_arithmetic(i);
        } else if (c == '\\' && i + 1 < s.size()) {
            word += s[i + 1];
            in_word = true;
            i += 2;
        } else if (c == '>' || c == '<') {
            // A redirection: [N]> TARGET, [N]>> TARGET, [N]>&M, < TARGET. Digits just before
            // it name the descriptor; another word before it ends there.
            bool descriptor = in_word && word.find_first_not_of("0123456789") == std::string::npos;
            if (!descriptor) finish();
            Redirect r{word + c, ""};
            word.clear();
            in_word = false;
            ++i;
            if (i < s.size() && s[i] == '>') r.op += s[i++];
            if (i < s.size() && s[i] == '&') {
                size_t j = i + 1;
                while (j < s.size() && is_digit(s[j])) ++j;
                r.target = s.substr(i, j - i);
                i = j;
            } else {
                while (i < s.size() && is_blank(s[i])) ++i;
                size_t j = i;
                while (j < s.size() && !is_blank(s[j])) ++j;
                r.target = s.substr(i, j - i);
                i = j;
            }
            if (r.target.empty()) throw ConfigError(command.pos, "a redirection without a target in " + s);
            if (r.target != "/dev/null" && r.target[0] != '&') out.redirects.push_back(std::move(r));
        } else {
            word += c;
            in_word = true;
            ++i;
        }
    }
    finish();
    return out;
}

std::string_view basename(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

class ShellInterpreter {
public:
    ShellInterpreter(const std::string& dir, const ConfigFileReader& read) : dir_(dir), read_(read) {}

    // `file` is "" for text written in the script (positions from `pos` on), else the .sh file
    // the text came from (every command then at `pos`, the place that named the file).
    void interpret_text(std::string_view text, SourcePos pos, const std::string& file, int depth) {
        for (const Command& command : split_commands(text, pos, !file.empty())) interpret_command(command, file, depth);
    }

    std::vector<ConfigAction> take() { return std::move(actions_); }

private:
    // Commands end at a newline (not after a trailing backslash), ';' or "&&", outside quotes;
    // '#' at the start of a word starts a comment ("#!/bin/bash" included).
    static std::vector<Command> split_commands(std::string_view text, SourcePos pos, bool in_file) {
        std::vector<Command> commands;
        Command current;
        bool started = false;
        char quote = 0;
        uint32_t line = 0, column = 1;  // line counted from 0 within the text
        auto here = [&]() -> SourcePos {
            if (in_file) return pos;
            return line == 0 ? pos : SourcePos{pos.line + line, column};
        };
        auto finish = [&] {
            while (!current.text.empty() && is_blank(current.text.back())) current.text.pop_back();
            if (!current.text.empty()) commands.push_back(std::move(current));
            current = Command{};
            started = false;
        };
        for (size_t i = 0; i < text.size(); ++i) {
            char c = text[i];
            auto next_char = [&] {
                if (text[i] == '\n') {
                    ++line;
                    column = 1;
                } else {
                    ++column;
                }
            };
            if (quote == 0) {
                if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
                    // A continuation: the command goes on, one space for the line break.
                    if (started && !is_blank(current.text.back())) current.text += ' ';
                    next_char();
                    ++i;
                    next_char();
                    while (i + 1 < text.size() && is_blank(text[i + 1])) {
                        ++i;
                        next_char();
                    }
                    continue;
                }
                if (c == '\n' || c == ';' || (c == '&' && i + 1 < text.size() && text[i + 1] == '&')) {
                    finish();
                    if (c == '&') {
                        next_char();
                        ++i;
                    }
                    next_char();
                    continue;
                }
                if (c == '#' && (current.text.empty() || is_blank(current.text.back()))) {
                    while (i + 1 < text.size() && text[i + 1] != '\n') {
                        ++i;
                        next_char();
                    }
                    next_char();
                    continue;
                }
                if (is_blank(c) && !started) {
                    next_char();
                    continue;
                }
                if (c == '\'' || c == '"') quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
                // An escaped character inside double quotes: kept as written, never a quote.
                current.text += c;
                next_char();
                c = text[++i];
            }
            if (!started) {
                current.pos = here();
                current.file_line = line + 1;
                started = true;
            }
            current.text += c;
            next_char();
        }
        if (quote != 0) throw ConfigError(current.pos, std::string("unterminated ") + quote + " in: " + current.text);
        finish();
        return commands;
    }

    void add(ConfigAction::Kind kind, const Command& command, const std::string& file, std::string name = {},
             std::string value = {}) {
        ConfigAction a;
        a.kind = kind;
        a.name = std::move(name);
        a.value = std::move(value);
        a.text = command.text;
        a.pos = command.pos;
        a.file = file;
        a.file_line = file.empty() ? 0 : command.file_line;
        actions_.push_back(std::move(a));
    }

    void interpret_command(const Command& command, const std::string& file, int depth) {
        Words split = split_words(command);
        const std::vector<std::string>& w = split.words;
        if (w.empty()) {
            add(ConfigAction::unsupported, command, file);
            return;
        }
        std::string_view program = basename(w[0]);
        bool redirected = !split.redirects.empty();
        if (program == "sysctl" && !redirected) return sysctl(w, command, file);
        if (program == "set_sysctls.py" && !redirected) return set_sysctls(w, command, file);
        if (ends_with(w[0], ".sh") && !redirected) {
            // The restore script packetdrill's set_sysctls.py writes: tcpsim starts every
            // script from its own defaults, so there is nothing to restore.
            if (w[0].find("sysctl_restore") != std::string::npos) return add(ConfigAction::ignored, command, file);
            if (w.size() == 1 && w[0][0] != '/') return include(w[0], command, depth);
            return add(ConfigAction::unsupported, command, file);
        }
        if (!redirected && is_ignored(w)) return add(ConfigAction::ignored, command, file);
        // `echo N > /sys/module/tcp_cubic/parameters/NAME`: a CUBIC module parameter. tcpsim's
        // CUBIC has no such parameter; kept as an ignored action so the runner can say so.
        if (program == "echo" && w.size() == 2 && split.redirects.size() == 1 &&
            (split.redirects[0].op == ">" || split.redirects[0].op == "1>") &&
            starts_with(split.redirects[0].target, "/sys/module/tcp_cubic/parameters/"))
            return add(ConfigAction::ignored, command, file);
        add(ConfigAction::unsupported, command, file);
    }

    // Commands that change nothing tcpsim models.
    static bool is_ignored(const std::vector<std::string>& w) {
        // Cached metrics (fastopen cookies, saved RTTs): tcpsim caches nothing between runs.
        if (w.size() >= 3 && w[0] == "ip" && w[1] == "tcp_metrics" && w[2] == "flush") return true;
        // A plain FIFO root qdisc, without a limit: what tcpsim's host already does.
        if (w.size() == 7 && w[0] == "tc" && w[1] == "qdisc" && (w[2] == "add" || w[2] == "replace") && w[3] == "dev" &&
            w[5] == "root" && w[6] == "pfifo")
            return true;
        // Offloads on or off: the runner matches offloaded packets with runs of segments.
        if (w.size() >= 5 && w.size() % 2 == 1 && w[0] == "ethtool" && w[1] == "-K") {
            for (size_t i = 4; i < w.size(); i += 2)
                if (w[i] != "on" && w[i] != "off") return false;
            return true;
        }
        return false;
    }

    // sysctl [-q] [-w] NAME=VALUE ...; `sysctl -q NAME` alone only reads, and changes nothing.
    void sysctl(const std::vector<std::string>& w, const Command& command, const std::string& file) {
        std::vector<std::pair<std::string, std::string>> settings;
        bool reads = false;
        for (size_t i = 1; i < w.size(); ++i) {
            const std::string& arg = w[i];
            if (arg == "-q" || arg == "-w" || arg == "-e") continue;
            size_t eq = arg.find('=');
            if (arg[0] == '-' || eq == 0) return add(ConfigAction::unsupported, command, file);
            if (eq == std::string::npos) reads = true;
            else settings.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
        }
        if (settings.empty()) return add(reads ? ConfigAction::ignored : ConfigAction::unsupported, command, file);
        for (auto& [name, value] : settings) add(ConfigAction::sysctl, command, file, std::move(name), std::move(value));
    }

    // set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE ...: the same as sysctl net.ipv4.NAME=VALUE.
    void set_sysctls(const std::vector<std::string>& w, const Command& command, const std::string& file) {
        constexpr std::string_view kProc = "/proc/sys/";
        std::vector<std::pair<std::string, std::string>> settings;
        for (size_t i = 1; i < w.size(); ++i) {
            size_t eq = w[i].find('=');
            if (!starts_with(w[i], kProc) || eq == std::string::npos || eq == kProc.size())
                return add(ConfigAction::unsupported, command, file);
            std::string name = w[i].substr(kProc.size(), eq - kProc.size());
            for (char& c : name)
                if (c == '/') c = '.';
            settings.emplace_back(std::move(name), w[i].substr(eq + 1));
        }
        if (settings.empty()) return add(ConfigAction::unsupported, command, file);
        for (auto& [name, value] : settings) add(ConfigAction::sysctl, command, file, std::move(name), std::move(value));
    }

    void include(const std::string& path, const Command& command, int depth) {
        if (depth >= kMaxIncludeDepth)
            throw ConfigError(command.pos, path + ": .sh files nested more than " + std::to_string(kMaxIncludeDepth) + " deep");
        std::string full = dir_.empty() ? path : dir_ + "/" + path;
        std::optional<std::string> text = read_(full);
        if (!text) throw ConfigError(command.pos, "cannot read " + path + " (looked for " + full + ")");
        interpret_text(*text, command.pos, path, depth + 1);
    }

    const std::string& dir_;
    const ConfigFileReader& read_;
    std::vector<ConfigAction> actions_;
};

}  // namespace

std::optional<std::string> read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return text.str();
}

std::vector<ConfigAction> interpret_shell_block(std::string_view text, SourcePos pos, const std::string& script_dir,
                                                const ConfigFileReader& read_file) {
    ShellInterpreter interpreter(script_dir, read_file);
    interpreter.interpret_text(text, pos, "", 0);
    return interpreter.take();
}

}  // namespace tcpsim::packetdrill
