/*
 * rt_lx106.c - the compiler helpers that Debian's lx106 libgcc leaves out.
 *
 * The ESP8266's mask ROM holds __divsi3, __udivsi3, __umodsi3, __muldi3, the 64-bit
 * divisions and the single/double soft-float arithmetic, and the lx106 toolchains
 * (Espressif's and Debian's gcc-xtensa-lx106) build libgcc without them, for the
 * SDK's linker script to bind them to ROM addresses. QEMU's sim machine has no such
 * ROM, and a bare-metal image should not depend on one: these are the ones the
 * generated code, the kernels, the runtime and picolibc's libm (logf: binary64 to 32)
 * call, written for the lx106 (32-bit
 * MULL, no high-half multiply, NSAU for counting leading zeros, no divider, no FPU).
 *
 * Every function computes what C (and IEEE 754 binary32, round to nearest even,
 * with subnormals) defines; tests/test_rt_lx106.py compiles this file on the host
 * under other names (SNN2C_RT) and compares each one with the host's arithmetic.
 * None of them may be compiled into a call of itself: 64-bit products are built from
 * 16-bit halves, divisions from shifts and subtractions.
 */
#include <stdint.h>
#include <string.h>

#ifndef SNN2C_RT
#define SNN2C_RT(name) __##name /* the host test renames them */
#endif

/* Prototypes of what this file defines (libgcc's names and types). */
int32_t SNN2C_RT(divsi3)(int32_t a, int32_t b);
uint32_t SNN2C_RT(udivsi3)(uint32_t a, uint32_t b);
uint32_t SNN2C_RT(umodsi3)(uint32_t a, uint32_t b);
int64_t SNN2C_RT(muldi3)(int64_t a, int64_t b);
uint64_t SNN2C_RT(udivdi3)(uint64_t a, uint64_t b);
uint64_t SNN2C_RT(umoddi3)(uint64_t a, uint64_t b);
int64_t SNN2C_RT(divdi3)(int64_t a, int64_t b);
float SNN2C_RT(addsf3)(float a, float b);
float SNN2C_RT(subsf3)(float a, float b);
float SNN2C_RT(mulsf3)(float a, float b);
float SNN2C_RT(floatsisf)(int32_t a);
float SNN2C_RT(floatunsisf)(uint32_t a);
uint32_t SNN2C_RT(fixunssfsi)(float a);
float SNN2C_RT(truncdfsf2)(double a);
double SNN2C_RT(extendsfdf2)(float a);

/* ---- integers ---------------------------------------------------------------- */

/* Unsigned 32 / 32 by restoring division: quotient and remainder. b != 0. */
static uint32_t udivmod32(uint32_t a, uint32_t b, uint32_t *rem)
{
    uint32_t q = 0u;
    if (a >= b) {
        /* align b's top bit under a's (NSAU), then one quotient bit per step */
        int shift = __builtin_clz(b) - __builtin_clz(a);
        uint32_t d = b << shift;
        for (; shift >= 0; shift--) {
            q <<= 1;
            if (a >= d) {
                a -= d;
                q |= 1u;
            }
            d >>= 1;
        }
    }
    *rem = a;
    return q;
}

uint32_t SNN2C_RT(udivsi3)(uint32_t a, uint32_t b)
{
    uint32_t r;
    return udivmod32(a, b, &r);
}

uint32_t SNN2C_RT(umodsi3)(uint32_t a, uint32_t b)
{
    uint32_t r;
    (void)udivmod32(a, b, &r);
    return r;
}

int32_t SNN2C_RT(divsi3)(int32_t a, int32_t b)
{
    /* magnitudes in uint32_t: INT32_MIN has no positive int32 */
    uint32_t ua = a < 0 ? 0u - (uint32_t)a : (uint32_t)a;
    uint32_t ub = b < 0 ? 0u - (uint32_t)b : (uint32_t)b;
    uint32_t r;
    uint32_t q = udivmod32(ua, ub, &r);
    /* INT32_MIN / -1 overflows in C; it wraps to INT32_MIN here */
    uint32_t out = (a < 0) != (b < 0) ? 0u - q : q;
    return (int32_t)out;
}

/* The 64-bit product of two 32-bit words, from four 16 x 16 -> 32 products. */
static uint64_t umul32_wide(uint32_t a, uint32_t b)
{
    uint32_t a0 = a & 0xFFFFu, a1 = a >> 16;
    uint32_t b0 = b & 0xFFFFu, b1 = b >> 16;
    uint32_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint32_t mid = (p00 >> 16) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu); /* < 3 * 2^16 */
    uint32_t lo = (mid << 16) | (p00 & 0xFFFFu);
    uint32_t hi = p11 + (p01 >> 16) + (p10 >> 16) + (mid >> 16);
    return ((uint64_t)hi << 32) | lo;
}

