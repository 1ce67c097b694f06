// `tcpsim packetdrill [options] SCRIPT...`: runs packetdrill scripts against the simulated TCP
// stack (models/packetdrill/). One line per script (pass, fail or unsupported, with the line; a
// script that does not parse fails with its line and column, and the others still run), then
// the counts; exit 0 when all pass, 1 when any fails or is unsupported, 2 for usage errors.
#include "tools/tcpsim/packetdrill_cli.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>

#include "models/capture/human_view.hpp"
#include "models/packetdrill/script_session.hpp"
#include "models/scenario/run_outputs.hpp"
#include "tools/tcpsim/exit_codes.hpp"

namespace po = boost::program_options;

namespace tcpsim {

namespace {

struct PacketdrillUsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

po::options_description options() {
    po::options_description d("tcpsim packetdrill [options] SCRIPT...");
    d.add_options()
        ("help,h", "show this help")
        ("verbose,v", "print the exchange as it happens: each script line as it is met, beside what the stack did")
        ("output,o", po::value<std::string>(), "write each script's run as tcpsim run would, to files named from this prefix (with several scripts: PREFIX.SCRIPTNAME)")
        ("format", po::value<std::vector<std::string>>()->composing(), "json (default), jsonl, csv, pcap, pcapng, as for tcpsim run (with -o)")
        ("tolerance-usecs", po::value<std::string>(), "how far from its time an event may happen, in microseconds (default: the script's --tolerance_usecs, else 4000)")
        ("max-events", po::value<std::string>(), "stop a script's run after this many events (default 50000000)")
        ("profile", po::value<std::string>(), "the host's TCP profile before the script's settings: linux (default) or rfc")
        ("strict", "also fail a script when the stack sent a segment before its last event that no > line expects (packetdrill does not look)");
    return d;
}

uint64_t parse_count(const std::string& option, const std::string& text) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 1)
        throw PacketdrillUsageError(option + " expects an integer >= 1, got \"" + text + "\"");
    return v;
}

std::string where(const std::string& path, const packetdrill::SourcePos& p, bool column) {
    std::string s = path;
    if (p.line) s += ":" + std::to_string(p.line);
    if (p.line && column && p.column) s += ":" + std::to_string(p.column);
    return s;
}

}  // namespace

