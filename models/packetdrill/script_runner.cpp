#include "models/packetdrill/script_runner.hpp"

#include <cstdio>

#include "models/packetdrill/config_commands.hpp"
#include "models/packetdrill/tcp_info.hpp"
#include "models/packetdrill/tcp_info_assert.hpp"

namespace tcpsim::packetdrill {

namespace {
// Segments that arrive within this of the first of a run were sent at one instant: the link
// between the two hosts takes about a nanosecond per packet.
constexpr SimTime kSameInstant = SimTime::from_us(1);
// How long after sending a packet the script goes on: its arrival at the stack (1 ns) and one
// more nanosecond.
constexpr SimTime kInjected = SimTime::from_ns(2);
}  // namespace

ScriptRunner::ScriptRunner(const Script& script, HostSettings& settings, Simulator& sim, Node& remote,
                           SocketLayer& sockets, ScriptPackets& packets, uint16_t port, const RunnerOptions& options)
    : script_(script), settings_(settings), sim_(sim), remote_(remote), sockets_(sockets), packets_(packets),
      calls_(sockets, port), blocked_calls_(sockets, port), options_(options) {
    sockets_.set_on_change([this] {
        if (!blocked_) return;
        retry_pending_ = true;
        schedule_step(sim_.now());
    });
}

void ScriptRunner::start() { schedule_step(SimTime::zero()); }

void ScriptRunner::schedule_step(SimTime at) {
    if (done_) return;
    if (step_pending_ && step_at_ <= at) return;  // an earlier step will look again
    step_pending_ = true;
    step_at_ = at;
    sim_.at(at, this, 0);
}

void ScriptRunner::on_event(uint32_t, uint64_t) {
    if (step_pending_ && sim_.now() >= step_at_) step_pending_ = false;
    step();
}

void ScriptRunner::on_segment(const Packet& p) {
    if (done_) return;
    // A SYN with another ISN than the one learnt is a second connection: sequence numbers,
    // ports and timestamps are learnt once per script, so say so rather than fail oddly.
    if ((p.flags & kSyn) && packets_.local_isn_known() && p.seq != packets_.local_isn()) {
        if (const Event* e = current_event()) unsupported(*e, "a second connection (the runner follows one connection per script)");
        return;
    }
    // A SYN the stack sends names both ports: its own (connect() picks an ephemeral one) and the
    // one it connects to, which the scripted peer then answers from.
    if ((p.flags & kSyn) && !(p.flags & kAck)) {
        packets_.set_local_port(p.src_port);
        packets_.set_remote_port(p.dst_port);
    }
    outbound_.push_back({p, sim_.now()});
    schedule_step(sim_.now());
}

std::string ScriptRunner::at_text(SimTime t) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", t.to_seconds());
    return buf;
}

uint32_t ScriptRunner::ts_tolerance_ticks() const {
    return static_cast<uint32_t>(settings_.tolerance.ns() / std::max<int64_t>(1, settings_.ts_tick.ns())) + 1;
}

void ScriptRunner::say(const std::string& what) {
    if (options_.verbose) *options_.verbose << at_text(sim_.now()) << "  " << what << '\n';
}

void ScriptRunner::fail(const Event& e, const std::string& message) {
    if (done_) return;
    done_ = true;
    verdict_ = {Verdict::Kind::fail, e.pos, message};
    say("FAIL line " + std::to_string(e.pos.line) + ": " + message);
    sim_.stop();
}

void ScriptRunner::unsupported(const Event& e, const std::string& message) {
    if (done_) return;
    done_ = true;
    verdict_ = {Verdict::Kind::unsupported, e.pos, message};
    say("UNSUPPORTED line " + std::to_string(e.pos.line) + ": " + message);
    sim_.stop();
}

void ScriptRunner::pass() {
    done_ = true;
    verdict_ = {Verdict::Kind::pass, {}, ""};
    sim_.stop();
}

