#pragma once
// TcpEndpoint: one end of one TCP connection, as a state machine with no I/O (after smoltcp's
// socket). Inputs: an arriving segment, a timer firing, an application call; each takes the
// current time. Outputs go through TcpEndpointOutput: segments to send, timers to arm or cancel,
// state changes and what the application is told. Unit tests drive it with hand-made segments.
//
// Sequence space is kept as 64-bit stream offsets (offset 0 = first data byte = ISS+1; the SYN is
// offset -1; the FIN sits just past the last data byte) and turned into 32-bit sequence numbers
// only on the wire, so wraparound is handled in one place (seq_of / offset_of).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "models/network/packet.hpp"
#include "models/tcp/congestion_control.hpp"
#include "models/tcp/rtt_estimator.hpp"
#include "models/tcp/tcp_config.hpp"
#include "models/tcp/tcp_state.hpp"
#include "models/tcp/tcp_transfer_state.hpp"
#include "sim/core/time.hpp"

namespace tcpsim {

enum class TcpTimer : uint8_t { retransmit, persist, delayed_ack, keepalive, time_wait };
inline constexpr size_t kTcpTimerCount = 5;
constexpr std::string_view to_string(TcpTimer t) {
    constexpr std::string_view names[] = {"retransmit", "persist", "delayed_ack", "keepalive", "time_wait"};
    return names[static_cast<size_t>(t)];
}

// Why a connection ended (what the application is told, and the trace says).
enum class CloseReason : uint8_t {
    normal,               // both FINs exchanged and acknowledged
    reset,                // the peer sent RST
    refused,              // RST in answer to our SYN
    connection_timed_out, // SYN (or SYN-ACK) retransmissions exhausted
    retransmit_limit,     // data retransmissions exhausted (tcp_retries2)
    keepalive_timeout,    // keepalive probes unanswered
    aborted,              // the application called abort()
    user_timeout,         // data unacknowledged for the user timeout (TCP_USER_TIMEOUT)
};
constexpr std::string_view to_string(CloseReason r) {
    constexpr std::string_view names[] = {"normal", "reset", "connection refused", "connection timed out",
                                          "retransmission limit", "keepalive timeout", "aborted", "user timeout"};
    return names[static_cast<size_t>(r)];
}

// What the congestion-control time series records (the trace's "cc" records).
struct CcSample {
    uint64_t cwnd = 0, ssthresh = 0, flight = 0, bytes_acked = 0;
    SimTime srtt, rttvar, rto;
    RecoveryState recovery = RecoveryState::open;
};

class TcpEndpointOutput {
public:
    virtual void emit(const Packet& segment) = 0;
    virtual void set_timer(TcpTimer t, SimTime at) = 0;
    virtual void cancel_timer(TcpTimer t) = 0;
    virtual void state_changed(TcpState from, TcpState to, std::string_view reason) = 0;
    // Application notifications.
    virtual void connected() = 0;
    // In-order bytes [offset, offset + bytes) of the peer's stream, each exactly once.
    virtual void data_received(uint64_t offset, uint64_t bytes) = 0;
    virtual void peer_closed() = 0;  // the peer's FIN: end of its stream
    virtual void writable() = 0;     // send-buffer space was freed
    virtual void closed(CloseReason reason) = 0;
    // Something worth a trace line that is neither a segment nor a state change (RTO values,
    // keepalive probes, zero-window probes).
    virtual void note(std::string_view what, SimTime value) = 0;
    // cwnd, ssthresh, the recovery state or the RTT estimate changed (after an input).
    virtual void congestion_changed(const CcSample& sample) { (void)sample; }

protected:
    ~TcpEndpointOutput() = default;
};

struct TcpAddress {
    uint32_t node = 0;
    uint16_t port = 0;
};

// The sender's state in segments, as Linux's TCP_INFO reports it (tcpi_unacked, tcpi_sacked,
// tcpi_lost, tcpi_retrans, tcpi_reordering, tcpi_reord_seen).
struct TcpSegmentCounts {
    uint32_t unacked = 0, sacked = 0, lost = 0, retrans = 0, reordering = 0, reord_seen = 0;
};

struct TcpCounters {
    uint64_t segments_sent = 0, segments_received = 0;
    uint64_t bytes_sent = 0, bytes_retransmitted = 0;
    uint64_t retransmissions = 0, rto_expirations = 0;
    uint64_t syn_retransmissions = 0;
    uint64_t keepalive_probes = 0, zero_window_probes = 0;
    uint64_t duplicate_segments = 0, out_of_order_segments = 0;
    uint64_t bytes_delivered = 0;
    uint64_t fast_retransmits = 0;      // segments retransmitted in fast recovery
    uint64_t fast_recoveries = 0;       // fast recovery episodes
    uint64_t spurious_retransmits = 0;  // shown unneeded by D-SACK, or (no SACK) Eifel on an RTO
    uint64_t dsacks_received = 0;
    uint64_t ecn_reductions = 0;
    uint64_t reductions_undone = 0;     // window reductions undone as spurious (linux: D-SACK, timestamps)
    uint64_t max_cwnd = 0;
    uint64_t rtt_samples = 0;
    SimTime rtt_sum;                    // for the mean RTT
};

class TcpEndpoint {
public:
    // `config` is referred to, not copied (an idle connection stays small): it must outlive the
    // endpoint. It lives in the scenario's application spec, or in the stack's listener.
    // `ts_offset` is where the connection's timestamp clock starts (RFC 7323 5.4: an offset per
    // connection; Linux draws a random one).
    TcpEndpoint(const TcpConfig& config, TcpEndpointOutput& out, TcpAddress local, TcpAddress remote, uint32_t iss,
                uint32_t ts_offset);
    TcpEndpoint(TcpConfig&&, TcpEndpointOutput&, TcpAddress, TcpAddress, uint32_t, uint32_t) = delete;
    ~TcpEndpoint();
    TcpEndpoint(const TcpEndpoint&) = delete;
    TcpEndpoint& operator=(const TcpEndpoint&) = delete;

