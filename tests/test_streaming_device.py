"""Streaming models in C: snn_model_push against integer.stream on the host (UBSan and
ASan) and in QEMU, over the long generated stream (reference.longstream), bit for bit.
Tolerance 0 on every output and spike count; a mismatch names the first sample (host)
or the first checkpoint of 10,000 samples (QEMU)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from snn2c import ir
from snn2c.boards import load_board
from snn2c.build import build
from snn2c.emulate.verify import verify_qemu
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer, longstream

from _boards_helpers import need_qemu
from hostc import build_host
from netcases import streaming_variant

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
    return streaming_variant(net, None if flat else 2)


def _izhikevich() -> ir.Network:
    net = random_network(12, n_features=2, steps=6, weight_scale=4.0)
    hidden = dataclasses.replace(
        net.layers[0], neuron=ir.IzhikevichNeuron.from_preset("chattering")
    )
    return streaming_variant(dataclasses.replace(net, layers=(hidden, *net.layers[1:])))


def _net(name: str) -> ir.Network:
    return _izhikevich() if name == "izhikevich" else _case(name)


def _excerpt(n_inputs: int, width: int = 200) -> np.ndarray:
    """A short stream that still holds every kind of block of the long stream and every
    change from one kind to the next: `width` samples either side of each of the first
    eight block boundaries (and the first samples)."""
    x, _ = longstream.inputs(n_inputs, longstream.STREAM_BLOCKS * longstream.BLOCK + width)
    edges = [b * longstream.BLOCK for b in range(1, longstream.STREAM_BLOCKS + 1)]
    idx = np.concatenate([np.arange(width), *(np.arange(e - width, e + width) for e in edges)])
    return x[idx]


def _assert_same(y, spikes, ref, x) -> None:
    """Every output and spike count equal, or the first differing sample named."""
    bad = np.flatnonzero(
        np.any(y != ref.outputs, axis=1) | np.any(spikes != ref.spike_counts, axis=1)
    )
    if bad.size:
        k = int(bad[0])
        pytest.fail(
            f"{bad.size}/{len(x)} samples differ; first: sample {k}, input {x[k].tolist()}: "
            f"outputs C {y[k].tolist()} reference {ref.outputs[k].tolist()}, spikes C "
            f"{spikes[k].tolist()} reference {ref.spike_counts[k].tolist()}"
        )


@pytest.mark.parametrize("name", [*CASES, "izhikevich"])
def test_host_push_equals_the_reference_stream(tmp_path, name):
    """snn_model_push (UBSan, ASan) over every kind of block of the long stream and the
    changes between them: every output and spike count equals integer.stream's."""
    net = _net(name)
    qnet = quantize(net)
    if name == "direct-nonleaky-readout":  # never forgets: the readout must saturate
        assert qnet.layers[-1].saturate
    else:
        assert qnet.proven  # every other case leaks in every layer: proven for ever
    host = build_host(net, tmp_path, sanitize=True)
    x = _excerpt(net.n_inputs)
    y, spikes = host.infer(x, mode="stream")
    ref = integer.stream(qnet, x)
    _assert_same(y, spikes, ref, x)
    assert ref.spike_counts[:, 1].sum() > 0  # the hidden layer spikes
    # the state matters: the same samples, each from the reset, give other results
    assert not np.array_equal(integer.run(qnet, x).outputs, ref.outputs)


def test_host_long_stream_generator_and_hash_are_the_numpy_twins(tmp_path):
    """The C of harness_stream.h (what the long-stream image runs) draws the inputs of
    longstream.inputs over a whole pattern of blocks, and hashes like
    longstream.checkpoints; the first 12,000 samples also equal integer.stream."""
    net = _case("population-membrane")
    host = build_host(net, tmp_path)
    n = longstream.STREAM_BLOCKS * longstream.BLOCK + 10
    x, y, spikes, marks = host.longstream(n)
    expect, _ = longstream.inputs(net.n_inputs, n)
    np.testing.assert_array_equal(x, expect)
    assert marks == longstream.checkpoints(y, spikes)[0]
    assert sorted(marks) == [10_000, 20_000, 30_000, n]
    ref = integer.stream(quantize(net), x[:12_000])
    _assert_same(y[:12_000], spikes[:12_000], ref, x)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["population-membrane", "direct-nonleaky-readout"])
