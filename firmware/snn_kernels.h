/*
 * snn_kernels.h - integer kernels of the snn2c fixed-point contract.
 *
 * One function per operation and storage type, named like CMSIS-NN. Every
 * kernel implements a step of docs/fixed-point.md exactly; the numpy reference
 * (snn2c/reference/integer.py) is the executable specification they are tested
 * against bit for bit.
 *
 * Formats: Q12 inputs and encoder currents (4096 = 1.0), Q16 membranes,
 * biases, thresholds and outputs, per-layer power-of-two weight scales.
 * Nothing here allocates, uses floating point, or relies on implementation-
 * defined or undefined behaviour (no shifts of negative values, no overflow).
 */
#ifndef SNN_KERNELS_H
#define SNN_KERNELS_H

#include <stdint.h>
#include <string.h>

#include "snn_contract.h"

/*
 * Cortex-M4/M7 (and any core with the Arm DSP extension): the Q12 dense layer
 * uses SMLAD, two 16 x 16 multiply-accumulates per instruction, as CMSIS-NN
 * does. The integer results are identical to the plain loops (the quantizer
 * proves the int32 accumulator cannot overflow), so both paths share one
 * contract and one test suite; other cores use the plain loops, and so does any
 * build with -DSNN_KERNELS_PORTABLE (benchmarks/target_cost.py compares both).
 */
#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32 && !defined(SNN_KERNELS_PORTABLE)
#define SNN_USE_SIMD32 1
#else
#define SNN_USE_SIMD32 0
#endif

/*
 * ARMv6-M (Cortex-M0/M0+) has no multiply-accumulate and few registers that MULS
 * can use: its Q12 dense loop is written in assembly (snn_block4_q12_u8), with the
 * same integer results as the portable loop (-DSNN_KERNELS_PORTABLE selects that).
 */
#if defined(__ARM_ARCH_6M__) && !defined(SNN_KERNELS_PORTABLE)
#define SNN_USE_ARMV6M 1
#else
#define SNN_USE_ARMV6M 0
#endif

/* RV32 with the M extension (ESP32-C3): the dense loop in assembly. */
#if defined(__riscv) && __SIZEOF_POINTER__ == 4 && defined(__riscv_mul) &&                         \
    !defined(SNN_KERNELS_PORTABLE)
#define SNN_USE_RV32M 1
#else
#define SNN_USE_RV32M 0
#endif

/* ARMv7-M without the DSP extension (Cortex-M3): the dense loop in assembly with MLA. */
#if defined(__ARM_ARCH_7M__) && !defined(SNN_KERNELS_PORTABLE)
#define SNN_USE_ARMV7M 1
#else
#define SNN_USE_ARMV7M 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Tables the kernels read a word or more at a time (LDRD, LDM need word alignment). */
#if defined(__GNUC__)
#define SNN_ALIGN4 __attribute__((aligned(4)))
#else
#define SNN_ALIGN4
#endif

/* Helpers below must inline even at -Os: a call per neuron would dominate. */
#if defined(__GNUC__)
#define SNN_INLINE static inline __attribute__((always_inline))
#else
#define SNN_INLINE static inline
#endif

/* floor(x / 2^n) for any sign of x; one arithmetic shift on Arm and RISC-V. */
SNN_INLINE int32_t snn_asr32(int32_t x, unsigned n)
{
    return x >= 0 ? (x >> n) : ~(~x >> n);
}

SNN_INLINE int64_t snn_asr64(int64_t x, unsigned n)
{
    return x >= 0 ? (x >> n) : ~(~x >> n);
}

/* rshift_round in 64 bits; the quantizer bounds |acc * 2^-shift| below 2^62. */
SNN_INLINE int64_t snn_scale64(int64_t acc, int8_t shift)
{
    if (shift > 0) {
        return snn_asr64(acc + ((int64_t)1 << (shift - 1)), (unsigned)shift);
    }
    return acc * ((int64_t)1 << (-shift));
}

