#include "models/sweep/sweep_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace tcpsim {

namespace {

using Value = std::optional<double>;

Value number_at(const Json& obj, const char* key) {
    if (!obj.is_object()) return std::nullopt;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

// A counter both ends of a connection keep: their sum, or nothing if the summary lacks it.
Value both_sides(const Json& app, const char* key) {
    Value c = number_at(app.value("client", Json()), key), s = number_at(app.value("server", Json()), key);
    if (!c || !s) return std::nullopt;
    return *c + *s;
}

// Per application: its value, from the application's summary and its start time.
using PerApp = Json (*)(const Json& app, double start);
// The run's value, from the whole summary (and the per-application function, if any).
using Aggregate = Json (*)(const Json& summary, const std::vector<double>& starts, PerApp per_app);

Json to_json(Value v) { return v ? Json(*v) : Json(nullptr); }

// Counts print as integers ("retransmissions": 3, not 3.0).
Json count_json(double v) {
    if (v == std::floor(v) && std::fabs(v) < 0x1p53) return static_cast<int64_t>(v);
    return v;
}
Json count_json(Value v) { return v ? count_json(*v) : Json(nullptr); }

std::vector<Json> per_app_values(const Json& summary, const std::vector<double>& starts, PerApp f) {
    std::vector<Json> out;
    const Json& apps = summary.value("applications", Json::array());
    for (size_t i = 0; i < apps.size(); ++i) out.push_back(f(apps[i], i < starts.size() ? starts[i] : 0.0));
    return out;
}

std::vector<double> numbers(const std::vector<Json>& values) {
    std::vector<double> out;
    for (const auto& v : values)
        if (v.is_number()) out.push_back(v.get<double>());
    return out;
}

Json mean_of(const Json& summary, const std::vector<double>& starts, PerApp f) {
    auto v = numbers(per_app_values(summary, starts, f));
    if (v.empty()) return nullptr;
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

Json sum_of(const Json& summary, const std::vector<double>& starts, PerApp f) {
    auto v = numbers(per_app_values(summary, starts, f));
    if (v.empty()) return nullptr;
    double s = 0;
    for (double x : v) s += x;
    return count_json(s);
}

Json max_of(const Json& summary, const std::vector<double>& starts, PerApp f) {
    auto v = numbers(per_app_values(summary, starts, f));
    if (v.empty()) return nullptr;
    return *std::max_element(v.begin(), v.end());
}

// --- per application -------------------------------------------------------------------------

Json goodput(const Json& app, double) { return to_json(number_at(app, "goodput_bps")); }

Json completion_time(const Json& app, double start) {
    Value done = number_at(app, "completed_at");
    return done ? Json(*done - start) : Json(nullptr);
}

Json handshake_time(const Json& app, double start) {
    Value at = number_at(app.value("client", Json()), "connected_at");
    return at ? Json(*at - start) : Json(nullptr);
}

Json retransmissions(const Json& app, double) { return count_json(both_sides(app, "retransmissions")); }
Json fast_retransmits(const Json& app, double) { return count_json(both_sides(app, "fast_retransmits")); }
Json rto_expirations(const Json& app, double) { return count_json(both_sides(app, "rto_expirations")); }
Json spurious_retransmits(const Json& app, double) { return count_json(both_sides(app, "spurious_retransmits")); }
Json syn_retransmissions(const Json& app, double) { return count_json(both_sides(app, "syn_retransmissions")); }

Json keepalive_close_time(const Json& app, double) {
    const Json& client = app.value("client", Json());
    if (!client.is_object() || client.value("outcome", "") != "keepalive timeout") return nullptr;
    return to_json(number_at(client, "closed_at"));
}

Json outcome(const Json& app, double) {
    const Json& client = app.value("client", Json());
    if (!client.is_object() || !client.contains("outcome") || !client["outcome"].is_string()) return nullptr;
    return client["outcome"];
}

Json streams_intact(const Json& app, double) {
    auto it = app.find("streams_intact");
    if (it == app.end() || !it->is_boolean()) return nullptr;
    return it->get<bool>() ? 1.0 : 0.0;
}

Json max_cwnd(const Json& app, double) { return to_json(number_at(app.value("client", Json()), "max_cwnd")); }
Json mean_rtt(const Json& app, double) { return to_json(number_at(app.value("client", Json()), "mean_rtt")); }

// --- aggregates --------------------------------------------------------------------------------

// The last application to finish: null while any one that should finish (not "idle") has not.
Json completion_of_all(const Json& summary, const std::vector<double>& starts, PerApp f) {
    const Json& apps = summary.value("applications", Json::array());
    std::optional<double> last;
    for (size_t i = 0; i < apps.size(); ++i) {
        if (apps[i].value("type", "") == "idle") continue;
        Json v = f(apps[i], i < starts.size() ? starts[i] : 0.0);
        if (!v.is_number()) return nullptr;
        last = std::max(last.value_or(v.get<double>()), v.get<double>());
    }
    return last ? Json(*last) : Json(nullptr);
}

Json common_outcome(const Json& summary, const std::vector<double>& starts, PerApp f) {
    auto v = per_app_values(summary, starts, f);
    if (v.empty()) return nullptr;
    for (const auto& x : v)
        if (x != v.front()) return "mixed";
    return v.front();
}

// Jain et al. (1984): (sum x)^2 / (n * sum x^2): 1 when all are equal, 1/n when one has all.
Json jain_index(const Json& summary, const std::vector<double>& starts, PerApp) {
    auto v = numbers(per_app_values(summary, starts, goodput));
    double sum = 0, squares = 0;
    for (double x : v) {
        sum += x;
        squares += x * x;
    }
    if (v.empty() || squares <= 0) return nullptr;
    return sum * sum / (static_cast<double>(v.size()) * squares);
}

// Reasons a packet is lost elsewhere than in a queue; every other reason is a queue's doing
// (drop-tail's queue_full, and whatever a queue discipline adds).
bool queue_reason(const std::string& reason) {
    return reason != "loss_model" && reason != "link_down" && reason != "no_route" && reason != "ttl_expired";
}

Json drop_sum(const Json& summary, bool (*include)(const std::string&)) {
    auto it = summary.find("drops");
    if (it == summary.end() || !it->is_object()) return nullptr;
    double n = 0;
    for (auto d = it->begin(); d != it->end(); ++d)
        if (d->is_number() && include(d.key())) n += d->get<double>();
    return count_json(n);
}

Json queue_drops(const Json& summary, const std::vector<double>&, PerApp) { return drop_sum(summary, queue_reason); }
Json all_drops(const Json& summary, const std::vector<double>&, PerApp) {
    return drop_sum(summary, [](const std::string&) { return true; });
}
Json loss_drops(const Json& summary, const std::vector<double>&, PerApp) {
    return drop_sum(summary, [](const std::string& r) { return r == "loss_model"; });
}

Json end_time(const Json& summary, const std::vector<double>&, PerApp) {
    return to_json(number_at(summary.value("run", Json()), "end_time"));
}
Json stop_reason(const Json& summary, const std::vector<double>&, PerApp) {
    const Json& run = summary.value("run", Json());
    if (!run.is_object() || !run.contains("stop_reason")) return nullptr;
    return run["stop_reason"];
}

struct MetricDef {
    SweepMetricInfo info;
    PerApp per_app;  // null for metrics of the whole run
    Aggregate aggregate;
};

const std::vector<MetricDef>& definitions() {
    static const std::vector<MetricDef> defs = {
        {{"goodput_bps", true, true, "bulk payload bits / (completed_at - start); run: mean over applications"}, goodput, mean_of},
        {{"completion_time", true, true, "completed_at - start (s); run: the last application's, null if one has not completed"}, completion_time, completion_of_all},
        {{"handshake_time", true, true, "client connected_at - start (s); run: mean"}, handshake_time, mean_of},
        {{"retransmissions", true, true, "segments retransmitted by both ends; run: sum"}, retransmissions, sum_of},
        {{"fast_retransmits", true, true, "fast retransmissions, both ends; run: sum (null if the summary lacks them)"}, fast_retransmits, sum_of},
        {{"rto_expirations", true, true, "retransmission timer expiries, both ends; run: sum"}, rto_expirations, sum_of},
        {{"spurious_retransmits", true, true, "spurious retransmissions, both ends; run: sum (null if absent)"}, spurious_retransmits, sum_of},
        {{"syn_retransmissions", true, true, "SYN and SYN-ACK retransmissions; run: sum"}, syn_retransmissions, sum_of},
        {{"keepalive_close_time", true, true, "client closed_at (s) when it closed by keepalive timeout; run: mean"}, keepalive_close_time, mean_of},
        {{"outcome", false, true, "client outcome (normal, reset, keepalive timeout, ...); run: the common one or mixed"}, outcome, common_outcome},
        {{"streams_intact", true, true, "1 if every byte arrived once and in order both ways, else 0; run: mean"}, streams_intact, mean_of},
        {{"max_cwnd", true, true, "client's largest cwnd (bytes); run: max (null if absent)"}, max_cwnd, max_of},
        {{"mean_rtt", true, true, "client's mean RTT (s); run: mean (null if absent)"}, mean_rtt, mean_of},
        {{"jain_index", true, false, "Jain's fairness index of the applications' goodputs"}, nullptr, jain_index},
        {{"queue_drops", true, false, "packets dropped by queues (every drop reason but loss_model, link_down, no_route, ttl_expired)"}, nullptr, queue_drops},
        {{"loss_drops", true, false, "packets dropped by the links' loss models"}, nullptr, loss_drops},
        {{"drops", true, false, "packets dropped, all reasons"}, nullptr, all_drops},
        {{"end_time", true, false, "simulated time at which the run stopped (s)"}, nullptr, end_time},
        {{"stop_reason", false, false, "why the run stopped (all_finished, end_time, ...)"}, nullptr, stop_reason},
    };
    return defs;
}

}  // namespace

const std::vector<SweepMetricInfo>& sweep_metric_catalog() {
    static const std::vector<SweepMetricInfo> catalog = [] {
        std::vector<SweepMetricInfo> c;
        for (const auto& d : definitions()) c.push_back(d.info);
        return c;
    }();
    return catalog;
}

Json extract_metrics(const Json& summary, const std::vector<double>& app_starts, const std::vector<SweepMetricInfo>& selected) {
    Json out = Json::object();
    for (const auto& m : selected) {
        std::string base = m.name;
        std::optional<size_t> index;
        if (auto open = m.name.find('['); open != std::string::npos) {
            base = m.name.substr(0, open);
            index = std::stoul(m.name.substr(open + 1));
        }
        const MetricDef* def = nullptr;
        for (const auto& d : definitions())
            if (d.info.name == base) def = &d;
        if (!def) {
            out[m.name] = nullptr;
            continue;
        }
        if (index) {
            const Json& apps = summary.value("applications", Json::array());
            out[m.name] = *index < apps.size() && def->per_app
                              ? def->per_app(apps[*index], *index < app_starts.size() ? app_starts[*index] : 0.0)
                              : Json(nullptr);
        } else {
            out[m.name] = def->aggregate(summary, app_starts, def->per_app);
        }
    }
    return out;
}

}  // namespace tcpsim
