"""The NIR frameworks snn2c reads, in one table: how each runs the nodes it writes, and
how a graph it wrote is recognised when it carries no snn2c sidecar (docs/nir.md).

NIR defines one forward-Euler step (the "euler" reading, NIR's own). Rockpool, Spyx
and Sinabs write NIR graphs but run their own updates; ``import-nir --from NAME``
reads a graph as NAME runs it. Each reading is one ``Reading`` row of ``READINGS``:
the leak form, the node types it takes, how the input gain is read, the reset,
comparison and timing of its spiking layers, the note said once per import, and
the recogniser that suggests ``--from NAME`` for a graph that looks written by it.
snnTorch and Norse run NIR's Euler step but write their own time base: their
recognisers are ``writer_notes``'s, which say which ``--dt`` (and reset options) a
graph needs.

This module imports no ``nir``: it reads plain numpy arrays and node attributes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from snn2c.contract import Fire, Reset, ResetTiming

Chain = list[tuple[str, Any]]  # (name, node) from Input to Output
SNNTORCH_DT = 1e-4  # snnTorch's export step (snntorch.export_to_nir, import_from_nir)
DEFAULT_DT = SNNTORCH_DT  # the step taken when neither --dt nor a sidecar gives one
CELLS = ("LIF", "LI", "CubaLIF", "CubaLI")  # neuron nodes with a time constant


def node_type(node: Any) -> str:
    """A NIR node's type name (LIF, Affine, ...), read without importing nir."""
    return type(node).__name__


def _names_match(chain: Chain, pattern: str) -> bool:
    """Every node but Input and Output is named after `pattern` (a framework's writer)."""
    return all(
        re.fullmatch(pattern, name)
        for name, node in chain
        if node_type(node) not in ("Input", "Output")
    )


def _rockpool_hint(chain: Chain) -> str | None:
    """Rockpool names its nodes '<index>_<Module>Torch' and runs its own update."""
    if not _names_match(chain, r"\d+_\w+Torch"):
        return None
    return (
        "node names look like Rockpool's: it runs its own update, not NIR's Euler step; "
        "pass --from rockpool and its --dt"
    )


def _spyx_hint(chain: Chain) -> str | None:
    """Spyx's to_nir names its nodes 'layer_<i>' (and 'layer_<i>_threshold') and writes
    r = beta = 1 - dt/tau on LIF nodes, from which its dt follows."""
    if not _names_match(chain, r"layer_\d+(_threshold)?"):
        return None
    dts = []
    for _, node in chain:
        if node_type(node) == "LIF":
            try:
                tau = np.asarray(node.tau, dtype=np.float64)
                r = np.asarray(node.r, dtype=np.float64)
                dts.append(tau * (1.0 - r))  # r = beta = 1 - dt / tau
            except (TypeError, ValueError, AttributeError):
                return None
    dt = float(np.concatenate([d.reshape(-1) for d in dts]).mean()) if dts else 1.0
    if dts and not all(np.allclose(d, dt, rtol=1e-4, atol=0) for d in dts):
        return None
    how = "from r = 1 - dt/tau" if dts else "Spyx's default"
    return (
        f"node names look like Spyx's to_nir: it runs its own update, not NIR's Euler step; "
        f"pass --from spyx --dt {dt:.6g} ({how})"
    )


def _rockpool_biases(chain: Chain) -> str | None:
    """Rockpool 3.1.0's to_nir writes v_leak = 0 for LIFTorch and LIFNeuronTorch, whatever
    their trained bias (a constant input current per neuron)."""
    if not any(node_type(n) in ("LIF", "CubaLIF") for _, n in chain):
        return None
    return (
        "Rockpool's to_nir writes v_leak = 0 for its LIF neurons, so a trained neuron bias "
        "(LIFTorch / LIFNeuronTorch bias) is not in the graph and is read as 0; fold it into "
        "the LinearTorch before them (its bias) before exporting"
    )


