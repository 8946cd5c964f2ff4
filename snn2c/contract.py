"""The fixed-point contract's numbers, in one place (docs/fixed-point.md).

Every format, range, table geometry and equation constant that the numpy
reference, the float simulator, training, the quantizer and the generated C must
agree on is defined here and nowhere else: Python imports these names, and
codegen renders them into ``snn_contract.h`` (:func:`c_header`), which the kernels
and the generated model include. tests/test_contract.py fails if one of these
numbers is typed into the C or the templates again.

numpy-only on purpose: training (torch) and the device side both depend on it,
it depends on nothing of snn2c.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


# -- kinds --------------------------------------------------------------------------------
# Their values are the strings of the .snn format (docs/file-format.md); a StrEnum equals
# its string, so files, JSON and templates read them unchanged. What a kind implies is a
# property here, not a tuple of names repeated where it is needed.
class Encoder(StrEnum):
    """Input coding (docs/fixed-point.md, "Encoders")."""

    POPULATION = "population"  # Gaussian receptive fields as a constant current
    DIRECT = "direct"  # the normalised input as a constant current
    POPULATION_LATENCY = "population_latency"  # the fields, each spiking once
    LATENCY = "latency"  # each input spiking once, earlier when larger
    RATE_PERIODIC = "rate_periodic"  # a phase accumulator: floor(t u) spikes by step t
    RATE_BERNOULLI = "rate_bernoulli"  # P(spike) = u per step from the contract's xorshift32

    @property
    def spiking(self) -> bool:
        """Layer 0 sees spikes (else a current every step)."""
        return self not in (Encoder.POPULATION, Encoder.DIRECT)

    @property
    def gaussian(self) -> bool:
        """Uses the receptive fields: neurons_per_feature outputs per input."""
        return self in (Encoder.POPULATION, Encoder.POPULATION_LATENCY)

    @property
    def timed(self) -> bool:
        """Each output spikes once, at a step computed at the start (latency codes)."""
        return self in (Encoder.POPULATION_LATENCY, Encoder.LATENCY)

    @property
    def rate(self) -> bool:
        """Spikes at a rate that follows the input, from per-input state."""
        return self in (Encoder.RATE_PERIODIC, Encoder.RATE_BERNOULLI)


class Decoder(StrEnum):
    """Readout of the last layer after the final step (docs/fixed-point.md, "Decoders").

    POPULATION is the voting sigmoid over the last layer's membranes (named so in the
    file format), not the Gaussian population encoder."""

    MEMBRANE = "membrane"
    POPULATION = "population"
    RATE = "rate"
    FIRST_SPIKE = "first_spike"

    @property
    def counts(self) -> bool:
        """Reads spike counts or times, so the last layer must spike and the readout
        weights are quantized as W / T (decoder_divisor)."""
        return self in (Decoder.RATE, Decoder.FIRST_SPIKE)

    @property
    def feature_frac(self) -> int:
        """The fraction bits of the readout's input features."""
        return DECODER_FEATURE_FRAC[self]


class Neuron(StrEnum):
    LIF = "lif"
    LI = "li"  # non-spiking leaky integrator: a membrane readout
    IZHIKEVICH = "izhikevich"  # hidden layers only

    @property
    def spiking(self) -> bool:
        return self is not Neuron.LI


class Leak(StrEnum):
    SHIFT = "shift"  # V -= V >> k
    MUL = "mul"  # V = V * beta (Q15)


class Reset(StrEnum):
    SUBTRACT = "subtract"
    ZERO = "zero"


class ResetTiming(StrEnum):
    SAME_STEP = "same_step"
    NEXT_STEP = "next_step"  # snnTorch's reset_delay: the spike of t-1 resets during t
    FIRE_FIRST = "fire_first"  # Spyx's LIF: fire on V(t-1), then leak, integrate, reset

    @property
    def delayed(self) -> bool:
        """The reset of a spike lands while the next input is integrated (the membrane seen
        at a spiking step is the value before its reset)."""
        return self is not ResetTiming.SAME_STEP


