#include "models/tcp/reassembly_queue.hpp"

#include <algorithm>

namespace tcpsim {

uint64_t ReassemblyQueue::add(uint64_t begin, uint64_t end) {
    begin = std::max(begin, next_);  // bytes already received in order are duplicates
    if (begin >= end) return 0;
    // Insert and merge with overlapping or touching neighbours.
    auto it = std::lower_bound(ooo_.begin(), ooo_.end(), begin, [](const Range& r, uint64_t b) { return r.end < b; });
    Range merged{begin, end};
    auto first = it;
    while (it != ooo_.end() && it->begin <= merged.end) {
        merged.begin = std::min(merged.begin, it->begin);
        merged.end = std::max(merged.end, it->end);
        ++it;
    }
    it = ooo_.erase(first, it);
    ooo_.insert(it, merged);
    if (ooo_.front().begin != next_) return 0;
    uint64_t advanced = ooo_.front().end - next_;
    next_ = ooo_.front().end;
    ooo_.erase(ooo_.begin());
    return advanced;
}

uint64_t ReassemblyQueue::out_of_order_bytes() const {
    uint64_t n = 0;
    for (const auto& r : ooo_) n += r.end - r.begin;
    return n;
}

}  // namespace tcpsim
