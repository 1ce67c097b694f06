#include "tools/tcpsim/sweep_cli.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include <unistd.h>

#include <boost/program_options.hpp>

#include "models/sweep/sweep_metrics.hpp"
#include "models/sweep/sweep_runner.hpp"
#include "sim/core/os_error.hpp"
#include "sim/sweep/sweep_fit.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_pool.hpp"
#include "sim/sweep/sweep_progress.hpp"
#include "sim/sweep/sweep_report.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/sweep/sweep_stats.hpp"
#include "tools/tcpsim/exit_codes.hpp"
#include "tools/tcpsim/interrupt.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace tcpsim {

namespace {

struct SweepUsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A failure while running (writing files, missing shards): exit 1.
struct SweepFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

uint64_t parse_count(const std::string& option, const std::string& text, uint64_t min) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min)
        throw SweepUsageError(option + " expects an integer >= " + std::to_string(min) + ", got \"" + text + "\"");
    return v;
}

po::variables_map parse(const po::options_description& visible, const std::string& positional_name,
                        const std::vector<std::string>& args) {
    po::options_description all;
    all.add(visible).add_options()(positional_name.c_str(), po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add(positional_name.c_str(), -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw SweepUsageError(e.what());
    }
    return vm;
}

SweepSpec load_spec(const std::string& file, const po::variables_map& vm) {
    SweepSpec spec = load_sweep(file, sweep_metric_catalog());
    if (vm.count("replications")) {
        spec.replications = parse_count("--replications", vm["replications"].as<std::string>(), 1);
        if (spec.run_count() > kMaxSweepRuns)
            throw SweepUsageError("--replications: at most " + std::to_string(kMaxSweepRuns) + " runs in all");
    }
    return spec;
}

// Every record must be a run of this sweep: the same parameters and seed as the plan says, and
// a replication the plan has (run indices are renumbered for the plan's replications).
void check_records(const SweepSpec& spec, const std::vector<SweepPoint>& points, const std::vector<SweepRecord>& records,
                   const std::string& file) {
    for (size_t i = 0; i < records.size(); ++i) {
        const SweepRecord& r = records[i];
        std::string what = "record " + std::to_string(i + 1) + " (point " + std::to_string(r.point) + ", replication " +
                           std::to_string(r.replication) + ")";
        if (r.point >= points.size())
            throw InputError(file, "", what + " is not in this sweep, which has " + std::to_string(points.size()) +
                                           " points: the file belongs to another sweep or an older version of it");
        if (r.replication >= spec.replications)
            throw InputError(file, "", what + " is beyond the " + std::to_string(spec.replications) +
                                           " replication(s) asked for: give --replications " +
                                           std::to_string(r.replication + 1) + " or more");
        if (r.params != point_parameters(spec, points[r.point]) ||
            r.seed != derive_seed(spec.seed, spec.seed_mode, r.point, r.replication))
            throw InputError(file, "", what + " has other parameters or another seed than this sweep gives it: "
                                              "the file belongs to another sweep or an older version of it");
    }
}

std::pair<uint64_t, uint64_t> key_of(const SweepRecord& r) { return {r.point, r.replication}; }

// The run indices of records are renumbered for the plan's replications (a sweep resumed with
// more replications keeps its runs; only their index moves).
void renumber(const SweepSpec& spec, std::vector<SweepRecord>& records) {
    for (auto& r : records) r.run = r.point * spec.replications + r.replication;
}

std::string stats_path(const fs::path& dir, const SweepSpec& spec, const char* ext) {
    return (dir / (spec.name + ".stats." + ext)).string();
}

void write_text_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw SweepFailure("cannot open \"" + path + "\" for writing: " + system_reason(errno));
    f << text;
    f.close();
    if (!f) throw SweepFailure("cannot write \"" + path + "\": " + system_reason(errno));
}