    // --- application calls (RFC 9293 3.10.1-3.10.5) ---
    void connect(SimTime now);   // active OPEN: SYN-SENT
    void listen(SimTime now);    // passive OPEN: LISTEN (waits for a SYN from `remote`'s side)
    // Queues up to `bytes` for sending; returns how many fit in the send buffer.
    uint64_t send(uint64_t bytes, SimTime now);
    void close(SimTime now);     // no more data from us: FIN after what is queued
    void abort(SimTime now);     // RST, and forget the connection
    // The application consumed `bytes` of received data (only when auto_read is off).
    void read(uint64_t bytes, SimTime now);
    void set_auto_read(bool on) { auto_read_ = on; }
    // Off: nobody takes congestion_changed() (no trace records them), so the endpoint does not
    // make the samples. On by default.
    void set_congestion_reports(bool on) { congestion_reports_ = on; }
    // Socket options an application may change at any time (the socket layer): TCP_NODELAY
    // (Nagle off; turning it on pushes what waits, as Linux's tcp_push_pending_frames), TCP_CORK
    // (hold short segments; uncorking pushes), and MSG_MORE on a send (the same as a cork until
    // a send without it).
    void set_nodelay(bool on, SimTime now);
    void set_cork(bool on, SimTime now);
    uint64_t send(uint64_t bytes, bool more, SimTime now);
    bool nodelay() const { return !nagle_; }
    bool corked() const { return cork_; }

    // --- inputs ---
    void on_segment(const Packet& seg, SimTime now);
    void on_timer(TcpTimer t, SimTime now);
    // Throws InvariantViolation if the state is inconsistent; no-op in Release (tcp_invariants.cpp).
    void check_invariants() const;

