/*
 * snn_kernels.c - integer kernels of the snn2c fixed-point contract.
 * See snn_kernels.h for formats and docs/fixed-point.md for the contract.
 */
#include "snn_kernels.h"

#include <string.h>

/*
 * Cortex-M4/M7 (and any core with the Arm DSP extension): the Q12 dense layer
 * uses SMLAD, two 16 x 16 multiply-accumulates per instruction, as CMSIS-NN
 * does. The integer results are identical to the plain loops (the quantizer
 * proves the int32 accumulator cannot overflow), so both paths share one
 * contract and one test suite; other cores use the plain loops, and so does any
 * build with -DSNN_KERNELS_PORTABLE (benchmarks/target_cost.py compares both).
 */
#if defined(__ARM_FEATURE_SIMD32) && __ARM_FEATURE_SIMD32 && !defined(SNN_KERNELS_PORTABLE)
#include <arm_acle.h>
#define SNN_USE_SIMD32 1
#else
#define SNN_USE_SIMD32 0
#endif

/* rshift_round for 32-bit values proven by the quantizer not to overflow. */
SNN_INLINE int32_t snn_scale32(int32_t acc, int8_t shift)
{
    if (shift > 0) {
        return snn_asr32(acc + (int32_t)(1L << (shift - 1)), (unsigned)shift);
    }
    return acc * (int32_t)(1L << (-shift));
}

/* rshift_round in 64 bits; the quantizer bounds |acc * 2^-shift| below 2^62. */
SNN_INLINE int64_t snn_scale64(int64_t acc, int8_t shift)
{
    if (shift > 0) {
        return snn_asr64(acc + ((int64_t)1 << (shift - 1)), (unsigned)shift);
    }
    return acc * ((int64_t)1 << (-shift));
}

/* acc[i] += w[i] for one spiking input's row; unrolled by four (the hot loop). */
SNN_INLINE void snn_add_row_s8(int32_t *acc, const int8_t *w, uint32_t n)
{
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        acc[i] += w[i];
        acc[i + 1] += w[i + 1];
        acc[i + 2] += w[i + 2];
        acc[i + 3] += w[i + 3];
    }
    for (; i < n; i++) {
        acc[i] += w[i];
    }
}

SNN_INLINE void snn_add_row_s16(int32_t *acc, const int16_t *w, uint32_t n)
{
    uint32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        acc[i] += w[i];
        acc[i + 1] += w[i + 1];
        acc[i + 2] += w[i + 2];
        acc[i + 3] += w[i + 3];
    }
    for (; i < n; i++) {
        acc[i] += w[i];
    }
}

/* 32 bits from a possibly unaligned address (one LDR on Cortex-M4/M7). */
SNN_INLINE uint32_t snn_read_u32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#if SNN_USE_SIMD32
/* (b2, b0) and (b3, b1) of a word, sign-extended to 16 bits (CMSIS __SXTB16_RORn). */
SNN_INLINE int16x2_t snn_sxtb16_ror8(uint32_t x)
{
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}
#endif

/*
 * sum_j w[j] * a[j] for int8 weights and Q12 activations, int32 accumulator.
 * Weights come in groups of four stored as (w0, w2, w1, w3) (codegen
 * interleaves them), so that SXTB16 yields the pairs (w0, w1) and (w2, w3)
 * that match the activations' natural pairs; a tail of n % 4 is stored plainly.
 */
