#pragma once
// ProbingTable: a hash table of one value per slot, for lookups among many small entries
// (100,000 connections): open addressing with linear probing, at most 3/4 full, erase by
// shifting the following entries back (no tombstones). A slot holds only the value; its key is
// computed from it by the caller's key_of, so no key is stored twice. std::unordered_map costs
// a heap node (with a malloc header) plus a bucket pointer per entry; this costs 8/0.375 to
// 8/0.75 bytes for an 8-byte value.
//
// Slot{} is the empty slot: use values that are never Slot{} (an owning pointer that is never
// null, an index + 1). Iteration order is the hash order: for lookups, never for output.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tcpsim {

template <class Slot>
class ProbingTable {
public:
    size_t size() const { return size_; }

    // The slot whose value has key `k` (key_of(value) == k), or null. hash(k) spreads keys.
    template <class Key, class KeyOf, class Hash>
    Slot* find(const Key& k, const KeyOf& key_of, const Hash& hash) {
        if (slots_.empty()) return nullptr;
        for (size_t i = hash(k) & mask(); slots_[i] != Slot{}; i = (i + 1) & mask())
            if (key_of(slots_[i]) == k) return &slots_[i];
        return nullptr;
    }

    // Adds a value whose key is not present yet.
    template <class KeyOf, class Hash>
    void insert(Slot value, const KeyOf& key_of, const Hash& hash) {
        if ((size_ + 1) * 4 > slots_.size() * 3) grow(key_of, hash);
        place(std::move(value), key_of, hash);
        ++size_;
    }

    // Removes the value with key `k` and returns it (Slot{} if there is none).
    template <class Key, class KeyOf, class Hash>
    Slot take(const Key& k, const KeyOf& key_of, const Hash& hash) {
        Slot* found = find(k, key_of, hash);
        if (!found) return Slot{};
        Slot out = std::move(*found);
        *found = Slot{};
        --size_;
        // Backward shift: move up each later entry of the run whose home is at or before the hole,
        // so that every entry stays reachable from its home without a gap.
        size_t hole = static_cast<size_t>(found - slots_.data());
        for (size_t i = (hole + 1) & mask(); slots_[i] != Slot{}; i = (i + 1) & mask()) {
            size_t home = hash(key_of(slots_[i])) & mask();
            if (((i - home) & mask()) >= ((i - hole) & mask())) {
                slots_[hole] = std::move(slots_[i]);
                slots_[i] = Slot{};
                hole = i;
            }
        }
        return out;
    }

    template <class F>
    void for_each(F&& f) const {
        for (const Slot& s : slots_)
            if (s != Slot{}) f(s);
    }

private:
    size_t mask() const { return slots_.size() - 1; }

    template <class KeyOf, class Hash>
    void place(Slot value, const KeyOf& key_of, const Hash& hash) {
        size_t i = hash(key_of(value)) & mask();
        while (slots_[i] != Slot{}) i = (i + 1) & mask();
        slots_[i] = std::move(value);
    }

    template <class KeyOf, class Hash>
    void grow(const KeyOf& key_of, const Hash& hash) {
        std::vector<Slot> old(std::max<size_t>(16, slots_.size() * 2));
        old.swap(slots_);
        for (Slot& s : old)
            if (s != Slot{}) place(std::move(s), key_of, hash);
    }

    std::vector<Slot> slots_;  // a power of two in size, or empty
    size_t size_ = 0;
};

// A 64-bit mixer (splitmix64's finaliser): sequential ports and node ids spread over the slots.
inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

}  // namespace tcpsim
