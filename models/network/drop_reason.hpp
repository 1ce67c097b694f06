#pragma once
// Why a packet was dropped: every drop in a trace carries one of these.
#include <cstddef>
#include <string_view>

namespace tcpsim {

enum class DropReason : unsigned char {
    queue_full,   // drop-tail queue at its limit
    loss_model,   // the link's loss model (Bernoulli or Gilbert-Elliott)
    link_down,    // the link (or this direction) was down: blackhole
    no_route,     // no path to the destination
    ttl_expired,  // hop limit reached (a routing loop)
    red,          // RED's early drop (average queue between the thresholds, or above them)
};
inline constexpr size_t kDropReasonCount = 6;

constexpr std::string_view to_string(DropReason r) {
    constexpr std::string_view names[] = {"queue_full", "loss_model", "link_down", "no_route", "ttl_expired", "red"};
    return names[static_cast<size_t>(r)];
}

}  // namespace tcpsim