int packetdrill_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    try {
        po::options_description visible = options();
        po::options_description all;
        all.add(visible).add_options()("scripts", po::value<std::vector<std::string>>(), "");
        po::positional_options_description pos;
        pos.add("scripts", -1);
        po::variables_map vm;
        try {
            po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
            po::notify(vm);
        } catch (const po::error& e) {
            throw PacketdrillUsageError(e.what());
        }
        if (vm.count("help")) {
            out << visible;
            return kExitOk;
        }
        if (!vm.count("scripts")) throw PacketdrillUsageError("packetdrill needs at least one script");
        std::vector<std::string> scripts = vm["scripts"].as<std::vector<std::string>>();
        for (const std::string& s : scripts)
            if (!std::filesystem::is_regular_file(s)) throw PacketdrillUsageError("no script \"" + s + "\"");
        packetdrill::SessionOptions session;
        if (vm.count("tolerance-usecs"))
            session.tolerance = SimTime::from_us(static_cast<int64_t>(parse_count("--tolerance-usecs", vm["tolerance-usecs"].as<std::string>())));
        if (vm.count("max-events")) session.max_events = parse_count("--max-events", vm["max-events"].as<std::string>());
        if (vm.count("verbose")) session.verbose = &out;
        session.strict = vm.count("strict") > 0;
        TcpProfile profile = TcpProfile::linux_tcp;
        if (vm.count("profile")) {
            std::string p = vm["profile"].as<std::string>();
            if (p != "linux" && p != "rfc") throw PacketdrillUsageError("--profile is linux or rfc, got \"" + p + "\"");
            profile = p == "rfc" ? TcpProfile::rfc : TcpProfile::linux_tcp;
        }
        OutputRequest request;
        const bool files = vm.count("output") > 0;
        if (vm.count("format")) {
            if (!files) throw PacketdrillUsageError("--format chooses the files of -o: add -o PREFIX");
            try {
                request.formats = parse_formats(vm["format"].as<std::vector<std::string>>());
            } catch (const OutputRequestError& e) {
                throw PacketdrillUsageError(e.what());
            }
        }

        int passed = 0, failed = 0, unsupported = 0;
        auto wall_start = std::chrono::steady_clock::now();
        for (const std::string& path : scripts) {
            packetdrill::Script script;
            try {
                script = packetdrill::load_script(path);
            } catch (const packetdrill::ParseError& e) {
                out << "fail " << where(path, e.pos, true) << ": parse error: " << e.what() << '\n';
                ++failed;
                continue;
            }
            packetdrill::HostSettings settings = packetdrill::default_host_settings(profile);
            ScenarioConfig scenario = packetdrill::script_scenario(script, settings);
            RunOptions ro;
            std::unique_ptr<RunOutputs> outputs;
            if (files) {
                OutputRequest r = request;
                std::string prefix = vm["output"].as<std::string>();
                r.output = scripts.size() == 1 ? prefix : prefix + "." + scenario.name;
                if (r.formats.size() == 1 && (r.formats[0] == OutputFormat::json || r.formats[0] == OutputFormat::jsonl) &&
                    scripts.size() > 1)
                    r.output = *r.output + (r.formats[0] == OutputFormat::json ? ".trace.json" : ".trace.jsonl");
                try {
                    outputs = std::make_unique<RunOutputs>(r, scenario, path, out);
                } catch (const OutputRequestError& e) {
                    throw PacketdrillUsageError(e.what());
                } catch (const OutputOpenError& e) {
                    err << "tcpsim: error: " << e.what() << '\n';
                    return kExitBadInput;
                }
                outputs->attach(ro);
            }
            if (session.verbose) out << "== " << path << '\n';
            bool write_failed = false;
            session.on_finished = [&](World& world) {
                if (!outputs) return;
                std::string bad;
                if (!outputs->close(bad)) {
                    err << "tcpsim: error: writing \"" << bad << "\" failed\n";
                    write_failed = true;
                    return;
                }
                outputs->report(err, world.trace());
            };
            packetdrill::ScriptVerdict v = packetdrill::run_script(script, scenario, settings, session, ro);
            if (write_failed) return kExitFailure;
            // The settings that had no effect, by name (net.ipv4. left out), each once.
            std::string ignored;
            std::vector<std::string> seen;
            for (const std::string& i : v.ignored) {
                std::string name = i.substr(0, i.find('='));
                if (name.rfind("net.ipv4.", 0) == 0) name = name.substr(9);
                if (name.rfind("echo ", 0) == 0) name = name.substr(name.rfind('/') + 1);  // a module parameter
                if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
                seen.push_back(name);
                ignored += (ignored.empty() ? "" : " ") + name;
            }
            switch (v.verdict.kind) {
                case packetdrill::Verdict::Kind::pass:
                    ++passed;
                    out << "pass " << path;
                    break;
                case packetdrill::Verdict::Kind::fail:
                    ++failed;
                    out << "fail " << where(path, v.verdict.pos, false) << ": " << v.verdict.message;
                    break;
                case packetdrill::Verdict::Kind::unsupported:
                    ++unsupported;
                    out << "unsupported " << where(path, v.verdict.pos, false) << ": " << v.verdict.message;
                    break;
            }
            if (!ignored.empty()) out << " (ignored: " << ignored << ")";
            out << '\n';
        }
        double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        out << scripts.size() << (scripts.size() == 1 ? " script: " : " scripts: ") << passed << " passed, " << failed
            << " failed, " << unsupported << " unsupported\n";
        err << "tcpsim: packetdrill: " << scripts.size() << (scripts.size() == 1 ? " script" : " scripts") << " in " << wall
            << " s wall\n";
        return failed + unsupported == 0 ? kExitOk : kExitFailure;
    } catch (const PacketdrillUsageError& e) {
        err << "tcpsim: error: " << e.what() << "\n(see tcpsim packetdrill --help)\n";
        return kExitBadInput;
    }
}

}  // namespace tcpsim
