"""Test vectors for the device harness and their results from the numpy reference."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn2c.contract import X_ONE
from snn2c.quantize import QuantizedNetwork
from snn2c.reference import run_rows
from snn2c.reference.integer import normalize, normalize_raw


@dataclass(frozen=True)
class Vectors:
    x_q: np.ndarray  # (n, features) int32, any value (the C clamps)
    y: np.ndarray  # (n, outputs) int32 reference outputs
    spikes: np.ndarray  # (n, layers + 1) reference spike counts
    x_f: np.ndarray  # (m, features) float32 raw inputs for snn_model_normalize, or int32
    # readings for snn_model_normalize_raw (a model with integer inputs)
    fq: np.ndarray  # (m, features) int32 reference normalisation
    fy: np.ndarray  # (m, outputs) int32 reference outputs of fq


# The edge rows that open every vector set, in order: the first IN_RANGE_EDGES lie in
# the trained range (what a sensor sends); the rest are out of range, then random rows
# in range follow from index SPECIAL_ROWS on.
IN_RANGE_EDGES = 3  # zeros, all one, all one half
SPECIAL_ROWS = 8


def in_range_rows(n: int) -> list[int]:
    """Indices of the in-range rows among n vectors: the in-range edges and the random."""
    return [*range(min(IN_RANGE_EDGES, n)), *range(SPECIAL_ROWS, n)]


def _raw_readings(qnet: QuantizedNetwork, m: int, rng: np.random.Generator) -> np.ndarray:
    """m int32 readings: the range's edges, one past them, int32's extremes, the middle,
    then random readings from 10 % below the range to 10 % above it."""
    assert qnet.raw is not None
    low, high = qnet.raw.low, qnet.raw.high
    span = high - low
    i32 = np.iinfo(np.int32)
    rows = [low, high, low - 1, high + 1, np.full_like(low, i32.min), np.full_like(low, i32.max)]
    rows.append(low + span // 2)
    rows = rows[:m]
    if m > len(rows):
        frac = rng.uniform(-0.1, 1.1, (m - len(rows), low.size))
        rows.append(low + np.floor(frac * span).astype(np.int64))
    x = np.vstack(rows) if rows else np.zeros((0, low.size), np.int64)
    return np.clip(x, i32.min, i32.max).astype(np.int32)[:m]


def make_vectors(qnet: QuantizedNetwork, n: int, *, seed: int = 0) -> Vectors:
    """n Q12 vectors: edges and out-of-range values first, then random in range; plus
    min(n, 16) raw float vectors (in range, at the edges, beyond them; from 16 on also at
    half steps of the Q12 grid, NaN, the infinities and float32's extremes) for normalize."""
    net = qnet.source
    rng = np.random.default_rng(seed)
    f = net.n_inputs
    special = [
        np.zeros(f),
        np.full(f, X_ONE),
        np.full(f, X_ONE // 2),
        np.full(f, -1),
        np.full(f, X_ONE + 1),
        np.full(f, -(2**31)),
        np.full(f, 2**31 - 1),
        rng.integers(-20000, 20000, f),
    ]
    assert len(special) == SPECIAL_ROWS
    rows = special[: min(n, len(special))]
    if n > len(rows):
        rows.append(rng.integers(0, X_ONE + 1, (n - len(rows), f)))
    x_q = (np.vstack(rows) if rows else np.zeros((0, f))).astype(np.int64).astype(np.int32)
    x_q = x_q[:n]
    # a streaming model's vectors are one stream: the Q rows continue after the Y rows
    res = run_rows(qnet, x_q.astype(np.int64))

    m = min(n, 16)
    if qnet.raw is not None:
        x_f = _raw_readings(qnet, m, rng)
        fq = normalize_raw(qnet, x_f) if m else np.zeros((0, f), np.int32)
    else:
        low, high = net.inputs.low, net.inputs.high
        width = high - low
        fl = [low, high, low - width, high + 0.5 * width, low + 0.5 * width]
        big = float(np.finfo(np.float32).max)
        special = [np.full(f, v) for v in (np.nan, np.inf, -np.inf, big, -big)]
        if m >= len(fl) + len(special) + 6:  # only where six random vectors remain
            half_steps = low + (rng.integers(0, X_ONE, f) + 0.5) * (width / X_ONE)  # k + 1/2
            fl += [*special, half_steps]
        fl = fl[:m]
        if m > len(fl):
            fl.append(low + rng.uniform(-0.1, 1.1, (m - len(fl), f)) * width)
        x_f = (np.vstack(fl) if fl else np.zeros((0, f))).astype(np.float32)[:m]
        fq = normalize(net, x_f.astype(np.float64)) if m else np.zeros((0, f), np.int32)
    after = res.state if qnet.streaming else None
    fy = (
        run_rows(qnet, fq.astype(np.int64), state=after).outputs
        if m
        else np.zeros((0, net.n_outputs))
    )
    return Vectors(
        x_q=x_q,
        y=np.asarray(res.outputs, dtype=np.int64),
        spikes=np.asarray(res.spike_counts, dtype=np.int64),
        x_f=x_f,
        fq=np.asarray(fq, dtype=np.int64),
        fy=np.asarray(fy, dtype=np.int64),
    )
