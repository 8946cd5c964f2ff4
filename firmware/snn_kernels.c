/*
 * snn_kernels.c - integer kernels of the snn2c fixed-point contract.
 * See snn_kernels.h for formats and docs/fixed-point.md for the contract.
 */
#include "snn_kernels.h"

#include <string.h>

/* An assembly routine in C clothing: no prologue, arguments where the ABI puts them. */
#define SNN_NAKED __attribute__((naked, noinline)) static
#define SNN_NAKED_API __attribute__((naked, noinline)) /* the same, for a function of the API */
#define SNN_UNUSED __attribute__((unused))

/* rshift_round for 32-bit values proven by the quantizer not to overflow. */
SNN_INLINE int32_t snn_scale32(int32_t acc, int8_t shift)
{
    if (shift > 0) {
        return snn_asr32(acc + (int32_t)(1L << (shift - 1)), (unsigned)shift);
    }
    return acc * (int32_t)(1L << (-shift));
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

#if !SNN_USE_SIMD32 /* on the DSP extension: snn_kernels_dsp.h, inline */
/*
 * 128 * sum_j a[j] over n (a multiple of 4) Q12 activations: the correction that turns
 * sums of the offset weights u = w + 128 into sums of w (snn_dense_q12_s8).
 */
#define SNN_S8_BLOCK_WORDS (SNN_S8_BLOCK_ROWS * SNN_S8_GROUP) /* halfwords per block group */

SNN_INLINE uint32_t snn_offset_sum_q12(const int16_t *a, uint32_t n)
{
    uint32_t s = 0;
    const uint16_t *ap = (const uint16_t *)(const void *)a;
    const uint16_t *const end = ap + n;
    while (ap != end) {
        s += (uint32_t)ap[0] + ap[1] + ap[2] + ap[3];
        ap += 4;
    }
    return s << SNN_S8_OFFSET_BITS;
}

/*
 * What the int8 Q12 dense loop needs, precomputed once per call (snn_dense_q12_s8).
 * The assembly below reads it by offset: keep the fields in this order.
 */
typedef struct {
    const uint16_t *w;    /*  0: the blocked offset weights, walked block by block */
    const int16_t *a;     /*  4: the activations */
    const int16_t *a_end; /*  8: a + n_in */
    int32_t *cur;         /* 12: walked four rows at a time */
    int32_t *cur_end;     /* 16: cur + n_out rounded up to a multiple of 4 */
    const int32_t *bias;  /* 20: walked four rows at a time */
    uint32_t init;        /* 24: 2^(shift-1) - 128 sum(a) (mod 2^32): rounding and offset */
    uint32_t rshift;      /* 28: shift if > 0, else 0 */
    uint32_t lshift;      /* 32: -shift if <= 0, else 0 */
} snn_dense_u16_job_t;

/*
 * The whole layer, four rows at a time: acc[r] = init + sum_j u[r][j] a[j] (mod 2^32),
 * cur[r] = ((acc[r] >> rshift) << lshift) + bias[r]. The block's weights come pair of
 * columns by pair of columns, one word per row holding (u[r][2p], u[r][2p + 1]), so
 * that every load of activations serves four rows.
 */
/*
 * ARMv7-M without the DSP extension (the Cortex-M4/M7's is inline, snn_kernels_dsp.h):
 * the loop over blocks of four rows around the column loop (label 2). At label 2: r0
 * the block's weights, r1 the activations, r2 their end, r3/r10/r11/lr the
 * accumulators at init, r12 the job; at the end of the column loop the four
 * accumulators are scaled, biased and stored as the block's four currents.
 */
#define SNN_V7_BLOCKS_BEGIN                                                                        \
    "push {r4-r11, lr}\n\tmov r12, r0\n\tldr r0, [r12, #0]\n"                                      \
    "1:\n\tldr r1, [r12, #4]\n\tldr r2, [r12, #8]\n\tldr r3, [r12, #24]\n\t"                       \
    "mov r10, r3\n\tmov r11, r3\n\tmov lr, r3\n2:\n\t"
#define SNN_V7_BLOCKS_END                                                                          \
    "ldr r1, [r12, #28]\n\tldr r2, [r12, #32]\n\t"                                                 \
    "asr r3, r3, r1\n\tasr r10, r10, r1\n\tasr r11, r11, r1\n\tasr lr, lr, r1\n\t"                 \
    "lsl r3, r3, r2\n\tlsl r10, r10, r2\n\tlsl r11, r11, r2\n\tlsl lr, lr, r2\n\t"                 \
    "ldr r1, [r12, #20]\n\tldm r1!, {r4, r5, r6, r7}\n\tstr r1, [r12, #20]\n\t"                    \
    "add r4, r4, r3\n\tadd r5, r5, r10\n\tadd r6, r6, r11\n\tadd r7, r7, lr\n\t"                   \
    "ldr r1, [r12, #12]\n\tstm r1!, {r4, r5, r6, r7}\n\tstr r1, [r12, #12]\n\t"                    \
    "ldr r2, [r12, #16]\n\tcmp r1, r2\n\tbne 1b\n\tpop {r4-r11, pc}\n\t"

#if SNN_USE_ARMV6M
/*
 * ARMv6-M (Cortex-M0/M0+): no multiply-accumulate, and MULS reaches only r0-r7.
 * The four accumulators live in r8-r11 (ADD reaches high registers), a group's four
 * activations in r2-r5, and each MAC is LDRH (immediate offset), MULS, ADD: three
 * instructions. Two groups of four columns per iteration; an odd number of groups
 * enters halfway. r0 weights, r1 activations, r6 scratch, r7 the job, r12 a_end.
 */
/* Offsets are assembler expressions in strings ("32+4+16"): the layout's byte offsets. */
#define SNN_M0_MAC(acc, a, off)                                                                    \
    "ldrh r6, [r0, #" off "]\n\tmuls r6, " a ", r6\n\tadd " acc ", r6\n\t"
#define SNN_M0_ROW(acc, off)                                                                       \
    SNN_M0_MAC(acc, "r2", off "+0")                                                                \
    SNN_M0_MAC(acc, "r3", off "+2")                                                                \
    SNN_M0_MAC(acc, "r4", off "+16") SNN_M0_MAC(acc, "r5", off "+18")
#define SNN_M0_GROUP(woff, aoff)                                                                   \
    "ldrh r2, [r1, #" aoff "+0]\n\tldrh r3, [r1, #" aoff "+2]\n\t"                                 \
    "ldrh r4, [r1, #" aoff "+4]\n\tldrh r5, [r1, #" aoff "+6]\n\t" SNN_M0_ROW("r8", woff "+0")     \
        SNN_M0_ROW("r9", woff "+4") SNN_M0_ROW("r10", woff "+8") SNN_M0_ROW("r11", woff "+12")
#define SNN_M0_STORE(acc)                                                                          \
    "mov r5, " acc "\n\tasrs r5, r1\n\tlsls r5, r2\n\tldm r3!, {r6}\n\tadds r5, r6\n\t"            \
    "stm r4!, {r5}\n\t"

SNN_NAKED void snn_dense_u16_run(snn_dense_u16_job_t *job SNN_UNUSED)
{
    __asm__(
        ".syntax unified\n\t"
        "push {r4-r7, lr}\n\t"
        "mov r4, r8\n\tmov r5, r9\n\tmov r6, r10\n\tmov r7, r11\n\t"
        "push {r4-r7}\n\t"
        "mov r7, r0\n\t"
        "ldr r0, [r7, #0]\n"
        "1:\n\t" /* a block of four rows */
        "ldr r1, [r7, #4]\n\t"
        "ldr r6, [r7, #8]\n\t"
        "mov r12, r6\n\t"
        "ldr r6, [r7, #24]\n\t"
        "mov r8, r6\n\tmov r9, r6\n\tmov r10, r6\n\tmov r11, r6\n\t"
        "mov r6, r12\n\tsubs r6, r6, r1\n\tlsls r6, r6, #28\n\t" /* odd group count? */
        "beq 2f\n\t"
        "subs r0, #32\n\tsubs r1, #8\n\t"
        "b 3f\n"
        "2:\n\t" SNN_M0_GROUP("0", "0") "3:\n\t" SNN_M0_GROUP(
            "32", "8") "adds r0, #64\n\tadds r1, #16\n\t"
                       "cmp r1, r12\n\t"
                       "beq 4f\n\t" /* conditional branches reach 256 bytes: the loops are longer */
                       "b 2b\n"
                       "4:\n\t"
                       "ldr r1, [r7, #28]\n\t" /* scale, add the bias, store four currents */
                       "ldr r2, [r7, #32]\n\t"
                       "ldr r3, [r7, #20]\n\t"
                       "ldr r4, [r7, #12]\n\t" SNN_M0_STORE("r8") SNN_M0_STORE("r9")
                           SNN_M0_STORE("r10") SNN_M0_STORE(
                               "r11") "str r3, [r7, #20]\n\t"
                                      "str r4, [r7, #12]\n\t"
                                      "ldr r6, [r7, #16]\n\t"
                                      "cmp r4, r6\n\t"
                                      "beq 5f\n\t"
                                      "b 1b\n"
                                      "5:\n\t"
                                      "pop {r4-r7}\n\t"
                                      "mov r8, r4\n\tmov r9, r5\n\tmov r10, r6\n\tmov r11, r7\n\t"
                                      "pop {r4-r7, pc}\n\t"
                                      ".syntax divided\n\t");
}
#undef SNN_M0_STORE
#undef SNN_M0_GROUP
#undef SNN_M0_ROW
#undef SNN_M0_MAC
#elif SNN_USE_ARMV7M
/*
 * ARMv7-M without the DSP extension (Cortex-M3): no SMLAD, but MLA and LDRH with an
 * immediate offset, so each MAC is two instructions and a group's four activations
 * one load each: 40 instructions for 16 multiply-accumulates. r0 weights, r1
 * activations, r2 their end, r3/r10/r11/lr the accumulators, r4-r7 the activations,
 * r8 a weight, r12 the job.
 */
/* Kept as written: clang-format lays these strings out differently on every pass. */
/* clang-format off */
#define SNN_M3_MAC(acc, a, off) "ldrh r8, [r0, #" off "]\n\tmla " acc ", r8, " a ", " acc "\n\t"
#define SNN_M3_ROW(acc, a, b, off) SNN_M3_MAC(acc, a, off "+0") SNN_M3_MAC(acc, b, off "+2")
#define SNN_M3_PAIR(a, b, off)                                                                     \
    SNN_M3_ROW("r3", a, b, off "+0") SNN_M3_ROW("r10", a, b, off "+4")                             \
    SNN_M3_ROW("r11", a, b, off "+8") SNN_M3_ROW("lr", a, b, off "+12")
/* clang-format on */

SNN_NAKED void snn_dense_u16_run(snn_dense_u16_job_t *job SNN_UNUSED)
{
    __asm__(SNN_V7_BLOCKS_BEGIN /* four columns */
            "ldrh r4, [r1, #0]\n\tldrh r5, [r1, #2]\n\tldrh r6, [r1, #4]\n\tldrh r7, [r1, "
            "#6]\n\t" SNN_M3_PAIR("r4", "r5", "0") SNN_M3_PAIR(
                "r6", "r7",
                "16") "adds r0, #32\n\tadds r1, #8\n\tcmp r1, r2\n\tbne 2b\n\t" SNN_V7_BLOCKS_END);
}
#undef SNN_M3_PAIR
#undef SNN_M3_ROW
#undef SNN_M3_MAC
#elif SNN_USE_RV32M
/*
 * RV32IM (ESP32-C3): no multiply-accumulate, so each MAC is LHU, MUL, ADD, and a
 * group's four activations one LHU each: 55 instructions for 16 multiply-accumulates,
 * in caller-saved registers only. a0 the job, a1 weights, a2 activations, a3 their
 * end, a4-a7 the accumulators, t0-t3 the activations, t4 a product, t5 cur, t6 bias.
 */
/* clang-format off */
#define SNN_RV_MAC(acc, a, off) "lhu t4, " off "(a1)\n\tmul t4, t4, " a "\n\tadd " acc ", " acc ", t4\n\t"
#define SNN_RV_ROW(acc, a, b, off) SNN_RV_MAC(acc, a, off "+0") SNN_RV_MAC(acc, b, off "+2")
#define SNN_RV_PAIR(a, b, off)                                                                     \
    SNN_RV_ROW("a4", a, b, off "+0") SNN_RV_ROW("a5", a, b, off "+4")                              \
    SNN_RV_ROW("a6", a, b, off "+8") SNN_RV_ROW("a7", a, b, off "+12")
#define SNN_RV_STORE(acc, off)                                                                     \
    "sra " acc ", " acc ", t0\n\tsll " acc ", " acc ", t1\n\tlw t2, " off "(t6)\n\t"                \
    "add " acc ", " acc ", t2\n\tsw " acc ", " off "(t5)\n\t"
/* clang-format on */

SNN_NAKED void snn_dense_u16_run(snn_dense_u16_job_t *job SNN_UNUSED)
{
    __asm__("lw a1, 0(a0)\n\t"
            "lw t5, 12(a0)\n\t"
            "lw t6, 20(a0)\n"
            "1:\n\t" /* a block of four rows */
            "lw a2, 4(a0)\n\t"
            "lw a3, 8(a0)\n\t"
            "lw a4, 24(a0)\n\t"
            "mv a5, a4\n\t"
            "mv a6, a4\n\t"
            "mv a7, a4\n"
            "2:\n\t" /* four columns */
            "lhu t0, 0(a2)\n\tlhu t1, 2(a2)\n\tlhu t2, 4(a2)\n\tlhu t3, 6(a2)\n\t" SNN_RV_PAIR(
                "t0", "t1", "0")
                SNN_RV_PAIR("t2", "t3",
                            "16") "addi a1, a1, 32\n\t"
                                  "addi a2, a2, 8\n\t"
                                  "bne a2, a3, 2b\n\t"
                                  "lw t0, 28(a0)\n\t" /* scale, add the bias, store four currents */
                                  "lw t1, 32(a0)\n\t" SNN_RV_STORE("a4", "0")
                                      SNN_RV_STORE("a5", "4") SNN_RV_STORE("a6", "8")
                                          SNN_RV_STORE("a7", "12") "addi t5, t5, 16\n\t"
                                                                   "addi t6, t6, 16\n\t"
                                                                   "lw t0, 16(a0)\n\t"
                                                                   "bne t5, t0, 1b\n\t"
                                                                   "ret\n\t");
}
#undef SNN_RV_STORE
#undef SNN_RV_PAIR
#undef SNN_RV_ROW
#undef SNN_RV_MAC
#else
static void snn_dense_u16_run(snn_dense_u16_job_t *job)
{
    const uint16_t *w = job->w;
    const uint16_t *const a0 = (const uint16_t *)(const void *)job->a; /* Q12 >= 0 */
    const uint16_t *const end = (const uint16_t *)(const void *)job->a_end;
    const int32_t *bias = job->bias;
    for (int32_t *cur = job->cur; cur != job->cur_end; cur += 4, bias += 4) {
        uint32_t acc[4] = {job->init, job->init, job->init, job->init};
        /* a group: two pairs of columns, each one word per row of the block */
        for (const uint16_t *ap = a0; ap != end; ap += SNN_S8_GROUP, w += SNN_S8_BLOCK_WORDS) {
            const uint32_t x0 = ap[0];
            const uint32_t x1 = ap[1];
            const uint32_t x2 = ap[2];
            const uint32_t x3 = ap[3];
            const uint16_t *w23 = w + 2 * SNN_S8_BLOCK_ROWS; /* the group's second pair */
            for (uint32_t r = 0; r < 4; r++) {
                acc[r] += w[2 * r] * x0 + w[2 * r + 1] * x1 + w23[2 * r] * x2 + w23[2 * r + 1] * x3;
            }
        }
        for (uint32_t r = 0; r < 4; r++) {
            const int32_t v = snn_asr32(snn_s32_of_u32(acc[r]), job->rshift);
            cur[r] = v * (int32_t)(1L << job->lshift) + bias[r];
        }
    }
}
#endif
#undef SNN_V7_BLOCKS_END
#undef SNN_V7_BLOCKS_BEGIN
#endif /* !SNN_USE_SIMD32 */

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

#if SNN_USE_SIMD32
/* snn_encode_population_q12 is inline in snn_kernels_dsp.h. */
#elif SNN_USE_ARMV6M
/*
 * ARMv6-M, one field: d = xf - centre, |d| by the sign mask, the table word, then
 * b + asr(s |d|, 4) in the low half of word + asr(s |d|, 4) (the high half is
 * dropped by STRH): 13 instructions. r1 xf, r2 centres, r6 the table, r7 out.
 */
#define SNN_M0_FIELD(off)                                                                          \
    "ldrh r3, [r2, #" off "]\n\tsubs r3, r1, r3\n\t"                                               \
    "asrs r5, r3, #31\n\teors r3, r5\n\tsubs r3, r5\n\t"                                           \
    "lsrs r4, r3, #4\n\tlsls r4, r4, #2\n\tldr r4, [r6, r4]\n\t"                                   \
    "asrs r5, r4, #16\n\tmuls r5, r3, r5\n\tasrs r5, r5, #4\n\tadds r5, r4\n\t"                    \
    "strh r5, [r7, #" off "]\n\t"

/*
 * Two fields per pass (an odd count enters halfway, as the dense loop does); per
 * feature the clamp to [0, 4096]. r0 x, r8 centres, r9 their end, r10 x's end,
 * r11 4096, lr n_fields.
 */
SNN_NAKED_API void
snn_encode_population_q12(const int32_t *x SNN_UNUSED, uint16_t n_features SNN_UNUSED,
                          uint16_t n_fields SNN_UNUSED, const int16_t *centres SNN_UNUSED,
                          const int32_t *gauss SNN_UNUSED, int16_t *out SNN_UNUSED)
{
    __asm__(".syntax unified\n\t"
            "push {r4-r7, lr}\n\t"
            "mov r4, r8\n\tmov r5, r9\n\tmov r6, r10\n\tmov r7, r11\n\t"
            "push {r4-r7}\n\t"
            "ldr r6, [sp, #36]\n\t" /* gauss, out: the stack arguments above 9 saved words */
            "ldr r7, [sp, #40]\n\t"
            "cmp r1, #0\n\tbeq 9f\n\t"
            "cmp r2, #0\n\tbeq 9f\n\t"
            "lsls r1, r1, #2\n\tadds r1, r0\n\tmov r10, r1\n\t"
            "mov r8, r3\n\t"
            "lsls r4, r2, #1\n\tadds r4, r3\n\tmov r9, r4\n\t"
            "movs r5, #1\n\tlsls r5, r5, #12\n\tmov r11, r5\n\t"
            "mov lr, r2\n"
            "1:\n\t" /* a feature: xf = clamp(x, 0, 4096) */
            "ldm r0!, {r1}\n\t"
            "asrs r5, r1, #31\n\tbics r1, r5\n\t"
            "cmp r1, r11\n\tble 2f\n\tmov r1, r11\n"
            "2:\n\t"
            "mov r2, r8\n\t"
            "mov r5, lr\n\tlsrs r5, r5, #1\n\tbcc 3f\n\t" /* odd: enter at the second field */
            "subs r2, #2\n\tsubs r7, #2\n\tb 4f\n"
            "3:\n\t" SNN_M0_FIELD("0") "4:\n\t" SNN_M0_FIELD(
                "2") "adds r2, #4\n\tadds r7, #4\n\t"
                     "cmp r2, r9\n\tbne 3b\n\t"
                     "cmp r0, r10\n\tbne 1b\n"
                     "9:\n\t"
                     "pop {r4-r7}\n\t"
                     "mov r8, r4\n\tmov r9, r5\n\tmov r10, r6\n\tmov r11, r7\n\t"
                     "pop {r4-r7, pc}\n\t");
}
#else
void snn_encode_population_q12(const int32_t *x, uint16_t n_features, uint16_t n_fields,
                               const int16_t *centres, const int32_t *gauss, int16_t *out)
{
    for (uint32_t f = 0; f < n_features; f++) {
        const int32_t xf = snn_clamp_q12(x[f]);
        for (uint32_t i = 0; i < n_fields; i++) {
            *out++ = (int16_t)snn_gauss_q12(xf, centres[i], gauss);
        }
    }
}
#endif

void snn_normalize_raw_q12(const int32_t *raw, uint16_t n, const snn_raw_input_t *p, int32_t *x_q12)
{
    for (uint32_t j = 0; j < n; j++, p++) {
        x_q12[j] = snn_q12_of_reading(raw[j], p);
    }
}

/* One parameter set: read once, kept in registers over the loop. */
void snn_normalize_raw_uniform_q12(const int32_t *raw, uint16_t n, const snn_raw_input_t *p,
                                   int32_t *x_q12)
{
    const int32_t low = p->low;
    const int32_t high = p->high;
    const uint32_t span = (uint32_t)high - (uint32_t)low;
    const uint32_t mult = p->mult;
    const uint32_t half = p->half;
    const uint32_t shift = p->shift;
    const int32_t *const end = raw + n;
    for (; raw != end; raw++) {
        const int32_t v = *raw;
        const uint32_t r = v >= high ? span : (v > low ? (uint32_t)v - (uint32_t)low : 0u);
        const uint32_t q = (r * mult + half) >> shift;
        *x_q12++ = q < (uint32_t)SNN_X_ONE ? (int32_t)q : SNN_X_ONE;
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

#if !SNN_USE_SIMD32 /* on the DSP extension: snn_kernels_dsp.h, inline */
/*
 * Row blocks of four. The accumulators start at 2^(shift-1) - 128 sum(a), so that the
 * sums need only the shift and the bias: the same integers as rshift_round(sum w a).
 */
void snn_dense_q12_s8(const uint16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                      int8_t shift, const int32_t *bias, int32_t *cur)
{
    const uint32_t half = shift > 0 ? (uint32_t)1 << (shift - 1) : 0u;
    snn_dense_u16_job_t job = {
        /* the assembly walks job.cur and job.bias */
        .w = w,
        .a = a,
        .a_end = a + n_in,
        .cur = cur,
        .cur_end = cur + ((n_out + SNN_S8_BLOCK_ROWS - 1u) & ~(SNN_S8_BLOCK_ROWS - 1u)),
        .bias = bias,
        .init = half - snn_offset_sum_q12(a, n_in),
        .rshift = shift > 0 ? (uint32_t)shift : 0u,
        .lshift = shift > 0 ? 0u : (uint32_t)(-shift),
    };
    if (n_in == 0) { /* no inputs: the current is the bias (the loops need a column) */
        for (uint32_t i = 0; i < n_out; i++) {
            cur[i] = bias[i];
        }
    } else if (n_out != 0) {
        snn_dense_u16_run(&job);
    }
}
#endif /* !SNN_USE_SIMD32 */

void snn_dense_q12_s8_sat(const uint16_t *w, const int16_t *a, uint16_t n_in, uint16_t n_out,
                          int8_t shift, const int32_t *bias, int32_t *cur)
{
    for (uint32_t i = 0; i < n_out; i++) {
        const uint16_t *row = w + (i / 4) * 4 * (uint32_t)n_in + (i % 4) * 2;
        int64_t acc = 0;
        for (uint32_t j = 0; j < n_in; j += 2) { /* pair j / 2 of the block: 8 values */
            const uint16_t *pair = row + (j / 2) * 2 * SNN_S8_BLOCK_ROWS;
            acc += (int64_t)((int32_t)pair[0] - SNN_S8_OFFSET) * a[j];
            acc += (int64_t)((int32_t)pair[1] - SNN_S8_OFFSET) * a[j + 1];
        }
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

/* The count of current c: start at c's bucket, step to the run that holds it. */
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
