// The one place that knows every congestion control by name.
#include "models/tcp/cc/cubic.hpp"
#include "models/tcp/cc/newreno.hpp"

namespace tcpsim {

std::unique_ptr<CongestionControl> make_congestion_control(std::string_view name) {
    if (name == "newreno") return std::make_unique<NewRenoCongestionControl>(true);
    if (name == "reno") return std::make_unique<NewRenoCongestionControl>(false);
    if (name == "cubic") return std::make_unique<CubicCongestionControl>();
    return nullptr;
}

bool is_congestion_control_name(std::string_view name) { return name == "newreno" || name == "reno" || name == "cubic"; }

}  // namespace tcpsim
