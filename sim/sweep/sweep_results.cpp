#include "sim/sweep/sweep_results.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include "sim/core/os_error.hpp"

namespace tcpsim {

namespace {

nlohmann::ordered_json ordered_record(const SweepRecord& r, bool with_wall) {
    nlohmann::ordered_json j;
    j["run"] = r.run;
    j["point"] = r.point;
    j["replication"] = r.replication;
    j["seed"] = r.seed;
    j["params"] = r.params;
    j["status"] = r.ok ? "ok" : "error";
    if (!r.ok) j["error"] = r.error;
    j["metrics"] = r.metrics;
    j["sim"] = r.sim;
    if (with_wall) j["wall_s"] = r.wall_s;
    return j;
}

}  // namespace

std::string SweepRecord::to_line() const { return ordered_record(*this, true).dump(); }
std::string SweepRecord::to_line_without_wall() const { return ordered_record(*this, false).dump(); }

SweepRecord parse_record(const Json& j, const std::string& file, size_t line_number) {
    std::string where = "line " + std::to_string(line_number);
    auto fail = [&](const std::string& what) -> SweepRecord {
        throw InputError(file, where, "not a sweep result record: " + what);
    };
    if (!j.is_object()) return fail("expected a JSON object, got " + describe_json_value(j));
    SweepRecord r;
    auto count = [&](const char* key, uint64_t& v) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_number_unsigned()) fail(std::string("\"") + key + "\" must be a non-negative integer");
        v = it->get<uint64_t>();
    };
    count("run", r.run);
    count("point", r.point);
    count("replication", r.replication);
    count("seed", r.seed);
    auto object = [&](const char* key, Json& v) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_object()) fail(std::string("\"") + key + "\" must be an object");
        v = *it;
    };
    object("params", r.params);
    object("metrics", r.metrics);
    object("sim", r.sim);
    auto status = j.find("status");
    if (status == j.end() || !status->is_string() || (*status != "ok" && *status != "error"))
        fail("\"status\" must be \"ok\" or \"error\"");
    r.ok = *status == "ok";
    if (!r.ok) {
        auto e = j.find("error");
        if (e == j.end() || !e->is_string()) fail("a failed run needs its \"error\" message");
        r.error = e->get<std::string>();
    }
    auto wall = j.find("wall_s");
    if (wall != j.end() && wall->is_number()) r.wall_s = wall->get<double>();
    return r;
}

ResultsFile read_results(const std::string& path) {
    ResultsFile f;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return f;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "", "cannot open the results file: " + system_reason(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    size_t pos = 0, line_number = 0;
    while (pos < text.size()) {
        ++line_number;
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) {
            // Cut short by a crash or a kill while writing: the run is redone.
            f.truncated_tail = true;
            break;
        }
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            f.valid_bytes = pos;
            continue;
        }
        Json j = Json::parse(line, nullptr, false);
        if (j.is_discarded()) throw InputError(path, "line " + std::to_string(line_number), "not valid JSON");
        f.records.push_back(parse_record(j, path, line_number));
        f.valid_bytes = pos;
    }
    return f;
}

ResultsAppender::ResultsAppender(const std::string& path, uint64_t keep_bytes, bool truncate) : path_(path) {
    std::error_code ec;
    if (!truncate && std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) != keep_bytes)
        std::filesystem::resize_file(path, keep_bytes, ec);
    if (ec) throw std::runtime_error("cannot cut the incomplete last line off \"" + path + "\": " + ec.message());
    out_.open(path, std::ios::binary | (truncate ? std::ios::trunc : std::ios::app));
    if (!out_) throw std::runtime_error("cannot open the results file \"" + path + "\" for writing: " + system_reason(errno));
}

void ResultsAppender::append(const SweepRecord& r) {
    std::string line = r.to_line() + '\n';
    std::lock_guard lock(mutex_);
    out_.write(line.data(), static_cast<std::streamsize>(line.size()));
    out_.flush();
    if (!out_) throw std::runtime_error("writing the results file \"" + path_ + "\" failed: " + system_reason(errno));
}

void ResultsAppender::close() {
    std::lock_guard lock(mutex_);
    if (out_.is_open()) out_.close();
}

void write_results_sorted(const std::string& path, std::vector<SweepRecord> records) {
    std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.run < b.run; });
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot open \"" + tmp + "\" for writing: " + system_reason(errno));
        for (const auto& r : records) out << r.to_line() << '\n';
        out.close();
        if (!out) throw std::runtime_error("writing \"" + tmp + "\" failed: " + system_reason(errno));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw std::runtime_error("cannot rename \"" + tmp + "\" to \"" + path + "\": " + ec.message());
}

}  // namespace tcpsim
