"""Read and write .snn model files (docs/file-format.md).

A .snn file is UTF-8 JSON with sorted keys, so the same network always gives the
same bytes and the same hash. Loading checks every field, type and shape and
raises ModelFormatError with a one-line message naming the file and the field.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from snn2c import contract, ir
from snn2c.contract import MAX_STEPS, Decoder, Encoder, Fire, Leak, Neuron, Reset, ResetTiming
from snn2c.errors import ModelFormatError
from snn2c.textsafe import NAME_RE


def _finite(v: int | float) -> bool:
    try:
        return math.isfinite(float(v))
    except OverflowError:  # an integer beyond the float range
        return False


def _check_integer_range(r, names, low, high) -> None:
    """Integer inputs: whole-number bounds within int32, and a span the device's
    normalisation can hold (docs/fixed-point.md, "Integer inputs")."""
    for i, name in enumerate(names):
        lo, hi = low[i], high[i]
        if lo != np.floor(lo) or hi != np.floor(hi):
            raise r.fail(
                "inputs", f"feature {name!r}: integer inputs need whole-number low and high"
            )
        if lo < contract.INT32_MIN or hi > contract.INT32_MAX or hi - lo > contract.INT32_MAX:
            raise r.fail(
                "inputs",
                f"feature {name!r}: integer inputs need low, high and high - low within int32",
            )


def _short(v: Any) -> str:
    text = (
        repr(v)
        if not isinstance(v, int) or abs(v) < 10**20
        else f"an integer of {len(str(v))} digits"
    )
    return text if len(text) <= 60 else text[:57] + "..."


def to_dict(net: ir.Network) -> dict[str, Any]:
    """The JSON document for a network."""
    enc = net.encoder
    doc: dict[str, Any] = {
        "format": ir.FORMAT_NAME,
        # version 2 only where a version-1 reader would misread the file
        "version": ir.FORMAT_VERSION if enc.features is not None else 1,
        "name": net.name,
        "inputs": {
            "names": list(net.inputs.names),
            "low": _floats(net.inputs.low),
            "high": _floats(net.inputs.high),
        },
        "target": {
            "name": net.target.name,
            "units": net.target.units,
            "offset": float(net.target.offset),
            "scale": float(net.target.scale),
        },
        "encoder": {
            "kind": enc.kind,
            "steps": enc.steps,
            "neurons_per_feature": enc.neurons_per_feature,
            "sigma": float(enc.sigma),
            "t0": enc.t0,
            "window": enc.window,
            "seed": enc.seed,
            **({"features": _features_list(enc.features)} if enc.features is not None else {}),
        },
        "layers": [layer_dict(layer) for layer in net.layers],
        "decoder": {
            "kind": net.decoder.kind,
            "weight": _floats(net.decoder.weight),
            "bias": _floats(net.decoder.bias),
        },
        "quantization": {"weight_bits": net.weight_bits},
        "timing": {
            "dt": float(net.dt),
            "update_order": "leak,integrate,fire,reset",
        },
        "metadata": net.metadata,
    }
    if net.streaming:  # written only when set, so a static model's file is unchanged
        doc["timing"]["streaming"] = True
    if net.inputs.integer:  # likewise: a model with float inputs keeps its bytes
        doc["inputs"]["integer"] = True
    if net.inputs.adc_bits is not None:
        doc["inputs"]["adc_bits"] = net.inputs.adc_bits
    if net.baseline is not None:
        doc["baseline"] = {
            "kind": "mlp_relu",
            "layers": [
                {"weight": _floats(w), "bias": _floats(b)}
                for w, b in zip(net.baseline.weights, net.baseline.biases, strict=True)
            ],
            "note": net.baseline.note,
        }
    return doc


def _features_list(features: tuple[ir.FeatureEncoding, ...]) -> list[dict[str, Any]]:
    return [{"direct": f.direct, "centres": list(f.centres)} for f in features]


def layer_dict(layer: ir.DenseLayer) -> dict[str, Any]:
    """One layer as the file stores it."""
    return {
        "weight": _floats(layer.weight),
        "bias": _floats(layer.bias),
        "neuron": _neuron_dict(layer.neuron),
    }


# The leaky-integrator fields an izhikevich entry carries in the file, ignored on reading
# (docs/file-format.md): a LIF's defaults, what snn2c has always written there.
IZH_LIF_FIELDS = ir.LIFNeuron()


def _neuron_dict(n: ir.NeuronSpec) -> dict[str, Any]:
    """A neuron as its file entry: the kind tag and the type's own fields."""
    match n:
        case ir.LeakyNeuron():
            return {"kind": n.kind, **_leaky_dict(n)}
        case ir.IzhikevichNeuron():
            # the Izhikevich fields only here: LIF files keep their bytes and hashes
            return {
                "kind": n.kind,
                **_leaky_dict(IZH_LIF_FIELDS),
                "a": float(n.a),
                "b": float(n.b),
                "c": float(n.c),
                "d": float(n.d),
                "dt_shift": n.dt_shift,
                "gain": float(n.gain),
            }
    raise TypeError(f"no file entry for {type(n).__name__}")  # pragma: no cover


