"""Read a NIR graph and build the snn2c network it describes (docs/nir.md).

The graph must be one chain Input -> [Flatten] -> (Affine|Linear [Scale] -> neuron)+
[Threshold] -> Output, with LIF, IF, CubaLIF (spiking) or LI, I, CubaLI (non-spiking,
last only) neurons. Frameworks write a membrane readout in their own idioms, which are
read for what they mean: a last spiking layer whose threshold lies beyond the membrane
range its inputs can reach (snnTorch's Leaky(reset_mechanism="none", threshold=1e9))
becomes a non-spiking LI readout, and so does an LI followed by an unreachable
Threshold (Spyx's PSU_LIF); zero Delays are dropped. Everything else is refused with
one line naming the node and the missing feature. NIR holds no encoder, decoder, dt or
reset mode: they come from options, or from the "snn2c" sidecar that ``export-nir``
stores in the graph's metadata (options win).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from snn2c import ir, modelfile
from snn2c.contract import (
    MAX_STEPS,
    Decoder,
    Encoder,
    Fire,
    Leak,
    Neuron,
    Reset,
    ResetTiming,
    kind_names,
)
from snn2c.errors import ModelFormatError, Snn2cError
from snn2c.nir import mapping
from snn2c.nir.frameworks import (
    DEFAULT_DT,
    FRAMEWORKS,
    READINGS,
    node_type,
    reading_notes,
    short_tau_hint,
    writer_notes,
)
from snn2c.nir.package import require_nir
from snn2c.reference import fidelity
from snn2c.textsafe import check_name

SIDECAR_KEY = "snn2c"
SIDECAR_FORMAT = "snn2c-nir-sidecar"
DEFAULT_STEPS = 16
SYNAPSES = ("Affine", "Linear")
NEURONS = ("LIF", "IF", "CubaLIF", "LI", "I", "CubaLI")
# the neuron nodes' parameters mapping.to_discrete reads (absent ones as None)
NEURON_PARAMETERS = ("tau", "tau_mem", "tau_syn", "r", "v_leak", "v_threshold", "v_reset", "w_in")
SUPPORTED = ("Input", "Output", "Flatten", *SYNAPSES, "Scale", *NEURONS, "Threshold", "Delay")


@dataclass(frozen=True)
class ImportOptions:
    """Choices NIR does not record. None means: from the sidecar, else the default."""

    dt: float | None = None
    steps: int | None = None
    input_range: tuple[tuple[float, float], ...] | None = None  # one pair, or one per feature
    encoder: str | None = None
    neurons_per_feature: int | None = None
    decoder: str | None = None
    reset: str | None = None  # NIR resets to v_reset (= 0): "zero" unless overridden
    reset_timing: str | None = None
    name: str | None = None
    framework: str | None = None  # "rockpool", "spyx", "sinabs": read it as that framework runs it
    weight_bits: int | None = None  # None: the narrowest width within fidelity's bounds
    calibrate: str | None = None  # CSV of raw inputs to measure fidelity on (else uniform)


@dataclass
class ImportResult:
    net: ir.Network
    layers: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    sidecar_used: bool = False
    fidelity: fidelity.Choice | None = None


def read_graph(path: str | Path) -> Any:
    """nir.read with every failure turned into one Snn2cError line."""
    nir = require_nir()
    path = Path(path)
    if not path.is_file():
        raise Snn2cError(f"{path}: no such file")
    try:
        return nir.read(path, type_check=False)
    except Exception as e:  # h5py, KeyError, AssertionError from node checks, ...
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise Snn2cError(f"{path}: not a readable NIR graph ({msg})") from None


def import_file(path: str | Path, options: ImportOptions) -> ImportResult:
    path = Path(path)
    graph = read_graph(path)
    result = import_graph(graph, options, source=str(path))
    if not result.sidecar_used:
        meta = dict(result.net.metadata)
        meta["nir_import"] = {
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            **meta.get("nir_import", {}),
        }
        result.net = replace(result.net, metadata=meta)
    return result


def _chain(graph: Any, source: str) -> list[tuple[str, Any]]:
    """The graph's nodes in order from Input to Output, or a one-line refusal."""
    nodes = getattr(graph, "nodes", None)
    edges = getattr(graph, "edges", None)
    if not isinstance(nodes, dict) or edges is None:
        raise Snn2cError(f"{source}: not a NIR graph (no nodes/edges)")
    for name, node in nodes.items():
        t = node_type(node)
        if t == "NIRGraph":
            raise Snn2cError(
                f"{source}: node {name!r} is a nested NIRGraph (e.g. a recurrent RLeaky "
                "layer): snn2c runs feed-forward chains only"
            )
        if t not in SUPPORTED:
            raise Snn2cError(
                f"{source}: node {name!r} is a NIR {t}, which snn2c does not support "
                f"(supported: {', '.join(SUPPORTED)})"
            )
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    pred: dict[str, list[str]] = {n: [] for n in nodes}
    for edge in edges:
        a, b = (str(x) for x in edge)
        for end in (a, b):
            if end not in nodes:
                raise Snn2cError(f"{source}: edge {a!r} -> {b!r} names an unknown node {end!r}")
        succ[a].append(b)
        pred[b].append(a)
    _refuse_cycles(succ, source)
    inputs = [n for n, v in nodes.items() if node_type(v) == "Input"]
    outputs = [n for n, v in nodes.items() if node_type(v) == "Output"]
    if len(inputs) != 1 or len(outputs) != 1:
        raise Snn2cError(
            f"{source}: expected one Input and one Output node, found {len(inputs)} and "
            f"{len(outputs)}"
        )
    for name in nodes:
        if len(succ[name]) > 1 or len(pred[name]) > 1:
            kind = "outputs" if len(succ[name]) > 1 else "inputs"
            count = max(len(succ[name]), len(pred[name]))
            raise Snn2cError(
                f"{source}: node {name!r} has {count} {kind}; snn2c runs a single chain of layers"
            )
    order = [inputs[0]]
    while succ[order[-1]]:
        order.append(succ[order[-1]][0])
    if order[-1] != outputs[0]:
        raise Snn2cError(
            f"{source}: the chain from {inputs[0]!r} ends at {order[-1]!r}, not at the Output"
        )
    unused = sorted(set(nodes) - set(order))
    if unused:
        raise Snn2cError(f"{source}: node {unused[0]!r} is not on the path from Input to Output")
    return [(n, nodes[n]) for n in order]


