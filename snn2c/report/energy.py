"""Energy per inference by the literature's operation-count models (docs/metrics.md).

These are *model estimates* for a hypothetical accelerator in 45 nm CMOS, not
measurements of a microcontroller (``snn2c.report.target`` estimates that):

* ``E_ANN = N_MAC * E_MAC`` for the baseline ANN (every weight once per inference);
* ``E_SNN = N_spikes * E_spike + P_leak * T`` with ``T = dt * steps`` of model time;
* ``E_synops = N_MAC * E_MAC + N_AC * E_AC`` from the SNN's synaptic operations.

E_MAC = 4.6 pJ and E_AC = 0.9 pJ are the 45 nm 32-bit float multiply (3.7 pJ) plus
add (0.9 pJ) and add alone (Horowitz, ISSCC 2014). E_spike = 0.1 pJ. The default
P_leak is 60 nW per neuron: IBM TrueNorth's whole-chip power per neuron (63 mW
for 1,048,576 neurons, Merolla et al., Science 2014) - an upper bound on the
static power of one digital neuron, since it includes the active power.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

E_MAC_PJ = 4.6
E_AC_PJ = 0.9
E_SPIKE_PJ = 0.1
P_LEAK_PER_NEURON_W = 63e-3 / 1048576  # ~60 nW


@dataclass(frozen=True)
class EnergyConstants:
    e_mac_pj: float = E_MAC_PJ
    e_ac_pj: float = E_AC_PJ
    e_spike_pj: float = E_SPIKE_PJ
    p_leak_w: float | None = None  # total static power; None: per neuron x neurons
    p_leak_per_neuron_w: float = P_LEAK_PER_NEURON_W

    def leak_power(self, neurons: int) -> float:
        return self.p_leak_w if self.p_leak_w is not None else self.p_leak_per_neuron_w * neurons


def ann_macs(n_in: int, hidden: tuple[int, ...] | list[int], n_out: int) -> int:
    """Dense MACs of one forward pass of a fully connected MLP (biases excluded)."""
    widths = [n_in, *hidden, n_out]
    return int(sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True)))


def e_ann(n_mac: float, c: EnergyConstants) -> float:
    """pJ per inference of the ANN: N_MAC * E_MAC."""
    return n_mac * c.e_mac_pj


def e_snn(n_spikes: float, neurons: int, seconds: float, c: EnergyConstants) -> float:
    """pJ per inference of the SNN: N_spikes * E_spike + P_leak * T (W * s -> pJ)."""
    return n_spikes * c.e_spike_pj + c.leak_power(neurons) * seconds * 1e12


def e_synops(n_mac: float, n_ac: float, c: EnergyConstants) -> float:
    """pJ per inference from synaptic operations: N_MAC * E_MAC + N_AC * E_AC."""
    return n_mac * c.e_mac_pj + n_ac * c.e_ac_pj


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def energy_report(
    *,
    ann_mac: float | None,
    spikes: float,
    neurons: int,
    seconds: float,
    mac: float,
    ac: float,
    c: EnergyConstants,
) -> dict:
    """The ``energy_pj`` document: both models, their ratios and every constant used."""
    ann = e_ann(ann_mac, c) if ann_mac is not None else None
    leak_w = c.leak_power(neurons)
    snn = e_snn(spikes, neurons, seconds, c)
    syn = e_synops(mac, ac, c)
    return {
        "ann": ann,
        "snn": snn,
        "ratio": _ratio(ann, snn),
        "snn_spike_part": spikes * c.e_spike_pj,
        "snn_leak_part": leak_w * seconds * 1e12,
        "snn_synops": syn,
        "ratio_synops": _ratio(ann, syn),
        "ann_mac": ann_mac,
        "model": {
            "ann": "E_ANN = N_MAC * E_MAC (dense MACs of the baseline MLP)",
            "snn": "E_SNN = N_spikes * E_spike + P_leak * T, T = dt * steps",
            "snn_synops": "E = N_MAC * E_MAC + N_AC * E_AC (effective synaptic operations)",
            "ratio": "E_ANN / E_SNN (> 1: the SNN is estimated to use less energy)",
        },
        "constants": {
            **{k: v for k, v in asdict(c).items() if k != "p_leak_w"},
            "p_leak_w": leak_w,
            "p_leak_source": "--p-leak"
            if c.p_leak_w is not None
            else f"{c.p_leak_per_neuron_w:.3g} W/neuron x {neurons} neurons",
            "t_seconds": seconds,
            "sources": {
                "e_mac_pj": "Horowitz, ISSCC 2014, 45 nm: 32-bit float mult 3.7 pJ + add 0.9 pJ",
                "e_ac_pj": "Horowitz, ISSCC 2014, 45 nm: 32-bit float add 0.9 pJ",
                "e_spike_pj": "energy per spike event of the literature's SNN model (docs/metrics.md)",
                "p_leak_per_neuron_w": "TrueNorth 63 mW / 1,048,576 neurons (Merolla et al., Science 2014)",
            },
        },
        "estimate": True,
    }
