#include "sim/json/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <new>
#include <sstream>
#include "sim/core/os_error.hpp"

namespace tcpsim {

InputError::InputError(std::string file, std::string pointer, std::string message)
    : std::runtime_error(file + ": " + (pointer.empty() ? std::string("(document)") : pointer) + ": " + message),
      file_(std::move(file)), pointer_(std::move(pointer)), message_(std::move(message)) {}

std::string json_pointer_escape(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

namespace {

constexpr size_t kQuoteMax = 40;  // what a message quotes of a value or a key

// The longest prefix of `text` of at most `n` bytes that does not end inside a UTF-8 character.
// Parsed JSON text is valid UTF-8 (RFC 8259 8.1; the parser checks it), and a cut through a
// character is not: the JSON writer refuses it (nlohmann's dump() throws type_error 316,
// "incomplete UTF-8 string"), and a message would end in a broken character.
std::string_view utf8_prefix(std::string_view text, size_t n) {
    if (text.size() <= n) return text;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // 10xxxxxx: continuation
    return text.substr(0, n);
}

// Appends v as JSON text to `out`, stopping once `out` is past `limit` characters: a 50 MB
// value is never written out whole only to be cut.
void append_bounded(const Json& v, std::string& out, size_t limit) {
    if (out.size() > limit) return;
    if (v.is_string()) {
        const std::string& text = v.get_ref<const std::string&>();
        out += Json(std::string(utf8_prefix(text, limit + 1))).dump();
    } else if (v.is_array()) {
        out += '[';
        bool first = true;
        for (const Json& e : v) {
            if (out.size() > limit) return;
            if (!first) out += ',';
            first = false;
            append_bounded(e, out, limit);
        }
        out += ']';
    } else if (v.is_object()) {
        out += '{';
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (out.size() > limit) return;
            if (!first) out += ',';
            first = false;
            out += Json(std::string(utf8_prefix(it.key(), limit + 1))).dump();
            out += ':';
            append_bounded(it.value(), out, limit);
        }
        out += '}';
    } else {
        out += v.dump();
    }
}

}  // namespace

std::string describe_json_value(const Json& v) {
    std::string s;
    append_bounded(v, s, kQuoteMax);
    if (s.size() > kQuoteMax) s = std::string(utf8_prefix(s, kQuoteMax - 3)) + "...";
    return s;
}

std::string shorten_for_message(std::string_view text) {
    if (text.size() <= kQuoteMax) return std::string(text);
    return std::string(utf8_prefix(text, kQuoteMax - 3)) + "...";
}

namespace {

// A first, SAX-only pass over the text (no tree is built): names a duplicate key by its JSON
// pointer (nlohmann keeps the last of two equal keys silently; a scenario with two "delay"s is
// almost surely a mistake) and stops at the first level of nesting past kMaxJsonDepth. (It used to
// be a callback of the DOM parser, but nlohmann 3.11's callback parser rescans the enclosing array
// at the end of every object: quadratic, 40 s for 400,000 links.) Syntax errors are left to the
// DOM parse that follows, which reports them with their position.
class StructureCheck final : public nlohmann::json_sax<Json> {
public:
    // Thrown to stop the parse at the first value past a limit (nothing more is read).
    struct TooBig {
        std::string pointer, message;
    };
    std::string duplicate_pointer;

