#pragma once
// TCPSIM_INVARIANT(cond, "name"): a check of something the code guarantees (not of user input,
// which the loaders refuse with an InputError). Active in Debug and sanitizer builds (no NDEBUG)
// and wherever TCPSIM_CHECKS is defined; compiled out of Release builds otherwise, so the hot
// paths pay nothing. A failed check throws InvariantViolation naming the invariant and the place:
// the CLI reports it as an internal error (exit 1), a fuzzer as a crash, a test can expect it.
#include <stdexcept>
#include <string>

namespace tcpsim {

class InvariantViolation : public std::logic_error {
public:
    InvariantViolation(const char* name, const char* file, int line)
        : std::logic_error(std::string("invariant violated: ") + name + " (" + file + ":" + std::to_string(line) + ")"),
          name_(name) {}
    const char* name() const { return name_; }

private:
    const char* name_;
};

[[noreturn]] inline void invariant_failed(const char* name, const char* file, int line) {
    throw InvariantViolation(name, file, line);
}

#if !defined(NDEBUG) || defined(TCPSIM_CHECKS)
inline constexpr bool kInvariantChecks = true;
#define TCPSIM_INVARIANT(cond, name) \
    ((cond) ? static_cast<void>(0) : ::tcpsim::invariant_failed(name, __FILE__, __LINE__))
#else
inline constexpr bool kInvariantChecks = false;
#define TCPSIM_INVARIANT(cond, name) static_cast<void>(0)
#endif

}  // namespace tcpsim