/* Clamp a 64-bit value to the int32_t range. */
SNN_INLINE int32_t snn_sat32(int64_t x)
{
    if (x > INT32_MAX) {
        return INT32_MAX;
    }
    if (x < INT32_MIN) {
        return INT32_MIN;
    }
    return (int32_t)x;
}

/* Clamp a normalised input to [0, 4096] (Q12). */
SNN_INLINE int32_t snn_clamp_q12(int32_t x)
{
    return x < 0 ? 0 : (x > SNN_X_ONE ? SNN_X_ONE : x);
}

/* An Arm single-precision FPU (Thumb-2): VCVT converts a float to int32 in one step. */
#if defined(__ARM_FP) && (__ARM_FP & 4) && defined(__thumb2__)
#define SNN_HAS_VCVT 1
#else
#define SNN_HAS_VCVT 0
#endif

/*
 * The Q12 input of a scaled float t = (x - low) * gain: t clamped to [0, 4096] (NaN
 * to 0), plus one half, truncated. With an Arm
 * single-precision FPU the conversion is one VCVT, which the architecture defines for
 * every value (round toward zero, saturating, NaN to 0): trunc(t + 0.5) clamped in
 * integers afterwards gives the same bits for every t, NaN and infinities included
 * (docs/fixed-point.md, "Input normalisation").
 */
#if SNN_HAS_VCVT
SNN_INLINE int32_t snn_q12_of_scaled(float t)
{
    __asm__("" : "+t"(t)); /* t rounded on its own: no fused multiply-add into t + 0.5 */
    float u = t + 0.5f;
    int32_t q;
    __asm__("vcvt.s32.f32 %0, %0" : "+t"(u));
    __asm__("vmov %0, %1" : "=r"(q) : "t"(u));
    return snn_clamp_q12(q);
}
#else
SNN_INLINE int32_t snn_q12_of_scaled(float t)
{
    if (!(t >= 0.0f)) { /* below the range, or NaN */
        t = 0.0f;
    }
    if (t > (float)SNN_X_ONE) {
        t = (float)SNN_X_ONE;
    }
    return (int32_t)(t + 0.5f); /* t + 0.5 > 0: truncation is floor */
}
#endif

/* 32 bits from a possibly unaligned address (one LDR on Cortex-M4/M7). */
SNN_INLINE uint32_t snn_read_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* A uint32_t as the int32_t with the same bits (modular sums back to signed, no UB). */
SNN_INLINE int32_t snn_s32_of_u32(uint32_t x)
{
    return x <= (uint32_t)INT32_MAX ? (int32_t)x : -(int32_t)(~x) - 1;
}

#define SNN_PAIR_ONES (((uint32_t)1 << SNN_HALF_BITS) | 1u) /* (1, 1) in SMLAD's lanes */
#define SNN_HALF_MASK (((uint32_t)1 << SNN_HALF_BITS) - 1u) /* a word's low half */

/*
 * A(|xf - centre|) for xf, centre in [0, 4096]. Word k of the table holds the slope
 * s = G[k+1] - G[k] in its high half and b = G[k] - s k in its low half (signed), so
 * that G[k] + asr(s (d - 16 k), 4) = b + asr(s d, 4) needs no fraction of d: one load
 * and one multiply per field (the table is described at snn_encode_population_q12).
 */
SNN_INLINE int32_t snn_gauss_q12(int32_t xf, int32_t centre, const int32_t *gauss)
{
    int32_t d = xf - centre;
    if (d < 0) {
        d = -d;
    }
    const int32_t e = gauss[d >> SNN_GAUSS_STEP_BITS];
    const int32_t b = snn_asr32(snn_s32_of_u32((uint32_t)e << SNN_HALF_BITS), SNN_HALF_BITS);
    return b + snn_asr32(snn_asr32(e, SNN_HALF_BITS) * d, SNN_GAUSS_STEP_BITS);
}

