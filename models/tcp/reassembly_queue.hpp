#pragma once
// ReassemblyQueue: the receiver's record of which stream bytes have arrived. Offsets are 64-bit
// stream positions (0 = first data byte), so wraparound of 32-bit sequence numbers never
// reaches it. Holds out-of-order ranges, merged, sorted; tells how far in-order data reaches.
#include <cstdint>
#include <vector>

namespace tcpsim {

class ReassemblyQueue {
public:
    struct Range {
        uint64_t begin, end;  // [begin, end)
    };

    uint64_t next() const { return next_; }  // first byte not yet received in order
    // Records [begin, end); returns how many bytes became in-order (next() advanced by that).
    uint64_t add(uint64_t begin, uint64_t end);
    // Out-of-order ranges beyond next(), lowest first (the material of SACK blocks).
    const std::vector<Range>& out_of_order() const { return ooo_; }
    uint64_t out_of_order_bytes() const;

private:
    uint64_t next_ = 0;
    std::vector<Range> ooo_;
};

}  // namespace tcpsim
