"""Where a device first leaves the reference: the trace image's step-by-step state
(firmware/harness_main.c, SNN2C_HARNESS_TRACE) against the integer reference's trace
of the same vector, compared step by step, layer by layer, neuron by neuron."""

from __future__ import annotations

import numpy as np

from snn2c.errors import Snn2cError
from snn2c.quantize import QuantizedNetwork
from snn2c.reference import integer


def parse_trace(text: str) -> tuple[dict, dict]:
    """({(step, layer): membranes}, {(step, layer): spikes}) from the trace image's text."""
    mem: dict[tuple[int, int], list[int]] = {}
    spk: dict[tuple[int, int], list[int]] = {}
    begun = ended = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("SNN2C-TRACE BEGIN"):
            begun = True
        elif line.startswith("SNN2C-TRACE END"):
            ended = True
        elif begun and line[:2] in ("V ", "P "):
            try:
                t, layer, *vals = (int(w) for w in line[2:].split())
            except ValueError:
                raise Snn2cError(f"unexpected trace line: {line!r}") from None
            (mem if line[0] == "V" else spk)[(t, layer)] = vals
    if not (begun and ended):
        raise Snn2cError("the trace image did not print a whole trace")
    return mem, spk


def first_divergence(qnet: QuantizedNetwork, x_q: np.ndarray, text: str) -> dict | None:
    """The first (step, layer, neuron) whose membrane or spike differs from the
    reference's, in step order and, within a step, layer order; None if every step
    matches (then the difference lies in the decoder or the counting form)."""
    mem, spk = parse_trace(text)
    ref = integer.run(qnet, np.asarray(x_q, dtype=np.int64)[None, :], trace=True)
    assert ref.membranes is not None and ref.spikes is not None
    for t in range(qnet.steps):
        for layer, q in enumerate(qnet.layers):
            checks = [("membrane", mem.get((t, layer)), ref.membranes[layer][0, t])]
            if q.spiking:
                checks.append(("spike", spk.get((t, layer)), ref.spikes[layer + 1][0, t]))
            for what, dev, want in checks:
                want = [int(v) for v in want]
                if dev == want:
                    continue
                if dev is None or len(dev) != len(want):
                    return {
                        "step": t,
                        "layer": layer,
                        "neuron": None,
                        "quantity": what,
                        "device": dev,
                        "reference": want,
                    }
                i = next(i for i, (d, r) in enumerate(zip(dev, want, strict=True)) if d != r)
                return {
                    "step": t,
                    "layer": layer,
                    "neuron": i,
                    "quantity": what,
                    "device": dev[i],
                    "reference": want[i],
                }
    return None


def describe(div: dict | None) -> str:
    """The divergence in one line, for the command's message."""
    if div is None:
        return (
            "every step's state equals the reference's: the difference is in the decoder "
            "(or the counting form, for a model that runs in it)"
        )
    where = f"step {div['step']}, layer {div['layer']}"
    if div["neuron"] is None:
        return f"{where}: the {div['quantity']} row is missing or of the wrong width"
    return (
        f"{where}, neuron {div['neuron']}: {div['quantity']} {div['device']} on the device, "
        f"{div['reference']} in the reference"
    )
