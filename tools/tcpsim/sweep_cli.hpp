#pragma once
// `tcpsim sweep` and `tcpsim merge`, called from cli_main's dispatcher (tools/tcpsim/cli.cpp) with the
// arguments after the command name. Same exit codes: 0 ok, 1 failure while running (a results
// file that cannot be written, shards that miss runs), 2 bad input or usage.
#include <ostream>
#include <string>
#include <vector>

namespace tcpsim {

int sweep_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int merge_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tcpsim
