#include "models/tcp/retransmission_log.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace tcpsim {

void RetransmissionLog::record(int64_t begin, int64_t end, SimTime at) {
    if (end > begin) entries_.push_back(Entry{begin, end, at});
}

uint32_t RetransmissionLog::take_duplicated(int64_t begin, int64_t end) {
    // Oldest first, every entry overlapping the block whose overlap is disjoint from those
    // already taken for this block: a block covering three retransmitted segments takes three;
    // a segment retransmitted twice and received three times brings two D-SACKs, one each.
    // A block covers a few segments (a receiver reports one duplicate arrival per ACK), so the
    // overlaps taken fit a small array; beyond it nothing more is taken for this block.
    constexpr size_t kMaxPieces = 64;
    std::array<std::pair<int64_t, int64_t>, kMaxPieces> covered;
    size_t pieces = 0;
    for (Entry& e : entries_) {
        if (pieces == kMaxPieces) break;
        if (e.end == e.begin || e.end <= begin || e.begin >= end) continue;
        int64_t lo = std::max(e.begin, begin), hi = std::min(e.end, end);
        bool overlaps = std::any_of(covered.begin(), covered.begin() + static_cast<std::ptrdiff_t>(pieces),
                                    [&](const auto& c) { return lo < c.second && c.first < hi; });
        if (overlaps) continue;
        covered[pieces++] = {lo, hi};
        e.end = e.begin;
        ++taken_;
    }
    if (taken_ > entries_.size() / 2) compact();
    return static_cast<uint32_t>(pieces);
}

bool RetransmissionLog::take_starting_at(int64_t begin) {
    for (Entry& e : entries_) {
        if (e.end != e.begin && e.begin == begin) {
            e.end = e.begin;
            ++taken_;
            return true;
        }
    }
    return false;
}

void RetransmissionLog::forget(int64_t una, SimTime before) {
    // Entries are in sending order: the old ones are at the front. One whose bytes are still
    // unacknowledged stops the walk (what follows it is younger, and kept for now anyway).
    size_t drop = 0;
    while (drop < entries_.size()) {
        const Entry& e = entries_[drop];
        bool taken = e.end == e.begin;
        if (!taken && (e.end > una || !(e.at < before))) break;
        if (taken) --taken_;
        ++drop;
    }
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
}

void RetransmissionLog::compact() {
    entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [](const Entry& e) { return e.end == e.begin; }),
                   entries_.end());
    taken_ = 0;
}

}  // namespace tcpsim
