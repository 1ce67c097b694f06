// Sweep statistics (mean, sd, Student-t confidence interval, min/max), least-squares fits and
// the metrics read from a run's summary, against values worked out by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "models/sweep/sweep_metrics.hpp"
#include "models/sweep/sweep_runner.hpp"
#include "sim/sweep/sweep_fit.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_stats.hpp"

using namespace tcpsim;
using doctest::Approx;

namespace {

// A catalog with one numeric and one categorical metric, for sweeps built by hand.
const std::vector<SweepMetricInfo> kCatalog = {{"y", true, false, ""}, {"kind", false, false, ""}};

const Json kScenario = Json::parse(R"({"name": "s", "duration": "1s", "nodes": [{"name": "a"}]})");

SweepSpec spec_with(const Json& vary, const Json& extra, const std::vector<std::string>& order) {
    Json d = {{"name", "t"}, {"scenario", kScenario}, {"vary", vary}, {"metrics", {"y", "kind"}}};
    for (auto it = extra.begin(); it != extra.end(); ++it) d[it.key()] = it.value();
    return parse_sweep(d, "t.json", kCatalog, order);
}

SweepRecord record(const SweepSpec& s, uint64_t point, uint64_t replication, Json y, std::string kind = "a") {
    SweepRecord r;
    r.point = point;
    r.replication = replication;
    r.run = point * s.replications + replication;
    r.seed = derive_seed(s.seed, s.seed_mode, point, replication);
    r.params = point_parameters(s, sweep_point(s, point));
    r.metrics = {{"y", y}, {"kind", kind}};
    return r;
}

}  // namespace

TEST_CASE("Student t quantiles match the printed tables") {
    // t(0.975, df) from any table: 12.706 (1), 4.303 (2), 2.776 (4), 2.365 (7), 2.045 (29).
    CHECK(student_t_quantile(0.975, 1) == Approx(12.7062).epsilon(1e-5));
    CHECK(student_t_quantile(0.975, 2) == Approx(4.30265).epsilon(1e-5));
    CHECK(student_t_quantile(0.975, 4) == Approx(2.77645).epsilon(1e-5));
    CHECK(student_t_quantile(0.975, 7) == Approx(2.36462).epsilon(1e-5));
    CHECK(student_t_quantile(0.975, 29) == Approx(2.04523).epsilon(1e-5));
}

TEST_CASE("mean, sample sd, 95% CI, min and max of a sample, worked by hand") {
    // {2, 4, 4, 4, 5, 5, 7, 9}: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
    // sd = sqrt(32/7) = 2.138090; half-width t(0.975, 7) * sd / sqrt(8) = 2.364624 * 0.755929 = 1.787489.
    NumericStats s = describe_sample({2, 4, 4, 4, 5, 5, 7, 9});
    CHECK(s.n == 8);
    CHECK(s.mean == Approx(5.0));
    CHECK(s.sd == Approx(2.138090).epsilon(1e-6));
    CHECK(s.ci_low == Approx(5 - 1.787489).epsilon(1e-6));
    CHECK(s.ci_high == Approx(5 + 1.787489).epsilon(1e-6));
    CHECK(s.min == 2);
    CHECK(s.max == 9);
}

TEST_CASE("one value has a mean but no sd or interval, no value has nothing") {
    NumericStats one = describe_sample({3.5});
    CHECK(one.n == 1);
    CHECK(one.mean == 3.5);
    CHECK(std::isnan(one.sd));
    CHECK(std::isnan(one.ci_low));
    NumericStats none = describe_sample({});
    CHECK(none.n == 0);
    CHECK(std::isnan(none.mean));
}

