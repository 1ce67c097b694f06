#pragma once
// `tcpsim packetdrill`, called from cli_main's dispatcher (tools/tcpsim/cli.cpp) with the
// arguments after the command name. Exit codes: 0 every script passed, 1 one failed or was
// unsupported (or a file could not be written), 2 usage.
#include <ostream>
#include <string>
#include <vector>

namespace tcpsim {

int packetdrill_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tcpsim