    bool null() override { return value_done(); }
    bool boolean(bool) override { return value_done(); }
    bool number_integer(number_integer_t) override { return value_done(); }
    bool number_unsigned(number_unsigned_t) override { return value_done(); }
    bool number_float(number_float_t, const string_t&) override { return value_done(); }
    bool string(string_t&) override { return value_done(); }
    bool binary(binary_t&) override { return value_done(); }
    bool start_object(std::size_t) override { return start(true); }
    bool start_array(std::size_t) override { return start(false); }
    bool end_object() override { return end(); }
    bool end_array() override { return end(); }
    bool key(string_t& k) override {
        Frame& f = stack_.back();
        f.key = k;
        if (++f.members > kMaxJsonObjectMembers)
            throw TooBig{pointer(), "an object of more than " + std::to_string(kMaxJsonObjectMembers) +
                                        " keys (the limit for one object in a scenario)"};
        if (!f.keys.insert(k).second && duplicate_pointer.empty()) duplicate_pointer = pointer();
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    struct Frame {
        bool is_object;
        std::set<std::string> keys;
        std::string key;
        size_t index = 0;
        size_t members = 0;
    };
    std::vector<Frame> stack_;
    size_t values_ = 0;

    std::string pointer() const {
        std::string p;
        for (const auto& f : stack_) p += "/" + (f.is_object ? json_pointer_escape(f.key) : std::to_string(f.index));
        return p;
    }
    // Called as each value starts (a scalar, or the opening of an object or list), where it is
    // in the document still on the stack.
    void count_value() {
        if (++values_ > kMaxJsonValues)
            throw TooBig{pointer(), "the file holds more than " + std::to_string(kMaxJsonValues) +
                                        " JSON values (numbers, strings, lists, objects): the limit for a scenario file"};
        if (!stack_.empty() && !stack_.back().is_object && stack_.back().index >= kMaxJsonListLength)
            throw TooBig{pointer(), "a list of more than " + std::to_string(kMaxJsonListLength) +
                                        " entries (the limit for one list in a scenario)"};
    }
    bool value_done() {  // a scalar
        count_value();
        if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
        return true;
    }
    bool start(bool is_object) {
        count_value();
        if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth))  // stop here, before the parser goes any deeper
            throw TooBig{pointer(), "nested more than " + std::to_string(kMaxJsonDepth) +
                                        " levels deep (a scenario needs fewer than 10)"};
        stack_.push_back({is_object, {}, {}, 0, 0});
        return true;
    }
    bool end() {
        stack_.pop_back();
        if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;  // counted when it started
        return true;
    }
};

std::pair<size_t, size_t> line_and_column(const std::string& text, size_t byte) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < byte && i < text.size(); ++i) {
        if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    return {line, col};
}

}  // namespace

Json parse_json_text(const std::string& text, const std::string& file) {
    StructureCheck dup;
    Json j;
    try {
        (void)Json::sax_parse(text, &dup);  // false on a syntax error: the parse below reports it
        j = Json::parse(text);
    } catch (const StructureCheck::TooBig& e) {
        throw InputError(file, e.pointer, e.message);
    } catch (const std::bad_alloc&) {
        // Within the limits above a file needs well under a gigabyte: this is a machine (or a
        // ulimit) with less than that to spare.
        throw InputError(file, "", "out of memory while reading the file (" + std::to_string(text.size()) + " bytes)");
    } catch (const Json::parse_error& e) {
        if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            throw InputError(file, "", "the file is empty (expected a JSON object {...})");
        // e.byte is 1-based and points just past the offending character.
        size_t at = e.byte == 0 ? 0 : e.byte - 1;
        // A trailing comma is reported by the parser at the '}' or ']' after it, often a line
        // later; name the comma, which is what the user has to delete.
        if (at > 0 && at < text.size() && (text[at] == '}' || text[at] == ']')) {
            size_t comma = text.find_last_not_of(" \t\r\n", at - 1);
            if (comma != std::string::npos && text[comma] == ',') {
                auto [line, col] = line_and_column(text, comma);
                throw InputError(file, "", "malformed JSON at line " + std::to_string(line) + ", column " +
                                               std::to_string(col) + ": trailing comma before '" + text[at] +
                                               "' (JSON allows no comma after the last element)");
            }
        }
        auto [line, col] = line_and_column(text, at);
        std::string what = e.what();
        auto pos = what.find("syntax error");
        if (pos != std::string::npos) what = what.substr(pos);
        throw InputError(file, "", "malformed JSON at line " + std::to_string(line) + ", column " +
                                       std::to_string(col) + ": " + what);
    } catch (const Json::out_of_range& e) {
        // A number too large for a double (1e600): nlohmann reports it as out_of_range 406,
        // without a position. (Found by fuzz_scenario_loader.)
        std::string what = e.what();
        auto pos = what.find("number overflow");
        throw InputError(file, "", "malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos)) +
                                       " (numbers must fit a double)");
    }
    if (!dup.duplicate_pointer.empty())
        throw InputError(file, dup.duplicate_pointer, "duplicate key (each key may appear once in an object)");
    return j;
}