// Statistics, fits, the two files and the table: the same for `sweep` and `merge`.
void report(const SweepSpec& spec, const std::vector<SweepRecord>& records, const fs::path& dir, std::ostream& out,
            std::ostream& err) {
    auto stats = point_statistics(spec, records);
    std::vector<FitResult> fits;
    for (const auto& f : spec.fits) fits.push_back(fit_sweep(spec, f, records));
    std::ostringstream csv;
    write_statistics_csv(csv, spec, stats);
    write_text_file(stats_path(dir, spec, "csv"), csv.str());
    write_text_file(stats_path(dir, spec, "json"), statistics_json(spec, stats, fits).dump(1) + "\n");
    print_statistics_table(out, spec, stats, fits);
    err << "tcpsim: sweep: statistics: " << stats_path(dir, spec, "csv") << ", " << stats_path(dir, spec, "json") << '\n';
}

po::options_description sweep_options() {
    po::options_description d("tcpsim sweep SWEEP [options]");
    d.add_options()
        ("help,h", "show this help")
        ("jobs,j", po::value<std::string>(), "simulations run at once (default: all cores); results do not depend on it")
        ("replications", po::value<std::string>(), "override the sweep's replications (seeds are per point and replication, so fewer replications run a subset)")
        ("shard", po::value<std::string>(), "K/N: run only the runs whose index is K-1 modulo N (combine the shards with tcpsim merge)")
        ("resume", "continue the results file: skip the runs it holds")
        ("force", "start over when the results file exists")
        ("out-dir", po::value<std::string>()->default_value("."), "directory of the output files")
        ("results", po::value<std::string>(), "results file (default: OUT-DIR/<name>.results.jsonl, or <name>.shard-K-of-N.results.jsonl)")
        ("list", "print the runs (point, replication, seed, parameters) and exit; checks every point's scenario")
        ("quiet,q", "no progress on stderr");
    return d;
}

}  // namespace

