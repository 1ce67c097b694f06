#pragma once
// SackBlocks: the receiver's side of SACK (RFC 2018 section 4, RFC 2883 D-SACK). Remembers
// which out-of-order blocks were reported most recently and a duplicate range to report once,
// and picks the blocks for the next ACK: a D-SACK block first, then the block holding the
// segment that triggered the ACK, then the most recently reported others.
#include <array>
#include <cstdint>

#include "models/tcp/reassembly_queue.hpp"

namespace tcpsim {

class SackBlocks {
public:
    using Range = ReassemblyQueue::Range;
    static constexpr int kMaxBlocks = 4;  // 40 option bytes: 4 blocks, 3 beside timestamps

    // A segment [begin, end) was kept beyond RCV.NXT: its block becomes the most recent.
    void arrived_out_of_order(uint64_t begin) { push_front(begin); }
    // A segment [begin, end) held only data already received: report it once (RFC 2883 4.1).
    void duplicate(uint64_t begin, uint64_t end) {
        dsack_ = Range{begin, end};
        has_dsack_ = true;
    }
    // Fills `out` with up to `max` blocks (stream offsets) for an ACK at `rcv_next`; returns the count.
    int build(const ReassemblyQueue& q, int max, std::array<Range, kMaxBlocks>& out) {
        // Nothing held out of order and no duplicate to report, as on almost every ACK (and on
        // every data segment, which carries an ACK too): no blocks, and none stays recent.
        if (!has_dsack_ && q.out_of_order().empty()) {
            recent_count_ = 0;
            return 0;
        }
        return build_blocks(q, max, out);
    }

private:
    int build_blocks(const ReassemblyQueue& q, int max, std::array<Range, kMaxBlocks>& out);
    void push_front(uint64_t offset);

    std::array<uint64_t, kMaxBlocks> recent_{};  // an offset inside each recently reported block
    int recent_count_ = 0;
    Range dsack_{0, 0};
    bool has_dsack_ = false;
};

}  // namespace tcpsim
