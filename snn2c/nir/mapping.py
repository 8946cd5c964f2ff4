"""Continuous NIR neuron parameters <-> snn2c's discrete per-step update.

NIR neurons obey ``tau dv/dt = (v_leak - v) + r I``. snn2c (like snnTorch) takes
one forward-Euler step of length ``dt`` per time step::

    v_t = (1 - dt/tau) v_{t-1} + (dt/tau) v_leak + (r dt/tau) I_t
        =        beta  v_{t-1} +        c        +    g     I_t

so beta = 1 - dt/tau, the gain g = r dt/tau is folded into the rows of the
preceding Affine/Linear weights and bias, and the constant c into the bias.
IF/I (no leak) have beta = 1 and g = r dt. A CubaLIF/CubaLI whose synaptic
filter is instantaneous (tau_syn = dt, alpha = 0) adds the factor w_in dt/tau_syn.

Rockpool 3.1 writes its own update, not NIR's Euler step: its LIFNeuronTorch runs
``V = a V + I`` and its ExpSynTorch ``V = a (V + I)`` with a = exp(-dt/tau), and it
writes r = tau a / dt for both. The "rockpool" rule reads a graph as Rockpool runs it:
beta = a, g = r dt / (tau a) (= 1) for LIF and g = r dt / tau (= a) for LI.
Spyx 1.0 runs ``V = beta V + x`` for every neuron (LIF, IF and PSU_LIF's membrane) and
writes tau = dt / (1 - beta) with r = beta (LIF) or 1 (IF, LI): r is not the input gain
it simulates. The "spyx" rule reads beta = 1 - dt/tau and g = 1; its LIF and IF fire on
the membrane of the previous step (reset timing fire_first, chosen by the importer).
Sinabs 2.0 counts tau in steps and runs ``V = a V + x`` with a = exp(-dt/tau) (LIF with
norm_input=False, and ExpLeak); its writer puts r = 1 and its own reader ignores r. The
"sinabs" rule reads it that way: beta = a, g = 1. (A norm_input=True layer scales its
input by 1 - a; the graph does not say so, and Sinabs's reader does not restore it.)
Each reading is one row of ``frameworks.READINGS``, the one table per framework.
This module imports no ``nir``; it works on plain numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from snn2c.errors import Snn2cError
from snn2c.nir.frameworks import READINGS

GAIN_SNAP = 1e-6  # |g - 1| below this is float32 export rounding: g is taken as 1
BETA_SPREAD = 1e-9  # per-neuron betas within this are one layer-wide beta
BETA_NEGATIVE = 1e-6  # beta in [-1e-6, 0) is float32 rounding of tau = dt: taken as 0
THRESHOLD_SPREAD = 1e-9  # relative spread allowed in per-neuron thresholds
ALPHA_ZERO = 1e-9  # |1 - dt/tau_syn| below this is an instantaneous synapse


@dataclass(frozen=True)
class DiscreteNeuron:
    """One NIR neuron node in snn2c's discrete terms (per neuron arrays have shape (n,))."""

    spiking: bool
    beta: float  # layer-wide leak factor per step
    gain: np.ndarray  # multiplies the rows of the preceding weights and bias
    offset: np.ndarray  # (dt/tau) v_leak, added to the bias
    threshold: float | None  # None for non-spiking nodes


@dataclass(frozen=True)
class ContinuousNeuron:
    """The NIR node that reproduces an snn2c layer with gain 1 (see ``to_continuous``)."""

    node_type: str  # "LIF", "IF", "LI" or "I"
    params: dict[str, np.ndarray]


def _param(node: str, params: dict[str, Any], key: str, n: int) -> np.ndarray:
    if key not in params or params[key] is None:
        raise Snn2cError(f"{node}: missing parameter {key}")
    try:
        arr = np.asarray(params[key], dtype=np.float64)
    except (TypeError, ValueError):
        raise Snn2cError(f"{node}: parameter {key} is not numeric") from None
    if not np.all(np.isfinite(arr)):
        raise Snn2cError(f"{node}: parameter {key} contains NaN or infinity")
    if arr.size == 1:
        return np.full(n, float(arr.reshape(-1)[0]))
    if arr.size != n:
        raise Snn2cError(
            f"{node}: parameter {key} has {arr.size} entries but the layer has {n} neurons"
        )
    return arr.reshape(-1)


class ShortTau(Snn2cError):
    """A time constant below the step: the importer says which step the graph needs."""


RULES = tuple(READINGS)  # NIR's Euler step and each framework's reading


def _factor(tau: np.ndarray, dt: float, exponential: bool) -> np.ndarray:
    """The leak factor per neuron: exp(-dt/tau), or NIR's Euler 1 - dt/tau."""
    return np.exp(-dt / tau) if exponential else 1.0 - dt / tau


