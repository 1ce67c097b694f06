#pragma once
// RunOutputs: the files one run writes, chosen with --format (several formats at once, one file
// or set of files each) and named from -o:
//   - one format, json or jsonl, with -o FILE: the trace goes to FILE ("-": stdout);
//   - otherwise -o gives a prefix P (default: the scenario's name) and the files are
//       json   P.trace.json
//       jsonl  P.trace.jsonl
//       csv    P.segments.csv  P.cwnd.csv  P.queue.csv
//       pcap   P.NODE.pcap for each capture point (default: every host)
//       pcapng P.pcapng, every capture point an interface named after its node
// json and jsonl hold the same records, so only one of them per run. Every file is opened
// before the run starts, so a bad name fails before anything is simulated.
#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/capture/packet_capture.hpp"
#include "models/scenario/scenario_config.hpp"
#include "models/scenario/world.hpp"
#include "sim/trace/csv_series_writer.hpp"

namespace tcpsim {

enum class OutputFormat { json, jsonl, csv, pcap, pcapng };
std::string_view to_string(OutputFormat f);

// A request that cannot be met as asked (exit code 2, with usage help).
struct OutputRequestError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};
// A file that cannot be created.
struct OutputOpenError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OutputRequest {
    std::vector<OutputFormat> formats{OutputFormat::json};
    std::optional<std::string> output;               // -o
    std::vector<std::string> capture{"hosts"};       // node names; "hosts" means every host
    uint32_t snaplen = 65535;
    PcapPrecision precision = PcapPrecision::nano;
};

// Each value a comma-separated list ("jsonl,csv,pcap"); repeated formats count once.
std::vector<OutputFormat> parse_formats(const std::vector<std::string>& values);

class RunOutputs {
public:
    // Checks the request against the scenario, then opens every file. `stdout_stream` takes the
    // trace for "-o -".
    RunOutputs(const OutputRequest& request, const ScenarioConfig& config, const std::string& scenario_path,
               std::ostream& stdout_stream);
    RunOutputs(const RunOutputs&) = delete;
    RunOutputs& operator=(const RunOutputs&) = delete;

    // Points the run's options at the writers.
    void attach(RunOptions& options);
    bool trace_to_stdout() const { return to_stdout_; }
    // Closes every file; false (and the path that failed in `failed`) if a write failed.
    bool close(std::string& failed);
    // One line per file written, for stderr.
    void report(std::ostream& err, const TraceWriter& trace) const;

    // The file names a request gives (for tests and --help): as the constructor would open them.
    static std::vector<std::string> file_names(const OutputRequest& request, const ScenarioConfig& config);

private:
    std::optional<TraceFormat> json_format_;
    std::string json_path_;
    bool to_stdout_ = false;
    std::ostream* json_out_ = nullptr;
    std::ofstream json_file_;
    std::array<std::string, CsvSeriesWriter::kSeriesCount> csv_paths_;
    std::array<std::ofstream, CsvSeriesWriter::kSeriesCount> csv_files_;
    std::unique_ptr<CsvSeriesWriter> csv_;
    std::unique_ptr<PacketCapture> capture_;
};

}  // namespace tcpsim
