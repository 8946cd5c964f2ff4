"""Property-based checks (hypothesis): the range proof holds, and C agrees, for any network."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from snn2c import ir
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
    enc=st.sampled_from(ir.ENCODER_KINDS),
    dec=st.sampled_from(ir.DECODER_KINDS),
    hidden=st.lists(st.integers(1, 40), min_size=0, max_size=2).map(tuple),
    bits=st.sampled_from(ir.WEIGHT_BITS),
    leak=st.sampled_from(ir.LEAK_KINDS),
    reset=st.sampled_from(ir.RESET_KINDS),
    fire=st.sampled_from(ir.FIRE_KINDS),
    timing=st.sampled_from(ir.RESET_TIMINGS),
    steps=st.integers(1, 20),
    scale=st.floats(0.01, 3000.0),
)


def _quantize_or_skip(net):
    try:
        return quantize(net)
    except Snn2cError:
        assume(False)  # weights beyond the storage type: refused with a clear error


@settings(max_examples=150, deadline=None)
@given(net=networks)
def test_range_proof_holds_on_extreme_inputs(net):
    """A layer the quantizer calls proven never leaves int32 (the reference asserts it)."""
    qnet = _quantize_or_skip(net)
    x = make_inputs(net, 64, seed=1)
    res = integer.run(qnet, x, trace=True)  # raises if a proven value leaves int32
    assert res.membranes is not None
    for layer, v in zip(qnet.layers, res.membranes, strict=True):
        if not layer.saturate:  # and stays inside the interval the proof states
            lo, hi = layer.bounds.membrane
            assert lo <= int(v.min()) and int(v.max()) <= hi


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