/* Loops the compiler should unroll whole where the trip count is a model constant. */
#if defined(__GNUC__)
#define SNN_UNROLL _Pragma("GCC unroll 16")
#else
#define SNN_UNROLL
#endif

/*
 * The same where a loop keeps several table pointers live: unrolled on cores with
 * registers to spare; on ARMv6-M's eight low registers GCC spills the unrolled body
 * (friedman1's count fold, 249 -> 286 instructions), so there it stays a loop.
 */
#if SNN_USE_ARMV6M
#define SNN_UNROLL_WIDE
#else
#define SNN_UNROLL_WIDE SNN_UNROLL
#endif

/* ------------------------------------------------------------------- state */

/* Zero n int32_t / uint8_t values of model state (used by snn_model_reset). */
void snn_zero_s32(int32_t *p, uint32_t n);
void snn_zero_u8(uint8_t *p, uint32_t n);

/* ------------------------------------------------------------------ encoders */

/*
 * Gaussian receptive fields: out[f * n_fields + i] = A(|x[f] - centres[i]|), Q12.
 *   x       [n_features]  Q12, any value (clamped to [0, 4096])
 *   centres [n_fields]    Q12 field centres
 *   gauss   [257]         word k = s_k * 2^16 + b_k (as int32_t, b_k signed 16-bit):
 *                         s_k = G[k+1] - G[k] (0 at k = 256), b_k = G[k] - s_k k, with
 *                         G[k] = 4096 exp(-(k/256)^2 / (2 sigma^2)) Q12; then
 *                         A(d) = G[k] + asr(s_k (d & 15), 4) = b_k + asr(s_k d, 4), k = d >> 4
 *   out     [n_features * n_fields] Q12 in [0, 4096]
 */
#if SNN_USE_SIMD32
#include "snn_kernels_dsp.h" /* two fields per pass, and the int8 dense layer, inline */
#else
void snn_encode_population_q12(const int32_t *x, uint16_t n_features, uint16_t n_fields,
                               const int16_t *centres, const int32_t *gauss, int16_t *out);
#endif

/*
 * Integer readings -> Q12 (docs/fixed-point.md, "Integer inputs"), per input j:
 *   r = clamp(raw[j], low, high) - low;  x_q12[j] = min((r * mult + half) >> shift, 4096)
 * in uint32_t arithmetic; the quantizer picks mult and shift so that high - low and
 * (high - low) * mult + half fit (high - low <= INT32_MAX).
 */
typedef struct {
    int32_t low;    /* the reading that maps to 0 */
    int32_t high;   /* the reading that maps to 4096 (or just below) */
    uint32_t mult;  /* ~ 4096 * 2^shift / (high - low) */
    uint32_t half;  /* 2^(shift - 1), or 0 */
    uint32_t shift; /* 0..31 */
} snn_raw_input_t;

/* One reading: min(((clamp(v, low, high) - low) * mult + half) >> shift, 4096). */
SNN_INLINE int32_t snn_q12_of_reading(int32_t v, const snn_raw_input_t *p)
{
    uint32_t r = 0;
    if (v >= p->high) {
        r = (uint32_t)p->high - (uint32_t)p->low;
    } else if (v > p->low) {
        r = (uint32_t)v - (uint32_t)p->low;
    }
    const uint32_t q = (r * p->mult + p->half) >> p->shift;
    return q < (uint32_t)SNN_X_ONE ? (int32_t)q : SNN_X_ONE;
}

void snn_normalize_raw_q12(const int32_t *raw, uint16_t n, const snn_raw_input_t *p,
                           int32_t *x_q12);

/* The same with one parameter set *p for all n inputs (an ADC's channels, say). */
void snn_normalize_raw_uniform_q12(const int32_t *raw, uint16_t n, const snn_raw_input_t *p,
                                   int32_t *x_q12);