void ScriptRunner::step() {
    const SimTime now = sim_.now();
    if (now < hold_until_) {  // a packet just injected is still on its way to the stack
        schedule_step(hold_until_);
        return;
    }
    while (!done_) {
        if (blocked_ && retry_pending_) retry_blocked();
        if (done_) return;
        if (blocked_ && now > blocked_->latest) {
            fail(script_.events[blocked_->event], "the blocking call had not returned by " + at_text(blocked_->latest) +
                                                      " (the line expects it at " + at_text(blocked_->returns) + ")");
            return;
        }
        if (idx_ == script_.events.size()) {
            if (blocked_) {  // the script's last word is a call still blocked: wait for it
                schedule_step(blocked_->latest + SimTime::from_ns(1));
                return;
            }
            // packetdrill ends at its last event without reading the rest of its capture, so a
            // segment no `>` line took after the last one passes unseen. With --strict one sent
            // before the last event fails the script; what the stack sends at the last event's
            // instant or later is past the script's end either way.
            if (options_.strict && !outbound_.empty() && outbound_.front().at < last_) {
                const Arrival& a = outbound_.front();
                fail(script_.events.back(), "the stack sent " + packets_.describe(a.packet) + " at " + at_text(a.at) +
                                                ", which no line expects (after the last > line)");
                return;
            }
            pass();
            return;
        }
        const Event& e = script_.events[idx_];
        if (!e.time) {  // configuration standing alone
            if (!apply_shell(e, std::get<ShellBlock>(e.action))) return;
            ++idx_;
            continue;
        }
        const EventTime& t = *e.time;
        SimTime when = t.kind == EventTime::Kind::relative ? last_ + t.start : t.start;
        SimTime lo = when - settings_.tolerance, hi = when + settings_.tolerance;
        if (t.range == EventTime::Range::window) {
            SimTime end = t.end_relative ? last_ + t.end : t.end;
            lo = when - settings_.tolerance;
            hi = end + settings_.tolerance;
        }
        const auto* packet = std::get_if<PacketSpec>(&e.action);
        if (packet && !packet->inbound) {
            if (t.kind == EventTime::Kind::any) {
                lo = SimTime::zero();
                hi = SimTime::max();
            }
            if (!expect_outbound(e, *packet, lo, hi)) return;
            ++idx_;
            continue;
        }
        // Segments the stack sent meanwhile wait, in order, for the next `>` line, which the first
        // of them must match (packetdrill reads them from its capture only there): one the
        // script does not expect fails at that line, one after the last `>` line is not looked at.
        if (when > now) {
            schedule_step(when);
            return;
        }
        if (!execute(e, when)) return;
        ++idx_;
    }
}

