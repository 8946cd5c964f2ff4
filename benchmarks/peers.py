"""The peers snn2c is measured against, as C sources for the same board.

* naive_snn: the snn2c network's float weights in plain float32 C, the loops a
  firmware engineer writes when porting the torch model by hand (rendered from
  benchmarks/templates/naive_snn.[ch].j2);
* emlearn: a scikit-learn MLPRegressor converted by emlearn (its "loadable"
  C, eml_net_regress on the FPU), wrapped by benchmarks/templates/emlearn_model.*.j2;
* plain float: the same MLP as the obvious float32 C loops
  (benchmarks/templates/plain_mlp.[ch].j2), the normalisation folded into layer 0;
* int8: the same MLP quantized as TFLite Micro does (benchmarks/_int8.py), run by the
  benchmark's own int8 kernels (benchmarks/c/int8_fc.c), from int8_mlp.[ch].j2.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.contract import Encoder, Fire, Reset, ResetTiming
from snn2c.errors import Snn2cError
from snn2c.quantize.tables import centres_float

from _common import environment  # type: ignore[import-not-found]


def render_pair(folder: Path, stem: str, view: dict) -> list[Path]:
    """stem.c and stem.h from benchmarks/templates/stem.[ch].j2 into folder."""
    env = environment()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in (f"{stem}.c", f"{stem}.h"):
        path = folder / name
        path.write_text(env.get_template(name + ".j2").render(view))
        paths.append(path)
    return paths


def _input_view(net_or_low, high=None) -> dict:
    if high is None:
        low, high = net_or_low.inputs.low, net_or_low.inputs.high
    else:
        low = net_or_low
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    return {"in_low": low, "in_gain": 1.0 / (high - low)}


def render_naive_snn(net: ir.Network, folder: Path, provenance: str) -> list[Path]:
    """naive_snn.c / naive_snn.h for a network with a current encoder (population, direct)."""
    enc = net.encoder
    if enc.kind not in (Encoder.POPULATION, Encoder.DIRECT):
        raise Snn2cError(
            f"naive float SNN: encoder {enc.kind.value!r} not supported (population, direct)"
        )
    layers = []
    for layer in net.layers:
        n = layer.neuron
        layers.append(
            {
                "n_in": layer.n_in,
                "n_out": layer.n_out,
                "weight": np.asarray(layer.weight, dtype=np.float64),
                "bias": np.asarray(layer.bias, dtype=np.float64),
                "beta": n.decay,
                "threshold": n.threshold,
                "spiking": n.spiking,
                "delayed": n.reset_timing is ResetTiming.NEXT_STEP,
                "reset_zero": n.reset is Reset.ZERO,
                "fire_ge": n.fire is Fire.GE,
            }
        )
    view = {
        "provenance": provenance,
        "n_inputs": net.n_inputs,
        "n_outputs": net.n_outputs,
        "encoder_kind": enc.kind,
        "fields": enc.neurons_per_feature,
        "sigma": enc.sigma,
        "centres": centres_float(enc.neurons_per_feature),
        "inv_2s2": 1.0 / (2.0 * enc.sigma**2),
        "n_enc": enc.n_outputs(net.n_inputs),
        "steps": enc.steps,
        "layers": layers,
        "decoder_kind": net.decoder.kind,
        "dec_weight": np.asarray(net.decoder.weight, dtype=np.float64),
        "dec_bias": np.asarray(net.decoder.bias, dtype=np.float64),
        **_input_view(net),
    }
    return render_pair(folder, "naive_snn", view)


def train_mlp(u_train, y_train, hidden: tuple[int, ...], seed: int, max_iter: int = 300):
    """A scikit-learn MLPRegressor (relu, Adam, early stopping) on [0, 1] inputs and targets."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    model = MLPRegressor(
        hidden_layer_sizes=hidden,
        activation="relu",
        max_iter=max_iter,
        early_stopping=True,
        n_iter_no_change=20,
        random_state=seed,
    )
    with warnings.catch_warnings():  # max_iter reached: keep the model as it is
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(u_train, np.asarray(y_train).reshape(-1))
    return model


def render_emlearn(model, low, high, folder: Path, provenance: str) -> list[Path]:
    """emlearn's loadable C for the MLP, plus the normalisation constants."""
    import emlearn

    # emlearn compiles a host copy of the model under ./tmp/: keep it out of the checkout
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        converted = emlearn.convert(model, method="loadable", return_type="regressor")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "emlearn_model_net.h").write_text(converted.save(name="bench_mlp"))
    view = {
        "provenance": provenance,
        "emlearn_version": emlearn.__version__ if hasattr(emlearn, "__version__") else "?",
        "hidden": tuple(model.hidden_layer_sizes),
        "n_inputs": len(low),
        **_input_view(low, high),
    }
    return render_pair(folder, "emlearn_model", view)


