#include "models/scenario/run_outputs.hpp"

#include <algorithm>
#include <filesystem>

#include "sim/core/os_error.hpp"
#include "sim/core/version.hpp"

namespace tcpsim {

std::string_view to_string(OutputFormat f) {
    switch (f) {
        case OutputFormat::json: return "json";
        case OutputFormat::jsonl: return "jsonl";
        case OutputFormat::csv: return "csv";
        case OutputFormat::pcap: return "pcap";
        case OutputFormat::pcapng: return "pcapng";
    }
    return "?";
}

std::vector<OutputFormat> parse_formats(const std::vector<std::string>& values) {
    std::vector<OutputFormat> out;
    for (const std::string& v : values) {
        size_t start = 0;
        while (start <= v.size()) {
            size_t comma = v.find(',', start);
            std::string name = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            OutputFormat f;
            if (name == "json") f = OutputFormat::json;
            else if (name == "jsonl") f = OutputFormat::jsonl;
            else if (name == "csv") f = OutputFormat::csv;
            else if (name == "pcap") f = OutputFormat::pcap;
            else if (name == "pcapng") f = OutputFormat::pcapng;
            else throw OutputRequestError("--format takes json, jsonl, csv, pcap or pcapng (a comma-separated list), got \"" + name + "\"");
            // Twice is a mistake (a typo for another format, most likely), not a wish.
            if (std::find(out.begin(), out.end(), f) != out.end())
                throw OutputRequestError("--format lists \"" + name + "\" twice");
            out.push_back(f);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (out.empty()) throw OutputRequestError("--format needs at least one format");
    return out;
}

namespace {

struct Plan {
    std::optional<TraceFormat> json;
    std::string json_path;  // "-" for stdout
    std::array<std::string, CsvSeriesWriter::kSeriesCount> csv;
    bool has_csv = false;
    std::vector<CapturePoint> capture;  // the points, with their pcap paths if classic files are asked for
    std::string pcapng_path;
};

bool has(const OutputRequest& r, OutputFormat f) { return std::find(r.formats.begin(), r.formats.end(), f) != r.formats.end(); }

Plan make_plan(const OutputRequest& r, const ScenarioConfig& config) {
    Plan plan;
    if (has(r, OutputFormat::json) && has(r, OutputFormat::jsonl))
        throw OutputRequestError("--format json and jsonl hold the same trace: choose one");
    if (has(r, OutputFormat::json)) plan.json = TraceFormat::json;
    if (has(r, OutputFormat::jsonl)) plan.json = TraceFormat::jsonl;
    const bool single_json_file = plan.json && r.formats.size() == 1;
    if (r.output && *r.output == "-" && !single_json_file)
        throw OutputRequestError("-o - (stdout) takes one trace: use it with --format json or --format jsonl alone");

    const std::string prefix = r.output && !single_json_file ? *r.output : config.name;
    if (plan.json) {
        plan.json_path = single_json_file && r.output
                             ? *r.output
                             : prefix + (*plan.json == TraceFormat::json ? ".trace.json" : ".trace.jsonl");
    }
    if (has(r, OutputFormat::csv)) {
        plan.has_csv = true;
        for (size_t s = 0; s < CsvSeriesWriter::kSeriesCount; ++s)
            plan.csv[s] = prefix + "." + std::string(CsvSeriesWriter::name(static_cast<CsvSeriesWriter::Series>(s))) + ".csv";
    }
    const bool default_capture = r.capture == std::vector<std::string>{"hosts"};
    const bool pcap = has(r, OutputFormat::pcap), pcapng = has(r, OutputFormat::pcapng);
    if (!pcap && !pcapng) {
        if (!default_capture) throw OutputRequestError("--capture chooses capture points: add --format pcap or pcapng");
        return plan;
    }
    if (pcapng) plan.pcapng_path = prefix + ".pcapng";
    std::vector<uint32_t> nodes;
    auto add = [&nodes](uint32_t n) {
        if (std::find(nodes.begin(), nodes.end(), n) == nodes.end()) nodes.push_back(n);
    };
    for (const std::string& name : r.capture) {
        if (name == "hosts") {
            for (uint32_t i = 0; i < config.nodes.size(); ++i)
                if (config.nodes[i].kind == NodeKind::host) add(i);
            continue;
        }
        auto it = std::find_if(config.nodes.begin(), config.nodes.end(), [&](const NodeSpec& n) { return n.name == name; });
        if (it == config.nodes.end()) {
            std::string known;
            for (const NodeSpec& n : config.nodes) known += (known.empty() ? "" : ", ") + n.name;
            throw OutputRequestError("--capture: scenario \"" + config.name + "\" has no node \"" + name + "\" (nodes: " + known + ")");
        }
        add(static_cast<uint32_t>(it - config.nodes.begin()));
    }
    for (uint32_t n : nodes)
        plan.capture.push_back({n, config.nodes[n].name, pcap ? prefix + "." + config.nodes[n].name + ".pcap" : ""});
    return plan;
}

std::vector<std::string> paths_of(const Plan& p) {
    std::vector<std::string> out;
    if (p.json && p.json_path != "-") out.push_back(p.json_path);
    if (p.has_csv) out.insert(out.end(), p.csv.begin(), p.csv.end());
    for (const CapturePoint& c : p.capture)
        if (!c.pcap_path.empty()) out.push_back(c.pcap_path);
    if (!p.pcapng_path.empty()) out.push_back(p.pcapng_path);
    return out;
}

}  // namespace

std::vector<std::string> RunOutputs::file_names(const OutputRequest& request, const ScenarioConfig& config) {
    return paths_of(make_plan(request, config));
}

RunOutputs::RunOutputs(const OutputRequest& request, const ScenarioConfig& config, const std::string& scenario_path,
                       std::ostream& stdout_stream) {
    Plan plan = make_plan(request, config);
    for (const std::string& path : paths_of(plan)) {
        std::error_code ec;
        if (std::filesystem::equivalent(path, scenario_path, ec))
            throw OutputRequestError("the output file \"" + path + "\" is the scenario itself; choose another -o");
    }
    auto open = [](std::ofstream& f, const std::string& path) {
        f.open(path, std::ios::binary | std::ios::trunc);
        if (!f) throw OutputOpenError("cannot open trace file \"" + path + "\" for writing: " + system_reason(errno));
    };
    json_format_ = plan.json;
    json_path_ = plan.json_path;
    if (plan.json) {
        if (plan.json_path == "-") {
            to_stdout_ = true;
            json_out_ = &stdout_stream;
        } else {
            open(json_file_, plan.json_path);
            json_out_ = &json_file_;
        }
    }
    if (plan.has_csv) {
        csv_paths_ = plan.csv;
        for (size_t s = 0; s < CsvSeriesWriter::kSeriesCount; ++s) open(csv_files_[s], csv_paths_[s]);
        csv_ = std::make_unique<CsvSeriesWriter>(csv_files_[CsvSeriesWriter::kSegments], csv_files_[CsvSeriesWriter::kCwnd],
                                                 csv_files_[CsvSeriesWriter::kQueue]);
    }
    if (!plan.capture.empty()) {
        // The pcapng section says what run it is (the packets alone do not).
        PcapngFile ng{plan.pcapng_path,
                      "tcpsim scenario \"" + config.name + "\", seed " + std::to_string(config.seed),
                      "tcpsim " + std::string(kVersion)};
        try {
            capture_ = std::make_unique<PacketCapture>(plan.capture, ng, request.snaplen, request.precision);
        } catch (const std::runtime_error& e) {
            throw OutputOpenError(e.what());
        }
    }
}

void RunOutputs::attach(RunOptions& o) {
    o.trace_out = json_out_;
    if (json_out_ && !to_stdout_)
        o.trace_truncate = [this](uint64_t size) {
            json_file_.flush();
            std::error_code ec;
            std::filesystem::resize_file(json_path_, size, ec);
            return !ec;
        };
    o.trace_in_background = json_out_ && !to_stdout_;
    if (json_format_) o.format = *json_format_;
    if (csv_) o.sinks.push_back(csv_.get());
    o.capture = capture_.get();
}

bool RunOutputs::close(std::string& failed) {
    bool ok = true;
    auto close_file = [&](std::ofstream& f, const std::string& path) {
        if (!f.is_open()) return;
        f.close();
        if (!f && ok) {
            ok = false;
            failed = path;
        }
    };
    close_file(json_file_, json_path_);
    for (size_t s = 0; s < CsvSeriesWriter::kSeriesCount; ++s) close_file(csv_files_[s], csv_paths_[s]);
    std::string pcap_failed;
    if (capture_ && !capture_->close(pcap_failed) && ok) {
        ok = false;
        failed = pcap_failed;
    }
    return ok;
}

void RunOutputs::report(std::ostream& err, const TraceWriter& trace) const {
    if (json_format_ && !to_stdout_)
        err << "tcpsim: trace: " << json_path_ << " (" << trace.events_written() << " events, " << trace.bytes_written()
            << " bytes, format " << to_string(*json_format_) << ")\n";
    if (csv_)
        for (size_t s = 0; s < CsvSeriesWriter::kSeriesCount; ++s)
            err << "tcpsim: csv: " << csv_paths_[s] << " (" << csv_->rows(static_cast<CsvSeriesWriter::Series>(s))
                << " rows)\n";
    if (capture_) {
        for (const auto& f : capture_->files()) err << "tcpsim: pcap: " << f->path() << " (" << f->packets() << " packets)\n";
        if (const PcapngWriter* ng = capture_->pcapng())
            err << "tcpsim: pcapng: " << ng->path() << " (" << ng->packets() << " packets, " << ng->interfaces()
                << (ng->interfaces() == 1 ? " interface)\n" : " interfaces)\n");
    }
}

}  // namespace tcpsim
