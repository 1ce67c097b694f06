// TcpEndpoint: undoing a window reduction that turns out to have been for nothing, as Linux does
// (tcp_init_undo, tcp_may_undo, tcp_try_undo_dsack / _recovery / _loss, tcp_undo_cwnd_reduction):
// the reordering or delay that looked like a loss made fast recovery or a timeout cut the window
// although every segment arrived. Two signs show it:
// - D-SACK (RFC 2883, RFC 3708): the receiver reports each retransmission of the episode as a
//   duplicate: once all of them are, none was needed.
// - Timestamps (RFC 3522 Eifel detection, RFC 4015's response as Linux applies it;
//   tcp_packet_delayed): an ACK that advances SND.UNA echoes a TSval older than the episode's
//   first retransmission, so it was sent for the original.
// The window then goes back to what it was before the reduction (cwnd at least the old cwnd,
// ssthresh at least the old ssthresh) and the connection leaves recovery. Only in the linux
// profile (`undo`); the RFCs' own algorithms (RFC 3522/4015, 5682) are not the rfc profile's.
#include <algorithm>

#include "models/network/seq.hpp"
#include "models/tcp/tcp_endpoint.hpp"

namespace tcpsim {

void TcpEndpoint::undo_start(uint64_t prior_cwnd, uint64_t prior_ssthresh) {
    // tcp_init_undo: an episode of reduction starts at SND.UNA.
    if (!c_->undo) return;
    TcpTransferState& x = *x_;
    x.undo_marker = snd_una_;
    x.undo_retrans = -1;  // nothing retransmitted yet: no D-SACK can show anything
    x.undo_tsval_set = false;
    x.prior_cwnd_undo = prior_cwnd;
    x.prior_ssthresh_undo = prior_ssthresh;
}

void TcpEndpoint::undo_on_retransmit(uint32_t len, uint32_t tsval) {
    if (!x_ || x_->undo_marker < 0) return;
    TcpTransferState& x = *x_;
    if (x.undo_retrans < 0) x.undo_retrans = 0;
    x.undo_retrans += std::max<uint32_t>(1, (len + eff_mss_ - 1) / std::max<uint32_t>(eff_mss_, 1));
    if (!x.undo_tsval_set && ts_ok_) {
        x.undo_tsval = tsval;
        x.undo_tsval_set = true;
    }
}

void TcpEndpoint::undo_on_dsack(int64_t begin, int64_t end) {
    // tcp_check_dsack: a duplicate inside the episode, of data retransmitted in it.
    if (!x_ || x_->undo_marker < 0 || x_->undo_retrans <= 0) return;
    if (end <= x_->undo_marker) return;
    uint32_t segs = static_cast<uint32_t>(std::max<int64_t>(1, (end - begin + eff_mss_ - 1) / std::max<uint32_t>(eff_mss_, 1)));
    x_->undo_retrans -= static_cast<int32_t>(std::min<uint32_t>(segs, static_cast<uint32_t>(x_->undo_retrans)));
}

bool TcpEndpoint::undo_possible(const Packet& seg, bool una_advanced) const {
    // tcp_may_undo: every retransmission of the episode D-SACKed, or an ACK of new data was for
    // an original (tcp_packet_delayed).
    const TcpTransferState& x = *x_;
    if (x.undo_marker < 0) return false;
    if (x.undo_retrans == 0) return true;
    return una_advanced && x.undo_tsval_set && ts_ok_ && seg.options.has_timestamps && seg.options.ts_ecr &&
           seq_lt(seg.options.ts_ecr, x.undo_tsval);
}

bool TcpEndpoint::try_undo(const Packet& seg, bool una_advanced, SimTime now) {
    if (!c_->undo || !x_ || x_->recovery == RecoveryState::open || !undo_possible(seg, una_advanced)) return false;
    TcpTransferState& x = *x_;
    // tcp_undo_cwnd_reduction: back to the window of before (CUBIC's undo_cwnd is its cwnd at
    // the loss); what a timeout marked lost is not lost after all.
    x.cc->set_cwnd(std::max(x.cc->cwnd(), x.prior_cwnd_undo));
    if (x.prior_ssthresh_undo > x.cc->ssthresh()) x.cc->set_ssthresh(x.prior_ssthresh_undo);
    if (x.sent)
        for (SentQueue::Segment& s : *x.sent)
            if (s.has(SentQueue::kLost) && !s.has(SentQueue::kRetrans)) x.sent->unmark_lost(s);
    x.recovery = RecoveryState::open;
    x.undo_marker = -1;
    ++x.counters.reductions_undone;
    (void)now;
    return true;
}

}  // namespace tcpsim