class Fire(StrEnum):
    GT = "gt"
    GE = "ge"


def kind_names(kind: type[StrEnum]) -> tuple[str, ...]:
    """The strings of a kind's members in order: what a file or an option may hold, for
    argparse choices and messages (which show the strings, not the members' reprs)."""
    return tuple(k.value for k in kind)


# -- formats ------------------------------------------------------------------------------
X_FRAC = 12  # normalised inputs and encoder currents: Q12
X_ONE = 1 << X_FRAC
V_FRAC = 16  # bias, threshold, membrane, outputs: Q16
V_ONE = 1 << V_FRAC
BETA_FRAC = 15  # 'mul' leak factor: Q15
# IEEE 754 binary32, for reading a float's value from its bits (snn_fixed_of_float)
F32_MANT_BITS = 23
F32_EXP_BITS = 8
F32_EXP_BIAS = 127
F32_SIGN_BIT = 31

# Float readings normalised in integers (docs/fixed-point.md, "Normalisation"):
# X = trunc(x 2^frac) with frac the largest whose range high - low spans fewer than
# 2^FLOAT_FIXED_SPAN_BITS steps of X (so the multiplier of the integer path keeps 15
# bits or more), provided |low|, |high| stay within 2^FLOAT_FIXED_LIMIT_BITS; else the
# normalisation stays in float32.
FLOAT_FIXED_SPAN_BITS = 17
FLOAT_FIXED_LIMIT_BITS = 30
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
MAX_STEPS = 4096  # time steps of one inference, and rows of a layer
Q16_LIMIT = 1 << (31 - V_FRAC)  # a Q16 value (threshold, bias) fits int32 if |value| < this
C_INDEX_MAX = 0xFFFF  # the C's loop indices are uint16_t: no layer is wider

# -- weight grids ("Weights"): the quantizer and QAT both snap to these --------------------
WEIGHT_FRAC_MIN, WEIGHT_FRAC_MAX = -8, 24  # keeps every kernel shift within [-24, 24]
DECODER_BITS = 16
DECODER_FRAC_MIN, DECODER_ACC_FRAC = -8, 40  # rs in [-8, 40 - feature frac]
# storage of int8 Q12 layers (layer 0 of the current encoders): u = w + 2^7 as uint16, in
# blocks of 4 rows (docs/fixed-point.md, "Storage"); the sums of w are those of u less
# 2^7 times the sum of the activations
S8_OFFSET_BITS = 7
S8_BLOCK_ROWS = 4
S8_GROUP = 4
HALF_BITS = 16  # a 32-bit word's two halves: SMLAD's lanes, the Gaussian words' (s_k, b_k)

# -- Gaussian receptive fields ("Encoders"): |d| in [0, 1] (Q12) at a step of 2^-8 -----------
GAUSS_STEP_BITS = 4  # a table step is 2^4 Q12 units; the low 4 bits interpolate
GAUSS_INDEX_BITS = X_FRAC - GAUSS_STEP_BITS
GAUSS_ENTRIES = (1 << GAUSS_INDEX_BITS) + 1  # G[0] .. G[256]; d = 1.0 hits G[256]

# -- latency coding: fire_at = t0 + rnd((1 - a) * window) in Q12 ---------------------------
LATENCY_FRAC = X_FRAC

# -- rate_bernoulli: xorshift32, its top X_FRAC bits compared with the Q12 input -----------
XORSHIFT_SHIFTS = (13, 17, 5)  # s ^= s << 13; s ^= s >> 17; s ^= s << 5
RNG_DRAW_SHIFT = 32 - X_FRAC

