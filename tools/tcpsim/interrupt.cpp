#include "tools/tcpsim/interrupt.hpp"

namespace tcpsim {

volatile std::sig_atomic_t g_interrupted = 0;

namespace {
extern "C" void on_interrupt_signal(int sig) {
    g_interrupted = 1;
    std::signal(sig, SIG_DFL);  // the next one kills
}
}  // namespace

InterruptGuard::InterruptGuard() {
    g_interrupted = 0;
    old_int_ = std::signal(SIGINT, on_interrupt_signal);
    old_term_ = std::signal(SIGTERM, on_interrupt_signal);
}

InterruptGuard::~InterruptGuard() {
    if (g_interrupted) {
        // Asked to stop: what is left (closing files, the summary) may take a while, and a
        // second signal must still end it.
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        return;
    }
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
}

}  // namespace tcpsim
