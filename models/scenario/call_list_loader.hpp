#pragma once
// Reads one side's list of socket calls of a "calls" application:
//   "client": [{"at": "0s", "write": 200, "repeat": 20, "every": "100ms"},
//              {"at": "2s", "shutdown": "write"}, {"at": "3s", "close": true}]
// Each call has `at` (from the application's start) and exactly one action: write N, read N or
// "all", shutdown "read"/"write"/"both", close, abort, nodelay, cork; `repeat` and `every` repeat
// it. Refused: times past the end of the run, a call after the socket's close or abort, a write
// after the shutdown of writing, a read after the shutdown of reading.
#include <cstdint>
#include <string_view>

#include "models/tcp/socket_call.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim {

// The list at `key` of the application `app` (empty when not given). Every call must happen by
// `end` (the run's duration), counting from `start`.
CallList read_call_list(JsonObjectReader& app, std::string_view key, SimTime start, SimTime end);

// Calls the list makes, each repetition counted.
uint64_t calls_made(const CallList& calls);

}  // namespace tcpsim
