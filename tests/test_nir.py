"""NIR import/export: snnTorch -> NIR -> snn2c equivalence, round trips, refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from _snntorch_export import snntorch_export

from snn2c import ir, modelfile
from snn2c.errors import Snn2cError
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import integer
from snn2c.reference.floatsim import run_float

nir = pytest.importorskip(
    "nir",
    reason="needs nir (pip install 'snn2c[nir]'); scripts/setup.sh installs it and CI fails on any skip",
)
torch = pytest.importorskip(
    "torch",
    reason="needs torch (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
)
snn = pytest.importorskip(
    "snntorch",
    reason="needs snntorch (pip install 'snn2c[nir]'); scripts/setup.sh installs it and CI fails on any skip",
)

from snn2c.nir import ImportOptions, export_network, import_graph, write_graph  # noqa: E402
from snn2c.nir.importer import import_file  # noqa: E402

STEPS = 20
N_IN, N_HID, N_OUT = 3, 8, 2


def _snntorch_net(reset: str, seed: int = 0):
    """nn.Linear + snn.Leaky layers (per-neuron beta and threshold, as NIR export needs)."""
    torch.manual_seed(seed)

    def leaky(n, beta, thr, **kw):
        return snn.Leaky(
            beta=torch.full((n,), beta),
            threshold=torch.full((n,), thr),
            init_hidden=True,
            reset_mechanism=reset,
            **kw,
        )

    fc0, fc1 = torch.nn.Linear(N_IN, N_HID), torch.nn.Linear(N_HID, N_OUT)
    with torch.no_grad():
        fc0.weight.mul_(3.0)
        fc1.weight.mul_(2.0)
    return torch.nn.Sequential(
        fc0, leaky(N_HID, 0.9, 1.0), fc1, leaky(N_OUT, 0.8, 0.7, output=True)
    )


def _export(module, path: Path) -> Path:
    return snntorch_export(module, N_IN, path)


def _run_snntorch(module, u: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Membranes and spikes per Leaky layer, each (B, T, n), for the current u every step."""
    pairs = [(module[0], module[1]), (module[2], module[3])]
    for _, lif in pairs:
        lif.reset_mem()
    x = torch.tensor(u, dtype=torch.float32)
    mems: list[list[np.ndarray]] = [[] for _ in pairs]
    spks: list[list[np.ndarray]] = [[] for _ in pairs]
    with torch.no_grad():
        for _ in range(STEPS):
            a = x
            for i, (lin, lif) in enumerate(pairs):
                out = lif(lin(a))
                a = out[0] if isinstance(out, tuple) else out
                mems[i].append(lif.mem.numpy().astype(np.float64))
                spks[i].append(a.numpy().astype(np.float64))
    return [np.stack(m, axis=1) for m in mems], [np.stack(s, axis=1) for s in spks]


def _inputs(n: int = 64, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, (n, N_IN))


@pytest.fixture(params=["zero", "subtract"])
def snntorch_case(request, tmp_path):
    reset = request.param
    module = _snntorch_net(reset)
    graph = _export(module, tmp_path / "net.nir")
    opts = ImportOptions(steps=STEPS, reset=reset, reset_timing="next_step")
    return module, import_file(graph, opts).net


def test_snntorch_float_matches(snntorch_case):
    module, net = snntorch_case
    assert net.dt == 1e-4 and net.encoder.kind == "direct" and net.decoder.kind == "membrane"
    u = _inputs()
    mems, spks = _run_snntorch(module, u)
    res = run_float(net, u, trace=True)
    assert res.membranes is not None and res.spikes is not None
    for layer in range(2):
        np.testing.assert_array_equal(res.spikes[layer + 1], spks[layer])
        np.testing.assert_allclose(res.membranes[layer], mems[layer], rtol=0, atol=1e-5)
    assert spks[0].sum() > 0 and spks[1].sum() > 0  # the network does spike
    # membrane decoder with identity readout: outputs are the last layer's V(T)
    np.testing.assert_allclose(res.outputs, mems[1][:, -1], rtol=0, atol=1e-5)


