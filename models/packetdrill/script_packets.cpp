#include "models/packetdrill/script_packets.hpp"

#include <array>
#include <cstdlib>

#include "models/capture/ipv4_tcp_encoder.hpp"

namespace tcpsim::packetdrill {

std::vector<TcpOptionSpec> wire_options(const Packet& p) {
    std::array<uint8_t, kMaxIpv4TcpHeaderBytes> buf{};
    encode_ipv4_tcp(p, buf);
    const size_t tcp = Packet::kIpHeader;
    const size_t end = tcp + (buf[tcp + 12] >> 4) * 4;
    std::vector<TcpOptionSpec> out;
    size_t i = tcp + Packet::kTcpHeader;
    auto be16 = [&](size_t o) { return static_cast<uint32_t>(buf[o] << 8 | buf[o + 1]); };
    auto be32 = [&](size_t o) { return be16(o) << 16 | be16(o + 2); };
    while (i < end) {
        TcpOptionSpec o;
        uint8_t kind = buf[i];
        if (kind == 0) {  // EOL: the rest is padding
            o.kind = TcpOptionSpec::Kind::eol;
            out.push_back(o);
            break;
        }
        if (kind == 1) {
            o.kind = TcpOptionSpec::Kind::nop;
            out.push_back(o);
            ++i;
            continue;
        }
        uint8_t len = i + 1 < end ? buf[i + 1] : 0;
        if (len < 2 || i + len > end) break;
        switch (kind) {
            case 2: o.kind = TcpOptionSpec::Kind::mss; o.value = be16(i + 2); break;
            case 3: o.kind = TcpOptionSpec::Kind::wscale; o.value = buf[i + 2]; break;
            case 4: o.kind = TcpOptionSpec::Kind::sack_permitted; break;
            case 5:
                o.kind = TcpOptionSpec::Kind::sack;
                for (size_t b = i + 2; b + 8 <= i + len; b += 8) o.blocks.emplace_back(be32(b), be32(b + 4));
                break;
            case 8: o.kind = TcpOptionSpec::Kind::timestamp; o.value = be32(i + 2); o.value2 = be32(i + 6); break;
            default: o.kind = TcpOptionSpec::Kind::other; o.text = "kind " + std::to_string(kind); break;
        }
        out.push_back(o);
        i += len;
    }
    return out;
}

Packet ScriptPackets::inbound(const PacketSpec& s) const {
    Packet p;
    p.src_node = remote_node_;
    p.dst_node = local_node_;
    p.src_port = remote_port_;
    p.dst_port = local_port_;
    p.flags = s.flags;
    p.seq = remote_isn_ + s.seq;
    p.ack = (s.flags & kAck) && s.ack ? local_isn_ + *s.ack : 0;
    p.payload_len = s.len;
    p.window = s.win.value_or(65535);
    if (s.ecn) p.ecn = *s.ecn;
    if (s.options) {
        for (const TcpOptionSpec& o : *s.options) {
            switch (o.kind) {
                case TcpOptionSpec::Kind::mss: p.options.mss = static_cast<uint16_t>(o.value); break;
                case TcpOptionSpec::Kind::wscale: p.options.wscale = static_cast<int8_t>(o.value); break;
                case TcpOptionSpec::Kind::sack_permitted: p.options.sack_permitted = true; break;
                case TcpOptionSpec::Kind::timestamp:
                    p.options.has_timestamps = true;
                    p.options.ts_val = o.value;
                    // The script writes the echo in its own numbering of the local clock.
                    p.options.ts_ecr = o.value2 ? static_cast<uint32_t>(o.value2 + ts_offset_) : 0;
                    break;
                case TcpOptionSpec::Kind::sack:
                    for (const auto& [l, r] : o.blocks) {
                        if (p.options.sack_count == p.options.sack.size()) break;
                        p.options.sack[p.options.sack_count++] = SackBlock{local_isn_ + l, local_isn_ + r};
                    }
                    break;
                case TcpOptionSpec::Kind::nop:
                case TcpOptionSpec::Kind::eol:
                case TcpOptionSpec::Kind::other: break;  // the encoder lays options out itself
            }
        }
    }
    return p;
}

namespace {

std::string flags_text(uint8_t f) { return flags_to_tcpdump(f); }

std::string option_text(const TcpOptionSpec& o) {
    switch (o.kind) {
        case TcpOptionSpec::Kind::mss: return "mss " + std::to_string(o.value);
        case TcpOptionSpec::Kind::wscale: return "wscale " + std::to_string(o.value);
        case TcpOptionSpec::Kind::sack_permitted: return "sackOK";
        case TcpOptionSpec::Kind::nop: return "nop";
        case TcpOptionSpec::Kind::eol: return "eol";
        case TcpOptionSpec::Kind::timestamp: return "TS val " + std::to_string(o.value) + " ecr " + std::to_string(o.value2);
        case TcpOptionSpec::Kind::sack: {
            std::string s = "sack";
            for (const auto& [l, r] : o.blocks) s += " " + std::to_string(l) + ":" + std::to_string(r);
            return s;
        }
        case TcpOptionSpec::Kind::other: return o.text;
    }
    return "?";
}

std::string options_text(const std::vector<TcpOptionSpec>& v) {
    std::string s = "<";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + option_text(v[i]);
    return s + ">";
}

}  // namespace

std::string ScriptPackets::describe(const PacketSpec& s) {
    std::string t = flags_text(s.flags) + " " + std::to_string(s.seq) + ":" + std::to_string(s.end) + "(" +
                    std::to_string(s.len) + ")";
    if (s.ack) t += " ack " + std::to_string(*s.ack);
    if (s.win) t += " win " + std::to_string(*s.win);
    if (s.any_options) t += " <...>";
    else if (s.options) t += " " + options_text(*s.options);
    return t;
}

std::string ScriptPackets::describe(const Packet& p) const {
    uint32_t seq = rel_local(p.seq);
    std::string t = flags_text(p.flags) + " " + std::to_string(seq) + ":" + std::to_string(seq + p.payload_len) + "(" +
                    std::to_string(p.payload_len) + ")";
    if (p.flags & kAck) t += " ack " + std::to_string(rel_remote(p.ack));
    t += " win " + std::to_string(p.window);
    std::vector<TcpOptionSpec> o = wire_options(p);
    for (TcpOptionSpec& x : o) {
        if (x.kind == TcpOptionSpec::Kind::timestamp && ts_offset_known_) x.value = static_cast<uint32_t>(x.value - ts_offset_);
        for (auto& [l, r] : x.blocks) l = rel_remote(l), r = rel_remote(r);
    }
    if (!o.empty()) t += " " + options_text(o);
    if (p.ecn) t = "[" + std::string(ecn_name(p.ecn)) + "] " + t;
    return t;
}

bool ScriptPackets::starts_run(const PacketSpec& want, const Packet& got) const {
    if (!local_isn_known_ || (want.flags & kSyn)) return false;
    return rel_local(got.seq) == want.seq && got.payload_len > 0 && got.payload_len < want.len;
}

std::string ScriptPackets::mismatch(const PacketSpec& want, const Packet& got, uint32_t ts_tolerance_ticks) {
    if ((got.flags & kSyn) && (want.flags & kSyn) && !local_isn_known_) {
        local_isn_ = got.seq - want.seq;
        local_isn_known_ = true;
    }
    std::string where;
    auto differ = [&](const std::string& what) {
        if (where.empty()) where = what;
    };
    if (got.flags != want.flags) differ("flags " + flags_text(got.flags) + ", expected " + flags_text(want.flags));
    if (rel_local(got.seq) != want.seq || got.payload_len != want.len)
        differ("sequence " + std::to_string(rel_local(got.seq)) + ":" + std::to_string(rel_local(got.seq) + got.payload_len) +
               "(" + std::to_string(got.payload_len) + "), expected " + std::to_string(want.seq) + ":" +
               std::to_string(want.end) + "(" + std::to_string(want.len) + ")");
    if ((want.flags & kAck) && want.ack && rel_remote(got.ack) != *want.ack)
        differ("ack " + std::to_string(rel_remote(got.ack)) + ", expected " + std::to_string(*want.ack));
    if (want.win && got.window != *want.win)
        differ("win " + std::to_string(got.window) + ", expected " + std::to_string(*want.win));
    if (want.ecn && got.ecn != *want.ecn)
        differ("ECN [" + std::string(ecn_name(got.ecn).empty() ? "noecn" : ecn_name(got.ecn)) + "], expected [" +
               std::string(ecn_name(*want.ecn).empty() ? "noecn" : ecn_name(*want.ecn)) + "]");
    if (!want.any_options) {
        std::vector<TcpOptionSpec> have = wire_options(got);
        const std::vector<TcpOptionSpec> none;
        const std::vector<TcpOptionSpec>& expect = want.options ? *want.options : none;
        std::string bad;
        if (have.size() != expect.size()) bad = "options";
        for (size_t i = 0; bad.empty() && i < have.size(); ++i) {
            const TcpOptionSpec& h = have[i];
            const TcpOptionSpec& e = expect[i];
            if (h.kind != e.kind) {
                bad = "options";
                break;
            }
            switch (h.kind) {
                case TcpOptionSpec::Kind::mss:
                case TcpOptionSpec::Kind::wscale:
                    if (h.value != e.value) bad = "options";
                    break;
                case TcpOptionSpec::Kind::sack: {
                    if (h.blocks.size() != e.blocks.size()) bad = "SACK blocks";
                    for (size_t b = 0; bad.empty() && b < h.blocks.size(); ++b)
                        if (rel_remote(h.blocks[b].first) != e.blocks[b].first || rel_remote(h.blocks[b].second) != e.blocks[b].second)
                            bad = "SACK blocks";
                    break;
                }
                case TcpOptionSpec::Kind::timestamp: {
                    if (!ts_offset_known_) {
                        ts_offset_ = static_cast<int64_t>(h.value) - static_cast<int64_t>(e.value);
                        ts_offset_known_ = true;
                    }
                    int64_t expected_val = static_cast<int64_t>(e.value) + ts_offset_;
                    int64_t d = static_cast<int32_t>(h.value - static_cast<uint32_t>(expected_val));
                    if (std::llabs(d) > ts_tolerance_ticks) bad = "TS val";
                    else if (h.value2 != e.value2) bad = "TS ecr";
                    break;
                }
                default: break;
            }
        }
        if (!bad.empty()) {
            std::vector<TcpOptionSpec> shown = have;
            for (TcpOptionSpec& x : shown) {
                if (x.kind == TcpOptionSpec::Kind::timestamp && ts_offset_known_) x.value = static_cast<uint32_t>(x.value - ts_offset_);
                for (auto& [l, r] : x.blocks) l = rel_remote(l), r = rel_remote(r);
            }
            differ(bad + " " + options_text(shown) + ", expected " + options_text(expect));
        }
    }
    return where;
}

std::string ScriptPackets::run_mismatch(const PacketSpec& want, const std::vector<Packet>& run, uint32_t ts_tolerance_ticks) {
    uint32_t at = want.seq;
    for (size_t i = 0; i < run.size(); ++i) {
        const Packet& p = run[i];
        bool last = i + 1 == run.size();
        // Each piece as the line would be for it alone: its range; FIN on the last. PSH is not
        // compared inside a run: where Linux puts it depends on how its offload engine cut the
        // write queue into packets (the end of each write, forced pushes, the split at the
        // congestion window), which a stack that sends MSS-sized segments has no counterpart of.
        PacketSpec piece = want;
        piece.seq = at;
        piece.len = p.payload_len;
        piece.end = at + p.payload_len;
        piece.flags = static_cast<uint8_t>((last ? want.flags : want.flags & ~kFin) & ~kPsh);
        piece.flags |= p.flags & kPsh;
        std::string m = mismatch(piece, p, ts_tolerance_ticks);
        if (!m.empty()) return "segment " + std::to_string(i + 1) + " of " + std::to_string(run.size()) + ": " + m;
        at += p.payload_len;
    }
    if (at != want.end)
        return "the segments sent together cover " + std::to_string(want.seq) + ":" + std::to_string(at) + ", expected " +
               std::to_string(want.seq) + ":" + std::to_string(want.end);
    return "";
}

}  // namespace tcpsim::packetdrill
