"""How faithfully the fixed-point network computes the float network it was quantized from.

A network trained by snn2c is trained on the quantization grid, so its fixed-point
form is what was trained. A network imported from another framework (NIR) was not:
its weights are rounded onto the grid at import, and what it learned may not survive
the rounding. This module measures that loss on calibration inputs, in units of the
float network's output spread (so 0.01 means 1 % of the output's standard deviation),
and picks the narrowest weight width that keeps it within the bounds below.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.csvdata import read_columns
from snn2c.errors import Snn2cError
from snn2c.quantize import quantize
from snn2c.reference import predict, predict_float

# the bounds import-nir keeps: mean and 99th percentile of |fixed - float| / std(float)
MEAN_BOUND = 0.01
P99_BOUND = 0.10
CALIBRATION_ROWS = 1000


def _finite(v: float) -> float | None:
    return v if np.isfinite(v) else None


@dataclass(frozen=True)
class Fidelity:
    """|fixed - float| over calibration inputs and outputs, in units of the float
    output's standard deviation (of 1 for an output that is constant over them)."""

    weight_bits: int
    samples: int
    mean: float
    p99: float
    max: float
    calibration: str  # where the inputs came from, for the note

    @property
    def within_bounds(self) -> bool:
        return self.mean <= MEAN_BOUND and self.p99 <= P99_BOUND

    def to_json(self) -> dict:
        """The measurement as JSON (a deviation beyond every float as null)."""
        return {
            "weight_bits": self.weight_bits,
            "samples": self.samples,
            "mean": _finite(self.mean),
            "p99": _finite(self.p99),
            "max": _finite(self.max),
            "calibration": self.calibration,
            "bounds": {"mean": MEAN_BOUND, "p99": P99_BOUND},
        }

    def text(self) -> str:
        return (
            f"int{self.weight_bits} weights: fixed point against the float network, "
            f"mean {self.mean:.4f}, 99th percentile {self.p99:.4f}, max {self.max:.4f} "
            f"of the output's std over {self.samples} inputs ({self.calibration})"
        )


def stored(metadata: object) -> Fidelity | None:
    """The fidelity import-nir measured, from a model's metadata; None when the model
    was not imported or the entry is not one import-nir wrote (a hand-edited file)."""
    imported = metadata.get("nir_import") if isinstance(metadata, dict) else None
    doc = imported.get("fidelity") if isinstance(imported, dict) else None
    if not isinstance(doc, dict):
        return None
    ints = [doc.get(k) for k in ("weight_bits", "samples")]
    reals = [doc.get(k) for k in ("mean", "p99", "max")]
    if not (
        all(isinstance(v, int) and not isinstance(v, bool) for v in ints)
        and all(
            v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in reals
        )
        and isinstance(doc.get("calibration"), str)
    ):
        return None
    mean, p99, worst = (np.inf if v is None else float(v) for v in reals)  # type: ignore[arg-type]
    return Fidelity(
        int(doc["weight_bits"]), int(doc["samples"]), mean, p99, worst, doc["calibration"]
    )


def uniform_inputs(net: ir.Network, rows: int = CALIBRATION_ROWS, seed: int = 0) -> np.ndarray:
    """Raw inputs drawn uniformly over each feature's range (whole numbers for integer
    inputs), seeded: the same draw on every run."""
    rng = np.random.default_rng(seed)
    low, high = net.inputs.low, net.inputs.high
    if net.inputs.integer:
        return rng.integers(low.astype(np.int64), high.astype(np.int64) + 1, (rows, low.size))
    return rng.uniform(low, high, (rows, low.size))


def read_calibration(path: str | Path, net: ir.Network) -> np.ndarray:
    """Raw inputs from a CSV file: the columns named as the model's inputs, or, in a file
    with exactly as many columns as the model has inputs, its columns in order."""
    names = tuple(net.inputs.names)
    header = _header(Path(path))
    if not set(names) <= set(header) and len(header) == len(names):
        names = tuple(header)
    x = read_columns(path, names)
    if x.shape[0] == 0:
        raise Snn2cError(f"{path}: no rows of calibration inputs")
    return x


def _header(path: Path) -> list[str]:
    try:
        with path.open(newline="") as f:
            first = f.readline()
    except FileNotFoundError:
        raise Snn2cError(f"{path}: no such file") from None
    except (IsADirectoryError, UnicodeDecodeError):
        return []  # read_columns says what is wrong with it
    row = next(csv.reader([first]), [])
    return [h.strip() for h in row]


def measure(
    net: ir.Network,
    x_raw: np.ndarray,
    weight_bits: int,
    calibration: str,
    y_float: np.ndarray | None = None,
) -> Fidelity:
    """The deviation of `net` quantized at `weight_bits` from `net` in float on x_raw
    (y_float: the float network's outputs there, when already known); a network that
    cannot be quantized at that width raises the quantizer's error."""
    qnet = quantize(replace(net, weight_bits=weight_bits))
    # a graph's float network may underflow or overflow (the fixed point saturates): a
    # deviation that is not finite is an infinite one, never a crash
    with np.errstate(all="ignore"):
        if y_float is None:
            y_float = predict_float(net, x_raw)
        y_fixed = predict(qnet, x_raw, "fixed")
        spread = np.std(y_float, axis=0)
        spread = np.where(np.isfinite(spread) & (spread > 0), spread, 1.0)
        dev = np.nan_to_num(np.abs(y_fixed - y_float) / spread, nan=np.inf)
        mean, p99, worst = float(dev.mean()), float(np.percentile(dev, 99)), float(dev.max())
    return Fidelity(weight_bits, int(x_raw.shape[0]), mean, p99, worst, calibration)


@dataclass(frozen=True)
class Choice:
    """The width chosen and every width measured on the way (narrowest first)."""

    chosen: Fidelity
    measured: tuple[Fidelity, ...]
    refused: tuple[tuple[int, str], ...]  # widths the quantizer refused, and why


def choose_width(
    net: ir.Network,
    x_raw: np.ndarray,
    calibration: str,
    *,
    forced: int | None = None,
) -> Choice:
    """The narrowest width that keeps the network within the bounds, else the most
    faithful one measured; `forced` measures that width only. The float network, the
    same at every width, runs once."""
    widths = (forced,) if forced is not None else ir.WEIGHT_BITS
    with np.errstate(all="ignore"):
        y_float = predict_float(net, x_raw)
    measured: list[Fidelity] = []
    refused: list[tuple[int, str]] = []
    for bits in widths:
        try:
            fid = measure(net, x_raw, bits, calibration, y_float)
        except Snn2cError as e:
            refused.append((bits, str(e)))
            continue
        measured.append(fid)
        if fid.within_bounds:
            break
    if not measured:
        raise Snn2cError(refused[-1][1])
    best = (
        measured[-1]
        if measured[-1].within_bounds or forced is not None
        else min(measured, key=lambda f: (f.p99, f.mean))
    )
    return Choice(best, tuple(measured), tuple(refused))
