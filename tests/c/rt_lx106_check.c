/*
 * rt_lx106_check.c - firmware/rt_lx106.c against the host's own arithmetic
 * (tests/test_rt_lx106.py builds it with -DSNN2C_RT(n)=rt_##n and the sanitizers).
 * Inputs: the special values and their neighbours crossed with each other, then
 * random bit patterns (every exponent, subnormals, NaNs) and random near pairs
 * from a xorshift generator. Prints "OK <cases>" or the first difference.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t rt_divsi3(int32_t a, int32_t b);
uint32_t rt_udivsi3(uint32_t a, uint32_t b);
uint32_t rt_umodsi3(uint32_t a, uint32_t b);
int64_t rt_muldi3(int64_t a, int64_t b);
uint64_t rt_udivdi3(uint64_t a, uint64_t b);
uint64_t rt_umoddi3(uint64_t a, uint64_t b);
int64_t rt_divdi3(int64_t a, int64_t b);
float rt_addsf3(float a, float b);
float rt_subsf3(float a, float b);
float rt_mulsf3(float a, float b);
float rt_floatsisf(int32_t a);
float rt_floatunsisf(uint32_t a);
uint32_t rt_fixunssfsi(float a);
float rt_truncdfsf2(double a);
double rt_extendsfdf2(float a);

static uint64_t state = 88172645463325252ull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float from(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int same(float x, float y)
{
    /* NaNs: any NaN for any NaN (the payload is not specified); otherwise every bit */
    if (x != x && y != y) {
        return 1;
    }
    return bits(x) == bits(y);
}

static long cases;

static int check_float(uint32_t a, uint32_t b)
{
    float fa = from(a), fb = from(b);
    volatile float va = fa, vb = fb; /* keep the host's operations at run time */
    cases += 3;
    if (!same(rt_addsf3(fa, fb), va + vb) || !same(rt_subsf3(fa, fb), va - vb) ||
        !same(rt_mulsf3(fa, fb), va * vb)) {
        printf("FAIL float 0x%08" PRIX32 " 0x%08" PRIX32 ": add 0x%08" PRIX32 "/0x%08" PRIX32
               " sub 0x%08" PRIX32 "/0x%08" PRIX32 " mul 0x%08" PRIX32 "/0x%08" PRIX32 "\n",
               a, b, bits(rt_addsf3(fa, fb)), bits(va + vb), bits(rt_subsf3(fa, fb)), bits(va - vb),
               bits(rt_mulsf3(fa, fb)), bits(va * vb));
        return 1;
    }
    return 0;
}

static int check_int(uint64_t x, uint64_t y)
{
    uint32_t a = (uint32_t)x, b = (uint32_t)y;
    int32_t sa, sb;
    int64_t la, lb;
    memcpy(&sa, &a, 4);
    memcpy(&sb, &b, 4);
    memcpy(&la, &x, 8);
    memcpy(&lb, &y, 8);
    cases += 4;
    if ((uint64_t)rt_muldi3(la, lb) != x * y) {
        printf("FAIL muldi3 %" PRId64 " %" PRId64 "\n", la, lb);
        return 1;
    }
    volatile float fs = (float)sa, fu = (float)a;
    if (!same(rt_floatsisf(sa), fs) || !same(rt_floatunsisf(a), fu)) {
        printf("FAIL floatsisf/floatunsisf %" PRIu32 "\n", a);
        return 1;
    }
    if (b != 0u) {
        cases += 3;
        if (rt_udivsi3(a, b) != a / b || rt_umodsi3(a, b) != a % b) {
            printf("FAIL udivsi3/umodsi3 %" PRIu32 " %" PRIu32 "\n", a, b);
            return 1;
        }
        if (!(sa == INT32_MIN && sb == -1) && rt_divsi3(sa, sb) != sa / sb) {
            printf("FAIL divsi3 %" PRId32 " %" PRId32 "\n", sa, sb);
            return 1;
        }
    }
    if (y != 0u) {
        cases += 3;
        if (rt_udivdi3(x, y) != x / y || rt_umoddi3(x, y) != x % y) {
            printf("FAIL udivdi3/umoddi3 %" PRIu64 " %" PRIu64 "\n", x, y);
            return 1;
        }
        if (!(la == INT64_MIN && lb == -1) && rt_divdi3(la, lb) != la / lb) {
            printf("FAIL divdi3 %" PRId64 " %" PRId64 "\n", la, lb);
            return 1;
        }
    }
    return 0;
}

