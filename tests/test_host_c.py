"""Generated C, built with the host compiler, against the integer reference: every bit.

Strict warnings (-Werror -pedantic -Wconversion ...), and a second build under
UBSan + ASan that aborts on the first report. Tolerance: 0 on every output and
spike count; on a mismatch the first diverging (layer, neuron, step) is named.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from snn2c.contract import V_FRAC
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.quantize.plan import QuantizedIzh
from snn2c.reference import integer

from hostc import build_host
from netcases import (
    count_form_networks,
    equivalence_networks,
    izhikevich_networks,
    make_inputs,
    per_feature_networks,
    saturating_networks,
    scaled_accumulator_network,
)

COUNT_FORM_CASES = count_form_networks()
CASES = equivalence_networks() + saturating_networks() + COUNT_FORM_CASES
CASES += per_feature_networks()
IZH_CASES = izhikevich_networks()
CASES += IZH_CASES
N_INPUTS = 500


def first_divergence(host, qnet, x_row) -> str:
    """Locate the first (step, layer, neuron) where C and reference membranes differ."""
    ref = integer.run(qnet, x_row[None, :], trace=True).membranes
    dev = host.trace(x_row)
    for t in range(qnet.steps):
        for layer, (r, d) in enumerate(zip(ref, dev, strict=True)):
            diff = np.nonzero(r[0, t] != d[t])[0]
            if diff.size:
                i = int(diff[0])
                return f"step {t}, layer {layer}, neuron {i}: reference {r[0, t, i]}, C {d[t, i]}"
    return "membranes agree at every step (difference in decoding)"


def assert_bit_exact(host, qnet, x):
    ref = integer.run(qnet, x)
    y, counts = host.infer(x)
    bad = np.nonzero(np.any(y != ref.outputs, axis=1) | np.any(counts != ref.spike_counts, axis=1))[
        0
    ]
    if bad.size:
        k = int(bad[0])
        pytest.fail(
            f"{bad.size}/{len(x)} vectors differ; first: input {x[k].tolist()}, "
            f"outputs ref {ref.outputs[k].tolist()} C {y[k].tolist()}, "
            f"spikes ref {ref.spike_counts[k].tolist()} C {counts[k].tolist()}; "
            + first_divergence(host, qnet, x[k])
        )
    return ref


@pytest.mark.parametrize("name,net", CASES, ids=[c[0] for c in CASES])
def test_c_matches_reference(name, net, tmp_path):
    qnet = quantize(net)
    host = build_host(net, tmp_path)
    x = make_inputs(net, N_INPUTS, seed=zlib.crc32(name.encode()) % 1000)
    ref = assert_bit_exact(host, qnet, x)
    # the suite must exercise real activity, not silent networks
    if net.layers[0].neuron.spiking:
        assert ref.spike_counts[:, 1].sum() > 0


@pytest.mark.slow
@pytest.mark.parametrize("name,net", CASES, ids=[c[0] for c in CASES])
def test_sanitizers_clean(name, net, tmp_path):
    host = build_host(net, tmp_path, sanitize=True)
    x = make_inputs(net, 200, seed=7)
    assert_bit_exact(host, quantize(net), x)


def test_scaled_accumulator_is_part_of_the_range_proof(tmp_path):
    """acc * 2**16 overflows before the bias brings the current back into range: the
    layer saturates (UBSan-clean in C) and the reference agrees bit for bit."""
    net = scaled_accumulator_network()
    qnet = quantize(net)
    layer = qnet.layers[1]
    assert layer.acc_shift == -16 and layer.saturate
    host = build_host(net, tmp_path, sanitize=True)
    x = make_inputs(net, 300, seed=4)
    assert_bit_exact(host, qnet, x)


def test_saturating_cases_really_saturate():
    for _, net in saturating_networks():
        assert not quantize(net).proven


@pytest.mark.parametrize("name,net", CASES[:6], ids=[c[0] for c in CASES[:6]])
def test_streaming_trace_matches_reference(name, net, tmp_path):
    """snn_model_step, step by step, gives the reference's membranes at every step."""
    qnet = quantize(net)
    host = build_host(net, tmp_path)
    for x in make_inputs(net, 4, seed=3):
        ref = integer.run(qnet, x[None, :], trace=True).membranes
        dev = host.trace(x)
        for r, d in zip(ref, dev, strict=True):
            np.testing.assert_array_equal(r[0], d)


@pytest.mark.parametrize("name,net", COUNT_FORM_CASES, ids=[c[0] for c in COUNT_FORM_CASES])
def test_count_form_cases_compile_to_it_and_keep_the_step_api(name, net, tmp_path):
    """These cases really run the counting form in snn_model_infer (so the bit-exact
    test above covers it), and their step API still gives the reference's membranes."""
    host = build_host(net, tmp_path)
    assert "counting form: the same bits" in (tmp_path / "src" / "snn_model.c").read_text()
    qnet = quantize(net)
    for x in make_inputs(net, 3, seed=9):
        ref = integer.run(qnet, x[None, :], trace=True).membranes
        for r, d in zip(ref, host.trace(x), strict=True):
            np.testing.assert_array_equal(r[0], d)


