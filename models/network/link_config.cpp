#include "models/network/link_config.hpp"

#include <algorithm>

namespace tcpsim {

namespace {

QueueConfig read_queue(JsonValueRef v) {
    QueueConfig q;
    // Shorthand: a packet count (signed in a document built in memory, unsigned when parsed).
    if (v.value.is_number_unsigned() || (v.value.is_number_integer() && v.value.get<int64_t>() >= 0)) {
        q.limit_packets = v.value.get<uint64_t>();
        if (q.limit_packets == 0) v.fail("a queue limit of at least 1 packet");
        return q;
    }
    if (!v.value.is_object()) v.fail("a queue limit: a packet count >= 1, {\"packets\": N} or {\"bytes\": SIZE}");
    JsonObjectReader r(v.value, v.pointer, v.file);
    bool has_packets = r.has("packets"), has_bytes = r.has("bytes");
    if (has_packets == has_bytes)
        r.fail_here("a queue needs exactly one limit: {\"packets\": N} or {\"bytes\": N}");
    if (has_packets) {
        q.limit_packets = static_cast<uint64_t>(r.integer_or("packets", 100, 1, 1'000'000'000));
        q.limit_bytes = 0;
    } else {
        q.limit_packets = 0;
        q.limit_bytes = r.byte_size_or("bytes", 0, 60);
    }
    std::string type = r.choice("type", {"droptail", "red"}, "droptail");
    if (type == "red") {
        q.discipline = QueueConfig::Discipline::red;
        double limit = static_cast<double>(q.limit_packets ? q.limit_packets : q.limit_bytes);
        // Defaults after Floyd's guidelines: min_th a fifth of the limit, max_th three times min_th.
        q.red.min_threshold = r.number_or("min_threshold", limit / 5, 0, limit);
        q.red.max_threshold = r.number_or("max_threshold", std::min(limit, 3 * q.red.min_threshold), 0, limit);
        if (!(q.red.max_threshold > q.red.min_threshold))
            r.fail("max_threshold", "a threshold above min_threshold (" + std::to_string(q.red.min_threshold) + ")");
        q.red.max_p = r.number_or("max_p", q.red.max_p, 0, 1);
        if (!(q.red.max_p > 0)) r.fail("max_p", "a probability in (0, 1]");
        q.red.weight = r.number_or("weight", q.red.weight, 0, 1);
        if (!(q.red.weight > 0)) r.fail("weight", "a weight in (0, 1]");
        q.red.gentle = r.boolean_or("gentle", q.red.gentle);
        q.red.ecn = r.boolean_or("ecn", q.red.ecn);
    }
    r.finish();
    return q;
}

LossConfig read_loss(JsonValueRef v) {
    LossConfig l;
    if (v.value.is_number()) {  // shorthand: a Bernoulli rate
        double p = v.value.get<double>();
        if (!(p >= 0 && p <= 1)) v.fail("a loss probability in [0, 1]");
        l.model = p > 0 ? LossConfig::Model::bernoulli : LossConfig::Model::none;
        l.rate = p;
        return l;
    }
    if (!v.value.is_object())
        v.fail("a loss probability in [0, 1] or an object such as {\"model\": \"bernoulli\", \"rate\": 0.01}");
    JsonObjectReader r(v.value, v.pointer, v.file);
    std::string model = r.choice("model", {"none", "bernoulli", "gilbert_elliott", "packets", "periodic"}, "bernoulli");
    if (model == "none") {
        l.model = LossConfig::Model::none;
    } else if (model == "packets") {
        l.model = LossConfig::Model::packets;
        r.require("drop");
        auto v = *r.optional("drop");
        if (!v.value.is_array() || v.value.empty()) v.fail("a non-empty list of packet numbers (1 = the first packet)");
        for (size_t i = 0; i < v.value.size(); ++i) {
            const Json& e = v.value[i];
            if (!e.is_number_integer() || e.get<int64_t>() < 1)
                JsonValueRef{e, v.pointer + "/" + std::to_string(i), v.file}.fail("a packet number >= 1");
            l.drop_packets.push_back(e.get<uint64_t>());
        }
        std::sort(l.drop_packets.begin(), l.drop_packets.end());
    } else if (model == "periodic") {
        l.model = LossConfig::Model::periodic;
        r.require("every");
        l.every = static_cast<uint64_t>(r.integer_or("every", 1, 1, INT64_MAX));
    } else if (model == "bernoulli") {
        l.model = LossConfig::Model::bernoulli;
        r.require("rate");
        l.rate = r.probability_or("rate", 0);
    } else {
        l.model = LossConfig::Model::gilbert_elliott;
        r.require("p_good_to_bad");
        r.require("p_bad_to_good");
        l.p_good_to_bad = r.probability_or("p_good_to_bad", 0);
        l.p_bad_to_good = r.probability_or("p_bad_to_good", 1);
        l.loss_in_good = r.probability_or("loss_in_good", 0);
        l.loss_in_bad = r.probability_or("loss_in_bad", 1);
    }
    r.finish();
    return l;
}

JitterConfig read_jitter(JsonValueRef v) {
    JitterConfig j;
    if (!v.value.is_object()) v.fail("an object such as {\"distribution\": \"uniform\", \"max\": \"1ms\"}");
    JsonObjectReader r(v.value, v.pointer, v.file);
    std::string d = r.choice("distribution", {"none", "uniform", "normal"}, "uniform");
    if (d == "uniform") {
        j.distribution = JitterConfig::Distribution::uniform;
        j.max = r.duration("max");
    } else if (d == "normal") {
        j.distribution = JitterConfig::Distribution::normal;
        j.mean = r.duration_or("mean", SimTime::zero());
        j.stddev = r.duration("stddev");
    }
    r.finish();
    return j;
}

ReorderConfig read_reorder(JsonValueRef v, ReorderConfig base) {
    if (!v.value.is_object()) v.fail("an object such as {\"probability\": 0.1, \"delay\": \"5ms\"}");
    JsonObjectReader r(v.value, v.pointer, v.file);
    r.require("probability");
    base.probability = r.probability_or("probability", 0);
    base.delay = r.duration_or("delay", base.delay, SimTime::from_ns(1));
    r.finish();
    return base;
}

}  // namespace

LinkDirectionConfig read_link_direction(JsonObjectReader& r, LinkDirectionConfig c) {
    if (auto b = r.bandwidth_opt("bandwidth")) c.bandwidth_bps = *b;
    c.delay = r.duration_or("delay", c.delay);
    if (auto v = r.optional("queue")) c.queue = read_queue(*v);
    if (auto v = r.optional("loss")) c.loss = read_loss(*v);
    if (auto v = r.optional("jitter")) c.jitter = read_jitter(*v);
    if (auto v = r.optional("reorder")) c.reorder = read_reorder(*v, c.reorder);
    c.duplicate_probability = r.probability_or("duplicate", c.duplicate_probability);
    return c;
}

Json link_direction_to_json(const LinkDirectionConfig& c) {
    Json j;
    j["bandwidth_bps"] = c.bandwidth_bps;
    j["delay_ns"] = c.delay.ns();
    if (c.queue.limit_packets) j["queue"] = {{"packets", c.queue.limit_packets}};
    else j["queue"] = {{"bytes", c.queue.limit_bytes}};
    if (c.queue.discipline == QueueConfig::Discipline::red) {
        j["queue"]["type"] = "red";
        j["queue"]["min_threshold"] = c.queue.red.min_threshold;
        j["queue"]["max_threshold"] = c.queue.red.max_threshold;
        j["queue"]["max_p"] = c.queue.red.max_p;
        j["queue"]["weight"] = c.queue.red.weight;
        j["queue"]["gentle"] = c.queue.red.gentle;
        j["queue"]["ecn"] = c.queue.red.ecn;
    }
    switch (c.loss.model) {
        case LossConfig::Model::none: j["loss"] = {{"model", "none"}}; break;
        case LossConfig::Model::bernoulli: j["loss"] = {{"model", "bernoulli"}, {"rate", c.loss.rate}}; break;
        case LossConfig::Model::packets: j["loss"] = {{"model", "packets"}, {"drop", c.loss.drop_packets}}; break;
        case LossConfig::Model::periodic: j["loss"] = {{"model", "periodic"}, {"every", c.loss.every}}; break;
        case LossConfig::Model::gilbert_elliott:
            j["loss"] = {{"model", "gilbert_elliott"},     {"p_good_to_bad", c.loss.p_good_to_bad},
                         {"p_bad_to_good", c.loss.p_bad_to_good}, {"loss_in_good", c.loss.loss_in_good},
                         {"loss_in_bad", c.loss.loss_in_bad}};
            break;
    }
    switch (c.jitter.distribution) {
        case JitterConfig::Distribution::none: break;
        case JitterConfig::Distribution::uniform: j["jitter"] = {{"distribution", "uniform"}, {"max_ns", c.jitter.max.ns()}}; break;
        case JitterConfig::Distribution::normal:
            j["jitter"] = {{"distribution", "normal"}, {"mean_ns", c.jitter.mean.ns()}, {"stddev_ns", c.jitter.stddev.ns()}};
            break;
    }
    if (c.reorder.probability > 0) j["reorder"] = {{"probability", c.reorder.probability}, {"delay_ns", c.reorder.delay.ns()}};
    if (c.duplicate_probability > 0) j["duplicate"] = c.duplicate_probability;
    return j;
}

}  // namespace tcpsim