/*
 * Float readings -> Q12 in integers (docs/fixed-point.md, "Normalisation"), per input:
 *   X = trunc(x * 2^frac), saturated to int32, NaN -> INT32_MIN;  x_q12 = X's Q12
 * with the integer inputs' rule above (low and high at round(low * 2^frac), ...). On a
 * single-precision FPU: one multiply by 2^frac (exact) and VCVT, which truncates and
 * saturates so (a NaN test apart); elsewhere from the float's bits, no soft-float call.
 */
typedef struct {
    snn_raw_input_t q; /* the integer rule on X */
    float scale;       /* 2^frac */
    int32_t frac;      /* the fraction bits of X (any sign) */
} snn_float_input_t;

#if SNN_HAS_VCVT
/*
 * trunc(x * 2^frac), saturated, but 0 for a NaN (VCVT's rule). With the model's
 * constant frac in 1..32 (inline, a static const table) VCVT's fixed-point form does
 * the multiply too: the same integer, one instruction and one constant fewer.
 */
SNN_INLINE int32_t snn_vcvt_fixed(float x, const snn_float_input_t *p)
{
    float t = x;
    int32_t q;
    if (__builtin_constant_p(p->frac) && p->frac >= 1 &&
        p->frac <= 2 * SNN_HALF_BITS) { /* fbits: 1 to the word's 32 */
        __asm__("vcvt.s32.f32 %0, %0, %1" : "+t"(t) : "i"(p->frac));
    } else {
        t *= p->scale;                            /* exact: a power of two */
        __asm__("vcvt.s32.f32 %0, %0" : "+t"(t)); /* toward zero, saturating */
    }
    __asm__("vmov %0, %1" : "=r"(q) : "t"(t));
    return q;
}

SNN_INLINE int32_t snn_fixed_of_float(float x, const snn_float_input_t *p)
{
    const int32_t q = snn_vcvt_fixed(x, p);
    return x == x ? q : INT32_MIN; /* NaN: the low end, as in float32 */
}
#else
SNN_INLINE int32_t snn_fixed_of_float(float x, const snn_float_input_t *p)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    const uint32_t e = (b >> SNN_F32_MANT_BITS) & SNN_F32_EXP_MASK;
    const uint32_t negative = b >> SNN_F32_SIGN_BIT;
    const uint32_t limit = negative ? (uint32_t)INT32_MAX + 1u : (uint32_t)INT32_MAX;
    if (e == SNN_F32_EXP_MASK && (b & SNN_F32_MANT_MASK) != 0) {
        return INT32_MIN; /* NaN: the low end, as in float32 */
    }
    /* |x| = m * 2^(e - bias - mantissa bits), the hidden bit for a normal x */
    const uint32_t m = (b & SNN_F32_MANT_MASK) | (e != 0 ? SNN_F32_MANT_MASK + 1u : 0u);
    const int32_t sh = (int32_t)(e != 0 ? e : 1u) - SNN_F32_EXP_BIAS - SNN_F32_MANT_BITS + p->frac;
    if (m == 0) {
        return 0; /* a zero */
    }
    uint32_t mag;
    if (e == SNN_F32_EXP_MASK) {
        mag = limit; /* an infinity: saturated */
    } else if (sh >= 0) {
        mag = (sh >= SNN_F32_SIGN_BIT || m > (limit >> sh)) ? limit : m << sh;
    } else {
        mag = sh > -SNN_F32_SIGN_BIT ? m >> -sh : 0u; /* truncated toward zero */
    }
    return negative ? snn_s32_of_u32(0u - mag) : (int32_t)mag;
}
#endif

/*
 * One float reading's Q12. Where low >= 0 a NaN needs no test of its own on an FPU:
 * VCVT's 0 for it is at or below the low end, where INT32_MIN is, so both give 0.
 */
