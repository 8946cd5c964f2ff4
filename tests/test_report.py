"""snn2c report: hand-computed counts, sparsity, energy formulas, CLI JSON, figures,
and the C spike counters against the report's counts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from snn2c import ir, modelfile
from snn2c.cli import main
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer, normalize
from snn2c.report import energy
from snn2c.report.metrics import activity

from hostc import build_host


def tiny_network(steps: int = 8) -> ir.Network:
    """1 input (direct encoder) -> 2 LIF -> 1 LI, membrane readout.

    Layer 0: W = [1.0, 0.5] (int8 at ws = 6: 64, 32), so at u = 1 the currents are
    exactly 1.0 and 0.5 (Q16 65536, 32768); threshold 0.9 (Q16 58982), fire on >,
    reset by subtraction. leak_shift 16: asr(V, 16) = 0 for 0 <= V < 1.0, so no
    leak happens while V stays below 1.0 after each reset (8 steps of neuron 0
    bring it to 0.8). Layer 1 (LI) sums the two spike trains with weights 1.0.
    """
    lif = ir.LIFNeuron(leak="shift", leak_shift=16, threshold=0.9)
    layer0 = ir.DenseLayer(np.array([[1.0], [0.5]]), np.zeros(2), lif)
    li = ir.LINeuron(leak="shift", leak_shift=16)
    layer1 = ir.DenseLayer(np.array([[1.0, 1.0]]), np.zeros(1), li)
    return ir.Network(
        name="tiny",
        inputs=ir.InputSpec(("x",), np.array([0.0]), np.array([1.0])),
        target=ir.TargetSpec(),
        encoder=ir.EncoderSpec(kind="direct", steps=steps),
        layers=(layer0, layer1),
        decoder=ir.DecoderSpec("membrane", np.array([[1.0]]), np.array([0.0])),
    )


def test_tiny_network_counts_by_hand():
    # Sample 0 (u = 1). Neuron 0: I = 1.0 > 0.9 at every step: 8 spikes (V after
    # reset 0.1, 0.2, ..., 0.8). Neuron 1: I = 0.5, V after integrate .5, 1.0*, .6,
    # 1.1*, .7, 1.2*, .8, 1.3* -> spikes at t = 1, 3, 5, 7: 4 spikes. 12 in all.
    # Sample 1 (u = 0): no current, no bias, nothing happens.
    net = tiny_network()
    x_q = np.array([[4096], [0]])
    act = activity(net, x_q)
    assert act.spike_counts.tolist() == [[0, 12, 0], [0, 0, 0]]
    assert act.result.spikes is not None
    assert act.result.spikes[1][0, :, 1].tolist() == [0, 1, 0, 1, 0, 1, 0, 1]
    assert act.spikes_per_layer == [0.0, 6.0, 0.0]  # mean over the two samples
    # sparsity over LIF layers only (layer 1 is LI): 2 neurons x 8 steps per sample;
    # silent: 16 - 12 = 4 (sample 0) and 16 (sample 1)
    assert act.activation_sparsity == pytest.approx((4 + 16) / 32)
    l0, l1, dec = act.ops
    # layer 0, constant current: 2 non-zero weights x non-zero input = 2 MACs once per
    # inference in sample 0, 0 in sample 1 -> mean 1; counted per step: 2 x 8 / 2 = 8;
    # dense: 1 x 2 weights once
    assert (l0.kind, l0.effective, l0.per_step, l0.dense) == ("mac", 1.0, 8.0, 2.0)
    # layer 1: 12 spikes x fan-out 1 in sample 0, none in sample 1 -> mean 6 ACs;
    # dense: 2 x 1 weights x 8 steps
    assert (l1.kind, l1.effective, l1.dense) == ("ac", 6.0, 16.0)
    # decoder: one MAC where f = V(T) != 0 (sample 0 only) -> mean 0.5
    assert (dec.kind, dec.effective) == ("mac", 0.5)
    assert act.mac == 1.5 and act.ac == 6.0
    # membrane updates executed: 3 neurons x 8 steps
    assert act.membrane_updates_executed == 24.0
    # NeuroBench: all 3 neurons at step 0, then each neuron whose V changed. Sample 0:
    # neuron 0 grows 0.1 per step, neuron 1 alternates, the LI neuron integrates
    # every step (every step has a spike): 3 + 3 x 7 = 24; sample 1: 3 + 0
    assert act.membrane_updates == pytest.approx((24 + 3) / 2)


def test_spiking_encoder_counts_acs():
    net = random_network(2, encoder="rate_periodic", decoder="rate", steps=10)
    x_q = np.array([[4096, 2048, 0]])
    act = activity(net, x_q)
    q = quantize(net)
    # rate_periodic at x_q = 4096: a spike every step; 2048: every other; 0: never
    assert act.spike_counts[0, 0] == 10 + 5
    fan0 = (q.layers[0].weight != 0).sum(axis=0)
    assert act.ops[0].kind == "ac"
    assert act.ops[0].effective == 10 * fan0[0] + 5 * fan0[1]


def _sparsity_by_hand_problem(net: ir.Network) -> str | None:
    """What differs between the report's sparsity of `net` on u = 1, 0.5, 0 and the
    numbers worked out by hand for tiny_network; None if nothing.

    Hidden LIF layer, 2 neurons x 8 steps = 16 (neuron, step) pairs per sample; the LI
    readout does not spike and does not count. Currents 1.0 and 0.5 at u = 1, 0.5
    and 0.25 at u = 0.5 (exact in Q16); threshold 0.9 (Q16 58982), reset by
    subtraction leaves 6554 (0.1), and no leak below 1.0.
      u = 1: neuron 0 fires at every step (8), neuron 1 at t = 1, 3, 5, 7 (4): 12
      u = 0.5: neuron 0 at t = 1, 3, 5, 7 (4); neuron 1 integrates 16384 a step:
        65536 > 58982 at t = 3 (-> 6554), 72090 at t = 7: 2 spikes; 6 in all
      u = 0: none
    silent pairs 4 + 10 + 16 = 30 of 48: 0.625 (the total and the layer's)."""
    act = activity(net, np.array([[4096], [2048], [0]]))
    got = (act.spike_counts[:, 1].tolist(), act.activation_sparsity, act.sparsity_per_layer)
    want = ([12, 6, 0], 0.625, {"layer 0 (hidden, LIF x2)": 0.625})
    return None if got == want else f"report {got}, by hand {want}"


def test_sparsity_definition():
    """Silent (neuron, step) pairs of the spiking layers over all of theirs, against a
    case counted by hand (not the implementation's formula again)."""
    assert _sparsity_by_hand_problem(tiny_network()) is None


def test_sparsity_check_fails_on_another_network():
    """The partner of test_sparsity_definition: the same check on a network whose
    spikes differ from the hand count (threshold 0.4: more spikes; a spiking readout:
    more pairs) reports the difference."""
    import dataclasses

    net = tiny_network()
    l0, l1 = net.layers
    lower = dataclasses.replace(l0, neuron=dataclasses.replace(l0.neuron, threshold=0.4))
    spiking_readout = dataclasses.replace(
        l1, neuron=ir.LIFNeuron(leak="shift", leak_shift=16, threshold=0.9)
    )
    for broken in ((lower, l1), (l0, spiking_readout)):
        problem = _sparsity_by_hand_problem(dataclasses.replace(net, layers=broken))
        assert problem is not None and problem.startswith("report ")


def test_energy_formulas_with_overridden_constants():
    c = energy.EnergyConstants(e_mac_pj=2.0, e_ac_pj=0.5, e_spike_pj=0.25, p_leak_w=1e-6)
    assert energy.ann_macs(3, (4, 5), 2) == 3 * 4 + 4 * 5 + 5 * 2
    assert energy.e_ann(42, c) == 84.0
    # 100 spikes x 0.25 pJ + 1 uW x 10 ms = 25 pJ + 10,000 pJ
    assert energy.e_snn(100, 7, 0.01, c) == pytest.approx(25.0 + 1e4)
    assert energy.e_synops(10, 20, c) == 30.0
    per_neuron = energy.EnergyConstants(p_leak_per_neuron_w=1e-9)
    assert per_neuron.leak_power(50) == pytest.approx(5e-8)
    doc = energy.energy_report(ann_mac=42, spikes=100, neurons=7, seconds=0.01, mac=10, ac=20, c=c)
    assert doc["ann"] == 84.0 and doc["snn_synops"] == 30.0
    assert doc["ratio"] == pytest.approx(84.0 / (25.0 + 1e4))
    assert doc["constants"]["e_mac_pj"] == 2.0 and doc["constants"]["p_leak_w"] == 1e-6


def _model_and_csv(tmp_path, seed=3, encoder="population", decoder="membrane"):
    net = random_network(seed, n_features=3, hidden=(8,), encoder=encoder, decoder=decoder, steps=8)
    model = tmp_path / f"m{seed}.snn"
    modelfile.save(net, model, force=True)
    rng = np.random.default_rng(0)
    x = net.inputs.low + rng.uniform(0, 1, (60, 3)) * (net.inputs.high - net.inputs.low)
    y = x.sum(axis=1)
    csv = tmp_path / "data.csv"
    lines = ["x0,x1,x2,y"] + [
        ",".join(f"{v:.9g}" for v in (*r, t)) for r, t in zip(x, y, strict=True)
    ]
    csv.write_text("\n".join(lines) + "\n")
    return net, model, csv


def test_cli_json_shape_and_figures(tmp_path, capsys):
    _net, model, csv = _model_and_csv(tmp_path)
    out = tmp_path / "r"
    rc = main(
        [
            "report",
            str(model),
            "--dataset",
            f"csv:{csv}",
            "--target",
            "y",
            "--no-ann",
            "--out",
            str(out),
            "--json",
            "--e-mac",
            "3.0",
            "--e-spike",
            "0.2",
            "--p-leak",
            "0",
        ]
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    for key in (
        "accuracy",
        "spikes_per_inference",
        "activation_sparsity",
        "synops",
        "energy_pj",
        "target",
    ):
        assert key in doc
    acc = doc["accuracy"]
    scores = {"mse", "r2", "ndei", "smape"}  # snn2c.scoring, as the trainer scores
    assert set(acc["snn_float"]) == scores and set(acc["snn_quantized"]) == scores
    assert acc["ann"] is None and "--no-ann" in acc["ann_reason"]
    assert {"mac", "ac"} <= set(doc["synops"])
    e = doc["energy_pj"]
    assert e["constants"]["e_mac_pj"] == 3.0 and e["constants"]["e_spike_pj"] == 0.2
    assert e["ann"] == pytest.approx(e["ann_mac"] * 3.0)
    assert e["snn"] == pytest.approx(doc["spikes_per_inference"]["total"] * 0.2)
    assert doc["target"]["available"] is False
    assert (out / "report.html").stat().st_size > 10_000
    for fig in doc["figures"]:
        data = Path(fig["path"]).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    # the report is not overwritten without --force
    assert (
        main(
            [
                "report",
                str(model),
                "--dataset",
                f"csv:{csv}",
                "--target",
                "y",
                "--no-ann",
                "--out",
                str(out),
            ]
        )
        == 2
    )


def test_cli_several_models_and_ann(tmp_path, capsys):
    pytest.importorskip(
        "torch",
        reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    net, model, csv = _model_and_csv(tmp_path)
    net2 = random_network(
        4, n_features=3, hidden=(8,), encoder="rate_periodic", decoder="rate", steps=8
    )
    net2 = ir.Network(**{**net2.__dict__, "inputs": net.inputs})
    model2 = tmp_path / "m4.snn"
    modelfile.save(net2, model2, force=True)
    out = tmp_path / "r"
    rc = main(
        [
            "report",
            str(model),
            str(model2),
            "--dataset",
            f"csv:{csv}",
            "--target",
            "y",
            "--ann-epochs",
            "3",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["models"]) == 2 and len(doc["comparison"]) == 2
    assert set(doc["models"][0]["accuracy"]["ann"]) == {"mse", "r2", "ndei", "smape"}
    assert (out / "decoders.png").stat().st_size > 5_000


def test_cli_needs_a_dataset(tmp_path, capsys):
    _net, model, _csv = _model_and_csv(tmp_path)
    assert main(["report", str(model), "--no-ann"]) == 2
    assert "no dataset recorded" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no host C compiler")
@pytest.mark.parametrize(
    "encoder,decoder",
    [("population", "membrane"), ("rate_bernoulli", "rate"), ("latency", "first_spike")],
)
def test_c_spike_counters_match_report(tmp_path, encoder, decoder):
    net = random_network(11, hidden=(12, 6), encoder=encoder, decoder=decoder, steps=10)
    x_q = np.random.default_rng(1).integers(0, 4097, (16, net.n_inputs))
    host = build_host(net, tmp_path)
    _outputs, c_counts = host.infer(x_q)
    act = activity(net, x_q)
    np.testing.assert_array_equal(c_counts, act.spike_counts)
    assert act.spikes_per_inference > 0


@pytest.mark.slow
def test_qemu_spike_counters_match_report(tmp_path):
    pytest.importorskip("snn2c.emulate", reason="needs snn2c.emulate; CI fails on any skip")
    if shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("qemu-system-arm / arm-none-eabi-gcc not installed")
    from snn2c.boards import load_board
    from snn2c.build import build
    from snn2c.emulate import verify_qemu
    from snn2c.reference.vectors import make_vectors
    from snn2c.report.target import target_report

    net = random_network(12, hidden=(10,), encoder="rate_periodic", decoder="rate", steps=8)
    build(net, load_board("nucleo-f401"), tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=12, count_sample=2)
    assert res["mismatches"] == 0  # the device's spike counters equal the reference's ...
    vec = make_vectors(quantize(net), 12)
    act = activity(net, np.clip(vec.x_q.astype(np.int64), 0, 4096))
    np.testing.assert_array_equal(act.spike_counts, vec.spikes)  # ... and the report's
    doc = target_report(tmp_path / "b", verify=res)
    assert doc["instructions_per_inference"] > 0 and doc["estimate"]["time_us"] > 0
    assert doc["flash_bytes"] > 0


def test_report_counts_match_normalize(tmp_path):
    net, _model, _csv = _model_and_csv(tmp_path)
    x = net.inputs.low + np.array([[0.2, 0.5, 0.9]]) * (net.inputs.high - net.inputs.low)
    x_q = normalize(net, x)
    # float32 normalisation: u * 4096 rounded half up
    np.testing.assert_array_equal(x_q, [[819, 2048, 3686]])
    act = activity(net, x_q)
    ref = integer.run(quantize(net), x_q)
    assert act.n_samples == 1 and act.steps == 8
    assert act.spikes_per_inference == pytest.approx(float(ref.spike_counts.sum()))


def _with_baseline(net: ir.Network, hidden: tuple[int, ...] = (6, 5)) -> ir.Network:
    """net with a stored baseline MLP of random weights (as `snn2c train` stores one)."""
    import dataclasses

    rng = np.random.default_rng(1)
    widths = (net.n_inputs, *hidden, 1)
    weights = tuple(
        rng.normal(0, 0.5, (o, i)) for i, o in zip(widths[:-1], widths[1:], strict=True)
    )
    biases = tuple(rng.normal(0, 0.1, o) for o in widths[1:])
    return dataclasses.replace(net, baseline=ir.BaselineMLP(weights, biases, note="test"))


def test_stored_baseline_round_trips_and_is_used_without_retraining(tmp_path, capsys):
    net = _with_baseline(random_network(8, n_features=10, encoder="direct"))
    path = tmp_path / "m.snn"
    modelfile.save(net, path)
    back = modelfile.load(path)
    assert back.baseline is not None and back.baseline.hidden == (6, 5)
    for a, b in zip(back.baseline.weights, net.baseline.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert modelfile.dumps(back) == modelfile.dumps(net)
    assert main(["report", str(path), "--dataset", "friedman1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ann"]["hidden_from"] == "stored in the model file"
    from snn2c.report import ann
    from snn2c.report.core import load_data
    from snn2c.scoring import regression_metrics

    data = load_data(back, "friedman1", None, None)  # as the CLI loads it
    want = regression_metrics(data.y_test, ann.predict_stored(back, data.x_test), back.target)
    assert doc["accuracy"]["ann"] == pytest.approx(want)


@pytest.mark.slow
def test_report_measures_the_baseline_ann_on_the_board(tmp_path, capsys):
    """The stored MLP as emlearn C on the SNN's board: instructions counted in QEMU,
    its outputs on the device equal to numpy's within emlearn's 6-digit weights."""
    pytest.importorskip("emlearn", reason="needs emlearn: pip install 'snn2c[bench]'")
    from snn2c.boards import load_board
    from snn2c.build import build
    from snn2c.report import ann_target
    from snn2c.report.core import load_data

    from _boards_helpers import need_qemu

    board = load_board("nucleo-f401")
    need_qemu(board)
    net = _with_baseline(random_network(8, n_features=10, encoder="direct"))
    path = tmp_path / "m.snn"
    modelfile.save(net, path)
    build(net, board, tmp_path / "fw")
    data = load_data(net, "friedman1", None, 0)
    x = data.x_test[:40]
    res = ann_target.measure(tmp_path / "fw", board, net, x)
    u = np.clip((x - net.inputs.low) / (net.inputs.high - net.inputs.low), 0, 1)
    np.testing.assert_allclose(res["outputs01"], net.baseline.predict(u)[:, 0], atol=2e-3)
    assert res["instructions_per_inference"] > 100 and res["flash_bytes"] > 0
    # and through the CLI, beside the SNN
    argv = ["report", str(path), "--dataset", "friedman1", "--build", str(tmp_path / "fw")]
    assert main([*argv, "--vectors", "8"]) == 0
    out = capsys.readouterr().out
    assert "side by side" in out and "ANN (MLP 6x5, emlearn)" in out


def test_report_out_folder_is_never_overwritten_without_force(tmp_path, capsys):
    net = random_network(8, n_features=10, encoder="direct")
    path = tmp_path / "m.snn"
    modelfile.save(net, path)
    out = tmp_path / "rep"
    out.mkdir()
    mine = out / "m_raster.png"  # a file of the user's that a figure would replace
    mine.write_bytes(b"mine")
    argv = ["report", str(path), "--dataset", "friedman1", "--out", str(out), "--no-ann"]
    assert main(argv) == 2
    assert "not empty (use --force" in capsys.readouterr().err
    assert mine.read_bytes() == b"mine"
    (tmp_path / "afile").write_text("x")
    assert main([*argv[:-3], "--out", str(tmp_path / "afile")]) == 2
    assert "is a file" in capsys.readouterr().err