def test_host_long_stream_of_a_hundred_thousand_samples(tmp_path, name):
    """10**5 samples of the long stream (every kind of block three times over), generated
    by the C under UBSan and ASan: every output and spike count equals integer.stream's,
    and every checkpoint the twin's hash of them."""
    net = _case(name)
    qnet = quantize(net)
    host = build_host(net, tmp_path, sanitize=True)
    x, y, spikes, marks = host.longstream(100_000)
    ref = integer.stream(qnet, x)
    _assert_same(y, spikes, ref, x)
    assert marks == longstream.checkpoints(ref.outputs, ref.spike_counts)[0]
    assert len(marks) == 10


@pytest.mark.slow
def test_qemu_long_stream_cli_is_bit_exact(tmp_path, capsys):
    """`snn2c verify --vectors 200 --stream 100000` on nucleo-f401: 0 mismatches among
    the vectors (one stream) and at every checkpoint of the long stream."""
    from snn2c.cli import main

    board = load_board("nucleo-f401")
    need_qemu(board)
    build(_case("population-membrane"), board, tmp_path / "b")
    capsys.readouterr()
    args = ["verify", str(tmp_path / "b"), "--vectors", "200", "--stream", "100000"]
    assert main([*args, "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["mismatches"] == 0, res["first_mismatch"]
    assert res["instructions_per_inference"] > 0
    assert "snn_model_push" in res["instruction_count_method"]
    long = res["stream"]
    assert (long["samples"], long["checkpoints"], long["mismatches"]) == (100_000, 10, 0)
    assert long["first_mismatch"] is None
    assert (long["device_reported_mismatches"], long["exit_code"]) == (0, 0)


@pytest.mark.slow
def test_qemu_long_stream_on_the_cortex_m0(tmp_path):
    """The same stream on the microbit (Cortex-M0: no DSP, no divide), 3 x 10**4 samples
    of a model whose readout does not leak (it saturates)."""
    board = load_board("microbit")
    need_qemu(board)
    build(_case("direct-nonleaky-readout"), board, tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=60, count_sample=2, stream=30_000)
    assert res["mismatches"] == 0, res["first_mismatch"]
    long = res["stream"]
    assert (long["samples"], long["checkpoints"], long["mismatches"]) == (30_000, 3, 0)
    assert long["exit_code"] == 0


@pytest.mark.slow
def test_qemu_long_stream_fails_on_a_corrupted_image(tmp_path, capsys):
    """One table of the built C changed: the vectors and the long stream both fail, the
    stream names its first bad checkpoint, the device says so itself, exit status 1."""
    from _corrupt import corrupt_table

    from snn2c.cli import main

    board = load_board("nucleo-f401")
    need_qemu(board)
    fw = tmp_path / "b"
    build(_case("population-membrane"), board, fw)
    corrupt_table(fw, "snn_l1_weight")
    res = verify_qemu(fw, vectors=20, count_sample=0, stream=20_000)
    assert res["mismatches"] > 0
    long = res["stream"]
    assert long["mismatches"] == 2 and long["exit_code"] == 1
    assert long["device_reported_mismatches"] == 2
    first = long["first_mismatch"]
    assert first["sample"] == 10_000 and first["device"] != first["reference"]
    capsys.readouterr()
    assert main(["verify", str(fw), "--vectors", "20", "--stream", "20000"]) == 1
    err = capsys.readouterr().err
    assert "stream: the first differing checkpoint is after sample 10000" in err


def test_stream_option_refuses_a_static_model_and_bad_lengths(tmp_path, capsys):
    from snn2c.cli import main

    board = load_board("nucleo-f401")
    need_qemu(board)
    build(random_network(3), board, tmp_path / "b")
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "b"), "--stream", "100"]) == 2
    err = capsys.readouterr().err
    assert "not a streaming model" in err and len(err.strip().splitlines()) == 1
    build(_case("population-membrane"), board, tmp_path / "s")
    for n in ("0", "-5", str(10**7 + 1)):
        assert main(["verify", str(tmp_path / "s"), "--stream", n]) == 2
        assert "--stream: expected 1..10000000 samples" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "s"), "--emulator", "renode", "--stream", "9"]) == 2
    assert "runs in QEMU" in capsys.readouterr().err
