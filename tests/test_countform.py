"""The counting form (docs/fixed-point.md): its numpy twin against the stepped
reference on every output bit and spike count, its table against exhaustive
simulation beyond the tabulated range, and the conditions under which it applies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snn2c import ir
from snn2c.codegen.generator import count_buckets
from snn2c.codegen.layout import MAX_COUNT_PAIRS, count_pairs
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import countform, integer

from netcases import count_form_networks, make_inputs

FOLDING = [c for c in count_form_networks() if countform.derive(quantize(c[1]))]


def _cf(case):
    return countform.derive(quantize(case[1]))


def test_the_suite_has_folding_cases_of_every_kind():
    names = [n for n, _ in FOLDING]
    assert len(FOLDING) >= 6, names
    kinds = {quantize(net).encoder.kind for _, net in FOLDING}
    assert kinds == {"population", "direct"}
    assert any(quantize(net).layers[0].saturate for _, net in FOLDING)  # sat32 currents
    # both storage forms of the C lookup: the pair form, and the search where it does not fit
    forms = {count_pairs(cf.edges, cf.counts, cf.top) is None for cf in map(_cf, FOLDING)}
    assert forms == {False, True}


@pytest.mark.parametrize("name,net", FOLDING, ids=[c[0] for c in FOLDING])
def test_count_form_equals_the_stepped_reference(name, net):
    qnet = quantize(net)
    cf = countform.derive(qnet)
    x = make_inputs(net, 3000, seed=len(name))
    ref = integer.run(qnet, x)
    got = countform.run(qnet, cf, x)
    np.testing.assert_array_equal(got.outputs, ref.outputs)
    np.testing.assert_array_equal(got.spike_counts, ref.spike_counts)
    assert ref.spike_counts[:, 1].sum() > 0  # real activity, not a silent network


@pytest.mark.parametrize("name,net", FOLDING[:4], ids=[c[0] for c in FOLDING[:4]])
def test_table_matches_simulation_far_beyond_its_range(name, net):
    """Every current in [-2 theta, 4 theta], stepped T times, against the table's
    lookup: this checks the two analytic tails the table leaves out."""
    qnet = quantize(net)
    cf = countform.derive(qnet)
    layer = qnet.layers[0]
    theta = layer.neuron.threshold
    cur = np.arange(-2 * theta, 4 * theta + 1, dtype=np.int64)
    v = np.zeros_like(cur)
    s = np.zeros_like(cur)
    n = np.zeros_like(cur)
    for _ in range(qnet.steps):
        v, s = integer.lif_update(layer, 0, v, cur, s)
        n += s
    np.testing.assert_array_equal(countform.lookup(cf, cur), n)


@pytest.mark.parametrize("name,net", FOLDING, ids=[c[0] for c in FOLDING])
def test_bucket_search_finds_the_run_of_every_current(name, net):
    """The C search form (start at bucket[c >> shift], step while edges[k + 1] <= c)
    emulated over every current of the table's range."""
    cf = countform.derive(quantize(net))
    shift, bucket = count_buckets(cf)
    edges = np.append(cf.edges, 2**31 - 1)
    c = np.arange(0, cf.top + 1, dtype=np.int64)
    k = bucket[c >> shift]
    steps = 0
    while True:
        more = edges[k + 1] <= c
        if not more.any():
            break
        k = k + more
        steps += 1
    assert steps <= 2  # the bucket width keeps the search to a step or two
    np.testing.assert_array_equal(cf.counts[k], countform.lookup(cf, c))


@pytest.mark.parametrize("name,net", FOLDING, ids=[c[0] for c in FOLDING])
def test_pair_form_gives_the_count_of_every_current(name, net):
    """The C pair form (bucket b = clamp(asr(c, shift), 0, last), then hi[b] if
    c >= edge[b] else lo[b], with no clamp of c) emulated over every current of the
    table's range, two buckets beyond it on either side and the int32 extremes."""
    cf = countform.derive(quantize(net))
    p = count_pairs(cf.edges, cf.counts, cf.top)
    if p is None:  # buckets narrow enough for one run start each would be too many
        narrowest = int(np.floor(np.log2(np.diff(cf.edges).min())))
        assert 1 << (cf.top >> narrowest).bit_length() > MAX_COUNT_PAIRS
        return
    assert p.last + 1 == 1 << (p.last + 1).bit_length() - 1  # a power of two: one USAT
    width = 1 << p.shift
    c = np.concatenate(
        [
            np.arange(-2 * width, cf.top + 2 * width + 1, dtype=np.int64),
            [-(2**31), -(2**31) + 1, 2**31 - 2, 2**31 - 1],
        ]
    )
    b = np.clip(c >> p.shift, 0, p.last)
    got = np.where(c >= p.edge[b], p.hi[b], p.lo[b])
    np.testing.assert_array_equal(got, countform.lookup(cf, c))


def _base(**kw) -> ir.Network:
    net = random_network(3, encoder=kw.pop("encoder", "direct"), **kw)
    readout = ir.LINeuron(leak="mul", beta=1.0)
    last = dataclasses.replace(net.layers[-1], neuron=readout)
    return dataclasses.replace(net, layers=(*net.layers[:-1], last))


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"encoder": "rate_periodic"}, "spikes"),
        ({"hidden": (8, 8)}, "one hidden layer"),
        ({"reset_timing": "next_step"}, "same-step reset"),
        ({"decoder": "population"}, "membrane decoder"),
    ],
)
def test_it_does_not_apply_where_its_conditions_fail(change, reason):
    qnet = quantize(_base(**change))
    assert reason in (countform.why_not(qnet) or "")
    assert countform.derive(qnet) is None


def test_a_leaky_readout_does_not_fold():
    net = random_network(3, encoder="direct")  # readout leaks (shift form)
    assert "leaks" in countform.why_not(quantize(net))
    assert countform.why_not(quantize(_base())) is None


def test_a_streaming_network_does_not_fold():
    """Its layers carry state from sample to sample: a count over one sample from the
    reset state is not what it computes (and its non-leaky readout saturates)."""
    qnet = quantize(dataclasses.replace(_base(), streaming=True))
    assert "streams" in (countform.why_not(qnet) or "")
    assert countform.derive(qnet) is None


def test_inspect_says_whether_a_model_runs_in_the_counting_form(tmp_path, capsys):
    import json

    from snn2c import modelfile
    from snn2c.cli import main

    for net, expect in ((FOLDING[0][1], True), (random_network(3, encoder="direct"), False)):
        path = tmp_path / "m.snn"
        modelfile.save(net, path, force=True)
        assert main(["inspect", "--json", str(path)]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["counting_form"] is expect
        assert (doc["counting_form_reason"] is None) is expect
