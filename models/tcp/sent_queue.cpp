#include "models/tcp/sent_queue.hpp"

#include <algorithm>

namespace tcpsim {

void SentQueue::clear() {
    v_.clear();
    head_ = 0;
    sacked_bytes_ = lost_bytes_ = retrans_bytes_ = 0;
    sacked_segs_ = lost_segs_ = retrans_segs_ = 0;
    highest_sacked_ = 0;
}

void SentQueue::set(Segment& s, uint8_t f, bool on) {
    if (s.has(f) == on) return;
    int64_t sign = on ? 1 : -1;
    uint64_t len = s.len();
    switch (f) {
        case kSacked: sacked_bytes_ += static_cast<uint64_t>(sign) * len, sacked_segs_ += static_cast<uint32_t>(sign); break;
        case kLost: lost_bytes_ += static_cast<uint64_t>(sign) * len, lost_segs_ += static_cast<uint32_t>(sign); break;
        case kRetrans: retrans_bytes_ += static_cast<uint64_t>(sign) * len, retrans_segs_ += static_cast<uint32_t>(sign); break;
        default: break;
    }
    s.flags = static_cast<uint8_t>(on ? s.flags | f : s.flags & ~f);
}

void SentQueue::forget(Segment& s) {
    set(s, kSacked, false);
    set(s, kLost, false);
    set(s, kRetrans, false);
}

void SentQueue::sent(int64_t b, int64_t e, SimTime now) {
    if (e <= b) return;
    if (head_ > 64 && head_ * 2 > v_.size()) {  // reuse the front once most of it is gone
        v_.erase(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    v_.push_back(Segment{b, e, now, 0});
}

size_t SentQueue::index_of(int64_t offset) const {
    auto it = std::upper_bound(v_.begin() + static_cast<std::ptrdiff_t>(head_), v_.end(), offset,
                               [](int64_t o, const Segment& s) { return o < s.end; });
    if (it == v_.end() || it->begin > offset) return v_.size();
    return static_cast<size_t>(it - v_.begin());
}

size_t SentQueue::split(size_t i, int64_t at) {
    Segment tail = v_[i];
    // The counts are per byte and per segment: the flags stay, the segment count grows by one.
    if (tail.has(kSacked)) ++sacked_segs_;
    if (tail.has(kLost)) ++lost_segs_;
    if (tail.has(kRetrans)) ++retrans_segs_;
    v_[i].end = at;
    tail.begin = at;
    v_.insert(v_.begin() + static_cast<std::ptrdiff_t>(i) + 1, tail);
    return i + 1;
}

void SentQueue::retransmitted(int64_t b, int64_t e, SimTime now) {
    size_t i = index_of(b);
    if (i == v_.size()) return;
    if (v_[i].begin < b) i = split(i, b);
    for (; i < v_.size() && v_[i].begin < e; ++i) {
        if (v_[i].end > e) split(i, e);
        Segment& s = v_[i];
        s.xmit = now;
        s.flags |= kEverRetrans;
        set(s, kRetrans, true);
    }
}

void SentQueue::deliver(const Segment& s, int64_t fack, Delivered& d) {
    d.bytes += s.len();
    ++d.segments;
    if (!s.has(kEverRetrans) && s.begin < fack) d.reordered_from = std::min(d.reordered_from, s.begin);
    SimTime rtt = d.now - s.xmit;
    if (s.has(kEverRetrans) && rtt < d.min_rtt) return;
    d.rtt = rtt;
    // RFC 8985 6.2 step 2: the most recently sent; at one instant, the higher sequence.
    if (!d.rack_advanced || s.xmit > d.xmit || (s.xmit == d.xmit && s.end > d.end)) {
        d.xmit = s.xmit;
        d.end = s.end;
    }
    d.rack_advanced = true;
}

void SentQueue::acknowledged(int64_t una, int64_t fack, Delivered& d) {
    while (head_ < v_.size() && v_[head_].begin < una) {
        Segment& s = v_[head_];
        if (s.end > una) {
            // Acknowledged in part: the rest stays (its flags with it).
            Segment part = s;
            part.end = una;
            if (!part.has(kSacked)) deliver(part, fack, d);
            uint64_t gone = static_cast<uint64_t>(una - s.begin);
            if (s.has(kSacked)) sacked_bytes_ -= gone;
            if (s.has(kLost)) lost_bytes_ -= gone;
            if (s.has(kRetrans)) retrans_bytes_ -= gone;
            s.begin = una;
            break;
        }
        if (!s.has(kSacked)) deliver(s, fack, d);
        forget(s);
        ++head_;
    }
    if (head_ == v_.size()) {
        v_.clear();
        head_ = 0;
    }
    if (highest_sacked_ <= una) highest_sacked_ = 0;
}

void SentQueue::sacked(int64_t b, int64_t e, int64_t fack, Delivered& d) {
    size_t i = index_of(b);
    if (i == v_.size()) {
        // b may fall in no segment (below SND.UNA): start at the first one at or after it.
        auto it = std::lower_bound(v_.begin() + static_cast<std::ptrdiff_t>(head_), v_.end(), b,
                                   [](const Segment& s, int64_t o) { return s.begin < o; });
        i = static_cast<size_t>(it - v_.begin());
    } else if (v_[i].begin < b) {
        ++i;  // covered in part only: not SACKed (Linux SACKs whole segments)
    }
    for (; i < v_.size() && v_[i].end <= e; ++i) {
        Segment& s = v_[i];
        if (s.has(kSacked)) continue;
        deliver(s, fack, d);
        set(s, kLost, false);
        set(s, kRetrans, false);
        set(s, kSacked, true);
        highest_sacked_ = std::max(highest_sacked_, s.end);
    }
}

void SentQueue::mark_lost(Segment& s) {
    set(s, kRetrans, false);
    set(s, kLost, true);
}

}  // namespace tcpsim