SNN_INLINE int32_t snn_dot_s8_q12(const int8_t *w, const int16_t *a, uint32_t n)
{
    int32_t acc = 0;
    uint32_t j = 0;
#if SNN_USE_SIMD32
    for (; j + 4 <= n; j += 4) {
        const uint32_t w4 = snn_read_u32(w + j);
        acc = __smlad(__sxtb16((int8x4_t)w4), (int16x2_t)snn_read_u32(a + j), acc);
        acc = __smlad(snn_sxtb16_ror8(w4), (int16x2_t)snn_read_u32(a + j + 2), acc);
    }
#else
    /*
     * Q12 activations are never negative, so they are read as uint16_t: ARMv6-M
     * (Cortex-M0) has immediate-offset forms only for unsigned loads, and walking
     * pointers keeps every offset immediate.
     */
    const int8_t *wp = w;
    const uint16_t *ap = (const uint16_t *)(const void *)a;
    for (; j + 4 <= n; j += 4) {
        acc += (int32_t)wp[0] * ap[0] + (int32_t)wp[2] * ap[1] + (int32_t)wp[1] * ap[2] +
               (int32_t)wp[3] * ap[3];
        wp += 4;
        ap += 4;
    }
#endif
    for (; j < n; j++) {
        acc += (int32_t)w[j] * a[j];
    }
    return acc;
}

#if SNN_USE_SIMD32
/* snn_dot_s8_q12 of two rows at once: each pair of activation loads feeds four SMLADs. */
SNN_INLINE void snn_dot2_s8_q12(const int8_t *restrict w0, const int8_t *restrict w1,
                                const int16_t *restrict a, uint32_t n, int32_t acc[2])
{
    int32_t acc0 = 0;
    int32_t acc1 = 0;
    const int16_t *const end4 = a + (n & ~3u);
    const int16_t *const end = a + n;
    while (a != end4) {
        const int16x2_t a01 = (int16x2_t)snn_read_u32(a);
        const int16x2_t a23 = (int16x2_t)snn_read_u32(a + 2);
        const uint32_t x0 = snn_read_u32(w0);
        const uint32_t x1 = snn_read_u32(w1);
        acc0 = __smlad(__sxtb16((int8x4_t)x0), a01, acc0);
        acc1 = __smlad(__sxtb16((int8x4_t)x1), a01, acc1);
        acc0 = __smlad(snn_sxtb16_ror8(x0), a23, acc0);
        acc1 = __smlad(snn_sxtb16_ror8(x1), a23, acc1);
        a += 4;
        w0 += 4;
        w1 += 4;
    }
    while (a != end) {
        acc0 += (int32_t)*w0++ * *a;
        acc1 += (int32_t)*w1++ * *a++;
    }
    acc[0] = acc0;
    acc[1] = acc1;
}
#endif

/* sum_j w[j] * a[j] for int16 weights and Q12 activations, int32 accumulator. */
SNN_INLINE int32_t snn_dot_s16_q12(const int16_t *w, const int16_t *a, uint32_t n)
{
    int32_t acc = 0;
    uint32_t j = 0;
#if SNN_USE_SIMD32
    for (; j + 2 <= n; j += 2) {
        acc = __smlad((int16x2_t)snn_read_u32(w + j), (int16x2_t)snn_read_u32(a + j), acc);
    }
#endif
    for (; j < n; j++) {
        acc += (int32_t)w[j] * a[j];
    }
    return acc;
}

/*
 * Index of the first spike at or after j (n if none). Hidden layers are sparse,
 * so silent inputs are skipped four at a time.
 */
SNN_INLINE uint32_t snn_next_spike(const uint8_t *s, uint32_t j, uint32_t n)
{
    while (j + 4 <= n && snn_read_u32(s + j) == 0) {
        j += 4;
    }
    while (j < n && !s[j]) {
        j++;
    }
    return j;
}

/* ------------------------------------------------------------------- state */

/*
 * Volatile stores keep compilers from turning these loops into memset calls:
 * picolibc's size-optimised memset stores one byte per iteration.
 */
void snn_zero_s32(int32_t *p, uint32_t n)
{
    volatile int32_t *q = p;
    for (uint32_t i = 0; i < n; i++) {
        q[i] = 0;
    }
}

void snn_zero_u8(uint8_t *p, uint32_t n)
{
    volatile uint8_t *q = p;
    for (uint32_t i = 0; i < n; i++) {
        q[i] = 0;
    }
}

/* ------------------------------------------------------------------ encoders */

