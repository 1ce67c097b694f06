#include "models/network/segment_script.hpp"

#include "models/network/network.hpp"

namespace tcpsim {

void SegmentScript::start(Simulator& sim) {
    for (size_t i = 0; i < spec_.segments.size(); ++i) sim.at(spec_.segments[i].at, this, 0, i);
}

void SegmentScript::on_event(uint32_t, uint64_t index) {
    net_.node(spec_.node).send(spec_.segments[index].header);
}

}  // namespace tcpsim
