"""The peers of benchmarks/target_cost.py compute what they claim, on the emulated board.

A tiny random network: its naive float SNN (benchmarks/templates/naive_snn.c.j2)
runs in QEMU and must agree with snn2c's float simulator (float64) within a
float32 tolerance, on every vector whose membranes stay clear of the threshold
(a float32 rounding could flip a spike there). emlearn's C for a small
MLPRegressor must agree with scikit-learn within emlearn's 6-digit weight
printing. One instruction count per peer through the benchmark harness.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

from snn2c.boards import load_board  # noqa: E402
from snn2c.build import project  # noqa: E402
from snn2c.netgen import random_network  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import floatsim  # noqa: E402

import _common as C  # noqa: E402
import peers  # noqa: E402

FLOAT_ATOL = 1e-4  # [0, 1]-scaled output; float32 sums of ~50 terms of order one
MARGIN = 1e-3  # vectors with a pre-reset membrane this close to threshold are skipped
EMLEARN_ATOL = 1e-3  # emlearn prints weights with 6 decimals (%f)


def _margins(net, u: np.ndarray) -> np.ndarray:
    """Per vector: min over steps and spiking neurons of |V before reset - threshold|."""
    tr = floatsim.run_float(net, u, trace=True)
    out = np.full(len(u), np.inf)
    for i, layer in enumerate(net.layers):
        n = layer.neuron
        if not n.spiking:
            continue
        v, s = tr.membranes[i], tr.spikes[i + 1]
        pre = v + n.threshold * s  # same-step subtract reset (random_network's default)
        out = np.minimum(out, np.abs(pre - n.threshold).min(axis=(1, 2)))
    return out


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    board = load_board("nucleo-f401")
    net = random_network(3, n_features=3, hidden=(16,), last_neurons=4, steps=8)
    work = tmp_path_factory.mktemp("bench")
    build = work / "build"
    project.write_project(quantize(net), board, build, force=True, command="test_benchmarks")
    rng = np.random.default_rng(0)
    span = net.inputs.high - net.inputs.low
    x = net.inputs.low + rng.uniform(-0.1, 1.1, (24, net.n_inputs)) * span
    return board, net, work, build, x.astype(np.float32)


def test_naive_snn_matches_float_simulator_in_qemu(setup):
    board, net, work, build, x = setup
    src = work / "naive"
    peers.render_naive_snn(net, src, "test")
    C.render_harness(src, "naive_snn", x, net.n_outputs, ["naive_snn.h"], provenance="test")
    elf = C.compile_bench(
        build, board, [src / "naive_snn.c", src / "bench_main.c"], [src], work / "naive.elf"
    )
    y_dev = C.run_outputs(board, elf, net.n_outputs, as_float=True)
    u = floatsim.normalize_float(net, x.astype(np.float64))
    y_ref = floatsim.run_float(net, u).outputs
    clear = _margins(net, u) > MARGIN
    assert clear.sum() >= len(x) // 2, "too few vectors clear of the threshold"
    err = np.abs(y_dev - y_ref)[clear]
    assert err.max() <= FLOAT_ATOL, f"naive float SNN differs from floatsim by {err.max():.2e}"

    counts, _ = C.count_instructions(board, elf, len(x))
    assert min(counts) > 1000
    null = C.compile_bench(
        build,
        board,
        [src / "naive_snn.c", src / "bench_main.c"],
        [src],
        work / "null.elf",
        null=True,
    )
    fp = C.footprint(board, elf, null)
    weights = sum(layer.weight.size for layer in net.layers) * 4
    assert fp.rodata >= weights and "naive_snn_infer" in fp.symbols and fp.bss > 0


def test_emlearn_mlp_matches_sklearn_in_qemu(setup):
    pytest.importorskip(
        "emlearn",
        reason="needs emlearn (pip install 'snn2c[bench]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    board, _net, work, build, _x = setup
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (200, 3))
    y = np.sin(3 * x[:, 0]) * x[:, 1] + x[:, 2] ** 2
    mlp = peers.train_mlp(x, y / 2.0, (8,), seed=0, max_iter=50)
    low, high = np.zeros(3), np.ones(3)
    src = work / "eml"
    peers.render_emlearn(mlp, low, high, src, "test")
    xs = x[:6].astype(np.float32)
    C.render_harness(src, "emlearn", xs, 1, ["emlearn_model.h"], provenance="test")
    elf = C.compile_bench(
        build,
        board,
        [src / "emlearn_model.c", src / "bench_main.c"],
        [src, peers.emlearn_include_dir()],
        work / "eml.elf",
    )
    y_dev = C.run_outputs(board, elf, 1, as_float=True)[:, 0]
    np.testing.assert_allclose(y_dev, mlp.predict(xs.astype(np.float64)), atol=EMLEARN_ATOL)
    counts, _ = C.count_instructions(board, elf, len(xs))
    assert max(counts) - min(counts) < 50 and min(counts) > 100