TEST_CASE("point statistics: replications in order, failed runs and nulls left out, categories counted") {
    SweepSpec s = spec_with({{"/x", {1, 2}}}, {{"replications", 4}}, {});
    std::vector<SweepRecord> recs;
    // Point 1 first and shuffled: the order of the file must not matter.
    recs.push_back(record(s, 1, 3, 6.0, "b"));
    recs.push_back(record(s, 1, 0, 1.0));
    recs.push_back(record(s, 1, 2, nullptr));  // a run without the metric
    recs.push_back(record(s, 1, 1, 2.0, "b"));
    recs.push_back(record(s, 0, 0, 10.0));
    SweepRecord failed = record(s, 0, 1, 99.0);
    failed.ok = false;
    failed.error = "boom";
    recs.push_back(failed);
    auto stats = point_statistics(s, recs);
    REQUIRE(stats.size() == 2);
    CHECK(stats[0].runs == 2);
    CHECK(stats[0].failed == 1);
    CHECK(stats[0].metrics[0].num.n == 1);  // the failed run's 99 is not counted
    CHECK(stats[0].metrics[0].num.mean == 10.0);
    CHECK(stats[0].params == Json{{"/x", 1}});
    // Point 1: y = {1, 2, 6}: mean 3, sd sqrt((4+1+9)/2) = sqrt(7) = 2.645751;
    // half-width t(0.975, 2) * sqrt(7)/sqrt(3) = 4.302653 * 1.527525 = 6.572411.
    const MetricStats& y = stats[1].metrics[0];
    CHECK(stats[1].runs == 4);
    CHECK(y.num.n == 3);
    CHECK(y.num.mean == Approx(3.0));
    CHECK(y.num.sd == Approx(2.645751).epsilon(1e-6));
    CHECK(y.num.ci_high == Approx(3 + 6.572411).epsilon(1e-6));
    const MetricStats& kind = stats[1].metrics[1];
    CHECK_FALSE(kind.numeric);
    CHECK(kind.counts == std::map<std::string, uint64_t>{{"a", 2}, {"b", 2}});
}