    // --- state, with the RFC's names ---
    TcpState state() const { return state_; }
    TcpAddress local() const { return local_; }
    TcpAddress remote() const { return remote_; }
    uint32_t iss() const { return iss_; }
    uint32_t irs() const { return irs_; }
    uint32_t snd_una() const { return seq_of(snd_una_); }
    uint32_t snd_nxt() const { return seq_of(snd_nxt_); }
    uint32_t rcv_nxt() const { return rcv_seq_of(rcv_next() + rcv_fin_extra()); }
    uint64_t snd_wnd() const { return snd_wnd_; }
    uint64_t rcv_wnd() const {
        uint64_t next = rcv_next();
        return rcv_adv_ > next ? rcv_adv_ - next : 0;
    }
    // The largest window we could advertise now (Linux's window_clamp).
    uint64_t receive_window_max() const;
    // The receive buffer now (it grows with receive_autotuning), and Linux's rcv_ssthresh.
    uint64_t receive_buffer_now() const;
    uint64_t rcv_ssthresh() const;
    // Bytes the receive buffer holds: unread, and waiting out of order beyond RCV.NXT.
    uint64_t receive_held() const {
        return x_ ? x_->unread + (x_->rcv.out_of_order().empty() ? 0 : x_->rcv.out_of_order_bytes()) : 0;
    }
    // Before the congestion control exists (no data yet) it would still be where init() left it.
    uint64_t cwnd() const {
        return x_ ? x_->cc->cwnd() : CongestionControl::initial_window(eff_mss_, c_->initial_cwnd_segments);
    }
    uint64_t ssthresh() const { return x_ ? x_->cc->ssthresh() : CongestionControl::kInfiniteSsthresh; }
    uint64_t flight_size() const { return static_cast<uint64_t>(snd_nxt_data() - snd_una_data()); }
    uint32_t effective_mss() const { return eff_mss_; }
    const RttEstimator& rtt() const { return rtt_; }
    TcpCounters counters() const;
    const TcpConfig& config() const { return *c_; }
    // Takes its settings from `c` from now on (which must outlive it): the socket layer gives an
    // accepted connection a copy of its listener's of its own, so that options set on one socket
    // stay its own. What the handshake fixed (MSS, options, window scale) does not change.
    void use_config(const TcpConfig& c) { c_ = &c; }
    // The keepalive settings changed (SO_KEEPALIVE, TCP_KEEPIDLE ...): arm or re-arm its timer.
    void keepalive_changed(SimTime now);
    bool sack_permitted() const { return sack_ok_; }
    bool ecn_enabled() const { return ecn_ok_; }
    bool timestamps_enabled() const { return ts_ok_; }
    int snd_wscale() const { return snd_wscale_; }
    int rcv_wscale() const { return rcv_wscale_; }
    uint64_t bytes_queued() const { return static_cast<uint64_t>(written_); }
    uint64_t bytes_acked() const { return static_cast<uint64_t>(snd_una_data()); }
    uint32_t keepalive_probes_unanswered() const { return probes_out_; }
    // How many times the zero-window probe interval has doubled (0 when not probing).
    uint32_t persist_backoff() const { return x_ ? x_->persist_backoff : 0; }
    RecoveryState recovery() const { return x_ ? x_->recovery : RecoveryState::open; }
    std::string_view congestion_control_name() const { return x_ ? x_->cc->name() : std::string_view(c_->cc); }
    const SackScoreboard& scoreboard() const { return x_ ? x_->scoreboard : empty_scoreboard(); }
    static const SackScoreboard& empty_scoreboard();
    uint32_t duplicate_acks() const { return x_ ? x_->dupacks : 0; }
    // Whether the state of a transfer (TcpTransferState) has been allocated: not for a
    // connection that only shook hands and kept alive.
    bool has_transfer_state() const { return x_ != nullptr; }
    // RFC 6675 SetPipe: the sender's estimate of bytes in the network.
    uint64_t pipe() const;
    CcSample cc_sample() const;
    TcpSegmentCounts segment_counts() const;
    // Linux's TCP_CA_Disorder: SACKed segments or duplicate ACKs seen, outside a recovery.
    bool in_disorder() const;

private:
    // tcp_endpoint.cpp: state, application calls, timers
    void set_state(TcpState s, std::string_view reason);
    void finish(CloseReason reason, std::string_view why);
    void enter_time_wait(std::string_view reason, SimTime now);
    void on_timer_fired(TcpTimer t, SimTime now);
    void on_retransmit_timeout(SimTime now);
    SimTime syn_timeout_budget() const;
    void on_established(SimTime now, std::string_view reason);
    void on_persist_timeout(SimTime now);
    void on_keepalive_timeout(SimTime now);
    void arm_keepalive(SimTime now);