bool ScriptRunner::expect_outbound(const Event& e, const PacketSpec& want, SimTime lo, SimTime hi) {
    const SimTime now = sim_.now();
    if (outbound_.empty()) {
        if (now > hi) {
            fail(e, "expected " + ScriptPackets::describe(want) + " by " + at_text(hi) + ", nothing was sent");
            return false;
        }
        if (hi < SimTime::max()) schedule_step(hi + SimTime::from_ns(1));  // `*`: only a segment wakes it
        return false;
    }
    const Arrival first = outbound_.front();
    if (first.at < lo || first.at > hi) {
        fail(e, "expected " + ScriptPackets::describe(want) + " between " + at_text(lo) + " and " + at_text(hi) + ", got " +
                    packets_.describe(first.packet) + " at " + at_text(first.at));
        return false;
    }
    if (packets_.starts_run(want, first.packet)) {
        // Several segments where the line has one: take the contiguous ones sent with it.
        std::vector<Packet> run;
        uint32_t covered = 0;
        size_t n = 0;
        for (; n < outbound_.size() && covered < want.len; ++n) {
            const Arrival& a = outbound_[n];
            if (a.at - first.at > kSameInstant || a.packet.seq != first.packet.seq + covered) break;
            run.push_back(a.packet);
            covered += a.packet.payload_len;
        }
        if (covered < want.len && now < first.at + kSameInstant) {
            schedule_step(first.at + kSameInstant + SimTime::from_ns(1));  // the rest may be on its way
            return false;
        }
        std::string m = packets_.run_mismatch(want, run, ts_tolerance_ticks());
        if (!m.empty()) {
            fail(e, "expected " + ScriptPackets::describe(want) + ", got " + std::to_string(run.size()) +
                        (run.size() == 1 ? " segment at " : " segments at ") + at_text(first.at) + ": " + m);
            return false;
        }
        outbound_.erase(outbound_.begin(), outbound_.begin() + static_cast<std::ptrdiff_t>(n));
        say("line " + std::to_string(e.pos.line) + " ok: " + e.source + "  (" + std::to_string(n) + " segments)");
        last_ = first.at;
        return true;
    }
    std::string m = packets_.mismatch(want, first.packet, ts_tolerance_ticks());
    if (!m.empty()) {
        fail(e, "expected " + ScriptPackets::describe(want) + ", got " + packets_.describe(first.packet) + " at " +
                    at_text(first.at) + ": " + m);
        return false;
    }
    outbound_.pop_front();
    say("line " + std::to_string(e.pos.line) + " ok: " + e.source);
    last_ = first.at;
    return true;
}

bool ScriptRunner::execute(const Event& e, SimTime when) {
    const EventTime& t = *e.time;
    const SimTime now = sim_.now();
    if (const auto* p = std::get_if<PacketSpec>(&e.action)) {
        if (p->urg) {
            unsupported(e, "urgent data (urg): tcpsim does not model URG");
            return false;
        }
        if (p->options)
            for (const TcpOptionSpec& o : *p->options)
                if (o.kind == TcpOptionSpec::Kind::other) {
                    unsupported(e, "TCP option \"" + o.text + "\"");
                    return false;
                }
        remote_.send(packets_.inbound(*p));
        say("line " + std::to_string(e.pos.line) + " sent: " + e.source);
        last_ = now;
        // packetdrill's tun device hands the packet to the kernel before the script goes on: the
        // link takes a nanosecond, so the next event waits until the stack has processed it.
        ++idx_;
        hold_until_ = now + kInjected;
        schedule_step(hold_until_);
        return false;
    }
    if (const auto* s = std::get_if<SyscallSpec>(&e.action)) {
        const bool blocking = t.range == EventTime::Range::blocking;
        if (blocking && blocked_) {
            unsupported(e, "a second blocking call while one is blocked");
            return false;
        }
        ScriptSyscalls& calls = blocking ? blocked_calls_ : calls_;
        CallOutcome out = calls.call(*s, blocking);
        for (std::string& i : calls.ignored) settings_.ignored.push_back(std::move(i));
        calls.ignored.clear();
        SimTime base = last_;
        last_ = now;
        switch (out.kind) {
            case CallOutcome::Kind::unsupported: unsupported(e, out.message); return false;
            case CallOutcome::Kind::mismatch: fail(e, out.message + " at " + at_text(now)); return false;
            case CallOutcome::Kind::blocked: {
                SimTime returns = t.end_relative ? base + t.end : t.end;
                blocked_ = Blocked{idx_, returns, returns - settings_.tolerance, returns + settings_.tolerance};
                say("line " + std::to_string(e.pos.line) + " blocks: " + e.source);
                schedule_step(blocked_->latest + SimTime::from_ns(1));
                return true;
            }
            case CallOutcome::Kind::done:
                if (blocking) {
                    SimTime returns = t.end_relative ? base + t.end : t.end;
                    if (now < returns - settings_.tolerance || now > returns + settings_.tolerance) {
                        fail(e, s->name + "() returned at " + at_text(now) + ", expected at " + at_text(returns));
                        return false;
                    }
                    blocked_calls_.reset();
                }
                say("line " + std::to_string(e.pos.line) + " ok: " + e.source);
                return true;
        }
        return true;
    }
    if (const auto* a = std::get_if<AssertBlock>(&e.action)) {
        last_ = now;
        return check_asserts(e, *a);
    }
    last_ = now;
    (void)when;
    return apply_shell(e, std::get<ShellBlock>(e.action));
}