def _refuse_cycles(succ: dict[str, list[str]], source: str) -> None:
    state: dict[str, int] = {}
    for start in succ:
        if state.get(start):
            continue
        stack = [(start, iter(succ[start]))]
        path = [start]
        state[start] = 1
        while stack:
            name, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[name] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                loop = [*path[path.index(nxt) :], nxt]
                raise Snn2cError(
                    f"{source}: cycle {' -> '.join(loop)}: snn2c runs feed-forward networks "
                    "only (no recurrent connections)"
                )
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
                path.append(nxt)


def _array(source: str, name: str, node: Any, key: str) -> np.ndarray:
    try:
        arr = np.asarray(getattr(node, key), dtype=np.float64)
    except (TypeError, ValueError):
        raise Snn2cError(
            f"{source}: node {name!r} ({node_type(node)}): {key} is not numeric"
        ) from None
    if not np.all(np.isfinite(arr)):
        raise Snn2cError(
            f"{source}: node {name!r} ({node_type(node)}): {key} contains NaN or infinity"
        )
    return arr


MAX_SHAPE_SIZE = 1 << 24  # values per node: far beyond any network an MCU runs


def _shape_size(node: Any, key: str, source: str = "<graph>", name: str = "?") -> int | None:
    """The number of values a node's input (or output) shape holds, or None without one;
    a shape that is not a list of positive integers is a one-line error."""
    types = getattr(node, "input_type" if key == "input" else "output_type", None) or {}
    if not isinstance(types, dict):
        raise Snn2cError(
            f"{source}: node {name!r} ({node_type(node)}): {key}_type is not a mapping"
        )
    shape = types.get(key)
    if shape is None:
        return None
    where = f"{source}: node {name!r} ({node_type(node)}): {key} shape"
    try:
        dims = np.asarray(shape).reshape(-1)
    except (TypeError, ValueError, OverflowError):
        raise Snn2cError(f"{where}: expected a list of positive integers") from None
    if dims.size == 0:
        return None
    if dims.dtype.kind not in "iu" and not (
        dims.dtype.kind == "f" and np.all(np.isfinite(dims)) and np.all(dims == np.round(dims))
    ):
        raise Snn2cError(f"{where}: expected a list of positive integers, got {dims.dtype} values")
    size = 1
    for d in dims.tolist():
        d = int(d)
        if d < 1:
            raise Snn2cError(f"{where}: expected positive sizes, got {d}")
        size *= d
        if size > MAX_SHAPE_SIZE:
            raise Snn2cError(f"{where}: more than {MAX_SHAPE_SIZE} values")
    return size


