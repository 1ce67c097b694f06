#pragma once
// Least-squares fits of a metric against varied parameters, over every successful run (not the
// point means, so each run weighs the same):
//   linear:                 y = a + b1*x1 + b2*x2 ...            (R^2 of y)
//   power:                  y = C * x1^k1 * x2^k2 ...            fitted as log y = log C + k1 log x1 ...
//                                                                (R^2 of log y; runs with y <= 0 or
//                                                                x <= 0 are left out and counted)
//   power with "exponents": y = C * x1^e1 * x2^e2 ... with the e given: only C is fitted, through
//                           the origin, and R^2 = 1 - SS_res / SS_tot of y about its mean (it
//                           can be negative when the model fits worse than a constant).
// E.g. the Mathis et al. model goodput = (MSS/RTT) * C/sqrt(p) is the power law in (delay, loss)
// with exponents [-1, -0.5]; C then absorbs MSS and the RTT/delay factor.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "sim/sweep/sweep_results.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace tcpsim {

struct LeastSquares {
    Eigen::VectorXd coefficients;
    double r2 = 0;
    bool full_rank = true;
};
// Minimises |X b - y|^2 (column-pivoting Householder QR). R^2 = 1 - SS_res / SS_tot, SS_tot
// about the mean of y.
LeastSquares least_squares(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);

struct FitResult {
    std::string metric;
    std::string model;                                      // "linear" or "power"
    std::vector<std::string> against;                       // parameter names
    std::string formula;                                    // human-readable, with the coefficients
    std::vector<std::pair<std::string, double>> coefficients;  // "a","b_x" / "C","k_x"
    double r2 = 0;
    uint64_t n = 0;         // runs used
    uint64_t excluded = 0;  // runs with a value that the model cannot take (log of <= 0)
    std::string error;      // not enough data, a parameter that does not vary ...; empty if fitted
};

FitResult fit_sweep(const SweepSpec& spec, const SweepFit& fit, const std::vector<SweepRecord>& records);

// A parameter value as a number: numbers as they are, strings with a unit in the base unit
// (durations in seconds, bandwidths in bit/s, sizes in bytes); nullopt for anything else.
std::optional<double> numeric_parameter(const Json& value);

}  // namespace tcpsim