TEST_CASE("a power-law fit recovers the constant and exponents of exact synthetic data") {
    // y = 3 * x1^-1 * x2^-0.5 on a 3 x 3 grid, 2 replications: log y = log 3 - log x1 - 0.5 log x2.
    SweepSpec s = spec_with({{"/d", {{"values", {0.01, 0.02, 0.04}}, {"name", "d"}}}, {"/p", {{"values", {0.001, 0.01, 0.1}}, {"name", "p"}}}},
                            {{"replications", 2}, {"fit", {{{"metric", "y"}, {"against", {"d", "p"}}}}}}, {"/d", "/p"});
    std::vector<SweepRecord> recs;
    for (const auto& pt : sweep_points(s))
        for (uint64_t r = 0; r < 2; ++r) {
            double d = pt.values[0].get<double>(), p = pt.values[1].get<double>();
            recs.push_back(record(s, pt.index, r, 3 / (d * std::sqrt(p))));
        }
    FitResult f = fit_sweep(s, s.fits[0], recs);
    REQUIRE(f.error.empty());
    CHECK(f.n == 18);
    REQUIRE(f.coefficients.size() == 3);
    CHECK(f.coefficients[0].first == "C");
    CHECK(f.coefficients[0].second == Approx(3.0).epsilon(1e-9));
    CHECK(f.coefficients[1].first == "k_d");
    CHECK(f.coefficients[1].second == Approx(-1.0).epsilon(1e-9));
    CHECK(f.coefficients[2].second == Approx(-0.5).epsilon(1e-9));
    CHECK(f.r2 == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("a power law with given exponents fits only the constant, by least squares through the origin") {
    // y = C * d^-1 with y = {2, 1.1, 0.45} at d = {1, 2, 4}: f = {1, 0.5, 0.25};
    // C = sum(y f) / sum(f^2) = (2 + 0.55 + 0.1125) / (1 + 0.25 + 0.0625) = 2.6625 / 1.3125 = 2.028571.
    // Residuals y - C f = {-0.028571, 0.085714, -0.057143}: SS_res = 0.011429;
    // mean y = 1.183333, SS_tot = 0.667222 + 0.006944 + 0.537778 = 1.211667; R^2 = 1 - 0.011429/1.211667 = 0.990567.
    SweepSpec s = spec_with({{"/d", {1, 2, 4}}},
                            {{"fit", {{{"metric", "y"}, {"against", "/d"}, {"exponents", {-1}}}}}}, {});
    std::vector<SweepRecord> recs = {record(s, 0, 0, 2.0), record(s, 1, 0, 1.1), record(s, 2, 0, 0.45)};
    FitResult f = fit_sweep(s, s.fits[0], recs);
    REQUIRE(f.error.empty());
    REQUIRE(f.coefficients.size() == 1);
    CHECK(f.coefficients[0].second == Approx(2.028571).epsilon(1e-6));
    CHECK(f.r2 == Approx(0.990567).epsilon(1e-5));
}

TEST_CASE("a linear fit recovers intercept and slopes, a parameter that does not vary is reported") {
    // y = 2 + 0.5 x - 3 z on a 4 x 2 grid.
    SweepSpec s = spec_with({{"/x", {0, 1, 4, 5}}, {"/z", {1, 2}}},
                            {{"fit", {{{"metric", "y"}, {"against", {"/x", "/z"}}, {"model", "linear"}}}}}, {"/x", "/z"});
    std::vector<SweepRecord> recs;
    for (const auto& pt : sweep_points(s))
        recs.push_back(record(s, pt.index, 0, 2 + 0.5 * pt.values[0].get<double>() - 3 * pt.values[1].get<double>()));
    FitResult f = fit_sweep(s, s.fits[0], recs);
    REQUIRE(f.error.empty());
    CHECK(f.coefficients[0].second == Approx(2.0));
    CHECK(f.coefficients[1].second == Approx(0.5));
    CHECK(f.coefficients[2].second == Approx(-3.0));
    CHECK(f.r2 == Approx(1.0));
    // Only the points with z = 1: z no longer varies, two coefficients cannot be told apart.
    std::vector<SweepRecord> flat = {recs[0], recs[2], recs[4], recs[6]};
    CHECK(fit_sweep(s, s.fits[0], flat).error.find("do not vary independently") != std::string::npos);
}

TEST_CASE("parameter values with units are numbers in the base unit for fits") {
    CHECK(*numeric_parameter(Json("20ms")) == Approx(0.02));
    CHECK(*numeric_parameter(Json("10Mbps")) == 1e7);
    CHECK(*numeric_parameter(Json("64KB")) == 64000);
    CHECK(*numeric_parameter(Json(0.5)) == 0.5);
    CHECK_FALSE(numeric_parameter(Json("cubic")));
}

namespace {

const std::vector<SweepMetricInfo>& all_metrics() {
    static std::vector<SweepMetricInfo> all = [] {
        std::vector<SweepMetricInfo> v = sweep_metric_catalog();
        v.push_back({"goodput_bps[1]", true, true, ""});
        v.push_back({"handshake_time[1]", true, true, ""});
        v.push_back({"goodput_bps[5]", true, true, ""});
        return v;
    }();
    return all;
}

}  // namespace

TEST_CASE("metrics from a summary: aggregates over applications, Jain's index, absent fields are null") {
    // Two bulk applications (4 and 2 Mbit/s) and an idle one; app 1 started at 0.5 s. Only the
    // first reports fast_retransmits (as a newer summary would): the run's sum counts what is there.
    Json summary = Json::parse(R"({
      "run": {"stop_reason": "all_finished", "end_time": 12.5},
      "drops": {"queue_full": 5, "loss_model": 3, "link_down": 1, "no_route": 0, "ttl_expired": 0},
      "applications": [
        {"type": "bulk", "goodput_bps": 4e6, "completed_at": 2.0, "streams_intact": true,
         "client": {"outcome": "normal", "connected_at": 0.04, "retransmissions": 3, "rto_expirations": 1, "syn_retransmissions": 0, "fast_retransmits": 2},
         "server": {"outcome": "normal", "retransmissions": 1, "rto_expirations": 0, "syn_retransmissions": 1, "fast_retransmits": 0}},
        {"type": "bulk", "goodput_bps": 2e6, "completed_at": 4.5, "streams_intact": false,
         "client": {"outcome": "normal", "connected_at": 0.6, "retransmissions": 0, "rto_expirations": 0, "syn_retransmissions": 0},
         "server": {"outcome": "normal", "retransmissions": 0, "rto_expirations": 0, "syn_retransmissions": 0}},
        {"type": "idle", "streams_intact": true,
         "client": {"outcome": "keepalive timeout", "connected_at": 0.02, "closed_at": 30.02, "retransmissions": 0, "rto_expirations": 0, "syn_retransmissions": 0},
         "server": {"outcome": "open", "retransmissions": 0, "rto_expirations": 0, "syn_retransmissions": 0}}]})");
    Json m = extract_metrics(summary, {0.0, 0.5, 0.0}, all_metrics());
    CHECK(m["goodput_bps"] == Approx(3e6));             // (4 + 2) / 2, the idle one has none
    CHECK(m["goodput_bps[1]"] == Approx(2e6));
    CHECK(m["goodput_bps[5]"].is_null());                // no such application
    CHECK(m["completion_time"] == Approx(4.0));         // max(2.0 - 0, 4.5 - 0.5); idle apps do not complete
    CHECK(m["handshake_time"] == Approx((0.04 + 0.1 + 0.02) / 3));
    CHECK(m["handshake_time[1]"] == Approx(0.1));        // 0.6 - 0.5
    CHECK(m["retransmissions"] == 4);                    // 3 + 1
    CHECK(m["retransmissions"].is_number_integer());
    CHECK(m["rto_expirations"] == 1);
    CHECK(m["syn_retransmissions"] == 1);
    CHECK(m["fast_retransmits"] == 2);                   // only app 0 has the field
    CHECK(m["spurious_retransmits"].is_null());          // nobody has it
    CHECK(m["max_cwnd"].is_null());
    CHECK(m["mean_rtt"].is_null());
    CHECK(m["keepalive_close_time"] == Approx(30.02));
    CHECK(m["outcome"] == "mixed");                      // normal, normal, keepalive timeout
    CHECK(m["streams_intact"] == Approx(2.0 / 3));
    // Jain: (4 + 2)^2 / (2 * (16 + 4)) = 36 / 40 = 0.9
    CHECK(m["jain_index"] == Approx(0.9));
    CHECK(m["queue_drops"] == 5);
    CHECK(m["loss_drops"] == 3);
    CHECK(m["drops"] == 9);
    CHECK(m["end_time"] == 12.5);
    CHECK(m["stop_reason"] == "all_finished");
}

TEST_CASE("a summary with an unfinished transfer and no applications gives nulls, not errors") {
    Json unfinished = Json::parse(R"({"run": {}, "applications": [
        {"type": "bulk", "client": {"outcome": "open"}, "server": {}}]})");
    Json m = extract_metrics(unfinished, {0.0}, all_metrics());
    CHECK(m["completion_time"].is_null());
    CHECK(m["goodput_bps"].is_null());
    CHECK(m["jain_index"].is_null());
    CHECK(m["handshake_time"].is_null());
    CHECK(m["retransmissions"].is_null());
    CHECK(m["outcome"] == "open");
    CHECK(m["queue_drops"].is_null());
    Json empty = extract_metrics(Json::object(), {}, all_metrics());
    CHECK(empty["outcome"].is_null());
    CHECK(empty["end_time"].is_null());
}