def _leak(node: str, tau: np.ndarray, dt: float, exponential: bool = False) -> float:
    if np.any(tau <= 0):
        raise Snn2cError(f"{node}: tau must be positive, got {float(tau.min())}")
    beta = _factor(tau, dt, exponential)
    if np.any(beta < -BETA_NEGATIVE):
        raise ShortTau(
            f"{node}: tau={float(tau.min()):g} s is shorter than dt={dt:g} s, so the Euler "
            "step gives beta < 0"
        )
    beta = np.clip(beta, 0.0, 1.0)
    if float(beta.max() - beta.min()) > BETA_SPREAD:
        raise Snn2cError(
            f"{node}: per-neuron time constants differ (beta {float(beta.min()):.9g} to "
            f"{float(beta.max()):.9g}); snn2c has one leak per layer"
        )
    return float(beta[0])


def _threshold(node: str, params: dict[str, Any], n: int) -> float:
    thr = _param(node, params, "v_threshold", n)
    if float(thr.max() - thr.min()) > THRESHOLD_SPREAD * max(1.0, float(np.abs(thr).max())):
        raise Snn2cError(
            f"{node}: per-neuron thresholds differ ({float(thr.min()):g} to "
            f"{float(thr.max()):g}); snn2c has one threshold per layer"
        )
    if thr[0] <= 0:
        raise Snn2cError(f"{node}: v_threshold must be positive, got {float(thr[0]):g}")
    reset = _param(node, params, "v_reset", n) if params.get("v_reset") is not None else None
    if reset is not None and np.any(reset != 0):
        raise Snn2cError(
            f"{node}: v_reset={float(reset[reset != 0][0]):g}; snn2c only resets to 0 "
            "(or by subtraction)"
        )
    return float(thr[0])


def _snap(gain: np.ndarray) -> np.ndarray:
    return np.where(np.abs(gain - 1.0) <= GAIN_SNAP, 1.0, gain)


def to_discrete(
    node: str, node_type: str, params: dict[str, Any], n: int, dt: float, rule: str = "euler"
) -> DiscreteNeuron:
    """Map one NIR neuron node (LIF, IF, LI, I, CubaLIF, CubaLI) onto snn2c's update.

    `node` names the node in error messages; `n` is the layer width; `rule` is NIR's
    Euler step or a framework's own reading (frameworks.READINGS, the module's text).
    Raises Snn2cError naming the node and the missing feature where snn2c cannot
    express the node exactly.
    """
    where = f"node {node!r} ({node_type})"
    reading = READINGS[rule]
    if reading.nodes is not None and node_type not in reading.nodes:
        raise Snn2cError(f"{where}: the {rule} reading takes {_and(reading.nodes)} nodes only")
    r = _param(where, params, "r", n)
    if node_type in ("IF", "I"):
        beta, gain, offset = 1.0, r * dt, np.zeros(n)
    else:
        tau_key = "tau_mem" if node_type.startswith("Cuba") else "tau"
        tau = _param(where, params, tau_key, n)
        beta = _leak(where, tau, dt, reading.exponential)
        v_leak = _param(where, params, "v_leak", n)
        gain, offset = r * dt / tau, v_leak * dt / tau
        if node_type in reading.gain_over_leak:
            gain = gain / _factor(tau, dt, reading.exponential)
    if reading.unit_gain:
        gain = np.ones(n)  # the input is added unscaled
    if node_type.startswith("Cuba"):
        tau_syn = _param(where, params, "tau_syn", n)
        if np.any(tau_syn <= 0):
            raise Snn2cError(f"{where}: tau_syn must be positive")
        alpha = 1.0 - dt / tau_syn
        if float(np.abs(alpha).max()) > ALPHA_ZERO:
            raise Snn2cError(
                f"{where}: synaptic current filter alpha = 1 - dt/tau_syn = "
                f"{float(alpha[np.argmax(np.abs(alpha))]):.6g}; snn2c has no synaptic "
                "state (only tau_syn = dt, alpha = 0, is expressible)"
            )
        w_in = _param(where, params, "w_in", n) if params.get("w_in") is not None else np.ones(n)
        gain = gain * w_in * dt / tau_syn
    spiking = node_type in ("LIF", "IF", "CubaLIF")
    threshold = _threshold(where, params, n) if spiking else None
    return DiscreteNeuron(spiking, beta, _snap(gain), offset, threshold)


def _and(words: tuple[str, ...]) -> str:
    """("LIF", "IF", "LI") -> "LIF, IF and LI"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def to_continuous(
    spiking: bool, beta: float, threshold: float, n: int, dt: float
) -> ContinuousNeuron:
    """The NIR node for an snn2c layer: gain r dt/tau = 1, v_leak = 0, v_reset = 0.

    beta < 1: tau = dt / (1 - beta), r = tau / dt (snnTorch's export convention);
    beta = 1: IF / I with r = 1 / dt.
    """
    ones = np.ones(n)
    params: dict[str, np.ndarray] = {}
    if beta >= 1.0:
        node_type = "IF" if spiking else "I"
        params["r"] = ones / dt
    else:
        node_type = "LIF" if spiking else "LI"
        tau = dt / (1.0 - beta)
        params["tau"] = ones * tau
        params["r"] = ones * (tau / dt)
        params["v_leak"] = np.zeros(n)
    if spiking:
        params["v_threshold"] = ones * threshold
        params["v_reset"] = np.zeros(n)
    return ContinuousNeuron(node_type, params)