/* A(|xf - centre|) for xf, centre in [0, 4096], interpolated in the Gaussian table. */
SNN_INLINE int16_t snn_gauss_q12(int32_t xf, int32_t centre, const int16_t *gauss)
{
    int32_t d = xf - centre;
    if (d < 0) {
        d = -d;
    }
    /* d = 4096 gives k = 256 and frac = 0: G[256] exactly (G[257] = G[256]) */
    const int32_t frac = d & ((1 << SNN_GAUSS_STEP_BITS) - 1);
    const int16_t *g = gauss + (d >> SNN_GAUSS_STEP_BITS);
    return (int16_t)(g[0] + snn_asr32((g[1] - g[0]) * frac, SNN_GAUSS_STEP_BITS));
}

void snn_encode_population_q12(const int32_t *x, uint16_t n_features, uint16_t n_fields,
                               const int16_t *centres, const int16_t *gauss, int16_t *out)
{
    for (uint32_t f = 0; f < n_features; f++) {
        const int32_t xf = snn_clamp_q12(x[f]);
        for (uint32_t i = 0; i < n_fields; i++) {
            *out++ = snn_gauss_q12(xf, centres[i], gauss);
        }
    }
}

void snn_encode_direct_q12(const int32_t *x, uint16_t n, int16_t *out)
{
    for (uint32_t j = 0; j < n; j++) {
        out[j] = (int16_t)snn_clamp_q12(x[j]);
    }
}

void snn_latency_from_q12(const int16_t *act, uint16_t n, uint16_t t0, uint16_t window,
                          uint16_t *fire_at)
{
    for (uint32_t j = 0; j < n; j++) {
        const int32_t late =
            ((SNN_X_ONE - act[j]) * (int32_t)window + SNN_X_ONE / 2) >> SNN_LATENCY_FRAC;
        fire_at[j] = (uint16_t)(t0 + late);
    }
}

uint32_t snn_encode_latency_step(const uint16_t *fire_at, uint16_t n, uint16_t t, uint8_t *spikes)
{
    uint32_t count = 0;
    for (uint32_t j = 0; j < n; j++) {
        const uint8_t s = (uint8_t)(fire_at[j] == t);
        spikes[j] = s;
        count += s;
    }
    return count;
}

uint32_t snn_encode_rate_periodic(int32_t *phase, const int32_t *x, uint16_t n, uint8_t *spikes)
{
    uint32_t count = 0;
    for (uint32_t j = 0; j < n; j++) {
        int32_t p = phase[j] + x[j];
        const uint8_t s = (uint8_t)(p >= SNN_X_ONE);
        if (s) {
            p -= SNN_X_ONE;
        }
        phase[j] = p;
        spikes[j] = s;
        count += s;
    }
    return count;
}

uint32_t snn_encode_rate_bernoulli(uint32_t *state, const int32_t *x, uint16_t n, uint8_t *spikes)
{
    uint32_t s = *state;
    uint32_t count = 0;
    for (uint32_t j = 0; j < n; j++) {
        s ^= s << SNN_XORSHIFT_A;
        s ^= s >> SNN_XORSHIFT_B;
        s ^= s << SNN_XORSHIFT_C;
        const uint8_t spike = (uint8_t)((int32_t)(s >> SNN_RNG_DRAW_SHIFT) < x[j]);
        spikes[j] = spike;
        count += spike;
    }
    *state = s;
    return count;
}

/* ------------------------------------------------------------------ synapses */

void snn_dense_q12_s8(const int8_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                      int8_t shift, const int32_t *bias, int32_t *cur)
{
    uint32_t i = 0;
#if SNN_USE_SIMD32
    /* two rows at a time: each pair of activation loads feeds four SMLADs */
    for (; i + 2 <= n_out; i += 2) {
        int32_t acc[2];
        snn_dot2_s8_q12(w, w + n_in, a, n_in, acc);
        cur[i] = snn_scale32(acc[0], shift) + bias[i];
        cur[i + 1] = snn_scale32(acc[1], shift) + bias[i + 1];
        w += 2 * (uint32_t)n_in;
    }
#endif
    for (; i < n_out; i++) {
        cur[i] = snn_scale32(snn_dot_s8_q12(w, a, n_in), shift) + bias[i];
        w += n_in;
    }
}

