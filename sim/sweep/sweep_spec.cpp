#include "sim/sweep/sweep_spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace tcpsim {

uint64_t SweepSpec::point_count() const {
    if (parameters.empty()) return 0;
    if (mode == SweepMode::zip) return parameters.front().values.size();
    uint64_t n = 1;
    for (const auto& p : parameters) {
        if (p.values.size() != 0 && n > kMaxSweepRuns / p.values.size()) return kMaxSweepRuns + 1;  // saturate
        n *= p.values.size();
    }
    return n;
}

namespace {

bool valid_name(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    return true;
}

// RFC 6901: "" or a sequence of "/token", "~" only as "~0" or "~1".
bool valid_pointer(const std::string& p) {
    if (p.empty() || p[0] != '/') return false;
    for (size_t i = 0; i < p.size(); ++i)
        if (p[i] == '~' && (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) return false;
    return true;
}

// 12 significant digits: a range's 10^(1/3)^3 reads 10, not 9.999999999999998, and the values
// print as written.
double tidy(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return std::stod(buf);
}

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return buf;
}

}  // namespace

std::vector<Json> expand_range(JsonObjectReader& r) {
    auto number = [&r](std::string_view key) {
        auto v = r.require(key);
        if (!v.value.is_number()) v.fail("a number");
        return v.value.get<double>();
    };
    double from = number("from");
    double to = number("to");
    int64_t steps = r.integer_or("steps", 0, 2, static_cast<int64_t>(kMaxRangeSteps));
    if (!r.has("steps")) r.fail("steps", "the number of values, an integer >= 2 (from and to included)");
    bool log = r.choice("scale", {"linear", "log"}, "linear") == "log";
    bool integer = r.boolean_or("integer", false);
    std::string unit = r.string_or("unit", "");
    if (log && !(from > 0 && to > 0))
        r.fail(from > 0 ? "to" : "from", "a number > 0 (a log scale needs positive ends)");

    std::vector<Json> values;
    std::set<double> seen;
    for (int64_t i = 0; i < steps; ++i) {
        double f = static_cast<double>(i) / static_cast<double>(steps - 1);
        double v = i == 0 ? from : i == steps - 1 ? to : log ? from * std::pow(to / from, f) : from + (to - from) * f;
        v = integer ? std::round(v) : tidy(v);
        if (!seen.insert(v).second)
            r.fail("steps", "fewer steps: rounding to integers repeats the value " + number_text(v));
        if (!unit.empty()) values.emplace_back(number_text(v) + unit);
        else if (integer) values.emplace_back(static_cast<int64_t>(v));
        else values.emplace_back(v);
    }
    return values;
}

namespace {

class SweepLoader {
public:
    SweepLoader(const Json& doc, const std::string& file, const std::vector<SweepMetricInfo>& catalog,
                const std::vector<std::string>& vary_order)
        : doc_(doc), file_(file), catalog_(catalog), vary_order_(vary_order) {}

    SweepSpec load() {
        JsonObjectReader top(doc_, "", file_);
        s_.file = file_;
        s_.name = top.string("name");
        if (!valid_name(s_.name))
            top.fail("name", "a name of 1-64 letters, digits, '_', '-' or '.' (it names the output files)");
        s_.description = top.string_or("description", "");
        read_scenario(top);
        std::string mode = top.choice("mode", {"cartesian", "zip"}, "cartesian");
        s_.mode = mode == "zip" ? SweepMode::zip : SweepMode::cartesian;
        read_vary(top);
        s_.replications = static_cast<uint64_t>(top.integer_or("replications", 1, 1, 1'000'000));
        s_.seed = top.uint64_or("seed", 1);
        s_.seed_mode = top.choice("seeds", {"independent", "common"}, "independent") == "common"
                           ? SweepSeedMode::common : SweepSeedMode::independent;
        if (s_.run_count() > kMaxSweepRuns)
            top.fail("replications", "at most " + std::to_string(kMaxSweepRuns) +
                                         " runs in all (points x replications); this sweep has more");
        read_metrics(top);
        if (const Json* fits = top.array_opt("fit"))
            for (size_t i = 0; i < fits->size(); ++i) read_fit((*fits)[i], "/fit/" + std::to_string(i));
        top.finish();
        return std::move(s_);
    }

private:
    void read_scenario(JsonObjectReader& top) {
        auto v = top.require("scenario");
        if (v.value.is_object()) {
            s_.scenario = v.value;
            s_.scenario_file = file_;
            s_.scenario_inline = true;
        } else if (v.value.is_string() && !v.value.get<std::string>().empty()) {
            std::filesystem::path p = v.value.get<std::string>();
            if (p.is_relative()) p = std::filesystem::path(file_).parent_path() / p;
            s_.scenario_file = p.lexically_normal().string();
            s_.scenario = load_json_file(s_.scenario_file);
        } else {
            v.fail("a scenario file path (relative to this file) or an inline scenario object {...}");
        }
    }

