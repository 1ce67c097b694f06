#pragma once
// TcpTransferState: what a TcpEndpoint needs only once its connection carries data: the
// congestion control, loss recovery (RFC 5681, 6582, 6675), the SACK scoreboard and the
// receiver's SACK blocks, out-of-order reassembly, the persist and retransmission back-off,
// ECN's reduction state and the counters of a transfer.
//
// An idle connection (a handshake, then keepalive probes and their ACKs) never touches any of
// it, so the endpoint allocates it on first use, once per connection (TcpEndpoint::xfer()):
// 100,000 idle connections then do not carry 100,000 of these. Every field starts at the value
// the endpoint reads while it is absent (TcpEndpoint's const accessors), so allocating it
// earlier or later changes nothing a connection does.
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "models/tcp/congestion_control.hpp"
#include "models/tcp/reassembly_queue.hpp"
#include "models/tcp/retransmission_log.hpp"
#include "models/tcp/sack_blocks.hpp"
#include "models/tcp/sack_scoreboard.hpp"

namespace tcpsim {

// Loss-recovery state of the sender: "fast" is fast recovery (RFC 5681/6582, or RFC 6675 with
// SACK), "rto" the slow start that follows a retransmission timeout until what was outstanding
// at the timeout is acknowledged.
enum class RecoveryState : uint8_t { open, fast, rto };
constexpr std::string_view to_string(RecoveryState r) {
    constexpr std::string_view names[] = {"open", "fast", "rto"};
    return names[static_cast<size_t>(r)];
}

// The counters only a transfer moves (TcpCounters has the rest, kept by the endpoint itself).
struct TransferCounters {
    uint64_t bytes_sent = 0, bytes_retransmitted = 0;
    uint64_t retransmissions = 0;
    uint64_t data_rto_expirations = 0;  // the SYN's are TcpCounters::syn_retransmissions
    uint64_t zero_window_probes = 0;
    uint64_t duplicate_segments = 0, out_of_order_segments = 0;
    uint64_t bytes_delivered = 0;
    uint64_t fast_retransmits = 0;
    uint64_t fast_recoveries = 0;
    uint64_t spurious_retransmits = 0;
    uint64_t dsacks_received = 0;
    uint64_t ecn_reductions = 0;
};

struct TcpTransferState {
    // Initialised as the endpoint would have it (CongestionControl::init with the current MSS).
    explicit TcpTransferState(std::unique_ptr<CongestionControl> c) : cc(std::move(c)) {}

    std::unique_ptr<CongestionControl> cc;

    // Send side.
    uint32_t retries = 0;          // consecutive expiries of the retransmission timer
    uint32_t persist_backoff = 0;
    // The first timeout or fast retransmission since SND.UNA last advanced (Linux's
    // retrans_stamp), and the first zero-window probe of a run of them: TCP_USER_TIMEOUT counts
    // from there. (A tail loss probe does not start it, as Linux's does not.)
    SimTime retrans_stamp, persist_stamp;
    bool retrans_stamped = false;
    uint64_t unread = 0;           // delivered in order, not yet read by the application

    // Loss recovery.
    RecoveryState recovery = RecoveryState::open;
    bool eifel_armed = false;
    bool cwr_pending = false;      // ECN: the next new data carries CWR
    uint32_t dupacks = 0;
    uint32_t rto_tsval = 0;        // Eifel (RFC 3522): TSval of the first timeout retransmission
    int64_t rto_offset = 0;        // and where that retransmission starts
    int64_t before_dupacks = 0;    // snd_max_data() at the first of the current duplicate ACKs
    int64_t recover = -1;          // RFC 6582 "recover", RFC 6675 RecoveryPoint (one past HighData)
    int64_t high_rxt = 0;          // RFC 6675 HighRxt (one past)
    int64_t rescue_rxt = -1;       // RFC 6675 RescueRxt; -1: undefined
    int64_t ecn_recover = -1;      // RFC 3168 6.1.2: no further reduction before this is acked
    SackScoreboard scoreboard;
    // Retransmissions not yet shown unneeded, to tell a D-SACK for one of them (spurious) from
    // a duplicate made by the network. Allocated at the first retransmission: most transfers
    // never retransmit.
    std::unique_ptr<RetransmissionLog> rxt_log;

    // Receive side.
    // Linux's ACK engine (tcp_delayed_ack.cpp): the adaptive delayed-ACK timeout (zero until the
    // first data), when data last arrived, the estimate of the sender's segment size, quick ACKs
    // left, whether the connection is interactive, short ("pushed") segments since the last ACK.
    SimTime ato, lrcvtime;
    uint32_t rcv_mss = 0;
    uint32_t quick = 0;
    bool pingpong = false;
    uint8_t pushed = 0;
    ReassemblyQueue rcv;
    SackBlocks sack_blocks;

    TransferCounters counters;
};

}  // namespace tcpsim
