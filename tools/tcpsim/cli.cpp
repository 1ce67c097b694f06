#include "tools/tcpsim/cli.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <sstream>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "models/capture/human_view.hpp"
#include "models/scenario/run_outputs.hpp"
#include "models/scenario/scenario_config.hpp"
#include "models/scenario/world.hpp"
#include "sim/core/os_error.hpp"
#include "sim/core/version.hpp"
#include "tools/tcpsim/build_commit.hpp"
#include "tools/tcpsim/exit_codes.hpp"
#include "tools/tcpsim/interrupt.hpp"
#include "tools/tcpsim/packetdrill_cli.hpp"
#include "tools/tcpsim/sweep_cli.hpp"

namespace po = boost::program_options;

namespace tcpsim {

namespace {

const char* kUsage =
    "usage: tcpsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO       run a scenario: tcpdump-like lines and a summary on stdout, the trace to\n"
    "                     files (JSON, JSON Lines, CSV series, pcap)\n"
    "  validate FILE...   check scenarios without running them\n"
    "  sweep SWEEP        run a parameter sweep: replicated runs in parallel, statistics, fits\n"
    "  merge SWEEP RESULTS...  combine the results files of a sweep's shards\n"
    "  packetdrill SCRIPT...   run packetdrill scripts against the simulated TCP stack\n"
    "\n"
    "  tcpsim --help | tcpsim <command> --help | tcpsim --version\n"
    "\n"
    "exit codes: 0 ok, 1 failure while running (including --max-trace-bytes reached), 2 bad input\n"
    "(the message names the file and the JSON pointer of the field), 130 interrupted (SIGINT/SIGTERM;\n"
    "the trace is closed with its summary)\n";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

po::options_description run_options() {
    po::options_description d("tcpsim run SCENARIO [options]");
    d.add_options()
        ("help,h", "show this help")
        ("output,o", po::value<std::string>(), "with one format, json or jsonl: the trace file ('-' for stdout); otherwise the prefix P of the files (default: the scenario's name)")
        ("format", po::value<std::vector<std::string>>()->composing(),
         "json (default), jsonl, csv, pcap, pcapng; several as a list (json,csv,pcap) or repeated, each once. Files: "
         "P.trace.json, P.trace.jsonl, P.segments.csv, P.cwnd.csv, P.queue.csv, P.NODE.pcap (one per capture "
         "point), P.pcapng (one interface per capture point, named after its node)")
        ("trace-level", po::value<std::string>(), "summary | segments | all: what the JSON trace holds (default: the scenario's trace.level, else segments)")
        ("no-trace", "write no trace files")
        ("capture", po::value<std::string>(), "pcap/pcapng capture points: 'hosts' (default: every host) or node names, comma-separated")
        ("snaplen", po::value<std::string>(), "pcap/pcapng: bytes kept of each packet, 1..262144 (default 65535: whole packets); the original length is kept")
        ("pcap-precision", po::value<std::string>(), "pcap/pcapng time stamps: ns (default) or us")
        ("quiet,q", "stdout: the final summary only, no per-segment lines")
        ("verbose,v", "stdout: also TCP state changes, application events, timers and link changes")
        ("seed", po::value<std::string>(), "override the scenario's seed")
        ("duration", po::value<std::string>(), "override the scenario's duration (\"10s\", \"500ms\")")
        ("max-events", po::value<std::string>(), "stop after this many events (an event budget)")
        ("sample-interval", po::value<std::string>(), "write congestion-control samples (\"cc\" records) every interval (\"100ms\") instead of at every change")

        ("max-trace-bytes", po::value<std::string>(), "stop the run (exit 1) before the trace file grows past this size (\"500MB\", \"2GiB\", bytes); the file, closed with its summary, never passes it");
    return d;
}

// A non-negative decimal integer, strictly: Boost would turn "-5" into a huge unsigned value.
uint64_t parse_count(const std::string& option, const std::string& text, uint64_t min) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min)
        throw UsageError(option + " expects an integer >= " + std::to_string(min) + ", got \"" + text + "\"");
    return v;
}

