"""Reference implementations: the integer oracle (bit-exact contract) and the float simulator."""

from __future__ import annotations

import numpy as np

from snn2c import ir
from snn2c.contract import V_FRAC
from snn2c.quantize import QuantizedNetwork
from snn2c.reference.floatsim import normalize_float, run_float
from snn2c.reference.integer import normalize, run


def to_user_units(net: ir.Network, y: np.ndarray) -> np.ndarray:
    """[0, 1]-scaled outputs (float) -> the target's units, in float64."""
    return net.target.offset + net.target.scale * np.asarray(y, dtype=np.float64)


def predict(qnet: QuantizedNetwork, x_raw: np.ndarray, mode: str = "fixed") -> np.ndarray:
    """Predictions in the user's units for raw inputs (n, n_features).

    mode "fixed" runs the bit-exact integer reference (what the device computes);
    mode "float" runs the float simulator (the unquantized network, qnet.source).
    """
    net = qnet.source
    x_raw = np.asarray(x_raw, dtype=np.float64)
    if mode == "fixed":
        y_q = run(qnet, normalize(net, x_raw)).outputs
        return to_user_units(net, y_q.astype(np.float64) / 2.0**V_FRAC)
    if mode == "float":
        return to_user_units(net, run_float(net, normalize_float(net, x_raw)).outputs)
    raise ValueError(f"mode must be 'fixed' or 'float', got {mode!r}")


__all__ = ["normalize", "normalize_float", "predict", "run", "run_float", "to_user_units"]
