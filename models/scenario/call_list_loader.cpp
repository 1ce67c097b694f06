#include "models/scenario/call_list_loader.hpp"

#include <string>
#include <vector>

#include "models/scenario/scenario_config.hpp"

namespace tcpsim {

namespace {

using Action = SocketCall::Action;

constexpr const char* kActions[] = {"write", "read", "shutdown", "close", "abort", "nodelay", "cork"};

// A write or read size: at least 1 byte, at most kMaxCallBytes (so that the bytes of every
// repetition add up without overflow).
uint64_t call_bytes(JsonObjectReader& r, std::string_view key) {
    uint64_t n = r.byte_size_or(key, 0, 1);
    if (n > kMaxCallBytes) r.fail(key, "at most " + std::to_string(kMaxCallBytes) + " bytes (1 TiB) in one call");
    return n;
}

SocketCall read_call(JsonObjectReader& r, SimTime start, SimTime end) {
    SocketCall c;
    c.at = r.duration("at");
    std::vector<std::string> given;
    for (const char* a : kActions)
        if (r.has(a)) given.push_back(a);
    if (given.empty())
        r.fail_here("a call needs one action: \"write\", \"read\", \"shutdown\", \"close\", \"abort\", \"nodelay\" or \"cork\"");
    if (given.size() > 1)
        throw InputError(r.file(), r.pointer_of(given[1]),
                         "one action per call: \"" + given[0] + "\" and \"" + given[1] + "\" are two calls (two entries, at the same time if need be)");
    const std::string& action = given[0];
    if (action == "write") {
        c.action = Action::write;
        c.bytes = call_bytes(r, "write");
    } else if (action == "read") {
        const Json* v = r.find("read");
        if (v->is_string() && v->get<std::string>() == "all") {
            c.action = Action::read_all;
        } else {
            c.action = Action::read;
            if (!parse_byte_size(*v)) r.fail("read", "a size >= 1 bytes such as 1500 or \"64KB\", or \"all\"");
            c.bytes = call_bytes(r, "read");
        }
    } else if (action == "shutdown") {
        std::string how = r.choice("shutdown", {"read", "write", "both"}, "");
        c.action = how == "read" ? Action::shutdown_read : how == "write" ? Action::shutdown_write : Action::shutdown_both;
    } else if (action == "close" || action == "abort") {
        c.action = action == "close" ? Action::close : Action::abort;
        if (!r.boolean_or(action, false)) r.fail(action, "true (leave the call out for no " + action + ")");
    } else {
        c.action = action == "nodelay" ? Action::nodelay : Action::cork;
        c.on = r.boolean_or(action, false);
    }

    c.repeat = static_cast<uint32_t>(r.integer_or("repeat", 1, 1, static_cast<int64_t>(kMaxCalls)));
    bool once = c.action == Action::shutdown_read || c.action == Action::shutdown_write ||
                c.action == Action::shutdown_both || c.action == Action::close || c.action == Action::abort ||
                c.action == Action::read_all;
    if (c.repeat > 1 && once)
        r.fail("repeat", "1 (a \"" + action + (c.action == Action::read_all ? "\": \"all\"" : "\"") + " is made once)");
    if (r.has("every")) {
        if (c.repeat == 1)
            throw InputError(r.file(), r.pointer_of("every"), "\"every\" needs \"repeat\" > 1 (without it the call is made once)");
        c.every = r.duration("every", SimTime::from_ns(1));
    } else if (c.repeat > 1) {
        r.fail("every", "a positive interval when repeat > 1");
    }
    // Within the run: the first call, and the last repetition (divided, not multiplied, so that a
    // huge repeat times a long interval cannot overflow).
    SimTime left = end - start;
    if (c.at > left)
        r.fail("at", "a time within the run: start (" + start.to_string() + ") + at <= duration (" + end.to_string() + ")");
    if (c.repeat > 1 && (left - c.at).ns() / c.every.ns() < static_cast<int64_t>(c.repeat) - 1)
        r.fail("repeat", "a count whose last call is within the run (the last of " + std::to_string(c.repeat) + " would be at " +
                             (start + c.at).sat_add(c.every.sat_mul(c.repeat - 1)).to_string() + ", after the duration " +
                             end.to_string() + ")");
    r.finish();
    return c;
}

// (time, place) order, the order the calls are made in.
bool before(size_t a, SimTime ta, size_t b, SimTime tb) { return ta != tb ? ta < tb : a < b; }

// The first call (by time, then place) for which `is` holds; calls.size() if none.
template <class Pred>
size_t first(const CallList& calls, Pred is) {
    size_t found = calls.size();
    for (size_t i = 0; i < calls.size(); ++i)
        if (is(calls[i]) && (found == calls.size() || before(i, calls[i].at, found, calls[found].at))) found = i;
    return found;
}

// Calls that cannot follow another: anything after the close or abort (the socket is gone), a
// write after SHUT_WR (EPIPE), a read after SHUT_RD.
void check_order(const CallList& calls, const std::string& pointer, const std::string& file) {
    auto at = [&](size_t i) { return pointer + "/" + std::to_string(i); };
    size_t end = first(calls, [](const SocketCall& c) { return c.action == Action::close || c.action == Action::abort; });
    if (end < calls.size()) {
        for (size_t i = 0; i < calls.size(); ++i)
            if (i != end && before(end, calls[end].at, i, calls[i].last()))
                throw InputError(file, at(i), "a call after the socket is closed (the " +
                                                  std::string(calls[end].action == Action::close ? "close" : "abort") + " at " +
                                                  calls[end].at.to_string() + ", " + at(end) + "): nothing follows a close or an abort");
    }
    size_t shut_wr = first(calls, [](const SocketCall& c) { return c.action == Action::shutdown_write || c.action == Action::shutdown_both; });
    size_t shut_rd = first(calls, [](const SocketCall& c) { return c.action == Action::shutdown_read || c.action == Action::shutdown_both; });
    for (size_t i = 0; i < calls.size(); ++i) {
        const SocketCall& c = calls[i];
        if (c.action == Action::write && shut_wr < calls.size() && before(shut_wr, calls[shut_wr].at, i, c.last()))
            throw InputError(file, at(i), "a write after the shutdown of writing at " + calls[shut_wr].at.to_string() + " (" +
                                              at(shut_wr) + "): nothing can be written after the FIN");
        if (c.reads() && shut_rd < calls.size() && before(shut_rd, calls[shut_rd].at, i, c.last()))
            throw InputError(file, at(i), "a read after the shutdown of reading at " + calls[shut_rd].at.to_string() + " (" +
                                              at(shut_rd) + ")");
    }
}

}  // namespace

CallList read_call_list(JsonObjectReader& app, std::string_view key, SimTime start, SimTime end) {
    CallList calls;
    const Json* list = app.array_opt(key);
    if (!list) return calls;
    if (list->size() > kMaxCallEntries)
        throw InputError(app.file(), app.pointer_of(key),
                         "at most " + std::to_string(kMaxCallEntries) + " calls in one list (\"repeat\" repeats one), not " +
                             std::to_string(list->size()));
    std::string pointer = app.pointer_of(key);
    calls.reserve(list->size());
    for (size_t i = 0; i < list->size(); ++i) {
        JsonObjectReader r((*list)[i], pointer + "/" + std::to_string(i), app.file());
        calls.push_back(read_call(r, start, end));
    }
    check_order(calls, pointer, app.file());
    return calls;
}

uint64_t calls_made(const CallList& calls) {
    uint64_t n = 0;
    for (const SocketCall& c : calls) n += c.repeat;
    return n;
}

}  // namespace tcpsim
