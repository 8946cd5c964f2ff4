"""Storage layouts of weight matrices: how the kernels in firmware/ read each table.

A layout changes where a weight sits and how it is encoded, never the integers the
kernels compute (docs/fixed-point.md, "Storage"): the numpy reference works on the
plain [n_out][n_in] matrices, and tests/test_kernels_target.py runs the kernels on
these layouts against it.
"""

from __future__ import annotations

import numpy as np

from snn2c.contract import HALF_BITS, S8_BLOCK_ROWS, S8_GROUP, S8_OFFSET_BITS


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