    void read_vary(JsonObjectReader& top) {
        auto v = top.require("vary");
        if (!v.value.is_object() || v.value.empty())
            v.fail("an object mapping JSON pointers into the scenario to values, e.g. {\"/links/0/loss\": [0, 0.01]}");
        std::vector<std::string> keys;
        for (const auto& k : vary_order_)
            if (v.value.contains(k)) keys.push_back(k);
        for (auto it = v.value.begin(); it != v.value.end(); ++it)
            if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());

        JsonObjectReader vary(v.value, v.pointer, file_);
        std::set<std::string> names;
        for (const auto& key : keys) {
            SweepParameter p;
            p.pointer = key;
            p.name = key;
            p.where = vary.pointer_of(key);
            if (!valid_pointer(key))
                throw InputError(file_, p.where, "expected a JSON pointer into the scenario such as \"/links/0/delay\" "
                                                 "(RFC 6901: starts with '/', '~' only as ~0 or ~1), got \"" + key + "\"");
            if (key == "/seed")
                throw InputError(file_, p.where, "the scenario's seed is set for every run from the sweep's \"seed\" and "
                                                 "\"replications\"; vary another field");
            JsonValueRef val = vary.require(key);
            if (val.value.is_array()) {
                if (val.value.empty()) val.fail("at least one value");
                p.values.assign(val.value.begin(), val.value.end());
            } else if (val.value.is_object()) {
                JsonObjectReader r(val.value, val.pointer, file_);
                p.name = r.string_or("name", key);
                if (p.name.empty()) r.fail("name", "a non-empty column name");
                if (r.has("values")) {
                    const Json& list = r.array("values", 1);
                    p.values.assign(list.begin(), list.end());
                } else if (r.has("from") || r.has("to") || r.has("steps")) {
                    p.values = expand_range(r);
                } else {
                    r.fail_here("expected \"values\": [...] or a range {\"from\": .., \"to\": .., \"steps\": ..}");
                }
                r.finish();
            } else {
                val.fail("a list of values [...], {\"values\": [...]} or a range {\"from\": .., \"to\": .., \"steps\": ..}");
            }
            if (!names.insert(p.name).second)
                throw InputError(file_, p.where, "the name \"" + p.name + "\" is used by two parameters");
            if (s_.mode == SweepMode::zip && !s_.parameters.empty() &&
                p.values.size() != s_.parameters.front().values.size())
                throw InputError(file_, p.where, "expected " + std::to_string(s_.parameters.front().values.size()) +
                                                     " values like " + s_.parameters.front().where +
                                                     " (zip mode pairs the i-th values of every parameter), got " +
                                                     std::to_string(p.values.size()));
            s_.parameters.push_back(std::move(p));
        }
        vary.finish();
    }

    const SweepMetricInfo* find_metric(const std::string& base) const {
        for (const auto& m : catalog_)
            if (m.name == base) return &m;
        return nullptr;
    }

