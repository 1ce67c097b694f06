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
#include "models/tcp/sent_queue.hpp"

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
    uint64_t reductions_undone = 0;
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

    // Congestion window validation (tcp_cwnd_validation.cpp): the most in flight in the current
    // window of data, whether cwnd was used up in it, where that window ends; what was used of
    // cwnd while it was not, since when; when data was last sent (idle restart).
    uint64_t max_flight = 0, cwnd_used = 0;
    int64_t snd_sml = 0;  // where the last short segment sent ends (Linux snd_sml, Minshall's Nagle)
    int64_t cwnd_usage_seq = 0;
    bool is_cwnd_limited = false;
    SimTime cwnd_stamp, last_send;
    SimTime last_rtt_sample;  // the latest RTT sample (for the congestion control's, HyStart)

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
    // RACK-TLP (RFC 8985) and PRR (RFC 6937), for a connection with SACK under the linux profile
    // (tcp_rack.cpp, tcp_rack_recovery.cpp). `sent` is every segment outstanding, with its
    // transmit time; allocated with the first data sent.
    std::unique_ptr<SentQueue> sent;
    SentQueue::Delivered delivered;  // what the ACK being processed delivered
    struct Rack {
        SimTime xmit, rtt;            // RACK.xmit_ts and RACK.rtt of the most recently sent delivered
        int64_t end = 0;              // RACK.end_seq
        bool valid = false;           // something was delivered yet
        bool advanced = false;        // this ACK moved it (loss detection is worth a look)
        SimTime min_rtt;              // RACK's min_RTT
        uint32_t reordering = 3;      // Linux tp->reordering (segments), tcpi_reordering
        uint32_t reord_seen = 0;      // reordering events (tcpi_reord_seen)
        uint32_t reo_wnd_steps = 1;   // the reordering window, in min_RTT/4 (RFC 8985 6.2 step 4)
        uint32_t reo_wnd_persist = 0; // recoveries before it falls back to one step
        bool dsack_seen = false;
        SimTime reo_adjusted;         // when reo_wnd_steps last grew
    } rack;
    int64_t tlp_high = -1;            // TLP.end_seq (RFC 8985 7): snd_nxt when the probe left; -1: none
    bool tlp_retrans = false;         // the probe was a retransmission (not new data)
    bool fin_alone = false;           // our FIN went in a segment of its own (the last one, for TLP)
    uint64_t prr_delivered = 0, prr_out = 0, prior_cwnd = 0;  // RFC 6937
    // Undo (tcp_undo.cpp): where the episode of reduction began (-1: none), its retransmissions
    // not yet shown spurious by a D-SACK, the TSval of its first one, the window before it.
    int64_t undo_marker = -1;
    int32_t undo_retrans = 0;
    uint32_t undo_tsval = 0;
    bool undo_tsval_set = false;
    uint64_t prior_cwnd_undo = 0, prior_ssthresh_undo = 0;
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
    // Linux's receive window (tcp_receive_window.cpp): the buffer as autotuning has grown it (0:
    // not yet measured), rcv_ssthresh (0: the first offer), and the current measurement of what
    // the application reads per RTT (tcp_rcv_space_adjust).
    uint64_t rcvbuf = 0, rcv_ssthresh = 0;
    // The last window linux_window() chose, valid until what it depends on changes (data in,
    // the application reads, the buffer or rcv_ssthresh grows): most segments a sender sends
    // offer the same window.
    uint64_t window_cache = 0;
    bool window_valid = false;
    uint64_t rcvq_space = 0, rcvq_seq = 0;
    SimTime rcvq_time;
    uint32_t quick = 0;
    bool pingpong = false;
    uint8_t pushed = 0;
    ReassemblyQueue rcv;
    SackBlocks sack_blocks;

    TransferCounters counters;
};

}  // namespace tcpsim
