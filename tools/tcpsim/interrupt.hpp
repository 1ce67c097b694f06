#pragma once
// SIGINT and SIGTERM while a command works: the first asks it to stop at the next safe point
// (the simulator checks the flag before each event; a sweep starts no more runs), so the outputs
// are closed whole; a second kills the process the default way, whenever it comes, even while
// the first is being honoured (writing a large trace out can take seconds).
#include <csignal>

namespace tcpsim {

// Set by the handler (all a handler may safely do); read by whoever can stop.
extern volatile std::sig_atomic_t g_interrupted;

// Installs the handlers for its lifetime. On the way out the previous handlers come back,
// unless a signal came: then the default action stays, so that a second signal still kills
// (the previous handler may have been "ignore", as for a job started in the background).
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    void (*old_int_)(int);
    void (*old_term_)(int);
};

}  // namespace tcpsim