static int check_double(uint64_t d)
{
    double x;
    memcpy(&x, &d, sizeof x);
    volatile double vx = x;
    volatile float narrowed = (float)vx;
    cases++;
    if (!same(rt_truncdfsf2(x), narrowed)) {
        printf("FAIL truncdfsf2 0x%016" PRIX64 "\n", d);
        return 1;
    }
    return 0;
}

static int check_fix(uint32_t a)
{
    float f = from(a);
    volatile double wide = (double)f;
    double w = rt_extendsfdf2(f);
    cases += 2;
    if (!(w != w && wide != wide) && memcmp(&w, (const void *)&wide, sizeof w) != 0) {
        printf("FAIL extendsfdf2 0x%08" PRIX32 "\n", a);
        return 1;
    }
    /* defined in C only for -1 < f < 2^32 */
    if (f == f && f > -1.0f && f < 4294967296.0f && rt_fixunssfsi(f) != (uint32_t)f) {
        printf("FAIL fixunssfsi 0x%08" PRIX32 "\n", a);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000L;
    static const uint32_t special[] = {
        0x00000000u, 0x00000001u, 0x00000002u, 0x007FFFFFu, 0x00800000u, 0x00800001u,
        0x00FFFFFFu, 0x01000000u, 0x33800000u, 0x34000000u, 0x3F000000u, 0x3F800000u,
        0x3F800001u, 0x3FFFFFFFu, 0x40000000u, 0x4B000000u, 0x4B7FFFFFu, 0x4F000000u,
        0x7F000000u, 0x7F7FFFFFu, 0x7F800000u, 0x7F800001u, 0x7FC00000u, 0x7FFFFFFFu,
    };
    unsigned ns = sizeof special / sizeof special[0];
    for (unsigned i = 0; i < 2 * ns; i++) {
        for (unsigned j = 0; j < 2 * ns; j++) {
            uint32_t a = special[i / 2] | (i % 2 ? 0x80000000u : 0u);
            uint32_t b = special[j / 2] | (j % 2 ? 0x80000000u : 0u);
            if (check_float(a, b) || check_float(a + 1u, b) || check_float(a - 1u, b - 1u)) {
                return 1;
            }
        }
        if (check_fix(special[i / 2]) || check_int(special[i / 2], special[i % ns])) {
            return 1;
        }
    }
    static const uint64_t ints[] = {0u,
                                    1u,
                                    2u,
                                    3u,
                                    7u,
                                    0x7FFFFFFFu,
                                    0x80000000u,
                                    0xFFFFFFFFu,
                                    0x100000000u,
                                    0x7FFFFFFFFFFFFFFFu,
                                    0x8000000000000000u,
                                    0xFFFFFFFFFFFFFFFFu,
                                    0xFFFFFFFF00000000u,
                                    12345u};
    unsigned ni = sizeof ints / sizeof ints[0];
    for (unsigned i = 0; i < ni; i++) {
        for (unsigned j = 0; j < ni; j++) {
            if (check_int(ints[i], ints[j]) || check_int(ints[i], -ints[j])) {
                return 1;
            }
        }
    }
    for (long k = 0; k < n; k++) {
        uint64_t r = next(), s = next();
        uint32_t a = (uint32_t)r;
        uint32_t b = (uint32_t)(r >> 32);
        /* near pairs: the same exponent or a few apart, where rounding and cancellation
         * matter most; then small integers and shifted values for the divisions */
        uint32_t near = (a & 0xFF800000u) + (((uint32_t)s & 0x3u) << 23) + ((uint32_t)s >> 9);
        if (check_float(a, b) || check_float(a, near) || check_fix(a)) {
            return 1;
        }
        /* binary64: any pattern, and ones within binary32's range (exponent 1023 +- 160)
         * with low bits near the rounding point */
        uint64_t in_range = (s & 0x800FFFFFFFFFFFFFu) | ((uint64_t)(863u + (r % 320u)) << 52);
        uint64_t tie = (in_range & ~(uint64_t)0x1FFFFFFFu) | 0x10000000u;
        if (check_double(s) || check_double(in_range) || check_double(tie) ||
            check_double(tie + 1u) || check_double(tie - 1u)) {
            return 1;
        }
        if (check_int(r, s) || check_int(r >> (s & 63u), s >> (r & 63u)) ||
            check_int(r & 0xFFFFu, s & 0xFFu)) {
            return 1;
        }
    }
    printf("OK %ld\n", cases);
    return 0;
}
