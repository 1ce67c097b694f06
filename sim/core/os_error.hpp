#pragma once
// The system's reason for a failed file operation, the way tcpsim's messages quote it: the text
// of strerror(err) with a lower-case first letter ("cannot open trace file "x": permission
// denied"). Read errno right after the call that failed: any later call may change it.
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>

namespace tcpsim {

inline std::string system_reason(int err) {
    std::string text = err ? std::strerror(err) : "unknown error";
    if (!text.empty() && std::isupper(static_cast<unsigned char>(text[0])) &&
        (text.size() < 2 || !std::isupper(static_cast<unsigned char>(text[1]))))
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

}  // namespace tcpsim
