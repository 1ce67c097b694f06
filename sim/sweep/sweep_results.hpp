#pragma once
// The results file: JSON Lines, one record per finished run, appended and flushed as each run
// ends, so an interrupted sweep loses only the runs in flight. A record holds the run's identity
// (run index, point, replication, seed), its parameters, "status" ("ok" or "error" with the
// message), the metrics, what the simulation did ("sim": stop reason, simulated end time,
// events) and "wall_s", the only field that differs between two runs of the same sweep.
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "sim/json/json_reader.hpp"

namespace tcpsim {

struct SweepRecord {
    uint64_t run = 0, point = 0, replication = 0, seed = 0;
    Json params = Json::object();
    bool ok = true;
    std::string error;               // when !ok
    Json metrics = Json::object();   // name -> number, string or null
    Json sim = Json::object();       // stop_reason, end_time, events
    double wall_s = 0;

    // One line of the file, without the newline; keys in a fixed, readable order.
    std::string to_line() const;
    // The record without its wall time: what two runs of the same sweep must agree on.
    std::string to_line_without_wall() const;
};

// Reads a record; InputError (file, "line N", what is wrong) if it is not one.
SweepRecord parse_record(const Json& line, const std::string& file, size_t line_number);

// What a results file holds. A last line cut short by a crash (no newline, not valid JSON) is
// not an error: it is left out, and `valid_bytes` ends before it so an append can cut it off.
struct ResultsFile {
    std::vector<SweepRecord> records;
    uint64_t valid_bytes = 0;
    bool truncated_tail = false;
};
// A missing file reads as empty. A bad line anywhere but at the end is an InputError.
ResultsFile read_results(const std::string& path);

// Appends records to a results file, one line each, flushed at once. Thread-safe.
class ResultsAppender {
public:
    // Opens for appending after cutting the file to `keep_bytes` (0 with truncate: a new file).
    ResultsAppender(const std::string& path, uint64_t keep_bytes, bool truncate);
    void append(const SweepRecord& r);  // throws std::runtime_error if the write fails
    void close();

private:
    std::string path_;
    std::ofstream out_;
    std::mutex mutex_;
};

// Rewrites the file with the records in run order (to a temporary file, then renamed over it):
// the finished file is the same whatever the number of jobs or shards that produced it.
void write_results_sorted(const std::string& path, std::vector<SweepRecord> records);

}  // namespace tcpsim
