#pragma once
// Typed configuration of one direction of a point-to-point link, as the scenario loader checked it.
#include <cstdint>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim {

// RED (Floyd and Jacobson 1993; RFC 2309): drop, or ECN-mark, early with a probability that
// grows with the average queue. Thresholds are in the queue's unit (packets or bytes).
struct RedConfig {
    double min_threshold = 0, max_threshold = 0;
    double max_p = 0.1;        // drop probability at max_threshold
    double weight = 0.002;     // w_q of the exponential average
    bool gentle = true;        // between max_th and 2*max_th the probability climbs to 1
    bool ecn = false;          // mark ECN-capable packets (CE) instead of dropping them
};

struct QueueConfig {
    // Limit on the packets waiting to be sent (the one on the wire is not counted). Exactly one
    // of the two limits is set; 0 means "not this unit". A RED queue drops at the limit too.
    uint64_t limit_packets = 100;
    uint64_t limit_bytes = 0;
    enum class Discipline { droptail, red };
    Discipline discipline = Discipline::droptail;
    RedConfig red;
};

struct LossConfig {
    enum class Model { none, bernoulli, gilbert_elliott, packets, periodic };
    Model model = Model::none;
    double rate = 0;  // bernoulli: probability each packet is lost
    // Gilbert-Elliott: a two-state Markov chain evaluated per packet.
    double p_good_to_bad = 0, p_bad_to_good = 1;
    double loss_in_good = 0, loss_in_bad = 1;
    // packets: these packet numbers are lost (1 = the first packet to leave this direction),
    // sorted; periodic: every `every`-th packet is lost (Mathis' periodic loss).
    std::vector<uint64_t> drop_packets;
    uint64_t every = 0;
};

struct JitterConfig {
    enum class Distribution { none, uniform, normal };
    Distribution distribution = Distribution::none;
    SimTime max;          // uniform: extra delay uniform in [0, max]
    SimTime mean, stddev; // normal: extra delay mean + stddev * N(0,1), clamped at 0
};

struct ReorderConfig {
    double probability = 0;  // a packet is held back by `delay` with this probability
    SimTime delay = SimTime::from_ms(10);
};

struct LinkDirectionConfig {
    uint64_t bandwidth_bps = 10'000'000;
    SimTime delay = SimTime::from_ms(10);
    QueueConfig queue;
    LossConfig loss;
    JitterConfig jitter;
    ReorderConfig reorder;
    double duplicate_probability = 0;
};

// Reads the fields of a link direction present in `r` over `base` (defaults or the link's shared
// settings). Used twice per link: shared settings, then "forward"/"reverse" overrides.
LinkDirectionConfig read_link_direction(JsonObjectReader& r, LinkDirectionConfig base);
// The resolved configuration, for the trace's meta and summaries.
Json link_direction_to_json(const LinkDirectionConfig& c);

}  // namespace tcpsim
