"""Storage layouts of weight matrices: how the kernels in firmware/ read each table.

A layout changes where a weight sits and how it is encoded, never the integers the
kernels compute (docs/fixed-point.md, "Storage"): the numpy reference works on the
plain [n_out][n_in] matrices, and tests/test_kernels_target.py runs the kernels on
these layouts against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn2c.contract import HALF_BITS, INT32_MAX, S8_BLOCK_ROWS, S8_GROUP, S8_OFFSET_BITS


def padded_s8_q12(n_in: int, n_out: int) -> tuple[int, int]:
    """(columns, rows) of an int8 Q12 layer's stored matrix: whole groups and blocks."""
    return n_in + (-n_in % S8_GROUP), n_out + (-n_out % S8_BLOCK_ROWS)


def blocked_s8_q12(weight: np.ndarray) -> np.ndarray:
    """An int8 [n_out][n_in] matrix as snn_dense_q12_s8 reads it (uint16, flat).

    u = w + 128; zero weights pad the columns to whole groups of four and the rows to
    whole blocks of four rows; block b, pair of columns p, row r of the block hold
    (u[4b+r][2p], u[4b+r][2p+1]).
    """
    w = np.asarray(weight, dtype=np.int64)
    if w.size and (w.min() < -128 or w.max() > 127):
        raise ValueError("int8 layout: weights outside [-128, 127]")
    n_out, n_in = w.shape
    cols, rows = padded_s8_q12(n_in, n_out)
    u = np.pad(w, ((0, rows - n_out), (0, cols - n_in))) + (1 << S8_OFFSET_BITS)
    # [block][row][pair][2] -> [block][pair][row][2]
    u = u.reshape(rows // S8_BLOCK_ROWS, S8_BLOCK_ROWS, cols // 2, 2).transpose(0, 2, 1, 3)
    return np.ascontiguousarray(u).ravel().astype(np.uint16)


def gauss_words(gauss: np.ndarray) -> np.ndarray:
    """The Gaussian table as snn_encode_population_q12 reads it (int32, one word per entry).

    Word k holds the slope s = G[k+1] - G[k] (0 for the last entry, which only d = 4096
    reaches) in its high 16 bits and b = G[k] - s k, signed, in its low 16 bits:
    G[k] + asr(s (d - 16 k), 4) = b + asr(s d, 4) exactly, since 16 s k is a multiple of
    16, so the device needs no fraction of d. |s k| stays below 4096 * 2 / e + |s| for
    every sigma (|G'(d) d| peaks at d^2 = 2 sigma^2), so b fits 16 bits.
    """
    g = np.asarray(gauss, dtype=np.int64)
    slope = np.append(np.diff(g), 0)
    base = g - slope * np.arange(g.size)
    half = 1 << (HALF_BITS - 1)
    if base.min() < -half or base.max() >= half or np.abs(slope).max() >= half:
        raise ValueError("Gaussian table: slope or base outside 16 bits")
    low_half = (1 << HALF_BITS) - 1
    words = (slope << HALF_BITS) + np.bitwise_and(base, low_half)  # two's complement int32
    return words.astype(np.int32)


MAX_COUNT_PAIRS = 256  # buckets of the pair form: 2 KB of flash at most


@dataclass(frozen=True)
class CountPairs:
    """The count table's pair form as snn_count_pairs_t holds it (see count_pairs)."""

    shift: int
    edge: np.ndarray  # int32 [last + 1]: the run start inside the bucket, or INT32_MAX
    lo: np.ndarray  # uint16 [last + 1]: the count below it
    hi: np.ndarray  # uint16 [last + 1]: the count from it

    @property
    def last(self) -> int:
        return self.edge.size - 1


def count_pairs(edges: np.ndarray, counts: np.ndarray, top: int) -> CountPairs | None:
    """The pair form of a count table, or None where no bucket width gives one.

    Bucket b holds the currents b << shift to ((b + 1) << shift) - 1 (and the last
    one every larger current; currents above top count as top). A width qualifies
    when no bucket holds more than one run start beyond its first; the widest one
    is taken (the fewest buckets), and the bucket count is rounded up to a power of
    two, so that the C clamps the bucket with one saturating shift.
    """
    e = np.asarray(edges, dtype=np.int64)
    c = np.asarray(counts, dtype=np.int64)
    gaps = np.diff(e)
    best = None
    for shift in range(int(np.floor(np.log2(gaps.min()))) if gaps.size else 31, 32):
        n = 1 << int(top >> shift).bit_length()  # (top >> shift) + 1 rounded up
        first = np.arange(n, dtype=np.int64) << shift
        last = np.minimum(first + (1 << shift) - 1, top)
        k = np.searchsorted(e, np.minimum(first, top), side="right") - 1
        k_last = np.searchsorted(e, last, side="right") - 1
        if (k_last - k > 1).any():
            break
        if n <= MAX_COUNT_PAIRS:
            inner = k_last > k
            best = CountPairs(
                shift=shift,
                edge=np.where(inner, e[k_last], INT32_MAX).astype(np.int32),
                lo=c[k].astype(np.uint16),
                hi=c[k_last].astype(np.uint16),
            )
        if n == 1:
            break
    return best
