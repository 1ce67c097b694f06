// TcpEndpoint: construction, application calls, state changes and timers.
// Segment arrival is in tcp_input.cpp, what leaves in tcp_output.cpp.
#include "models/tcp/tcp_endpoint.hpp"

#include <algorithm>
#include <stdexcept>

namespace tcpsim {

TcpEndpoint::TcpEndpoint(const TcpConfig& config, TcpEndpointOutput& out, TcpAddress local, TcpAddress remote,
                         uint32_t iss, uint32_t ts_offset)
    : c_(&config), out_(out), local_(local), remote_(remote),
      rtt_(config.initial_rto, config.min_rto, config.max_rto, config.min_rto_on_variance), iss_(iss) {
    if (!is_congestion_control_name(config.cc))
        throw std::invalid_argument("unknown congestion control \"" + config.cc + "\"");
    // RFC 7323 2.3: the smallest shift that lets the whole receive buffer be advertised, the
    // largest it may grow to (Linux's tcp_select_initial_window uses tcp_rmem[2]).
    const uint64_t largest = std::max(c_->receive_buffer, c_->receive_buffer_max);
    if (c_->window_scaling)
        while ((largest >> rcv_wscale_) > 65535 && rcv_wscale_ < 14) ++rcv_wscale_;
    ts_offset_ = ts_offset;
    eff_mss_ = std::min(c_->mss, peer_mss_);
    nagle_ = c_->nagle;
}

TcpEndpoint::~TcpEndpoint() = default;

// An idle connection is two endpoints: what only a transfer needs belongs in TcpTransferState.
// 320 bytes with LP64 and libstdc++ (it was 720 with the transfer state inline).
static_assert(sizeof(TcpEndpoint) <= 320, "an idle endpoint stays small: see TcpTransferState");

TcpTransferState& TcpEndpoint::make_xfer() {
    {
        // The congestion control as it would be had it existed from the start: init() is all that
        // happened to it before data (here and in take_syn_options()).
        x_ = std::make_unique<TcpTransferState>(make_congestion_control(c_->cc));
        x_->cc->init(eff_mss_, c_->initial_cwnd_segments, c_->abc_limit);
        x_->cc->set_hystart(c_->hystart);
        x_->rack.reordering = c_->dupthresh;
        if (rtt_.has_sample()) x_->rack.min_rtt = rtt_.srtt();  // the handshake's sample
    }
    return *x_;
}

const SackScoreboard& TcpEndpoint::empty_scoreboard() {
    static const SackScoreboard empty;
    return empty;
}

TcpCounters TcpEndpoint::counters() const {
    TcpCounters c;
    c.segments_sent = segments_sent_;
    c.segments_received = segments_received_;
    c.syn_retransmissions = syn_retransmissions_;
    c.keepalive_probes = keepalive_probes_;
    c.max_cwnd = max_cwnd_;
    c.rtt_samples = rtt_.samples();  // every sample goes through rtt_sample()
    c.rtt_sum = rtt_sum_;
    c.rto_expirations = syn_retransmissions_;  // each SYN retransmission follows an expiry
    if (!x_) return c;
    const TransferCounters& t = x_->counters;
    c.bytes_sent = t.bytes_sent;
    c.bytes_retransmitted = t.bytes_retransmitted;
    c.retransmissions = t.retransmissions;
    c.rto_expirations += t.data_rto_expirations;
    c.zero_window_probes = t.zero_window_probes;
    c.duplicate_segments = t.duplicate_segments;
    c.out_of_order_segments = t.out_of_order_segments;
    c.bytes_delivered = t.bytes_delivered;
    c.fast_retransmits = t.fast_retransmits;
    c.fast_recoveries = t.fast_recoveries;
    c.spurious_retransmits = t.spurious_retransmits;
    c.dsacks_received = t.dsacks_received;
    c.ecn_reductions = t.ecn_reductions;
    c.reductions_undone = t.reductions_undone;
    return c;
}

void TcpEndpoint::set_state(TcpState s, std::string_view reason) {
    if (s == state_) return;
    TcpState old = state_;
    state_ = s;
    out_.state_changed(old, s, reason);
}

void TcpEndpoint::finish(CloseReason reason, std::string_view why) {
    for (size_t t = 0; t < kTcpTimerCount; ++t) out_.cancel_timer(static_cast<TcpTimer>(t));
    retransmit_armed_ = persist_armed_ = delack_armed_ = false;
    set_state(TcpState::CLOSED, why);
    out_.closed(reason);
}

void TcpEndpoint::enter_time_wait(std::string_view reason, SimTime now) {
    out_.cancel_timer(TcpTimer::retransmit);
    out_.cancel_timer(TcpTimer::persist);
    out_.cancel_timer(TcpTimer::keepalive);
    retransmit_armed_ = persist_armed_ = false;
    set_state(TcpState::TIME_WAIT, reason);
    // RFC 9293 3.10.7.4: wait 2*MSL so that the last ACK can be retransmitted if lost.
    out_.set_timer(TcpTimer::time_wait, now.sat_add(c_->msl * 2));
}

// ---------------------------------------------------------------- application calls

void TcpEndpoint::connect(SimTime now) {
    if (state_ != TcpState::CLOSED) return;
    active_open_ = true;
    last_received_ = now;
    syn_sent_at_ = now;
    send_syn(false, now);
    snd_nxt_ = snd_max_ = 0;
    timing_ = true;  // time the SYN (Karn: dropped if it is retransmitted); a SYN-ACK with a TS echo is timed by that instead
    timed_offset_ = -1;
    timed_at_ = now;
    arm_retransmit(now);
    set_state(TcpState::SYN_SENT, "connect");
    check_invariants();
}

void TcpEndpoint::listen(SimTime now) {
    if (state_ != TcpState::CLOSED) return;
    last_received_ = now;
    set_state(TcpState::LISTEN, "listen");
    check_invariants();
}

uint64_t TcpEndpoint::send(uint64_t bytes, bool more, SimTime now) {
    more_ = more;
    return send(bytes, now);
}

void TcpEndpoint::set_nodelay(bool on, SimTime now) {
    nagle_ = !on;
    if (!on) return;
    push_once_ = true;
    try_send(now);
    push_once_ = false;
    check_invariants();
}

void TcpEndpoint::set_cork(bool on, SimTime now) {
    cork_ = on;
    if (on) return;
    more_ = false;
    push_once_ = true;  // uncorking sends what the cork held, Nagle or not (Linux)
    try_send(now);
    push_once_ = false;
    check_invariants();
}

uint64_t TcpEndpoint::send(uint64_t bytes, SimTime now) {
    // Data may be queued from the open on (RFC 9293 3.10.2) until our own FIN; CLOSE-WAIT still
    // sends (half-close: only the peer has finished).
    if (fin_queued_ || state_ == TcpState::CLOSED || state_ == TcpState::LISTEN || state_ == TcpState::TIME_WAIT)
        return 0;
    uint64_t buffered = static_cast<uint64_t>(written_ - snd_una_data());
    uint64_t space = c_->send_buffer > buffered ? c_->send_buffer - buffered : 0;
    uint64_t n = std::min(bytes, space);
    written_ += static_cast<int64_t>(n);
    if (n) {
        restart_after_idle(now);
        send_now_or_after_ack(now);
    }
    check_invariants();
    return n;
}

void TcpEndpoint::close(SimTime now) {
    switch (state_) {
        case TcpState::LISTEN:
        case TcpState::SYN_SENT: finish(CloseReason::normal, "close before the connection was established"); break;
        case TcpState::SYN_RECEIVED:
            // RFC 9293 3.10.4: the FIN waits until the connection is established.
            fin_queued_ = true;
            break;
        case TcpState::ESTABLISHED:
            fin_queued_ = true;
            set_state(TcpState::FIN_WAIT_1, "close");
            send_now_or_after_ack(now);
            break;
        case TcpState::CLOSE_WAIT:
            fin_queued_ = true;
            set_state(TcpState::LAST_ACK, "close");
            send_now_or_after_ack(now);
            break;
        default: break;  // already closing or closed
    }
    check_invariants();
}

void TcpEndpoint::abort(SimTime now) {
    if (state_ == TcpState::CLOSED) return;
    // RFC 9293 3.10.5: synchronized states send <SEQ=SND.NXT><CTL=RST>.
    if (is_synchronized(state_) && state_ != TcpState::TIME_WAIT) send_active_rst(now);
    finish(CloseReason::aborted, "abort");
    check_invariants();
}

void TcpEndpoint::read(uint64_t bytes, SimTime now) {
    uint64_t before = rcv_wnd();
    uint64_t unread = 0;
    if (x_) {
        x_->unread -= std::min(bytes, x_->unread);
        x_->window_valid = false;
        unread = x_->unread;
        receive_space_adjust(now);
    }
    // Receiver SWS avoidance (RFC 1122 4.2.3.3): announce the opening only once it is worth a
    // segment, or half the buffer.
    // What could be advertised now: the free buffer, up to the largest window the header can
    // carry (without window scaling, 65535: a buffer larger than that opens nothing more).
    uint64_t free = c_->linux_receive_window ? linux_window()
                                             : std::min<uint64_t>(c_->receive_buffer - unread, uint64_t{65535} << rcv_wscale_);
    uint64_t threshold = std::min<uint64_t>(c_->receive_buffer / 2, eff_mss_);
    bool window_opens = c_->linux_receive_window
                            // tcp_cleanup_rbuf: only a window at most half its largest that can
                            // at least double ("lots" of space freed) is worth an update.
                            ? 2 * before <= receive_window_max() && free >= 2 * before && free > 0
                            : free >= before + threshold;
    // Linux's tcp_cleanup_rbuf: a delayed ACK still pending when the application has read
    // everything goes now if the data ended a write of the sender's (a short segment).
    bool pushed_read = c_->delayed_ack.quickack && delack_armed_ && unread == 0 && x_ &&
                       (x_->pushed >= 2 || (x_->pushed == 1 && !x_->pingpong));
    if (is_synchronized(state_) && (window_opens || pushed_read)) send_ack(now);
    check_invariants();
}

// ---------------------------------------------------------------- timers

void TcpEndpoint::on_timer(TcpTimer t, SimTime now) {
    on_timer_fired(t, now);
    if (state_ != TcpState::CLOSED) report_congestion();
}

void TcpEndpoint::on_timer_fired(TcpTimer t, SimTime now) {
    switch (t) {
        case TcpTimer::retransmit: on_retransmit_timeout(now); break;
        case TcpTimer::persist: on_persist_timeout(now); break;
        case TcpTimer::delayed_ack: on_delayed_ack_timeout(now); break;
        case TcpTimer::keepalive: on_keepalive_timeout(now); break;
        case TcpTimer::time_wait:
            if (state_ == TcpState::TIME_WAIT) finish(CloseReason::normal, "2*MSL elapsed");
            break;
    }
    check_invariants();
}

void TcpEndpoint::on_retransmit_timeout(SimTime now) {
    retransmit_armed_ = false;
    RtxMode mode = static_cast<RtxMode>(rtx_mode_);
    rtx_mode_ = static_cast<uint8_t>(RtxMode::rto);
    if (mode != RtxMode::rto) {
        if (!is_synchronized(state_) || state_ == TcpState::TIME_WAIT || snd_una_ >= snd_max_) return;
        if (mode == RtxMode::probe) on_loss_probe(now);
        else on_reorder_timeout(now);
        return;
    }
    if (state_ == TcpState::SYN_SENT || state_ == TcpState::SYN_RECEIVED) {
        bool syn_sent = state_ == TcpState::SYN_SENT;
        bool linear = syn_sent && c_->syn_linear_timeouts > 0;
        bool give_up = linear ? now - syn_sent_at_ >= syn_timeout_budget()
                              : syn_retransmissions_ >= (syn_sent ? c_->syn_retries : c_->synack_retries);
        if (give_up) {
            finish(CloseReason::connection_timed_out,
                   syn_sent ? "SYN retransmissions exhausted" : "SYN-ACK retransmissions exhausted");
            return;
        }
        ++syn_retransmissions_;  // and one more RTO expiry (counters())
        // RFC 6298 (5.5)-(5.6): back off, retransmit, restart the timer. Linux keeps the initial
        // RTO for the first syn_linear_timeouts expiries of a SYN (tcp_retransmit_timer doubles
        // only once total_rto exceeds it), for faster connects over lossy paths.
        if (!linear || syn_retransmissions_ > c_->syn_linear_timeouts) rtt_.back_off();
        timing_ = false;
        send_syn(!syn_sent, now);
        arm_retransmit(now);
        out_.note("rto", rtt_.rto());
        return;
    }
    if (!is_synchronized(state_) || state_ == TcpState::TIME_WAIT) return;
    if (snd_una_ >= snd_max_) return;  // everything was acknowledged meanwhile
    TcpTransferState& x = xfer();
    // TCP_USER_TIMEOUT replaces the count of retransmissions (Linux's retransmits_timed_out with
    // icsk_user_timeout). Neither sends a RST: the peer is presumed unreachable.
    if (c_->user_timeout > SimTime::zero() ? x.retrans_stamped && user_timeout_passed(x.retrans_stamp, now)
                                           : x.retries >= c_->data_retries) {
        if (c_->user_timeout > SimTime::zero()) finish(CloseReason::user_timeout, "user timeout");
        else finish(CloseReason::retransmit_limit, "retransmission limit reached");
        return;
    }
    ++x.retries;
    ++x.counters.data_rto_expirations;
    // RFC 5681 (4): ssthresh from the flight, cwnd to the loss window, unless the reduction for
    // this loss was already made: by an earlier expiry for the same segment (RFC 5681 3.1), or
    // by the fast recovery still under way (see on_rto_keeping_ssthresh). RFC 6298 (5.4)-(5.6):
    // retransmit the earliest unacknowledged segment with a doubled RTO. The rest follows as ACKs
    // return (go-back-N from SND.UNA under the new cwnd).
    bool in_fast_recovery = x.recovery == RecoveryState::fast && snd_una_ < x.recover;
    if (x.retries == 1 && !in_fast_recovery) {
        undo_start(x.cc->cwnd(), current_ssthresh());
        x.cc->on_rto(static_cast<uint64_t>(std::max<int64_t>(0, snd_max_data() - snd_una_data())), now);
    } else
        x.cc->on_rto_keeping_ssthresh();
    rtt_.back_off();
    timing_ = false;
    // Eifel detection (RFC 3522) for the first expiry, when timestamps are on and SACK is off
    // (with SACK, D-SACK tells).
    if (x.retries == 1 && ts_ok_ && !sack_ok_) {
        x.eifel_armed = true;
        x.rto_tsval = ts_now(now);
        x.rto_offset = snd_una_;
    }
    // Recovery by slow start from SND.UNA (RFC 5681 (4)); no fast recovery until what is
    // outstanding now is acknowledged (RFC 6582 3.2, RFC 6675 5.1). SACKed data is skipped.
    if (rack_on() && x.sent) {
        rack_on_rto(now);  // Linux: mark what is not SACKed lost, resend it under the loss window
    } else {
        x.recovery = RecoveryState::rto;
        x.recover = snd_max_;
        x.high_rxt = snd_una_;
        x.dupacks = 0;
        snd_nxt_ = snd_una_;
        int64_t data_left = written_ - snd_una_;
        if (!x.scoreboard.empty())
            data_left = std::min(data_left, x.scoreboard.next_hole(snd_una_, snd_max_data()).end - snd_una_);
        uint32_t len = static_cast<uint32_t>(std::clamp<int64_t>(data_left, 0, eff_mss_));
        bool fin = fin_queued_ && snd_una_ + len == written_;
        send_segment(snd_una_, len, fin, now);
        snd_nxt_ = snd_una_ + len + (fin ? 1 : 0);
    }
    arm_retransmit(now);
    if (c_->user_timeout > SimTime::zero()) {
        // Linux's tcp_clamp_rto_to_user_timeout: the next expiry no later than the user timeout.
        SimTime left = x.retrans_stamp.sat_add(c_->user_timeout) - now;
        if (left < rtt_.rto()) out_.set_timer(TcpTimer::retransmit, now.sat_add(std::max(left, SimTime::from_ms(1))));
    }
    out_.note("rto", rtt_.rto());
}

SimTime TcpEndpoint::syn_timeout_budget() const {
    // Linux's tcp_model_timeout: what syn_retries expiries of an exponentially backed-off timer
    // would take, 1 + 2 + ... + 2^N initial RTOs, each step at most max_rto.
    SimTime budget, step = c_->initial_rto;
    for (uint32_t i = 0; i <= c_->syn_retries; ++i) {
        budget = budget.sat_add(step);
        step = std::min(c_->max_rto, step.sat_mul(2));
    }
    return budget;
}

void TcpEndpoint::on_persist_timeout(SimTime now) {
    persist_armed_ = false;
    if (!is_synchronized(state_) || state_ == TcpState::TIME_WAIT) return;
    if (snd_wnd_ == 0 && written_ > snd_nxt_) {
        // Zero-window probe, as Linux sends it: an old sequence number the receiver must answer
        // with an ACK carrying its current window (RFC 9293 3.8.6.1).
        TcpTransferState& x = xfer();
        if (x.persist_backoff == 0) x.persist_stamp = now;
        else if (user_timeout_passed(x.persist_stamp, now)) {
            // Linux's tcp_probe_timer: probes unanswered by an open window for the user timeout.
            finish(CloseReason::user_timeout, "user timeout (zero-window probes)");
            return;
        }
        send_probe(now, false);
        ++x.counters.zero_window_probes;
        ++x.persist_backoff;
        SimTime wait = std::min(c_->max_rto, rtt_.rto().sat_mul(int64_t{1} << std::min<uint32_t>(x.persist_backoff, 30)));
        out_.set_timer(TcpTimer::persist, now.sat_add(wait));
        persist_armed_ = true;
        return;
    }
    // Sender SWS override: the window is open but too small to be worth it and nothing is in
    // flight to bring an ACK; send what fits.
    if (x_) x_->persist_backoff = 0;
    if (written_ > snd_nxt_ && snd_wnd_ > 0) {
        uint64_t len = std::min<uint64_t>({snd_wnd_, static_cast<uint64_t>(written_ - snd_nxt_), eff_mss_});
        bool fin = fin_queued_ && snd_nxt_ + static_cast<int64_t>(len) == written_;
        send_segment(snd_nxt_, static_cast<uint32_t>(len), fin, now);
        snd_nxt_ += static_cast<int64_t>(len) + (fin ? 1 : 0);
    }
    try_send(now);
}

void TcpEndpoint::keepalive_changed(SimTime now) {
    if (!c_->keepalive.enabled) {
        out_.cancel_timer(TcpTimer::keepalive);
        return;
    }
    if (state_ == TcpState::ESTABLISHED || state_ == TcpState::CLOSE_WAIT || state_ == TcpState::FIN_WAIT_2) {
        probes_out_ = 0;
        arm_keepalive(now);
    }
}

void TcpEndpoint::arm_keepalive(SimTime now) {
    (void)now;
    if (!c_->keepalive.enabled) return;
    out_.set_timer(TcpTimer::keepalive, last_received_.sat_add(c_->keepalive.idle));
}

void TcpEndpoint::on_keepalive_timeout(SimTime now) {
    if (!c_->keepalive.enabled) return;
    if (state_ != TcpState::ESTABLISHED && state_ != TcpState::CLOSE_WAIT && state_ != TcpState::FIN_WAIT_2) return;
    if (probes_out_ == 0) {
        // The timer is not moved on every segment; it checks here whether the connection has
        // really been idle for the whole idle time since the last segment received.
        SimTime due = last_received_.sat_add(c_->keepalive.idle);
        if (now < due) {
            out_.set_timer(TcpTimer::keepalive, due);
            return;
        }
    }
    if (snd_max_ > snd_una_ || written_ > snd_nxt_) {
        // Data outstanding: the retransmission and persist timers watch the peer instead.
        probes_out_ = 0;
        out_.set_timer(TcpTimer::keepalive, now.sat_add(c_->keepalive.idle));
        return;
    }
    // RFC 1122 4.2.3.6: the peer is dead after `count` unanswered probes, or with a user timeout
    // once that long has passed since it was last heard from and a probe is out (Linux's
    // tcp_keepalive_timer). Linux tells it so with a RST.
    bool dead = c_->user_timeout > SimTime::zero() ? probes_out_ > 0 && user_timeout_passed(last_received_, now)
                                                   : probes_out_ >= c_->keepalive.count;
    if (dead) {
        if (c_->keepalive.send_rst) send_active_rst(now);
        finish(CloseReason::keepalive_timeout, "keepalive timeout");
        return;
    }
    send_probe(now, c_->keepalive.probe_with_byte);
    ++probes_out_;
    ++keepalive_probes_;
    out_.set_timer(TcpTimer::keepalive, now.sat_add(c_->keepalive.interval));
}

}  // namespace tcpsim
