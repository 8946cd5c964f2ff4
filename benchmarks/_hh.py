"""Hodgkin-Huxley (1952) squid giant axon, in float: a comparison model, not a training
target and not part of the fixed-point contract.

Parameters (modern convention, rest near -65 mV): C = 1 uF/cm^2, g_Na = 120,
g_K = 36, g_L = 0.3 mS/cm^2, E_Na = 50, E_K = -77, E_L = -54.387 mV; input current
in uA/cm^2. Integration: forward Euler with dt = 0.01 ms (100 steps per ms of
model time), the rate functions' removable singularities at V = -55 and -40 mV
replaced by their limits. A spike is an upward crossing of 0 mV.
benchmarks/c/hh_float.c is the same step in float32 C (snn_hh_step_f32).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

C_M = 1.0
G_NA, G_K, G_L = 120.0, 36.0, 0.3
E_NA, E_K, E_L = 50.0, -77.0, -54.387
DT_MS = 0.01
V_SPIKE = 0.0
N_PARAMS = 13  # C, 3 conductances, 3 reversal potentials, 6 rate-function constants (per docs)


def _vtrap(x: np.ndarray, y: float) -> np.ndarray:
    """x / (exp(x / y) - 1), with its limit y at x = 0."""
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x / y) < 1e-6
    safe = np.where(small, 1.0, x)
    return np.where(small, y * (1.0 - x / y / 2.0), safe / np.expm1(safe / y))


def rates(v: np.ndarray) -> tuple[np.ndarray, ...]:
    """(alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n) in 1/ms at membrane v (mV)."""
    am = 0.1 * _vtrap(-(v + 40.0), 10.0)
    bm = 4.0 * np.exp(-(v + 65.0) / 18.0)
    ah = 0.07 * np.exp(-(v + 65.0) / 20.0)
    bh = 1.0 / (1.0 + np.exp(-(v + 35.0) / 10.0))
    an = 0.01 * _vtrap(-(v + 55.0), 10.0)
    bn = 0.125 * np.exp(-(v + 65.0) / 80.0)
    return am, bm, ah, bh, an, bn


@dataclass
class HHState:
    v: np.ndarray
    m: np.ndarray
    h: np.ndarray
    n: np.ndarray


def rest_state(shape: int | tuple[int, ...] = 1, v0: float = -65.0) -> HHState:
    """Gates at their steady state for v0."""
    v = np.full(shape, v0, dtype=np.float64)
    am, bm, ah, bh, an, bn = rates(v)
    return HHState(v, am / (am + bm), ah / (ah + bh), an / (an + bn))


def hh_step(s: HHState, i_ext: np.ndarray | float, dt: float = DT_MS) -> HHState:
    """One forward-Euler step of dt ms."""
    v, m, h, n = s.v, s.m, s.h, s.n
    am, bm, ah, bh, an, bn = rates(v)
    i_ion = G_NA * m**3 * h * (v - E_NA) + G_K * n**4 * (v - E_K) + G_L * (v - E_L)
    return HHState(
        v + dt * (i_ext - i_ion) / C_M,
        m + dt * (am * (1.0 - m) - bm * m),
        h + dt * (ah * (1.0 - h) - bh * h),
        n + dt * (an * (1.0 - n) - bn * n),
    )


def simulate(i_ext: np.ndarray, dt: float = DT_MS) -> tuple[np.ndarray, np.ndarray]:
    """Membrane trace (len(i_ext),) and spike flags for a current per step (uA/cm^2)."""
    s = rest_state(1)
    vs = np.empty(len(i_ext))
    for k, i in enumerate(i_ext):
        s = hh_step(s, float(i), dt)
        vs[k] = s.v[0]
    prev = np.concatenate([[vs[0]], vs[:-1]])
    return vs, (prev < V_SPIKE) & (vs >= V_SPIKE)