def _leaky_dict(n: ir.LeakyNeuron) -> dict[str, Any]:
    return {
        "leak": n.leak,
        "leak_shift": n.leak_shift,
        "beta": float(n.beta),
        "threshold": float(n.threshold),
        "reset": n.reset,
        "fire": n.fire,
        "reset_timing": n.reset_timing,
    }


def dumps(net: ir.Network) -> bytes:
    """Canonical bytes of a network (sorted keys, shortest round-trip floats)."""
    doc = to_dict(net)
    from_dict(doc, source="<network>")  # never write what we could not read back
    return (json.dumps(doc, sort_keys=True, indent=1, allow_nan=False) + "\n").encode()


def save(net: ir.Network, path: str | Path, *, force: bool = False) -> Path:
    """Write a network atomically; refuses to replace an existing file unless force."""
    path = Path(path)
    if path.exists() and not force:
        raise ModelFormatError(f"{path}: already exists (use --force to overwrite)")
    write_atomic(path, dumps(net))
    return path


_WRITTEN: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar(
    "snn2c_written", default=None
)


@contextlib.contextmanager
def recording() -> Iterator[set[Path]]:
    """The paths write_atomic writes inside the block (what `snn2c build` owns)."""
    written: set[Path] = set()
    token = _WRITTEN.set(written)
    try:
        yield written
    finally:
        _WRITTEN.reset(token)


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path through a temporary file in the same folder and a rename."""
    record = _WRITTEN.get()
    if record is not None:
        record.add(Path(path))
    if not path.name or path.is_dir():
        raise ModelFormatError(f"{path}: is a folder (expected a file name)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:  # a parent is a file, no permission, read-only file system, ...
        raise ModelFormatError(f"{path}: cannot write ({e.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 -> what the user's umask gives
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ModelFormatError(f"{path}: cannot write ({e.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load(path: str | Path) -> ir.Network:
    """Read and validate a .snn file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelFormatError(f"{path}: no such file") from None
    except OSError as e:
        raise ModelFormatError(f"{path}: cannot read ({e.strerror})") from None
    return loads(raw, source=str(path))


def loads(raw: bytes, source: str = "<bytes>") -> ir.Network:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ModelFormatError(f"{source}: not a .snn file (not UTF-8 text)") from None
    except json.JSONDecodeError as e:
        raise ModelFormatError(
            f"{source}: malformed or truncated JSON at line {e.lineno} column {e.colno}: {e.msg}"
        ) from None
    except RecursionError:
        raise ModelFormatError(f"{source}: not a .snn file (JSON nested too deeply)") from None
    except ValueError as e:  # e.g. an integer literal beyond Python's digit limit
        raise ModelFormatError(f"{source}: not a .snn file ({e})") from None
    try:
        return from_dict(doc, source=source)
    except RecursionError:
        raise ModelFormatError(f"{source}: not a .snn file (nested too deeply)") from None


