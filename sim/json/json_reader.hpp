#pragma once
// Validation at the boundary: typed, checked reads of a JSON document, each failure naming the
// file, the JSON pointer of the field and what was expected. Models never see raw JSON; the
// loaders in models/ use these readers to build their typed config structs.
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/time.hpp"

namespace tcpsim {

using Json = nlohmann::json;

// Bad input: what the CLI reports and turns into exit code 2.
class InputError : public std::runtime_error {
public:
    InputError(std::string file, std::string pointer, std::string message);
    const std::string& file() const { return file_; }
    const std::string& pointer() const { return pointer_; }
    const std::string& message() const { return message_; }

private:
    std::string file_, pointer_, message_;
};

// Limits on what is read at all (README "Security and limits"): a scenario file of at most
// kMaxInputBytes (read up to that, so /dev/zero is refused rather than read forever), nested at
// most kMaxJsonDepth deep (deeper documents would exhaust the stack when copied or printed), and
// no duration longer than kMaxDuration, so sums of a few durations cannot overflow SimTime.
// The document as a tree takes up to ~190 bytes per value (an empty object in a list: the value,
// its map, malloc's headers), 60 times the 3 bytes of "{},": so the values are counted before
// the tree is built, at most kMaxJsonValues in all (~750 MB of tree at worst; 400,000 explicit
// links, the link limit, take ~2.4 million), at most kMaxJsonListLength in one list and
// kMaxJsonObjectMembers in one object (a scenario's objects have a few dozen keys).
inline constexpr size_t kMaxInputBytes = 64u << 20;
inline constexpr int kMaxJsonDepth = 64;
inline constexpr size_t kMaxJsonValues = 6'000'000;
inline constexpr size_t kMaxJsonListLength = 1'000'000;
inline constexpr size_t kMaxJsonObjectMembers = 10'000;
inline constexpr SimTime kMaxDuration = SimTime::from_s(10LL * 365 * 86400);  // 10 years

// Reads and parses a JSON file. Missing or unreadable file, malformed JSON (with line and
// column) and duplicate keys are InputErrors.
Json load_json_file(const std::string& path);
// Same, from text already in memory (`file` only names it in messages).
Json parse_json_text(const std::string& text, const std::string& file);

std::string json_pointer_escape(std::string_view key);
std::string describe_json_value(const Json& v);  // short, for "got ..." in messages
// Text quoted in a message (a key), cut to the length describe_json_value keeps.
std::string shorten_for_message(std::string_view text);

// Parsers of the scenario's units. Each accepts a JSON string with a unit or a plain number in
// the base unit; nullopt when the value does not parse.
std::optional<SimTime> parse_duration(const Json& v);    // "10ms", "1.5s"; number = seconds
std::optional<uint64_t> parse_bandwidth(const Json& v);  // "10Mbps", "1.5Gbit/s"; number = bit/s
std::optional<uint64_t> parse_byte_size(const Json& v);  // "64KB", "1MiB", "1500B"; number = bytes

// A value at a known place in a known file.
struct JsonValueRef {
    const Json& value;
    std::string pointer;
    const std::string& file;
    [[noreturn]] void fail(const std::string& expected) const;
};

// Reads one JSON object, remembers which keys were read, and refuses the others in finish()
// (with "did you mean ...?" for a near miss).
class JsonObjectReader {
public:
    JsonObjectReader(const Json& value, std::string pointer, const std::string& file);
    ~JsonObjectReader() = default;

    const std::string& pointer() const { return pointer_; }
    const std::string& file() const { return file_; }
    std::string pointer_of(std::string_view key) const { return pointer_ + "/" + json_pointer_escape(key); }
    bool has(std::string_view key) const {
        asked_.insert(std::string(key));
        return obj_.contains(key);
    }

    // Marks the key as read; nullptr when absent.
    const Json* find(std::string_view key);
    JsonValueRef require(std::string_view key);
    std::optional<JsonValueRef> optional(std::string_view key);

    std::string string(std::string_view key);
    std::string string_or(std::string_view key, std::string def);
    // One of `choices`.
    std::string choice(std::string_view key, const std::vector<std::string>& choices, std::string def);
    bool boolean_or(std::string_view key, bool def);
    double number_or(std::string_view key, double def, double min, double max);
    int64_t integer_or(std::string_view key, int64_t def, int64_t min, int64_t max);
    uint64_t uint64_or(std::string_view key, uint64_t def);
    double probability_or(std::string_view key, double def) { return number_or(key, def, 0.0, 1.0); }
    SimTime duration_or(std::string_view key, SimTime def, SimTime min = SimTime::zero());
    SimTime duration(std::string_view key, SimTime min = SimTime::zero());
    uint64_t bandwidth(std::string_view key);
    std::optional<uint64_t> bandwidth_opt(std::string_view key);
    uint64_t byte_size_or(std::string_view key, uint64_t def, uint64_t min = 0);

    JsonObjectReader object(std::string_view key);
    std::optional<JsonObjectReader> object_opt(std::string_view key);
    // The array at key (must be an array); elements are read by the caller with element().
    const Json& array(std::string_view key, size_t min_size = 0);
    const Json* array_opt(std::string_view key);

    [[noreturn]] void fail(std::string_view key, const std::string& expected) const;
    [[noreturn]] void fail_here(const std::string& expected) const;

    // Refuses keys that were never read.
    void finish() const;

private:
    const Json& obj_;
    std::string pointer_;
    const std::string& file_;
    std::set<std::string, std::less<>> used_;
    // Every key the loader asked for, present or not: the candidates for "did you mean".
    mutable std::set<std::string, std::less<>> asked_;
};

// Closest candidate within a small edit distance, for "did you mean" hints; empty if none.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace tcpsim