void snn_dense_q12_s8_sat(const int8_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                          int8_t shift, const int32_t *bias, int32_t *cur)
{
    for (uint32_t i = 0; i < n_out; i++) {
        int64_t acc = 0;
        uint32_t j = 0;
        for (; j + 4 <= n_in; j += 4) { /* groups of four stored as (w0, w2, w1, w3) */
            acc += (int32_t)w[j] * a[j] + (int32_t)w[j + 2] * a[j + 1] +
                   (int32_t)w[j + 1] * a[j + 2] + (int32_t)w[j + 3] * a[j + 3];
        }
        for (; j < n_in; j++) {
            acc += (int32_t)w[j] * a[j];
        }
        w += n_in;
        cur[i] = snn_sat32(snn_scale64(acc, shift) + bias[i]);
    }
}

void snn_dense_q12_s16(const int16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                       int8_t shift, const int32_t *bias, int32_t *cur)
{
    for (uint32_t i = 0; i < n_out; i++) {
        cur[i] = snn_scale32(snn_dot_s16_q12(w, a, n_in), shift) + bias[i];
        w += n_in;
    }
}

void snn_dense_q12_s16_sat(const int16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                           int8_t shift, const int32_t *bias, int32_t *cur)
{
    for (uint32_t i = 0; i < n_out; i++) {
        int64_t acc = 0;
        for (uint32_t j = 0; j < n_in; j++) {
            acc += (int32_t)w[j] * a[j];
        }
        w += n_in;
        cur[i] = snn_sat32(snn_scale64(acc, shift) + bias[i]);
    }
}

/* acc += the rows of the spiking inputs; acc is all zero on entry. */
SNN_INLINE void snn_accumulate_spikes_s8(const int8_t *w_t, const uint8_t *s, uint32_t n_in,
                                         uint32_t n_out, int32_t *acc)
{
    for (uint32_t j = snn_next_spike(s, 0, n_in); j < n_in; j = snn_next_spike(s, j + 1, n_in)) {
        snn_add_row_s8(acc, w_t + j * n_out, n_out);
    }
}

SNN_INLINE void snn_accumulate_spikes_s16(const int16_t *w_t, const uint8_t *s, uint32_t n_in,
                                          uint32_t n_out, int32_t *acc)
{
    for (uint32_t j = snn_next_spike(s, 0, n_in); j < n_in; j = snn_next_spike(s, j + 1, n_in)) {
        snn_add_row_s16(acc, w_t + j * n_out, n_out);
    }
}

/* cur = rshift_round(acc, shift) + bias, and acc back to all zero for the next step. */
SNN_INLINE void snn_emit_current(int32_t *acc, uint32_t n_out, int8_t shift, const int32_t *bias,
                                 int32_t *cur)
{
    for (uint32_t i = 0; i < n_out; i++) {
        cur[i] = snn_scale32(acc[i], shift) + bias[i];
        acc[i] = 0;
    }
}

/* As snn_emit_current, in 64 bits with the current saturated to int32. */
SNN_INLINE void snn_emit_current_sat(int32_t *acc, uint32_t n_out, int8_t shift,
                                     const int32_t *bias, int32_t *cur)
{
    for (uint32_t i = 0; i < n_out; i++) {
        cur[i] = snn_sat32(snn_scale64(acc[i], shift) + bias[i]);
        acc[i] = 0;
    }
}

void snn_dense_spikes_s8(const int8_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                         int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur)
{
    snn_accumulate_spikes_s8(w_t, s, n_in, n_out, acc);
    snn_emit_current(acc, n_out, shift, bias, cur);
}

void snn_dense_spikes_s8_sat(const int8_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                             int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur)
{
    snn_accumulate_spikes_s8(w_t, s, n_in, n_out, acc);
    snn_emit_current_sat(acc, n_out, shift, bias, cur);
}