po::variables_map parse(const po::options_description& d, const po::positional_options_description& pos,
                        const std::vector<std::string>& args) {
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(d).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return vm;
}

int cmd_validate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    po::options_description d("tcpsim validate FILE... [options]");
    d.add_options()("help,h", "show this help")("files", po::value<std::vector<std::string>>(), "scenario files");
    po::positional_options_description pos;
    pos.add("files", -1);
    auto vm = parse(d, pos, args);
    if (vm.count("help")) {
        out << d;
        return kExitOk;
    }
    if (!vm.count("files")) throw UsageError("validate needs at least one scenario file");
    int rc = kExitOk;
    for (const auto& f : vm["files"].as<std::vector<std::string>>()) {
        try {
            // A sweep file (it has "vary") is checked as `tcpsim sweep FILE --list` does: the
            // file and every point's scenario.
            Json doc = load_json_file(f);
            if (doc.is_object() && doc.contains("vary")) {
                std::ostringstream listing;
                int src = sweep_main({f, "--list"}, listing, err);
                if (src == kExitOk) out << f << ": ok (sweep)\n";
                else rc = src;
                continue;
            }
            ScenarioConfig c = parse_scenario(std::move(doc), f);
            out << f << ": ok (scenario \"" << c.name << "\", " << c.nodes.size() << " nodes, " << c.links.size()
                << " links, " << c.application_count() << " applications)\n";
        } catch (const InputError& e) {
            err << "tcpsim: error: " << e.what() << '\n';
            rc = kExitBadInput;
        }
    }
    return rc;
}