    // tcp_input.cpp: SEGMENT ARRIVES (RFC 9293 3.10.7)
    void input_listen(const Packet& seg, SimTime now);
    void input_syn_sent(const Packet& seg, SimTime now);
    void input_synchronized(const Packet& seg, SimTime now);
    bool predicted_data(const Packet& seg) const;
    void input_predicted_data(const Packet& seg, SimTime now);
    bool acceptable(const Packet& seg) const;
    void process_ack(const Packet& seg, SimTime now);
    void window_update_and_send(const Packet& seg, bool rack, SimTime now);
    void process_data(const Packet& seg, SimTime now);
    void process_fin(SimTime now);
    void release_held_ack(SimTime now);
    void take_syn_options(const Packet& seg);
    void take_timestamp(const Packet& seg);
    void rtt_from_echo(uint32_t ts_ecr, SimTime now);
    void rtt_sample(SimTime r);
    // The transfer state, allocated on first use (see TcpTransferState): every change to it goes
    // through here, reads of it while absent see its initial values.
    TcpTransferState& xfer() { return x_ ? *x_ : make_xfer(); }
    TcpTransferState& make_xfer();
    uint32_t ts_now(SimTime now) const { return static_cast<uint32_t>(now.ns() / c_->timestamp_tick.ns()) + ts_offset_; }

    // tcp_recovery.cpp: loss detection and recovery (RFC 5681, 6582, 6675, 2883)
    uint64_t take_sack_blocks(const Packet& seg, int64_t acked_to);
    bool is_duplicate_ack(const Packet& seg, int64_t acked_to, uint64_t newly_sacked) const;
    void on_duplicate_ack(SimTime now);
    void enter_fast_recovery(SimTime now);
    // New data acknowledged: recovery bookkeeping and the congestion control.
    void on_new_ack(uint64_t acked_bytes, uint64_t flight_before, SimTime now);
    void sack_recovery_send(SimTime now);
    bool next_seg(int64_t& offset, uint32_t& len, bool& retransmission);
    void retransmit(int64_t offset, uint32_t len, SimTime now);
    void remember_retransmission(int64_t offset, uint32_t len, SimTime now);
    void report_congestion();
    void on_ecn_echo(SimTime now);
    int64_t snd_max_data() const { return std::min(snd_max_, written_); }
    uint64_t rcv_next() const { return x_ ? x_->rcv.next() : 0; }

    // tcp_output.cpp: what leaves
    void send_syn(bool with_ack, SimTime now);
    void send_ack(SimTime now);
    void send_rst(uint32_t seq, uint32_t ack, bool with_ack);  // in answer to a segment: no options
    void send_active_rst(SimTime now);  // the connection's own: abort, keepalive timeout
    void send_probe(SimTime now, bool with_byte);
    void try_send(SimTime now);
    // An application's write or close: sent at once, or by the ACK being processed (in_ack_).
    void send_now_or_after_ack(SimTime now) {
        if (in_ack_) send_pending_ = true;
        else try_send(now);
    }
    void send_what_fits(SimTime now);
    bool short_segment_ok(uint64_t len, bool last, uint64_t flight) const;
    void send_segment(int64_t offset, uint32_t len, bool fin, SimTime now);
    void fill_header(Packet& p, SimTime now);
    // tcp_receive_window.cpp: what window is offered (RFC 1122, or Linux's with autotuning)
    uint32_t advertised_window_field();
    bool autotuning() const;
    uint64_t full_receive_space() const;
    uint64_t initial_receive_window() const;
    uint64_t linux_window();
    uint64_t select_linux_window();
    void grow_receive_window(uint32_t len);
    void receive_space_adjust(SimTime now);
    void arm_retransmit(SimTime now);
    // TCP_USER_TIMEOUT: whether it has run out since `since`, and the time left of it.
    bool user_timeout_passed(SimTime since, SimTime now) const {
        return c_->user_timeout > SimTime::zero() && now - since >= c_->user_timeout;
    }
    // The retransmission timer runs as the RTO, as RACK's reordering timer or as the tail loss
    // probe's timer (Linux keeps all three in one slot too: only one is ever pending).
    enum class RtxMode : uint8_t { rto, probe, reorder };
    void arm_rtx_timer(RtxMode m, SimTime at);