SNN_INLINE int32_t snn_q12_of_float(float x, const snn_float_input_t *p)
{
#if SNN_HAS_VCVT
    if (p->q.low >= 0) {
        return snn_q12_of_reading(snn_vcvt_fixed(x, p), &p->q);
    }
#endif
    return snn_q12_of_reading(snn_fixed_of_float(x, p), &p->q);
}

/* Inline: with the model's constant count the loop unrolls (a few inputs). */
SNN_INLINE void snn_normalize_float_q12(const float *x, uint16_t n, const snn_float_input_t *p,
                                        int32_t *x_q12)
{
    SNN_UNROLL
    for (uint32_t j = 0; j < n; j++, p++) {
        x_q12[j] = snn_q12_of_float(x[j], p);
    }
}

/* Direct current: out[j] = clamp(x[j], 0, 4096), Q12. Inline: a few instructions per input. */
SNN_INLINE void snn_encode_direct_q12(const int32_t *x, uint16_t n, int16_t *out)
{
    for (uint32_t j = 0; j < n; j++) {
        out[j] = (int16_t)snn_clamp_q12(x[j]);
    }
}

/*
 * Latency of a Q12 activation: fire_at[j] = t0 + ((4096 - act[j]) * window + 2048) >> 12.
 *   act [n] Q12 in [0, 4096]; window, t0 in steps (<= 4095).
 */
void snn_latency_from_q12(const int16_t *act, uint16_t n, uint16_t t0, uint16_t window,
                          uint16_t *fire_at);

/* spikes[j] = (fire_at[j] == t); returns the number of spikes. */
uint32_t snn_encode_latency_step(const uint16_t *fire_at, uint16_t n, uint16_t t, uint8_t *spikes);

/*
 * Deterministic rate code: phase[j] += x[j]; spike and phase[j] -= 4096 when
 * phase[j] >= 4096. x is clamped Q12; phase in [0, 4096). Returns the spike count.
 */
uint32_t snn_encode_rate_periodic(int32_t *phase, const int32_t *x, uint16_t n, uint8_t *spikes);

/*
 * Bernoulli rate code from xorshift32: for each j in order, advance *state
 * (s ^= s << 13; s ^= s >> 17; s ^= s << 5) and spike iff (s >> 20) < x[j].
 * Returns the spike count.
 */
uint32_t snn_encode_rate_bernoulli(uint32_t *state, const int32_t *x, uint16_t n, uint8_t *spikes);

/* ------------------------------------------------------------------ synapses */

/*
 * Dense layer on Q12 currents (the input layer of current encoders):
 *   cur[i] = rshift_round(sum_j w[i][j] * a[j], shift) + bias[i]
 *   a     [n_in] Q12 in [0, 4096]
 *   shift ws + 12 - 16 (> 0: rounding right shift, <= 0: multiply by 2^-shift)
 *   bias  [n_out] Q16; cur [n_out] Q16
 * int8 weights (_s8) are stored as u = w + 128 in uint16_t, in blocks of four rows
 * (n_out rounded up to a multiple of 4 with zero-weight rows) and pairs of columns
 * (n_in a multiple of 4, zero-padded; a zero-padded likewise): block b, pair p, row
 * r of the block hold (u[4b+r][2p], u[4b+r][2p+1]), one 32-bit word, so that one load
 * of activations serves four rows and SMLAD multiplies the word as it is loaded.
 * sum_j w a = sum_j u a - 128 sum_j a, in modular arithmetic (exact: the proof fits
 * the true sum in int32). 16-bit storage costs flash for the DSP path's speed.
 * snn_dense_q12_s8 reads bias and writes cur four rows at a time: both need room
 * for n_out rounded up to a multiple of 4 (the extra bias entries are zero); w and a
 * must be word-aligned (SNN_ALIGN4, as the generator declares them).
 * int16 weights (_s16) are stored [n_out][n_in] plainly.
 * The plain versions accumulate in int32 and need the quantizer's range proof;
 * the _sat versions accumulate in int64 and saturate cur to int32.
 */
