#pragma once
// The command line, as a function: main() calls it with its standard output and std::cerr, tests
// call it with string streams. Exit codes: 0 success, 1 runtime failure, 2 bad input or usage.
#include <ostream>

namespace tcpsim {

// `out_error`, if given, holds the errno of the first write to `out` that failed (main's
// standard output records it), so that the message can say why.
int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const int* out_error = nullptr);

}  // namespace tcpsim