int sweep_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        auto d = sweep_options();
        auto vm = parse(d, "sweep-file", args);
        if (vm.count("help")) {
            out << d;
            return kExitOk;
        }
        if (!vm.count("sweep-file")) throw SweepUsageError("sweep needs a sweep file (try scenarios/sweeps/loss-delay-goodput.json)");
        auto files = vm["sweep-file"].as<std::vector<std::string>>();
        if (files.size() != 1) throw SweepUsageError("sweep takes one sweep file, got " + std::to_string(files.size()));
        unsigned jobs = vm.count("jobs") ? static_cast<unsigned>(parse_count("--jobs", vm["jobs"].as<std::string>(), 1))
                                         : default_jobs();
        SweepShard shard;
        if (vm.count("shard")) {
            auto s = parse_shard(vm["shard"].as<std::string>());
            if (!s) throw SweepUsageError("--shard expects K/N with 1 <= K <= N (e.g. 2/8), got \"" + vm["shard"].as<std::string>() + "\"");
            shard = *s;
        }
        if (vm.count("resume") && vm.count("force")) throw SweepUsageError("--resume and --force exclude each other");

        SweepSpec spec = load_spec(files[0], vm);
        std::vector<SweepPoint> points = sweep_points(spec);
        validate_sweep_scenarios(spec, points);

        if (vm.count("list")) {
            for (uint64_t run = 0; run < spec.run_count(); ++run) {
                if (!in_shard(run, shard)) continue;
                SweepRunId id = sweep_run(spec, run);
                out << "run " << id.run << " point " << id.point << " replication " << id.replication << " seed " << id.seed
                    << ' ' << point_parameters(spec, points[id.point]).dump() << '\n';
            }
            return kExitOk;
        }

        fs::path dir = vm["out-dir"].as<std::string>();
        std::string results = vm.count("results") ? vm["results"].as<std::string>()
                              : (dir / (shard.n > 1 ? spec.name + ".shard-" + std::to_string(shard.k) + "-of-" +
                                                          std::to_string(shard.n) + ".results.jsonl"
                                                    : spec.name + ".results.jsonl")).string();
        std::error_code ec;
        bool exists = fs::exists(results, ec);
        if (exists && !vm.count("resume") && !vm.count("force"))
            throw SweepUsageError("the results file \"" + results + "\" exists: --resume continues it, --force starts over");

        std::vector<SweepRecord> records;
        uint64_t keep_bytes = 0;
        if (vm.count("resume")) {
            ResultsFile rf = read_results(results);
            check_records(spec, points, rf.records, results);
            records = std::move(rf.records);
            keep_bytes = rf.valid_bytes;
            if (rf.truncated_tail) err << "tcpsim: sweep: " << results << ": the last line was cut short; that run is redone\n";
        }
        // A run counts as done once, whatever the file holds twice.
        std::set<std::pair<uint64_t, uint64_t>> done;
        {
            std::vector<SweepRecord> unique;
            for (auto& r : records)
                if (done.insert(key_of(r)).second) unique.push_back(std::move(r));
            records = std::move(unique);
        }
        std::vector<uint64_t> todo;
        for (uint64_t run = 0; run < spec.run_count(); ++run) {
            if (!in_shard(run, shard)) continue;
            SweepRunId id = sweep_run(spec, run);
            if (!done.count({id.point, id.replication})) todo.push_back(run);
        }

        if (!dir.empty()) fs::create_directories(dir, ec);
        if (auto parent = fs::path(results).parent_path(); !parent.empty()) fs::create_directories(parent, ec);
        std::unique_ptr<ResultsAppender> appender;
        try {
            appender = std::make_unique<ResultsAppender>(results, keep_bytes, !vm.count("resume"));
        } catch (const std::runtime_error& e) {
            err << "tcpsim: error: " << e.what() << '\n';
            return kExitBadInput;
        }

        err << "tcpsim: sweep: " << spec.name << ": " << points.size() << " points x " << spec.replications
            << " replications = " << spec.run_count() << " runs";
        if (shard.n > 1) err << "; shard " << shard.k << "/" << shard.n;
        if (!done.empty()) err << "; " << done.size() << " already in " << results;
        err << "; " << todo.size() << " to run on " << std::min<size_t>(jobs, std::max<size_t>(todo.size(), 1)) << " thread(s)\n";

        const bool tty = &err == &std::cerr && ::isatty(STDERR_FILENO);
        SweepProgress progress(err, vm.count("quiet") ? SweepProgress::Style::quiet
                                    : tty ? SweepProgress::Style::bar : SweepProgress::Style::lines,
                               todo.size());
        std::mutex records_mutex;
        size_t finished = 0;
        // SIGINT/SIGTERM: no further run starts, the runs in flight stop at their next event and
        // are left out (a resume runs them again); a second signal kills.
        std::optional<InterruptGuard> guard(std::in_place);
        try {
            run_parallel(
                todo.size(), jobs,
                [&](size_t i) {
                    SweepRunId id = sweep_run(spec, todo[i]);
                    std::optional<SweepRecord> rec = run_sweep_run(spec, points[id.point], id, &g_interrupted);
                    if (!rec) return;  // interrupted
                    appender->append(*rec);  // at once: a crash loses only the runs in flight
                    const bool failed = !rec->ok;
                    {
                        std::lock_guard lock(records_mutex);
                        records.push_back(std::move(*rec));
                        ++finished;
                    }
                    progress.run_done(failed);
                },
                &g_interrupted);
        } catch (const std::runtime_error& e) {
            progress.finish();
            err << "tcpsim: error: " << e.what() << "; finished runs are in \"" << results << "\" (--resume continues)\n";
            return kExitFailure;
        }
        const bool interrupted = g_interrupted != 0;
        guard.reset();
        progress.finish();
        appender->close();
        if (interrupted) {
            err << "tcpsim: sweep: interrupted after " << finished << " of " << todo.size() << " runs; they are in \"" << results
                << "\"; continue with the same command and --resume\n";
            return kExitInterrupted;
        }
        renumber(spec, records);
        write_results_sorted(results, records);

        uint64_t failed = 0;
        for (const auto& r : records) failed += r.ok ? 0 : 1;
        err << "tcpsim: sweep: " << todo.size() << " runs in " << progress.elapsed_seconds() << " s wall; results: " << results;
        if (failed) err << "; " << failed << " run(s) failed (status \"error\" in the results)";
        err << '\n';
        if (shard.n > 1) {
            err << "tcpsim: sweep: shard " << shard.k << "/" << shard.n << " done; combine the shards with: tcpsim merge "
                << files[0] << " " << (dir / (spec.name + ".shard-*-of-" + std::to_string(shard.n) + ".results.jsonl")).string()
                << '\n';
            return kExitOk;
        }
        report(spec, records, dir, out, err);
        return kExitOk;
    } catch (const InputError&) {
        throw;  // cli_main reports it: exit 2
    } catch (const SweepUsageError& e) {
        err << "tcpsim: error: " << e.what() << "\n(see tcpsim sweep --help)\n";
        return kExitBadInput;
    } catch (const std::runtime_error& e) {
        // SweepFailure, or a file that could not be written.
        err << "tcpsim: error: " << e.what() << '\n';
        return kExitFailure;
    }
}

