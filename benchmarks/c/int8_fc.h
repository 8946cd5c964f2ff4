/*
 * int8_fc.h - int8 fully-connected layer with TensorFlow Lite Micro's reference
 * semantics (the benchmark's int8 MLP anchor; benchmarks/_int8.py is its numpy twin).
 *
 *   acc    = bias[o] + sum_i (in[i] + in_offset) * w[o][i]        (int32)
 *   acc    = MultiplyByQuantizedMultiplier(acc, multiplier, shift)
 *   out[o] = clamp(acc + out_offset, act_min, act_max)             (int8)
 *
 * Weights are row-major [n_out][n_in] (TFLite's filter layout), symmetric (no
 * filter offset). multiplier is QuantizeMultiplier's Q31 value in [2^30, 2^31) or
 * 0, shift in [-31, 30] (> 0 shifts left). Not part of snn2c's firmware: it is the
 * ANN a careful user deploys instead, written for the benchmark.
 */
#ifndef BENCH_INT8_FC_H
#define BENCH_INT8_FC_H

#include <stdint.h>

typedef struct {
    int32_t in_offset;  /* minus the input's zero point */
    int32_t out_offset; /* the output's zero point */
    int32_t multiplier; /* Q31 */
    int32_t shift;      /* > 0: left */
    int32_t act_min;    /* the fused activation's clamp */
    int32_t act_max;
} bench_fc_params_t;

/* MultiplyByQuantizedMultiplier of one accumulator. */
int32_t bench_requantize(int32_t acc, int32_t multiplier, int32_t shift);

/* One fully-connected layer (SMLAD on cores with __ARM_FEATURE_SIMD32, portable C
 * elsewhere or with BENCH_INT8_PORTABLE defined). */
void bench_fc_s8(const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out,
                 int32_t n_in, int32_t n_out, const bench_fc_params_t *p);

#endif /* BENCH_INT8_FC_H */
