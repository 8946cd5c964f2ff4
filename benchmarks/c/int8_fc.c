/*
 * int8_fc.c - see int8_fc.h. Written for the benchmark from TensorFlow Lite's
 * published reference semantics (reference_integer_ops::FullyConnected,
 * MultiplyByQuantizedMultiplier); the SMLAD loop follows the scheme CMSIS-NN's
 * arm_nn_vec_mat_mult_t_s8 documents (two rows at a time, four bytes per load,
 * weights sign-extended with SXTB16, activations with the input offset added by
 * SXTAB16, two MACs per SMLAD). benchmarks/_int8.py is the numpy twin.
 */
#include "int8_fc.h"

#include <string.h>

#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32 && !defined(BENCH_INT8_PORTABLE)
#include <arm_acle.h>
#define BENCH_USE_SIMD32 1
#else
#define BENCH_USE_SIMD32 0
#endif

/* ARMv6-M has no 32 x 32 -> 64 multiply: the high product from 16-bit halves there
 * (BENCH_INT8_MULHI16 forces it elsewhere, for the host tests) */
#if defined(__ARM_ARCH_6M__) && !defined(BENCH_INT8_MULHI16)
#define BENCH_INT8_MULHI16 1
#endif

#define BENCH_INLINE static inline __attribute__((always_inline))

/* (v * m + 2^30) >> 31 (floor) for m in [0, 2^31) */
BENCH_INLINE int32_t mulhi_q31(int32_t v, int32_t m)
{
#if defined(BENCH_INT8_MULHI16)
    /* v = vh 2^16 + vl, m = mh 2^16 + ml (vl, ml, mh unsigned; vh signed) */
    const int32_t vh = v >> 16;
    const int32_t vl = (int32_t)((uint32_t)v & 0xFFFFu);
    const int32_t mh = m >> 16;
    const int32_t ml = (int32_t)((uint32_t)m & 0xFFFFu);
    const uint32_t ll = (uint32_t)vl * (uint32_t)ml;
    /* floor((vh ml 2^16 + vl mh 2^16 + ll + 2^30) / 2^31), in int32 pieces */
    const int32_t s1 = vh * ml + (int32_t)(ll >> 16) + (1 << 14); /* fits: see _int8.py */
    const int32_t s2 = vl * mh;                                  /* in [0, 2^31) */
    const int32_t carry = ((s1 & 0x7FFF) + (s2 & 0x7FFF)) >> 15;
    return 2 * vh * mh + ((s1 >> 15) + (s2 >> 15) + carry);
#else
    return (int32_t)(((int64_t)v * m + (INT64_C(1) << 30)) >> 31);
#endif
}

/*
 * SaturatingRoundingDoublingHighMul(v, m) then RoundingDivideByPOT(., rs).
 * (v * m + 2^30) >> 31 (floor) equals gemmlowp's nudge and truncating division for
 * every v and m; it differs only at v = m = INT32_MIN (saturation), which a
 * QuantizeMultiplier value (m >= 0) never is.
 */
BENCH_INLINE int32_t requant(int32_t acc, int32_t m, int32_t ls, int32_t rs, int32_t mask)
{
    int32_t v = (int32_t)((uint32_t)acc << ls);
    int32_t hi = mulhi_q31(v, m);
    int32_t threshold = (mask >> 1) + (hi < 0 ? 1 : 0);
    return (hi >> rs) + ((hi & mask) > threshold ? 1 : 0);
}

BENCH_INLINE int8_t clamp_s8(int32_t v, int32_t lo, int32_t hi)
{
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return (int8_t)v;
}

int32_t bench_requantize(int32_t acc, int32_t multiplier, int32_t shift)
{
    int32_t ls = shift > 0 ? shift : 0;
    int32_t rs = shift > 0 ? 0 : -shift;
    return requant(acc, multiplier, ls, rs, (int32_t)((UINT32_C(1) << rs) - 1u));
}

