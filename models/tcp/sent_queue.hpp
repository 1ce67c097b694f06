#pragma once
// SentQueue: the sender's record of each segment sent and not yet cumulatively acknowledged, in
// sequence order (Linux's retransmission queue): where it starts and ends, when it was last
// (re)transmitted, and whether it is SACKed, deemed lost, or retransmitted and that copy still
// in flight. RACK (RFC 8985) needs each segment's transmit time, and Linux's recovery counts in
// segments: a SACK block marks only the segments it covers whole, as Linux's scoreboard does.
//
// The segments live in a vector with a moving head: no allocation per segment once warm.
// Allocated only for a connection that runs RACK (the linux profile with SACK).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"

namespace tcpsim {

class SentQueue {
public:
    enum Flag : uint8_t {
        kSacked = 1,       // the receiver holds it (SACK)
        kLost = 2,         // deemed lost (RACK, or a timeout), not yet known to have arrived
        kRetrans = 4,      // a retransmission of it is in flight (Linux TCPCB_SACKED_RETRANS)
        kEverRetrans = 8,  // retransmitted at least once (Linux TCPCB_EVER_RETRANS)
    };
    struct Segment {
        int64_t begin, end;  // stream offsets [begin, end)
        SimTime xmit;        // its last transmission
        uint8_t flags = 0;
        uint64_t len() const { return static_cast<uint64_t>(end - begin); }
        bool has(uint8_t f) const { return (flags & f) != 0; }
    };
    // What an ACK delivered (acknowledged cumulatively, or SACKed for the first time).
    struct Delivered {
        // In: when the ACK arrived, and the path's minimum RTT (RACK's test of a retransmission).
        SimTime now, min_rtt;
        // Out.
        uint64_t bytes = 0, segments = 0;
        // RACK (RFC 8985 6.2 step 2; Linux tcp_rack_advance): the most recently sent segment
        // delivered, its end, and the RTT it gives. A retransmitted segment delivered sooner than
        // min_RTT after its retransmission is ambiguous (the original may have arrived) and is
        // not taken.
        bool rack_advanced = false;
        SimTime xmit, rtt;
        int64_t end = 0;
        // The lowest start of a never-retransmitted segment delivered below the highest SACKed
        // end of before the ACK (Linux's tcp_check_sack_reordering): data that arrived late.
        int64_t reordered_from = INT64_MAX;
    };

    void clear();
    bool empty() const { return head_ == v_.size(); }
    size_t size() const { return v_.size() - head_; }
    const Segment* begin() const { return v_.data() + head_; }
    const Segment* end() const { return v_.data() + v_.size(); }
    Segment* begin() { return v_.data() + head_; }
    Segment* end() { return v_.data() + v_.size(); }
    const Segment& back() const { return v_.back(); }

    // New data [b, e) sent at `now`, right after what was sent before.
    void sent(int64_t b, int64_t e, SimTime now);
    // [b, e) retransmitted at `now`: each segment it covers (split where it ends inside one).
    void retransmitted(int64_t b, int64_t e, SimTime now);
    // SND.UNA moved to `una`: forgets what lies below (trimming a segment acknowledged in part).
    // `fack`: the highest SACKed end before this ACK (reordering).
    void acknowledged(int64_t una, int64_t fack, Delivered& d);
    // A SACK block [b, e): marks the segments it covers whole.
    void sacked(int64_t b, int64_t e, int64_t fack, Delivered& d);
    // Marks `s` lost (RACK, RFC 8985 6.2 step 5; or a timeout): a retransmission of it in flight is
    // lost with it.
    void mark_lost(Segment& s);
    void unmark_lost(Segment& s) { set(s, kLost, false); }

    // Totals over the queue, in bytes and in segments (Linux's sacked_out, lost_out, retrans_out).
    uint64_t sacked_bytes() const { return sacked_bytes_; }
    uint64_t lost_bytes() const { return lost_bytes_; }
    uint64_t retrans_bytes() const { return retrans_bytes_; }
    uint32_t sacked_segments() const { return sacked_segs_; }
    uint32_t lost_segments() const { return lost_segs_; }
    uint32_t retrans_segments() const { return retrans_segs_; }
    // The end of the highest SACKed segment (RFC 8985's highest SACKed; Linux's fack), or 0.
    int64_t highest_sacked() const { return highest_sacked_; }

private:
    void forget(Segment& s);                 // s leaves the counts
    void set(Segment& s, uint8_t f, bool on);
    size_t split(size_t i, int64_t at);      // v_[i] becomes [begin, at) and [at, end); returns i+1
    void deliver(const Segment& s, int64_t fack, Delivered& d);
    size_t index_of(int64_t offset) const;   // the segment holding `offset`, or v_.size()

    std::vector<Segment> v_;
    size_t head_ = 0;
    uint64_t sacked_bytes_ = 0, lost_bytes_ = 0, retrans_bytes_ = 0;
    uint32_t sacked_segs_ = 0, lost_segs_ = 0, retrans_segs_ = 0;
    int64_t highest_sacked_ = 0;
};

}  // namespace tcpsim