/* The low 64 bits of a 64 x 64 product: the same for signed and unsigned. */
int64_t SNN2C_RT(muldi3)(int64_t a, int64_t b)
{
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    uint32_t alo = (uint32_t)ua, ahi = (uint32_t)(ua >> 32);
    uint32_t blo = (uint32_t)ub, bhi = (uint32_t)(ub >> 32);
    uint64_t p = umul32_wide(alo, blo);
    uint32_t cross = alo * bhi + ahi * blo; /* only its low word reaches the result */
    p += (uint64_t)cross << 32;
    uint64_t out = p;
    int64_t s;
    memcpy(&s, &out, sizeof s); /* two's complement, without a signed overflow */
    return s;
}

static uint64_t udivmod64(uint64_t a, uint64_t b, uint64_t *rem)
{
    uint64_t q = 0u;
    if (a >= b) {
        int shift = __builtin_clzll(b) - __builtin_clzll(a);
        uint64_t d = b << shift;
        for (; shift >= 0; shift--) {
            q <<= 1;
            if (a >= d) {
                a -= d;
                q |= 1u;
            }
            d >>= 1;
        }
    }
    *rem = a;
    return q;
}

uint64_t SNN2C_RT(udivdi3)(uint64_t a, uint64_t b)
{
    uint64_t r;
    return udivmod64(a, b, &r);
}

uint64_t SNN2C_RT(umoddi3)(uint64_t a, uint64_t b)
{
    uint64_t r;
    (void)udivmod64(a, b, &r);
    return r;
}

int64_t SNN2C_RT(divdi3)(int64_t a, int64_t b)
{
    uint64_t ua = a < 0 ? 0u - (uint64_t)a : (uint64_t)a;
    uint64_t ub = b < 0 ? 0u - (uint64_t)b : (uint64_t)b;
    uint64_t r;
    uint64_t q = udivmod64(ua, ub, &r);
    uint64_t out = (a < 0) != (b < 0) ? 0u - q : q;
    int64_t s;
    memcpy(&s, &out, sizeof s);
    return s;
}

/* ---- binary32 ---------------------------------------------------------------- */

#define F_SIGN 0x80000000u
#define F_INF 0x7F800000u
#define F_QNAN 0x7FC00000u
#define F_FRAC 0x007FFFFFu
#define F_IMPLICIT 0x00800000u