#if BENCH_USE_SIMD32
BENCH_INLINE uint32_t read_s8x4(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

BENCH_INLINE int32_t sxtb16_ror8(uint32_t x)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

BENCH_INLINE int32_t sxtab16_ror8(int32_t a, uint32_t x)
{
    int32_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}
#endif

void bench_fc_s8(const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out,
                 int32_t n_in, int32_t n_out, const bench_fc_params_t *p)
{
    const int32_t in_offset = p->in_offset;
    const int32_t out_offset = p->out_offset;
    const int32_t m = p->multiplier;
    const int32_t ls = p->shift > 0 ? p->shift : 0;
    const int32_t rs = p->shift > 0 ? 0 : -p->shift;
    const int32_t mask = (int32_t)((UINT32_C(1) << rs) - 1u);
    const int32_t lo = p->act_min;
    const int32_t hi = p->act_max;
    int32_t o = 0;
#if BENCH_USE_SIMD32
    /* the input offset in both halfwords: SXTAB16 adds it to two sign-extended bytes */
    const int32_t off2 = (int32_t)(((uint32_t)in_offset & 0xFFFFu) * 0x10001u);
    const int32_t n4 = n_in >> 2;
    for (; o + 2 <= n_out; o += 2) {
        int32_t acc0 = bias[o];
        int32_t acc1 = bias[o + 1];
        const int8_t *x = in;
        const int8_t *w0 = w + o * n_in;
        const int8_t *w1 = w0 + n_in;
        for (int32_t j = n4; j != 0; j--) {
            uint32_t v = read_s8x4(x);
            x += 4;
            int32_t v13 = sxtab16_ror8(off2, v);
            int32_t v02 = __sxtab16(off2, (int32_t)v);
            uint32_t k = read_s8x4(w0);
            w0 += 4;
            acc0 = __smlad(sxtb16_ror8(k), v13, acc0);
            acc0 = __smlad(__sxtb16((int32_t)k), v02, acc0);
            k = read_s8x4(w1);
            w1 += 4;
            acc1 = __smlad(sxtb16_ror8(k), v13, acc1);
            acc1 = __smlad(__sxtb16((int32_t)k), v02, acc1);
        }
        for (int32_t j = n_in & 3; j != 0; j--) {
            int32_t v = *x++ + in_offset;
            acc0 += v * *w0++;
            acc1 += v * *w1++;
        }
        out[o] = clamp_s8(requant(acc0, m, ls, rs, mask) + out_offset, lo, hi);
        out[o + 1] = clamp_s8(requant(acc1, m, ls, rs, mask) + out_offset, lo, hi);
    }
    if (o < n_out) {
        int32_t acc0 = bias[o];
        const int8_t *x = in;
        const int8_t *w0 = w + o * n_in;
        for (int32_t j = n4; j != 0; j--) {
            uint32_t v = read_s8x4(x);
            x += 4;
            uint32_t k = read_s8x4(w0);
            w0 += 4;
            acc0 = __smlad(sxtb16_ror8(k), sxtab16_ror8(off2, v), acc0);
            acc0 = __smlad(__sxtb16((int32_t)k), __sxtab16(off2, (int32_t)v), acc0);
        }
        for (int32_t j = n_in & 3; j != 0; j--) {
            acc0 += (*x++ + in_offset) * *w0++;
        }
        out[o] = clamp_s8(requant(acc0, m, ls, rs, mask) + out_offset, lo, hi);
    }
#else
    /* three rows per pass: each input byte (plus offset) is loaded once for all three */
    for (; o + 3 <= n_out; o += 3) {
        int32_t acc0 = bias[o];
        int32_t acc1 = bias[o + 1];
        int32_t acc2 = bias[o + 2];
        const int8_t *x = in;
        const int8_t *w0 = w + o * n_in;
        const int8_t *w1 = w0 + n_in;
        const int8_t *w2 = w1 + n_in;
        for (int32_t j = n_in; j != 0; j--) {
            int32_t v = *x++ + in_offset;
            acc0 += v * *w0++;
            acc1 += v * *w1++;
            acc2 += v * *w2++;
        }
        out[o] = clamp_s8(requant(acc0, m, ls, rs, mask) + out_offset, lo, hi);
        out[o + 1] = clamp_s8(requant(acc1, m, ls, rs, mask) + out_offset, lo, hi);
        out[o + 2] = clamp_s8(requant(acc2, m, ls, rs, mask) + out_offset, lo, hi);
    }
    for (; o < n_out; o++) {
        int32_t acc0 = bias[o];
        const int8_t *w0 = w + o * n_in;
        for (int32_t j = 0; j < n_in; j++) {
            acc0 += (in[j] + in_offset) * w0[j];
        }
        out[o] = clamp_s8(requant(acc0, m, ls, rs, mask) + out_offset, lo, hi);
    }
#endif
}
