#include "models/tcp/sack_scoreboard.hpp"

#include <algorithm>

namespace tcpsim {

uint64_t SackScoreboard::add(int64_t begin, int64_t end) {
    if (end <= begin) return 0;
    uint64_t newly = static_cast<uint64_t>(end - begin) - sacked_in(begin, end);
    // Merge every range that touches [begin, end) into one.
    auto first = std::lower_bound(ranges_.begin(), ranges_.end(), begin,
                                  [](const Range& r, int64_t v) { return r.end < v; });
    auto last = first;
    while (last != ranges_.end() && last->begin <= end) {
        begin = std::min(begin, last->begin);
        end = std::max(end, last->end);
        ++last;
    }
    if (first == last) {
        ranges_.insert(first, Range{begin, end});
    } else {
        *first = Range{begin, end};
        ranges_.erase(first + 1, last);
    }
    return newly;
}

void SackScoreboard::advance(int64_t una) {
    auto keep = std::find_if(ranges_.begin(), ranges_.end(), [una](const Range& r) { return r.end > una; });
    ranges_.erase(ranges_.begin(), keep);
    if (!ranges_.empty() && ranges_.front().begin < una) ranges_.front().begin = una;
}

bool SackScoreboard::contains(int64_t offset) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), offset,
                               [](int64_t v, const Range& r) { return v < r.end; });
    return it != ranges_.end() && it->begin <= offset;
}

uint64_t SackScoreboard::sacked_in(int64_t a, int64_t b) const {
    uint64_t n = 0;
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), a, [](int64_t v, const Range& r) { return v < r.end; });
    for (; it != ranges_.end() && it->begin < b; ++it) {
        int64_t lo = std::max(a, it->begin), hi = std::min(b, it->end);
        if (hi > lo) n += static_cast<uint64_t>(hi - lo);
    }
    return n;
}

SackScoreboard::Range SackScoreboard::next_hole(int64_t from, int64_t limit) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), from, [](int64_t v, const Range& r) { return v < r.end; });
    if (it != ranges_.end() && it->begin <= from) {  // `from` is SACKed: the hole starts after it
        from = it->end;
        ++it;
    }
    if (from >= limit) return {limit, limit};
    int64_t end = it != ranges_.end() ? std::min(it->begin, limit) : limit;
    return {from, end};
}

int64_t SackScoreboard::lost_boundary(int64_t una, uint64_t threshold_bytes) const {
    // Walk down from the top. Every unSACKed byte below a range has that range and all above it
    // SACKed above it; the first range that takes the sum past the threshold is the boundary.
    uint64_t above = 0;
    for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it) {
        above += static_cast<uint64_t>(it->end - it->begin);
        if (above > threshold_bytes) return std::max(una, it->begin);
    }
    return una;
}

}  // namespace tcpsim
