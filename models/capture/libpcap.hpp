#pragma once
// Libpcap: libpcap's savefile-writing functions, loaded with dlopen the first time a run asks for
// a pcap file. Linked the usual way, libpcap brings its own dependencies (dbus, systemd, gcrypt,
// lzma, zstd, lz4...) into every start of tcpsim, about a millisecond, which is 5% of a 100 MB
// bulk transfer's run; loaded here, only runs that write pcap pay for it. The header
// (pcap/pcap.h, Debian libpcap-dev) gives the functions' types; the shared library (Debian
// libpcap0.8) is found by its soname at run time.
#include <pcap/pcap.h>

#include <string>

namespace tcpsim {

struct Libpcap {
    decltype(&::pcap_open_dead_with_tstamp_precision) open_dead = nullptr;
    decltype(&::pcap_dump_fopen) dump_fopen = nullptr;
    decltype(&::pcap_geterr) geterr = nullptr;
    decltype(&::pcap_close) close = nullptr;
    decltype(&::pcap_dump) dump = nullptr;
    decltype(&::pcap_dump_flush) dump_flush = nullptr;
    decltype(&::pcap_dump_file) dump_file = nullptr;
    decltype(&::pcap_dump_close) dump_close = nullptr;

    // The process's copy, loaded on first use (thread-safe: sweeps run scenarios on threads).
    // Throws std::runtime_error saying which library is missing and the package that has it.
    static const Libpcap& get();
    // Loads from `soname` (tests name one that does not exist); throws as get() does.
    static Libpcap load(const std::string& soname);
};

}  // namespace tcpsim
