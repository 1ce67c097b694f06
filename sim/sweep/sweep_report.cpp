#include "sim/sweep/sweep_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tcpsim {

namespace {

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string fmt(double v, const char* f = "%.12g") {
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string value_text(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) return fmt(v.get<double>());
    return v.dump();
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string counts_text(const std::map<std::string, uint64_t>& counts, const char* sep) {
    std::string s;
    for (const auto& [value, n] : counts) s += (s.empty() ? "" : sep) + value + ":" + std::to_string(n);
    return s;
}

}  // namespace

Json statistics_json(const SweepSpec& spec, const std::vector<PointStats>& stats, const std::vector<FitResult>& fits) {
    Json j;
    j["sweep"] = spec.name;
    j["file"] = spec.file;
    j["replications"] = spec.replications;
    j["seed"] = spec.seed;
    j["confidence"] = 0.95;
    Json params = Json::array();
    for (const auto& p : spec.parameters) params.push_back({{"name", p.name}, {"pointer", p.pointer}, {"values", p.values}});
    j["parameters"] = params;
    Json metrics = Json::array();
    for (const auto& m : spec.metrics) metrics.push_back({{"name", m.name}, {"numeric", m.numeric}});
    j["metrics"] = metrics;
    Json points = Json::array();
    for (const auto& ps : stats) {
        Json p;
        p["point"] = ps.point;
        p["params"] = ps.params;
        p["runs"] = ps.runs;
        p["failed"] = ps.failed;
        Json ms = Json::object();
        for (const auto& m : ps.metrics) {
            if (m.numeric) {
                ms[m.metric] = {{"n", m.num.n},
                                {"mean", number_or_null(m.num.mean)},
                                {"sd", number_or_null(m.num.sd)},
                                {"ci95_low", number_or_null(m.num.ci_low)},
                                {"ci95_high", number_or_null(m.num.ci_high)},
                                {"min", number_or_null(m.num.min)},
                                {"max", number_or_null(m.num.max)}};
            } else {
                Json counts = Json::object();
                for (const auto& [value, n] : m.counts) counts[value] = n;
                ms[m.metric] = {{"counts", counts}};
            }
        }
        p["metrics"] = ms;
        points.push_back(p);
    }
    j["points"] = points;
    Json fj = Json::array();
    for (const auto& f : fits) {
        Json x;
        x["metric"] = f.metric;
        x["model"] = f.model;
        x["against"] = f.against;
        x["n"] = f.n;
        x["excluded"] = f.excluded;
        if (!f.error.empty()) {
            x["error"] = f.error;
        } else {
            Json c = Json::object();
            for (const auto& [name, v] : f.coefficients) c[name] = number_or_null(v);
            x["coefficients"] = c;
            x["r2"] = number_or_null(f.r2);
            x["formula"] = f.formula;
        }
        fj.push_back(x);
    }
    j["fits"] = fj;
    return j;
}

void write_statistics_csv(std::ostream& out, const SweepSpec& spec, const std::vector<PointStats>& stats) {
    std::vector<std::string> header{"point"};
    for (const auto& p : spec.parameters) header.push_back(p.name);
    header.insert(header.end(), {"runs", "failed"});
    for (const auto& m : spec.metrics) {
        if (!m.numeric) {
            header.push_back(m.name);
            continue;
        }
        for (const char* s : {"_n", "_mean", "_sd", "_ci95_low", "_ci95_high", "_min", "_max"}) header.push_back(m.name + s);
    }
    for (size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << csv_cell(header[i]);
    out << '\n';
    for (const auto& ps : stats) {
        std::vector<std::string> row{std::to_string(ps.point)};
        for (const auto& p : spec.parameters) row.push_back(value_text(ps.params[p.name]));
        row.push_back(std::to_string(ps.runs));
        row.push_back(std::to_string(ps.failed));
        for (const auto& m : ps.metrics) {
            if (!m.numeric) {
                row.push_back(counts_text(m.counts, ";"));
                continue;
            }
            row.push_back(std::to_string(m.num.n));
            for (double v : {m.num.mean, m.num.sd, m.num.ci_low, m.num.ci_high, m.num.min, m.num.max}) row.push_back(fmt(v));
        }
        for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_cell(row[i]);
        out << '\n';
    }
}

void print_statistics_table(std::ostream& out, const SweepSpec& spec, const std::vector<PointStats>& stats,
                            const std::vector<FitResult>& fits) {
    std::vector<size_t> shown;
    for (size_t m = 0; m < spec.metrics.size(); ++m) {
        bool any = std::any_of(stats.begin(), stats.end(), [m](const PointStats& ps) {
            const auto& ms = ps.metrics[m];
            return ms.numeric ? ms.num.n > 0 : !ms.counts.empty();
        });
        if (any) shown.push_back(m);
    }
    bool failures = std::any_of(stats.begin(), stats.end(), [](const PointStats& ps) { return ps.failed > 0; });

    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header{"point"};
    for (const auto& p : spec.parameters) header.push_back(p.name);
    header.push_back("runs");
    if (failures) header.push_back("failed");
    for (size_t m : shown) header.push_back(spec.metrics[m].name + (spec.metrics[m].numeric ? " (mean +- 95% CI)" : ""));
    rows.push_back(header);
    for (const auto& ps : stats) {
        std::vector<std::string> row{std::to_string(ps.point)};
        for (const auto& p : spec.parameters) row.push_back(value_text(ps.params[p.name]));
        row.push_back(std::to_string(ps.runs));
        if (failures) row.push_back(std::to_string(ps.failed));
        for (size_t m : shown) {
            const auto& ms = ps.metrics[m];
            if (!ms.numeric) row.push_back(counts_text(ms.counts, " "));
            else if (ms.num.n == 0) row.push_back("-");
            else if (ms.num.n == 1 || !std::isfinite(ms.num.ci_high)) row.push_back(fmt(ms.num.mean, "%.6g"));
            else row.push_back(fmt(ms.num.mean, "%.6g") + " +- " + fmt(ms.num.ci_high - ms.num.mean, "%.2g"));
        }
        rows.push_back(row);
    }
    std::vector<size_t> width(header.size(), 0);
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
        std::string line;
        for (size_t i = 0; i < r.size(); ++i) {
            std::string cell = r[i];
            cell.resize(width[i], ' ');
            line += (i ? "  " : "") + cell;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    }
    for (const auto& f : fits) {
        if (!f.error.empty()) {
            out << "fit " << f.metric << " (" << f.model << "): not fitted: " << f.error << '\n';
            continue;
        }
        out << "fit (" << f.model << "): " << f.formula << "  R^2 = " << fmt(f.r2, "%.4f") << " (" << f.n << " runs";
        if (f.excluded) out << ", " << f.excluded << " left out";
        out << ")\n";
    }
}

}  // namespace tcpsim