def _error_bound(net: ir.Network, qnet) -> list[np.ndarray]:
    """Per-layer, per-step bound on |V_q - V_float| (float units) while all spikes agree.

    docs/fixed-point.md: per step the current differs by the weight rounding
    sum_j |Wq 2^-ws - W| * a_max plus the input rounding (2^-13 per Q12 input, layer 0)
    plus half an LSB of Q16 for the accumulator shift and for the bias; the mul leak by
    |beta_q 2^-15 - beta| |V| plus half an LSB; a subtract reset by the threshold's
    rounding. The error decays with beta: e_t <= delta * sum_{k<=t} beta^k.
    """
    half = 2.0**-17
    bounds = []
    for i, (layer, ql) in enumerate(zip(net.layers, qnet.layers, strict=True)):
        w_err = np.abs(ql.weight * 2.0**-ql.weight_frac - layer.weight).sum(axis=1)
        d_in = np.abs(layer.weight).sum(axis=1) * 2.0**-13 if i == 0 else 0.0
        beta = layer.neuron.decay
        vmax = ql.bounds.membrane
        vmax = max(abs(vmax[0]), abs(vmax[1])) * 2.0**-16
        leak = abs(ql.neuron.beta_q15 * 2.0**-15 - beta) * vmax + half
        thr = abs(ql.neuron.threshold * 2.0**-16 - layer.neuron.threshold)
        delta = float(np.max(w_err + d_in)) + 2 * half + leak + thr
        bounds.append(delta * np.cumsum(beta ** np.arange(net.steps)))
    return bounds


@pytest.mark.parametrize("weight_bits", [8, 16])
def test_snntorch_quantized_within_contract_error(snntorch_case, weight_bits):
    """Integer reference vs float, step by step: up to the first step where some float
    membrane comes within the error bound of its threshold (where a spike could flip),
    spikes are identical and every |V_q - V| is within the bound; outputs of inputs
    that never come that close are within the last layer's bound at T."""
    _, net = snntorch_case
    net = replace(net, weight_bits=weight_bits)
    qnet = quantize(net)
    u = _inputs(256, seed=2)
    fres = run_float(net, u, trace=True)
    qres = integer.run(qnet, integer.normalize(net, u), trace=True)
    assert fres.membranes is not None and qres.membranes is not None and qres.spikes is not None
    bounds = _error_bound(net, qnet)
    near = np.zeros((len(u), net.steps), dtype=bool)
    for layer, mem, bound in zip(net.layers, fres.membranes, bounds, strict=True):
        close = np.abs(mem - layer.neuron.threshold) <= bound[None, :, None] + 2.0**-16
        near |= close.any(axis=2)
    first = np.where(near.any(axis=1), near.argmax(axis=1), net.steps)
    valid = np.arange(net.steps)[None, :] < first[:, None]  # (B, T)
    # int8 weights give wider bounds, so fewer steps are provably flip-free than with int16
    assert valid.mean() >= (0.1 if weight_bits == 8 else 0.5), valid.mean()
    for i, bound in enumerate(bounds):
        np.testing.assert_array_equal(qres.spikes[i + 1][valid], fres.spikes[i + 1][valid])
        err = np.abs(qres.membranes[i] * 2.0**-16 - fres.membranes[i])
        within = (err <= bound[None, :, None]).all(axis=2)
        assert within[valid].all(), f"layer {i}: max error {err[valid].max()} over its bound"
    done = first == net.steps
    if done.any():
        out_err = np.abs(qres.outputs[done] / 65536.0 - fres.outputs[done]).max()
        assert out_err <= bounds[-1][-1] + 2.0**-17


def test_snntorch_import_host_c_bit_exact(snntorch_case, tmp_path):
    from hostc import build_host

    _, net = snntorch_case
    host = build_host(net, tmp_path)
    x_q = integer.normalize(net, _inputs(32, seed=3))
    ref = integer.run(quantize(net), x_q)
    out, counts = host.infer(x_q)
    np.testing.assert_array_equal(out, ref.outputs)
    np.testing.assert_array_equal(counts, ref.spike_counts)