# -- voting sigmoid ("Decoders"): V in [-8, 8) (Q16) at a step of 1/16, out in Q15 ---------
SIGMOID_OUT_FRAC = 15
SIGMOID_RANGE_BITS = V_FRAC + 3  # 8.0 in Q16
SIGMOID_STEP_BITS = V_FRAC - 4  # 1/16 in Q16
SIGMOID_ENTRIES = (2 << SIGMOID_RANGE_BITS >> SIGMOID_STEP_BITS) + 1  # 257

# features' fractions of each decoder kind (its readout input)
DECODER_FEATURE_FRAC = {
    Decoder.MEMBRANE: V_FRAC,
    Decoder.POPULATION: SIGMOID_OUT_FRAC,
    Decoder.RATE: 0,
    Decoder.FIRST_SPIKE: 0,
}

# -- Izhikevich layers ("Izhikevich layers"): v and u in mV, Q16 on the device -------------
# dv/dt = 0.04 v^2 + 5 v + 140 - u + I; du/dt = a (b v - u); spike at v >= 30 mV
IZH_K2 = 0.04  # mV^-1 ms^-1, the quadratic term
IZH_K1 = 5  # ms^-1
IZH_K0_MV = 140.0  # mV/ms
IZH_V_PEAK = 30.0  # mV: spike when v >= 30
IZH_V_MIN = -100.0  # mV: v is clamped to [V_MIN, V_PEAK] before each update
IZH_V_REST = -65.0  # mV: v after reset of the network state (u = b * v)
IZH_U_LIM = 1024.0  # mV: u is clamped to [-U_LIM, U_LIM]
IZH_I_LIM = 1024.0  # mV/ms: the input drive gain * I is clamped to [-I_LIM, I_LIM]
IZH_FRAC = 16  # v, u, c, d: Q16 mV; dv, the drive: Q16 mV/ms
IZH_SQ_SHIFT = 8  # v8 = asr(v, 8) is Q8 mV, |v8| <= 25600, v8 * v8 < 2**30
IZH_K04_FRAC = 20
IZH_K04 = int(np.floor(IZH_K2 * (1 << IZH_K04_FRAC) + 0.5))  # 41943
IZH_AB_FRAC = 24  # a and a * b: Q24 (per ms)
IZH_GAIN_FRAC = 8  # current gain: Q8 (mV/ms per Q16 unit of current)
IZH_V_MIN_Q = int(IZH_V_MIN) << IZH_FRAC
IZH_V_PEAK_Q = int(IZH_V_PEAK) << IZH_FRAC
IZH_C140_Q = int(IZH_K0_MV) << IZH_FRAC
IZH_U_LIM_Q = int(IZH_U_LIM) << IZH_FRAC
IZH_I_LIM_Q = int(IZH_I_LIM) << IZH_FRAC


# -- the long stream of `snn2c verify --stream` (snn2c.reference.longstream, the C in
# firmware/harness_stream.h): its inputs, in blocks of 2^12 samples, and the hash --------
STREAM_SEED = 0x2545F491  # the xorshift32 state before the first draw (one draw per input)
STREAM_BLOCK_BITS = 12  # a block is 4096 samples of one kind of input
STREAM_BLOCKS = 8  # the kinds repeat every 8 blocks (longstream.BLOCK_KINDS)
STREAM_NOISE_SHIFT = 19  # wide noise: (draw >> 19) - STREAM_BELOW, in [-2048, 6144)
STREAM_BELOW = 2048
STREAM_EVERY = 10_000  # samples between two checkpoints of the running hash
FNV_OFFSET = 2166136261  # FNV-1a, 32 bit: h = (h ^ byte) * FNV_PRIME mod 2^32
FNV_PRIME = 16777619


def leak_beta(shift: int | None) -> float:
    """A 'shift' leak's factor: V -= V >> k is beta = 1 - 2^-k; None: no leak, beta = 1.
    The one place the IR, training, quantizer and C comments read it from."""
    return 1.0 if shift is None else 1.0 - 2.0**-shift


