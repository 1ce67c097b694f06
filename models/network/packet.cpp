#include "models/network/packet.hpp"

#include <memory>
#include <new>

#include "sim/core/text_buffer.hpp"

namespace tcpsim {

size_t flags_to_tcpdump(uint8_t f, char* out) {
    char* p = out;
    if (f & kSyn) *p++ = 'S';
    if (f & kFin) *p++ = 'F';
    if (f & kPsh) *p++ = 'P';
    if (f & kRst) *p++ = 'R';
    if (f & kUrg) *p++ = 'U';
    if (f & kEce) *p++ = 'E';
    if (f & kCwr) *p++ = 'W';
    if (f & kAck) *p++ = '.';
    if (p == out) p = copy_text(p, "none");
    return static_cast<size_t>(p - out);
}

std::string flags_to_tcpdump(uint8_t f) {
    char buf[8];
    return std::string(buf, flags_to_tcpdump(f, buf));
}

bool flags_from_text(const std::string& text, uint8_t& flags) {
    flags = 0;
    for (char c : text) {
        switch (c) {
            case 'S': flags |= kSyn; break;
            case 'F': flags |= kFin; break;
            case 'P': flags |= kPsh; break;
            case 'R': flags |= kRst; break;
            case 'U': flags |= kUrg; break;
            case 'E': flags |= kEce; break;
            case 'W': flags |= kCwr; break;
            case '.':
            case 'A': flags |= kAck; break;
            default: return false;
        }
    }
    return true;
}

PacketPool::Index PacketPool::alloc(const Packet& p) {
    Index i;
    if (!free_.empty()) {
        i = free_.back();
        free_.pop_back();
        (*this)[i] = p;
    } else {
        i = next_++;
        if ((i >> kChunkBits) >= chunks_.size())
            chunks_.emplace_back(static_cast<Packet*>(::operator new(sizeof(Packet) * (kChunkMask + 1))));
        std::construct_at(&(*this)[i], p);
    }
    ++in_use_;
    return i;
}

}  // namespace tcpsim