def model_hash(net: ir.Network) -> str:
    """SHA-256 of the network's canonical bytes (printed in generated files)."""
    return hashlib.sha256(dumps(net)).hexdigest()


# --------------------------------------------------------------------------- parsing


class _Reader:
    """Typed field access that names the offending field on error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, msg: str) -> ModelFormatError:
        return ModelFormatError(f"{self.source}: {where}: {msg}")

    def obj(self, d: Any, where: str) -> dict[str, Any]:
        if not isinstance(d, dict):
            raise self.fail(where, f"expected an object, got {type(d).__name__}")
        return d

    def get(self, d: dict[str, Any], key: str, where: str, default: Any = ...) -> Any:
        if key not in d:
            if default is ...:
                raise self.fail(f"{where}.{key}" if where else key, "missing field")
            return default
        return d[key]

    def string(self, d, key, where, default: Any = ..., choices=None) -> str:
        v = self.get(d, key, where, default)
        name = f"{where}.{key}" if where else key
        if not isinstance(v, str):
            raise self.fail(name, f"expected a string, got {type(v).__name__}")
        if choices is not None and v not in choices:
            raise self.fail(name, f"expected one of {', '.join(choices)}, got {v!r}")
        return v

    def kind(self, d, key, where, kind: type[StrEnum], default: Any = ...) -> Any:
        """A member of one of the contract's kinds (Encoder, Neuron, Leak, ...), from its
        string; the message lists the strings the file may hold."""
        return kind(self.string(d, key, where, default, choices=contract.kind_names(kind)))

    def integer(self, d, key, where, default: Any = ..., lo=None, hi=None) -> int:
        v = self.get(d, key, where, default)
        name = f"{where}.{key}" if where else key
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(name, f"expected an integer, got {_short(v)}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise self.fail(name, f"expected an integer in [{lo}, {hi}], got {_short(v)}")
        return v

    def bounded(self, d, key, where, limit: str, default: Any = ...) -> Any:
        """A number within ir.LIMITS[limit] (an integer where the limit says so)."""
        lim = ir.LIMITS[limit]
        v = (
            self.integer(d, key, where, default)
            if lim.integer
            else self.number(d, key, where, default)
        )
        if v not in lim:
            raise self.fail(
                f"{where}.{key}" if where else key, f"expected {lim.text}, got {_short(v)}"
            )
        return v

    def number(self, d, key, where, default: Any = ..., positive=False) -> float:
        v = self.get(d, key, where, default)
        name = f"{where}.{key}" if where else key
        if isinstance(v, bool) or not isinstance(v, int | float) or not _finite(v):
            raise self.fail(name, f"expected a finite number, got {_short(v)}")
        if positive and v <= 0:
            raise self.fail(name, f"expected a positive number, got {_short(v)}")
        return float(v)

    def array(self, d, key, where, shape: tuple[int | None, ...]) -> np.ndarray:
        v = self.get(d, key, where)
        name = f"{where}.{key}" if where else key
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(name, "expected a (nested) list of finite numbers") from None
        if arr.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(arr.shape, shape, strict=False)
        ):
            want_s = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
            raise self.fail(name, f"expected shape {want_s}, got {arr.shape}")
        if arr.size == 0:
            raise self.fail(name, "is empty")
        if not np.all(np.isfinite(arr)):
            raise self.fail(name, "contains NaN or infinity")
        arr.setflags(write=False)
        return arr


def from_dict(doc: Any, source: str = "<dict>") -> ir.Network:
    """Validate a JSON document and build the network it describes."""
    r = _Reader(source)
    doc = r.obj(doc, "file")
    fmt = r.get(doc, "format", "")
    if fmt != ir.FORMAT_NAME:
        raise r.fail("format", f"expected {ir.FORMAT_NAME!r}, got {fmt!r} (not a .snn model)")
    version = r.integer(doc, "version", "")
    if version > ir.FORMAT_VERSION:
        raise r.fail(
            "version",
            f"format version {version} is newer than this snn2c supports "
            f"({ir.FORMAT_VERSION}); upgrade snn2c",
        )
    if version < 1:
        raise r.fail("version", f"expected a version >= 1, got {version}")

    name = r.string(doc, "name", "")
    if NAME_RE.fullmatch(name) is None:
        raise r.fail(
            "name", "expected 1-64 letters, digits and _ . + - (starting with a letter or digit)"
        )

    inp = r.obj(r.get(doc, "inputs", ""), "inputs")
    names = r.get(inp, "names", "inputs")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise r.fail("inputs.names", "expected a non-empty list of strings")
    if len(set(names)) != len(names):
        raise r.fail("inputs.names", "feature names must be unique")
    nf = len(names)
    low = r.array(inp, "low", "inputs", (nf,))
    high = r.array(inp, "high", "inputs", (nf,))
    if np.any(high <= low):
        i = int(np.argmax(high <= low))
        raise r.fail("inputs.high", f"feature {names[i]!r}: high must exceed low")
    # the device normalises in float32: every constant it uses must be a finite float32
    with np.errstate(all="ignore"):
        consts = np.stack([low, high, contract.X_ONE / (high - low)]).astype(np.float32)
    if not np.all(np.isfinite(consts)) or not np.all(consts[2] > 0):
        i = int(np.argmax(~np.all(np.isfinite(consts), axis=0) | ~(consts[2] > 0)))
        raise r.fail(
            "inputs",
            f"feature {names[i]!r}: low, high and 4096 / (high - low) must be finite "
            "float32 values (|x| < 3.4e38, high - low not vanishingly small)",
        )
    integer = inp.get("integer", False)
    if not isinstance(integer, bool):
        raise r.fail("inputs.integer", f"expected true or false, got {_short(integer)}")
    if integer:
        _check_integer_range(r, names, low, high)
    adc_bits = inp.get("adc_bits")
    if adc_bits is not None and (
        not integer
        or isinstance(adc_bits, bool)
        or not isinstance(adc_bits, int)
        or adc_bits not in ir.LIMITS["adc_bits"]
    ):
        raise r.fail(
            "inputs.adc_bits", f"expected {ir.LIMITS['adc_bits'].text}, with inputs.integer true"
        )
    inputs = ir.InputSpec(tuple(names), low, high, integer, adc_bits)

    tgt = r.obj(r.get(doc, "target", ""), "target")
    target = ir.TargetSpec(
        name=r.string(tgt, "name", "target"),
        units=r.string(tgt, "units", "target", ""),
        offset=r.number(tgt, "offset", "target"),
        scale=r.number(tgt, "scale", "target"),
    )
    if target.scale == 0:
        raise r.fail("target.scale", "must not be zero")
    with np.errstate(all="ignore"):
        t32 = np.array([target.offset, target.scale], dtype=np.float32)
    if not np.all(np.isfinite(t32)) or t32[1] == 0:
        raise r.fail("target", "offset and scale must be finite, non-zero-scale float32 values")

    e = r.obj(r.get(doc, "encoder", ""), "encoder")
    encoder = ir.EncoderSpec(
        kind=r.kind(e, "kind", "encoder", Encoder),
        steps=r.bounded(e, "steps", "encoder", "steps"),
        neurons_per_feature=r.bounded(e, "neurons_per_feature", "encoder", "neurons_per_feature"),
        sigma=r.bounded(e, "sigma", "encoder", "sigma"),
        t0=r.integer(e, "t0", "encoder", lo=0, hi=MAX_STEPS - 1),
        window=r.integer(e, "window", "encoder", lo=0, hi=MAX_STEPS - 1),
        seed=r.integer(e, "seed", "encoder", lo=1, hi=2**32 - 1),
        features=_features(r, e, nf),
    )

    raw_layers = r.get(doc, "layers", "")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise r.fail("layers", "expected a non-empty list")
    layers = []
    n_in = encoder.n_outputs(nf)
    for i, raw in enumerate(raw_layers):
        where = f"layers[{i}]"
        lay = r.obj(raw, where)
        weight = r.array(lay, "weight", where, (None, n_in))
        n_out = weight.shape[0]
        bias = r.array(lay, "bias", where, (n_out,))
        nw = f"{where}.neuron"
        nd = r.obj(r.get(lay, "neuron", where), nw)
        neuron = _neuron(r, nd, nw)
        if not neuron.spiking and i != len(raw_layers) - 1:
            raise r.fail(
                f"{nw}.kind", "non-spiking 'li' neurons are only allowed in the last layer"
            )
        if isinstance(neuron, ir.IzhikevichNeuron) and i == len(raw_layers) - 1:
            raise r.fail(f"{nw}.kind", "'izhikevich' neurons are only allowed in hidden layers")
        layers.append(ir.DenseLayer(weight, bias, neuron))
        n_in = n_out

    d = r.obj(r.get(doc, "decoder", ""), "decoder")
    dkind = r.kind(d, "kind", "decoder", Decoder)
    dweight = r.array(d, "weight", "decoder", (None, n_in))
    decoder = ir.DecoderSpec(dkind, dweight, r.array(d, "bias", "decoder", (dweight.shape[0],)))
    last = layers[-1].neuron
    if dkind.counts and not last.spiking:
        raise r.fail("decoder.kind", f"{dkind.value!r} decoding needs a spiking (lif) last layer")

    q = r.obj(r.get(doc, "quantization", "", {"weight_bits": 8}), "quantization")
    weight_bits = r.integer(q, "weight_bits", "quantization", 8)
    if weight_bits not in ir.WEIGHT_BITS:
        raise r.fail("quantization.weight_bits", f"expected 8 or 16, got {weight_bits}")
    timing = r.obj(r.get(doc, "timing", "", {"dt": 1e-3}), "timing")
    dt = r.number(timing, "dt", "timing", 1e-3, positive=True)
    want = "leak,integrate,fire,reset"
    if timing.get("update_order", want) != want:
        got = timing.get("update_order")
        raise r.fail("timing.update_order", f"snn2c only runs {want!r}, got {got!r}")
    streaming = timing.get("streaming", False)
    if not isinstance(streaming, bool):
        raise r.fail("timing.streaming", f"expected true or false, got {_short(streaming)}")
    meta = r.obj(r.get(doc, "metadata", "", {}), "metadata")
    return ir.Network(
        name=name,
        inputs=inputs,
        target=target,
        encoder=encoder,
        layers=tuple(layers),
        decoder=decoder,
        weight_bits=weight_bits,
        dt=dt,
        metadata=meta,
        baseline=_baseline(r, doc, nf, decoder.n_outputs),
        streaming=streaming,
    )


def _features(r: _Reader, e: dict[str, Any], nf: int) -> tuple[ir.FeatureEncoding, ...] | None:
    """The optional per-feature encodings (population encoder only), one per input."""
    if "features" not in e:
        return None
    raw = e["features"]
    if not isinstance(raw, list) or len(raw) != nf:
        raise r.fail("encoder.features", f"expected a list of {nf} encodings, one per input")
    if e.get("kind") != Encoder.POPULATION:
        raise r.fail("encoder.features", "per-feature encodings need the population encoder")
    out = []
    for j, item in enumerate(raw):
        where = f"encoder.features[{j}]"
        f = r.obj(item, where)
        direct = f.get("direct", False)
        if not isinstance(direct, bool):
            raise r.fail(f"{where}.direct", f"expected true or false, got {_short(direct)}")
        centres = f.get("centres", [])
        if not isinstance(centres, list) or len(centres) > ir.MAX_FIELDS:
            raise r.fail(f"{where}.centres", f"expected a list of at most {ir.MAX_FIELDS} centres")
        if not all(
            not isinstance(c, bool) and isinstance(c, int | float) and 0 <= c <= 1 for c in centres
        ):
            raise r.fail(f"{where}.centres", "expected numbers in [0, 1]")
        out.append(ir.FeatureEncoding(direct, tuple(float(c) for c in centres)))
    if not any(f.width for f in out):
        raise r.fail("encoder.features", "every input is dropped: layer 0 would read nothing")
    return tuple(out)


def _baseline(r: _Reader, doc: dict[str, Any], n_in: int, n_out: int) -> ir.BaselineMLP | None:
    """The optional stored baseline MLP, its shapes chained from the inputs to the outputs."""
    if "baseline" not in doc:
        return None
    b = r.obj(doc["baseline"], "baseline")
    r.string(b, "kind", "baseline", choices=("mlp_relu",))
    raw = r.get(b, "layers", "baseline")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 8:
        raise r.fail("baseline.layers", "expected a list of 1-8 layers")
    weights, biases = [], []
    width = n_in
    for k, lay in enumerate(raw):
        where = f"baseline.layers[{k}]"
        lay = r.obj(lay, where)
        last = k == len(raw) - 1
        w = r.array(lay, "weight", where, (n_out if last else None, width))
        if not 1 <= w.shape[0] <= MAX_STEPS:
            raise r.fail(f"{where}.weight", f"expected 1-{MAX_STEPS} rows")
        weights.append(w)
        biases.append(r.array(lay, "bias", where, (w.shape[0],)))
        width = w.shape[0]
    return ir.BaselineMLP(tuple(weights), tuple(biases), r.string(b, "note", "baseline", ""))


def _neuron(r: _Reader, nd: dict[str, Any], nw: str) -> ir.NeuronSpec:
    """A layer's neuron entry as its type. Every entry carries the leaky-integrator
    fields (an izhikevich entry too, where they are checked and ignored)."""
    kind = r.kind(nd, "kind", nw, Neuron)
    leaky = _leaky_fields(r, nd, nw)
    cls = ir.NEURON_TYPES[kind]
    own = _izh_fields(r, nd, nw) if cls is ir.IzhikevichNeuron else leaky
    if not 0.0 <= leaky["beta"] <= 1.0:
        raise r.fail(f"{nw}.beta", f"expected a value in [0, 1], got {leaky['beta']}")
    return cls(**own)


def _leaky_fields(r: _Reader, nd: dict[str, Any], nw: str) -> dict[str, Any]:
    return {
        "leak": r.kind(nd, "leak", nw, Leak),
        "leak_shift": r.bounded(nd, "leak_shift", nw, "leak_shift"),
        "beta": r.number(nd, "beta", nw),
        "threshold": r.bounded(nd, "threshold", nw, "threshold"),
        "reset": r.kind(nd, "reset", nw, Reset),
        "fire": r.kind(nd, "fire", nw, Fire),
        "reset_timing": r.kind(nd, "reset_timing", nw, ResetTiming, ResetTiming.SAME_STEP),
    }


def _izh_fields(r: _Reader, nd: dict[str, Any], nw: str) -> dict[str, Any]:
    """Izhikevich parameters (defaults: neuron.preset, else regular spiking), validated."""
    preset = r.string(nd, "preset", nw, "regular_spiking", choices=tuple(ir.IZH_PRESETS))
    a0, b0, c0, d0 = ir.IZH_PRESETS[preset]
    f = {
        "a": r.bounded(nd, "a", nw, "izh.a", a0),
        "b": r.bounded(nd, "b", nw, "izh.b", b0),
        "c": r.bounded(nd, "c", nw, "izh.c", c0),
        "d": r.bounded(nd, "d", nw, "izh.d", d0),
        "dt_shift": r.bounded(nd, "dt_shift", nw, "izh.dt_shift", 1),
        "gain": r.bounded(nd, "gain", nw, "izh.gain", 10.0),
    }
    return f


def _floats(arr: np.ndarray) -> list:
    return np.asarray(arr, dtype=np.float64).tolist()
