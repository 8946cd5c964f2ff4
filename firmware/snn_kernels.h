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

#include "snn_contract.h"

#ifdef __cplusplus
extern "C" {
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

/*
 * The Q12 input of a scaled float t = (x - low) * gain: t clamped to [0, 4096] (NaN
 * to 0), plus one half, truncated. With an Arm
 * single-precision FPU the conversion is one VCVT, which the architecture defines for
 * every value (round toward zero, saturating, NaN to 0): trunc(t + 0.5) clamped in
 * integers afterwards gives the same bits for every t, NaN and infinities included
 * (docs/fixed-point.md, "Input normalisation").
 */
#if defined(__ARM_FP) && (__ARM_FP & 4) && defined(__thumb2__)
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
void snn_encode_population_q12(const int32_t *x, uint16_t n_features, uint16_t n_fields,
                               const int16_t *centres, const int32_t *gauss, int16_t *out);

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

void snn_normalize_raw_q12(const int32_t *raw, uint16_t n, const snn_raw_input_t *p,
                           int32_t *x_q12);

/* The same with one parameter set *p for all n inputs (an ADC's channels, say). */
void snn_normalize_raw_uniform_q12(const int32_t *raw, uint16_t n, const snn_raw_input_t *p,
                                   int32_t *x_q12);

/* Direct current: out[j] = clamp(x[j], 0, 4096), Q12. */
void snn_encode_direct_q12(const int32_t *x, uint16_t n, int16_t *out);

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
 * for n_out rounded up to a multiple of 4 (the extra bias entries are zero).
 * int16 weights (_s16) are stored [n_out][n_in] plainly.
 * The plain versions accumulate in int32 and need the quantizer's range proof;
 * the _sat versions accumulate in int64 and saturate cur to int32.
 */
void snn_dense_q12_s8(const uint16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                      int8_t shift, const int32_t *bias, int32_t *cur);
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
 * with edges[k] <= clamp(c, 0, top). bucket[b] is the run that holds the
 * current b << shift, so the search starts there and moves at most a few runs
 * (at most one where one_step is set: then it is one compare, without a branch).
 */
typedef struct {
    const int32_t *edges;   /* [runs + 1] run starts, ascending, edges[0] = 0, then INT32_MAX */
    const uint16_t *counts; /* [runs] spikes over the T steps on each run */
    const uint16_t *bucket; /* [(top >> shift) + 1] */
    int32_t top;            /* threshold + 1: every larger current fires at every step */
    uint8_t shift;
    uint8_t one_step; /* 1: no bucket holds more than one run start beyond its first */
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

/* The output of a folded sum acc: sat32(rshift_round(bias + 2^fold_shift * acc, shift)), Q16. */
int32_t snn_fold_output(int64_t acc, uint8_t fold_shift, int8_t shift, int64_t bias);

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
