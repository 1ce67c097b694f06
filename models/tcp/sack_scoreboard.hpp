#pragma once
// SackScoreboard: the sender's record of which bytes above SND.UNA the receiver has SACKed
// (RFC 6675 section 3), as sorted, disjoint, merged ranges of stream offsets, and the
// questions RFC 6675 asks of it: IsLost, the holes NextSeg fills, and the parts of SetPipe.
// The ranges live in a vector that keeps its capacity: no allocation per ACK once warm.
#include <cstdint>
#include <vector>

namespace tcpsim {

class SackScoreboard {
public:
    struct Range {
        int64_t begin, end;  // [begin, end)
    };

    void clear() { ranges_.clear(); }
    bool empty() const { return ranges_.empty(); }
    const std::vector<Range>& ranges() const { return ranges_; }

    // Marks [begin, end) SACKed; returns how many bytes were not SACKed before.
    uint64_t add(int64_t begin, int64_t end);
    // SND.UNA moved to `una`: forget what lies below it.
    void advance(int64_t una);
    // End of the highest SACKed range (0 when nothing is SACKed).
    int64_t highest() const { return ranges_.empty() ? 0 : ranges_.back().end; }
    bool contains(int64_t offset) const;
    // SACKed bytes inside [a, b).
    uint64_t sacked_in(int64_t a, int64_t b) const;
    // The first byte at or after `from` that is not SACKed, and where that hole ends (the next
    // SACKed range's start, or `limit`). Returns {limit, limit} when there is none below limit.
    Range next_hole(int64_t from, int64_t limit) const;
    // RFC 6675 IsLost: an unSACKed byte is lost once more than (DupThresh-1)*SMSS bytes above it
    // are SACKed. SACKed bytes above a point only shrink as the point rises, so the lost bytes
    // are exactly the unSACKed ones below one boundary, which this returns (SND.UNA-relative
    // offsets; `una` when nothing is lost).
    int64_t lost_boundary(int64_t una, uint64_t threshold_bytes) const;

private:
    std::vector<Range> ranges_;
};

}  // namespace tcpsim
