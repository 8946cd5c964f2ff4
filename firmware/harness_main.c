/*
 * harness_main.c - the test harness image: runs the input vectors embedded in
 * harness_vectors.h (rendered by snn2c from the model and the numpy reference)
 * and prints every integer result, one line per vector, for snn2c verify:
 *
 *   SNN2C-HARNESS BEGIN vectors=<n> floats=<m> outputs=<k> layers=<L> counters=<0|1>
 *   Y <i> <y_0> ... <y_k-1>          snn_model_infer(x_q[i]) (Q16); a streaming model
 *                                    pushes x_q[0], x_q[1], ... as one stream instead,
 *                                    and the Q rows continue that stream
 *   S <i> <c_0> ... <c_L>            spike counts of that inference (counters=1)
 *   Q <i> <q_0> ... : <y_0> ...      snn_model_normalize(x_f[i]), then infer
 *   SNN2C-HARNESS END mismatches=<n>
 *
 * It also compares against the expected values embedded beside the inputs, so
 * the image checks itself on hardware or in Renode; snn2c verify compares the
 * printed values itself. Exit status (semihosting): 0 all equal, 1 otherwise.
 *
 * The trace image (SNN2C_HARNESS_TRACE defined; snn2c verify builds it after a
 * mismatch) runs the first vector step by step instead and prints every layer's
 * state after each step, for the first diverging (step, layer, neuron):
 *
 *   SNN2C-TRACE BEGIN steps=<T> layers=<L>
 *   V <t> <l> <v_0> ...              snn_model_membrane(l) after step t
 *   P <t> <l> <s_0> ...              snn_model_spikes(l + 1), spiking layers only
 *   SNN2C-TRACE END
 *
 * The long-stream image (SNN2C_HARNESS_STREAM defined, streaming models; snn2c verify
 * --stream N) pushes the HARNESS_STREAM_N generated samples of harness_stream.h and
 * prints the running hash of every result at each checkpoint:
 *
 *   SNN2C-STREAM BEGIN samples=<N> every=<e> outputs=<k> layers=<L> counters=<0|1>
 *   H <n> <hash>                     after n samples: every e samples and after the last
 *   SNN2C-STREAM END mismatches=<m>  checkpoints unlike harness_stream_expect
 *
 * exiting 0 if every checkpoint equals the reference's (harness_vectors.h), else 1.
 *
 * The board image (SNN2C_HARNESS_REPEAT_MS defined) never exits: it prints the
 * whole report again every SNN2C_HARNESS_REPEAT_MS, so `snn2c monitor`, which
 * opens the UART after the flasher has reset the board, still sees all of one.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "snn_model.h"
#include "harness_vectors.h"

/* Kept out of line and unanalysed, so the emulator's instruction window sees
 * exactly one call of snn_model_infer per vector (see snn2c/emulate). */
__attribute__((noipa, noinline)) void snn2c_harness_infer(const int32_t *x, int32_t *y);
void snn2c_harness_infer(const int32_t *x, int32_t *y)
{
#if SNN_MODEL_STREAMING
    snn_model_push(x, y); /* the vectors are one stream, in order */
#else
    snn_model_infer(x, y);
#endif
}

volatile int32_t snn2c_harness_sink;

/* counts as objects, not literals: a count of 0 must not trip -Wtype-limits */
static const unsigned n_vectors = HARNESS_N_VECTORS;
static const unsigned n_floats = HARNESS_N_FLOATS;

static void put_row(const int32_t *v, unsigned n)
{
    for (unsigned j = 0; j < n; j++) {
        board_putc(' ');
        board_put_i32(v[j]);
    }
}

/* The end of a BEGIN line: what each result row holds. */
static void put_model_shape(void)
{
    board_puts(" outputs=");
    board_put_u32(SNN_MODEL_N_OUTPUTS);
    board_puts(" layers=");
    board_put_u32(SNN_MODEL_N_LAYERS);
    board_puts(" counters=");
    board_put_u32(SNN_MODEL_COUNT_SPIKES);
    board_puts("\n");
}

static unsigned differs(const int32_t *a, const int32_t *b, unsigned n)
{
    for (unsigned j = 0; j < n; j++) {
        if (a[j] != b[j]) {
            return 1u;
        }
    }
    return 0u;
}

/* One run over every vector; returns the number of mismatching results. Inlined
 * into main, so snn_model_infer still returns into main (the emulators' instruction
 * windows close there). */
