#include "sim/decimal.hpp"

#include <charconv>

namespace tcpsim {

char* write_seconds_shortest(char* p, int64_t ns) {
    constexpr int64_t kExactBelow = 1'000'000'000'000'000;  // 10^15: at most 15 digits
    if (ns <= -kExactBelow || ns >= kExactBelow) return std::to_chars(p, p + 32, static_cast<double>(ns) / 1e9).ptr;
    if (ns == 0) {
        *p = '0';
        return p + 1;
    }
    if (ns < 0) {
        *p++ = '-';
        ns = -ns;
    }
    char digits[16];
    int n = static_cast<int>(write_decimal(digits, static_cast<uint64_t>(ns)) - digits);
    int k = n;  // significant digits: trailing zeros dropped
    while (digits[k - 1] == '0') --k;
    int x = n - 1 - 9;  // the value is d.ddd x 10^x
    int ax = x < 0 ? -x : x;
    int sci = k + (k > 1 ? 1 : 0) + 2 + (ax >= 100 ? 3 : 2);
    int fixed = x >= 0 ? (k <= x + 1 ? x + 1 : k + 1) : 2 + (-x - 1) + k;
    if (fixed <= sci) {
        if (x >= 0) {
            for (int i = 0; i <= x; ++i) *p++ = i < k ? digits[i] : '0';
            if (k > x + 1) {
                *p++ = '.';
                for (int i = x + 1; i < k; ++i) *p++ = digits[i];
            }
        } else {
            *p++ = '0';
            *p++ = '.';
            for (int i = 0; i < -x - 1; ++i) *p++ = '0';
            for (int i = 0; i < k; ++i) *p++ = digits[i];
        }
        return p;
    }
    *p++ = digits[0];
    if (k > 1) {
        *p++ = '.';
        for (int i = 1; i < k; ++i) *p++ = digits[i];
    }
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    if (ax < 10) *p++ = '0';
    return write_decimal(p, ax);
}

}  // namespace tcpsim
