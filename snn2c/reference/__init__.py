"""Reference implementations: the integer oracle (bit-exact contract) and the float simulator."""

from __future__ import annotations

import numpy as np

from snn2c import ir
from snn2c.contract import V_FRAC
from snn2c.quantize import QuantizedNetwork
from snn2c.reference.floatsim import normalize_float, run_float, stream_float
from snn2c.reference.integer import Result, State, normalize, normalize_raw, run, stream


def run_rows(
    qnet: QuantizedNetwork, x_q: np.ndarray, *, state: State | None = None, trace: bool = False
) -> Result:
    """The integer reference on rows of Q12 inputs as the device sees them: independent
    inferences for a static model, one stream in row order for a streaming model (from
    `state`, where the rows before them left it, or from the reset)."""
    if qnet.streaming:
        return stream(qnet, x_q, state, trace=trace)
    if state is not None:
        raise ValueError("a static model's rows always start from the reset state")
    return run(qnet, x_q, trace=trace)


def to_user_units(net: ir.Network, y: np.ndarray) -> np.ndarray:
    """[0, 1]-scaled outputs (float) -> the target's units, in float64."""
    return net.target.offset + net.target.scale * np.asarray(y, dtype=np.float64)


def normalize_device(qnet: QuantizedNetwork, x_raw: np.ndarray) -> np.ndarray:
    """The Q12 inputs the device computes from raw inputs: through snn_model_normalize_raw
    for a model with integer inputs (whole numbers expected), else snn_model_normalize."""
    if qnet.raw is not None:
        return normalize_raw(qnet, x_raw)
    return normalize(qnet.source, x_raw)


def predict_float(net: ir.Network, x_raw: np.ndarray) -> np.ndarray:
    """The float simulator's predictions in the user's units (no quantization involved)."""
    simulate = stream_float if net.streaming else run_float
    x_raw = np.asarray(x_raw, dtype=np.float64)
    return to_user_units(net, simulate(net, normalize_float(net, x_raw)).outputs)


def predict(qnet: QuantizedNetwork, x_raw: np.ndarray, mode: str = "fixed") -> np.ndarray:
    """Predictions in the user's units for raw inputs (n, n_features).

    mode "fixed" runs the bit-exact integer reference (what the device computes);
    mode "float" runs the float simulator (the unquantized network, qnet.source). A
    streaming model reads the rows as one stream, in order, from the reset state.
    """
    net = qnet.source
    x_raw = np.asarray(x_raw, dtype=np.float64)
    if mode == "fixed":
        y_q = run_rows(qnet, normalize_device(qnet, x_raw)).outputs
        return to_user_units(net, y_q.astype(np.float64) / 2.0**V_FRAC)
    if mode == "float":
        return predict_float(net, x_raw)
    raise ValueError(f"mode must be 'fixed' or 'float', got {mode!r}")


__all__ = [
    "normalize",
    "normalize_device",
    "normalize_raw",
    "normalize_float",
    "predict",
    "predict_float",
    "run",
    "run_float",
    "run_rows",
    "stream",
    "stream_float",
    "to_user_units",
]