def _sidecar(graph: Any, source: str) -> dict[str, Any] | None:
    meta = getattr(graph, "metadata", None)
    if not isinstance(meta, dict) or SIDECAR_KEY not in meta:
        return None
    raw = meta[SIDECAR_KEY]
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        doc = json.loads(raw)
    except (TypeError, ValueError, RecursionError):  # JSONDecodeError, a 5000-digit number
        raise Snn2cError(f"{source}: metadata.{SIDECAR_KEY}: not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != SIDECAR_FORMAT:
        raise Snn2cError(f"{source}: metadata.{SIDECAR_KEY}: expected format {SIDECAR_FORMAT!r}")
    return doc


def import_graph(
    graph: Any, options: ImportOptions | None = None, source: str = "<graph>"
) -> ImportResult:
    """Map an in-memory nir.NIRGraph onto an snn2c network: walk its chain into layers,
    read the membrane-readout idioms (no sidecar) or restore the sidecar's choices,
    apply the options, assemble the network and say what was assumed (notes)."""
    opts = options or ImportOptions()
    chain = _chain(graph, source)
    side = _sidecar(graph, source)
    model = side.get("model", {}) if side else {}
    if not isinstance(model, dict):
        raise Snn2cError(f"{source}: metadata.{SIDECAR_KEY}.model: expected an object")
    dt = _step(opts, model, source)
    try:
        walk = _walk(chain, dt, _reading(opts), source)
    except mapping.ShortTau as e:
        raise Snn2cError(f"{e}; {short_tau_hint(chain, opts.dt is not None)}") from None
    layers, notes = walk.layers, walk.notes
    if side is None:
        steps = opts.steps if opts.steps is not None else DEFAULT_STEPS
        layers = _membrane_readout(layers, walk.info, walk.out_threshold, steps, notes, source)
    elif walk.out_threshold is not None:
        name = walk.out_threshold[0]
        raise Snn2cError(f"{source}: node {name!r} (Threshold) in an snn2c export")
    sidecar_used = False
    if side is not None:
        layers, sidecar_used = _apply_sidecar(layers, model, notes)
    layers = _apply_options(layers, opts, notes, source)
    if side is None:
        notes += writer_notes(chain, opts.dt is not None, opts.reset, opts.reset_timing)
        notes += reading_notes(chain, opts.framework, opts.reset)
    if opts.framework is not None and READINGS[opts.framework].multi_spike:
        notes += _multi_spike_notes(layers, opts.framework)
    net = _network(graph, layers, model if sidecar_used else {}, opts, walk.n_in, dt, source)
    net, choice = _weight_width(net, opts, sidecar_used, notes)
    _describe(walk.info, net)
    return ImportResult(net, walk.info, notes, sidecar_used, choice)


def _weight_width(
    net: ir.Network, opts: ImportOptions, sidecar_used: bool, notes: list[str]
) -> tuple[ir.Network, fidelity.Choice | None]:
    """The network at the weight width that keeps it faithful to the graph: measured on
    calibration inputs, the narrowest within fidelity's bounds, unless --weight-bits fixes
    it. A graph snn2c exported (its sidecar read) keeps the width it was trained at on
    the quantization grid, unmeasured, so that the round trip gives the same model."""
    if opts.weight_bits is not None and opts.weight_bits not in ir.WEIGHT_BITS:
        raise Snn2cError(f"--weight-bits: expected 8 or 16, got {opts.weight_bits}")
    if sidecar_used and opts.weight_bits is None:
        return net, None  # snn2c's own network, at the width it was trained at
    if opts.calibrate is not None:
        x = fidelity.read_calibration(opts.calibrate, net)
        where = f"{x.shape[0]} rows of {Path(opts.calibrate).name}"
    else:
        x = fidelity.uniform_inputs(net)
        where = "uniform over --input-range"
    forced = opts.weight_bits
    choice = fidelity.choose_width(net, x, where, forced=forced)
    fid = choice.chosen
    for bits, why in choice.refused:
        notes.append(f"int{bits} weights: not possible ({why})")
    for narrower in choice.measured[:-1]:
        notes.append(
            f"int{narrower.weight_bits} weights would leave the fixed-point network at "
            f"mean {narrower.mean:.4f}, 99th percentile {narrower.p99:.4f} of the output's "
            f"std (bounds {fidelity.MEAN_BOUND}, {fidelity.P99_BOUND}): "
            f"quantized at int{fid.weight_bits} (--weight-bits {narrower.weight_bits} forces it)"
        )
    if not fid.within_bounds:
        over = [
            f"{what} {value:.4f} > {bound}"
            for what, value, bound in (
                ("mean", fid.mean, fidelity.MEAN_BOUND),
                ("99th percentile", fid.p99, fidelity.P99_BOUND),
            )
            if value > bound
        ]
        notes.append(
            f"int{fid.weight_bits} weights leave the fixed-point network beyond fidelity's "
            f"bounds ({', '.join(over)} of the output's std): on some inputs the device "
            'will not compute what the graph computes (docs/nir.md, "Fidelity")'
        )
    meta = dict(net.metadata)
    meta["nir_import"] = {**meta.get("nir_import", {}), "fidelity": fid.to_json()}
    return replace(net, weight_bits=fid.weight_bits, metadata=meta), choice


def _step(opts: ImportOptions, model: dict[str, Any], source: str) -> float:
    """dt in seconds: --dt, else the sidecar's, else DEFAULT_DT; one line if not > 0."""
    if opts.dt is not None:
        if not (math.isfinite(opts.dt) and opts.dt > 0):
            raise Snn2cError(f"--dt: expected a positive number of seconds, got {opts.dt}")
        return opts.dt
    timing = model.get("timing", {})
    raw_dt: Any = timing.get("dt", DEFAULT_DT) if isinstance(timing, dict) else None
    dt = math.nan
    if isinstance(raw_dt, int | float) and not isinstance(raw_dt, bool):
        try:
            dt = float(raw_dt)
        except OverflowError:  # an integer beyond the float range
            dt = math.nan
    if not (math.isfinite(dt) and dt > 0):
        raise Snn2cError(
            f"{source}: metadata.{SIDECAR_KEY}.model.timing.dt: expected a positive "
            "number of seconds (or give --dt)"
        )
    return dt


def _reading(opts: ImportOptions) -> str:
    """The reading of the neuron nodes: --from's framework (which needs --dt), else NIR's."""
    if opts.framework is None:
        return "euler"
    if opts.framework not in FRAMEWORKS:
        raise Snn2cError(f"--from: expected one of {', '.join(FRAMEWORKS)}, got {opts.framework!r}")
    if opts.dt is None:
        raise Snn2cError(f"--from {opts.framework}: give the framework's step with --dt")
    return opts.framework


@dataclass
class _Walk:
    """The chain read so far: layers built, the synapse waiting for its neurons, and
    the width of the values the last node gives."""

    source: str
    dt: float
    rule: str
    n_in: int
    width: int
    layers: list[ir.DenseLayer] = field(default_factory=list)
    info: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pending: tuple[str, np.ndarray, np.ndarray] | None = None  # synapse waiting for neurons
    out_threshold: tuple[str, np.ndarray] | None = None  # a Threshold node before Output

    def where(self, name: str, t: str) -> str:
        return f"{self.source}: node {name!r} ({t})"


def _walk(chain: list[tuple[str, Any]], dt: float, rule: str, source: str) -> _Walk:
    """The chain's nodes between Input and Output, each read by its type's step."""
    n_in = _shape_size(chain[0][1], "input", source, chain[0][0])
    if n_in is None:
        raise Snn2cError(f"{source}: Input node {chain[0][0]!r} has no shape")
    walk = _Walk(source, dt, rule, n_in, n_in)
    for pos, (name, node) in enumerate(chain[1:-1], start=1):
        t = node_type(node)
        if t == "Threshold":
            _on_threshold(walk, name, node, before_output=node_type(chain[pos + 1][1]) == "Output")
        elif t in SYNAPSES:
            _on_synapse(walk, name, node, t)
        elif t in NEURONS:
            _on_neurons(walk, name, node, t)
        else:
            _NODE_STEPS[t](walk, name, node)
    if walk.pending is not None:
        raise Snn2cError(
            f"{source}: the graph ends with {walk.pending[0]!r}: snn2c needs neurons after every "
            "dense layer (choose a readout with --decoder instead)"
        )
    if not walk.layers:
        raise Snn2cError(f"{source}: the graph has no Affine/Linear + neuron layer")
    return walk


def _on_delay(walk: _Walk, name: str, node: Any) -> None:
    """A zero Delay is dropped; any other is refused (snn2c has no synaptic delays)."""
    delay = _array(walk.source, name, node, "delay")
    if np.any(delay != 0):
        raise Snn2cError(
            f"{walk.source}: node {name!r} is a NIR Delay of up to {float(delay.max()):g} s: "
            "snn2c has no synaptic delays"
        )
    walk.notes.append(f"node {name!r}: a zero Delay, dropped")


def _on_flatten(walk: _Walk, name: str, node: Any) -> None:
    """A Flatten changes nothing in a chain of vectors, unless it splits a layer."""
    if walk.pending is not None:
        raise Snn2cError(
            f"{walk.source}: node {name!r} (Flatten) sits between a weight node and its neurons"
        )


def _on_threshold(walk: _Walk, name: str, node: Any, before_output: bool) -> None:
    """A Threshold is taken only after the last neurons (read by _membrane_readout)."""
    if walk.pending is not None or not walk.layers or not before_output:
        raise Snn2cError(
            f"{walk.source}: node {name!r} (Threshold) is only taken right after the last "
            "neuron node, before the Output"
        )
    walk.out_threshold = (name, _array(walk.source, name, node, "threshold").reshape(-1))


def _on_synapse(walk: _Walk, name: str, node: Any, t: str) -> None:
    """An Affine or Linear node: the weights (and bias) of the next layer."""
    where = walk.where(name, t)
    if walk.pending is not None:
        raise Snn2cError(
            f"{where} follows {walk.pending[0]!r} without neurons in "
            "between; snn2c layers are one dense layer followed by neurons"
        )
    w = _array(walk.source, name, node, "weight")
    if w.ndim != 2:
        raise Snn2cError(f"{where}: weight must be 2-D, got shape {w.shape}")
    if w.shape[1] != walk.width:
        raise Snn2cError(
            f"{where}: weight has {w.shape[1]} inputs but the "
            f"previous node gives {walk.width}; shapes do not chain"
        )
    b = _array(walk.source, name, node, "bias") if t == "Affine" else np.zeros(w.shape[0])
    if b.shape != (w.shape[0],):
        raise Snn2cError(f"{where}: bias has shape {b.shape}, expected ({w.shape[0]},)")
    walk.pending = (name, w, b)
    walk.width = w.shape[0]


def _on_scale(walk: _Walk, name: str, node: Any) -> None:
    """A Scale after a synapse multiplies its rows (one factor, or one per output)."""
    if walk.pending is None:
        raise Snn2cError(
            f"{walk.source}: node {name!r} (Scale) must follow an Affine or Linear node"
        )
    s = _array(walk.source, name, node, "scale").reshape(-1)
    if s.size not in (1, walk.width):
        raise Snn2cError(
            f"{walk.source}: node {name!r} (Scale): {s.size} factors for {walk.width} values"
        )
    syn, w, b = walk.pending
    walk.pending = (syn, w * s.reshape(-1, 1) if s.size > 1 else w * s[0], b * s)


_NODE_STEPS = {"Delay": _on_delay, "Flatten": _on_flatten, "Scale": _on_scale}


def _on_neurons(walk: _Walk, name: str, node: Any, t: str) -> None:
    """A neuron node closes the pending synapse into one snn2c layer: its gain folded
    into the weights and bias, its leak and threshold read by the walk's reading."""
    where = walk.where(name, t)
    if walk.pending is None:
        raise Snn2cError(
            f"{where} has no Affine or Linear node before it; snn2c "
            "layers are one dense layer followed by neurons"
        )
    if walk.layers and not walk.layers[-1].neuron.spiking:
        raise Snn2cError(
            f"{walk.source}: non-spiking node before {name!r}: non-spiking (LI, I, CubaLI) "
            "layers are only allowed last"
        )
    size = _shape_size(node, "input", walk.source, name)
    if size is not None and size != walk.width:
        raise Snn2cError(
            f"{where} has {size} neurons but receives {walk.width} values; shapes do not chain"
        )
    params = {k: getattr(node, k, None) for k in NEURON_PARAMETERS}
    d = mapping.to_discrete(name, t, params, walk.width, walk.dt, walk.rule)
    syn_name, w, b = walk.pending
    reading = READINGS[walk.rule]
    cls = ir.LIFNeuron if d.spiking else ir.LINeuron
    neuron = cls(
        leak=Leak.MUL,
        leak_shift=3,
        beta=d.beta,
        threshold=d.threshold if d.threshold is not None else 1.0,
        reset=reading.reset,
        fire=reading.fire,
        reset_timing=reading.reset_timing if d.spiking else ResetTiming.SAME_STEP,
    )
    weight, bias = w * d.gain[:, None], b * d.gain + d.offset
    walk.layers.append(ir.DenseLayer(_frozen(weight), _frozen(bias), neuron))
    walk.info.append(
        {
            "synapse": syn_name,
            "neurons": name,
            "type": t,
            "n_in": w.shape[1],
            "n_out": walk.width,
            "gain": [float(d.gain.min()), float(d.gain.max())],
            "v_leak_folded": bool(np.any(d.offset != 0)),
        }
    )
    walk.pending = None


def _describe(info: list[dict[str, Any]], net: ir.Network) -> None:
    """Each layer's entry of the import's summary gets the neurons it ended with."""
    for entry, layer in zip(info, net.layers, strict=True):
        n = leaky(layer)
        entry.update(
            kind=n.kind,
            beta=n.decay,
            leak=n.leak,
            threshold=n.threshold,
            reset=n.reset,
            fire=n.fire,
            reset_timing=n.reset_timing,
        )


def leaky(layer: ir.DenseLayer) -> ir.LIFNeuron | ir.LINeuron:
    """A layer's neurons, which NIR's nodes (LIF, IF, LI, I, CubaLIF read as LIF) and the
    exporter's check make leaky integrators."""
    assert isinstance(layer.neuron, ir.LIFNeuron | ir.LINeuron), type(layer.neuron).__name__
    return layer.neuron


def _multi_spike_notes(layers: list[ir.DenseLayer], framework: str) -> list[str]:
    """Where a framework emits floor(V / threshold) spikes in a step and snn2c one: the
    layers whose neurons can reach twice their threshold in a step. With inputs in
    [0, 1] a step adds at most drive = sum |w| + |b|; from below the threshold the
    membrane stays under 2 threshold while drive + beta threshold < 2 threshold."""
    notes = []
    for i, layer in enumerate(layers):
        n = layer.neuron
        if not isinstance(n, ir.LIFNeuron) or n.reset is not Reset.SUBTRACT:
            continue
        drive = float((np.abs(layer.weight).sum(axis=1) + np.abs(layer.bias)).max())
        if drive + n.decay * n.threshold >= 2 * n.threshold:
            notes.append(
                f"layer {i}: a neuron can reach twice its threshold in one step (a step adds "
                f"up to {drive / n.threshold:.3g} thresholds): {framework.capitalize()} then "
                "emits several spikes where snn2c emits one, and the device differs from "
                f"{framework.capitalize()} there (fidelity is measured against snn2c's reading)"
            )
    return notes


def membrane_bound(layer: ir.DenseLayer, steps: int) -> np.ndarray:
    """Per neuron, the largest |V| the layer can reach without firing: its inputs (encoder
    outputs or spikes) lie in [0, 1], so |V_t| <= (sum |w| + |b|) * sum_k beta^k."""
    drive = np.abs(layer.weight).sum(axis=1) + np.abs(layer.bias)
    beta = leaky(layer).decay
    reach = steps if beta >= 1.0 else min(float(steps), 1.0 / (1.0 - beta))
    return drive * reach


def _membrane_readout(
    layers: list[ir.DenseLayer],
    info: list[dict[str, Any]],
    out_threshold: tuple[str, np.ndarray] | None,
    steps: int,
    notes: list[str],
    source: str,
) -> list[ir.DenseLayer]:
    """The frameworks' membrane-readout idioms as the LI readout they mean."""
    last = layers[-1]
    n = leaky(last)
    bound = float(membrane_bound(last, steps).max())
    if out_threshold is not None:
        name, theta = out_threshold
        if n.spiking or float(np.min(theta)) <= bound:
            raise Snn2cError(
                f"{source}: node {name!r} (Threshold) turns the last layer into spikes that "
                "snn2c cannot emit (only an unreachable Threshold after an LI readout is taken)"
            )
        notes.append(
            f"node {name!r}: Threshold {float(np.min(theta)):g} after an LI can never be "
            f"reached (|V| <= {bound:.4g} over {steps} steps): read as the LI's membrane"
        )
    if not n.spiking or n.threshold < bound:
        return layers
    notes.append(
        f"node {info[-1]['neurons']!r}: v_threshold {n.threshold:g} can never be "
        f"reached (|V| <= {bound:.4g} over {steps} steps, inputs in [0, 1]): imported as a "
        "non-spiking LI membrane readout"
    )
    info[-1]["never_fires"] = True
    li = n.retyped(ir.LINeuron, threshold=1.0)
    return [*layers[:-1], replace(last, neuron=li)]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _apply_sidecar(
    layers: list[ir.DenseLayer], model: dict[str, Any], notes: list[str]
) -> tuple[list[ir.DenseLayer], bool]:
    """Restore what NIR cannot hold (leak form, exact beta, reset, fire, timing) if consistent."""
    raw = model.get("layers")
    if not isinstance(raw, list) or len(raw) != len(layers):
        notes.append("the snn2c sidecar does not match the graph's layers; it was ignored")
        return layers, False
    out = []
    for i, (layer, entry) in enumerate(zip(layers, raw, strict=True)):
        nd = entry.get("neuron", {}) if isinstance(entry, dict) else {}
        n = leaky(layer)
        try:
            kind = Neuron(str(nd["kind"]))
            spec = type(n)(
                leak=Leak(str(nd["leak"])),
                leak_shift=int(nd["leak_shift"]),
                beta=float(nd["beta"]),
                threshold=float(nd["threshold"]),
                reset=Reset(str(nd["reset"])),
                fire=Fire(str(nd["fire"])),
                reset_timing=ResetTiming(str(nd.get("reset_timing", "same_step"))),
            )
            same = (
                kind is n.kind
                and abs(spec.decay - n.decay) <= 1e-9
                and (
                    not spec.spiking
                    or abs(spec.threshold - n.threshold) <= 1e-12 * max(1.0, spec.threshold)
                )
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            notes.append(f"the snn2c sidecar's layer {i} is incomplete; the sidecar was ignored")
            return layers, False
        if not same:
            notes.append(
                f"layer {i}'s neurons differ from the snn2c sidecar (graph edited elsewhere?); "
                "the sidecar was ignored"
            )
            return layers, False
        out.append(replace(layer, neuron=spec))
    return out, True


def _apply_options(
    layers: list[ir.DenseLayer], opts: ImportOptions, notes: list[str], source: str
) -> list[ir.DenseLayer]:
    if opts.reset is None and opts.reset_timing is None:
        return layers
    if opts.reset is not None and opts.reset not in kind_names(Reset):
        raise Snn2cError(
            f"--reset: expected one of {', '.join(kind_names(Reset))}, got {opts.reset!r}"
        )
    if opts.reset_timing is not None and opts.reset_timing not in kind_names(ResetTiming):
        raise Snn2cError(
            f"--reset-timing: expected one of {', '.join(kind_names(ResetTiming))}, "
            f"got {opts.reset_timing!r}"
        )
    out = []
    for layer in layers:
        spec = leaky(layer)
        if spec.spiking:
            if opts.reset is not None:
                spec = replace(spec, reset=Reset(opts.reset))
            if opts.reset_timing is not None:
                spec = replace(spec, reset_timing=ResetTiming(opts.reset_timing))
        out.append(replace(layer, neuron=spec))
    return out


def _parse_ranges(
    ranges: tuple[tuple[float, float], ...] | None, nf: int
) -> tuple[np.ndarray, np.ndarray]:
    if not ranges:
        return np.zeros(nf), np.ones(nf)
    if len(ranges) not in (1, nf):
        raise Snn2cError(
            f"--input-range: give one LO:HI for all features or one per feature ({nf}), got {len(ranges)}"
        )
    lo = np.array([r[0] for r in ranges], dtype=np.float64)
    hi = np.array([r[1] for r in ranges], dtype=np.float64)
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))) or np.any(hi <= lo):
        raise Snn2cError("--input-range: each range needs finite LO < HI")
    return np.broadcast_to(lo, (nf,)).copy(), np.broadcast_to(hi, (nf,)).copy()


