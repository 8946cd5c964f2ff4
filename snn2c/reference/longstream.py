"""The long stream of `snn2c verify --stream`: its inputs and its running hash, the numpy
twin of firmware/harness_stream.h (which documents both; the constants are
snn2c.contract's).

A streaming model's state is never reset, so a bug that shows only after thousands of
samples (a membrane that creeps past its proven bound, a counter that is not restarted,
a saturation that differs) is found only by a long stream. The device cannot print
10**6 outputs in reasonable time, so it prints a running FNV-1a hash of every output
(and spike count) every STREAM_EVERY samples; `reference` computes the same hashes
from integer.stream. One differing bit changes every checkpoint from its sample on.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from snn2c.contract import (
    FNV_OFFSET,
    FNV_PRIME,
    INT32_MAX,
    INT32_MIN,
    RNG_DRAW_SHIFT,
    STREAM_BELOW,
    STREAM_BLOCK_BITS,
    STREAM_BLOCKS,
    STREAM_EVERY,
    STREAM_NOISE_SHIFT,
    STREAM_SEED,
    X_ONE,
    xorshift32_draws,
)
from snn2c.quantize import QuantizedNetwork
from snn2c.reference import integer

# what each block of 2**STREAM_BLOCK_BITS samples holds, in order (harness_stream.h)
BLOCK_KINDS = ("wide", "top", "zero", "extremes", "ramp", "top", "in_range", "in_range")
assert len(BLOCK_KINDS) == STREAM_BLOCKS
BLOCK = 1 << STREAM_BLOCK_BITS
MAX_SAMPLES = 10**7  # `snn2c verify --stream` refuses more
DESCRIPTION = (
    f"xorshift32 from 0x{STREAM_SEED:08X}, blocks of {BLOCK} samples: noise over "
    "[-2048, 6144), held 4096, held 0, INT32_MIN/INT32_MAX, a ramp, held 4096, in range (x2)"
)
HASH = (
    "FNV-1a 32 bit over each sample's outputs (int32) then spike counts (uint32), "
    "4 bytes each, least significant first"
)


def _shape(draws: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Inputs from draws (samples, inputs) of samples n (samples, 1), by block kind."""
    kind = (n >> STREAM_BLOCK_BITS) % STREAM_BLOCKS
    choices = {
        "wide": (draws >> STREAM_NOISE_SHIFT) - STREAM_BELOW,
        "top": np.full_like(draws, X_ONE),
        "zero": np.zeros_like(draws),
        "extremes": np.where(draws & 1, INT32_MAX, INT32_MIN),
        "ramp": np.broadcast_to(n % X_ONE, draws.shape),
        "in_range": draws >> RNG_DRAW_SHIFT,
    }
    return np.choose(kind, [choices[k] for k in BLOCK_KINDS]).astype(np.int64)


def inputs(n_inputs: int, samples: int, *, start: int = 0, rng: int | None = None):
    """The Q12 inputs of samples [start, start + samples), (samples, n_inputs) int64, and
    the generator's state after them. From the beginning unless rng (the state after
    sample start - 1, as returned for the chunk before) is given."""
    if rng is None:
        if start:
            raise ValueError("a chunk after the first needs the generator's state (rng)")
        rng = STREAM_SEED
    draws = xorshift32_draws(rng, samples * n_inputs).reshape(samples, n_inputs)
    n = np.arange(start, start + samples, dtype=np.int64)[:, None]
    state = int(draws[-1, -1]) if draws.size else rng
    return _shape(draws, n), state


def fnv1a(h: int, values: np.ndarray) -> int:
    """The running hash h over int32/uint32 values (any int64 array holding them), in
    order, each as four bytes least significant first."""
    data = np.asarray(values, dtype=np.int64).astype("<u4").tobytes()
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFF
    return h


def checkpoints(
    outputs: np.ndarray,
    spike_counts: np.ndarray | None = None,
    *,
    start: int = 0,
    total: int | None = None,
    h: int = FNV_OFFSET,
) -> tuple[dict[int, int], int]:
    """({samples so far: hash} at every STREAM_EVERY-th sample and after sample total,
    the hash after the last row) for the rows of samples [start, start + len(outputs)):
    each row's outputs, then its spike counts when given (an image that counts them)."""
    outputs = np.asarray(outputs, dtype=np.int64)
    rows = outputs if spike_counts is None else np.hstack([outputs, spike_counts])
    total = start + len(rows) if total is None else total
    marks: dict[int, int] = {}
    for i, row in enumerate(rows):
        h = fnv1a(h, row)
        n = start + i + 1
        if n % STREAM_EVERY == 0 or n == total:
            marks[n] = h
    return marks, h


def reference(
    qnet: QuantizedNetwork,
    samples: int,
    *,
    counters: bool = True,
    progress: Callable[[int], None] | None = None,
) -> dict[int, int]:
    """The checkpoints the device must print for `samples` samples of the long stream:
    integer.stream from the reset state, STREAM_EVERY samples at a time (progress, if
    given, is told the samples done after each)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples: expected 1..{MAX_SAMPLES}, got {samples}")
    state, rng, h = None, None, FNV_OFFSET
    marks: dict[int, int] = {}
    for start in range(0, samples, STREAM_EVERY):
        count = min(STREAM_EVERY, samples - start)
        x, rng = inputs(qnet.n_inputs, count, start=start, rng=rng)
        res = integer.stream(qnet, x, state=state)
        state = res.state
        got, h = checkpoints(
            res.outputs, res.spike_counts if counters else None, start=start, total=samples, h=h
        )
        marks.update(got)
        if progress is not None:
            progress(start + count)
    return marks
