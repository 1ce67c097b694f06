// ConnectionTable: the tracer's per-connection accounting; a connection that carries no data
// keeps no data counters (DirectionData), one that does gets them.
#include <doctest/doctest.h>

#include "models/capture/connection_table.hpp"

using namespace tcpsim;

namespace {
Packet segment(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags, uint32_t seq,
               uint32_t len = 0) {
    Packet p;
    p.src_node = src;
    p.src_port = sport;
    p.dst_node = dst;
    p.dst_port = dport;
    p.flags = flags;
    p.seq = seq;
    p.payload_len = len;
    return p;
}
}  // namespace

TEST_CASE("connection table: a handshake and keepalive probes allocate no data counters") {
    ConnectionTable t;
    t.on_sent(segment(0, 49152, 1, 80, kSyn, 1000));
    t.on_sent(segment(1, 80, 0, 49152, kSyn | kAck, 5000));
    t.on_sent(segment(0, 49152, 1, 80, kAck, 1001));
    t.on_delivered(segment(0, 49152, 1, 80, kAck, 1001));
    // A keepalive probe: SND.NXT - 1, no data; it re-covers no sequence space, so it is no
    // retransmission either.
    CHECK_FALSE(t.on_sent(segment(0, 49152, 1, 80, kAck, 1000)));
    REQUIRE(t.size() == 1);
    const ConnectionRecord& c = t.get(0);
    CHECK(c.data_block == nullptr);
    CHECK(c.dir[0].segments_sent == 3);
    CHECK(c.dir[1].syn == 1);
    CHECK(c.data(0).payload_bytes_sent == 0);
}

TEST_CASE("connection table: the first payload, retransmission or drop allocates the data counters") {
    ConnectionTable t;
    t.on_sent(segment(0, 49152, 1, 80, kSyn, 1000));
    t.on_sent(segment(0, 49152, 1, 80, kAck, 1001, 100));
    const ConnectionRecord& c = t.get(0);
    REQUIRE(c.data_block != nullptr);
    CHECK(c.data(0).payload_bytes_sent == 100);
    CHECK(t.on_sent(segment(0, 49152, 1, 80, kAck, 1001, 100)));  // the same bytes again
    CHECK(c.data(0).retransmissions == 1);
    CHECK(c.data(0).retransmitted_bytes == 100);
    t.on_dropped(segment(1, 80, 0, 49152, kAck, 5001));
    CHECK(c.data(1).segments_dropped == 1);
}
