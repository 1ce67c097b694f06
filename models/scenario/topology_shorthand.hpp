#pragma once
// Topology shorthands: a dumbbell in a few lines instead of 2N+1 links.
//   "topology": {"type": "dumbbell", "pairs": 10,
//                "access": {"bandwidth": "1Gbps", "delay": "1ms"},
//                "bottleneck": {"bandwidth": "100Mbps", "delay": "10ms", "queue": {"packets": 100}}}
// gives hosts sender1..senderN and receiver1..receiverN, routers left and right, and the links
// senderI-left, left-right (the bottleneck), right-receiverI.
#include <cstdint>
#include <string>

#include "models/network/link_config.hpp"
#include "sim/json/json_reader.hpp"

namespace tcpsim {

struct DumbbellSpec {
    uint32_t pairs = 1;
    std::string sender_prefix = "sender", receiver_prefix = "receiver";
    std::string left_router = "left", right_router = "right";
    LinkDirectionConfig access, bottleneck;
};

DumbbellSpec read_dumbbell(JsonObjectReader& r);

}  // namespace tcpsim
