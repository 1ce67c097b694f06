#pragma once
// RunSummary: the summary that ends a trace, a JSON object whose big members are lists made one
// element at a time. A run's per-connection and per-application records are about 1.7 KB of
// text each but ten times that as a JSON tree: 100,000 connections held as one tree took more
// memory than the simulation itself. Here each element is produced when it is written (or read
// by a sink), written and dropped, so the summary never exists whole; the text is the same bytes
// as the compact dump of the whole tree (to_json().dump()).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/json/json_reader.hpp"

namespace tcpsim {

class RunSummary {
public:
    using Element = std::function<Json(size_t index)>;
    using Output = std::function<void(std::string_view text)>;

    RunSummary() = default;
    // The members of a JSON object, each as a plain value (tests, callers with a tree already).
    static RunSummary from_json(const Json& object);

    // A member holding `value`; a member of the same key is replaced.
    void set(std::string key, Json value);
    // A member that is an array of `count` elements, element(i) making the i-th when it is needed.
    void set_list(std::string key, size_t count, Element element);

    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // A plain member's value; null for a list member or a key not present.
    const Json* value(std::string_view key) const;
    // Calls `fn` with each element of an array member, in order, one at a time (nothing for a key
    // not present or a member that is not an array).
    void for_each(std::string_view key, const std::function<void(size_t, const Json&)>& fn) const;

    // The whole object as one tree (for callers that read it at leisure: sweeps, tests).
    Json to_json() const;
    // Writes to_json().dump() in pieces of a few KiB at most, without building the tree. The
    // members of `extra` (an object: JSON Lines' "type":"summary") go in too, in key order, as if
    // the summary had been merged into it with Json::update (a key in both: the summary's value).
    void write(const Output& out, const Json& extra = Json::object()) const;
    // The size in bytes of what write() writes.
    uint64_t text_size(const Json& extra = Json::object()) const;

private:
    struct Member {
        std::string key;
        Json value;           // a plain member
        bool list = false;    // else: count elements made by element()
        size_t count = 0;
        Element element;
    };
    const Member* find(std::string_view key) const;
    Member& slot(std::string key);
    std::vector<Member> members_;  // in key order, as a JSON object (std::map) keeps them
};

}  // namespace tcpsim
