#include "models/capture/libpcap.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace tcpsim {

namespace {
// libpcap's soname on Debian (package libpcap0.8, whatever the upstream version).
constexpr const char* kSoname = "libpcap.so.0.8";

template <typename F>
void bind(void* lib, const std::string& soname, const char* name, F& fn) {
    fn = reinterpret_cast<F>(dlsym(lib, name));
    if (!fn) throw std::runtime_error("writing pcap: " + soname + " has no " + name + " (libpcap 1.5 or newer is needed)");
}
}  // namespace

Libpcap Libpcap::load(const std::string& soname) {
    // Kept loaded for the rest of the process: the functions are used until the last file closes.
    void* lib = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char* why = dlerror();
        throw std::runtime_error("writing pcap needs libpcap (Debian package libpcap0.8): cannot load " + soname +
                                 (why ? std::string(": ") + why : std::string()));
    }
    Libpcap p;
    bind(lib, soname, "pcap_open_dead_with_tstamp_precision", p.open_dead);
    bind(lib, soname, "pcap_dump_fopen", p.dump_fopen);
    bind(lib, soname, "pcap_geterr", p.geterr);
    bind(lib, soname, "pcap_close", p.close);
    bind(lib, soname, "pcap_dump", p.dump);
    bind(lib, soname, "pcap_dump_flush", p.dump_flush);
    bind(lib, soname, "pcap_dump_file", p.dump_file);
    bind(lib, soname, "pcap_dump_close", p.dump_close);
    return p;
}

const Libpcap& Libpcap::get() {
    static const Libpcap loaded = load(kSoname);  // a failed load throws, and is tried again next time
    return loaded;
}

}  // namespace tcpsim
