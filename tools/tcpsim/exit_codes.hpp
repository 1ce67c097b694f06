#pragma once
// The exit statuses of every tcpsim command (tcpsim(1), EXIT STATUS).
namespace tcpsim {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;      // the run failed, a script failed, runs are missing
constexpr int kExitBadInput = 2;     // usage errors and invalid input files
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report a command ended by Ctrl-C

}  // namespace tcpsim