@pytest.mark.parametrize("name,net", CASES[::4], ids=[c[0] for c in CASES[::4]])
def test_streaming_stops_at_the_proven_horizon(name, net, tmp_path):
    """snn_model_step beyond SNN_MODEL_STEPS steps changes nothing (defined, and what
    the range proof covers): 3 T calls run T steps and decode the reference's output."""
    qnet = quantize(net)
    host = build_host(net, tmp_path, sanitize=True)
    for x in make_inputs(net, 3, seed=8):
        ran, y = host.horizon(x)
        assert ran == qnet.steps
        np.testing.assert_array_equal(y, integer.run(qnet, x[None, :]).outputs[0])


@pytest.mark.parametrize("name,net", IZH_CASES, ids=[c[0] for c in IZH_CASES])
def test_izhikevich_trace_matches_reference(name, net, tmp_path):
    """Izhikevich layers: v (Q16 mV) of the C equals the reference's at every step."""
    qnet = quantize(net)
    assert any(isinstance(layer.neuron, QuantizedIzh) for layer in qnet.layers)
    host = build_host(net, tmp_path)
    for x in make_inputs(net, 3, seed=5):
        ref = integer.run(qnet, x[None, :], trace=True).membranes
        dev = host.trace(x)
        for r, d in zip(ref, dev, strict=True):
            np.testing.assert_array_equal(r[0], d)


@pytest.mark.parametrize("name,net", CASES[::5], ids=[c[0] for c in CASES[::5]])
def test_float_wrapper_matches_reference(name, net, tmp_path):
    """snn_model_normalize gives the reference's Q12 inputs; snn_model_predict's float32
    bits equal the contract's float32 conversion of the reference outputs."""
    qnet = quantize(net)
    host = build_host(net, tmp_path)
    rng = np.random.default_rng(11)
    lo, hi = net.inputs.low, net.inputs.high
    span = hi - lo
    x = rng.uniform(lo - 0.3 * span, hi + 0.3 * span, (300, net.n_inputs)).astype(np.float32)
    x[:5] = lo.astype(np.float32)
    x[5:10] = hi.astype(np.float32)
    x[10, 0] = np.nan
    xq_dev, bits = host.normalize_predict(x)
    xq_ref = integer.normalize(net, x)
    np.testing.assert_array_equal(xq_dev, xq_ref)
    y_q = integer.run(qnet, xq_ref).outputs
    y32 = np.float32(net.target.offset) + np.float32(net.target.scale) * (
        y_q.astype(np.float32) * np.float32(1.0 / 2**V_FRAC)
    )
    np.testing.assert_array_equal(bits, y32.view(np.uint32))


def _with_ranges(net, low, high):
    from dataclasses import replace

    inputs = replace(net.inputs, low=np.asarray(low, float), high=np.asarray(high, float))
    return replace(net, inputs=inputs)


RANGES = {  # in integers with frac < 0, frac > 32, and around zero; the float32 fallback
    "integers": ([-1e9, 1e-6, -40.0], [3e9, 3e-6, 85.0]),
    "float32": ([1e6, 0.0, 5.0], [1e6 + 10.0, 1.0, 6.0]),
}


@pytest.mark.parametrize("kind", sorted(RANGES))
def test_float_readings_of_every_range_match_reference(kind, tmp_path):
    """snn_model_normalize on ranges far and near zero, very wide and very narrow: the
    reference's Q12 for in-range, out-of-range, extreme, infinite and NaN readings."""
    net = _with_ranges(random_network(21, encoder="direct"), *RANGES[kind])
    assert (quantize(net).float_in is None) == (kind == "float32")
    host = build_host(net, tmp_path, sanitize=True)
    rng = np.random.default_rng(5)
    lo, hi = net.inputs.low, net.inputs.high
    span = hi - lo
    x = rng.uniform(lo - 0.2 * span, hi + 0.2 * span, (400, 3))
    edges = np.array([lo, hi, (lo + hi) / 2, lo + span / 8192, hi - span / 8192])
    extremes = np.full((6, 3), [[np.nan], [np.inf], [-np.inf], [3.4e38], [-3.4e38], [1e-40]])
    with np.errstate(under="ignore"):  # 1e-40 is a float32 subnormal
        x = np.vstack([edges, extremes, x]).astype(np.float32)
    xq_dev, _ = host.normalize_predict(x)
    xq_ref = integer.normalize(net, x)
    np.testing.assert_array_equal(xq_dev, xq_ref)
    np.testing.assert_array_equal(xq_ref[:3], [[0] * 3, [4096] * 3, [2048] * 3])
    # NaN: the low end; the infinities and float32's extremes: the ends; 1e-40 reads as 0,
    # a quarter into input 0's range [-1e9, 3e9]
    want = [0, 4096, 0, 4096, 0, 1024 if kind == "integers" else 0]
    np.testing.assert_array_equal(xq_ref[5:11, 0], want)