int merge_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        po::options_description d("tcpsim merge SWEEP RESULTS... [options]");
        d.add_options()
            ("help,h", "show this help")
            ("out-dir", po::value<std::string>()->default_value("."), "directory of the output files")
            ("replications", po::value<std::string>(), "the --replications the shards were run with, if any")
            ("allow-missing", "compute the statistics even if runs are missing");
        auto vm = parse(d, "files", args);
        if (vm.count("help")) {
            out << d << "\nCombines the results files of a sweep's shards (any order, duplicates of the same run\n"
                        "allowed) into OUT-DIR/<name>.results.jsonl and the statistics, exactly as one\n"
                        "unsharded run of the sweep writes them.\n";
            return kExitOk;
        }
        if (!vm.count("files")) throw SweepUsageError("merge needs the sweep file and at least one results file");
        auto files = vm["files"].as<std::vector<std::string>>();
        if (files.size() < 2) throw SweepUsageError("merge needs the sweep file and at least one results file");

        SweepSpec spec = load_spec(files[0], vm);
        std::vector<SweepPoint> points = sweep_points(spec);
        std::map<std::pair<uint64_t, uint64_t>, SweepRecord> merged;
        for (size_t f = 1; f < files.size(); ++f) {
            if (!fs::exists(files[f])) throw InputError(files[f], "", "cannot open file: " + system_reason(ENOENT));
            ResultsFile rf = read_results(files[f]);
            if (rf.truncated_tail) err << "tcpsim: merge: " << files[f] << ": the last line was cut short and is left out\n";
            check_records(spec, points, rf.records, files[f]);
            for (auto& r : rf.records) {
                auto [it, fresh] = merged.emplace(key_of(r), r);
                if (!fresh && it->second.to_line_without_wall() != r.to_line_without_wall())
                    throw InputError(files[f], "", "point " + std::to_string(r.point) + " replication " +
                                                       std::to_string(r.replication) +
                                                       " has a different result in another file: were the shards run "
                                                       "with different versions of tcpsim or of the scenario?");
            }
        }
        std::vector<SweepRecord> records;
        for (auto& [key, r] : merged) records.push_back(std::move(r));
        renumber(spec, records);
        uint64_t missing = 0;
        std::string first_missing;
        for (uint64_t run = 0; run < spec.run_count(); ++run) {
            SweepRunId id = sweep_run(spec, run);
            if (!merged.count({id.point, id.replication}) && missing++ == 0) first_missing = std::to_string(run);
        }
        if (missing) {
            err << "tcpsim: merge: " << missing << " of " << spec.run_count() << " runs are missing (the first is run "
                << first_missing << "): a shard not run, not finished or not given?\n";
            if (!vm.count("allow-missing")) throw SweepFailure("runs missing; --allow-missing computes the statistics anyway");
        }
        fs::path dir = vm["out-dir"].as<std::string>();
        std::error_code ec;
        if (!dir.empty()) fs::create_directories(dir, ec);
        std::string results = (dir / (spec.name + ".results.jsonl")).string();
        write_results_sorted(results, records);
        err << "tcpsim: merge: " << records.size() << " runs from " << files.size() - 1 << " file(s); results: " << results << '\n';
        report(spec, records, dir, out, err);
        return kExitOk;
    } catch (const InputError&) {
        throw;  // cli_main reports it: exit 2
    } catch (const SweepUsageError& e) {
        err << "tcpsim: error: " << e.what() << "\n(see tcpsim merge --help)\n";
        return kExitBadInput;
    } catch (const std::runtime_error& e) {
        // SweepFailure, or a file that could not be written.
        err << "tcpsim: error: " << e.what() << '\n';
        return kExitFailure;
    }
}

}  // namespace tcpsim