void ScriptRunner::retry_blocked() {
    retry_pending_ = false;
    const Event& e = script_.events[blocked_->event];
    const auto& s = std::get<SyscallSpec>(e.action);
    CallOutcome out = blocked_calls_.call(s, true);
    const SimTime now = sim_.now();
    switch (out.kind) {
        case CallOutcome::Kind::blocked: return;
        case CallOutcome::Kind::unsupported: unsupported(e, out.message); return;
        case CallOutcome::Kind::mismatch: fail(e, out.message + " at " + at_text(now)); return;
        case CallOutcome::Kind::done:
            if (now < blocked_->earliest || now > blocked_->latest) {
                fail(e, s.name + "() returned at " + at_text(now) + ", expected at " + at_text(blocked_->returns));
                return;
            }
            say("line " + std::to_string(e.pos.line) + " returned: " + e.source);
            blocked_.reset();
            blocked_calls_.reset();
            return;
    }
}

bool ScriptRunner::check_asserts(const Event& e, const AssertBlock& a) {
    int fd = sockets_.last_socket();
    const SimTime now = sim_.now();
    TcpInfoLookup lookup = [&](std::string_view name) -> std::optional<double> {
        if (auto c = tcp_info_constant(name)) return c;
        return tcp_info_field(name, sockets_, fd, now);
    };
    try {
        for (const AssertOutcome& o : evaluate_asserts(a.code, e.pos, lookup, &assigned_)) {
            if (!o.held) {
                fail(e, o.failure_message() + " at " + at_text(now));
                return false;
            }
        }
    } catch (const UnsupportedAssert& u) {
        unsupported(e, u.reason == UnsupportedAssert::Reason::unknown_name
                           ? "TCP_INFO field " + u.subject + " (not modelled by tcpsim)"
                           : "in %{ }%: " + u.subject);
        return false;
    }
    say("line " + std::to_string(e.pos.line) + " ok: " + e.source);
    return true;
}

bool ScriptRunner::apply_shell(const Event& e, const ShellBlock& b) {
    std::vector<ConfigAction> actions;
    try {
        actions = interpret_shell_block(b.text, e.pos, options_.script_dir);
    } catch (const ConfigError& err) {
        fail(e, std::string("configuration: ") + err.what());
        return false;
    }
    for (const ConfigAction& a : actions) {
        switch (a.kind) {
            case ConfigAction::sysctl:
                try {
                    apply_sysctl(settings_, a.name, a.value);
                } catch (const std::invalid_argument& err) {
                    fail(e, std::string("configuration: ") + err.what());
                    return false;
                }
                break;
            case ConfigAction::ignored:
                // Commands that change nothing modelled; a module parameter is a setting tcpsim
                // does not have: the verdict lists it.
                if (size_t at = a.text.find("/sys/module/"); at != std::string::npos) {
                    // `echo VALUE > /sys/module/MODULE/parameters/NAME`
                    std::string path = a.text.substr(at + 12);
                    size_t slash = path.find('/'), last = path.rfind('/');
                    std::string value = a.text.substr(5, a.text.find('>') - 5);
                    while (!value.empty() && value.back() == ' ') value.pop_back();
                    try {
                        apply_module_parameter(settings_, path.substr(0, slash), path.substr(last + 1), value);
                    } catch (const std::invalid_argument&) {
                        settings_.ignored.push_back(a.text);
                    }
                }
                break;
            case ConfigAction::unsupported: unsupported(e, "configuration command `" + a.text + "`"); return false;
        }
    }
    sockets_.set_base(settings_.tcp);
    return true;
}

}  // namespace tcpsim::packetdrill