static uint32_t f_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float f_from(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Shift a subnormal's significand up to the implicit bit; its exponent, 1 - shift. */
static int f_normalize(uint32_t *sig)
{
    int shift = __builtin_clz(*sig) - __builtin_clz(F_IMPLICIT);
    *sig <<= shift;
    return 1 - shift;
}

/* x >> n with every bit shifted out or-ed into bit 0 (the sticky bit). */
static uint32_t shr_sticky(uint32_t x, unsigned n)
{
    if (n == 0u) {
        return x;
    }
    if (n >= 32u) {
        return x != 0u;
    }
    return (x >> n) | ((x << (32u - n)) != 0u);
}

float SNN2C_RT(addsf3)(float fa, float fb)
{
    uint32_t a = f_bits(fa), b = f_bits(fb);
    uint32_t a_abs = a & ~F_SIGN, b_abs = b & ~F_SIGN;
    /* zeros, infinities and NaNs: a_abs - 1 wraps for a zero */
    if (a_abs - 1u >= F_INF - 1u || b_abs - 1u >= F_INF - 1u) {
        if (a_abs > F_INF) {
            return f_from(a | 0x00400000u);
        }
        if (b_abs > F_INF) {
            return f_from(b | 0x00400000u);
        }
        if (a_abs == F_INF) {
            return f_from((a ^ b) == F_SIGN ? F_QNAN : a); /* inf - inf */
        }
        if (b_abs == F_INF) {
            return f_from(b);
        }
        if (a_abs == 0u) {
            return f_from(b_abs == 0u ? (a & b) : b); /* -0 + -0 = -0, else +0 */
        }
        if (b_abs == 0u) {
            return f_from(a);
        }
    }
    if (b_abs > a_abs) { /* |a| >= |b| from here on */
        uint32_t t = a;
        a = b;
        b = t;
    }
    int a_exp = (int)((a >> 23) & 0xFFu);
    int b_exp = (int)((b >> 23) & 0xFFu);
    uint32_t a_sig = a & F_FRAC, b_sig = b & F_FRAC;
    if (a_exp == 0) {
        a_exp = f_normalize(&a_sig);
    }
    if (b_exp == 0) {
        b_exp = f_normalize(&b_sig);
    }
    uint32_t sign = a & F_SIGN;
    int subtract = ((a ^ b) & F_SIGN) != 0u;
    /* three guard bits below the significand */
    a_sig = (a_sig | F_IMPLICIT) << 3;
    b_sig = shr_sticky((b_sig | F_IMPLICIT) << 3, (unsigned)(a_exp - b_exp));
    if (subtract) {
        a_sig -= b_sig;
        if (a_sig == 0u) {
            return f_from(0u); /* x - x = +0 when rounding to nearest */
        }
        if (a_sig < (F_IMPLICIT << 3)) {
            int shift = __builtin_clz(a_sig) - __builtin_clz(F_IMPLICIT << 3);
            a_sig <<= shift;
            a_exp -= shift;
        }
    } else {
        a_sig += b_sig;
        if (a_sig & (F_IMPLICIT << 4)) { /* carry out: one more exponent */
            a_sig = shr_sticky(a_sig, 1u);
            a_exp += 1;
        }
    }
    if (a_exp >= 0xFF) {
        return f_from(F_INF | sign);
    }
    if (a_exp <= 0) { /* subnormal result */
        a_sig = shr_sticky(a_sig, (unsigned)(1 - a_exp));
        a_exp = 0;
    }
    uint32_t round = a_sig & 7u;
    uint32_t out = ((a_sig >> 3) & F_FRAC) | ((uint32_t)a_exp << 23) | sign;
    if (round > 4u || (round == 4u && (out & 1u))) {
        out += 1u; /* a carry into the exponent is the right result, up to infinity */
    }
    return f_from(out);
}

float SNN2C_RT(subsf3)(float a, float b)
{
    return SNN2C_RT(addsf3)(a, f_from(f_bits(b) ^ F_SIGN));
}

float SNN2C_RT(mulsf3)(float fa, float fb)
{
    uint32_t a = f_bits(fa), b = f_bits(fb);
    uint32_t sign = (a ^ b) & F_SIGN;
    uint32_t a_abs = a & ~F_SIGN, b_abs = b & ~F_SIGN;
    int a_exp = (int)(a_abs >> 23);
    int b_exp = (int)(b_abs >> 23);
    uint32_t a_sig = a & F_FRAC, b_sig = b & F_FRAC;
    if (a_abs - 1u >= F_INF - 1u || b_abs - 1u >= F_INF - 1u) {
        if (a_abs > F_INF) {
            return f_from(a | 0x00400000u);
        }
        if (b_abs > F_INF) {
            return f_from(b | 0x00400000u);
        }
        if (a_abs == F_INF) {
            return f_from(b_abs != 0u ? (F_INF | sign) : F_QNAN); /* inf * 0 */
        }
        if (b_abs == F_INF) {
            return f_from(a_abs != 0u ? (F_INF | sign) : F_QNAN);
        }
        return f_from(sign); /* a zero */
    }
    if (a_exp == 0) {
        a_exp = f_normalize(&a_sig);
    }
    if (b_exp == 0) {
        b_exp = f_normalize(&b_sig);
    }
    /* 24 x 24 bits; with b shifted up by 8 the product's top bit is bit 55 or 54 */
    uint64_t p = umul32_wide(a_sig | F_IMPLICIT, (b_sig | F_IMPLICIT) << 8);
    int exp = a_exp + b_exp - 127;
    if (p & ((uint64_t)1 << 55)) {
        exp += 1;
    } else {
        p <<= 1;
    }
    /* the significand in hi (implicit bit 23), the bits below it in lo */
    uint32_t hi = (uint32_t)(p >> 32);
    uint32_t lo = (uint32_t)p;
    if (exp >= 0xFF) {
        return f_from(F_INF | sign);
    }
    if (exp <= 0) { /* subnormal result: shift hi:lo right, sticky into lo's bit 0 */
        unsigned shift = (unsigned)(1 - exp);
        if (shift >= 32u) {
            lo = shr_sticky(hi, shift - 32u) | (lo != 0u);
            hi = 0u;
        } else {
            uint32_t sticky = (lo << (32u - shift)) != 0u;
            lo = (hi << (32u - shift)) | (lo >> shift) | sticky;
            hi >>= shift;
        }
        exp = 0; /* hi's bit 23 is clear now, or set by a rounding carry below */
    }
    uint32_t out = (hi & F_FRAC) | ((uint32_t)exp << 23) | sign;
    if (exp == 0) {
        out = hi | sign;
    }
    if (lo > F_SIGN || (lo == F_SIGN && (out & 1u))) {
        out += 1u; /* half or more of the last place: up (ties to even) */
    }
    return f_from(out);
}

/* An unsigned magnitude to binary32, rounded to nearest even, with the sign given. */
static float f_from_u32(uint32_t u, uint32_t sign)
{
    if (u == 0u) {
        return f_from(sign);
    }
    int top = 31 - __builtin_clz(u); /* the leading one's position */
    uint32_t sig;
    if (top <= 23) {
        sig = u << (23 - top); /* exact */
    } else {
        unsigned shift = (unsigned)(top - 23);
        uint32_t rest = u & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        sig = u >> shift;
        if (rest > half || (rest == half && (sig & 1u))) {
            sig += 1u; /* may reach 2^24: the addition below carries into the exponent */
        }
    }
    /* the implicit bit of sig adds the last 1 of the biased exponent 127 + top */
    return f_from(sign | (((uint32_t)(126 + top) << 23) + sig));
}

float SNN2C_RT(floatsisf)(int32_t a)
{
    return a < 0 ? f_from_u32(0u - (uint32_t)a, F_SIGN) : f_from_u32((uint32_t)a, 0u);
}

float SNN2C_RT(floatunsisf)(uint32_t a)
{
    return f_from_u32(a, 0u);
}

/* Truncation toward zero; negative values (and NaN) give 0, values of 2^32 and more
 * the largest uint32 (C leaves both undefined; snn2c's code converts no such value). */
uint32_t SNN2C_RT(fixunssfsi)(float fa)
{
    uint32_t a = f_bits(fa);
    int exp = (int)((a >> 23) & 0xFFu) - 127;
    if ((a & F_SIGN) || (a & ~F_SIGN) > F_INF || exp < 0) {
        return 0u;
    }
    if (exp >= 32) {
        return 0xFFFFFFFFu;
    }
    uint32_t sig = (a & F_FRAC) | F_IMPLICIT;
    return exp >= 23 ? sig << (exp - 23) : sig >> (23 - exp);
}

/* ---- binary64 <-> binary32 (picolibc's float functions compute in double) ------ */

#define D_FRAC (((uint64_t)1 << 52) - 1u)

float SNN2C_RT(truncdfsf2)(double fa)
{
    uint64_t a;
    memcpy(&a, &fa, sizeof a);
    uint32_t sign = (uint32_t)(a >> 32) & F_SIGN;
    int exp = (int)((a >> 52) & 0x7FFu);
    uint64_t frac = a & D_FRAC;
    if (exp == 0x7FF) { /* infinity, or a NaN kept quiet with its top payload bits */
        return f_from(sign | F_INF | (frac != 0u ? 0x00400000u | (uint32_t)(frac >> 29) : 0u));
    }
    if (exp == 0) {
        return f_from(sign); /* binary64 zeros and subnormals: far below binary32's */
    }
    int e = exp - 1023 + 127; /* binary32's biased exponent */
    if (e >= 0xFF) {
        return f_from(sign | F_INF);
    }
    uint64_t m = frac | ((uint64_t)1 << 52); /* 53 significant bits */
    unsigned shift = e >= 1 ? 29u : 29u + (unsigned)(1 - e);
    if (shift >= 55u) {
        return f_from(sign); /* below half the smallest subnormal */
    }
    uint32_t sig = (uint32_t)(m >> shift);
    uint64_t rest = m & (((uint64_t)1 << shift) - 1u);
    uint64_t half = (uint64_t)1 << (shift - 1u);
    /* a normal result's implicit bit adds the last 1 of its exponent field (e - 1 + 1) */
    uint32_t out = sign | (e >= 1 ? ((uint32_t)(e - 1) << 23) + sig : sig);
    if (rest > half || (rest == half && (out & 1u))) {
        out += 1u; /* carries into the exponent, up to infinity, are right */
    }
    return f_from(out);
}

double SNN2C_RT(extendsfdf2)(float fa)
{
    uint32_t a = f_bits(fa);
    uint64_t sign = (uint64_t)(a & F_SIGN) << 32;
    int exp = (int)((a >> 23) & 0xFFu);
    uint32_t frac = a & F_FRAC;
    uint64_t out;
    if (exp == 0xFF) {
        out = sign | ((uint64_t)0x7FF << 52) | ((uint64_t)frac << 29);
        if (frac != 0u) {
            out |= (uint64_t)1 << 51; /* quiet */
        }
    } else if (exp == 0 && frac == 0u) {
        out = sign;
    } else {
        if (exp == 0) {
            exp = f_normalize(&frac); /* exact: binary64 holds every binary32 */
            frac &= F_FRAC;
        }
        out = sign | ((uint64_t)(exp - 127 + 1023) << 52) | ((uint64_t)frac << 29);
    }
    double d;
    memcpy(&d, &out, sizeof d);
    return d;
}
