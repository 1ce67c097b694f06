// The receiver's reassembly of stream ranges.
#include <doctest/doctest.h>

#include "models/tcp/reassembly_queue.hpp"

using namespace tcpsim;

TEST_CASE("in-order ranges advance next at once") {
    ReassemblyQueue q;
    CHECK(q.add(0, 100) == 100);
    CHECK(q.add(100, 250) == 150);
    CHECK(q.next() == 250);
    CHECK(q.out_of_order().empty());
}

TEST_CASE("out-of-order ranges wait for the hole and are merged") {
    ReassemblyQueue q;
    CHECK(q.add(200, 300) == 0);
    CHECK(q.add(400, 500) == 0);
    CHECK(q.add(300, 400) == 0);  // touches both: one range 200-500
    REQUIRE(q.out_of_order().size() == 1);
    CHECK(q.out_of_order()[0].begin == 200);
    CHECK(q.out_of_order()[0].end == 500);
    CHECK(q.out_of_order_bytes() == 300);
    CHECK(q.add(0, 200) == 500);  // the hole filled: everything up to 500 in order
    CHECK(q.next() == 500);
    CHECK(q.out_of_order().empty());
}

TEST_CASE("duplicates and overlaps are counted once") {
    ReassemblyQueue q;
    CHECK(q.add(0, 100) == 100);
    CHECK(q.add(0, 100) == 0);    // a duplicate
    CHECK(q.add(50, 150) == 50);  // half old, half new
    CHECK(q.add(300, 400) == 0);
    CHECK(q.add(350, 450) == 0);  // overlaps the held range
    CHECK(q.out_of_order_bytes() == 150);
    CHECK(q.add(120, 320) == 300);  // covers the gap and part of the held range: next = 450
    CHECK(q.next() == 450);
}

TEST_CASE("separate holes stay separate and sorted") {
    ReassemblyQueue q;
    q.add(500, 600);
    q.add(100, 200);
    q.add(300, 400);
    REQUIRE(q.out_of_order().size() == 3);
    CHECK(q.out_of_order()[0].begin == 100);
    CHECK(q.out_of_order()[1].begin == 300);
    CHECK(q.out_of_order()[2].begin == 500);
    CHECK(q.add(0, 100) == 200);
    CHECK(q.next() == 200);
    CHECK(q.out_of_order().size() == 2);
}