    void read_metrics(JsonObjectReader& top) {
        const Json* list = top.array_opt("metrics");
        if (!list) {
            for (const auto& m : catalog_)
                if (!m.per_app) {
                    s_.metrics.push_back(m);
                    s_.metric_where.push_back("/metrics");
                }
            return;
        }
        if (list->empty()) top.fail("metrics", "at least one metric name (or leave \"metrics\" out for all)");
        std::vector<std::string> names;
        for (const auto& m : catalog_) names.push_back(m.name);
        std::set<std::string> seen;
        for (size_t i = 0; i < list->size(); ++i) {
            JsonValueRef v{(*list)[i], "/metrics/" + std::to_string(i), file_};
            if (!v.value.is_string()) v.fail("a metric name such as \"goodput_bps\"");
            std::string full = v.value.get<std::string>();
            std::string base = full;
            bool indexed = false;
            if (auto open = full.find('['); open != std::string::npos) {
                base = full.substr(0, open);
                std::string idx = full.substr(open + 1);
                bool digits = idx.size() >= 2 && idx.back() == ']' &&
                              idx.find_first_not_of("0123456789") == idx.size() - 1 && idx.size() <= 7;
                if (!digits) v.fail("a metric name, or name[i] for application i (e.g. \"goodput_bps[0]\")");
                indexed = true;
            }
            const SweepMetricInfo* info = find_metric(base);
            if (!info) {
                std::string hint = closest_match(base, names);
                for (size_t k = 0; hint.empty() && k < names.size(); ++k)
                    if (names[k].starts_with(base)) hint = names[k];  // "goodput" -> "goodput_bps"
                throw InputError(file_, v.pointer, "unknown metric \"" + shorten_for_message(base) + "\"" +
                                                       (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") +
                                                       "; the metrics are listed in README.md, \"Parameter sweeps\"");
            }
            if (indexed && !info->per_app)
                v.fail("a metric name without [i]: \"" + base + "\" is not per application");
            if (!seen.insert(full).second) throw InputError(file_, v.pointer, "metric \"" + full + "\" is listed twice");
            SweepMetricInfo selected = *info;
            selected.name = full;
            s_.metrics.push_back(selected);
            s_.metric_where.push_back(v.pointer);
        }
    }

    size_t parameter_named(const JsonValueRef& v) const {
        if (!v.value.is_string()) v.fail("the name or pointer of a varied parameter");
        std::string s = v.value.get<std::string>();
        std::vector<std::string> names;
        for (size_t i = 0; i < s_.parameters.size(); ++i) {
            if (s_.parameters[i].name == s || s_.parameters[i].pointer == s) return i;
            names.push_back(s_.parameters[i].name);
        }
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + ("\"" + n + "\"");
        v.fail("a varied parameter (" + list + ")");
    }

    void read_fit(const Json& v, const std::string& pointer) {
        JsonObjectReader r(v, pointer, file_);
        SweepFit f;
        f.where = pointer;
        JsonValueRef metric = r.require("metric");
        if (!metric.value.is_string()) metric.fail("a metric name");
        f.metric = metric.value.get<std::string>();
        auto sel = std::find_if(s_.metrics.begin(), s_.metrics.end(), [&](const auto& m) { return m.name == f.metric; });
        if (sel == s_.metrics.end()) metric.fail("one of the sweep's metrics (add it to \"metrics\")");
        if (!sel->numeric) metric.fail("a numeric metric (\"" + f.metric + "\" is categorical)");
        JsonValueRef against = r.require("against");
        if (against.value.is_array()) {
            if (against.value.empty()) against.fail("at least one parameter");
            for (size_t i = 0; i < against.value.size(); ++i)
                f.against.push_back(parameter_named({against.value[i], against.pointer + "/" + std::to_string(i), file_}));
        } else {
            f.against.push_back(parameter_named(against));
        }
        f.model = r.choice("model", {"linear", "power"}, "power") == "linear" ? SweepFit::Model::linear : SweepFit::Model::power;
        if (auto e = r.optional("exponents")) {
            if (f.model != SweepFit::Model::power) e->fail("no \"exponents\" (they belong to a power-law model)");
            if (!e->value.is_array() || e->value.size() != f.against.size())
                e->fail("an array of " + std::to_string(f.against.size()) + " number(s), one per \"against\" parameter");
            for (const auto& x : e->value) {
                if (!x.is_number()) e->fail("an array of numbers");
                f.exponents.push_back(x.get<double>());
            }
        }
        r.finish();
        s_.fits.push_back(std::move(f));
    }

    const Json& doc_;
    const std::string& file_;
    const std::vector<SweepMetricInfo>& catalog_;
    const std::vector<std::string>& vary_order_;
    SweepSpec s_;
};

}  // namespace

SweepSpec parse_sweep(const Json& doc, const std::string& file, const std::vector<SweepMetricInfo>& catalog,
                      const std::vector<std::string>& vary_order) {
    return SweepLoader(doc, file, catalog, vary_order).load();
}

SweepSpec load_sweep(const std::string& path, const std::vector<SweepMetricInfo>& catalog) {
    Json doc = load_json_file(path);
    // nlohmann::json keeps object keys sorted; read the file once more with ordered keys so the
    // parameters keep the order the user wrote (it is already known to be valid JSON).
    std::vector<std::string> order;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto ordered = nlohmann::ordered_json::parse(text.str(), nullptr, false);
    if (ordered.is_object() && ordered.contains("vary") && ordered["vary"].is_object())
        for (auto it = ordered["vary"].begin(); it != ordered["vary"].end(); ++it) order.push_back(it.key());
    return parse_sweep(doc, path, catalog, order);
}

}  // namespace tcpsim