def xorshift32_draws(seed: int, count: int) -> np.ndarray:
    """The first `count` outputs of the contract's xorshift32 starting from `seed`."""
    a, b, c = XORSHIFT_SHIFTS
    s = seed & 0xFFFFFFFF
    out = np.empty(count, dtype=np.int64)
    for i in range(count):
        s ^= (s << a) & 0xFFFFFFFF
        s ^= s >> b
        s ^= (s << c) & 0xFFFFFFFF
        out[i] = s
    return out


# -- the C view ---------------------------------------------------------------------------
def _q16(mv: float) -> str:
    """A whole number of mV as a Q16 int32 expression in C (a multiply: no shift of a
    negative value)."""
    return f"((int32_t){int(mv)} * (1 << SNN_IZH_FRAC))"


# (C name, value, C text or None for the plain value, comment): what snn_contract.h
# defines; tests/test_contract.py has the C compiler check that each text is the value.
C_CONSTANTS: tuple[tuple[str, int, str | None, str], ...] = (
    ("SNN_X_FRAC", X_FRAC, None, "normalised inputs and encoder currents: Q12"),
    ("SNN_X_ONE", X_ONE, "(1 << SNN_X_FRAC)", "1.0 in Q12"),
    ("SNN_V_FRAC", V_FRAC, None, "membranes, biases, thresholds, outputs: Q16"),
    ("SNN_BETA_FRAC", BETA_FRAC, None, "the 'mul' leak factor: Q15"),
    ("SNN_S8_OFFSET_BITS", S8_OFFSET_BITS, None, "int8 Q12 layers store u = w + 2^7"),
    ("SNN_S8_OFFSET", 1 << S8_OFFSET_BITS, "(1 << SNN_S8_OFFSET_BITS)", "the offset 128"),
    ("SNN_S8_BLOCK_ROWS", S8_BLOCK_ROWS, None, "int8 Q12 layers: rows per stored block"),
    ("SNN_S8_GROUP", S8_GROUP, None, "int8 Q12 layers: columns per group (n_in padded to it)"),
    ("SNN_HALF_BITS", HALF_BITS, None, "the halves of a 32-bit word"),
    ("SNN_F32_MANT_BITS", F32_MANT_BITS, None, "IEEE 754 binary32: stored mantissa bits"),
    ("SNN_F32_MANT_MASK", (1 << F32_MANT_BITS) - 1, "((1u << SNN_F32_MANT_BITS) - 1u)", "them"),
    ("SNN_F32_EXP_MASK", (1 << F32_EXP_BITS) - 1, None, "its exponent field, all ones: inf, NaN"),
    ("SNN_F32_EXP_BIAS", F32_EXP_BIAS, None, "the exponent's bias"),
    ("SNN_F32_SIGN_BIT", F32_SIGN_BIT, None, "the sign bit"),
    ("SNN_GAUSS_STEP_BITS", GAUSS_STEP_BITS, None, "Q12 units per Gaussian table step: 2^4"),
    ("SNN_GAUSS_ENTRIES", GAUSS_ENTRIES, None, "G[0..256]; stored as one (slope, base) word each"),
    ("SNN_LATENCY_FRAC", LATENCY_FRAC, None, "latency: rnd((1 - a) * window) from Q12"),
    ("SNN_XORSHIFT_A", XORSHIFT_SHIFTS[0], None, "xorshift32: s ^= s << A"),
    ("SNN_XORSHIFT_B", XORSHIFT_SHIFTS[1], None, "s ^= s >> B"),
    ("SNN_XORSHIFT_C", XORSHIFT_SHIFTS[2], None, "s ^= s << C"),
    ("SNN_RNG_DRAW_SHIFT", RNG_DRAW_SHIFT, None, "a draw is the top 12 bits: s >> 20"),
    ("SNN_SIGMOID_RANGE_BITS", SIGMOID_RANGE_BITS, None, "the table spans [-2^19, 2^19) (Q16)"),
    ("SNN_SIGMOID_STEP_BITS", SIGMOID_STEP_BITS, None, "Q16 units per sigmoid table step: 2^12"),
    ("SNN_SIGMOID_ENTRIES", SIGMOID_ENTRIES, None, "S[0..256], Q15"),
    ("SNN_IZH_FRAC", IZH_FRAC, None, "Izhikevich v, u, c, d: Q16 mV"),
    ("SNN_IZH_SQ_SHIFT", IZH_SQ_SHIFT, None, "v8 = v >> 8, Q8 mV"),
    ("SNN_IZH_K04_FRAC", IZH_K04_FRAC, None, "0.04 in Q20"),
    ("SNN_IZH_K04", IZH_K04, f"((int64_t){IZH_K04})", "rnd(0.04 * 2^20)"),
    ("SNN_IZH_K1", IZH_K1, None, "the 5 v term"),
    ("SNN_IZH_AB_FRAC", IZH_AB_FRAC, None, "a and a * b: Q24 per ms"),
    ("SNN_IZH_GAIN_FRAC", IZH_GAIN_FRAC, None, "current gain: Q8"),
    ("SNN_IZH_V_MIN", IZH_V_MIN_Q, _q16(IZH_V_MIN), f"{IZH_V_MIN:g} mV, Q16"),
    ("SNN_IZH_V_PEAK", IZH_V_PEAK_Q, _q16(IZH_V_PEAK), f"{IZH_V_PEAK:g} mV: spike at v >= peak"),
    ("SNN_IZH_C140", IZH_C140_Q, _q16(IZH_K0_MV), f"{IZH_K0_MV:g} mV/ms"),
    ("SNN_IZH_U_LIM", IZH_U_LIM_Q, _q16(IZH_U_LIM), f"|u| <= {IZH_U_LIM:g} mV"),
    ("SNN_IZH_I_LIM", IZH_I_LIM_Q, _q16(IZH_I_LIM), f"|drive| <= {IZH_I_LIM:g} mV/ms"),
    ("SNN_STREAM_SEED", STREAM_SEED, f"0x{STREAM_SEED:08X}u", "long stream: xorshift32 seed"),
    ("SNN_STREAM_BLOCK_BITS", STREAM_BLOCK_BITS, None, "a block of 2^12 samples of one kind"),
    ("SNN_STREAM_BLOCKS", STREAM_BLOCKS, None, "the kinds of block repeat every 8 blocks"),
    ("SNN_STREAM_NOISE_SHIFT", STREAM_NOISE_SHIFT, None, "wide noise: (draw >> 19) - BELOW"),
    ("SNN_STREAM_BELOW", STREAM_BELOW, None, "wide noise starts 2048 below zero"),
    ("SNN_STREAM_EVERY", STREAM_EVERY, f"{STREAM_EVERY}u", "samples per hash checkpoint"),
    ("SNN_FNV_OFFSET", FNV_OFFSET, f"{FNV_OFFSET}u", "FNV-1a (32 bit) start value"),
    ("SNN_FNV_PRIME", FNV_PRIME, f"{FNV_PRIME}u", "h = (h ^ byte) * PRIME"),
)


def c_header() -> str:
    """The text of snn_contract.h: the constants above as C preprocessor names."""
    lines = [
        "/*",
        " * snn_contract.h - the numbers of the snn2c fixed-point contract",
        " * (docs/fixed-point.md). Generated from snn2c/contract.py: edit that, not this.",
        " */",
        "#ifndef SNN_CONTRACT_H",
        "#define SNN_CONTRACT_H",
        "",
        "#include <stdint.h>",
        "",
    ]
    for name, value, text, note in C_CONSTANTS:  # each note above its name
        lines += [f"/* {note} */", f"#define {name} {text or value}"]
    lines += ["", "#endif /* SNN_CONTRACT_H */", ""]
    return "\n".join(lines)
