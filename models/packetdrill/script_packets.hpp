#pragma once
// The script's packets and the wire's: a script writes sequence numbers relative to each side's
// ISN and the local side's timestamps in its own numbering; ScriptPackets learns the local ISN
// and TS clock from the first segments the stack sends, builds the remote's packets from their
// lines, and compares what the stack sends with what a line expects (as packetdrill does: flags,
// sequence range, ack, window when given, options kind by kind unless `<...>`, TS ecr exactly,
// TS val within the tolerance).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/network/packet.hpp"
#include "models/packetdrill/script.hpp"
#include "sim/core/time.hpp"

namespace tcpsim::packetdrill {

class ScriptPackets {
public:
    // `remote_isn`: the ISN the scripted peer uses (its inbound seq 0). Ports and nodes: the
    // packets' addresses.
    ScriptPackets(uint32_t remote_isn, uint32_t local_node, uint32_t remote_node, uint16_t remote_port)
        : remote_isn_(remote_isn), local_node_(local_node), remote_node_(remote_node), remote_port_(remote_port) {}

    void set_local_port(uint16_t p) { local_port_ = p; }
    void set_remote_port(uint16_t p) { remote_port_ = p; }
    uint16_t local_port() const { return local_port_; }
    bool local_port_known() const { return local_port_ != 0; }

    // The remote's packet for an inbound line.
    Packet inbound(const PacketSpec& s) const;

    // What differs between `got` (sent by the stack at `at`) and the line `want` ("" when it
    // matches). `ts_tolerance_ticks`: how far a TS val may be from the expected one. Learns the
    // local ISN (from its SYN) and the TS offset (from its first TS val) on the way.
    std::string mismatch(const PacketSpec& want, const Packet& got, uint32_t ts_tolerance_ticks);
    // The same for a run of segments sent at one instant that should together be the line's
    // one large segment (segmentation offload): contiguous, covering SEQ:END exactly, each with
    // the line's flags and ack (PSH and FIN only needed on the last).
    std::string run_mismatch(const PacketSpec& want, const std::vector<Packet>& run, uint32_t ts_tolerance_ticks);
    // Whether `got` starts the line's range and covers less of it: the start of such a run.
    bool starts_run(const PacketSpec& want, const Packet& got) const;

    // The stack's segment as a script line would write it (relative numbers), for messages.
    std::string describe(const Packet& p) const;
    static std::string describe(const PacketSpec& s);

    bool local_isn_known() const { return local_isn_known_; }
    uint32_t local_isn() const { return local_isn_; }

private:
    uint32_t rel_local(uint32_t seq) const { return seq - local_isn_; }
    uint32_t rel_remote(uint32_t seq) const { return seq - remote_isn_; }

    uint32_t remote_isn_;
    uint32_t local_isn_ = 0;
    bool local_isn_known_ = false;
    int64_t ts_offset_ = 0;  // the stack's TS val minus the script's
    bool ts_offset_known_ = false;
    uint32_t local_node_, remote_node_;
    uint16_t remote_port_;
    uint16_t local_port_ = 0;
};

// The TCP options of a packet in wire order, as the capture's bytes have them (NOPs and EOL
// included): what an outbound line's options are compared with.
std::vector<TcpOptionSpec> wire_options(const Packet& p);

}  // namespace tcpsim::packetdrill
