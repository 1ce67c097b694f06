#pragma once
// HostSettings: a script's host configuration (its sysctls and options) applied to the TCP
// settings of the host under test. Every `net.ipv4.*` sysctl with a tcpsim equivalent is mapped;
// one without is recorded (the verdict line lists it), so a script can still pass when nothing
// it checks depends on it.
#include <string>
#include <vector>

#include "models/tcp/tcp_config.hpp"
#include "sim/core/time.hpp"

namespace tcpsim::packetdrill {

struct HostSettings {
    TcpConfig tcp;                     // the host's TCP settings, as the sysctls leave them
    SimTime tolerance = SimTime::from_us(4000);  // --tolerance_usecs (packetdrill's default)
    SimTime ts_tick = SimTime::from_ms(1);       // --tcp_ts_tick_usecs: the local TS clock's tick
    uint32_t remote_mss = 1460;                  // --mss: the MSS the peer's path allows
    std::vector<std::string> ignored;  // sysctls and options with no tcpsim equivalent, as written
};

// tcpsim's defaults for a packetdrill host: TcpConfig's, with what Linux sets differently and
// tcpsim models the same way (delayed ACK, 40 ms; SYN retries; the socket buffers of a host
// without sysctls: tcp_rmem 131072 (default), tcp_wmem 16384).
// `profile`: the TCP profile the host starts from (tcpsim packetdrill --profile).
HostSettings default_host_settings(TcpProfile profile = TcpProfile::linux_tcp);

// Applies `net.ipv4.NAME` = VALUE. Returns false (and records it in `ignored`) when tcpsim has no
// equivalent; true when mapped, or when the value is what tcpsim does anyway (e.g. tcp_fack=0).
// Throws std::invalid_argument for a value that cannot be read (the script is then malformed).
bool apply_sysctl(HostSettings& h, const std::string& name, const std::string& value);
// `echo VALUE > /sys/module/MODULE/parameters/NAME`: CUBIC's hystart; others are recorded.
bool apply_module_parameter(HostSettings& h, const std::string& module, const std::string& name, const std::string& value);
// A script option (--name=value); unknown ones are recorded like sysctls.
bool apply_option(HostSettings& h, const std::string& name, const std::string& value);

}  // namespace tcpsim::packetdrill
