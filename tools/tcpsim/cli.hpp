#pragma once
// The command line, as a function: main() calls it with std::cout/std::cerr, tests call it with
// string streams. Exit codes: 0 success, 1 runtime failure, 2 bad input or usage.
#include <ostream>

namespace tcpsim {

int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tcpsim
