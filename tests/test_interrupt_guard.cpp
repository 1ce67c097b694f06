// The interrupt guard of `run` (tools/tcpsim/interrupt.hpp): the first SIGINT asks the command to
// stop; a second must kill it even after the guard is gone (closing a large trace takes
// seconds), and even when SIGINT was ignored before (a job started in the background by a
// non-interactive shell).
#include <doctest/doctest.h>

#include <csignal>

#include "tools/tcpsim/interrupt.hpp"

namespace {
using Handler = void (*)(int);
Handler current(int sig) {
    struct sigaction now {};
    sigaction(sig, nullptr, &now);
    return now.sa_handler;
}
}  // namespace

TEST_CASE("interrupt guard: a first signal sets the flag, and after it a second one gets the default action") {
    Handler before = std::signal(SIGINT, SIG_IGN);  // as for a background job
    {
        tcpsim::InterruptGuard guard;
        CHECK(tcpsim::g_interrupted == 0);
        CHECK((current(SIGINT) != SIG_IGN));
        std::raise(SIGINT);
        CHECK(tcpsim::g_interrupted == 1);
        CHECK((current(SIGINT) == SIG_DFL));
    }
    // Interrupted: the default action stays, not the "ignore" from before.
    CHECK((current(SIGINT) == SIG_DFL));
    CHECK((current(SIGTERM) == SIG_DFL));
    std::signal(SIGINT, before);
}

TEST_CASE("interrupt guard: without a signal the previous handlers come back") {
    Handler before = std::signal(SIGINT, SIG_IGN);
    {
        tcpsim::InterruptGuard guard;
        CHECK((current(SIGINT) != SIG_IGN));
    }
    CHECK(tcpsim::g_interrupted == 0);
    CHECK((current(SIGINT) == SIG_IGN));
    std::signal(SIGINT, before);
}
