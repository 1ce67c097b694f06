#include "models/sweep/sweep_runner.hpp"

#include <chrono>

#include "models/scenario/scenario_config.hpp"
#include "models/scenario/world.hpp"
#include "models/sweep/sweep_metrics.hpp"

namespace tcpsim {

namespace {

ScenarioConfig parse_base(const SweepSpec& spec, const Json& doc) {
    try {
        return parse_scenario(doc, spec.scenario_file);
    } catch (const InputError& e) {
        // An inline scenario's fields are in the sweep file, under /scenario.
        if (spec.scenario_inline) throw InputError(spec.file, "/scenario" + e.pointer(), e.message());
        throw;
    }
}

std::vector<double> tcp_app_starts(const ScenarioConfig& c) {
    std::vector<double> starts;
    for (const auto& app : c.applications)
        if (const auto* a = std::get_if<TcpAppSpec>(&app)) starts.insert(starts.end(), a->copies, a->start.to_seconds());
    return starts;
}

std::string values_text(const SweepSpec& spec, const SweepPoint& p) {
    std::string s;
    for (size_t i = 0; i < spec.parameters.size(); ++i)
        s += (i ? ", " : "") + spec.parameters[i].name + " = " + p.values[i].dump();
    return s;
}

}  // namespace

void validate_sweep_scenarios(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
    ScenarioConfig base = parse_base(spec, spec.scenario);
    const size_t apps = tcp_app_starts(base).size();
    for (size_t m = 0; m < spec.metrics.size(); ++m) {
        const std::string& name = spec.metrics[m].name;
        auto open = name.find('[');
        if (open != std::string::npos && std::stoul(name.substr(open + 1)) >= apps)
            throw InputError(spec.file, spec.metric_where[m],
                             "\"" + name + "\" names an application the scenario does not have (it has " +
                                 std::to_string(apps) + " TCP application(s), numbered from 0)");
    }
    for (const SweepPoint& p : points) {
        Json doc = apply_point(spec, p);
        try {
            parse_scenario(doc, spec.scenario_file);
        } catch (const InputError& e) {
            // Name the parameter whose pointer leads to the bad field, else the whole "vary".
            std::string where = "/vary";
            for (const auto& param : spec.parameters)
                if (e.pointer() == param.pointer || e.pointer().starts_with(param.pointer + "/") ||
                    param.pointer.starts_with(e.pointer() + "/"))
                    where = param.where;
            std::string file = spec.scenario_inline ? "the inline scenario" : e.file();
            throw InputError(spec.file, where, "point " + std::to_string(p.index) + " (" + values_text(spec, p) +
                                                   ") makes an invalid scenario: " + file + ": " +
                                                   (e.pointer().empty() ? "(document)" : e.pointer()) + ": " + e.message());
        }
    }
}

SweepRecord run_sweep_run(const SweepSpec& spec, const SweepPoint& point, const SweepRunId& id) {
    return *run_sweep_run(spec, point, id, nullptr);
}

std::optional<SweepRecord> run_sweep_run(const SweepSpec& spec, const SweepPoint& point, const SweepRunId& id,
                                         const volatile std::sig_atomic_t* interrupt) {
    SweepRecord rec;
    rec.run = id.run;
    rec.point = id.point;
    rec.replication = id.replication;
    rec.seed = id.seed;
    rec.params = point_parameters(spec, point);
    auto wall_start = std::chrono::steady_clock::now();
    try {
        ScenarioConfig config = parse_scenario(apply_point(spec, point), spec.scenario_file);
        config.seed = id.seed;
        RunOptions options;  // no trace, no tcpdump-like lines
        options.keep_summary = true;
        options.interrupt = interrupt;
        World world(config, options);
        RunResult r = world.run();
        if (r.reason == StopReason::interrupted) return std::nullopt;
        rec.metrics = extract_metrics(world.summary_json(), tcp_app_starts(config), spec.metrics);
        rec.sim = {{"stop_reason", std::string(to_string(r.reason))},
                   {"end_time", r.end_time.to_seconds()},
                   {"events", r.events}};
    } catch (const std::exception& e) {
        rec.ok = false;
        rec.error = e.what();
        rec.metrics = Json::object();
        rec.sim = Json::object();
    }
    rec.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    return rec;
}

}  // namespace tcpsim
