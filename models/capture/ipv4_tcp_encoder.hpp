#pragma once
// Ipv4TcpEncoder: a Packet as the bytes a capture tool would see on the wire: an IPv4 header
// (RFC 791) and a TCP header (RFC 9293) with its options, both with correct checksums (RFC 1071
// one's-complement sum; the TCP one over the RFC 9293 3.1 pseudo-header), then the payload,
// which the simulator does not materialise and which is written as zero bytes.
//
// Addresses: node index i (its position in the trace's meta.nodes) is 10.0.0.0 + i + 1, i.e.
// 10.0.0.1, 10.0.0.2, ... (node 255 is 10.0.1.0).
// IPv4 fields: DSCP 0, ECN the packet's codepoint (Packet::ecn), identification = the packet id (pkt) mod 2^16, DF set, no
// fragmentation, TTL as the packet carries it, protocol 6.
// TCP options are laid out in exactly TcpOptions::encoded_length() bytes (so lengths match the
// trace's wire byte counts), in Linux's order: MSS, SACK-permitted, timestamps, window scale,
// SACK blocks, with NOPs for alignment where that space allows and EOL padding after the last.
#include <cstdint>
#include <span>
#include <string>

#include "models/network/packet.hpp"

namespace tcpsim {

constexpr uint32_t kMaxIpv4TcpHeaderBytes = 20 + 60;

uint32_t node_ipv4_address(uint32_t node_index);
std::string ipv4_to_string(uint32_t address);  // "10.0.0.1"

// RFC 1071 one's-complement sum of `data` (a trailing odd byte padded with zero), added to
// `sum`, not yet folded or complemented.
uint32_t ones_complement_add(std::span<const uint8_t> data, uint32_t sum = 0);
uint16_t fold_checksum(uint32_t sum);  // folded to 16 bits and complemented

// Writes p's headers and then zero payload bytes into `out`, as many as fit (up to the whole
// segment); `out` must hold at least the headers (p.header_bytes() <= kMaxIpv4TcpHeaderBytes).
// Returns the bytes written. The checksums cover the whole segment regardless of how much
// payload is written. The IPv4 total length is p.wire_bytes(), capped at 65535.
uint32_t encode_ipv4_tcp(const Packet& p, std::span<uint8_t> out);

}  // namespace tcpsim
