/*
 * snn_kernels_dsp.h - the Arm DSP extension's variants (Cortex-M4/M7, SNN_USE_SIMD32).
 *
 * Included by snn_kernels.h, never on its own. Kernels here are inline where the
 * model's constants (field counts, centres) let the compiler specialise them; the
 * DSP variants that are whole assembly routines stay in snn_kernels.c. Every one
 * computes exactly what the portable loop of the same name does.
 */
#ifndef SNN_KERNELS_DSP_H
#define SNN_KERNELS_DSP_H

#include <arm_acle.h>
#include <string.h>

/* Single DSP instructions that GCC's arm_acle.h does not offer (no flags touched). */
SNN_INLINE int32_t snn_smultb(int32_t a, uint32_t b) /* (a >> 16) * (int16_t)b */
{
    int32_t r;
    __asm__("smultb %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

SNN_INLINE int32_t snn_smultt(int32_t a, uint32_t b) /* (a >> 16) * (b >> 16), signed */
{
    int32_t r;
    __asm__("smultt %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

SNN_INLINE uint32_t snn_pkhbt(uint32_t lo, uint32_t hi) /* lo's low half, hi's low half above */
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}

SNN_INLINE uint32_t snn_pkhbt12(uint32_t lo, uint32_t hi) /* bits 4..19 of hi above lo's half */
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #12" : "=r"(r) : "r"(lo), "r"(hi));
    return r;
}

/* 32 bits to a possibly unaligned address (one STR on Cortex-M4/M7). */
SNN_INLINE void snn_write_u32(void *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

/*
 * Two fields per pass in the halves of one word: |d| for both by SSUB16 twice and
 * SEL, each half's table word, the slopes times |d| by SMULTB/SMULTT, and the two
 * bases plus the two asr(s d, 4) by one UADD16 (each half's sum is the field's value
 * in [0, 4096], so the halves' modular sums are exact). Inline: called with the model's
 * constant field count, the pairs unroll and the centres become constants.
 */
SNN_INLINE void snn_encode_population_q12(const int32_t *x, uint16_t n_features, uint16_t n_fields,
                                          const int16_t *centres, const int32_t *gauss,
                                          int16_t *out)
{
    const uint32_t one2 = (uint32_t)SNN_X_ONE * SNN_PAIR_ONES;
    const int16_t *const pairs_end = centres + (n_fields & ~1u);
    const int32_t *const x_end = x + n_features;
    for (; x != x_end; x++) {
        const uint32_t xf = (uint32_t)__usat(*x, SNN_X_FRAC + 1); /* [0, 8191] */
        uint32_t xx = snn_pkhbt(xf, xf);
        (void)__usub16(one2, xx); /* GE: 4096 >= x, per half */
        xx = __sel(xx, one2);     /* (xf, xf), xf = clamp(x, 0, 4096) */
        const int16_t *c = centres;
        SNN_UNROLL
        for (; c != pairs_end; c += 2, out += 2) {
            const uint32_t cc = snn_read_u32(c);
            const uint32_t neg = (uint32_t)__ssub16((int16x2_t)cc, (int16x2_t)xx);
            const uint32_t d = (uint32_t)__ssub16((int16x2_t)xx, (int16x2_t)cc); /* GE: d >= 0 */
            const uint32_t a = __sel(d, neg);                                    /* (|d0|, |d1|) */
            const int32_t e0 = gauss[(a & SNN_HALF_MASK) >> SNN_GAUSS_STEP_BITS];
            const int32_t e1 = gauss[a >> (SNN_HALF_BITS + SNN_GAUSS_STEP_BITS)];
            const uint32_t p0 = (uint32_t)snn_asr32(snn_smultb(e0, a), SNN_GAUSS_STEP_BITS);
            const uint32_t pp = snn_pkhbt12(p0, (uint32_t)snn_smultt(e1, a));
            snn_write_u32(out, __uadd16(pp, snn_pkhbt((uint32_t)e0, (uint32_t)e1)));
        }
        if (n_fields & 1u) {
            *out++ = (int16_t)snn_gauss_q12((int32_t)(xx & SNN_HALF_MASK), *c, gauss);
        }
    }
}

/*
 * The next two words of a table the generator aligns to 4 bytes, and *p past them:
 * one LDRD with writeback (GCC splits a 64-bit load into two LDRs on the M4).
 */
SNN_INLINE void snn_next_2u32(const uint16_t **p, uint32_t *lo, uint32_t *hi)
{
    const uint16_t *q = *p;
    __asm__("ldrd %0, %1, [%2], %4"
            : "=r"(*lo), "=r"(*hi), "+r"(q)
            : "m"(*(const char(*)[sizeof(uint64_t)])q), "i"(sizeof(uint64_t)));
    *p = q;
}

/* One row's current from its accumulator: ((acc >> rshift) << lshift) + bias. */
SNN_INLINE int32_t snn_dense_row(uint32_t acc, int8_t shift, int32_t bias)
{
    const int32_t v = snn_asr32(snn_s32_of_u32(acc), shift > 0 ? (unsigned)shift : 0u);
    return v * (int32_t)(1L << (shift > 0 ? 0 : -shift)) + bias;
}

/* acc += SMLAD(w, x), the halves' products and the sum modulo 2^32. */
#define SNN_MAC2(acc, w, x)                                                                        \
    (acc) = (uint32_t)__smlad((int16x2_t)(w), (int16x2_t)(x), (int32_t)(acc))

/*
 * snn_dense_q12_s8 (the layout is described at its declaration): per group of four
 * columns one LDRD of activations, per row of the block one LDRD of its two weight
 * pairs... in the stored order, pair 0 of the four rows then pair 1: four LDRDs and
 * eight SMLADs, 13 instructions for 16 multiply-accumulates. The same sums, modulo
 * 2^32, as the portable loop. Inline: with the model's constant sizes and shift the
 * column loop unrolls, the shift is an immediate and a last block of fewer than four
 * rows computes only its rows, so that a small layer costs little more than its
 * multiply-accumulates.
 */
SNN_INLINE void snn_dense_q12_s8(const uint16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                                 int8_t shift, const int32_t *bias, int32_t *cur)
{
    const uint16_t *const a0 = (const uint16_t *)(const void *)a; /* Q12 >= 0 */
    const uint16_t *ap = a0;
    uint32_t sum = 0; /* sum_j a[j], both halves at once: SMLAD with (1, 1) */
    SNN_UNROLL
    for (uint32_t j = 0; j < n_in; j += SNN_S8_GROUP) {
        uint32_t x0, x1;
        snn_next_2u32(&ap, &x0, &x1);
        SNN_MAC2(sum, x0, SNN_PAIR_ONES);
        SNN_MAC2(sum, x1, SNN_PAIR_ONES);
    }
    const uint32_t half = shift > 0 ? (uint32_t)1 << (shift - 1) : 0u;
    const uint32_t init = half - (sum << SNN_S8_OFFSET_BITS);
    uint32_t r = 0;
    for (; r + SNN_S8_BLOCK_ROWS <= n_out; r += SNN_S8_BLOCK_ROWS) {
        uint32_t acc0 = init, acc1 = init, acc2 = init, acc3 = init;
        ap = a0;
        SNN_UNROLL
        for (uint32_t j = 0; j < n_in; j += SNN_S8_GROUP) {
            uint32_t x0, x1, w0, w1, w2, w3;
            snn_next_2u32(&ap, &x0, &x1);
            snn_next_2u32(&w, &w0, &w1); /* pair 0 of the group: rows 0 and 1 */
            snn_next_2u32(&w, &w2, &w3); /* rows 2 and 3 */
            SNN_MAC2(acc0, w0, x0);
            SNN_MAC2(acc1, w1, x0);
            SNN_MAC2(acc2, w2, x0);
            SNN_MAC2(acc3, w3, x0);
            snn_next_2u32(&w, &w0, &w1); /* pair 1 */
            snn_next_2u32(&w, &w2, &w3);
            SNN_MAC2(acc0, w0, x1);
            SNN_MAC2(acc1, w1, x1);
            SNN_MAC2(acc2, w2, x1);
            SNN_MAC2(acc3, w3, x1);
        }
        cur[r] = snn_dense_row(acc0, shift, bias[r]);
        cur[r + 1] = snn_dense_row(acc1, shift, bias[r + 1]);
        cur[r + 2] = snn_dense_row(acc2, shift, bias[r + 2]);
        cur[r + 3] = snn_dense_row(acc3, shift, bias[r + 3]);
    }
    const uint32_t tail = n_out - r; /* 0 to 3 rows of a last, zero-padded block */
    if (tail != 0) {
        uint32_t acc0 = init, acc1 = init, acc2 = init;
        ap = a0;
        SNN_UNROLL
        for (uint32_t j = 0; j < n_in; j += SNN_S8_GROUP) {
            uint32_t x0, x1, w0, w1, w2, w3;
            snn_next_2u32(&ap, &x0, &x1);
            snn_next_2u32(&w, &w0, &w1);
            snn_next_2u32(&w, &w2, &w3);
            SNN_MAC2(acc0, w0, x0);
            SNN_MAC2(acc1, w1, x0);
            SNN_MAC2(acc2, w2, x0);
            snn_next_2u32(&w, &w0, &w1);
            snn_next_2u32(&w, &w2, &w3);
            SNN_MAC2(acc0, w0, x1);
            SNN_MAC2(acc1, w1, x1);
            SNN_MAC2(acc2, w2, x1);
        }
        cur[r] = snn_dense_row(acc0, shift, bias[r]);
        if (tail > 1) {
            cur[r + 1] = snn_dense_row(acc1, shift, bias[r + 1]);
        }
        if (tail > 2) {
            cur[r + 2] = snn_dense_row(acc2, shift, bias[r + 2]);
        }
    }
}
#undef SNN_MAC2

#endif /* SNN_KERNELS_DSP_H */