@dataclass(frozen=True)
class Reading:
    """How one framework runs a graph's neuron nodes: per step v = beta v + g I with

    beta = exp(-dt/tau) if `exponential` else 1 - dt/tau, and g = r dt/tau (NIR's Euler
    gain), divided by the leak factor for the node types in `gain_over_leak`, or g = 1
    with `unit_gain`; `nodes` lists the node types it takes (None: every NIR neuron);
    its spiking layers reset by `reset`, fire on `fire` with `reset_timing`. `note` is
    said once per import read this way; `hint` recognises a graph its framework wrote
    (its note, or None) when no reading was asked for; `unrecorded_reset` and
    `unrecorded` name what its writer ran but did not write, which the import assumes."""

    name: str
    exponential: bool
    unit_gain: bool
    reset: Reset
    fire: Fire
    reset_timing: ResetTiming
    nodes: tuple[str, ...] | None = None
    gain_over_leak: tuple[str, ...] = ()
    note: str | None = None
    hint: Callable[[Chain], str | None] | None = None
    unrecorded_reset: str | None = None  # said unless --reset is given: the graph has none
    multi_spike: bool = False  # emits floor(V / threshold) spikes in a step (snn2c: one)
    unrecorded: Callable[[Chain], str | None] | None = None  # what else its writer drops


READINGS: dict[str, Reading] = {
    r.name: r
    for r in (
        Reading(  # NIR: v -> v_reset at the spike
            "euler",
            exponential=False,
            unit_gain=False,
            reset=Reset.ZERO,
            fire=Fire.GT,
            reset_timing=ResetTiming.SAME_STEP,
        ),
        Reading(
            "rockpool",
            exponential=True,
            unit_gain=False,
            reset=Reset.SUBTRACT,
            fire=Fire.GE,
            reset_timing=ResetTiming.SAME_STEP,
            nodes=("LIF", "LI"),
            gain_over_leak=("LIF",),  # V = a V + I with r = tau a / dt: g = 1; LI: g = a
            note="read as Rockpool runs it: V = a V + I (LIF), V = a (V + I) (LI), "
            "a = exp(-dt/tau), subtractive reset, V >= threshold; Rockpool emits "
            "floor(V/threshold) spikes in a step where snn2c emits one, so the two agree "
            "while V stays below twice the threshold",
            hint=_rockpool_hint,
            unrecorded=_rockpool_biases,
            multi_spike=True,
        ),
        Reading(
            "spyx",
            exponential=False,
            unit_gain=True,  # Spyx's r is beta, not a gain
            reset=Reset.SUBTRACT,
            fire=Fire.GT,
            reset_timing=ResetTiming.FIRE_FIRST,
            nodes=("LIF", "IF", "LI"),
            note="read as Spyx runs it: V = beta V + x (r is not a gain), subtractive reset, "
            "V > threshold, each LIF/IF fires on the membrane of the previous step "
            "(reset timing fire_first)",
            hint=_spyx_hint,
        ),
        Reading(
            "sinabs",
            exponential=True,
            unit_gain=True,  # its writer puts r = 1 and its reader ignores r
            reset=Reset.SUBTRACT,
            fire=Fire.GE,
            reset_timing=ResetTiming.SAME_STEP,
            nodes=("LIF", "LI"),
            note="read as Sinabs runs it with norm_input=False (its reader's choice): "
            "V = a V + x, a = exp(-dt/tau), subtractive reset, V >= threshold; Sinabs's "
            "MultiSpike emits floor(V/threshold) spikes in a step where snn2c emits one, so "
            "the two agree while V stays below twice the threshold; a norm_input=True "
            "layer's input gain 1 - a is not in the graph",
            unrecorded_reset="Sinabs does not write its reset_fn: read as MembraneSubtract(), "
            "its default; a net trained with reset_fn=MembraneReset() needs --reset zero",
            multi_spike=True,
        ),
    )
}
FRAMEWORKS = tuple(name for name in READINGS if name != "euler")  # --from: read as it runs


def reading_notes(chain: Chain, framework: str | None, reset: str | None = None) -> list[str]:
    """The asked-for reading's note and what its graphs do not record (the reset unless
    --reset gave it), or each framework's own note that recognises the graph."""
    if framework is not None:
        r = READINGS[framework]
        notes = [r.note] if r.note else []
        if r.unrecorded_reset and reset is None:
            notes.append(r.unrecorded_reset)
        if r.unrecorded:
            notes += [text for text in (r.unrecorded(chain),) if text]
        return notes
    hints = (r.hint(chain) for r in READINGS.values() if r.hint is not None)
    return [h for h in hints if h]