#if !SNN_USE_SIMD32 /* on the DSP extension it is inline, in snn_kernels_dsp.h */
void snn_dense_q12_s8(const uint16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                      int8_t shift, const int32_t *bias, int32_t *cur);
#endif
void snn_dense_q12_s8_sat(const uint16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                          int8_t shift, const int32_t *bias, int32_t *cur);
void snn_dense_q12_s16(const int16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                       int8_t shift, const int32_t *bias, int32_t *cur);
void snn_dense_q12_s16_sat(const int16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                           int8_t shift, const int32_t *bias, int32_t *cur);

/*
 * Event-driven dense layer on spikes: only rows of spiking inputs are read.
 *   w_t   [n_in][n_out] weights, transposed so that one spike adds one row
 *   s     [n_in] spikes (0 or 1)
 *   shift ws - 16 (usually <= 0)
 *   cur[i] = rshift_round(sum_{j: s[j]} w_t[j * n_out + i], shift) + bias[i]
 *   acc   [n_out] scratch that must be all zero on entry; it is left all zero
 *         (static storage starts zeroed, so no per-step clearing is needed)
 */
void snn_dense_spikes_s8(const int8_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                         int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur);
void snn_dense_spikes_s8_sat(const int8_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                             int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur);
void snn_dense_spikes_s16(const int16_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                          int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur);
void snn_dense_spikes_s16_sat(const int16_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                              int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur);

/* ------------------------------------------------------------------- neurons */

typedef struct {
    int32_t threshold;     /* Q16, >= 1 */
    int32_t beta_q15;      /* 'mul' leak factor, Q15 in [0, 32768] */
    uint8_t leak_mul;      /* 1: V = asr(V * beta_q15 + 2^14, 15); 0: V -= asr(V, leak_shift) */
    uint8_t leak_shift;    /* 'shift' leak: beta = 1 - 2^-leak_shift */
    uint8_t reset_zero;    /* 1: V = 0 on a spike; 0: V -= threshold */
    uint8_t fire_ge;       /* 1: spike when V >= threshold; 0: when V > threshold */
    uint8_t saturate;      /* 1: V + I in 64 bits, clamped to int32 */
    uint8_t reset_delayed; /* 1: the previous step's spike resets while integrating */
    uint8_t fire_first;    /* 1 (with reset_delayed): fire on V before the step (Spyx) */
} snn_lif_params_t;

/*
 * One LIF step (leak, integrate, fire, reset) for n neurons.
 *   v [n] Q16 state, cur [n] Q16 input current, spikes [n] in: the previous
 *   step's spikes (read for the delayed reset), out: this step's spikes (0/1).
 *   A fire_first layer's spikes of this step are those of V before the step.
 * Returns the number of spikes.
 */
uint32_t snn_lif_step_s32(int32_t *v, const int32_t *cur, uint16_t n, const snn_lif_params_t *p,
                          uint8_t *spikes);

/* A non-spiking leaky integrator (the membrane readout): the LIF leak fields only. */
typedef struct {
    int32_t beta_q15;   /* 'mul' leak factor, Q15 in [0, 32768] */
    uint8_t leak_mul;   /* 1: V = asr(V * beta_q15 + 2^14, 15); 0: V -= asr(V, leak_shift) */
    uint8_t leak_shift; /* 'shift' leak: beta = 1 - 2^-leak_shift */
    uint8_t saturate;   /* 1: V + I in 64 bits, clamped to int32 */
} snn_li_params_t;

/* One non-spiking leaky-integrator step (leak, integrate) for n neurons. */
void snn_li_step_s32(int32_t *v, const int32_t *cur, uint16_t n, const snn_li_params_t *p);

