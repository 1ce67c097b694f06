#include "sim/sweep/sweep_fit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <Eigen/QR>

#include "sim/sweep/sweep_plan.hpp"

namespace tcpsim {

LeastSquares least_squares(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
    LeastSquares r;
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
    r.full_rank = qr.rank() == x.cols();
    r.coefficients = qr.solve(y);
    double ss_res = (x * r.coefficients - y).squaredNorm();
    double ss_tot = (y.array() - y.mean()).square().sum();
    r.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
    return r;
}

std::optional<double> numeric_parameter(const Json& v) {
    if (v.is_number()) return v.get<double>();
    if (!v.is_string()) return std::nullopt;
    if (auto t = parse_duration(v)) return t->to_seconds();
    if (auto b = parse_bandwidth(v)) return static_cast<double>(*b);
    if (auto s = parse_byte_size(v)) return static_cast<double>(*s);
    return std::nullopt;
}

namespace {

std::string g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

FitResult fit_sweep(const SweepSpec& spec, const SweepFit& fit, const std::vector<SweepRecord>& records) {
    FitResult out;
    out.metric = fit.metric;
    const bool power = fit.model == SweepFit::Model::power;
    const bool fixed = power && !fit.exponents.empty();
    out.model = power ? "power" : "linear";
    for (size_t a : fit.against) out.against.push_back(spec.parameters[a].name);

    // The data, in run order.
    std::vector<const SweepRecord*> runs;
    for (const auto& r : records)
        if (r.ok && r.point < spec.point_count() && r.replication < spec.replications) runs.push_back(&r);
    std::sort(runs.begin(), runs.end(), [](auto* a, auto* b) { return a->point != b->point ? a->point < b->point : a->replication < b->replication; });
    std::vector<std::vector<double>> xs;
    std::vector<double> ys;
    for (const SweepRecord* r : runs) {
        auto it = r->metrics.find(fit.metric);
        if (it == r->metrics.end() || !it->is_number()) continue;
        double y = it->get<double>();
        SweepPoint p = sweep_point(spec, r->point);
        std::vector<double> x;
        bool usable = true;
        for (size_t a : fit.against) {
            auto v = numeric_parameter(p.values[a]);
            if (!v) {
                out.error = "the parameter \"" + spec.parameters[a].name + "\" has a value that is not a number: " +
                            describe_json_value(p.values[a]);
                return out;
            }
            if (power && *v <= 0) usable = false;
            x.push_back(*v);
        }
        if (power && !fixed && y <= 0) usable = false;
        if (!usable) {
            ++out.excluded;
            continue;
        }
        xs.push_back(std::move(x));
        ys.push_back(y);
    }
    const auto n = static_cast<Eigen::Index>(ys.size());
    const auto k = static_cast<Eigen::Index>(fit.against.size());
    const Eigen::Index cols = fixed ? 1 : k + 1;
    out.n = ys.size();
    if (n < cols + 1) {
        out.error = "not enough runs with a value (" + std::to_string(n) + ") for " + std::to_string(cols) +
                    " coefficient(s)";
        return out;
    }
    Eigen::MatrixXd x(n, cols);
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& row = xs[static_cast<size_t>(i)];
        double yi = ys[static_cast<size_t>(i)];
        if (fixed) {
            double f = 1;
            for (Eigen::Index j = 0; j < k; ++j) f *= std::pow(row[static_cast<size_t>(j)], fit.exponents[static_cast<size_t>(j)]);
            x(i, 0) = f;
            y(i) = yi;
        } else {
            x(i, 0) = 1;
            for (Eigen::Index j = 0; j < k; ++j) x(i, j + 1) = power ? std::log(row[static_cast<size_t>(j)]) : row[static_cast<size_t>(j)];
            y(i) = power ? std::log(yi) : yi;
        }
    }
    LeastSquares ls = least_squares(x, y);
    if (!ls.full_rank) {
        out.error = "the parameters do not vary independently enough to fit " + std::to_string(cols) + " coefficient(s)";
        return out;
    }
    out.r2 = ls.r2;
    std::string formula = fit.metric + " = ";
    if (fixed) {
        out.coefficients.emplace_back("C", ls.coefficients(0));
        formula += g(ls.coefficients(0));
        for (Eigen::Index j = 0; j < k; ++j)
            formula += " * " + out.against[static_cast<size_t>(j)] + "^" + g(fit.exponents[static_cast<size_t>(j)]);
    } else if (power) {
        out.coefficients.emplace_back("C", std::exp(ls.coefficients(0)));
        formula += g(std::exp(ls.coefficients(0)));
        for (Eigen::Index j = 0; j < k; ++j) {
            out.coefficients.emplace_back("k_" + out.against[static_cast<size_t>(j)], ls.coefficients(j + 1));
            formula += " * " + out.against[static_cast<size_t>(j)] + "^" + g(ls.coefficients(j + 1));
        }
    } else {
        out.coefficients.emplace_back("a", ls.coefficients(0));
        formula += g(ls.coefficients(0));
        for (Eigen::Index j = 0; j < k; ++j) {
            out.coefficients.emplace_back("b_" + out.against[static_cast<size_t>(j)], ls.coefficients(j + 1));
            formula += " + " + g(ls.coefficients(j + 1)) + " * " + out.against[static_cast<size_t>(j)];
        }
    }
    out.formula = formula;
    return out;
}

}  // namespace tcpsim