int cmd_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    auto d = run_options();
    po::options_description all;
    all.add(d).add_options()("scenario", po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add("scenario", -1);
    auto vm = parse(all, pos, args);
    if (vm.count("help")) {
        out << d;
        return kExitOk;
    }
    if (!vm.count("scenario")) throw UsageError("run needs a scenario file (try scenarios/handshake.json)");
    auto scen = vm["scenario"].as<std::vector<std::string>>();
    if (scen.size() != 1) throw UsageError("run takes one scenario file, got " + std::to_string(scen.size()));

    RunOptions opts;
    OutputRequest request;
    try {
        if (vm.count("format")) request.formats = parse_formats(vm["format"].as<std::vector<std::string>>());
    } catch (const OutputRequestError& e) {
        throw UsageError(e.what());
    }
    if (vm.count("output")) request.output = vm["output"].as<std::string>();
    if (vm.count("capture")) {
        request.capture.clear();
        std::string list = vm["capture"].as<std::string>();
        for (size_t start = 0;;) {
            size_t comma = list.find(',', start);
            request.capture.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    auto asked = [&](OutputFormat f) { return std::find(request.formats.begin(), request.formats.end(), f) != request.formats.end(); };
    const bool pcap = asked(OutputFormat::pcap) || asked(OutputFormat::pcapng);
    if (vm.count("snaplen")) {
        if (!pcap) throw UsageError("--snaplen applies to pcap files: add --format pcap or pcapng");
        uint64_t n = parse_count("--snaplen", vm["snaplen"].as<std::string>(), 1);
        request.snaplen = static_cast<uint32_t>(n);
        if (n > PcapWriter::kMaxSnaplen)
            throw UsageError("--snaplen expects an integer from 1 to 262144, got \"" + vm["snaplen"].as<std::string>() + "\"");
    }
    if (vm.count("pcap-precision")) {
        if (!pcap) throw UsageError("--pcap-precision applies to pcap files: add --format pcap or pcapng");
        std::string p = vm["pcap-precision"].as<std::string>();
        if (p == "ns") request.precision = PcapPrecision::nano;
        else if (p == "us") request.precision = PcapPrecision::micro;
        else throw UsageError("--pcap-precision must be ns or us, got \"" + p + "\"");
    }
    if (vm.count("no-trace") && (vm.count("format") || vm.count("output")))
        throw UsageError("--no-trace writes no files: it does not go with --format or -o");
    if (vm.count("quiet") && vm.count("verbose")) throw UsageError("-q and -v exclude each other");
    if (vm.count("trace-level")) {
        std::string l = vm["trace-level"].as<std::string>();
        if (l == "summary") opts.level = TraceLevel::summary;
        else if (l == "segments") opts.level = TraceLevel::segments;
        else if (l == "all") opts.level = TraceLevel::all;
        else throw UsageError("--trace-level must be summary, segments or all, got \"" + l + "\"");
    }
    if (vm.count("max-events")) opts.max_events = parse_count("--max-events", vm["max-events"].as<std::string>(), 1);
    if (vm.count("max-trace-bytes")) {
        const std::string& text = vm["max-trace-bytes"].as<std::string>();
        auto n = parse_byte_size(Json(text));
        if (!n || *n == 0)
            throw UsageError("--max-trace-bytes expects a size such as \"500MB\", \"2GiB\" or a number of bytes, got \"" + text + "\"");
        opts.max_trace_bytes = *n;
    }

    if (vm.count("sample-interval")) {
        auto t = SimTime::parse(vm["sample-interval"].as<std::string>());
        if (!t || *t <= SimTime::zero())
            throw UsageError("--sample-interval expects a positive duration such as \"100ms\", got \"" +
                             vm["sample-interval"].as<std::string>() + "\"");
        opts.sample_interval = *t;
    }

    ScenarioConfig config = load_scenario(scen[0]);
    if (vm.count("seed")) config.seed = parse_count("--seed", vm["seed"].as<std::string>(), 0);
    if (vm.count("duration")) {
        auto t = SimTime::parse(vm["duration"].as<std::string>());
        if (!t || *t <= SimTime::zero() || *t > kMaxDuration)
            throw UsageError("--duration expects a positive duration of at most 10 years such as \"10s\", got \"" +
                             vm["duration"].as<std::string>() + "\"");
        config.duration = *t;
    }

    // --max-trace-bytes keeps the JSON trace file within the size, summary included, so the size
    // must leave room for the header and the summary: checked on a World of its own before any
    // file is opened. The summary's numbers grow as the run goes (a few digits each): twice what
    // header and summary take before the run.
    if (opts.max_trace_bytes != UINT64_MAX && !vm.count("no-trace") && (asked(OutputFormat::json) || asked(OutputFormat::jsonl))) {
        if (request.output && *request.output == "-")
            throw UsageError("--max-trace-bytes limits a trace file: it does not go with -o - (standard output)");
        RunOptions probe = opts;
        probe.format = asked(OutputFormat::jsonl) ? TraceFormat::jsonl : TraceFormat::json;
        uint64_t least = 2 * World(config, probe).trace_floor_bytes();
        if (opts.max_trace_bytes < least)
            throw UsageError("--max-trace-bytes " + std::to_string(opts.max_trace_bytes) +
                             " leaves no room for this scenario's trace header and summary: give at least " +
                             std::to_string(least) + " bytes");
    }

    // Open the files only now: bad input writes nothing.
    std::unique_ptr<RunOutputs> outputs;
    if (!vm.count("no-trace")) {
        try {
            outputs = std::make_unique<RunOutputs>(request, config, scen[0], out);
        } catch (const OutputRequestError& e) {
            throw UsageError(e.what());
        } catch (const OutputOpenError& e) {
            err << "tcpsim: error: " << e.what() << '\n';
            return kExitBadInput;
        }
        outputs->attach(opts);
    }
    // With the trace on stdout, stdout holds nothing else.
    const bool to_stdout = outputs && outputs->trace_to_stdout();
    HumanView human(out, vm.count("verbose") > 0, !vm.count("quiet"));
    if (!to_stdout) {
        if (!vm.count("quiet")) opts.human = &out;
        opts.sinks.push_back(&human);
    }

    auto wall_start = std::chrono::steady_clock::now();
    opts.interrupt = &g_interrupted;
    std::optional<InterruptGuard> guard(std::in_place);
    World world(config, opts);
    RunResult r = world.run();
    guard.reset();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    out.flush();
    std::string failed;
    if ((outputs && !outputs->close(failed)) || r.reason == StopReason::trace_error) {
        err << "tcpsim: error: writing \"" << (failed.empty() ? std::string("the trace") : failed)
            << "\" failed (disk full?) at t=" << r.end_time.to_seconds_string() << " s; the run was stopped there\n";
        return kExitFailure;
    }

    // Wall-clock figures go to stderr only: the trace stays byte-identical across runs. The lines
    // are gathered first and written at once: stderr is unbuffered, so each piece would be a
    // write(2) of its own (17 for the first line).
    std::ostringstream report;
    report << "tcpsim: " << config.name << ": stopped (" << to_string(r.reason) << ") at t=" << r.end_time.to_seconds_string()
           << " s after " << r.events << " events; wall " << wall << " s";
    if (wall > 0) report << " (" << static_cast<uint64_t>(static_cast<double>(r.events) / wall) << " events/s)";
    report << "; peak RSS after the event loop " << world.peak_rss_after_run_kib() << " KiB\n";
    if (outputs) outputs->report(report, world.trace());
    err << report.str();
    if (r.reason == StopReason::trace_limit) {
        err << "tcpsim: error: the trace reached --max-trace-bytes (" << opts.max_trace_bytes << " bytes) at t="
            << r.end_time.to_seconds_string() << " s; the run was stopped there and the trace closed with its summary"
            << " (stop_reason \"trace_limit\")";
        if (world.trace().events_cut()) err << "; its last " << world.trace().events_cut() << " events were cut to make room for it";
        err << '\n';
        return kExitFailure;
    }
    if (world.trace().status() == TraceWriter::Status::limit_reached) {
        // The run ended, but its summary did not fit after the events.
        err << "tcpsim: error: the trace reached --max-trace-bytes (" << opts.max_trace_bytes << " bytes) with its summary: its last "
            << world.trace().events_cut() << " events were cut to make room for it\n";
        return kExitFailure;
    }
    if (r.reason == StopReason::interrupted) {
        err << "tcpsim: interrupted at t=" << r.end_time.to_seconds_string()
            << " s; the trace was closed with its summary (stop_reason \"interrupted\")\n";
        return kExitInterrupted;
    }
    return kExitOk;
}

}  // namespace

namespace {

int dispatch(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty()) {
            err << kUsage;
            return kExitBadInput;
        }
        const std::string cmd = args.front();
        std::vector<std::string> rest(args.begin() + 1, args.end());
        if (cmd == "--help" || cmd == "-h" || cmd == "help") {
            out << kUsage;
            return kExitOk;
        }
        if (cmd == "--version") {
            out << "tcpsim " << kVersion << " (commit " << kBuildCommit << ")\n";
            return kExitOk;
        }
        if (cmd == "run") return cmd_run(rest, out, err);
        if (cmd == "validate") return cmd_validate(rest, out, err);
        if (cmd == "sweep") return sweep_main(rest, out, err);
        if (cmd == "merge") return merge_main(rest, out, err);
        if (cmd == "packetdrill") return packetdrill_main(rest, out, err);
        throw UsageError("unknown command \"" + cmd + "\" (commands: run, validate, sweep, merge, packetdrill)");
    } catch (const InputError& e) {
        err << "tcpsim: error: " << e.what() << '\n';
        return kExitBadInput;
    } catch (const UsageError& e) {
        err << "tcpsim: error: " << e.what() << "\n(see tcpsim --help)\n";
        return kExitBadInput;
    } catch (const std::bad_alloc&) {
        err << "tcpsim: error: out of memory\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        err << "tcpsim: internal error: " << e.what() << '\n';
        return kExitFailure;
    }
}

}  // namespace

int cli_main(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const int* out_error) {
    int code = dispatch(argc, argv, out, err);
    // What went to standard output (the tcpdump-style lines, the tables, the summary) must have
    // arrived: a full disk or a closed pipe is reported, not taken for success.
    out.flush();
    if (out.fail()) {
        int why = out_error ? *out_error : 0;
        err << "tcpsim: error: writing to standard output failed" << (why ? ": " + system_reason(why) : std::string()) << '\n';
        if (code == kExitOk) code = kExitFailure;
    }
    return code;
}

}  // namespace tcpsim