/*
 * Izhikevich neurons (docs/fixed-point.md, "Izhikevich layers"): v, u in Q16 mV.
 * Per step, with vc = clamp(v, -100 mV, 30 mV):
 *   dv = rshift_round((asr(vc, 8))^2 * 41943, 20) + 5 vc + 140 mV - u
 *        + clamp(rshift_round(cur * gain_q, 8), -1024, 1024 mV/ms)
 *   v' = vc + rshift_round(dv, dt_shift)
 *   u' = u + rshift_round(ab_q * vc - a_q * u, 24 + dt_shift)
 *   spike when v' >= 30 mV: v' = c, u' += d; then u' = clamp(u', -1024, 1024 mV).
 */
typedef struct {
    int32_t a_q;      /* a, Q24 (1/ms) */
    int32_t ab_q;     /* a * b, Q24 */
    int32_t c_q;      /* reset potential, Q16 mV */
    int32_t d_q;      /* reset increment of u, Q16 mV */
    int32_t gain_q;   /* drive per unit of current, Q8 mV/ms */
    int32_t v0_q;     /* v after snn_izh_reset, Q16 mV */
    int32_t u0_q;     /* u after snn_izh_reset, Q16 mV */
    uint8_t dt_shift; /* Euler step dt = 2^-dt_shift ms */
} snn_izh_params_t;

/* Sets v[i] = v0_q, u[i] = u0_q for n neurons. */
void snn_izh_reset(int32_t *v, int32_t *u, uint16_t n, const snn_izh_params_t *p);

/*
 * One Izhikevich step for n neurons: v, u [n] Q16 mV state, cur [n] Q16 input
 * current, spikes [n] out (0/1). Returns the number of spikes.
 */
uint32_t snn_izh_step_s32(int32_t *v, int32_t *u, const int32_t *cur, uint16_t n,
                          const snn_izh_params_t *p, uint8_t *spikes);

/* ------------------------------------------------------------ counting form */

/*
 * A LIF layer's spike count over the T steps as a function of its constant
 * current c (docs/fixed-point.md, "Counting form"): counts[k] for the largest k
 * with edges[k] <= clamp(c, 0, top). Two storage forms, chosen by the compiler.
 *
 * The search form: bucket[b] is the run that holds the current b << shift; the
 * lookup starts there and steps over the few runs that start inside the bucket.
 */
typedef struct {
    const int32_t *edges;   /* [runs + 1] run starts, ascending, edges[0] = 0, then INT32_MAX */
    const uint16_t *counts; /* [runs] spikes over the T steps on each run */
    const uint16_t *bucket; /* [(top >> shift) + 1] */
    int32_t top;            /* threshold + 1: every larger current fires at every step */
    uint8_t shift;
} snn_count_table_t;

/*
 * Spike counts of a LIF layer driven by constant currents: out[i] = the table's
 * count for cur[i] (cur [n] Q16). Returns the layer's spikes over the T steps.
 */
uint32_t snn_lif_count_lookup(const int32_t *cur, uint16_t n, const snn_count_table_t *t,
                              uint16_t *out);

/*
 * Counts and the folded readout in one pass, for one output: returns
 * sum_i fold[i] * n_i with n_i the table's count for cur[i] (cur [n] Q16), summed
 * in int32 when acc32 (the compiler proved it fits), else in int64; sets
 * *spikes = sum_i n_i.
 */
int64_t snn_lif_count_fold(const int32_t *cur, uint16_t n, const snn_count_table_t *t,
                           const int32_t *fold, uint8_t acc32, uint32_t *spikes);

/*
 * The pair form, where no bucket of 2^shift currents holds more than one run start
 * beyond its first: bucket b = clamp(c >> shift, 0, last) (last + 1 a power of two:
 * one saturating shift) holds edge[b], that run start (INT32_MAX: none), lo[b] the
 * count below it and hi[b] the count from it. Buckets beyond top hold the count at
 * top, so c needs no clamp: count = c >= edge[b] ? hi[b] : lo[b].
 * The kernels are inline: called with a static const table, the compiler folds
 * shift and last into the instructions (one USAT on Arm).
 */
