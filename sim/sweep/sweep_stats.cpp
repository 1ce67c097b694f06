#include "sim/sweep/sweep_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <boost/math/distributions/students_t.hpp>

#include "sim/sweep/sweep_plan.hpp"

namespace tcpsim {

double student_t_quantile(double p, double df) {
    boost::math::students_t dist(df);
    return boost::math::quantile(dist, p);
}

NumericStats describe_sample(const std::vector<double>& values, double confidence) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    NumericStats s;
    s.n = values.size();
    if (values.empty()) {
        s.mean = s.sd = s.ci_low = s.ci_high = s.min = s.max = nan;
        return s;
    }
    Eigen::Map<const Eigen::VectorXd> x(values.data(), static_cast<Eigen::Index>(values.size()));
    s.mean = x.mean();
    s.min = x.minCoeff();
    s.max = x.maxCoeff();
    if (s.n < 2) {
        s.sd = s.ci_low = s.ci_high = nan;
        return s;
    }
    const double n = static_cast<double>(s.n);
    s.sd = std::sqrt((x.array() - s.mean).square().sum() / (n - 1));
    double half = student_t_quantile(0.5 + confidence / 2, n - 1) * s.sd / std::sqrt(n);
    s.ci_low = s.mean - half;
    s.ci_high = s.mean + half;
    return s;
}

std::vector<PointStats> point_statistics(const SweepSpec& spec, const std::vector<SweepRecord>& records) {
    const uint64_t points = spec.point_count();
    // The record of each (point, replication), if any: replication order, whatever the file's.
    std::vector<std::vector<const SweepRecord*>> by_point(points, std::vector<const SweepRecord*>(spec.replications));
    for (const auto& r : records)
        if (r.point < points && r.replication < spec.replications && !by_point[r.point][r.replication])
            by_point[r.point][r.replication] = &r;

    std::vector<PointStats> out;
    out.reserve(points);
    for (uint64_t p = 0; p < points; ++p) {
        PointStats ps;
        ps.point = p;
        ps.params = point_parameters(spec, sweep_point(spec, p));
        for (const auto& m : spec.metrics) {
            MetricStats ms;
            ms.metric = m.name;
            ms.numeric = m.numeric;
            std::vector<double> values;
            for (const SweepRecord* r : by_point[p]) {
                if (!r || !r->ok) continue;
                auto it = r->metrics.find(m.name);
                if (it == r->metrics.end() || it->is_null()) continue;
                if (m.numeric && it->is_number()) values.push_back(it->get<double>());
                else if (!m.numeric) ++ms.counts[it->is_string() ? it->get<std::string>() : it->dump()];
            }
            if (m.numeric) ms.num = describe_sample(values);
            ps.metrics.push_back(std::move(ms));
        }
        for (const SweepRecord* r : by_point[p]) {
            if (!r) continue;
            ++ps.runs;
            if (!r->ok) ++ps.failed;
        }
        out.push_back(std::move(ps));
    }
    return out;
}

}  // namespace tcpsim
