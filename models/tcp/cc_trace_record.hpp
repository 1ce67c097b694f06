#pragma once
// The trace's "cc" record: a connection's congestion-control state (cwnd, ssthresh, flight,
// RTT estimates, recovery state), written whenever it changes: a third of the records of a bulk
// transfer's segments-level trace. For a record that goes to the JSON text only, the values go
// as one packed op and are formatted on the writer's side (on benchmark case A, the simulation
// thread spent ~640 instructions per cc record writing them field by field).
#include <cstdint>
#include <string_view>

#include "models/tcp/tcp_endpoint.hpp"
#include "sim/trace/trace_writer.hpp"

namespace tcpsim {

struct CcTraceRecord {
    std::string_view node_name, node_json;  // the node's name, and quoted for JSON
    uint32_t conn = 0;                      // the connection's trace id
    std::string_view cc;                    // the congestion control's name
};

// Writes the record's fields (after its head: "t", "t_ns", "type":"cc") into `r`.
void write_cc_fields(TraceRecord& r, const CcTraceRecord& who, const CcSample& s);

}  // namespace tcpsim
