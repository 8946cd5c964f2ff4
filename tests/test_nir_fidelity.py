"""import-nir picks the weight width by the fidelity it measures (docs/nir.md, "Fidelity"):
the chosen width keeps the fixed-point network close to the framework's own outputs, an
on-grid network stays int8, --weight-bits forces a width and the deviation is still
measured, --calibrate reads the user's inputs, and inspect and the report show it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from _snntorch_export import leaky_with_readout, readout_after, snntorch_export

from snn2c import ir, modelfile
from snn2c.cli import main
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import fidelity, predict

nir = pytest.importorskip(
    "nir",
    reason="needs nir (pip install 'snn2c[nir]'); scripts/setup.sh installs it and CI fails on any skip",
)
torch = pytest.importorskip(
    "torch",
    reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
)
snn = pytest.importorskip(
    "snntorch",
    reason="needs snntorch (pip install 'snn2c[nir]'); scripts/setup.sh installs it and CI fails on any skip",
)

from snn2c.nir import ImportOptions, export_network, import_graph  # noqa: E402
from snn2c.nir.importer import import_file  # noqa: E402

N_IN, N_HID, STEPS = 10, 48, 16
SNNTORCH = ImportOptions(steps=STEPS, reset="subtract", reset_timing="next_step")


def _snntorch_net(seed: int = 0):
    """The issue's case: 10-48-1, Leaky hidden layer and the docs' membrane readout idiom."""
    torch.manual_seed(seed)
    fc0, fc1 = torch.nn.Linear(N_IN, N_HID), torch.nn.Linear(N_HID, 1)
    with torch.no_grad():
        fc0.weight.mul_(4.0)
        fc1.weight.mul_(2.0)
    return leaky_with_readout(fc0, fc1)


def _snntorch_outputs(module, u: np.ndarray) -> np.ndarray:
    return readout_after(module, u, STEPS)


def _deviation(net: ir.Network, theirs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """|device - framework| in units of the framework's output std, per input row."""
    ours = predict(quantize(net), u, "fixed")
    return np.abs(ours - theirs) / np.std(theirs, axis=0)


@pytest.fixture(scope="module")
def snntorch_graph(tmp_path_factory):
    module = _snntorch_net()
    return module, snntorch_export(module, N_IN, tmp_path_factory.mktemp("g") / "net.nir")


def test_width_chosen_keeps_the_framework_outputs(snntorch_graph):
    """int8 loses what the net computes (measured, and against snnTorch itself), so the
    default import takes int16, and int16 is within the bounds against snnTorch too."""
    module, graph = snntorch_graph
    res = import_file(graph, SNNTORCH)
    assert res.fidelity is not None
    int8, int16 = res.fidelity.measured
    assert (int8.weight_bits, int16.weight_bits) == (8, 16)
    assert not int8.within_bounds and int16.within_bounds
    assert res.net.weight_bits == 16 and res.fidelity.chosen == int16
    assert any("int8 weights would leave" in n and "--weight-bits 8" in n for n in res.notes)
    # the claim checked against the framework's own outputs, on other inputs
    u = np.random.default_rng(7).uniform(0, 1, (400, N_IN))
    theirs = _snntorch_outputs(module, u)
    dev16 = _deviation(res.net, theirs, u)
    assert dev16.mean() <= fidelity.MEAN_BOUND and np.percentile(dev16, 99) <= fidelity.P99_BOUND
    dev8 = _deviation(replace(res.net, weight_bits=8), theirs, u)
    assert dev8.mean() > fidelity.MEAN_BOUND  # the width mattered
    assert abs(dev8.mean() - int8.mean) < 0.5 * int8.mean  # and was measured, not guessed


def _on_int8_grid(net: ir.Network) -> ir.Network:
    """The same network with weights and biases exactly on its int8 quantization grid."""
    q = quantize(net)
    layers = tuple(
        replace(lay, weight=ql.weight * 2.0**-ql.weight_frac, bias=ql.bias * 2.0**-16)
        for lay, ql in zip(net.layers, q.layers, strict=True)
    )
    return replace(net, layers=layers)


def test_a_network_on_the_int8_grid_stays_int8():
    net = random_network(
        11, encoder="direct", leak="mul", reset="zero", last_neurons=2, hidden=(12,)
    )
    graph = export_network(_on_int8_grid(net))
    graph.metadata = {}  # a foreign writer: no sidecar, the width is unknown
    res = import_graph(graph, ImportOptions(dt=net.dt, steps=net.steps))
    assert res.fidelity is not None
    assert [f.weight_bits for f in res.fidelity.measured] == [8]
    assert res.fidelity.chosen.within_bounds and res.net.weight_bits == 8
    assert not any("weights" in n for n in res.notes)


