#pragma once
// parse_script: the text of a packetdrill script into a Script (script.hpp). The language is
// the one the shared conformance scripts are written in (../shared/packetdrill/SYNTAX.md):
// options at the top, backquoted shell blocks, then events, each a time and an action (a
// packet, a system call, a `%{ }%` block or a backquoted block).
//
// Lines matter in one way only: an event ends with its line (a system call's arguments and a
// block may run over several lines), so text left after an event is reported where it is
// instead of being read as the start of the next event. Times are exact decimals turned into
// nanoseconds, never through a double. Packet ranges are checked (END - SEQ must be LEN).
// Shell text and Python code are kept verbatim; config_commands.hpp and tcp_info_assert.hpp
// read them.
#include <string>
#include <string_view>

#include "models/packetdrill/script.hpp"

namespace tcpsim::packetdrill {

// Throws ParseError (script.hpp) at the first mistake, with its line and column and what was
// expected there, e.g. `expected a packet or a system call after the time, got "foo"`.
Script parse_script(std::string_view text, const std::string& path);

}  // namespace tcpsim::packetdrill
