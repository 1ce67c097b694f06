#pragma once
// What a script's backquoted shell text asks of the host, as a list of actions the runner can
// apply or refuse. tcpsim runs no shell: it recognises the few commands packetdrill scripts use
// to configure Linux (SYNTAX.md, "Lines"):
//   - `sysctl -q net.ipv4.NAME=VALUE ...` and `set_sysctls.py /proc/sys/net/ipv4/NAME=VALUE ...`
//     become one `sysctl` action per setting (values unquoted, `$((...))` evaluated);
//   - a relative path ending in `.sh` is read (relative to the script's folder) and its lines
//     interpreted the same way;
//   - commands that change nothing tcpsim models are `ignored`, with their text: flushing TCP
//     metrics, a plain pfifo root qdisc, turning segmentation offloads on or off (tcpsim sends
//     MSS-sized segments and the runner matches them against offloaded ones), restoring sysctls
//     at the end, and CUBIC module parameters (tcpsim's CUBIC has none);
//   - anything else is `unsupported`, with its text (e.g. a pfifo qdisc with a limit, which
//     drops packets): the runner reports the script unsupported.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/packetdrill/script.hpp"

namespace tcpsim::packetdrill {

struct ConfigAction {
    enum Kind { sysctl, ignored, unsupported };
    Kind kind = unsupported;
    std::string name, value;  // sysctl: "net.ipv4.tcp_rmem", "4096 540000 15728640"
    std::string text;         // the command as written (continuation lines joined)
    SourcePos pos;            // in the script: the command, or the block that named its .sh file
    std::string file;         // the .sh file it was read from, as written ("" when in the script)
    uint32_t file_line = 0;   // its line in that file
};

// A command the interpreter cannot even read (a missing .sh file, an unterminated quote, bad
// `$((...))` arithmetic): where, in the script.
struct ConfigError : std::runtime_error {
    ConfigError(SourcePos p, const std::string& what) : std::runtime_error(what), pos(p) {}
    SourcePos pos;
};

// Reads a file a script names (the path already joined to the script's folder); nullopt when it
// cannot be read. Tests give their own; read_config_file reads the disk.
using ConfigFileReader = std::function<std::optional<std::string>(const std::string& path)>;
std::optional<std::string> read_config_file(const std::string& path);

// The actions of one backquoted block, in order. `pos` is where the block's event starts
// (Event::pos): the first line's commands take that position, later lines their own line and
// column. `script_dir` is the folder relative paths are read from ("" for the current one).
// Throws ConfigError.
std::vector<ConfigAction> interpret_shell_block(std::string_view text, SourcePos pos, const std::string& script_dir,
                                                const ConfigFileReader& read_file = read_config_file);

}  // namespace tcpsim::packetdrill