    // tcp_rack.cpp: RACK-TLP loss detection (RFC 8985), with SACK in the linux profile
    bool rack_on() const { return c_->rack && sack_ok_; }
    // In fast recovery driven by RFC 6675's pipe and NextSeg (SACK without RACK).
    bool rfc6675_recovery() const { return recovery() == RecoveryState::fast && sack_ok_ && !rack_on(); }
    uint64_t rack_in_flight() const {
        // Linux tcp_packets_in_flight: outstanding, less SACKed and lost, plus retransmissions out.
        uint64_t out = static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data()));
        if (!x_ || !x_->sent) return out;
        const SentQueue& q = *x_->sent;
        uint64_t left = q.sacked_bytes() + q.lost_bytes();
        return (out > left ? out - left : 0) + q.retrans_bytes();
    }
    void rack_begin_ack(SimTime now);
    void rack_record_send(int64_t offset, uint32_t len, bool fin, SimTime now);
    SimTime rack_reo_wnd() const;
    void rack_update(int64_t prior_fack, SimTime now);
    uint32_t rack_detect_loss(SimTime now, SimTime& wait);
    uint32_t rack_mark_lost(SimTime now);
    void on_reorder_timeout(SimTime now);
    bool schedule_loss_probe(SimTime now);
    void set_xmit_timer(SimTime now);
    void on_loss_probe(SimTime now);
    void tlp_on_ack(bool advanced, bool dsack, SimTime now);
    // tcp_rack_recovery.cpp: recovery with RACK and PRR (RFC 6937)
    void enter_rack_recovery(SimTime now);
    void prr_reduce(uint64_t delivered, bool newly_lost, bool una_advanced);
    void rack_send(SimTime now);
    void rack_on_ack(bool una_advanced, uint64_t newly_sacked, bool dsack, int64_t prior_fack, uint64_t flight_before,
                     SimTime now);
    void rack_on_rto(SimTime now);

    // tcp_undo.cpp: undoing a reduction shown spurious (Linux tcp_try_undo_*)
    void undo_start(uint64_t prior_cwnd, uint64_t prior_ssthresh);
    void undo_on_retransmit(uint32_t len, uint32_t tsval);
    void undo_on_dsack(int64_t begin, int64_t end);
    bool undo_possible(const Packet& seg, bool una_advanced) const;
    bool try_undo(const Packet& seg, bool una_advanced, SimTime now);

    // tcp_cwnd_validation.cpp: whether cwnd is in use (Linux's tcp_cwnd_validate)
    bool cwnd_limited() const;
    uint64_t current_ssthresh() const;
    void cwnd_validate(bool limited, SimTime now);
    void restart_after_idle(SimTime now);

    // tcp_delayed_ack.cpp: when the receiver acknowledges (RFC 1122, or Linux's quick ACKs)
    void ack_or_delay(SimTime now, bool immediately);
    void on_data_arrival(uint32_t len, SimTime now);
    void on_reply_sent(SimTime now);
    void on_ack_sent();
    void on_delayed_ack_timeout(SimTime now);
    void incr_quickack(TcpTransferState& x);
    SimTime delayed_ack_timeout() const;

    uint32_t seq_of(int64_t offset) const { return iss_ + 1 + static_cast<uint32_t>(offset); }
    int64_t offset_of(uint32_t seq) const { return snd_una_ + static_cast<int32_t>(seq - seq_of(snd_una_)); }
    uint32_t rcv_seq_of(uint64_t offset) const { return irs_ + 1 + static_cast<uint32_t>(offset); }
    // Receive offset of a sequence number, reckoned near rcv_nxt.
    int64_t rcv_offset_of(uint32_t seq) const {
        return static_cast<int64_t>(rcv_next()) + static_cast<int32_t>(seq - rcv_seq_of(rcv_next()));
    }
    int64_t snd_una_data() const { return snd_una_ < 0 ? 0 : std::min(snd_una_, written_); }
    int64_t snd_nxt_data() const { return snd_nxt_ < 0 ? 0 : std::min(snd_nxt_, written_); }
    uint64_t rcv_fin_extra() const { return fin_received_ ? 1 : 0; }
    bool fin_sent() const { return fin_queued_ && snd_max_ > written_; }
    bool fin_acked() const { return fin_queued_ && snd_una_ > written_; }

    // Fields are ordered by size so that no padding creeps in: 100,000 idle connections carry
    // two of these each. What only a transfer needs is in x_ (TcpTransferState).
    const TcpConfig* c_;  // see the constructor and use_config()
    TcpEndpointOutput& out_;
    std::unique_ptr<TcpTransferState> x_;  // null until first needed (xfer())
    TcpAddress local_, remote_;

    // Send side (offsets; see above).
    int64_t snd_una_ = -1, snd_nxt_ = -1, snd_max_ = -1;
    int64_t written_ = 0;    // bytes the application has queued, in all
    uint64_t snd_wnd_ = 0, max_snd_wnd_ = 0;
    // Karn's rule timing (when timestamps are off): one segment timed at a time; the SYN too.
    int64_t timed_offset_ = 0;
    SimTime timed_at_;
    RttEstimator rtt_;

    // Receive side.
    uint64_t fin_offset_ = 0;      // where the peer's FIN sits (may arrive out of order)
    uint64_t rcv_adv_ = 0;         // right edge of the window we advertised (never shrinks)
    SimTime last_received_;        // keepalive
    SimTime syn_sent_at_;          // the first SYN of an active open (Linux's time-based SYN timeout)

    // What the last congestion_changed() was given, as far as report_congestion() compares it.
    struct Reported {
        uint64_t cwnd = 0, ssthresh = 0;
        SimTime srtt, rto;
    } reported_;

    // The counters an idle connection moves too (the rest: TransferCounters).
    uint64_t segments_sent_ = 0, segments_received_ = 0;
    uint64_t keepalive_probes_ = 0;
    uint64_t max_cwnd_ = 0;
    SimTime rtt_sum_;  // for the mean RTT

    uint32_t iss_;
    uint32_t irs_ = 0;
    uint32_t snd_wl1_ = 0, snd_wl2_ = 0;
    uint32_t peer_mss_ = 536;  // RFC 9293 3.7.1 default when the peer sends no MSS option
    uint32_t eff_mss_ = 536;
    uint32_t ts_recent_ = 0;
    uint32_t last_ack_sent_ = 0;   // RFC 7323 4.3 Last.ACK.sent: the ACK field last sent
    uint32_t ts_offset_ = 0;
    uint32_t probes_out_ = 0;      // keepalive: at most keepalive.count
    uint32_t segments_unacked_ = 0;  // delayed ACK: at most delayed_ack.every
    // The SYN is retransmitted at most syn_retries (or synack_retries) times, both uint32.
    uint32_t syn_retransmissions_ = 0;

    int8_t snd_wscale_ = 0;  // the peer's shift, applied to windows it sends (0..14)
    int8_t rcv_wscale_ = 0;  // our shift, applied to windows we send (0..14)
    TcpState state_ = TcpState::CLOSED;
    RecoveryState reported_recovery_ = RecoveryState::open;
    // One bit each: with the fields above they fit the last 8 bytes.
    bool active_open_ : 1 = false;
    bool fin_queued_ : 1 = false;
    bool retransmit_armed_ : 1 = false;
    bool persist_armed_ : 1 = false;
    bool delack_armed_ : 1 = false;
    bool timing_ : 1 = false;
    bool irs_known_ : 1 = false;
    bool fin_received_ : 1 = false;
    bool have_fin_offset_ : 1 = false;
    bool auto_read_ : 1 = true;
    bool nagle_ : 1 = true;       // from the config; TCP_NODELAY turns it off
    bool cork_ : 1 = false;       // TCP_CORK
    bool more_ : 1 = false;       // the last send had MSG_MORE
    bool push_once_ : 1 = false;  // send what waits once, whatever Nagle or the cork say
    // Options.
    bool sack_ok_ : 1 = false;
    bool ts_ok_ : 1 = false;
    bool wscale_ok_ : 1 = false;
    // ECN (RFC 3168 6.1): negotiated; the receiver echoes CE with ECE until it sees CWR; the
    // sender reduces once per window of data and then sets CWR (TcpTransferState).
    bool ecn_ok_ : 1 = false;
    bool ece_pending_ : 1 = false;
    // An ACK owed for the segment being processed, sent once at its end (release_held_ack).
    bool hold_ack_ : 1 = false;
    bool ack_held_ : 1 = false;
    uint8_t rtx_mode_ : 2 = 0;    // RtxMode of the retransmission timer
    bool probing_ : 1 = false;    // a tail loss probe is being sent (not a retransmission for the user timeout)
    bool dsack_in_ack_ : 1 = false;  // the ACK being processed carried a D-SACK
    bool tlp_pending_ : 1 = false;   // new data left: the loss probe is to be rescheduled (try_send)
    // The application is being told of freed send space while an ACK is processed: what it
    // writes (or a close) goes out in the ACK's one send pass, after the window update
    // (window_update_and_send), as Linux sends only once tcp_ack is done (tcp_data_snd_check).
    bool in_ack_ : 1 = false;
    bool send_pending_ : 1 = false;  // a write or close during in_ack_ waits for that pass
    bool congestion_reports_ : 1 = true;
};

}  // namespace tcpsim
