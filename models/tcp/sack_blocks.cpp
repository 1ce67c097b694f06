#include "models/tcp/sack_blocks.hpp"

#include <algorithm>

namespace tcpsim {

void SackBlocks::push_front(uint64_t offset) {
    // Move to the front; the oldest falls off the end.
    int n = std::min(recent_count_, kMaxBlocks - 1);
    for (int i = n; i > 0; --i) recent_[i] = recent_[i - 1];
    recent_[0] = offset;
    recent_count_ = n + 1;
}

int SackBlocks::build_blocks(const ReassemblyQueue& q, int max, std::array<Range, kMaxBlocks>& out) {
    int n = 0;
    if (has_dsack_ && n < max) {
        out[n++] = dsack_;  // RFC 2883 4.1: the duplicate first, and only once
        has_dsack_ = false;
    }
    const auto& ooo = q.out_of_order();
    auto holding = [&](uint64_t off) -> const Range* {
        auto it = std::upper_bound(ooo.begin(), ooo.end(), off, [](uint64_t v, const Range& r) { return v < r.end; });
        return it != ooo.end() && it->begin <= off ? &*it : nullptr;
    };
    auto already = [&](const Range& r, int from) {
        for (int i = from; i < n; ++i)
            if (out[i].begin == r.begin && out[i].end == r.end) return true;
        return false;
    };
    int first_sack = n;
    // Most recent first (RFC 2018 4); blocks now below RCV.NXT or merged away drop out.
    std::array<uint64_t, kMaxBlocks> kept{};
    int kept_count = 0;
    for (int i = 0; i < recent_count_ && n < max; ++i) {
        const Range* r = holding(recent_[i]);
        if (!r || already(*r, first_sack)) continue;
        out[n++] = *r;
        kept[kept_count++] = r->begin;
    }
    // Room left: the other blocks, highest first.
    for (auto it = ooo.rbegin(); it != ooo.rend() && n < max; ++it) {
        if (already(*it, first_sack)) continue;
        out[n++] = *it;
        if (kept_count < kMaxBlocks) kept[kept_count++] = it->begin;
    }
    recent_ = kept;
    recent_count_ = kept_count;
    return n;
}

}  // namespace tcpsim