typedef struct {
    const int32_t *edge; /* [last + 1] */
    const uint16_t *lo;  /* [last + 1] */
    const uint16_t *hi;  /* [last + 1] */
    uint32_t last;       /* 2^k - 1 */
    uint8_t shift;
} snn_count_pairs_t;

SNN_INLINE uint32_t snn_count_pair(const snn_count_pairs_t *t, int32_t c)
{
    const int32_t last = (int32_t)t->last;
    int32_t b = snn_asr32(c, t->shift);
    b = b < 0 ? 0 : (b > last ? last : b);
    return c >= t->edge[b] ? t->hi[b] : t->lo[b];
}

/* snn_lif_count_lookup for the pair form. */
SNN_INLINE uint32_t snn_lif_count_lookup_pairs(const int32_t *cur, uint16_t n,
                                               const snn_count_pairs_t *t, uint16_t *out)
{
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t c = snn_count_pair(t, cur[i]);
        out[i] = (uint16_t)c;
        total += c;
    }
    return total;
}

/* snn_lif_count_fold for the pair form. */
SNN_INLINE int64_t snn_lif_count_fold_pairs(const int32_t *cur, uint16_t n,
                                            const snn_count_pairs_t *t, const int32_t *fold,
                                            uint8_t acc32, uint32_t *spikes)
{
    uint32_t total = 0;
    int64_t acc = 0;
    int32_t acc_32 = 0;
    SNN_UNROLL_WIDE
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t c = snn_count_pair(t, cur[i]);
        if (acc32) {
            acc_32 += fold[i] * (int32_t)c;
        } else {
            acc += (int64_t)fold[i] * c;
        }
        total += c;
    }
    *spikes = total;
    return acc32 ? acc_32 : acc;
}

/*
 * The output of a folded sum acc: sat32(rshift_round(bias + 2^fold_shift * acc, shift)), Q16.
 * Inline: the model's constant shifts fold into the instructions.
 */
SNN_INLINE int32_t snn_fold_output(int64_t acc, uint8_t fold_shift, int8_t shift, int64_t bias)
{
    return snn_sat32(snn_scale64(bias + acc * ((int64_t)1 << fold_shift), shift));
}

/*
 * Folded readout of the counting form:
 *   y[o] = sat32(rshift_round(bias[o] + 2^fold_shift * sum_i w[o * n_in + i] * n[i], shift)).
 *   w [n_out][n_in] int32 (R W of the readout layer), n [n_in] spike counts,
 *   bias [n_out] at Q(rs + 16); the sum is accumulated in int32 when acc32 (the
 *   compiler has proven it fits), else in int64; y [n_out] Q16.
 */
void snn_readout_counts_s32(const int32_t *w, const uint16_t *n, uint16_t n_in, uint16_t n_out,
                            uint8_t fold_shift, int8_t shift, const int64_t *bias, uint8_t acc32,
                            int32_t *y);

/* ------------------------------------------------------------------ decoders */

/* Voting sigmoid: Q16 membrane -> Q15 through the 257-entry table over [-8, 8]. */
int32_t snn_sigmoid_q15(int32_t v, const int16_t *table);

/*
 * Readout: y[o] = sat32(rshift_round(sum_i w[o * n_in + i] * f[i] + bias[o], shift)).
 *   w [n_out][n_in] int16 at scale 2^rs; f [n_in] decoder features at Q(fs);
 *   bias [n_out] at Q(rs + fs); shift = rs + fs - 16; y [n_out] Q16.
 */
void snn_readout_s16(const int16_t *w, const int32_t *f, uint16_t n_in, uint16_t n_out,
                     int8_t shift, const int64_t *bias, int32_t *y);

#ifdef __cplusplus
}
#endif

#endif /* SNN_KERNELS_H */
