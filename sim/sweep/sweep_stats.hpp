#pragma once
// Statistics per parameter point, over the point's replications: for a numeric metric the
// number of runs that gave a value, mean, sample standard deviation (n - 1), the two-sided 95%
// confidence interval of the mean by Student's t (mean +- t(0.975, n - 1) * sd / sqrt(n)), min
// and max; for a categorical metric the count of each value. Failed runs and null values (a
// metric a run does not have) are left out and counted.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/json/json_reader.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace tcpsim {

struct NumericStats {
    uint64_t n = 0;
    // NaN when undefined: everything with n = 0; sd and the interval with n = 1.
    double mean = 0, sd = 0, ci_low = 0, ci_high = 0, min = 0, max = 0;
};

// The statistics of one sample (Eigen does the sums).
NumericStats describe_sample(const std::vector<double>& values, double confidence = 0.95);

// The p-quantile of Student's t distribution with df degrees of freedom (Boost.Math).
double student_t_quantile(double p, double df);

struct MetricStats {
    std::string metric;
    bool numeric = true;
    NumericStats num;
    std::map<std::string, uint64_t> counts;  // categorical: value -> runs
};

struct PointStats {
    uint64_t point = 0;
    Json params = Json::object();
    uint64_t runs = 0;    // records of this point in the plan
    uint64_t failed = 0;  // of which status "error"
    std::vector<MetricStats> metrics;  // in the spec's order
};

// One entry per point of the plan, in point order. Records of runs outside the plan (e.g. more
// replications than the spec now asks for) are ignored; the order of `records` does not matter
// (values are taken in replication order, so sums come out the same whatever produced them).
std::vector<PointStats> point_statistics(const SweepSpec& spec, const std::vector<SweepRecord>& records);

}  // namespace tcpsim
