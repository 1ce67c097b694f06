#include "models/scenario/topology_shorthand.hpp"

#include "models/scenario/scenario_config.hpp"

namespace tcpsim {

DumbbellSpec read_dumbbell(JsonObjectReader& r) {
    DumbbellSpec d;
    r.require("pairs");
    d.pairs = static_cast<uint32_t>(r.integer_or("pairs", 1, 1, (kMaxNodes - 2) / 2));
    auto access = r.object("access");
    d.access = read_link_direction(access, LinkDirectionConfig{});
    access.finish();
    auto bottleneck = r.object("bottleneck");
    d.bottleneck = read_link_direction(bottleneck, LinkDirectionConfig{});
    bottleneck.finish();
    return d;
}

}  // namespace tcpsim
