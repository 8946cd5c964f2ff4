"""Streaming models in C: snn_model_push against integer.stream on the host (UBSan and
ASan) and in QEMU, over long generated streams, bit for bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snn2c import ir
from snn2c.boards import load_board
from snn2c.build import build, harness
from snn2c.emulate.verify import verify_qemu
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer

from _boards_helpers import need_qemu
from hostc import build_host


def _streaming(net: ir.Network, readout_shift: int | None = 2) -> ir.Network:
    """net as a streaming model; its readout leaks by 2**-readout_shift (None: not at all)."""
    last = net.layers[-1]
    if readout_shift is None:
        neuron = dataclasses.replace(last.neuron, leak="mul", beta=1.0)
    else:
        neuron = dataclasses.replace(last.neuron, leak="shift", leak_shift=readout_shift)
    layers = (*net.layers[:-1], dataclasses.replace(last, neuron=neuron))
    return dataclasses.replace(net, layers=layers, streaming=True)


CASES = {
    "population-membrane": dict(encoder="population", weight_scale=4.0),
    "direct-nonleaky-readout": dict(encoder="direct", weight_scale=4.0, _flat=True),
    "next-step-reset": dict(reset_timing="next_step", weight_scale=4.0, hidden=(12, 8)),
    "bernoulli-rate": dict(encoder="rate_bernoulli", decoder="rate", weight_scale=4.0),
    "latency-first-spike": dict(encoder="latency", decoder="first_spike", weight_scale=4.0),
    "int16-mul-leak": dict(weight_bits=16, leak="mul", weight_scale=4.0),
}


def _case(name: str) -> ir.Network:
    params = dict(CASES[name])
    flat = params.pop("_flat", False)
    net = random_network(11, n_features=2, steps=5, **params)
    return _streaming(net, None if flat else 2)


def _izhikevich() -> ir.Network:
    net = random_network(12, n_features=2, steps=6, weight_scale=4.0)
    hidden = dataclasses.replace(net.layers[0], neuron=ir.NeuronSpec.izhikevich("chattering"))
    return _streaming(dataclasses.replace(net, layers=(hidden, *net.layers[1:])))


@pytest.mark.parametrize("name", [*CASES, "izhikevich"])
def test_host_push_equals_the_reference_stream(tmp_path, name):
    net = _izhikevich() if name == "izhikevich" else _case(name)
    qnet = quantize(net)
    if name == "direct-nonleaky-readout":  # never forgets: the readout must saturate
        assert qnet.layers[-1].saturate
    host = build_host(net, tmp_path, sanitize=True)
    x = harness.long_stream_inputs(net.n_inputs, 3000)
    y, spikes = host.infer(x, mode="stream")
    ref = integer.stream(qnet, x)
    np.testing.assert_array_equal(y, ref.outputs)
    np.testing.assert_array_equal(spikes, ref.spike_counts)
    assert ref.spike_counts[:, 1].sum() > 0  # the hidden layer spikes


@pytest.mark.slow
def test_host_push_over_a_hundred_thousand_samples(tmp_path):
    """10**5 samples (every block of the generator several times), UBSan and ASan on,
    every output and spike count compared."""
    net = _case("population-membrane")
    host = build_host(net, tmp_path, sanitize=True)
    x = harness.long_stream_inputs(net.n_inputs, 100_000)
    y, spikes = host.infer(x, mode="stream")
    ref = integer.stream(quantize(net), x)
    np.testing.assert_array_equal(y, ref.outputs)
    np.testing.assert_array_equal(spikes, ref.spike_counts)


def test_the_long_stream_generator_hits_every_block():
    x = harness.long_stream_inputs(1, 8 * 4096)[:, 0]
    blocks = x.reshape(8, 4096)
    assert blocks[0].min() < 0 and blocks[0].max() > 4096  # noise beyond both ends
    assert (blocks[1] == 4096).all() and (blocks[5] == 4096).all()  # the held top
    assert (blocks[2] == 0).all()
    assert set(np.unique(blocks[3])) == {-(2**31), 2**31 - 1}
    assert np.array_equal(blocks[4], np.arange(4 * 4096, 5 * 4096) & 4095)  # the ramp
    assert blocks[6].min() >= 0 and blocks[6].max() <= 4095


def test_checkpoints_change_with_one_bit():
    y = np.arange(25_000, dtype=np.int64).reshape(-1, 1) * 977 - 10**6
    marks = harness.stream_checkpoints(y)
    assert sorted(marks) == [10_000, 20_000, 25_000]
    y[12_345, 0] ^= 1
    changed = harness.stream_checkpoints(y)
    assert changed[10_000] == marks[10_000]
    assert changed[20_000] != marks[20_000] and changed[25_000] != marks[25_000]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("board_name", "samples"), [("nucleo-f401", 100_000), ("microbit", 30_000)]
)
def test_qemu_long_stream_is_bit_exact(tmp_path, board_name, samples):
    board = load_board(board_name)
    need_qemu(board)
    build(_case("population-membrane"), board, tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=60, count_sample=2, stream=samples)
    assert res["mismatches"] == 0, res["first_mismatch"]
    assert res["stream"]["samples"] == samples and res["stream"]["mismatches"] == 0
    assert res["stream"]["checkpoints"] == -(-samples // harness.STREAM_EVERY)
    assert res["instructions_per_inference"] > 0


@pytest.mark.slow
def test_qemu_long_stream_fails_on_a_corrupted_image(tmp_path, capsys):
    from _corrupt import corrupt_table

    from snn2c.cli import main

    board = load_board("nucleo-f401")
    need_qemu(board)
    fw = tmp_path / "b"
    build(_case("population-membrane"), board, fw)
    corrupt_table(fw, "snn_l1_weight")
    res = verify_qemu(fw, vectors=20, count_sample=0, stream=20_000)
    assert res["mismatches"] > 0
    first = res["stream"]["first_mismatch"]
    assert res["stream"]["mismatches"] > 0 and first["samples"] == [0, 10_000]
    assert first["device"] != first["reference"]
    assert main(["verify", str(fw), "--vectors", "20", "--stream", "20000"]) == 1
    assert "stream: " in capsys.readouterr().err


def test_stream_option_refuses_a_static_model(tmp_path, capsys):
    from snn2c.cli import main

    board = load_board("nucleo-f401")
    need_qemu(board)
    build(random_network(3), board, tmp_path / "b")
    assert main(["verify", str(tmp_path / "b"), "--stream", "100"]) == 2
    assert "not a streaming model" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "b"), "--stream", "-5"]) == 2
