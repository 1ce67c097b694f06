#include "sim/sweep/sweep_plan.hpp"

#include <charconv>

#include "sim/core/rng.hpp"

namespace tcpsim {

SweepPoint sweep_point(const SweepSpec& spec, uint64_t index) {
    SweepPoint p;
    p.index = index;
    p.values.resize(spec.parameters.size());
    if (spec.mode == SweepMode::zip) {
        for (size_t i = 0; i < spec.parameters.size(); ++i) p.values[i] = spec.parameters[i].values[index];
        return p;
    }
    // Mixed radix, the last parameter the fastest digit.
    uint64_t rest = index;
    for (size_t i = spec.parameters.size(); i-- > 0;) {
        const auto& values = spec.parameters[i].values;
        p.values[i] = values[rest % values.size()];
        rest /= values.size();
    }
    return p;
}

std::vector<SweepPoint> sweep_points(const SweepSpec& spec) {
    std::vector<SweepPoint> points;
    uint64_t n = spec.point_count();
    points.reserve(n);
    for (uint64_t i = 0; i < n; ++i) points.push_back(sweep_point(spec, i));
    return points;
}

uint64_t derive_seed(uint64_t sweep_seed, SweepSeedMode mode, uint64_t point, uint64_t replication) {
    std::string name = mode == SweepSeedMode::common
                           ? "sweep/replication/" + std::to_string(replication)
                           : "sweep/point/" + std::to_string(point) + "/replication/" + std::to_string(replication);
    return RngStream(sweep_seed, name).next_u64() >> 11;
}

SweepRunId sweep_run(const SweepSpec& spec, uint64_t run) {
    SweepRunId id;
    id.run = run;
    id.point = run / spec.replications;
    id.replication = run % spec.replications;
    id.seed = derive_seed(spec.seed, spec.seed_mode, id.point, id.replication);
    return id;
}

Json point_parameters(const SweepSpec& spec, const SweepPoint& point) {
    Json j = Json::object();
    for (size_t i = 0; i < spec.parameters.size(); ++i) j[spec.parameters[i].name] = point.values[i];
    return j;
}

namespace {

std::vector<std::string> pointer_tokens(const std::string& pointer) {
    std::vector<std::string> tokens;
    size_t pos = 1;
    while (true) {
        size_t slash = pointer.find('/', pos);
        std::string raw = pointer.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        std::string token;
        for (size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '~' && i + 1 < raw.size()) token += raw[++i] == '0' ? '~' : '/';
            else token += raw[i];
        }
        tokens.push_back(token);
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return tokens;
}

bool array_index(const std::string& token, size_t size, size_t& index) {
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
    return !token.empty() && ec == std::errc() && end == token.data() + token.size() && index < size &&
           (token.size() == 1 || token[0] != '0');
}

}  // namespace

Json apply_point(const SweepSpec& spec, const SweepPoint& point) {
    Json doc = spec.scenario;
    for (size_t i = 0; i < spec.parameters.size(); ++i) {
        const SweepParameter& p = spec.parameters[i];
        auto tokens = pointer_tokens(p.pointer);
        Json* at = &doc;
        std::string walked;
        for (size_t t = 0; t < tokens.size(); ++t) {
            const bool last = t + 1 == tokens.size();
            const std::string& tok = tokens[t];
            if (at->is_object()) {
                // A missing member on the way is created ("/tcp/cc" with no "tcp" yet).
                if (!last && !at->contains(tok)) (*at)[tok] = Json::object();
                at = &(*at)[tok];
            } else if (at->is_array()) {
                size_t index = 0;
                if (!array_index(tok, at->size(), index))
                    throw InputError(spec.file, p.where, "the scenario has no element \"" + tok + "\" in the array at " +
                                                             (walked.empty() ? "(document)" : walked) + " (" +
                                                             std::to_string(at->size()) + " elements)");
                at = &(*at)[index];
            } else {
                throw InputError(spec.file, p.where, "the scenario's value at " + (walked.empty() ? "(document)" : walked) +
                                                         " is " + describe_json_value(*at) +
                                                         ", not an object or array to go into");
            }
            walked += "/" + json_pointer_escape(tok);
        }
        *at = point.values[i];
    }
    return doc;
}

std::optional<SweepShard> parse_shard(const std::string& text) {
    auto slash = text.find('/');
    if (slash == std::string::npos) return std::nullopt;
    SweepShard s;
    auto num = [](std::string_view t, uint64_t& v) {
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        return !t.empty() && ec == std::errc() && end == t.data() + t.size();
    };
    std::string_view all = text;
    if (!num(all.substr(0, slash), s.k) || !num(all.substr(slash + 1), s.n)) return std::nullopt;
    if (s.n < 1 || s.k < 1 || s.k > s.n) return std::nullopt;
    return s;
}

}  // namespace tcpsim
