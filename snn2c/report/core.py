"""Assemble one model's report document: accuracy, activity, energy, target, figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.contract import V_ONE
from snn2c.errors import Snn2cError
from snn2c.quantize import QuantizedNetwork
from snn2c.reference import fidelity, normalize_device, predict, run_rows
from snn2c.reference.integer import State
from snn2c.report import ann, energy, figures
from snn2c.report.metrics import activity
from snn2c.scoring import regression_metrics, smape


@dataclass(frozen=True)
class TestData:
    name: str
    x_train: np.ndarray | None
    y_train: np.ndarray | None
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    x_test: np.ndarray
    y_test: np.ndarray
    seed: int


def load_data(
    net: ir.Network, dataset: str | None, target: str | None, seed: int | None
) -> TestData:
    """The test split of --dataset, or of the dataset recorded by `snn2c train`."""
    from snn2c.train import datasets  # numpy (+ scikit-learn for its generators)

    meta = net.metadata or {}
    if seed is None:
        seed = int(meta.get("seed", 0))
    if dataset is None:
        dataset = meta.get("dataset")
        if not dataset:
            raise Snn2cError(
                f"model '{net.name}': no dataset recorded in its metadata; "
                "pass --dataset NAME or --dataset csv:PATH --target COLUMN"
            )
        if dataset.startswith("csv:"):
            raise Snn2cError(
                f"model '{net.name}' was trained on a CSV file ({dataset[4:]}); "
                "pass --dataset csv:PATH --target COLUMN"
            )
    samples = meta.get("samples") if dataset == meta.get("dataset") else None
    try:
        ds = datasets.load(dataset, seed, target, samples, streaming=net.streaming)
    except ImportError as e:
        raise Snn2cError(
            f"--dataset {dataset}: needs {e.name} (pip install snn2c[train])"
        ) from None
    if net.inputs.adc_bits is not None:  # the readings the model was trained on
        ds = datasets.as_adc_counts(ds, net.inputs.adc_bits)
    names = tuple(net.inputs.names)
    if ds.feature_names != names:
        missing = [n for n in names if n not in ds.feature_names]
        if missing:
            raise Snn2cError(
                f"--dataset {dataset}: no column(s) {', '.join(missing)} that model "
                f"'{net.name}' reads (the data has: {', '.join(ds.feature_names)})"
            )
    idx = [ds.feature_names.index(n) for n in names]
    return TestData(
        name=dataset,
        x_train=ds.x_train[:, idx],
        y_train=ds.y_train,
        x_val=ds.x_val[:, idx],
        y_val=ds.y_val,
        x_test=ds.x_test[:, idx],
        y_test=ds.y_test,
        seed=seed,
    )


def _before_test(data: TestData) -> np.ndarray:
    """The rows a stream has seen when its test part starts (train, then validation)."""
    parts = [x for x in (data.x_train, data.x_val) if x is not None]
    return np.concatenate(parts) if parts else data.x_test[:0]


def _test_predictions(qnet: QuantizedNetwork, data: TestData, mode: str) -> np.ndarray:
    """Predictions on the test rows; a streaming model's after the whole series before
    them, where the device would be (the trainer scores it so too)."""
    if not qnet.streaming:
        return predict(qnet, data.x_test, mode=mode)
    before = _before_test(data)
    return predict(qnet, np.concatenate([before, data.x_test]), mode=mode)[len(before) :]


def _state_before_test(qnet: QuantizedNetwork, data: TestData) -> State | None:
    """A streaming model's state when the test rows start; None for a static model."""
    if not qnet.streaming:
        return None
    return run_rows(qnet, normalize_device(qnet, _before_test(data))).state


# tasks whose target is the input series one step ahead, so that a model can run on
# its own predictions (NeuroBench's free-running test); others have no such mode
FREE_RUNNING_TASKS = ("mackey-glass-nb",)


