"""Streaming networks: the state carried from sample to sample, in the references, the
range proof, the model file, the time-series datasets and `snn2c train --streaming`."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from snn2c import ir, modelfile
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import floatsim, integer, predict
from snn2c.train import datasets

from netcases import make_inputs, streaming_variant


def _stream_net(seed: int = 3, **kw) -> ir.Network:
    params = dict(n_features=2, hidden=(16,), steps=4, weight_scale=4.0) | kw
    return streaming_variant(random_network(seed, **params))


def test_a_stream_carries_state_and_equals_run_sample_by_sample():
    qnet = quantize(_stream_net())
    x = make_inputs(qnet.source, 40, seed=1)
    res = integer.stream(qnet, x)
    state = None
    for i in range(len(x)):
        one = integer.run(qnet, x[i : i + 1], state=state)
        assert np.array_equal(one.outputs[0], res.outputs[i])
        assert np.array_equal(one.spike_counts[0], res.spike_counts[i])
        state = one.state
    # the state matters: the same samples from the reset give other outputs
    assert not np.array_equal(integer.run(qnet, x).outputs, res.outputs)
    assert res.spike_counts[:, 1].sum() > 0


def test_a_stream_resumes_exactly_from_a_given_state():
    qnet = quantize(_stream_net(seed=4))
    x = make_inputs(qnet.source, 30, seed=2)
    whole = integer.stream(qnet, x)
    first = integer.stream(qnet, x[:13])
    rest = integer.stream(qnet, x[13:], state=first.state)
    assert np.array_equal(np.concatenate([first.outputs, rest.outputs]), whole.outputs)


def test_the_traced_stream_is_the_stream():
    qnet = quantize(_stream_net(seed=5))
    x = make_inputs(qnet.source, 12, seed=3)
    plain, traced = integer.stream(qnet, x), integer.stream(qnet, x, trace=True)
    assert np.array_equal(plain.outputs, traced.outputs)
    assert traced.membranes is not None and traced.membranes[0].shape == (12, 4, 16)


def test_float_stream_follows_the_integer_stream():
    net = _stream_net(seed=6)
    x = make_inputs(net, 60, seed=4)
    u = np.clip(x, 0, 4096) / 4096.0
    y_float = floatsim.stream_float(net, u).outputs
    y_int = integer.stream(quantize(net), x).outputs / 2.0**16
    # quantization error only (8-bit weights, Q16 membranes); a spike that flips carries
    # into the samples after it, so the bound is on the mean error: 2 % of the range
    span = float(np.ptp(y_float))
    assert span > 1.0
    assert float(np.mean(np.abs(y_float - y_int))) < 0.02 * span


def test_the_proof_holds_for_ever_only_where_a_layer_leaks():
    leaky = quantize(_stream_net(seed=7))
    assert leaky.streaming and leaky.proven
    v_lo, v_hi = leaky.layers[-1].bounds.membrane
    assert v_lo >= -(2**31) and v_hi < 2**31
    # a readout that never leaks integrates a stream without bound: it saturates
    base = random_network(7, n_features=2, hidden=(16,), steps=4, weight_scale=4.0)
    last = base.layers[-1]
    flat = dataclasses.replace(last.neuron, leak="mul", beta=1.0)
    never = dataclasses.replace(
        base, layers=(base.layers[0], dataclasses.replace(last, neuron=flat)), streaming=True
    )
    q = quantize(never)
    assert q.layers[-1].saturate and not q.layers[0].saturate
    assert not quantize(dataclasses.replace(never, streaming=False)).layers[-1].saturate


def test_a_held_maximum_keeps_a_long_stream_inside_its_proof():
    qnet = quantize(_stream_net(seed=8, encoder="direct"))
    x = np.full((3000, qnet.n_inputs), 4096)
    res = integer.stream(qnet, x, trace=True)  # the reference asserts its own proof too
    assert res.membranes is not None
    for layer, m in zip(qnet.layers, res.membranes, strict=True):
        lo, hi = layer.bounds.membrane
        assert lo <= int(m.min()) and int(m.max()) <= hi


def test_the_file_records_streaming_and_a_static_file_does_not_change():
    net = _stream_net(seed=9)
    back = modelfile.loads(modelfile.dumps(net))
    assert back.streaming
    doc = json.loads(modelfile.dumps(net))
    assert doc["timing"]["streaming"] is True
    static = dataclasses.replace(net, streaming=False)
    assert "streaming" not in json.loads(modelfile.dumps(static))["timing"]
    doc["timing"]["streaming"] = "yes"
    with pytest.raises(Exception, match="timing.streaming"):
        modelfile.from_dict(doc)


def test_predict_reads_rows_as_one_stream_in_order():
    qnet = quantize(_stream_net(seed=10))
    net = qnet.source
    x_raw = net.inputs.low + np.random.default_rng(0).uniform(0, 1, (25, 2)) * (
        net.inputs.high - net.inputs.low
    )
    y = predict(qnet, x_raw, mode="fixed")
    y_rev = predict(qnet, x_raw[::-1], mode="fixed")[::-1]
    assert not np.allclose(y, y_rev)  # order matters for a stream
    expect = integer.stream(qnet, integer.normalize(net, x_raw)).outputs / 2.0**16
    assert np.array_equal(y, net.target.offset + net.target.scale * expect)


def test_windowed_and_stream_forms_share_targets_and_splits():
    task = datasets.mackey_glass_task(600)
    w, s = task.dataset(streaming=False), task.dataset(streaming=True)
    assert s.n_features == 1 and w.n_features == 4
    for part in ("train", "val", "test"):
        assert np.array_equal(getattr(w, f"y_{part}"), getattr(s, f"y_{part}"))
        assert np.array_equal(getattr(w, f"x_{part}")[:, -1], getattr(s, f"x_{part}")[:, 0])
    # the windowed set is the classic mackey-glass dataset, unchanged
    assert np.array_equal(datasets.mackey_glass(0, 600).x_test, w.x_test)


def test_neurobench_task_geometry():
    d = datasets.load("mackey-glass-nb", 0, streaming=True)
    assert len(d.y_test) == 750 and len(d.y_train) + len(d.y_val) == 747
    assert len(d.y_val) == datasets.NB_VAL_PTS
    # one step ahead: each target is the next sample's input
    assert np.array_equal(d.y_test[:-1], d.x_test[1:, 0])
    assert d.y_test.min() > 0.2 and d.y_test.max() < 1.5


def test_streaming_refuses_data_that_is_not_a_time_series():
    from snn2c.errors import Snn2cError

    with pytest.raises(Snn2cError, match="not one"):
        datasets.load("friedman1", 0, streaming=True)


def test_smape_is_neurobench_s():
    from snn2c.scoring import smape

    assert smape(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert smape(np.array([1.0]), np.array([3.0])) == pytest.approx(100.0)
    assert smape(np.array([0.0]), np.array([0.0])) == 200.0  # 0 / 0: NaN scores 200


def test_train_streaming_end_to_end(tmp_path, capsys):
    pytest.importorskip("torch", reason="needs torch; scripts/setup.sh installs it")
    from snn2c.cli import main

    out = tmp_path / "s.snn"
    args = ["train", "--dataset", "mackey-glass-nb", "--streaming", "--steps", "2"]
    args += ["--hidden", "6", "--readout", "2", "--epochs", "2", "--qat-epochs", "1"]
    assert main([*args, "--bptt", "16", "--washout", "4", "-o", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["streaming"] is True and np.isfinite(doc["metrics"]["quantized"]["smape"])
    net = modelfile.load(out)
    assert net.streaming and net.n_inputs == 1
    assert net.layers[-1].neuron.decay < 1.0  # the readout leaks by default when streaming
    assert quantize(net).proven
    # the stored test score is the integer stream after the whole series
    ds = datasets.load("mackey-glass-nb", 0, streaming=True)
    x_all = np.concatenate([ds.x_train, ds.x_val, ds.x_test])
    y = predict(quantize(net), x_all, mode="fixed")[-len(ds.y_test) :]
    from snn2c.scoring import regression_metrics

    m = regression_metrics(ds.y_test, y, net.target)
    assert m["smape"] == pytest.approx(doc["metrics"]["quantized"]["smape"], rel=1e-12)
    # inspect and report know a streaming model; report scores it as the trainer does
    assert main(["inspect", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["streaming"] is True and info["proof_horizon"] == "for ever"
    assert main(["report", str(out), "--no-ann", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["streaming"] is True
    assert rep["accuracy"]["snn_quantized"]["r2"] == pytest.approx(m["r2"], rel=1e-12)
    # #31: a streaming model stores its baseline MLP (memoryless, on the same input),
    # and report gives NeuroBench's free-running sMAPE for the SNN and that MLP
    assert net.baseline is not None and "memoryless" in net.baseline.note
    assert "ann" in doc["metrics"] and "linear" in doc["metrics"]
    free = rep["accuracy"]["free_running"]
    assert free["steps"] == len(ds.y_test)
    assert 0 <= free["snn_quantized"] <= 200 and 0 <= free["ann"] <= 200
    assert rep["accuracy"]["ann"] is not None  # the stored MLP, not "--no-baseline?"
    assert main(["report", str(out), "--no-ann"]) == 0
    text = capsys.readouterr().out
    assert "free-running sMAPE (NeuroBench" in text and "n/a (not trained" not in text


def test_free_running_starts_from_the_measured_input_then_feeds_itself():
    """The free-running test's first prediction is the teacher-forced one (its input is
    measured); after that the model reads its own predictions, for a streaming and a
    windowed model alike."""
    from snn2c.report.core import TestData, free_running
    from snn2c.scoring import smape

    for streaming in (True, False):
        ds = datasets.load("mackey-glass-nb", 0, streaming=streaming)
        n_in = 1 if streaming else ds.x_test.shape[1]
        net = random_network(4, n_features=n_in, hidden=(6,))
        if streaming:
            net = streaming_variant(net)
        q = quantize(net)
        data = TestData(
            "mackey-glass-nb", ds.x_train, ds.y_train, ds.x_val, ds.y_val,
            ds.x_test[:40], ds.y_test[:40], 0,
        )  # fmt: skip
        free = free_running(q, data)
        if streaming:
            x_all = np.concatenate([ds.x_train, ds.x_val, ds.x_test[:40]])
            forced = predict(q, x_all, mode="fixed")[-40:, 0]
        else:
            forced = predict(q, ds.x_test[:40], mode="fixed")[:, 0]
        assert free[0] == pytest.approx(forced[0], abs=1e-9)
        assert len(free) == 40 and 0 <= smape(ds.y_test[:40], free) <= 200
