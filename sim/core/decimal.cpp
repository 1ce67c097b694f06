#include "sim/core/decimal.hpp"

#include <charconv>

namespace tcpsim {

char* write_seconds_shortest(char* p, int64_t ns) {
    constexpr int64_t kExactBelow = 1'000'000'000'000'000;  // 10^15: at most 15 digits
    if (ns >= 1'000'000 && ns < 10'000'000'000) {
        // 0.001 s to 10 s, where RTTs are: fixed notation is never the longer form here ("d.ddd"
        // against "d.ddde+00", "0.00ddd" against "d.dde-03"), so it is the digits of the integer
        // and of the nine-digit fraction, without its trailing zeros.
        auto whole = static_cast<uint32_t>(ns / 1'000'000'000);
        auto frac = static_cast<uint32_t>(ns % 1'000'000'000);
        *p++ = static_cast<char>('0' + whole);
        if (frac == 0) return p;
        *p++ = '.';
        *p = static_cast<char>('0' + frac / 100'000'000);
        decimal_detail::eight(p + 1, frac % 100'000'000);
        int n = 9;
        while (p[n - 1] == '0') --n;  // frac != 0: a digit of it is not zero
        return p + n;
    }
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
