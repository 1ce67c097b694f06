#pragma once
// Helpers for tests that call the command line in-process: a temporary directory, running
// cli_main with captured stdout/stderr, reading files back.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/tcpsim/cli.hpp"

namespace tcpsim::test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class ScratchDir {
public:
    ScratchDir() {
        std::string tmpl = (fs::temp_directory_path() / "tcpsim-test-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    // The names of the files in the directory, sorted.
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

private:
    fs::path path_;
};

struct CliRun {
    int code;
    std::string out, err;
};

inline CliRun cli(const std::vector<std::string>& args) {
    std::vector<const char*> argv{"tcpsim"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    int code = cli_main(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

inline std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
}

inline bool has_text(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

inline void write_text(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
    REQUIRE(f.good());
}

// A table of bad scenarios, each refused as a user meets it: exit 2, nothing on stdout, one line
// on stderr naming the file, the JSON pointer of the field at fault and what was expected, what
// was given quoted once; `run` writes no trace.
struct BadInput {
    const char* name;
    std::string text;
    const char* pointer;  // as the message prints it
    const char* message;  // a fragment of what it must say
};

inline void check_bad_input_message(const std::string& err, const std::string& path, const BadInput& b) {
    // "tcpsim: error: FILE: POINTER: MESSAGE", one line.
    CHECK_MESSAGE(err.find(path + ": " + b.pointer + ": ") != std::string::npos, err);
    CHECK_MESSAGE(err.find(b.message) != std::string::npos, err);
    CHECK(err.find('\n') == err.size() - 1);
    // What was given is quoted once ("got \"bbr\", got \"bbr\"" was a bug).
    size_t first = err.find(", got ");
    CHECK_MESSAGE((first == std::string::npos || err.find(", got ", first + 1) == std::string::npos), err);
}

// Runs every row through `command` ("validate" or "run") and checks the refusal.
inline void check_bad_inputs_refused(const std::vector<BadInput>& rows, const std::string& command) {
    ScratchDir dir;
    for (const auto& b : rows) {
        INFO("row: ", b.name);
        fs::path p = dir.path() / "scenario.json";
        fs::path trace = dir.path() / "out.trace.json";
        write_text(p, b.text);
        CliRun r = command == "run" ? cli({"run", p.string(), "-o", trace.string()}) : cli({command, p.string()});
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        check_bad_input_message(r.err, p.string(), b);
        CHECK_FALSE(fs::exists(trace));
    }
}

inline const std::string& handshake_scenario() {
    static const std::string path = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/handshake.json";
    return path;
}

}  // namespace tcpsim::test
