"""Networks written by the frameworks people train in, through each one's own NIR writer,
into snn2c: float outputs against the framework's own simulation, then the image for
nucleo-f401 verified bit-exact in QEMU; and snn2c's export read back by them.

Per framework (docs/nir.md has the table): snnTorch 1.0.0 (Leaky, the usual membrane
readout `Leaky(reset_mechanism="none")` with a threshold it never reaches), Norse 1.1.0
(LIFBoxCell, LIBoxCell), Rockpool 3.1.0 (LIFNeuronTorch, ExpSynTorch, read with
`--from rockpool`), Spyx 1.0.0 (LIF, the PSU_LIF readout, read with `--from spyx`) and
Sinabs 2.0.3 (LIF, ExpLeak, read with `--from sinabs`; Sinabs 3.x wants nir<=1.0.4).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from _snntorch_export import leaky_with_readout, readout_after, snntorch_export

from snn2c import modelfile
from snn2c.cli import main
from snn2c.nir import ImportOptions
from snn2c.nir.importer import import_file
from snn2c.reference.floatsim import run_float

nir = pytest.importorskip("nir", reason="needs nir (pip install 'snn2c[nir]')")
torch = pytest.importorskip("torch", reason="needs torch (pip install 'snn2c[nir]')")

N_IN, N_HID, N_OUT = 3, 10, 1
STEPS = 16


def _inputs(n: int = 200, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, (n, N_IN))


def _linears(seed: int, scale: float = 4.0):
    torch.manual_seed(seed)
    fc0, fc1 = torch.nn.Linear(N_IN, N_HID), torch.nn.Linear(N_HID, N_OUT)
    with torch.no_grad():
        fc0.weight.mul_(scale)
        fc0.bias.add_(0.3 * scale / 4.0)
        fc1.weight.mul_(2.0)
    return fc0, fc1


def _verified_on_qemu(tmp_path: Path, net, capsys) -> dict:
    """Build the imported network for nucleo-f401 and verify it in QEMU (JSON report)."""
    model, fw = tmp_path / "m.snn", tmp_path / "fw"
    modelfile.save(net, model)
    assert main(["build", str(model), "--board", "nucleo-f401", "-o", str(fw)]) == 0
    capsys.readouterr()
    assert main(["verify", str(fw), "--emulator", "qemu", "--vectors", "60", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mismatches"] == 0 and doc["vectors"] == 60
    return doc


# ------------------------------------------------------------------------------ snnTorch

snn = pytest.importorskip("snntorch", reason="needs snntorch (pip install 'snn2c[nir]')")


def _snntorch_net(seed: int = 0):
    return leaky_with_readout(*_linears(seed))


def _snntorch_readout(module, u: np.ndarray) -> np.ndarray:
    return readout_after(module, u, STEPS)


def _snntorch_export(module, path: Path) -> Path:
    return snntorch_export(module, N_IN, path)


def test_snntorch_membrane_readout_idiom_to_qemu(tmp_path, capsys):
    """The issue's case: the readout Leaky(reset_mechanism="none", threshold=1e9) is
    written as a LIF with v_threshold 1e9; it becomes an LI readout and goes to the board."""
    module = _snntorch_net()
    graph = _snntorch_export(module, tmp_path / "net.nir")
    opts = ImportOptions(steps=STEPS, reset="subtract", reset_timing="next_step")
    res = import_file(graph, opts)
    net = res.net
    assert [layer.neuron.kind for layer in net.layers] == ["lif", "li"]
    assert any("never be reached" in n and "LI membrane readout" in n for n in res.notes)
    u = _inputs()
    ours = run_float(net, u)
    theirs = _snntorch_readout(module, u)
    err = float(np.abs(ours.outputs - theirs).max())
    assert err < 1e-4, err  # float32 (snnTorch) against float64 (snn2c) over 16 steps
    assert float(np.std(theirs)) > 0.1  # the readout does depend on the input
    doc = _verified_on_qemu(tmp_path, net, capsys)
    assert doc["device_reported_mismatches"] == 0


# --------------------------------------------------------------------------------- Norse

NORSE_DT = 1e-3
TAU_HID, TAU_OUT = 0.006, 0.02  # seconds: beta 1 - dt/tau = 0.8333 and 0.95


def _norse():
    return pytest.importorskip("norse.torch", reason="needs norse (pip install 'snn2c[nir]')")


def _norse_net(seed: int = 0):
    nt = _norse()
    fc0, fc1 = _linears(seed)
    lif = nt.LIFBoxCell(
        nt.LIFBoxParameters(
            tau_mem_inv=torch.full((N_HID,), 1 / TAU_HID),
            v_th=torch.ones(N_HID),
            v_leak=torch.zeros(N_HID),
            v_reset=torch.zeros(N_HID),
        ),
        dt=NORSE_DT,
    )
    li = nt.LIBoxCell(
        nt.LIBoxParameters(
            tau_mem_inv=torch.full((N_OUT,), 1 / TAU_OUT), v_leak=torch.zeros(N_OUT)
        ),
        dt=NORSE_DT,
    )
    return nt.SequentialState(fc0, lif, fc1, li)


def _norse_readout(module, u: np.ndarray) -> np.ndarray:
    x = torch.tensor(u, dtype=torch.float32)
    state = None
    with torch.no_grad():
        for _ in range(STEPS):
            y, state = module(x, state)
    return y.numpy().astype(np.float64)


def _norse_export(module, path: Path) -> Path:
    nt = _norse()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nirtorch's deprecation notice
        # Norse 1.1.0 writes tau = dt / tau_mem_inv, i.e. dt * tau: dt=1 gives tau itself
        graph = nt.to_nir(module, torch.zeros(N_IN), dt=1.0)
    nir.write(path, graph)
    return path


def test_norse_to_qemu(tmp_path, capsys):
    module = _norse_net()
    graph = _norse_export(module, tmp_path / "net.nir")
    guess = import_file(graph, ImportOptions(steps=STEPS))
    assert any("Norse" in n and "--dt" in n for n in guess.notes)  # the flag it needs
    net = import_file(graph, ImportOptions(steps=STEPS, dt=NORSE_DT)).net
    assert [layer.neuron.kind for layer in net.layers] == ["lif", "li"]
    assert net.layers[0].neuron.reset == "zero" and net.layers[0].neuron.reset_timing == "same_step"
    u = _inputs()
    ours = run_float(net, u, trace=True)
    theirs = _norse_readout(module, u)
    err = float(np.abs(ours.outputs - theirs).max())
    assert err < 1e-4, err
    assert ours.spikes is not None and ours.spikes[1].sum() > 0  # the hidden layer fires
    _verified_on_qemu(tmp_path, net, capsys)


# ------------------------------------------------------------------ export, read back there


def _framework_membranes(flavour: str, graph_path: Path, enc: np.ndarray, dt: float) -> np.ndarray:
    """The readout layer's membrane at every step, (B, T, n), simulated by the framework
    from its own reading of the graph; enc is the encoder output (B, T, n_enc)."""
    graph = nir.read(graph_path)
    x = torch.tensor(enc, dtype=torch.float32)
    mems = []
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # nirtorch's deprecation notices
        if flavour == "snntorch":
            import snntorch.utils
            from snntorch.import_nir import import_from_nir

            module = import_from_nir(graph)
            snntorch.utils.reset(module)
            for t in range(enc.shape[1]):
                module(x[:, t])
                mems.append(module.li1.mem.numpy().copy())
        else:
            module = _norse().from_nir(graph, dt=dt)
            state = None
            for t in range(enc.shape[1]):
                _, state = module(x[:, t], state)
                mems.append(state.state["li1"][0].v.numpy().copy())
    return np.stack(mems, axis=1).astype(np.float64)


@pytest.mark.parametrize("flavour", ["snntorch", "norse"])
def test_export_read_back_and_simulated_by_the_framework(tmp_path, capsys, flavour):
    """snn2c export-nir --for F: the framework's own reader and simulator give snn2c's
    float membranes (zero reset at the spike and V > threshold: NIR's LIF, which both
    readers build)."""
    from snn2c.netgen import random_network
    from snn2c.reference.floatsim import encode_steps, normalize_float

    if flavour == "norse":
        _norse()
    net = random_network(
        21, n_features=3, hidden=(12,), encoder="population", reset="zero", steps=16
    )
    model, graph = tmp_path / "m.snn", tmp_path / "g.nir"
    modelfile.save(net, model)
    assert main(["export-nir", str(model), "-o", str(graph), "--for", flavour]) == 0
    assert "no snn2c sidecar" in capsys.readouterr().out
    x = np.random.default_rng(0).uniform(net.inputs.low, net.inputs.high, (100, 3))
    u = normalize_float(net, x)
    ours = run_float(net, u, trace=True)
    assert ours.spikes is not None and ours.membranes is not None and ours.spikes[1].sum() > 0
    enc = encode_steps(net.encoder, u).transpose(1, 0, 2)
    theirs = _framework_membranes(flavour, graph, enc, net.dt)
    err = float(np.abs(theirs - ours.membranes[-1]).max())
    assert err < 1e-4 * max(1.0, float(np.abs(ours.membranes[-1]).max())), err


# ------------------------------------------------------------------------------ Rockpool

ROCKPOOL_DT = 1e-3


def _rockpool():
    return pytest.importorskip(
        "rockpool.nn.modules", reason="needs rockpool (pip install 'snn2c[nir]')"
    )


def _rockpool_net(seed: int = 0):
    rp = _rockpool()
    from rockpool.nn.combinators import Sequential

    fc0, fc1 = _linears(seed, scale=0.5)  # currents below the threshold: no step needs two spikes

    def linear(fc):
        w = fc.weight.detach().T.contiguous()
        return rp.LinearTorch(tuple(w.shape), weight=w, bias=fc.bias.detach(), has_bias=True)

    return Sequential(
        linear(fc0),
        rp.LIFNeuronTorch(
            N_HID,
            tau_mem=torch.full((N_HID,), TAU_HID),
            threshold=torch.ones(N_HID),
            dt=ROCKPOOL_DT,
        ),
        linear(fc1),
        rp.ExpSynTorch(N_OUT, tau=torch.full((N_OUT,), TAU_OUT), dt=ROCKPOOL_DT),
    )


def _rockpool_run(module, u: np.ndarray) -> tuple[np.ndarray, float]:
    """The readout after STEPS steps, and the most spikes a hidden neuron gave in a step."""
    x = torch.tensor(np.repeat(u[:, None, :], STEPS, axis=1), dtype=torch.float32)
    module.reset_state()
    with torch.no_grad():
        out, _, rec = module(x, record=True)
    spikes = next(v["spikes"] for k, v in rec.items() if k.endswith("LIFNeuronTorch"))
    return out[:, -1].numpy().astype(np.float64), float(spikes.max())


def _rockpool_export(module, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nirtorch's deprecation notice
        graph = _rockpool().to_nir(module, torch.zeros(1, N_IN))
    for node in graph.nodes.values():  # Rockpool leaves tensors that nir.write cannot take
        for key, value in list(vars(node).items()):
            if isinstance(value, torch.Tensor):
                setattr(node, key, value.detach().numpy())
    nir.write(path, graph)
    return path


def test_rockpool_to_qemu(tmp_path, capsys):
    module = _rockpool_net()
    graph = _rockpool_export(module, tmp_path / "net.nir")
    guess = import_file(graph, ImportOptions(steps=STEPS, dt=ROCKPOOL_DT))
    assert any("--from rockpool" in n for n in guess.notes)  # the flag it needs
    res = import_file(graph, ImportOptions(steps=STEPS, dt=ROCKPOOL_DT, framework="rockpool"))
    net = res.net
    assert [layer.neuron.kind for layer in net.layers] == ["lif", "li"]
    assert net.layers[0].neuron.reset == "subtract" and net.layers[0].neuron.fire == "ge"
    u = _inputs()
    theirs, most = _rockpool_run(module, u)
    assert most == 1.0  # one spike per step at most: Rockpool's floor(V/threshold) is snn2c's spike
    ours = run_float(net, u)
    err = float(np.abs(ours.outputs - theirs).max())
    assert err < 1e-4, err
    assert float(np.std(theirs)) > 0.05
    _verified_on_qemu(tmp_path, net, capsys)


# ---------------------------------------------------------------------------------- Spyx

SPYX_DT = 1.0  # spyx.nir.to_nir's default: tau = dt / (1 - beta) in steps


def _spyx():
    return pytest.importorskip("spyx.nn", reason="needs spyx (pip install 'snn2c[nir]')")


def _spyx_net(seed: int = 0):
    """Linear -> LIF (beta 0.85, fires on the previous step's V) -> Linear -> PSU_LIF with a
    threshold it never reaches: the membrane readout Spyx writes as LI -> Threshold."""
    sn = _spyx()
    import jax.numpy as jnp
    from flax import nnx

    rngs = nnx.Rngs(seed)
    dense = []
    for fc in _linears(seed):
        lin = nnx.Linear(fc.in_features, fc.out_features, rngs=rngs)
        lin.kernel[...] = jnp.asarray(fc.weight.detach().numpy().T)
        lin.bias[...] = jnp.asarray(fc.bias.detach().numpy())
        dense.append(lin)
    return sn.Sequential(
        dense[0],
        sn.LIF((N_HID,), beta=0.85, rngs=rngs),
        dense[1],
        sn.PSU_LIF((N_OUT,), beta=0.9, threshold=1e9, rngs=rngs),
    )


def _spyx_readout(model, u: np.ndarray) -> np.ndarray:
    """The readout membrane after STEPS steps of Spyx's own scan (the last layer's state)."""
    import jax.numpy as jnp

    xs = jnp.broadcast_to(jnp.asarray(u, dtype=jnp.float32), (STEPS, *u.shape))
    _, state = _spyx().run(model, xs)
    return np.asarray(state[-1], dtype=np.float64)


def _spyx_export(model, path: Path) -> Path:
    from spyx.nir import to_nir

    graph = to_nir(model, {"input": np.array([N_IN])}, {"output": np.array([N_OUT])}, dt=SPYX_DT)
    nir.write(path, graph)
    return path


def test_spyx_to_qemu(tmp_path, capsys):
    model = _spyx_net()
    graph = _spyx_export(model, tmp_path / "net.nir")
    guess = import_file(graph, ImportOptions(steps=STEPS))
    assert any("--from spyx --dt 1 " in n for n in guess.notes), guess.notes  # dt from r = beta
    res = import_file(graph, ImportOptions(steps=STEPS, dt=SPYX_DT, framework="spyx"))
    net = res.net
    assert [layer.neuron.kind for layer in net.layers] == ["lif", "li"]
    hidden = net.layers[0].neuron
    assert (hidden.reset, hidden.fire, hidden.reset_timing) == ("subtract", "gt", "fire_first")
    u = _inputs()
    theirs = _spyx_readout(model, u)
    ours = run_float(net, u, trace=True)
    err = float(np.abs(ours.outputs - theirs).max())
    assert err < 1e-4, err  # float32 (JAX) against float64 (snn2c) over 16 steps
    assert ours.spikes is not None and ours.spikes[1].sum() > 0  # the hidden layer fires
    assert float(np.std(theirs)) > 0.1
    # the one-step spike delay matters: snnTorch's timing (same membranes, spikes a step
    # earlier) gives another readout
    early = import_file(
        graph, ImportOptions(steps=STEPS, dt=SPYX_DT, framework="spyx", reset_timing="next_step")
    ).net
    assert float(np.abs(run_float(early, u).outputs - theirs).max()) > 100 * err
    doc = _verified_on_qemu(tmp_path, net, capsys)
    assert doc["device_reported_mismatches"] == 0


# -------------------------------------------------------------------------------- Sinabs

SINABS_DT = 1.0  # Sinabs counts tau in steps
SINABS_TAU_HID, SINABS_TAU_OUT = 5.0, 10.0  # steps: beta exp(-1/5) = 0.819, exp(-1/10) = 0.905


def _sinabs():
    return pytest.importorskip("sinabs.layers", reason="needs sinabs (pip install 'snn2c[nir]')")


def _sinabs_net(seed: int = 0):
    """Linear -> LIF (MultiSpike, subtract, V >= thr) -> Linear -> ExpLeak, as Sinabs's own
    reader builds them (norm_input=False); currents small enough for one spike per step."""
    sl = _sinabs()
    fc0, fc1 = _linears(seed, scale=0.5)
    return torch.nn.Sequential(
        fc0,
        sl.LIF(
            tau_mem=torch.full((N_HID,), SINABS_TAU_HID),
            spike_threshold=torch.ones(N_HID),
            norm_input=False,
        ),
        fc1,
        sl.ExpLeak(tau_mem=torch.full((N_OUT,), SINABS_TAU_OUT), norm_input=False),
    )


def _sinabs_run(module, u: np.ndarray) -> tuple[np.ndarray, float]:
    """The readout after STEPS steps, and the most spikes a hidden neuron gave in a step."""
    x = torch.tensor(np.repeat(u[:, None, :], STEPS, axis=1), dtype=torch.float32)
    for layer in module:
        if hasattr(layer, "reset_states"):
            layer.reset_states()
    with torch.no_grad():
        spikes = module[1](module[0](x))
        out = module[3](module[2](spikes))
    return out[:, -1].numpy().astype(np.float64), float(spikes.max())


def _sinabs_export(module, path: Path) -> Path:
    from sinabs.nir import to_nir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nirtorch's deprecation notice
        graph = to_nir(module, torch.zeros(1, N_IN))
    nir.write(path, graph)
    return path


def test_sinabs_to_qemu(tmp_path, capsys):
    module = _sinabs_net()
    graph = _sinabs_export(module, tmp_path / "net.nir")
    guess = import_file(graph, ImportOptions(steps=STEPS))
    assert any("--from sinabs --dt 1" in n for n in guess.notes), guess.notes  # the flags
    res = import_file(graph, ImportOptions(steps=STEPS, dt=SINABS_DT, framework="sinabs"))
    net = res.net
    assert [layer.neuron.kind for layer in net.layers] == ["lif", "li"]
    hidden = net.layers[0].neuron
    assert (hidden.reset, hidden.fire, hidden.reset_timing) == ("subtract", "ge", "same_step")
    assert abs(hidden.decay - np.exp(-1 / SINABS_TAU_HID)) < 1e-6
    u = _inputs()
    theirs, most = _sinabs_run(module, u)
    assert most == 1.0  # one spike per step at most: Sinabs's MultiSpike is snn2c's spike
    ours = run_float(net, u, trace=True)
    err = float(np.abs(ours.outputs - theirs).max())
    assert err < 1e-4, err
    assert ours.spikes is not None and ours.spikes[1].sum() > 0  # the hidden layer fires
    assert float(np.std(theirs)) > 0.05
    doc = _verified_on_qemu(tmp_path, net, capsys)
    assert doc["device_reported_mismatches"] == 0
