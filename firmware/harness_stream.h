/*
 * harness_stream.h - the long stream of `snn2c verify --stream` (firmware/harness_main.c,
 * SNN2C_HARNESS_STREAM) and of the host tests (tests/c/host_harness.c): its generated
 * inputs and the running hash of the results. snn2c.reference.longstream is the numpy
 * twin; the constants are the contract's (snn2c/contract.py, snn_contract.h).
 *
 * Inputs: one xorshift32 draw r per input and sample, from SNN_STREAM_SEED, shaped by
 * the block of 2^SNN_STREAM_BLOCK_BITS samples that sample n falls in, in a pattern that
 * repeats every SNN_STREAM_BLOCKS blocks:
 *
 *   0  noise over the range and beyond both ends: (r >> 19) - 2048, in [-2048, 6144)
 *   1  held at the top (4096): every membrane driven towards its bound
 *   2  held at zero
 *   3  INT32_MIN or INT32_MAX, at random
 *   4  a ramp over the range: n mod 4096
 *   5  held at the top again (after the ramp)
 *   6  in range: r >> 20, in [0, 4095]
 *   7  in range
 *
 * Hash: FNV-1a (32 bit) over every sample's outputs (int32), then, in an image that
 * counts spikes, its spike counts (uint32, encoder first), each value's four bytes
 * least significant first; it runs on over the whole stream and is printed (and
 * compared) every SNN_STREAM_EVERY samples and after the last.
 */
#ifndef HARNESS_STREAM_H
#define HARNESS_STREAM_H

#include <limits.h>
#include <stdint.h>

#include "snn_contract.h"

/* The input of sample n (all its inputs draw in order from *rng). */
static inline int32_t harness_stream_input(uint32_t *rng, uint32_t n)
{
    uint32_t r = *rng;
    r ^= r << SNN_XORSHIFT_A;
    r ^= r >> SNN_XORSHIFT_B;
    r ^= r << SNN_XORSHIFT_C;
    *rng = r;
    switch ((n >> SNN_STREAM_BLOCK_BITS) % SNN_STREAM_BLOCKS) {
    case 0u:
        return (int32_t)(r >> SNN_STREAM_NOISE_SHIFT) - SNN_STREAM_BELOW;
    case 1u:
    case 5u:
        return SNN_X_ONE;
    case 2u:
        return 0;
    case 3u:
        return (r & 1u) ? INT32_MAX : INT32_MIN;
    case 4u:
        return (int32_t)(n % (uint32_t)SNN_X_ONE);
    default:
        return (int32_t)(r >> SNN_RNG_DRAW_SHIFT);
    }
}

/* FNV-1a over the four bytes of v, least significant first. */
static inline uint32_t harness_fnv1a_u32(uint32_t h, uint32_t v)
{
    for (unsigned b = 0; b < sizeof v; b++) {
        h ^= (uint8_t)v;
        h *= SNN_FNV_PRIME;
        v >>= CHAR_BIT;
    }
    return h;
}

#endif /* HARNESS_STREAM_H */
