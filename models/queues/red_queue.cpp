#include "models/queues/red_queue.hpp"

#include <cmath>

namespace tcpsim {

RedQueue::Verdict RedQueue::on_arrival(double queued, bool ecn_capable, SimTime now) {
    if (idle_ && queued == 0) {
        // avg <- (1 - w_q)^m * avg: as if m small packets had gone through an empty queue.
        double m = idle_unit_.ns() > 0 ? static_cast<double>((now - idle_since_).ns()) / static_cast<double>(idle_unit_.ns()) : 0;
        avg_ *= std::pow(1.0 - c_.weight, m);
    } else {
        avg_ = (1.0 - c_.weight) * avg_ + c_.weight * queued;
    }
    idle_ = false;
    const double min = c_.min_threshold, max = c_.max_threshold;
    if (avg_ < min) {
        count_ = -1;
        return Verdict::accept;
    }
    double pb;
    if (avg_ < max) {
        pb = c_.max_p * (avg_ - min) / (max - min);
    } else if (c_.gentle && avg_ < 2 * max) {
        pb = c_.max_p + (1.0 - c_.max_p) * (avg_ - max) / max;  // "gentle": up to 1 at 2*max_th
    } else {
        count_ = 0;
        return Verdict::drop;  // above the thresholds RED drops, ECN or not (RFC 3168 7)
    }
    ++count_;
    // Spread the drops evenly: p_a = p_b / (1 - count * p_b).
    double denom = 1.0 - static_cast<double>(count_) * pb;
    double pa = denom <= 0 ? 1.0 : pb / denom;
    if (rng_.uniform01() < pa) {
        count_ = 0;
        return congested(ecn_capable);
    }
    return Verdict::accept;
}

}  // namespace tcpsim