void snn_dense_spikes_s16(const int16_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                          int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur)
{
    snn_accumulate_spikes_s16(w_t, s, n_in, n_out, acc);
    snn_emit_current(acc, n_out, shift, bias, cur);
}

void snn_dense_spikes_s16_sat(const int16_t *w_t, const uint8_t *s, uint16_t n_in, uint16_t n_out,
                              int8_t shift, const int32_t *bias, int32_t *acc, int32_t *cur)
{
    snn_accumulate_spikes_s16(w_t, s, n_in, n_out, acc);
    snn_emit_current_sat(acc, n_out, shift, bias, cur);
}

/* ------------------------------------------------------------------- neurons */

/* The leak of LIF and LI layers: V * beta (Q15, rounded) or V - asr(V, k). */
SNN_INLINE int32_t snn_leak_by(int32_t v, uint8_t leak_mul, int32_t beta_q15, unsigned shift)
{
    if (leak_mul) {
        const int64_t half = (int64_t)1 << (SNN_BETA_FRAC - 1);
        return (int32_t)snn_asr64((int64_t)v * beta_q15 + half, SNN_BETA_FRAC);
    }
    return v - snn_asr32(v, shift);
}

SNN_INLINE int32_t snn_integrate_by(int32_t v, int32_t cur, uint8_t saturate)
{
    if (saturate) {
        return snn_sat32((int64_t)v + cur);
    }
    return v + cur;
}

SNN_INLINE int32_t snn_leak(int32_t v, const snn_lif_params_t *p)
{
    return snn_leak_by(v, p->leak_mul, p->beta_q15, p->leak_shift);
}

SNN_INLINE int32_t snn_integrate(int32_t v, int32_t cur, const snn_lif_params_t *p)
{
    return snn_integrate_by(v, cur, p->saturate);
}

SNN_INLINE uint8_t snn_fires(int32_t v, const snn_lif_params_t *p)
{
    return (uint8_t)(p->fire_ge ? v >= p->threshold : v > p->threshold);
}

/*
 * The common configuration (shift leak, reset by subtraction in the same step,
 * V > threshold, range proven) in a loop of its own: no per-neuron branching on
 * parameters. Bit-exact with the general loop below.
 */
static uint32_t snn_lif_step_shift_sub_s32(int32_t *v, const int32_t *cur, uint16_t n,
                                           int32_t threshold, unsigned k, uint8_t *spikes)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t vi = v[i] - snn_asr32(v[i], k) + cur[i];
        const uint8_t s = (uint8_t)(vi > threshold);
        if (s) {
            vi -= threshold;
        }
        v[i] = vi;
        spikes[i] = s;
        count += s;
    }
    return count;
}

uint32_t snn_lif_step_s32(int32_t *v, const int32_t *cur, uint16_t n, const snn_lif_params_t *p,
                          uint8_t *spikes)
{
    if (!p->leak_mul && !p->reset_zero && !p->fire_ge && !p->saturate && !p->reset_delayed) {
        return snn_lif_step_shift_sub_s32(v, cur, n, p->threshold, p->leak_shift, spikes);
    }
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t vi;
        uint8_t s = 0;
        if (p->reset_delayed) {
            /*
             * snnTorch's reset_delay: the spike of step t-1 resets during step t.
             * Spyx (fire_first) fires on V before the step, and that spike resets now.
             */
            const uint8_t prev = p->fire_first ? snn_fires(v[i], p) : spikes[i];
            vi = (prev && p->reset_zero) ? 0 : snn_leak(v[i], p);
            vi = snn_integrate(vi, cur[i], p);
            if (prev && !p->reset_zero) {
                vi = snn_integrate(vi, -p->threshold, p);
            }
            s = p->fire_first ? prev : snn_fires(vi, p);
        } else {
            vi = snn_integrate(snn_leak(v[i], p), cur[i], p);
            s = snn_fires(vi, p);
            if (s) {
                vi = p->reset_zero ? 0 : vi - p->threshold;
            }
        }
        v[i] = vi;
        spikes[i] = s;
        count += s;
    }
    return count;
}