def _taus_in_steps(chain: Chain) -> bool:
    """Every time constant is at least 1: Sinabs counts tau in steps (seconds-scale taus
    from Norse or snnTorch are far below 1)."""
    try:
        return all(
            float(np.min(np.asarray(getattr(n, "tau", getattr(n, "tau_mem", 0.0)), dtype=float)))
            >= 1.0
            for _, n in chain
            if node_type(n) in CELLS
        )
    except (TypeError, ValueError):
        return False


def _norse_like(chain: Chain) -> bool:
    """r = 1 on every neuron node with a time constant: Norse's writer (snnTorch writes
    r = tau / 1e-4, far from 1)."""
    cells = [n for _, n in chain if node_type(n) in CELLS]
    try:
        return bool(cells) and all(np.allclose(np.asarray(n.r, dtype=float), 1.0) for n in cells)
    except (TypeError, ValueError):
        return False


def short_tau_hint(chain: Chain, dt_given: bool) -> str:
    """What to do when a time constant is below the step: Norse 1.1.0's to_nir(m, x, dt)
    writes tau = dt * tau_mem (its own step multiplied in), so no --dt fixes its graph."""
    if _norse_like(chain):
        return (
            "every neuron node has r = 1, as Norse's to_nir writes, and Norse 1.1.0 writes "
            "tau = dt * tau_mem: re-export with to_nir(module, x, dt=1.0), then import with "
            "--dt set to Norse's step (docs/nir.md)"
        )
    if dt_given:
        return "is --dt the step the graph was exported with?"
    return f"dt not given, {DEFAULT_DT:g} s (snnTorch's) was used: pass the exporter's dt with --dt"


def _dt_note(chain: Chain) -> str:
    """Which framework's step a graph without dt most likely needs (Sinabs, Norse, or
    snnTorch's, the one taken)."""
    if _norse_like(chain) and _taus_in_steps(chain):
        return (
            f"dt not given: using {DEFAULT_DT:g} s, but every neuron node has r = 1 and "
            "tau >= 1, as Sinabs's to_nir writes (tau in steps): pass --from sinabs --dt 1 "
            "(a Norse graph, also r = 1, takes Norse's step, --dt 0.001)"
        )
    if _norse_like(chain):
        return (
            f"dt not given: using {DEFAULT_DT:g} s, but every neuron node has r = 1, as "
            "Norse's to_nir writes: pass Norse's step with --dt (its default 0.001)"
        )
    return (
        f"dt not given: using {DEFAULT_DT:g} s, snnTorch's export step (pass --dt for "
        "graphs from other tools)"
    )


def _snntorch_notes(chain: Chain, reset: str | None, reset_timing: str | None) -> list[str]:
    """snnTorch exports tau = dt/(1-beta), r = tau/dt with dt = 1e-4 and says nothing
    else: the reset options its Leaky neurons need, unless given."""
    lifs = [n for _, n in chain if node_type(n) in ("LIF", "CubaLIF")]
    if not lifs:
        return []
    for node in lifs:
        tau = np.asarray(getattr(node, "tau", getattr(node, "tau_mem", None)), dtype=np.float64)
        r = np.asarray(node.r, dtype=np.float64)
        if tau.shape != r.shape or not np.allclose(r * SNNTORCH_DT, tau, rtol=1e-5, atol=0):
            return []
    notes = []
    if reset_timing is None:
        notes.append(
            "looks like an snnTorch export: its Leaky neurons reset on the next step by "
            "default (reset_delay=True); pass --reset-timing next_step for them"
        )
    if reset is None:
        notes.append(
            "snnTorch does not export its reset mode: Leaky's default is reset by "
            "subtraction (pass --reset subtract); this import resets to zero (NIR v_reset = 0)"
        )
    return notes


def writer_notes(
    chain: Chain, dt_given: bool, reset: str | None, reset_timing: str | None
) -> list[str]:
    """What a graph without sidecar needs from the user, by the writer it looks like:
    the step (unless `dt_given`), then snnTorch's reset options (unless given)."""
    notes = [] if dt_given else [_dt_note(chain)]
    return notes + _snntorch_notes(chain, reset, reset_timing)
