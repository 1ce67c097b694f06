#pragma once
// ScriptRunner: plays a packetdrill script against the simulated host. It is the scripted remote
// peer (the transport of the remote node: the local stack's segments arrive at it) and the local
// application (it makes the script's system calls on the socket layer), and it walks the script's
// events in order on the simulator's clock:
//   - `<` lines: the remote sends the packet at its time;
//   - `>` lines: the local stack's next segment must be this one, within the time tolerance (or
//     a run of segments sent at one instant that together are it: segmentation offload);
//   - system calls: made at their time, their result compared; a blocking call (T1...T2) starts
//     at T1, the events after it go on, and it must return at T2;
//   - `%{ assert }%`: TCP_INFO of the most recent socket checked;
//   - backquoted configuration: applied (sysctls) or refused.
// The stack's segments are matched in the order it sends them, each by the next `>` line, as
// packetdrill reads them from its capture: a segment the script does not expect fails at the
// next `>` line (which it does not match), or at the script's end when it was sent before the
// last event; what the stack sends at the last event's instant or later is not looked at.
// The first failure or unsupported construct ends the run with a verdict naming the script line.
#include <cstdint>
#include <deque>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "models/network/node.hpp"
#include "models/packetdrill/host_settings.hpp"
#include "models/packetdrill/script.hpp"
#include "models/packetdrill/script_packets.hpp"
#include "models/packetdrill/script_syscalls.hpp"
#include "models/packetdrill/tcp_info_assert.hpp"
#include "models/socket/socket_layer.hpp"
#include "sim/core/simulator.hpp"

namespace tcpsim::packetdrill {

struct Verdict {
    enum class Kind : uint8_t { pass, fail, unsupported };
    Kind kind = Kind::pass;
    SourcePos pos;        // the script line of a failure
    std::string message;  // what was expected, what happened, when
};

struct RunnerOptions {
    std::ostream* verbose = nullptr;  // the exchange as it happens (-v)
    std::string script_dir;           // where relative .sh paths are read from
    // --strict: a segment sent before the script's last event that no `>` line took fails the
    // script. packetdrill itself stops at its last event without looking at what is left.
    bool strict = false;
};

class ScriptRunner final : public EventTarget, public SegmentHandler {
public:
    ScriptRunner(const Script& script, HostSettings& settings, Simulator& sim, Node& remote, SocketLayer& sockets,
                 ScriptPackets& packets, uint16_t port, const RunnerOptions& options);

    // Schedules the first step (at t = 0).
    void start();
    bool finished() const { return done_; }
    const Verdict& verdict() const { return verdict_; }
    // The event the run is at (null past the end).
    const Event* current_event() const { return idx_ < script_.events.size() ? &script_.events[idx_] : nullptr; }

    // From the local stack, arriving at the remote.
    void on_segment(const Packet& p) override;
    void on_event(uint32_t kind, uint64_t arg) override;

private:
    struct Arrival {
        Packet packet;
        SimTime at;
    };
    struct Blocked {
        size_t event;
        SimTime returns, earliest, latest;  // when the line says it returns, and the tolerance
    };

    void step();
    void schedule_step(SimTime at);
    // The event at idx_ when its time has come; false when the run must wait (or ended).
    bool execute(const Event& e, SimTime when);
    bool expect_outbound(const Event& e, const PacketSpec& want, SimTime lo, SimTime hi);
    void retry_blocked();
    bool apply_shell(const Event& e, const ShellBlock& b);
    bool check_asserts(const Event& e, const AssertBlock& a);
    void fail(const Event& e, const std::string& message);
    void unsupported(const Event& e, const std::string& message);
    void pass();
    void say(const std::string& what);
    std::string at_text(SimTime t) const;
    uint32_t ts_tolerance_ticks() const;

    const Script& script_;
    HostSettings& settings_;
    Simulator& sim_;
    Node& remote_;
    SocketLayer& sockets_;
    ScriptPackets& packets_;
    ScriptSyscalls calls_, blocked_calls_;
    RunnerOptions options_;

    size_t idx_ = 0;
    SimTime last_;  // the actual time of the previous event (relative times count from it)
    std::deque<Arrival> outbound_;
    std::optional<Blocked> blocked_;
    bool retry_pending_ = false;
    bool step_pending_ = false;
    SimTime hold_until_;  // no script event before the last injected packet has reached the stack
    SimTime step_at_;
    bool done_ = false;
    Verdict verdict_;
    AssignedNames assigned_;  // names a %{ }% block assigned, for the blocks after it
};

}  // namespace tcpsim::packetdrill
