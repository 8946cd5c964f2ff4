"""Instructions per inference on a board, predicted without building: a linear model of
the generated kernels' work, calibrated against QEMU's exact counts.

The work of one inference is counted per kernel variant from the quantized network
and, for the event-driven parts, from the integer reference's spike counts on the
inputs in question: Q12 MACs of current-driven layers by weight width, synaptic
events of spike-driven layers by weight width, neuron updates by neuron model,
encoder evaluations, counting-form look-ups and folded MACs, decoder MACs. Each
board's cost per unit of each (non-negative least squares over measured networks,
benchmarks/cost_model.py) lives in boards/cost-models/<board>.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn2c.codegen.generator import encoder_calls
from snn2c.contract import Decoder
from snn2c.errors import Snn2cError
from snn2c.quantize import QuantizedNetwork
from snn2c.quantize.plan import QuantizedEncoder, QuantizedIzh, QuantizedLIF, QuantizedNeuron
from snn2c.reference import countform
from snn2c.resources import data_dir

FEATURES = (
    "call",  # once per inference: calls, prologues, decode
    "stepped",  # once per inference of a stepped network: reset, the step loop
    "encode",  # encoder outputs computed once per inference (fields, currents, latencies)
    "encode_direct",  # per-feature encodings: direct columns (copies, not fields)
    "encode_call",  # per-feature encodings: encoder kernel calls beyond the first
    "encode_step",  # encoder outputs computed at every step (rate encoders' spike draws)
    "mac_q12_s8",  # current-driven dense MACs, int8 weights
    "mac_q12_s16",  # current-driven dense MACs, int16 weights
    "rows_q12",  # current-driven dense output rows (per-row overhead)
    "syn_s8",  # spike-driven accumulates (spike x fan-out), int8 weights
    "syn_s16",  # spike-driven accumulates, int16 weights
    "spike_scan",  # inputs of spike-driven layers scanned for spikes (inputs x steps)
    "lif_update",  # LIF/LI neuron updates (neurons x steps)
    "izh_update",  # Izhikevich neuron updates
    "step",  # time steps (per-step loop and encoder overhead)
    "layer_step",  # layers x time steps (per-layer call overhead)
    "count_lookup",  # counting form: count-table look-ups (one per hidden neuron)
    "decode_mac",  # decoder / folded readout MACs
    "vote",  # population decoder: one sigmoid vote per readout neuron
)


# each neuron model's update, the feature that counts it (a new model: a new feature)
UPDATE_FEATURE: dict[type[QuantizedNeuron], str] = {
    QuantizedLIF: "lif_update",
    QuantizedIzh: "izh_update",
}


def features(qnet: QuantizedNetwork, spike_counts: np.ndarray) -> np.ndarray:
    """The work of one inference, averaged over inputs whose integer-reference spike
    counts per layer (B, n_layers + 1; column 0 the encoder) are given."""
    mean_spikes = np.asarray(spike_counts, dtype=np.float64).mean(axis=0)
    f = dict.fromkeys(FEATURES, 0.0)
    f["call"] = 1.0
    enc = qnet.encoder
    dec = qnet.decoder
    f["decode_mac"] = float(dec.weight.size)
    f["vote"] = float(dec.weight.shape[1]) if dec.kind is Decoder.POPULATION else 0.0
    _encoder_work(enc, f)
    cf = countform.derive(qnet)
    if cf is not None:
        first = qnet.layers[0]
        n_in = first.n_in + (-first.n_in % (4 if first.weight_bits == 8 else 2))
        f[f"mac_q12_s{first.weight_bits}"] = float(n_in * first.n_out)
        f["rows_q12"] = float(first.n_out)
        f["count_lookup"] = float(first.n_out)
        f["decode_mac"] = float(cf.fold_weight.size)
        return np.array([f[k] for k in FEATURES])
    steps = float(qnet.steps)
    f["stepped"] = 1.0
    f["step"] = steps
    f["layer_step"] = steps * len(qnet.layers)
    if enc.kind.rate:
        f["encode_step"] = float(enc.n_out) * steps
    for i, layer in enumerate(qnet.layers):
        if layer.input_spiking:
            f[f"syn_s{layer.weight_bits}"] += mean_spikes[i] * layer.n_out
            f["spike_scan"] += steps * layer.n_in
        else:
            # a constant current: the first layer's input is computed once, before the steps
            n_in = layer.n_in + (-layer.n_in % (4 if layer.weight_bits == 8 else 2))
            f[f"mac_q12_s{layer.weight_bits}"] += n_in * layer.n_out
            f["rows_q12"] += layer.n_out
        f[UPDATE_FEATURE[type(layer.neuron)]] += steps * layer.n_out
    return np.array([f[k] for k in FEATURES])


def _encoder_work(enc: QuantizedEncoder, f: dict[str, float]) -> None:
    """The encoder's outputs; per-feature encodings split into fields, direct columns
    and the kernel calls beyond the first (one per run, codegen.generator.encoder_calls)."""
    direct = 0 if enc.features is None else sum(1 for d, _ in enc.features if d)
    f["encode"] = float(enc.n_out - direct)
    if enc.features is not None:
        f["encode_direct"] = float(direct)
        f["encode_call"] = float(max(len(encoder_calls(enc)[0]) - 1, 0))


@dataclass(frozen=True)
class CostModel:
    board: str
    coefficients: np.ndarray  # instructions per unit of each FEATURES entry
    calibration: dict  # how it was fitted: networks, error

    def predict(self, feats: np.ndarray) -> float:
        return float(np.dot(self.coefficients, feats))

    def to_json(self) -> str:
        doc = {
            "format": "snn2c-cost-model",
            "board": self.board,
            "features": list(FEATURES),
            "coefficients": [round(float(c), 4) for c in self.coefficients],
            "calibration": self.calibration,
        }
        return json.dumps(doc, indent=1) + "\n"


def fit(board: str, rows: list[np.ndarray], measured: list[float], **info) -> CostModel:
    """Non-negative least squares of measured instructions on the features, weighted so
    that every network's relative error counts alike."""
    from scipy.optimize import nnls  # scipy comes with scikit-learn

    a = np.vstack(rows)
    y = np.asarray(measured, dtype=np.float64)
    w = 1.0 / y
    coef, _ = nnls(a * w[:, None], y * w)
    pred = a @ coef
    rel = np.abs(pred - y) / y
    calibration = {
        **info,
        "networks": len(y),
        "mean_abs_rel_error": round(float(rel.mean()), 4),
        "max_abs_rel_error": round(float(rel.max()), 4),
    }
    return CostModel(board, coef, calibration)


def path_for(board: str) -> Path:
    return data_dir("boards") / "cost-models" / f"{board}.json"


def load(board: str) -> CostModel:
    path = path_for(board)
    if not path.is_file():
        have = sorted(p.stem for p in path.parent.glob("*.json"))
        raise Snn2cError(
            f"no cost model calibrated for board '{board}': search a board that has one "
            f"({', '.join(have) or 'none installed'}; `snn2c boards` shows them), or "
            f"calibrate one from a checkout of snn2c's source repository with "
            f"`python benchmarks/cost_model.py --board {board}` (docs/search.md)"
        )
    doc = json.loads(path.read_text())
    if doc.get("features") != list(FEATURES):
        raise Snn2cError(
            f"{path}: calibrated for other features; run benchmarks/cost_model.py again"
        )
    return CostModel(
        doc["board"], np.asarray(doc["coefficients"], dtype=np.float64), doc["calibration"]
    )
