#pragma once
// write_decimal: an integer as decimal digits, the same text as std::to_chars(p, end, v) with no
// end check (the caller has room for 20 digits and a sign). A trace record has a dozen integers,
// most of them sequence numbers and timestamps of 9-10 digits; this writes them 8 digits at a
// time with 32-bit arithmetic (two digits per table lookup), where std::to_chars divides the
// 64-bit value by 100 once per pair: about half the instructions for a 10-digit number.
#include <cstdint>
#include <cstring>

namespace tcpsim {

namespace decimal_detail {

inline constexpr char kPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline void pair(char* p, uint32_t v) { std::memcpy(p, kPairs + 2 * v, 2); }

// Exactly 8 digits, zeros in front.
inline void eight(char* p, uint32_t v) {
    uint32_t hi = v / 10000, lo = v % 10000;
    pair(p, hi / 100);
    pair(p + 2, hi % 100);
    pair(p + 4, lo / 100);
    pair(p + 6, lo % 100);
}

// v < 10^8, no zeros in front.
inline char* upto_eight(char* p, uint32_t v) {
    if (v < 100) {
        if (v < 10) {
            *p = static_cast<char>('0' + v);
            return p + 1;
        }
        pair(p, v);
        return p + 2;
    }
    if (v < 10000) {
        if (v < 1000) {
            *p = static_cast<char>('0' + v / 100);
            pair(p + 1, v % 100);
            return p + 3;
        }
        pair(p, v / 100);
        pair(p + 2, v % 100);
        return p + 4;
    }
    uint32_t hi = v / 10000, lo = v % 10000;
    p = upto_eight(p, hi);  // 1..4 digits
    pair(p, lo / 100);
    pair(p + 2, lo % 100);
    return p + 4;
}

}  // namespace decimal_detail

inline char* write_decimal(char* p, uint64_t v) {
    using namespace decimal_detail;
    constexpr uint64_t k8 = 100'000'000;
    if (v < k8) return upto_eight(p, static_cast<uint32_t>(v));
    uint64_t top = v / k8;
    uint32_t low8 = static_cast<uint32_t>(v % k8);
    if (top < k8) {
        p = upto_eight(p, static_cast<uint32_t>(top));
    } else {  // 17 to 20 digits
        p = upto_eight(p, static_cast<uint32_t>(top / k8));
        eight(p, static_cast<uint32_t>(top % k8));
        p += 8;
    }
    eight(p, low8);
    return p + 8;
}

inline char* write_decimal(char* p, int64_t v) {
    if (v >= 0) return write_decimal(p, static_cast<uint64_t>(v));
    *p = '-';
    return write_decimal(p + 1, uint64_t{0} - static_cast<uint64_t>(v));  // INT64_MIN too
}

inline char* write_decimal(char* p, uint32_t v) { return write_decimal(p, uint64_t{v}); }
inline char* write_decimal(char* p, int v) { return write_decimal(p, int64_t{v}); }

// A 32-bit number's text, kept for the next time the same number is written: the numbers of a
// segment header (ports, a bulk sender's ack, its receiver's seq, window, length, timestamps)
// mostly repeat from one segment of a flow direction to the next. Zero-initialised: empty.
struct DecimalMemo {
    char text[10];
    uint8_t len;
    uint8_t unused;
    uint32_t value;
};
static_assert(sizeof(DecimalMemo) == 16);

// write_decimal(p, v) through `m`: 16 bytes are stored at p (room for them is the caller's).
inline char* write_decimal(char* p, uint32_t v, DecimalMemo& m) {
    if (m.value != v || m.len == 0) {
        m.len = static_cast<uint8_t>(write_decimal(m.text, v) - m.text);
        m.value = v;
    }
    std::memcpy(p, &m, 16);
    return p + m.len;
}

// ns nanoseconds as seconds: the same text as std::to_chars(p, end, ns / 1e9) (a double, shortest
// form, fixed or exponent notation whichever is shorter, fixed on a tie), made from the integer.
// Exact because a decimal of at most 15 significant digits is the only one that short within
// the rounding interval of the double nearest to it, so the shortest form has its digits; from
// 10^15 ns on (11.6 days) the double is formatted. The trace's cc records carry three of these.
char* write_seconds_shortest(char* p, int64_t ns);

}  // namespace tcpsim