void snn_li_step_s32(int32_t *v, const int32_t *cur, uint16_t n, const snn_li_params_t *p)
{
    if (!p->leak_mul && !p->saturate) { /* the common case, without per-neuron branching */
        const unsigned k = p->leak_shift;
        for (uint32_t i = 0; i < n; i++) {
            v[i] = v[i] - snn_asr32(v[i], k) + cur[i];
        }
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const int32_t leaked = snn_leak_by(v[i], p->leak_mul, p->beta_q15, p->leak_shift);
        v[i] = snn_integrate_by(leaked, cur[i], p->saturate);
    }
}

/* ------------------------------------------------------------- Izhikevich */

void snn_izh_reset(int32_t *v, int32_t *u, uint16_t n, const snn_izh_params_t *p)
{
    for (uint32_t i = 0; i < n; i++) {
        v[i] = p->v0_q;
        u[i] = p->u0_q;
    }
}

/*
 * Every intermediate is bounded by the clamps (docs/fixed-point.md): |v8| <= 25600,
 * so v8 * v8 < 2^30; the quadratic term and dv fit int32; the products of the
 * recovery update are at most 2^51 in int64.
 */
uint32_t snn_izh_step_s32(int32_t *v, int32_t *u, const int32_t *cur, uint16_t n,
                          const snn_izh_params_t *p, uint8_t *spikes)
{
    const unsigned dt = p->dt_shift;
    const int32_t dt_half = dt ? (int32_t)(1L << (dt - 1)) : 0;
    const int64_t u_half = (int64_t)1 << (SNN_IZH_AB_FRAC - 1 + dt);
    const int64_t quad_half = (int64_t)1 << (SNN_IZH_K04_FRAC - 1);
    const int64_t gain_half = (int64_t)1 << (SNN_IZH_GAIN_FRAC - 1);
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t vc = v[i];
        if (vc < SNN_IZH_V_MIN) {
            vc = SNN_IZH_V_MIN;
        } else if (vc > SNN_IZH_V_PEAK) {
            vc = SNN_IZH_V_PEAK;
        }
        const int32_t ui = u[i];
        const int32_t v8 = snn_asr32(vc, SNN_IZH_SQ_SHIFT);
        const int32_t quad =
            (int32_t)snn_asr64((int64_t)(v8 * v8) * SNN_IZH_K04 + quad_half, SNN_IZH_K04_FRAC);
        int64_t drive = snn_asr64((int64_t)cur[i] * p->gain_q + gain_half, SNN_IZH_GAIN_FRAC);
        if (drive > SNN_IZH_I_LIM) {
            drive = SNN_IZH_I_LIM;
        } else if (drive < -SNN_IZH_I_LIM) {
            drive = -SNN_IZH_I_LIM;
        }
        const int32_t dv = quad + SNN_IZH_K1 * vc + SNN_IZH_C140 - ui + (int32_t)drive;
        int32_t vn = vc + (dt ? snn_asr32(dv + dt_half, dt) : dv);
        int32_t un = ui + (int32_t)snn_asr64((int64_t)p->ab_q * vc - (int64_t)p->a_q * ui + u_half,
                                             SNN_IZH_AB_FRAC + dt);
        const uint8_t s = (uint8_t)(vn >= SNN_IZH_V_PEAK);
        if (s) {
            vn = p->c_q;
            un += p->d_q;
        }
        if (un > SNN_IZH_U_LIM) {
            un = SNN_IZH_U_LIM;
        } else if (un < -SNN_IZH_U_LIM) {
            un = -SNN_IZH_U_LIM;
        }
        v[i] = vn;
        u[i] = un;
        spikes[i] = s;
        count += s;
    }
    return count;
}

/* ------------------------------------------------------------ counting form */

/* The table's fields in locals, so that loops keep them in registers. */
typedef struct {
    const int32_t *edges;
    const uint16_t *counts;
    const uint16_t *bucket;
    int32_t top;
    unsigned shift;
} snn_count_view_t;