def test_forced_width_is_measured_kept_and_shown(snntorch_graph, tmp_path, capsys):
    _, graph = snntorch_graph
    model = tmp_path / "m.snn"
    args = ["import-nir", str(graph), "-o", str(model), "--steps", str(STEPS)]
    args += ["--reset", "subtract", "--reset-timing", "next_step", "--weight-bits", "8"]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    chosen = doc["fidelity"]["chosen"]
    assert chosen["weight_bits"] == 8 and chosen["mean"] > fidelity.MEAN_BOUND
    assert [m["weight_bits"] for m in doc["fidelity"]["measured"]] == [8]
    assert any("beyond fidelity's bounds" in n for n in doc["notes"])
    net = modelfile.load(model)
    assert net.weight_bits == 8
    assert net.metadata["nir_import"]["fidelity"]["mean"] == chosen["mean"]
    assert main(["inspect", str(model)]) == 0
    out = capsys.readouterr().out
    assert (
        f"import   int8 weights: fixed point against the float network, mean {chosen['mean']:.4f}"
        in out
    )
    # the report of the imported net on data (friedman1 has its 10 inputs x0..x9)
    report = ["report", str(model), "--dataset", "friedman1", "--no-ann"]
    assert main([*report, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["accuracy"]["import_fidelity"]
    assert shown == net.metadata["nir_import"]["fidelity"]
    assert main([*report, "--out", str(tmp_path / "r")]) == 0
    assert "import fidelity int8 weights" in capsys.readouterr().out
    page = (tmp_path / "r" / "report.html").read_text()
    assert "Imported from NIR at int8 weights" in page


def _write_csv(path: Path, header: list[str], rows: np.ndarray) -> Path:
    lines = [",".join(header)] + [",".join(f"{v:.6f}" for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_calibration_inputs_from_a_csv(snntorch_graph, tmp_path, capsys):
    _, graph = snntorch_graph
    rows = np.random.default_rng(3).uniform(0, 1, (50, N_IN))
    names = [f"x{i}" for i in range(N_IN)]
    named = _write_csv(tmp_path / "named.csv", ["extra", *names], np.c_[np.zeros(50), rows])
    by_name = import_file(graph, replace(SNNTORCH, calibrate=str(named))).fidelity
    in_order = _write_csv(tmp_path / "order.csv", [f"s{i}" for i in range(N_IN)], rows)
    by_order = import_file(graph, replace(SNNTORCH, calibrate=str(in_order))).fidelity
    assert by_name is not None and by_order is not None
    assert by_name.chosen.samples == 50 and "50 rows of named.csv" in by_name.chosen.calibration
    assert [f.mean for f in by_name.measured] == [f.mean for f in by_order.measured]
    uniform = import_file(graph, SNNTORCH).fidelity
    assert uniform is not None and uniform.chosen.mean != by_name.chosen.mean
    # the user's mistakes: one line, exit 2, no model written
    with_nan = rows[:3].copy()
    with_nan[1, 4] = np.nan
    bad = _write_csv(tmp_path / "nan.csv", names, with_nan)
    wrong = _write_csv(tmp_path / "few.csv", ["a", "b"], rows[:3, :2])
    for csv, says in (
        (bad, "not finite"),
        (wrong, "missing column"),
        (tmp_path / "no.csv", "no such file"),
    ):
        out = tmp_path / "m.snn"
        code = main(["import-nir", str(graph), "-o", str(out), "--calibrate", str(csv)])
        err = capsys.readouterr().err.strip()
        assert code == 2 and says in err and len(err.splitlines()) == 1, err
        assert not out.exists()


@pytest.mark.parametrize(
    "entry",
    [
        {
            "weight_bits": 8,
            "samples": 10,
            "mean": "0.1",
            "p99": 0.2,
            "max": 0.3,
            "calibration": "x",
        },
        {
            "weight_bits": True,
            "samples": 10,
            "mean": 0.1,
            "p99": 0.2,
            "max": 0.3,
            "calibration": "x",
        },
        {"weight_bits": 8, "samples": 10, "mean": 0.1, "p99": 0.2, "max": 0.3},
        "not an object",
    ],
)
def test_a_hand_edited_fidelity_entry_is_ignored(entry, tmp_path, capsys):
    net = random_network(2, encoder="direct")
    net = replace(net, metadata={"nir_import": {"fidelity": entry}})
    path = modelfile.save(net, tmp_path / "m.snn")
    assert fidelity.stored(modelfile.load(path).metadata) is None
    assert main(["inspect", str(path)]) == 0
    assert "import " not in capsys.readouterr().out