namespace {

Json read_json_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError(path, "", "is a directory, not a scenario file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "", "cannot open file: " + system_reason(errno));
    // Read at most one byte more than the limit: a huge file or an endless device (/dev/zero, a
    // pipe that never ends) is refused without being read whole.
    std::string text;
    char chunk[1 << 16];
    while (text.size() <= kMaxInputBytes && in.read(chunk, sizeof chunk).gcount() > 0)
        text.append(chunk, static_cast<size_t>(in.gcount()));
    if (in.bad()) throw InputError(path, "", "cannot read file");
    if (text.size() > kMaxInputBytes)
        throw InputError(path, "", "the file is larger than " + std::to_string(kMaxInputBytes >> 20) +
                                       " MiB, the limit for a scenario (is it a scenario?)");
    return parse_json_text(text, path);
}

}  // namespace

Json load_json_file(const std::string& path) {
    try {
        return read_json_file(path);
    } catch (const std::bad_alloc&) {  // the text itself (up to kMaxInputBytes) did not fit
        throw InputError(path, "", "out of memory while reading the file");
    }
}

namespace {

// Splits "12.5Mbps" into 12.5 and "Mbps". Only digits, one '.', and an optional exponent.
bool split_number_unit(const std::string& s, double& number, std::string& unit) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() &&
        (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '-' || s[i + 1] == '+')) {
        ++i;
        if (s[i] == '-' || s[i] == '+') ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    try {
        size_t used = 0;
        number = std::stod(s.substr(0, i), &used);
        if (used != i) return false;
    } catch (...) {
        return false;
    }
    size_t j = i;
    while (j < s.size() && s[j] == ' ') ++j;
    unit = s.substr(j);
    return std::isfinite(number);
}

std::optional<uint64_t> scaled(double number, double factor) {
    double v = std::round(number * factor);
    if (!(v >= 0) || v >= 1.8e19) return std::nullopt;
    return static_cast<uint64_t>(v);
}

}  // namespace

std::optional<SimTime> parse_duration(const Json& v) {
    if (v.is_number()) return SimTime::from_seconds(v.get<double>());
    if (v.is_string()) return SimTime::parse(v.get<std::string>());
    return std::nullopt;
}

std::optional<uint64_t> parse_bandwidth(const Json& v) {
    if (v.is_number()) return scaled(v.get<double>(), 1);
    if (!v.is_string()) return std::nullopt;
    double n;
    std::string unit;
    if (!split_number_unit(v.get<std::string>(), n, unit)) return std::nullopt;
    static const std::pair<const char*, double> units[] = {
        {"bps", 1},      {"bit/s", 1},      {"kbps", 1e3}, {"kbit/s", 1e3}, {"Kbps", 1e3},
        {"Mbps", 1e6},   {"Mbit/s", 1e6},   {"Gbps", 1e9}, {"Gbit/s", 1e9}, {"Tbps", 1e12},
        {"Tbit/s", 1e12}};
    for (const auto& [name, factor] : units)
        if (unit == name) return scaled(n, factor);
    return std::nullopt;
}

