"""Property-based checks (hypothesis): the range proof holds, and C agrees, for any network."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from snn2c import contract, ir
from snn2c.contract import Decoder, Encoder, Fire, Leak, Reset, ResetTiming, kind_names
from snn2c.errors import Snn2cError
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer

from hostc import build_host
from netcases import make_inputs

networks = st.builds(
    lambda seed, enc, dec, hidden, bits, leak, reset, fire, timing, steps, scale: random_network(
        seed,
        n_features=1 + seed % 4,
        hidden=hidden,
        encoder=enc,
        decoder=dec,
        weight_bits=bits,
        leak=leak,
        reset=reset,
        fire=fire,
        reset_timing=timing,
        steps=steps,
        weight_scale=scale,
    ),
    seed=st.integers(0, 10**6),
    enc=st.sampled_from(kind_names(Encoder)),
    dec=st.sampled_from(kind_names(Decoder)),
    hidden=st.lists(st.integers(1, 40), min_size=0, max_size=2).map(tuple),
    bits=st.sampled_from(ir.WEIGHT_BITS),
    leak=st.sampled_from(kind_names(Leak)),
    reset=st.sampled_from(kind_names(Reset)),
    fire=st.sampled_from(kind_names(Fire)),
    timing=st.sampled_from(kind_names(ResetTiming)),
    steps=st.integers(1, 20),
    scale=st.floats(0.01, 3000.0),
)


def _quantize_or_skip(net):
    try:
        return quantize(net)
    except Snn2cError:
        assume(False)  # weights beyond the storage type: refused with a clear error


def _membrane_problems(qnet, membranes) -> list[str]:
    """Where a traced membrane leaves what the contract allows its layer; [] if
    nowhere. A proven layer stays inside the interval its proof states; a saturating
    one is clamped by sat32, so it stays inside that interval cut to int32 (the
    interval bounds the unclamped arithmetic, and a clamp to int32 only moves a value
    towards it): never beyond INT32_MIN..INT32_MAX, as a missing clamp would go. (A
    wrap stays inside int32; the hand case below catches it by its exact values.)"""
    problems = []
    for i, (layer, v) in enumerate(zip(qnet.layers, membranes, strict=True)):
        lo, hi = layer.bounds.membrane
        if layer.saturate:
            lo, hi = max(lo, contract.INT32_MIN), min(hi, contract.INT32_MAX)
        if v.size and not (lo <= int(v.min()) and int(v.max()) <= hi):
            kind = "saturating" if layer.saturate else "proven"
            problems.append(f"layer {i} ({kind}): V in [{v.min()}, {v.max()}], not in [{lo}, {hi}]")
    return problems


@settings(max_examples=150, deadline=None)
@given(net=networks)
def test_range_proof_holds_on_extreme_inputs(net):
    """A layer the quantizer calls proven never leaves int32 (the reference asserts it)
    and stays inside the interval the proof states; a saturating layer stays inside
    that interval cut to int32 (sat32)."""
    qnet = _quantize_or_skip(net)
    x = make_inputs(net, 64, seed=1)
    res = integer.run(qnet, x, trace=True)  # raises if a proven value leaves int32
    assert res.membranes is not None
    event("a layer saturates" if not qnet.proven else "every layer proven")
    assert _membrane_problems(qnet, res.membranes) == []


def saturating_readout(steps: int = 4) -> ir.Network:
    """direct encoder -> 2 non-leaky LI (beta 1), weights +-16384: at u = 1 the current
    is +-2**30 (Q16) a step, so V = +-2**30, then +-2**31: +2**31 is clamped to
    INT32_MAX, -2**31 is INT32_MIN exactly, and both stay there (the proof's
    interval, (2**30 + 1) x T, does not fit int32: the layer saturates)."""
    li = ir.LINeuron(leak="mul", beta=1.0)
    return ir.Network(
        name="saturating",
        inputs=ir.InputSpec(("x",), np.array([0.0]), np.array([1.0])),
        target=ir.TargetSpec(),
        encoder=ir.EncoderSpec(kind="direct", steps=steps),
        layers=(ir.DenseLayer(np.array([[16384.0], [-16384.0]]), np.zeros(2), li),),
        decoder=ir.DecoderSpec("membrane", np.array([[1.0, 0.0]]), np.array([0.0])),
    )


def test_a_saturating_layer_clamps_as_worked_out_by_hand(tmp_path):
    net = saturating_readout()
    qnet = quantize(net)
    assert qnet.layers[0].saturate
    x = np.array([[4096], [2048], [0]])
    res = integer.run(qnet, x, trace=True)
    assert res.membranes is not None
    hi, lo = contract.INT32_MAX, contract.INT32_MIN
    want = [
        [[2**30, -(2**30)], [hi, lo], [hi, lo], [hi, lo]],  # u = 1: 2**30 a step
        [[2**29, -(2**29)], [2**30, -(2**30)], [3 * 2**29, -3 * 2**29], [hi, lo]],  # u = 0.5
        [[0, 0]] * 4,
    ]
    assert res.membranes[0].tolist() == want
    assert _membrane_problems(qnet, res.membranes) == []
    host = build_host(net, tmp_path)  # and the C clamps alike
    for row, v in zip(x, want, strict=True):
        assert host.trace(row)[0].tolist() == v
    np.testing.assert_array_equal(host.infer(x)[0], res.outputs)


def test_membrane_check_fails_where_saturation_is_missing():
    """The partner of the property: the hand case's membranes as they would be
    without the clamp (V = t x 2**30 in int64) are reported, and so is a proven layer
    outside its interval."""
    qnet = quantize(saturating_readout())
    t = np.arange(1, 5)[None, :, None]
    unclamped = (t * np.array([2**30, -(2**30)])[None, None, :]).astype(np.int64)
    problems = _membrane_problems(qnet, [unclamped])
    assert len(problems) == 1 and problems[0].startswith("layer 0 (saturating)")
    proven = quantize(random_network(1, hidden=(), weight_bits=16))
    assert proven.proven
    _lo, hi = proven.layers[0].bounds.membrane
    v = np.full((1, proven.steps, proven.layers[0].n_out), hi + 1, dtype=np.int64)
    problems = _membrane_problems(proven, [v])
    assert len(problems) == 1 and problems[0].startswith("layer 0 (proven)")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(net=networks)
def test_generated_c_matches_reference(net, tmp_path_factory):
    qnet = _quantize_or_skip(net)
    host = build_host(net, tmp_path_factory.mktemp("prop"))
    x = make_inputs(net, 100, seed=2)
    y, counts = host.infer(x)
    ref = integer.run(qnet, x)
    np.testing.assert_array_equal(y, ref.outputs)
    np.testing.assert_array_equal(counts, ref.spike_counts)