def _network(
    graph: Any,
    layers: list[ir.DenseLayer],
    model: dict[str, Any],
    opts: ImportOptions,
    n_in: int,
    dt: float,
    source: str,
) -> ir.Network:
    """Assemble the network: encoder, decoder and inputs from options, sidecar or defaults."""
    base = None
    if model:
        try:
            base = modelfile.from_dict(
                _with_layers(model, layers), source=f"{source}: metadata.snn2c"
            )
        except ModelFormatError as e:
            raise Snn2cError(str(e)) from None
    enc_kind = opts.encoder or (base.encoder.kind if base else Encoder.DIRECT)
    if enc_kind not in kind_names(Encoder):
        raise Snn2cError(
            f"--encoder: expected one of {', '.join(kind_names(Encoder))}, got {enc_kind!r}"
        )
    enc = base.encoder if base else ir.EncoderSpec()
    npf = opts.neurons_per_feature or enc.neurons_per_feature
    enc = replace(
        enc,
        kind=Encoder(enc_kind),
        neurons_per_feature=npf,
        steps=opts.steps if opts.steps is not None else (enc.steps if base else DEFAULT_STEPS),
    )
    if not 1 <= enc.steps <= MAX_STEPS:
        raise Snn2cError(f"--steps: expected 1..{MAX_STEPS}, got {enc.steps}")
    per = enc.n_outputs(1)
    if n_in % per:
        raise Snn2cError(
            f"{source}: the graph has {n_in} inputs, not a multiple of {per} receptive fields "
            f"per feature ({enc_kind} encoder)"
        )
    nf = n_in // per
    if base and base.n_inputs == nf and not opts.input_range:
        inputs = base.inputs
    else:
        lo, hi = _parse_ranges(opts.input_range, nf)
        names = (
            base.inputs.names if base and base.n_inputs == nf else tuple(f"x{i}" for i in range(nf))
        )
        inputs = ir.InputSpec(tuple(names), _frozen(lo), _frozen(hi))
    n_last = layers[-1].n_out
    dec_kind = opts.decoder or (base.decoder.kind if base else Decoder.MEMBRANE)
    if dec_kind not in kind_names(Decoder):
        raise Snn2cError(
            f"--decoder: expected one of {', '.join(kind_names(Decoder))}, got {dec_kind!r}"
        )
    if Decoder(dec_kind).counts and not layers[-1].neuron.spiking:
        raise Snn2cError(
            f"--decoder {dec_kind}: needs a spiking last layer, the graph ends in a non-spiking one"
        )
    decoder = (
        replace(base.decoder, kind=Decoder(dec_kind))
        if base
        else ir.DecoderSpec(Decoder(dec_kind), _frozen(np.eye(n_last)), _frozen(np.zeros(n_last)))
    )
    name = check_name(opts.name, "--name") if opts.name else (base.name if base else "nir-import")
    net = ir.Network(
        name=name,
        inputs=inputs,
        target=base.target if base else ir.TargetSpec(),
        encoder=enc,
        layers=tuple(layers),
        decoder=decoder,
        weight_bits=base.weight_bits if base else 8,
        dt=dt,
        metadata=dict(base.metadata) if base else {},
    )
    try:  # the model file's own checks: what we could not save, we do not return
        return modelfile.from_dict(modelfile.to_dict(net), source=f"{source} (imported)")
    except ModelFormatError as e:
        raise Snn2cError(str(e)) from None


def _with_layers(model: dict[str, Any], layers: list[ir.DenseLayer]) -> dict[str, Any]:
    doc = dict(model)
    doc["layers"] = [modelfile.layer_dict(layer) for layer in layers]
    return doc