std::optional<uint64_t> parse_byte_size(const Json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    // A document built in memory (not parsed) holds positive integers as signed ones.
    if (v.is_number_integer()) {
        if (v.get<int64_t>() < 0) return std::nullopt;
        return static_cast<uint64_t>(v.get<int64_t>());
    }
    if (v.is_number()) {
        double d = v.get<double>();
        if (d != std::floor(d)) return std::nullopt;
        return scaled(d, 1);
    }
    if (!v.is_string()) return std::nullopt;
    double n;
    std::string unit;
    if (!split_number_unit(v.get<std::string>(), n, unit)) return std::nullopt;
    static const std::pair<const char*, double> units[] = {
        {"B", 1},        {"", 1},          {"KB", 1e3},  {"kB", 1e3},   {"MB", 1e6},
        {"GB", 1e9},     {"KiB", 1024.0},  {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
    for (const auto& [name, factor] : units)
        if (unit == name) return scaled(n, factor);
    return std::nullopt;
}

void JsonValueRef::fail(const std::string& expected) const {
    throw InputError(file, pointer, "expected " + expected + ", got " + describe_json_value(value));
}

JsonObjectReader::JsonObjectReader(const Json& value, std::string pointer, const std::string& file)
    : obj_(value), pointer_(std::move(pointer)), file_(file) {
    if (!obj_.is_object())
        throw InputError(file_, pointer_, "expected an object {...}, got " + describe_json_value(obj_));
}

const Json* JsonObjectReader::find(std::string_view key) {
    asked_.insert(std::string(key));
    auto it = obj_.find(key);
    if (it == obj_.end()) return nullptr;
    used_.insert(std::string(key));
    return &*it;
}

namespace {

// One insertion, deletion, substitution or swap of two neighbours, ignoring case.
bool one_edit_apart(std::string_view a, std::string_view b) {
    auto eq = [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); };
    if (a.size() < b.size()) std::swap(a, b);
    if (a.size() - b.size() > 1) return false;
    size_t i = 0;
    while (i < b.size() && eq(a[i], b[i])) ++i;
    if (i == b.size()) return a.size() != b.size();  // equal, or one extra at the end
    if (a.size() != b.size()) return std::equal(a.begin() + i + 1, a.end(), b.begin() + i, eq);  // insertion
    if (std::equal(a.begin() + i + 1, a.end(), b.begin() + i + 1, eq)) return true;  // substitution
    return i + 1 < a.size() && eq(a[i], b[i + 1]) && eq(a[i + 1], b[i]) &&
           std::equal(a.begin() + i + 2, a.end(), b.begin() + i + 2, eq);  // swap
}

}  // namespace

JsonValueRef JsonObjectReader::require(std::string_view key) {
    const Json* v = find(key);
    if (!v) {
        // A misspelt required key is reported where the typo is, not as a missing field.
        // Only one edit or swap away: a looser match could pick a valid key read later.
        for (auto it = obj_.begin(); it != obj_.end(); ++it)
            if (!used_.count(it.key()) && one_edit_apart(it.key(), key))
                throw InputError(file_, pointer_of(shorten_for_message(it.key())),
                                 "unknown key \"" + shorten_for_message(it.key()) + "\" (did you mean \"" + std::string(key) +
                                     "\"? it is required)");
        throw InputError(file_, pointer_of(key), "required field is missing");
    }
    return JsonValueRef{*v, pointer_of(key), file_};
}

std::optional<JsonValueRef> JsonObjectReader::optional(std::string_view key) {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    return JsonValueRef{*v, pointer_of(key), file_};
}

void JsonObjectReader::fail(std::string_view key, const std::string& expected) const {
    auto it = obj_.find(key);
    if (it == obj_.end()) throw InputError(file_, pointer_of(key), "not given; expected " + expected);
    throw InputError(file_, pointer_of(key), "expected " + expected + ", got " + describe_json_value(*it));
}

void JsonObjectReader::fail_here(const std::string& message) const { throw InputError(file_, pointer_, message); }

std::string JsonObjectReader::string(std::string_view key) {
    auto v = require(key);
    if (!v.value.is_string()) v.fail("a string");
    return v.value.get<std::string>();
}

std::string JsonObjectReader::string_or(std::string_view key, std::string def) {
    if (!has(key)) return def;
    return string(key);
}

std::string JsonObjectReader::choice(std::string_view key, const std::vector<std::string>& choices, std::string def) {
    auto v = optional(key);
    if (!v) return def;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + ("\"" + c + "\"");
    if (!v->value.is_string()) v->fail("one of " + list);
    std::string s = v->value.get<std::string>();
    if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
        std::string hint = closest_match(s, choices);
        v->fail("one of " + list + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    return s;
}

bool JsonObjectReader::boolean_or(std::string_view key, bool def) {
    auto v = optional(key);
    if (!v) return def;
    if (!v->value.is_boolean()) v->fail("true or false");
    return v->value.get<bool>();
}

namespace {
std::string range_text(double min, double max) {
    std::ostringstream s;
    s << "a number in [" << min << ", " << max << "]";
    return s.str();
}
}  // namespace

double JsonObjectReader::number_or(std::string_view key, double def, double min, double max) {
    auto v = optional(key);
    if (!v) return def;
    if (!v->value.is_number()) v->fail(range_text(min, max));
    double d = v->value.get<double>();
    if (!(d >= min && d <= max)) v->fail(range_text(min, max));
    return d;
}

int64_t JsonObjectReader::integer_or(std::string_view key, int64_t def, int64_t min, int64_t max) {
    auto v = optional(key);
    if (!v) return def;
    std::string expected = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    if (!v->value.is_number_integer()) v->fail(expected);
    if (v->value.is_number_unsigned() && v->value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) v->fail(expected);
    int64_t i = v->value.get<int64_t>();
    if (i < min || i > max) v->fail(expected);
    return i;
}

uint64_t JsonObjectReader::uint64_or(std::string_view key, uint64_t def) {
    auto v = optional(key);
    if (!v) return def;
    // Signed as well: a document built in memory holds positive integers as signed ones.
    if (!v->value.is_number_integer() || (!v->value.is_number_unsigned() && v->value.get<int64_t>() < 0))
        v->fail("a non-negative integer");
    return v->value.get<uint64_t>();
}

SimTime JsonObjectReader::duration(std::string_view key, SimTime min) {
    auto v = require(key);
    auto d = parse_duration(v.value);
    std::string expected = "a duration >= " + min.to_string() + " such as \"10ms\", \"1.5s\" or a number of seconds";
    if (!d || *d < min) v.fail(expected);
    if (*d > kMaxDuration) v.fail("a duration of at most 10 years (" + kMaxDuration.to_string() + ")");
    return *d;
}

SimTime JsonObjectReader::duration_or(std::string_view key, SimTime def, SimTime min) {
    if (!has(key)) return def;
    return duration(key, min);
}

std::optional<uint64_t> JsonObjectReader::bandwidth_opt(std::string_view key) {
    auto v = optional(key);
    if (!v) return std::nullopt;
    auto b = parse_bandwidth(v->value);
    if (!b || *b == 0) v->fail("a positive bandwidth such as \"10Mbps\", \"1Gbps\" or a number of bit/s");
    return b;
}

uint64_t JsonObjectReader::bandwidth(std::string_view key) {
    require(key);
    return *bandwidth_opt(key);
}

uint64_t JsonObjectReader::byte_size_or(std::string_view key, uint64_t def, uint64_t min) {
    auto v = optional(key);
    if (!v) return def;
    auto b = parse_byte_size(v->value);
    if (!b || *b < min)
        v->fail("a size >= " + std::to_string(min) + " bytes such as 1500, \"64KB\" or \"1MiB\"");
    return *b;
}

JsonObjectReader JsonObjectReader::object(std::string_view key) {
    auto v = require(key);
    return JsonObjectReader(v.value, v.pointer, file_);
}

std::optional<JsonObjectReader> JsonObjectReader::object_opt(std::string_view key) {
    auto v = optional(key);
    if (!v) return std::nullopt;
    return JsonObjectReader(v->value, v->pointer, file_);
}

const Json& JsonObjectReader::array(std::string_view key, size_t min_size) {
    auto v = require(key);
    if (!v.value.is_array() || v.value.size() < min_size)
        v.fail(min_size > 0 ? "an array of at least " + std::to_string(min_size) + " element(s)" : "an array [...]");
    return v.value;
}

const Json* JsonObjectReader::array_opt(std::string_view key) {
    if (!has(key)) return nullptr;
    return &array(key);
}

void JsonObjectReader::finish() const {
    std::vector<std::string> known(asked_.begin(), asked_.end());
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
        if (used_.count(it.key())) continue;
        // Keys starting with '_' or "comment" are the user's notes.
        if (it.key().starts_with("_") || it.key() == "comment" || it.key() == "description") continue;
        std::string hint = closest_match(it.key(), known);
        // A key is quoted (and named in the pointer) shortened, as values are.
        std::string shown = shorten_for_message(it.key());
        throw InputError(file_, pointer_of(shown),
                         "unknown key \"" + shown + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_d = 3;  // at most two edits away
    for (const auto& c : candidates) {
        // The distance is at least the difference in length: a key far longer or shorter than
        // every candidate costs nothing (a 50 MB key once took seconds per candidate).
        size_t diff = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
        if (diff >= best_d) continue;
        // Levenshtein distance, two rows.
        std::vector<size_t> prev(c.size() + 1), cur(c.size() + 1);
        for (size_t j = 0; j <= c.size(); ++j) prev[j] = j;
        for (size_t i = 1; i <= word.size(); ++i) {
            cur[0] = i;
            for (size_t j = 1; j <= c.size(); ++j) {
                size_t sub = prev[j - 1] + (std::tolower(word[i - 1]) == std::tolower(c[j - 1]) ? 0 : 1);
                cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
            }
            std::swap(prev, cur);
        }
        if (prev[c.size()] < best_d) {
            best_d = prev[c.size()];
            best = c;
        }
    }
    return best;
}

}  // namespace tcpsim
