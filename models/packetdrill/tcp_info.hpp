#pragma once
// TCP_INFO as a script's `%{ assert tcpi_... }%` lines read it: the fields of Linux's struct
// tcp_info that tcpsim's endpoint can answer, in Linux's units (segments for windows and
// counts, microseconds for times, milliseconds for tcpi_last_*). A field the model does not keep
// is absent (the script is then "unsupported", naming the field), never a guess.
#include <optional>
#include <string_view>

#include "models/socket/socket_layer.hpp"

namespace tcpsim::packetdrill {

// The value of `name` for socket `fd` at `now`, or nullopt when tcpsim has no such field.
std::optional<double> tcp_info_field(std::string_view name, const SocketLayer& sockets, int fd, SimTime now);

}  // namespace tcpsim::packetdrill
