// ProbingTable: the open-addressing table behind the stacks' connection lookup and the tracer's
// connection ids.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/core/probing_table.hpp"

using namespace tcpsim;

namespace {
// Values are their own keys (never 0, the empty slot).
struct Self {
    uint64_t operator()(uint64_t v) const { return v; }
};
// Every key in one home slot: each lookup walks one long run, and erase must shift it back.
struct Collide {
    size_t operator()(uint64_t) const { return 5; }
};
struct Mix {
    size_t operator()(uint64_t v) const { return static_cast<size_t>(mix64(v)); }
};
}  // namespace

TEST_CASE("probing table: what was inserted is found, what was not is not") {
    ProbingTable<uint64_t> t;
    CHECK(t.find(uint64_t{7}, Self{}, Mix{}) == nullptr);
    for (uint64_t v = 1; v <= 1000; ++v) t.insert(v, Self{}, Mix{});
    CHECK(t.size() == 1000);
    for (uint64_t v = 1; v <= 1000; ++v) {
        const uint64_t* s = t.find(v, Self{}, Mix{});
        REQUIRE(s != nullptr);
        CHECK(*s == v);
    }
    CHECK(t.find(uint64_t{1001}, Self{}, Mix{}) == nullptr);
}

TEST_CASE("probing table: taking an entry out of a run of collisions keeps the rest reachable") {
    // 20 keys, all with the same home slot, so they fill one run (wrapping round the end of the
    // 32 slots); take every third and each of the others must still be found.
    ProbingTable<uint64_t> t;
    for (uint64_t v = 1; v <= 20; ++v) t.insert(v, Self{}, Collide{});
    for (uint64_t v = 3; v <= 20; v += 3) CHECK(t.take(v, Self{}, Collide{}) == v);
    CHECK(t.take(uint64_t{3}, Self{}, Collide{}) == 0);  // already gone: the empty value
    CHECK(t.size() == 14);
    for (uint64_t v = 1; v <= 20; ++v) {
        CAPTURE(v);
        CHECK((t.find(v, Self{}, Collide{}) != nullptr) == (v % 3 != 0));
    }
}

TEST_CASE("probing table: for_each visits each entry once, after inserts and takes mixed") {
    ProbingTable<uint64_t> t;
    for (uint64_t v = 1; v <= 300; ++v) t.insert(v, Self{}, Mix{});
    for (uint64_t v = 2; v <= 300; v += 2) t.take(v, Self{}, Mix{});
    std::vector<uint64_t> seen;
    t.for_each([&seen](uint64_t v) { seen.push_back(v); });
    std::sort(seen.begin(), seen.end());
    REQUIRE(seen.size() == 150);
    for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == 2 * i + 1);
}
