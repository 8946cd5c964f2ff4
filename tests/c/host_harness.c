/*
 * host_harness.c - runs a generated model on the host for tests/test_host_c.py.
 *
 *   host_harness infer      stdin: rows of SNN_MODEL_N_INPUTS Q12 integers
 *                           stdout per row: outputs (Q16) then spike counts
 *   host_harness stream     the same, the rows pushed as one stream (streaming models)
 *   host_harness longstream N
 *                           the long stream of firmware/harness_stream.h (streaming
 *                           models): per sample "x ... : result row", and after every
 *                           SNN_STREAM_EVERY samples and the last "H n hash", as the
 *                           long-stream image hashes them
 *   host_harness trace      stdin: one row; stdout per step and layer:
 *                           "t layer v0 v1 ..." (membranes after the step)
 *   host_harness horizon    stdin: one row; stdout: how many of 3 x SNN_MODEL_STEPS
 *                           snn_model_step calls ran, then the decoded outputs
 *   host_harness normalize  stdin: rows of raw float inputs (decimal)
 *                           stdout per row: Q12 inputs, then the bits of each
 *                           snn_model_predict output as hex
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snn_model.h"
#include "harness_stream.h"

static int read_ints(int32_t *x)
{
    for (int j = 0; j < SNN_MODEL_N_INPUTS; j++) {
        long v;
        if (scanf("%ld", &v) != 1) {
            return 0;
        }
        x[j] = (int32_t)v;
    }
    return 1;
}

/* One result row: the outputs (Q16), then the spike counts of the run. */
static void print_result(const int32_t y[SNN_MODEL_N_OUTPUTS])
{
    for (int o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
        printf("%ld ", (long)y[o]);
    }
#if SNN_MODEL_COUNT_SPIKES
    for (int l = 0; l <= SNN_MODEL_N_LAYERS; l++) {
        printf("%lu ", (unsigned long)snn_model_spike_count[l]);
    }
#endif
    printf("\n");
}

int main(int argc, char **argv)
{
    int32_t x[SNN_MODEL_N_INPUTS];
    int32_t y[SNN_MODEL_N_OUTPUTS];
    const char *mode = argc > 1 ? argv[1] : "infer";
    if (strcmp(mode, "infer") == 0) {
        while (read_ints(x)) {
            snn_model_infer(x, y);
            print_result(y);
        }
    } else if (strcmp(mode, "stream") == 0) {
#if SNN_MODEL_STREAMING
        snn_model_reset();
        while (read_ints(x)) {
            snn_model_push(x, y);
            print_result(y);
        }
#else
        fprintf(stderr, "not a streaming model\n");
        return 2;
#endif
    } else if (strcmp(mode, "longstream") == 0) {
#if SNN_MODEL_STREAMING
        const uint32_t total = argc > 2 ? (uint32_t)strtoul(argv[2], 0, 10) : 0u;
        uint32_t rng = SNN_STREAM_SEED;
        uint32_t h = SNN_FNV_OFFSET;
        snn_model_reset();
        for (uint32_t n = 0; n < total; n++) {
            for (int j = 0; j < SNN_MODEL_N_INPUTS; j++) {
                x[j] = harness_stream_input(&rng, n);
                printf("%ld ", (long)x[j]);
            }
            snn_model_push(x, y);
            printf(": ");
            print_result(y);
            for (int o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
                h = harness_fnv1a_u32(h, (uint32_t)y[o]);
            }
#if SNN_MODEL_COUNT_SPIKES
            for (int l = 0; l <= SNN_MODEL_N_LAYERS; l++) {
                h = harness_fnv1a_u32(h, snn_model_spike_count[l]);
            }
#endif
            if ((n + 1u) % SNN_STREAM_EVERY == 0u || n + 1u == total) {
                printf("H %lu %lu\n", (unsigned long)(n + 1u), (unsigned long)h);
            }
        }
#else
        fprintf(stderr, "not a streaming model\n");
        return 2;
#endif
    } else if (strcmp(mode, "trace") == 0) {
        /* argv[2..] = width of each layer */
        if (!read_ints(x) || argc < 2 + SNN_MODEL_N_LAYERS) {
            return 2;
        }
        snn_model_reset();
        for (int t = 0; t < SNN_MODEL_STEPS; t++) {
            snn_model_step(x);
            for (uint16_t l = 0; l < SNN_MODEL_N_LAYERS; l++) {
                const int32_t *v = snn_model_membrane(l);
                int n = atoi(argv[2 + l]);
                printf("%d %u", t, (unsigned)l);
                for (int i = 0; i < n; i++) {
                    printf(" %ld", (long)v[i]);
                }
                printf("\n");
            }
        }
        snn_model_decode(y);
        printf("out");
        for (int o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
            printf(" %ld", (long)y[o]);
        }
        printf("\n");
    } else if (strcmp(mode, "horizon") == 0) {
        /* one row; 3 x SNN_MODEL_STEPS calls of snn_model_step: how many ran, and the output */
        if (!read_ints(x)) {
            return 2;
        }
        snn_model_reset();
        int ran = 0;
        for (int t = 0; t < 3 * SNN_MODEL_STEPS; t++) {
            ran += snn_model_step(x);
        }
        snn_model_decode(y);
        printf("%d", ran);
        for (int o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
            printf(" %ld", (long)y[o]);
        }
        printf("\n");
    } else if (strcmp(mode, "normalize") == 0) {
        float xf[SNN_MODEL_N_INPUTS];
        float yf[SNN_MODEL_N_OUTPUTS];
        for (;;) {
            for (int j = 0; j < SNN_MODEL_N_INPUTS; j++) {
                char buf[64];
                if (scanf("%63s", buf) != 1) {
                    return 0;
                }
                xf[j] = strtof(buf, 0);
            }
            snn_model_normalize(xf, x);
            snn_model_predict(xf, yf);
            for (int j = 0; j < SNN_MODEL_N_INPUTS; j++) {
                printf("%ld ", (long)x[j]);
            }
            for (int o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
                uint32_t bits;
                memcpy(&bits, &yf[o], sizeof bits);
                printf("%08lx ", (unsigned long)bits);
            }
            printf("\n");
        }
    }
    return 0;
}
