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

#endif /* SNN_KERNELS_DSP_H */
