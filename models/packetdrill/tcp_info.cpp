#include "models/packetdrill/tcp_info.hpp"

#include <algorithm>

namespace tcpsim::packetdrill {

namespace {
// Linux's TCP_* states (include/net/tcp_states.h) for tcpi_state.
int linux_state(TcpState s) {
    switch (s) {
        case TcpState::ESTABLISHED: return 1;
        case TcpState::SYN_SENT: return 2;
        case TcpState::SYN_RECEIVED: return 3;
        case TcpState::FIN_WAIT_1: return 4;
        case TcpState::FIN_WAIT_2: return 5;
        // A socket whose connection reached TIME-WAIT reads TCP_CLOSE: Linux hands TIME-WAIT to
        // a separate timewait sock (tcp_time_wait) and the socket itself is done (tcp_done).
        case TcpState::TIME_WAIT: return 7;
        case TcpState::CLOSED: return 7;
        case TcpState::CLOSE_WAIT: return 8;
        case TcpState::LAST_ACK: return 9;
        case TcpState::LISTEN: return 10;
        case TcpState::CLOSING: return 11;
    }
    return 7;
}
double usec(SimTime t) { return static_cast<double>(t.ns() / 1000); }
}  // namespace

std::optional<double> tcp_info_field(std::string_view name, const SocketLayer& sockets, int fd, SimTime now) {
    if (name == "tcpi_last_data_recv") {
        // Milliseconds since data last arrived (Linux: since the connection's start, before any).
        std::optional<SimTime> last = sockets.last_data_received(fd);
        return static_cast<double>((now - last.value_or(SimTime::zero())).ns() / 1'000'000);
    }
    const TcpEndpoint* ep = sockets.endpoint(fd);
    if (!ep) return std::nullopt;
    const uint32_t mss = ep->effective_mss();
    const TcpCounters c = ep->counters();
    if (name == "tcpi_state") return linux_state(ep->state());
    if (name == "tcpi_ca_state") {
        switch (ep->recovery()) {
            case RecoveryState::fast: return 3;  // TCP_CA_Recovery
            case RecoveryState::rto: return 4;   // TCP_CA_Loss
            case RecoveryState::open: return ep->in_disorder() ? 1 : 0;  // TCP_CA_Disorder, TCP_CA_Open
        }
    }
    if (name == "tcpi_snd_cwnd") return static_cast<double>(ep->cwnd() / mss);
    if (name == "tcpi_snd_ssthresh") {
        uint64_t s = ep->ssthresh();
        return s >= CongestionControl::kInfiniteSsthresh ? 0x7fffffff : static_cast<double>(s / mss);
    }
    const TcpSegmentCounts n = ep->segment_counts();
    if (name == "tcpi_unacked") return n.unacked;
    if (name == "tcpi_sacked") return n.sacked;
    if (name == "tcpi_lost") return n.lost;
    if (name == "tcpi_retrans") return n.retrans;
    if (name == "tcpi_total_retrans") return static_cast<double>(c.retransmissions);
    if (name == "tcpi_reordering") return n.reordering;
    if (name == "tcpi_reord_seen") return n.reord_seen;
    if (name == "tcpi_rto") return usec(ep->rtt().rto());
    if (name == "tcpi_rtt") return usec(ep->rtt().srtt());
    if (name == "tcpi_rttvar") return usec(ep->rtt().rttvar());
    // icsk_backoff: the RTO's doublings, or the zero-window probe timer's (tcp_send_probe0).
    if (name == "tcpi_backoff") return std::max(ep->rtt().backoff(), ep->persist_backoff());
    if (name == "tcpi_snd_mss") return mss;
    if (name == "tcpi_advmss") return ep->config().mss;
    if (name == "tcpi_snd_wscale") return ep->snd_wscale();
    if (name == "tcpi_rcv_wscale") return ep->rcv_wscale();
    if (name == "tcpi_snd_wnd") return static_cast<double>(ep->snd_wnd());
    if (name == "tcpi_probes") return ep->keepalive_probes_unanswered();
    return std::nullopt;
}

}  // namespace tcpsim::packetdrill
