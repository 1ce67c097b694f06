#pragma once
// RetransmissionLog: the sender's retransmissions that have not yet been shown unneeded, so that
// a D-SACK (RFC 2883) or the Eifel test (RFC 3522) can count each unneeded retransmission
// exactly once: TcpCounters::spurious_retransmits.
//
// A D-SACK says that the receiver got some bytes twice. When those bytes were retransmitted,
// one retransmission of them was not needed; when they never were, the network duplicated them
// and nothing is counted. The same bytes may have been retransmitted more than once (repeated
// timeouts): each D-SACK then accounts for one copy, oldest first.
//
// Entries are kept in the order they were sent. One can only be D-SACKed while a second copy of
// its bytes can still reach the receiver and the D-SACK come back: once its bytes are below
// SND.UNA and it is older than a horizon (the caller's, a few RTOs), it is forgotten. The log
// is allocated with the first retransmission (TcpTransferState): a connection that never
// retransmits pays nothing for it.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

namespace tcpsim {

class RetransmissionLog {
public:
    // Bytes [begin, end) of the stream retransmitted at `at`.
    void record(int64_t begin, int64_t end, SimTime at);
    // A D-SACK for [begin, end): takes every logged retransmission it shows unneeded, at most
    // one copy of any byte, and returns how many.
    uint32_t take_duplicated(int64_t begin, int64_t end);
    // Eifel: the retransmission of the segment starting at `begin` (the oldest one logged)
    // was unneeded. Returns false if none is logged.
    bool take_starting_at(int64_t begin);
    // Forgets the entries whose bytes are all below `una` and that were sent before `before`.
    void forget(int64_t una, SimTime before);

    size_t size() const { return entries_.size() - taken_; }

private:
    struct Entry {
        int64_t begin, end;  // end == begin: taken
        SimTime at;
    };
    void compact();

    std::vector<Entry> entries_;
    size_t taken_ = 0;  // entries marked taken and not yet removed
};

}  // namespace tcpsim
