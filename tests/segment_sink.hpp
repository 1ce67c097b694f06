#pragma once
// A sink that takes segment records and counts them: with it attached, a record goes to the JSON
// text field by field (the sinks need the fields), not as one packed op. Tests compare the two.
#include "sim/trace/trace_sink.hpp"

namespace tcpsim::test {

struct SegmentSink : TraceSink {
    bool wants(TraceCategory c) const override { return c == TraceCategory::segment; }
    void record(const TraceFields&) override { ++records; }
    int records = 0;
};

}  // namespace tcpsim::test