def free_running(qnet: QuantizedNetwork, data: TestData) -> np.ndarray:
    """NeuroBench's autonomous test on the integer reference (what the device computes):
    the first test input is measured, every later one is the model's own previous
    prediction. A streaming model carries its state from the series before the test
    part; a windowed one shifts its window (the newest value last)."""
    from snn2c.reference.integer import run

    net = qnet.source
    n = len(data.y_test)
    out = np.zeros(n)
    if not qnet.streaming:
        w = np.asarray(data.x_test[0], np.float64).copy()
        for i in range(n):
            out[i] = predict(qnet, w[None])[0, 0]
            w = np.append(w[1:], out[i])
        return out
    state = _state_before_test(qnet, data)
    x = float(data.x_test[0, 0])
    for i in range(n):
        res = run(qnet, normalize_device(qnet, np.array([[x]])), state=state)
        state = res.state
        out[i] = net.target.offset + net.target.scale * float(res.outputs[0, 0]) / V_ONE
        x = out[i]
    return out


def mlp_free_running(net: ir.Network, data: TestData) -> np.ndarray:
    """The stored baseline MLP in the same autonomous test (it has no state: a
    streaming model's baseline sees its own last prediction only)."""
    w = np.asarray(data.x_test[0], np.float64).copy()
    out = np.zeros(len(data.y_test))
    for i in range(len(out)):
        out[i] = ann.predict_stored(net, w[None])[0, 0]
        w = np.append(w[1:], out[i])
    return out


def free_running_report(qnet: QuantizedNetwork, data: TestData) -> dict | None:
    """Free-running sMAPE of the SNN (integer reference) and the stored MLP, for a task
    in FREE_RUNNING_TASKS whose one input is the series (streaming) or whose inputs
    are its recent values (windowed); None elsewhere."""
    net = qnet.source
    if data.name not in FREE_RUNNING_TASKS or net.n_outputs != 1:
        return None
    doc: dict = {
        "metric": "sMAPE, free-running (NeuroBench): each input after the first is the "
        "model's own previous prediction",
        "steps": len(data.y_test),
        "snn_quantized": smape(data.y_test, free_running(qnet, data)),
        "ann": None,
    }
    if net.baseline is not None:
        doc["ann"] = smape(data.y_test, mlp_free_running(net, data))
    return doc


