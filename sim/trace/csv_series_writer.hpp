#pragma once
// CsvSeriesWriter: the trace as CSV time series, one file per kind of sample, one row per record
// (RFC 4180 CSV: a header line, comma-separated, "\n" line ends, fields quoted only when they
// hold a comma, quote or newline). Fed by the TraceWriter with the same records as the JSON
// trace, whatever the JSON trace level; streamed, constant memory.
//   segments: send / deliver / drop / duplicate records (one row per segment event)
//   cwnd:     "cc" records (congestion-control samples; the file is just its header when the
//             run has none)
//   queue:    enqueue / dequeue records and drops on a link (queue length after the event)
// A column whose field a record lacks is left empty (e.g. rel_ack without the ACK flag,
// ssthresh while it is "infinite").
#include <array>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "sim/trace/trace_sink.hpp"

namespace tcpsim {

class CsvSeriesWriter final : public TraceSink {
public:
    enum Series : size_t { kSegments, kCwnd, kQueue, kSeriesCount };

    // The streams must outlive the writer; end() flushes them.
    CsvSeriesWriter(std::ostream& segments, std::ostream& cwnd, std::ostream& queue);

    bool wants(TraceCategory) const override { return true; }  // queue rows are level-all records
    void begin() override;
    void record(const TraceFields& r) override;
    void end(const RunSummary& summary) override;

    uint64_t rows(Series s) const { return tables_[s].rows; }
    uint64_t bytes(Series s) const { return tables_[s].bytes; }
    // The columns of a series, in file order (the README documents each).
    static std::span<const std::string_view> columns(Series s);
    static std::string_view name(Series s);  // "segments", "cwnd", "queue"

private:
    struct Table {
        std::ostream* out = nullptr;
        std::string buf;
        uint64_t rows = 0, bytes = 0;
    };
    void row(Table& t, Series s, const TraceFields& r);
    void flush(Table& t, bool force);

    std::array<Table, kSeriesCount> tables_;
};

}  // namespace tcpsim