static inline __attribute__((always_inline)) uint32_t run_vectors(void)
{
    int32_t y[SNN_MODEL_N_OUTPUTS];
    uint32_t mismatches = 0;

    board_puts("SNN2C-HARNESS BEGIN vectors=");
    board_put_u32(HARNESS_N_VECTORS);
    board_puts(" floats=");
    board_put_u32(HARNESS_N_FLOATS);
    put_model_shape();
    snn_model_reset(); /* a stream starts from the reset state (a static model resets anyway) */

    for (unsigned i = 0; i < n_vectors; i++) {
        snn2c_harness_infer(harness_x_q[i], y);
        snn2c_harness_sink = y[0];
        mismatches += differs(y, harness_expect_y[i], SNN_MODEL_N_OUTPUTS);
        board_puts("Y ");
        board_put_u32(i);
        put_row(y, SNN_MODEL_N_OUTPUTS);
        board_puts("\n");
#if SNN_MODEL_COUNT_SPIKES
        board_puts("S ");
        board_put_u32(i);
        for (unsigned l = 0; l <= SNN_MODEL_N_LAYERS; l++) {
            board_putc(' ');
            board_put_u32(snn_model_spike_count[l]);
            mismatches += snn_model_spike_count[l] != harness_expect_spikes[i][l] ? 1u : 0u;
        }
        board_puts("\n");
#endif
    }

    for (unsigned i = 0; i < n_floats; i++) {
        int32_t q[SNN_MODEL_N_INPUTS];
#if SNN_MODEL_INTEGER_INPUTS
        int32_t x[SNN_MODEL_N_INPUTS]; /* integer readings: the raw path, no float */
        memcpy(x, harness_x_f_bits[i], sizeof x);
        snn_model_normalize_raw(x, q);
#else
        float x[SNN_MODEL_N_INPUTS];
        memcpy(x, harness_x_f_bits[i], sizeof x); /* exact float bit patterns */
        snn_model_normalize(x, q);
#endif
        snn2c_harness_infer(q, y);
        snn2c_harness_sink = y[0];
        mismatches += differs(q, harness_expect_fq[i], SNN_MODEL_N_INPUTS);
        mismatches += differs(y, harness_expect_fy[i], SNN_MODEL_N_OUTPUTS);
        board_puts("Q ");
        board_put_u32(i);
        put_row(q, SNN_MODEL_N_INPUTS);
        board_puts(" :");
        put_row(y, SNN_MODEL_N_OUTPUTS);
        board_puts("\n");
    }

    board_puts("SNN2C-HARNESS END mismatches=");
    board_put_u32(mismatches);
    board_puts("\n");
    return mismatches;
}

#ifdef SNN2C_HARNESS_TRACE
static void trace_first_vector(void)
{
    board_puts("SNN2C-TRACE BEGIN steps=");
    board_put_u32(SNN_MODEL_STEPS);
    board_puts(" layers=");
    board_put_u32(SNN_MODEL_N_LAYERS);
    board_puts("\n");
    snn_model_reset();
    for (unsigned t = 0; t < SNN_MODEL_STEPS; t++) {
        (void)snn_model_step(harness_x_q[0]);
        for (unsigned l = 0; l < SNN_MODEL_N_LAYERS; l++) {
            const uint8_t *s = snn_model_spikes((uint16_t)(l + 1u));
            board_puts("V ");
            board_put_u32(t);
            board_putc(' ');
            board_put_u32(l);
            const uint16_t width = snn_model_layer_width((uint16_t)l);
            put_row(snn_model_membrane((uint16_t)l), width);
            board_puts("\n");
            if (s) {
                board_puts("P ");
                board_put_u32(t);
                board_putc(' ');
                board_put_u32(l);
                for (unsigned i = 0; i < width; i++) {
                    board_putc(' ');
                    board_put_u32(s[i]);
                }
                board_puts("\n");
            }
        }
    }
    board_puts("SNN2C-TRACE END\n");
}
#endif

#ifdef SNN2C_HARNESS_STREAM
#if !SNN_MODEL_STREAMING
#error "SNN2C_HARNESS_STREAM needs a streaming model (snn_model_push)"
#endif
#if HARNESS_STREAM_COUNTERS != SNN_MODEL_COUNT_SPIKES
#error "the expected hashes of harness_vectors.h were made for the other counter setting"
#endif
#include "harness_stream.h"

static const unsigned n_checkpoints = HARNESS_STREAM_CHECKPOINTS;

/* Push HARNESS_STREAM_N generated samples (harness_stream.h) from the reset state and
 * print the running hash of every result at each checkpoint; returns the number of
 * checkpoints whose hash is not the reference's (harness_stream_expect). */
static uint32_t run_long_stream(void)
{
    int32_t x[SNN_MODEL_N_INPUTS];
    int32_t y[SNN_MODEL_N_OUTPUTS];
    uint32_t rng = SNN_STREAM_SEED;
    uint32_t h = SNN_FNV_OFFSET;
    uint32_t mismatches = 0;
    unsigned k = 0;

    board_puts("SNN2C-STREAM BEGIN samples=");
    board_put_u32(HARNESS_STREAM_N);
    board_puts(" every=");
    board_put_u32(SNN_STREAM_EVERY);
    put_model_shape();
    snn_model_reset();
    for (uint32_t n = 0; n < HARNESS_STREAM_N; n++) {
        for (unsigned j = 0; j < SNN_MODEL_N_INPUTS; j++) {
            x[j] = harness_stream_input(&rng, n);
        }
        snn_model_push(x, y);
        for (unsigned o = 0; o < SNN_MODEL_N_OUTPUTS; o++) {
            h = harness_fnv1a_u32(h, (uint32_t)y[o]);
        }
#if SNN_MODEL_COUNT_SPIKES
        for (unsigned l = 0; l <= SNN_MODEL_N_LAYERS; l++) {
            h = harness_fnv1a_u32(h, snn_model_spike_count[l]);
        }
#endif
        if ((n + 1u) % SNN_STREAM_EVERY == 0u || n + 1u == HARNESS_STREAM_N) {
            board_puts("H ");
            board_put_u32(n + 1u);
            board_putc(' ');
            board_put_u32(h);
            board_puts("\n");
            mismatches += (k < n_checkpoints && h == harness_stream_expect[k]) ? 0u : 1u;
            k++;
        }
    }
    board_puts("SNN2C-STREAM END mismatches=");
    board_put_u32(mismatches);
    board_puts("\n");
    return mismatches;
}
#endif

int main(void)
{
#if defined(SNN2C_HARNESS_STREAM)
    return run_long_stream() == 0u ? 0 : 1;
#elif defined(SNN2C_HARNESS_TRACE)
    trace_first_vector();
    return 0;
#elif defined(SNN2C_HARNESS_REPEAT_MS)
    for (;;) {
        (void)run_vectors();
        board_delay_ms(SNN2C_HARNESS_REPEAT_MS);
    }
#else
    return run_vectors() == 0u ? 0 : 1;
#endif
}
