#pragma once
// The eleven connection states of RFC 9293 (3.3.2), spelled as the RFC spells them.
#include <string_view>

namespace tcpsim {

enum class TcpState : unsigned char {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSE_WAIT,
    CLOSING,
    LAST_ACK,
    TIME_WAIT,
};

constexpr std::string_view to_string(TcpState s) {
    constexpr std::string_view names[] = {"CLOSED",     "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
                                          "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
                                          "CLOSING",     "LAST-ACK",   "TIME-WAIT"};
    return names[static_cast<int>(s)];
}

// States in which the connection is synchronized (both ISNs known).
constexpr bool is_synchronized(TcpState s) {
    return s != TcpState::CLOSED && s != TcpState::LISTEN && s != TcpState::SYN_SENT;
}

}  // namespace tcpsim
