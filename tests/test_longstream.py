"""The long stream of `snn2c verify --stream` in numpy (reference.longstream): its blocks
hit every kind of input they promise, the running hash sees a single bit, the reference
checkpoints are integer.stream's; and a streaming network driven by a held maximum for
10**5 samples stays inside the quantizer's proven membrane bounds at every step."""

from __future__ import annotations

import numpy as np
import pytest

from snn2c import contract, ir
from snn2c.build import harness
from snn2c.errors import Snn2cError
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.quantize.plan import QuantizedLIF
from snn2c.reference import integer, longstream

from netcases import streaming_variant

BLOCK = longstream.BLOCK


def test_the_blocks_hold_what_they_promise():
    n_blocks = 2 * longstream.STREAM_BLOCKS  # the pattern, twice
    x, _ = longstream.inputs(3, n_blocks * BLOCK)
    blocks = x.reshape(n_blocks, BLOCK, 3)
    for b in range(n_blocks):
        kind, v = longstream.BLOCK_KINDS[b % longstream.STREAM_BLOCKS], blocks[b]
        if kind == "wide":  # in-range noise and out of range at both ends
            assert v.min() < 0 and v.max() > contract.X_ONE
            inside = (v >= 0) & (v <= contract.X_ONE)
            assert 0.4 < inside.mean() < 0.6 and len(np.unique(v)) > 4000
        elif kind == "top":  # a held maximum: 4096 samples in a row
            assert (v == contract.X_ONE).all()
        elif kind == "zero":
            assert (v == 0).all()
        elif kind == "extremes":
            assert set(np.unique(v)) == {contract.INT32_MIN, contract.INT32_MAX}
            assert 0.4 < (v == contract.INT32_MAX).mean() < 0.6
        elif kind == "ramp":
            assert np.array_equal(v[:, 0], np.arange(BLOCK) % contract.X_ONE)
        else:
            assert kind == "in_range"
            assert v.min() == 0 and v.max() == contract.X_ONE - 1
    # every kind of block is there, and the held ones last a whole block
    assert set(longstream.BLOCK_KINDS) == {"wide", "top", "zero", "extremes", "ramp", "in_range"}
    assert BLOCK >= 4096


def test_inputs_in_chunks_are_the_inputs_in_one_go():
    whole, end = longstream.inputs(2, 3 * BLOCK + 17)
    a, rng = longstream.inputs(2, BLOCK + 5)
    b, rng = longstream.inputs(2, 2 * BLOCK + 12, start=BLOCK + 5, rng=rng)
    assert np.array_equal(np.vstack([a, b]), whole) and rng == end
    with pytest.raises(ValueError, match="state"):
        longstream.inputs(2, 10, start=5)


def test_fnv1a_is_the_standard_hash_little_endian():
    # FNV-1a 32 of the bytes "abcd" (0x64636261 little endian) is 0xce3479bd
    assert longstream.fnv1a(contract.FNV_OFFSET, np.array([0x64636261])) == 0xCE3479BD
    assert longstream.fnv1a(contract.FNV_OFFSET, np.array([], dtype=np.int64)) == 0x811C9DC5
    # an int32 -1 and a uint32 0xFFFFFFFF are the same four bytes
    assert longstream.fnv1a(7, np.array([-1])) == longstream.fnv1a(7, np.array([2**32 - 1]))


def test_one_bit_changes_every_checkpoint_from_its_sample_on():
    rng = np.random.default_rng(0)
    y = rng.integers(-(2**31), 2**31, (25_000, 2))
    spikes = rng.integers(0, 300, (25_000, 3))
    marks, _ = longstream.checkpoints(y, spikes)
    assert sorted(marks) == [10_000, 20_000, 25_000]
    for arr, (i, j) in ((y, (12_345, 1)), (spikes, (10_000, 0))):
        arr[i, j] ^= 1
        changed, _ = longstream.checkpoints(y, spikes)
        assert changed[10_000] == marks[10_000]
        assert changed[20_000] != marks[20_000] and changed[25_000] != marks[25_000]
        arr[i, j] ^= 1
    # without spike counts (an image that does not count them) they are not hashed
    assert longstream.checkpoints(y)[0] != marks
    spikes[5, 0] += 1
    assert longstream.checkpoints(y)[0] == longstream.checkpoints(y, None)[0]


