#include "sim/sweep/sweep_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <boost/math/distributions/students_t.hpp>

#include "sim/sweep/sweep_plan.hpp"

// Boost.Math gives each special function an "initializer": a static object whose constructor
// calls the function on a few arguments before main(), so that the function's own constants are
// set up before two threads could race for them (C++11 made function-local statics thread-safe).
// Linked into tcpsim, that was every process computing erf, erfc_inv, lgamma, gamma_p and expm1
// in long double at start-up, for the sweep statistics alone. It also broke valgrind under
// link-time optimisation: valgrind computes long double as double, so erfc_inv(1e-800L) is
// erfc_inv(0), an overflow error thrown before main() (Boost skips that call when the constant
// reads as zero at run time, a test that LTO folds at compile time). The initializers of the
// functions student_t_quantile uses do nothing here: each function sets itself up when first
// called. (They must be declared before the quantile is instantiated below; nm on tcpsim shows
// no "initializer" guard variable when they match what Boost instantiates.)
namespace boost::math {
namespace detail {
using StudentsTPolicy = policies::normalise<policies::policy<>, policies::promote_float<false>, policies::promote_double<false>,
                                            policies::discrete_quantile<>, policies::assert_undefined<>>::type;
using LongDoubleTag = boost::integral_constant<int, 64>;
template <>
struct erf_initializer<long double, StudentsTPolicy, LongDoubleTag> {
    static void force_instantiate() {}
};
template <>
struct erf_inv_initializer<long double, StudentsTPolicy> {
    static void force_instantiate() {}
};
template <>
struct expm1_initializer<long double, StudentsTPolicy, LongDoubleTag> {
    static void force_instantiate() {}
};
template <>
struct igamma_initializer<long double, StudentsTPolicy> {
    static void force_instantiate() {}
};
template <>
struct lgamma_initializer<long double, StudentsTPolicy> {
    static void force_instantiate() {}
};
}  // namespace detail
namespace lanczos {
template <>
struct lanczos_initializer<lanczos17m64, long double> {
    static void force_instantiate() {}
};
}  // namespace lanczos
}  // namespace boost::math

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