FOLD_ATOL = 1e-5  # folding the normalisation into layer 0 must stay this close


def _mlp_layers(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight [n_out, n_in], bias) per layer of a scikit-learn MLP, float64."""
    return [
        (np.asarray(w, dtype=np.float64).T, np.asarray(b, dtype=np.float64))
        for w, b in zip(model.coefs_, model.intercepts_, strict=True)
    ]


def _forward32(layers, a: np.ndarray) -> np.ndarray:
    """The float32 forward pass of the plain C (acc = b; acc += w * a in order).
    Tiny weights round to float32 denormals or zero, as the C constants do."""
    with np.errstate(under="ignore"):
        a = np.asarray(a, dtype=np.float32)
        for k, (w, b) in enumerate(layers):
            w32, b32 = w.astype(np.float32), b.astype(np.float32)
            acc = np.broadcast_to(b32, (len(a), len(b32))).copy()
            for i in range(w32.shape[1]):
                acc = acc + a[:, i : i + 1] * w32[:, i]
            a = np.maximum(acc, np.float32(0)) if k < len(layers) - 1 else acc
    return a.astype(np.float64)


def plain_float_layers(model, low, high, x_check, raw: bool):
    """The plain float MLP's layers and how the inputs reach them.

    raw: int32 readings u * 4095, so layer 0's weights are divided by 4095 (exact up
    to float32 rounding, no offset). Float inputs: the scaling and offset fold into
    layer 0 (W' = W / (high - low), b' = b - W' low) behind a clamp of x to the
    training range, when that stays within FOLD_ATOL of the unfolded float32 network
    on x_check; else the inputs are normalised by a separate multiply-add as emlearn's
    are. Returns (layers, mode, the largest deviation of the fold seen)."""
    layers = _mlp_layers(model)
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    w0, b0 = layers[0]
    if raw:
        return [(w0 / 4095.0, b0), *layers[1:]], "raw", 0.0
    gain = 1.0 / (high - low)
    folded = [(w0 * gain, b0 - (w0 * gain) @ low), *layers[1:]]
    xc = np.clip(np.asarray(x_check, dtype=np.float64), low, high)
    ref = _forward32(layers, (xc - low) * gain)
    dev = float(np.max(np.abs(_forward32(folded, xc) - ref)))
    if dev <= FOLD_ATOL:
        return folded, "folded", dev
    return layers, "separate", dev


def render_plain_float(model, low, high, x_check, folder: Path, provenance: str, raw=False):
    """plain_mlp.c / plain_mlp.h; returns the normalisation mode and the fold's deviation."""
    layers, mode, dev = plain_float_layers(model, low, high, x_check, raw)
    notes = {
        "raw": "Input: int32 12-bit readings converted with (float); the 1/4095 is "
        "folded into layer 0's weights.",
        "folded": "Input: the raw float vector clamped to the training range; the "
        "normalisation (x - low) / (high - low) is folded into layer 0's weights and bias.",
        "separate": "Input: normalised by a multiply-add and clamped to [0, 1] (folding "
        "it into layer 0 was not exact enough for these ranges).",
    }
    view = {
        "provenance": provenance,
        "hidden": tuple(model.hidden_layer_sizes),
        "note": notes[mode],
        "raw": raw,
        "separate": mode == "separate",
        "clamp": mode == "folded",
        "n_inputs": len(low),
        "n_outputs": layers[-1][0].shape[0],
        "in_low": np.asarray(low, dtype=np.float64),
        "in_high": np.asarray(high, dtype=np.float64),
        "in_gain": 1.0 / (np.asarray(high, dtype=np.float64) - np.asarray(low, dtype=np.float64)),
        "layers": [
            {"n_in": w.shape[1], "n_out": w.shape[0], "weight": w, "bias": b} for w, b in layers
        ],
    }
    render_pair(folder, "plain_mlp", view)
    return mode, dev


def render_int8(model, folder: Path, provenance: str, hidden=()) -> list[Path]:
    """int8_mlp.c / int8_mlp.h of a quantized model (benchmarks/_int8.Model); the
    kernels are benchmarks/c/int8_fc.[ch] (compile them too)."""
    view = {
        "provenance": provenance,
        "hidden": tuple(hidden),
        "layers": model.layers,
        "n_inputs": model.n_inputs,
        "n_outputs": model.n_outputs,
        "out_scale": model.out_scale,
        "out_zero_point": model.out_zero_point,
        "in_low": model.low,
        "gain255": model.gain255,
        "raw_mult": model.raw_mult,
        "raw_shift": model.raw_shift,
        "adc_max": 4095,
    }
    return render_pair(folder, "int8_mlp", view)


def emlearn_include_dir() -> Path:
    import emlearn

    return Path(emlearn.includedir)