SNN_INLINE snn_count_view_t snn_count_view(const snn_count_table_t *t)
{
    const snn_count_view_t v = {t->edges, t->counts, t->bucket, t->top, t->shift};
    return v;
}

/* The count of current c: start at c's bucket, step to the run that holds c. */
SNN_INLINE uint32_t snn_count_of(snn_count_view_t t, int32_t c)
{
    c = c < 0 ? 0 : (c > t.top ? t.top : c);
    uint32_t k = t.bucket[(uint32_t)c >> t.shift];
    while (t.edges[k + 1] <= c) { /* edges[runs] = INT32_MAX ends every search */
        k++;
    }
    return t.counts[k];
}

uint32_t snn_lif_count_lookup(const int32_t *cur, uint16_t n, const snn_count_table_t *t,
                              uint16_t *out)
{
    const snn_count_view_t v = snn_count_view(t);
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t c = snn_count_of(v, cur[i]);
        out[i] = (uint16_t)c;
        total += c;
    }
    return total;
}

/* sum_i fold[i] * count(cur[i]) with the sum kept in int32 (acc32) or int64. */
SNN_INLINE int64_t snn_count_fold_body(const int32_t *cur, uint32_t n, const snn_count_table_t *t,
                                       const int32_t *fold, const int acc32, uint32_t *spikes)
{
    const snn_count_view_t v = snn_count_view(t);
    uint32_t total = 0;
    int64_t acc = 0;
    int32_t acc_32 = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t c = snn_count_of(v, cur[i]);
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

int64_t snn_lif_count_fold(const int32_t *cur, uint16_t n, const snn_count_table_t *t,
                           const int32_t *fold, uint8_t acc32, uint32_t *spikes)
{
    if (acc32) {
        return snn_count_fold_body(cur, n, t, fold, 1, spikes);
    }
    return snn_count_fold_body(cur, n, t, fold, 0, spikes);
}

int32_t snn_fold_output(int64_t acc, uint8_t fold_shift, int8_t shift, int64_t bias)
{
    return snn_sat32(snn_scale64(bias + acc * ((int64_t)1 << fold_shift), shift));
}

void snn_readout_counts_s32(const int32_t *w, const uint16_t *n, uint16_t n_in, uint16_t n_out,
                            uint8_t fold_shift, int8_t shift, const int64_t *bias, uint8_t acc32,
                            int32_t *y)
{
    for (uint32_t o = 0; o < n_out; o++) {
        int64_t acc;
        if (acc32) {
            int32_t a = 0;
            for (uint32_t i = 0; i < n_in; i++) {
                a += w[i] * (int32_t)n[i];
            }
            acc = a;
        } else {
            acc = 0;
            for (uint32_t i = 0; i < n_in; i++) {
                acc += (int64_t)w[i] * n[i];
            }
        }
        w += n_in;
        y[o] = snn_fold_output(acc, fold_shift, shift, bias[o]);
    }
}

/* ------------------------------------------------------------------ decoders */

int32_t snn_sigmoid_q15(int32_t v, const int16_t *table)
{
    const int32_t half = (int32_t)1 << SNN_SIGMOID_RANGE_BITS;
    const int32_t z = (v < -half ? -half : (v > half - 1 ? half - 1 : v)) + half;
    const int32_t k = z >> SNN_SIGMOID_STEP_BITS;
    const int32_t frac = z & ((1 << SNN_SIGMOID_STEP_BITS) - 1);
    return table[k] + snn_asr32((table[k + 1] - table[k]) * frac, SNN_SIGMOID_STEP_BITS);
}

void snn_readout_s16(const int16_t *w, const int32_t *f, uint16_t n_in, uint16_t n_out,
                     int8_t shift, const int64_t *bias, int32_t *y)
{
    for (uint32_t o = 0; o < n_out; o++) {
        int64_t acc = bias[o];
        for (uint32_t i = 0; i < n_in; i++) {
            acc += (int64_t)w[i] * f[i];
        }
        w += n_in;
        y[o] = snn_sat32(snn_scale64(acc, shift));
    }
}