def model_report(
    qnet: QuantizedNetwork,
    data: TestData,
    *,
    name: str,
    constants: energy.EnergyConstants,
    out: Path | None,
    train_ann: bool = True,
    ann_epochs: int = 200,
    sample: int = 0,
) -> dict:
    """Everything about one model except the target section."""
    net = qnet.source
    y_float = _test_predictions(qnet, data, "float")
    y_fixed = _test_predictions(qnet, data, "fixed")
    accuracy: dict = {
        "snn_float": regression_metrics(data.y_test, y_float, net.target),
        "snn_quantized": regression_metrics(data.y_test, y_fixed, net.target),
        "ann": None,
        "target_scale": net.target.scale,
        "n_test": len(data.y_test),
    }
    if data.x_train is not None and data.y_train is not None:
        accuracy["linear"] = regression_metrics(
            data.y_test,
            ann.linear_predictions(net, data.x_train, data.y_train, data.x_test),
            net.target,
        )
    hidden, hidden_from = ann.hidden_layers(net)
    ann_info: dict = {"hidden": list(hidden), "hidden_from": hidden_from}
    y_ann = None
    if net.baseline is not None:  # stored by snn2c train: no retraining
        hidden = net.baseline.hidden
        ann_info = {
            "hidden": list(hidden),
            "hidden_from": "stored in the model file",
            "stored": net.baseline.note,
        }
        y_ann = ann.predict_stored(net, data.x_test)
        accuracy["ann"] = regression_metrics(data.y_test, y_ann, net.target)
    elif not train_ann:
        accuracy["ann_reason"] = "not trained (--no-ann)"
    elif data.x_train is None or data.y_train is None or data.x_val is None or data.y_val is None:
        accuracy["ann_reason"] = "no training split available"
    else:
        try:
            y_ann = ann.train_and_predict(
                net,
                data.x_train,
                data.y_train,
                data.x_val,
                data.y_val,
                data.x_test,
                hidden=hidden,
                seed=data.seed,
                epochs=ann_epochs,
            )
            accuracy["ann"] = regression_metrics(data.y_test, y_ann, net.target)
            ann_info["retrained"] = (
                f"snn2c.train.baseline, seed {data.seed}, <= {ann_epochs} epochs"
            )
        except ImportError:
            accuracy["ann_reason"] = "torch is not installed (pip install snn2c[train])"
    free = free_running_report(qnet, data)
    if free is not None:
        accuracy["free_running"] = free
    imported = fidelity.stored(net.metadata)
    if imported is not None:  # measured by import-nir against the float import
        accuracy["import_fidelity"] = imported.to_json()
    x_q = normalize_device(qnet, data.x_test)
    act = activity(net, x_q, qnet, _state_before_test(qnet, data))
    # the MLP's multiply-adds on the inputs it reads (none for the inputs the SNN drops)
    ann_in = len(net.baseline.inputs_read() if net.baseline else net.used_inputs())
    ann_mac = energy.ann_macs(ann_in, hidden, net.n_outputs)
    seconds = net.dt * net.steps
    doc = {
        "model": name,
        "network": net.name,
        "dataset": f"{data.name} (test split, seed {data.seed}, {len(data.y_test)} rows)",
        "encoder": net.encoder.kind,
        "decoder": net.decoder.kind,
        "steps": net.steps,
        "streaming": net.streaming,
        "dt": net.dt,
        "accuracy": accuracy,
        "ann": {**ann_info, "inputs": ann_in},
        **_inputs_read(net),
        **act.to_json(),
        "energy_pj": energy.energy_report(
            ann_mac=float(ann_mac),
            spikes=act.spikes_per_inference,
            neurons=act.neurons,
            seconds=seconds,
            mac=act.mac,
            ac=act.ac,
            c=constants,
        ),
    }
    if out is not None:
        doc["figures"] = write_figures(
            net, qnet, act, data, y_float, y_fixed, y_ann, name, out, sample
        )
    return doc


def _inputs_read(net: ir.Network) -> dict:
    """Which inputs the network reads and which it drops (per-feature encodings)."""
    if net.encoder.features is None:
        return {}
    used = set(net.used_inputs())
    names = net.inputs.names
    return {
        "inputs": {
            "read": [names[j] for j in sorted(used)],
            "dropped": [n for j, n in enumerate(names) if j not in used],
            "encodings": net.input_encodings(),
        }
    }


def write_figures(
    net, qnet, act, data, y_float, y_fixed, y_ann, name, out: Path, sample: int
) -> list:
    out.mkdir(parents=True, exist_ok=True)
    sample = min(max(0, sample), len(data.y_test) - 1)
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    u = float(
        np.clip(
            (data.x_test[sample, 0] - net.inputs.low[0]) / (net.inputs.high[0] - net.inputs.low[0]),
            0,
            1,
        )
    )
    preds = {"SNN quantized (device)": y_fixed, "SNN float": y_float}
    if y_ann is not None:
        preds["baseline ANN"] = y_ann
    made = [
        (
            figures.encoders(net, u, out / f"{stem}_encoders.png", net.inputs.names[0]),
            f"Feature {net.inputs.names[0]} of test sample {sample} under each encoder",
        ),
        (
            figures.raster(net, act, sample, out / f"{stem}_raster.png"),
            f"Spike raster of test sample {sample}",
        ),
        (
            figures.membranes(net, qnet, act, sample, out / f"{stem}_membranes.png"),
            f"Membrane potentials of test sample {sample}",
        ),
        (
            figures.readout(net, qnet, act, sample, out / f"{stem}_readout.png"),
            "The weighted sum that makes the output",
        ),
        (
            figures.pred_vs_true(data.y_test, preds, net.target, out / f"{stem}_pred_vs_true.png"),
            "Predicted vs true on the test set",
        ),
    ]
    return [{"path": str(p), "caption": c} for p, c in made]