def test_reference_checkpoints_are_integer_stream_in_chunks(monkeypatch):
    """reference() runs integer.stream a chunk at a time from the state the last chunk
    left: the same hashes as one integer.stream over the whole stream."""
    monkeypatch.setattr(longstream, "STREAM_EVERY", 700)  # several chunks, quickly
    qnet = quantize(streaming_variant(random_network(2, n_features=2, hidden=(6,), steps=2)))
    n = 3 * 700 + 123
    x, _ = longstream.inputs(qnet.n_inputs, n)
    whole = integer.stream(qnet, x)
    seen: list[int] = []
    marks = longstream.reference(qnet, n, progress=seen.append)
    assert marks == longstream.checkpoints(whole.outputs, whole.spike_counts)[0]
    assert sorted(marks) == [700, 1400, 2100, n] and seen == [700, 1400, 2100, n]
    assert longstream.reference(qnet, n, counters=False) == longstream.checkpoints(whole.outputs)[0]
    with pytest.raises(ValueError):
        longstream.reference(qnet, 0)


def test_parse_stream_output():
    text = (
        "boot\r\nSNN2C-STREAM BEGIN samples=20001 every=10000 outputs=1 layers=2 counters=1\r\n"
        "H 10000 123\r\nH 20000 4294967295\r\nH 20001 7\r\nSNN2C-STREAM END mismatches=1\r\n"
    )
    out = harness.parse_stream(text)
    assert out.complete and out.device_mismatches == 1
    assert out.header["samples"] == 20001 and out.header["counters"] == 1
    assert out.marks == {10_000: 123, 20_000: 2**32 - 1, 20_001: 7}
    assert not harness.parse_stream("SNN2C-STREAM BEGIN samples=5\nH 5 1\n").complete
    with pytest.raises(Snn2cError, match="unexpected stream output"):
        harness.parse_stream("SNN2C-STREAM BEGIN samples=5\nH five 1\n")


def _held_maximum_net() -> ir.Network:
    """Every layer leaks (so the proof holds for ever) and the drive is strong: a held
    maximum pushes the membranes towards their bounds."""
    return streaming_variant(
        random_network(8, n_features=2, hidden=(12,), steps=2, weight_scale=6.0)
    )


@pytest.mark.slow
def test_a_held_maximum_for_a_hundred_thousand_samples_stays_inside_the_proof():
    """10**5 samples at the top of the range (the long stream's held maximum, for ever):
    at every step every leaky layer's V stays within qnet.layers[i].bounds.membrane (the
    reference also asserts int32 on every proven value as it goes)."""
    qnet = quantize(_held_maximum_net())
    assert qnet.streaming and qnet.proven
    leaky = [i for i, layer in enumerate(qnet.layers) if isinstance(layer.neuron, QuantizedLIF)]
    assert leaky
    state = None
    lo = [np.inf] * len(qnet.layers)
    hi = [-np.inf] * len(qnet.layers)
    x = np.full((5000, qnet.n_inputs), contract.X_ONE)
    for _ in range(20):
        res = integer.stream(qnet, x, state=state, trace=True)
        state = res.state
        assert res.membranes is not None
        for i in leaky:
            lo[i] = min(lo[i], int(res.membranes[i].min()))
            hi[i] = max(hi[i], int(res.membranes[i].max()))
    for i in leaky:
        b_lo, b_hi = qnet.layers[i].bounds.membrane
        assert b_lo <= lo[i] and hi[i] <= b_hi, (i, (lo[i], hi[i]), (b_lo, b_hi))
    # the held maximum really drives the readout: far from zero, in its bound
    assert max(abs(lo[-1]), abs(hi[-1])) > 0.25 * max(
        abs(b) for b in qnet.layers[-1].bounds.membrane
    )
