#pragma once
// LossModel: decides, packet by packet, whether a link direction loses a packet on the wire.
#include "models/network/link_config.hpp"
#include "sim/core/rng.hpp"

namespace tcpsim {

class LossModel {
public:
    LossModel(const LossConfig& c, RngStream rng) : c_(c), rng_(rng) {}
    bool lose_next() {
        switch (c_.model) {
            case LossConfig::Model::none: return false;
            case LossConfig::Model::bernoulli: return rng_.bernoulli(c_.rate);
            case LossConfig::Model::gilbert_elliott: {
                // Gilbert-Elliott: move between the good and bad states, then lose with that
                // state's probability. Losses come in bursts of mean length ~1/p_bad_to_good.
                if (bad_) { if (rng_.bernoulli(c_.p_bad_to_good)) bad_ = false; }
                else if (rng_.bernoulli(c_.p_good_to_bad)) bad_ = true;
                return rng_.bernoulli(bad_ ? c_.loss_in_bad : c_.loss_in_good);
            }
            case LossConfig::Model::packets: {
                ++count_;
                while (next_drop_ < c_.drop_packets.size() && c_.drop_packets[next_drop_] < count_) ++next_drop_;
                return next_drop_ < c_.drop_packets.size() && c_.drop_packets[next_drop_] == count_;
            }
            case LossConfig::Model::periodic: return ++count_ % c_.every == 0;
        }
        return false;
    }

private:
    LossConfig c_;
    RngStream rng_;
    bool bad_ = false;
    uint64_t count_ = 0;  // packets seen (the deterministic models)
    size_t next_drop_ = 0;
};

}  // namespace tcpsim