@pytest.mark.slow
def test_snntorch_to_firmware_qemu(tmp_path):
    """snnTorch -> NIR -> snn2c -> firmware, bit-exact in QEMU (the README example)."""
    graph = _export(_snntorch_net("subtract"), tmp_path / "net.nir")
    model, build = tmp_path / "m.snn", tmp_path / "fw"
    cli = [sys.executable, "-m", "snn2c"]
    run = dict(capture_output=True, text=True, check=True)
    subprocess.run(
        [
            *cli,
            "import-nir",
            str(graph),
            "-o",
            str(model),
            "--steps",
            "20",
            "--reset",
            "subtract",
            "--reset-timing",
            "next_step",
        ],
        **run,
    )
    subprocess.run([*cli, "build", str(model), "--board", "nucleo-f401", "-o", str(build)], **run)
    proc = subprocess.run(
        [*cli, "verify", str(build), "--emulator", "qemu", "--vectors", "50", "--json"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["mismatches"] == 0


# ----------------------------------------------------------------------------- round trip

ROUND_TRIP = [
    dict(
        seed=1,
        encoder="population",
        leak="shift",
        reset="subtract",
        fire="ge",
        reset_timing="next_step",
    ),
    dict(seed=2, encoder="direct", leak="mul", reset="zero", decoder="rate", hidden=(6, 5)),
    dict(seed=3, encoder="rate_bernoulli", leak="mul", reset="subtract", weight_bits=16),
]


@pytest.mark.parametrize("params", ROUND_TRIP, ids=lambda p: f"seed{p['seed']}")
def test_round_trip_same_network(params, tmp_path):
    net = random_network(**params)
    path = write_graph(net, tmp_path / "g.nir")
    back = import_file(path, ImportOptions())
    assert back.sidecar_used and not back.notes
    assert modelfile.dumps(back.net) == modelfile.dumps(net)


def test_round_trip_integrator_layers(tmp_path):
    """beta = 1 exports as IF (spiking) and I (non-spiking) and comes back."""
    net = random_network(4, encoder="direct", leak="mul")
    layers = tuple(replace(lay, neuron=replace(lay.neuron, beta=1.0)) for lay in net.layers)
    net = replace(net, layers=layers)
    graph = export_network(net)
    assert {type(n).__name__ for n in graph.nodes.values()} >= {"IF", "I"}
    nir.write(tmp_path / "g.nir", graph)
    assert modelfile.dumps(import_file(tmp_path / "g.nir", ImportOptions()).net) == modelfile.dumps(
        net
    )


def test_without_sidecar_the_nir_parameters_give_the_dynamics(tmp_path):
    """A foreign tool keeps only the NIR nodes: weights, beta and threshold still map back."""
    net = random_network(5, encoder="direct", leak="mul", reset="zero")
    graph = export_network(net)
    graph.metadata = {}
    back = import_graph(graph, ImportOptions(dt=net.dt, steps=net.steps))
    assert not back.sidecar_used
    for a, b in zip(net.layers, back.net.layers, strict=True):
        np.testing.assert_array_equal(a.weight, b.weight)
        np.testing.assert_array_equal(a.bias, b.bias)
        assert abs(a.neuron.decay - b.neuron.decay) < 1e-12
        assert not a.neuron.spiking or a.neuron.threshold == b.neuron.threshold
        assert (b.neuron.reset, b.neuron.fire, b.neuron.reset_timing) == ("zero", "gt", "same_step")
    u = np.random.default_rng(0).uniform(0, 1, (16, net.n_inputs))
    a_res, b_res = run_float(net, u, trace=True), run_float(back.net, u, trace=True)
    assert a_res.membranes is not None and b_res.membranes is not None
    np.testing.assert_allclose(b_res.membranes[-1], a_res.membranes[-1], atol=1e-9)


def test_cli_round_trip_and_no_overwrite(tmp_path):
    from snn2c.cli import main

    net = random_network(6, encoder="direct", leak="mul")
    src = modelfile.save(net, tmp_path / "m.snn")
    g, back = tmp_path / "g.nir", tmp_path / "back.snn"
    assert main(["export-nir", str(src), "-o", str(g)]) == 0
    assert main(["import-nir", str(g), "-o", str(back), "--json"]) == 0
    assert back.read_bytes() == src.read_bytes()
    before = g.read_bytes()
    assert main(["export-nir", str(src), "-o", str(g)]) == 2
    assert g.read_bytes() == before
    assert main(["import-nir", str(g), "-o", str(back)]) == 2
    assert main(["export-nir", str(src), "-o", str(g), "--force"]) == 0


def test_import_options_override(tmp_path):
    module = _snntorch_net("zero")
    graph = _export(module, tmp_path / "net.nir")
    res = import_file(
        graph,
        ImportOptions(
            dt=5e-4,
            steps=8,
            input_range=((-2.0, 2.0),),
            decoder="rate",
            encoder="rate_periodic",
            name="imported",
        ),
    )
    net = res.net
    assert (net.name, net.dt, net.steps, net.encoder.kind, net.decoder.kind) == (
        "imported",
        5e-4,
        8,
        "rate_periodic",
        "rate",
    )
    np.testing.assert_array_equal(net.inputs.low, [-2.0] * N_IN)
    # snnTorch wrote tau = 1e-4 / (1 - beta), r = tau / 1e-4; with dt = 5e-4 the Euler
    # step gives beta = 1 - dt / tau and gain r dt / tau = 5 on the weights
    assert net.layers[0].neuron.beta == pytest.approx(0.5, abs=1e-6)
    assert net.layers[1].neuron.beta == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(
        net.layers[0].weight, 5 * module[0].weight.detach().numpy(), rtol=1e-5
    )
    assert "nir_import" in net.metadata
    assert any("snnTorch" in n for n in import_file(graph, ImportOptions()).notes)


# ----------------------------------------------------------------------------- refusals


def _lif(n, **kw):
    p = dict(
        tau=np.full(n, 1e-3),
        r=np.full(n, 10.0),
        v_leak=np.zeros(n),
        v_threshold=np.ones(n),
        v_reset=np.zeros(n),
    )
    p.update(kw)
    return nir.LIF(**p)


def _li(n):
    return nir.LI(tau=np.full(n, 1e-3), r=np.full(n, 10.0), v_leak=np.zeros(n))


def test_membrane_readout_idioms(tmp_path):
    """A last LIF that can never reach its threshold, and an LI followed by an
    unreachable Threshold (Spyx's PSU_LIF), are the LI readout they mean; a zero Delay is
    dropped; a reachable readout threshold keeps the layer spiking."""
    never = import_graph(_chain(_affine(), _lif(4, v_threshold=np.full(4, 1e9))))
    assert never.net.layers[-1].neuron.kind == "li" and never.layers[-1]["never_fires"]
    psu = import_graph(
        _chain(
            nir.Delay(delay=np.zeros(3)),
            _affine(),
            _li(4),
            nir.Threshold(threshold=np.full(4, 1e9)),
        )
    )
    assert psu.net.layers[-1].neuron.kind == "li"
    assert any("zero Delay" in n for n in psu.notes) and any("Threshold" in n for n in psu.notes)
    # 3 inputs x 0.1 with beta 0.9 bound V by 0.3 * 10 = 3 > 2.5: it may fire
    near = import_graph(
        _chain(_affine(), _lif(4, v_threshold=np.full(4, 2.5), tau=np.full(4, 1e-3)))
    )
    assert near.net.layers[-1].neuron.kind == "lif"


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={}, type_check=False)


def _chain(*mid):
    names = [f"n{i}" for i in range(len(mid))]
    nodes = {
        "in": nir.Input(input_type={"input": np.array([3])}),
        **dict(zip(names, mid, strict=True)),
        "out": nir.Output(output_type={"output": np.array([4])}),
    }
    seq = ["in", *names, "out"]
    return _graph(nodes, list(zip(seq, seq[1:], strict=False)))


def _affine(n_out=4, n_in=3):
    return nir.Affine(weight=np.ones((n_out, n_in)) * 0.1, bias=np.zeros(n_out))


REFUSALS = {
    "unknown node": (
        _chain(_affine(), nir.SumPool2d(np.array([2, 2]), np.array([1, 1]), np.array([0, 0]))),
        "NIR SumPool2d",
    ),
    "threshold placement": (
        _chain(_affine(), nir.Threshold(threshold=np.ones(4)), _lif(4)),
        "only taken right after the last neuron node",
    ),
    "reachable threshold": (
        _chain(_affine(), _li(4), nir.Threshold(threshold=np.full(4, 0.01))),
        "cannot emit",
    ),
    "delay": (_chain(nir.Delay(delay=np.full(3, 2e-3)), _affine(), _lif(4)), "no synaptic delays"),
    "shapes": (_chain(_affine(), _lif(4), _affine(2, 5), _lif(2)), "shapes do not chain"),
    "non-finite": (_chain(_affine(), _lif(4, tau=np.array([1e-3, np.nan, 1e-3, 1e-3]))), "NaN"),
    "v_reset": (_chain(_affine(), _lif(4, v_reset=np.full(4, 0.5))), "v_reset=0.5"),
    "per-neuron tau": (
        _chain(_affine(), _lif(4, tau=np.array([1e-3, 2e-3, 1e-3, 1e-3]))),
        "one leak per layer",
    ),
    "cuba alpha": (
        _chain(
            _affine(),
            nir.CubaLIF(
                tau_syn=np.full(4, 1e-3),
                tau_mem=np.full(4, 1e-3),
                r=np.ones(4),
                v_leak=np.zeros(4),
                v_threshold=np.ones(4),
            ),
        ),
        "no synaptic state",
    ),
    "ends with affine": (_chain(_affine(), _lif(4), _affine(4, 4)), "needs neurons after"),
    "no synapse": (_chain(_lif(3)), "no Affine or Linear"),
    "li not last": (
        _chain(
            _affine(),
            nir.LI(tau=np.full(4, 1e-3), r=np.ones(4), v_leak=np.zeros(4)),
            _affine(4, 4),
            _lif(4),
        ),
        "only allowed last",
    ),
    "tau < dt": (_chain(_affine(), _lif(4, tau=np.full(4, 1e-5))), "beta < 0"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusals_are_one_line(case):
    graph, needle = REFUSALS[case]
    with pytest.raises(Snn2cError) as e:
        import_graph(graph, ImportOptions())
    msg = str(e.value)
    assert needle in msg and "\n" not in msg


def test_cycle_and_branch_refused():
    nodes = {
        "in": nir.Input(input_type={"input": np.array([3])}),
        "fc": _affine(),
        "lif": _lif(4),
        "rec": nir.Linear(weight=np.eye(4)),
        "out": nir.Output(output_type={"output": np.array([4])}),
    }
    edges = [("in", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "out")]
    with pytest.raises(Snn2cError, match="cycle lif -> rec -> lif"):
        import_graph(_graph(nodes, edges))
    with pytest.raises(Snn2cError, match="unknown node 'ghost'"):
        import_graph(_graph(nodes, [("in", "ghost")]))


def test_cuba_with_instant_synapse_and_v_leak_fold():
    dt = 1e-4
    cuba = nir.CubaLIF(
        tau_syn=np.full(4, dt),
        tau_mem=np.full(4, 1e-3),
        r=np.full(4, 10.0),
        v_leak=np.full(4, 0.5),
        v_threshold=np.ones(4),
        w_in=np.full(4, 2.0),
    )
    net = import_graph(_chain(_affine(), cuba), ImportOptions(dt=dt)).net
    layer = net.layers[0]
    assert layer.neuron.beta == pytest.approx(0.9)
    np.testing.assert_allclose(layer.weight, 0.2)  # gain w_in * (dt/tau_syn) * r dt/tau_mem = 2
    np.testing.assert_allclose(layer.bias, 0.05)  # (dt/tau) v_leak


def test_cli_errors_exit_2_one_line(tmp_path, capsys):
    from snn2c.cli import main

    bad = tmp_path / "bad.nir"
    bad.write_bytes(b"not hdf5 at all")
    nan_graph = tmp_path / "nan.nir"
    nir.write(nan_graph, REFUSALS["non-finite"][0])
    out = tmp_path / "x.snn"
    # one real process: exit status 2, one line on stderr, no traceback
    proc = subprocess.run(
        [sys.executable, "-m", "snn2c", "import-nir", str(bad), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"snn2c import-nir: error: {bad}: not a readable NIR graph ("
    )
    for path, needle in ((nan_graph, "NaN"), (tmp_path / "missing.nir", "no such file")):
        assert main(["import-nir", str(path), "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert needle in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("framework", "refused", "reading"),
    [
        ("rockpool", "IF", ("subtract", "ge", "same_step")),
        ("sinabs", "IF", ("subtract", "ge", "same_step")),
        ("spyx", "CubaLIF", ("subtract", "gt", "fire_first")),
    ],
)
def test_framework_readings_take_their_own_neurons_only(framework, refused, reading):
    """--from F reads F's own neuron updates; any other neuron node is refused in one line
    rather than read as NIR's Euler step. Each reading sets F's reset, comparison and timing."""
    nodes = {
        "IF": nir.IF(r=np.ones(4), v_threshold=np.ones(4)),
        "CubaLIF": nir.CubaLIF(
            tau_mem=np.full(4, 5.0),
            tau_syn=np.full(4, 1.0),
            r=np.ones(4),
            v_leak=np.zeros(4),
            v_threshold=np.ones(4),
        ),
    }
    with pytest.raises(Snn2cError, match=f"{framework} reading takes LIF"):
        import_graph(_chain(_affine(), nodes[refused]), ImportOptions(dt=1.0, framework=framework))
    ok = import_graph(_chain(_affine(), _lif(4)), ImportOptions(dt=1e-4, framework=framework))
    n = ok.net.layers[0].neuron
    assert (n.reset, n.fire, n.reset_timing) == reading
    assert any(note.startswith(f"read as {framework.capitalize()} runs it") for note in ok.notes)


def test_what_a_writer_drops_is_named_with_the_flag_that_changes_it():
    """No silent misreading (docs/nir.md): Sinabs does not write its reset_fn, Rockpool
    writes v_leak = 0 whatever the neuron bias, Norse 1.1.0 multiplies its dt into tau."""
    graph = _chain(_affine(), _lif(4, tau=np.full(4, 5.0), r=np.ones(4)))
    sinabs = import_graph(graph, ImportOptions(dt=1.0, framework="sinabs"))
    assert sinabs.net.layers[0].neuron.reset == "subtract"
    assert any("reset_fn" in n and "--reset zero" in n for n in sinabs.notes)
    told = import_graph(graph, ImportOptions(dt=1.0, framework="sinabs", reset="zero"))
    assert told.net.layers[0].neuron.reset == "zero"
    assert not any("reset_fn" in n for n in told.notes)
    rockpool = import_graph(graph, ImportOptions(dt=1.0, framework="rockpool"))
    assert any("v_leak = 0" in n and "bias" in n for n in rockpool.notes)
    assert not any("v_leak = 0" in n for n in sinabs.notes)
    # Norse's to_nir(m, x, dt=1e-3): tau written as dt * tau_mem = 6e-6 s, r = 1
    norse = _chain(_affine(), _lif(4, tau=np.full(4, 6e-6), r=np.ones(4)))
    for opts in (ImportOptions(dt=1e-3), ImportOptions()):
        with pytest.raises(Snn2cError) as e:
            import_graph(norse, opts)
        assert "beta < 0" in str(e.value) and "to_nir(module, x, dt=1.0)" in str(e.value)
    other = _chain(_affine(), _lif(4, tau=np.full(4, 1e-5)))
    with pytest.raises(Snn2cError, match="is --dt the step the graph was exported with"):
        import_graph(other, ImportOptions(dt=1e-3))
    with pytest.raises(Snn2cError, match="pass the exporter's dt with --dt"):
        import_graph(other, ImportOptions())


def test_multi_spike_frameworks_are_warned_where_a_step_can_reach_twice_the_threshold():
    """Rockpool and Sinabs emit floor(V/threshold) spikes in a step, snn2c one: where a
    layer's drive can take V to twice its threshold, the import says so."""
    lif = _lif(4, tau=np.full(4, 5.0), r=np.ones(4))
    strong = nir.Affine(weight=np.full((4, 3), 10.0), bias=np.zeros(4))  # several thresholds
    for framework in ("rockpool", "sinabs"):
        weak = import_graph(_chain(_affine(), lif), ImportOptions(dt=1.0, framework=framework))
        assert not any("twice its threshold" in n for n in weak.notes)
        res = import_graph(_chain(strong, lif), ImportOptions(dt=1.0, framework=framework))
        assert any("layer 0" in n and "twice its threshold" in n for n in res.notes), res.notes
    spyx = import_graph(_chain(strong, lif), ImportOptions(dt=1.0, framework="spyx"))
    assert not any("twice its threshold" in n for n in spyx.notes)  # Spyx emits one too
