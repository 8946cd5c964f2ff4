"""The peers snn2c is measured against, as C sources for the same board.

* naive_snn: the snn2c network's float weights in plain float32 C, the loops a
  firmware engineer writes when porting the torch model by hand (rendered from
  benchmarks/templates/naive_snn.[ch].j2);
* emlearn: a scikit-learn MLPRegressor converted by emlearn (its "loadable"
  C, eml_net_regress on the FPU), wrapped by benchmarks/templates/emlearn_model.*.j2.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.errors import Snn2cError
from snn2c.quantize.tables import centres_float

from _common import environment  # type: ignore[import-not-found]


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
    if enc.kind not in ("population", "direct"):
        raise Snn2cError(
            f"naive float SNN: encoder {enc.kind!r} not supported (population, direct)"
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
                "delayed": n.reset_timing == "next_step",
                "reset_zero": n.reset == "zero",
                "fire_ge": n.fire == "ge",
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
    env = environment()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("naive_snn.c", "naive_snn.h"):
        p = folder / name
        p.write_text(env.get_template(name + ".j2").render(view))
        paths.append(p)
    return paths


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
    env = environment()
    paths = []
    for name in ("emlearn_model.c", "emlearn_model.h"):
        p = folder / name
        p.write_text(env.get_template(name + ".j2").render(view))
        paths.append(p)
    return paths


def emlearn_include_dir() -> Path:
    import emlearn

    return Path(emlearn.includedir)