TEST_CASE("a sweep run of the dead-peer scenario reports the keepalive close time idle + count * interval after the last segment") {
    // keepalive-dead-peer: idle 10 s, 10 probes 2 s apart; the client last hears from the server
    // when the handshake completes (its connected_at, = handshake_time as the app starts at 0),
    // so it closes 10 + 10 * 2 = 30 s later.
    Json doc = {{"name", "ka"},
                {"scenario", std::string(TCPSIM_SOURCE_DIR) + "/scenarios/keepalive-dead-peer.json"},
                {"vary", {{"/applications/0/tcp/keepalive/interval", {"2s", "3s"}}}},
                {"metrics", {"keepalive_close_time", "handshake_time", "outcome"}}};
    SweepSpec s = parse_sweep(doc, "/ka.json", sweep_metric_catalog());
    auto points = sweep_points(s);
    validate_sweep_scenarios(s, points);
    SweepRecord r2 = run_sweep_run(s, points[0], sweep_run(s, 0));
    SweepRecord r3 = run_sweep_run(s, points[1], sweep_run(s, 1));
    REQUIRE(r2.ok);
    REQUIRE(r3.ok);
    CHECK(r2.metrics["outcome"] == "keepalive timeout");
    CHECK(r2.metrics["keepalive_close_time"].get<double>() ==
          Approx(r2.metrics["handshake_time"].get<double>() + 30).epsilon(1e-12));
    CHECK(r3.metrics["keepalive_close_time"].get<double>() ==
          Approx(r3.metrics["handshake_time"].get<double>() + 40).epsilon(1e-12));  // 10 + 10 * 3
    CHECK(r2.sim["stop_reason"].is_string());
    CHECK(r2.params == Json{{"/applications/0/tcp/keepalive/interval", "2s"}});
}

TEST_CASE("a run whose scenario cannot be built is recorded as an error with the message") {
    Json doc = {{"name", "bad"},
                {"scenario", kScenario},
                {"vary", {{"/duration", {"1s", "-1s"}}}}};
    SweepSpec s = parse_sweep(doc, "bad.json", sweep_metric_catalog());
    SweepRecord good = run_sweep_run(s, sweep_point(s, 0), sweep_run(s, 0));
    SweepRecord bad = run_sweep_run(s, sweep_point(s, 1), sweep_run(s, 1));
    CHECK(good.ok);
    CHECK_FALSE(bad.ok);
    CHECK(bad.error.find("/duration") != std::string::npos);
    CHECK(bad.to_line().find("\"status\":\"error\"") != std::string::npos);
}
