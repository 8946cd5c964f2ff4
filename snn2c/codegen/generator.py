"""Render snn_model.h / snn_model.c for a network and copy the kernels beside them.

The templates hold layout only (arrays, sizes, the order of kernel calls); the
arithmetic lives in firmware/snn_kernels.c. This module prepares the plain view
the templates read: every table already in its storage type and layout.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import assert_never

import jinja2
import numpy as np

from snn2c import __version__, contract, modelfile
from snn2c.codegen.cformat import c_array, c_call, c_float, c_float_array, c_int
from snn2c.codegen.layout import blocked_s8_q12, count_pairs, gauss_words, padded_s8_q12
from snn2c.contract import INT32_MAX, X_ONE, Fire, Leak, Reset
from snn2c.errors import Snn2cError
from snn2c.quantize import QuantizedNetwork
from snn2c.quantize.plan import (
    CountForm,
    QuantizedEncoder,
    QuantizedIzh,
    QuantizedLayer,
    QuantizedLIF,
    QuantizedNeuron,
    RawInputs,
)
from snn2c.reference import countform
from snn2c.resources import data_dir
from snn2c.textsafe import comment

KERNEL_FILES = ("snn_kernels.h", "snn_kernels_dsp.h", "snn_kernels.c")
CONTRACT_HEADER = "snn_contract.h"  # rendered from snn2c.contract
SOURCE_FILES = ("snn_model.h", "snn_model.c", CONTRACT_HEADER, *KERNEL_FILES)


def environment(folder: str | Path | None = None) -> jinja2.Environment:
    """The one Jinja setup of every generated file (snn2c's templates/, or another
    folder's, such as the benchmarks'): strict undefined names, C filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder or data_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["c_array"] = c_array
    env.filters["c_float"] = c_float
    env.filters["c_float_array"] = c_float_array
    env.filters["comment"] = comment
    env.globals["call"] = c_call
    return env


def kind_flags(kind: StrEnum) -> dict[str, bool]:
    """One boolean per member of kind's enum, true for kind: what the templates test
    (``encoder_is.rate_periodic``) instead of comparing strings."""
    return {member.value: member is kind for member in type(kind)}


def _layer_view(index: int, layer: QuantizedLayer) -> dict:
    wtype = "int8_t" if layer.weight_bits == 8 else "int16_t"
    suffix = "s8" if layer.weight_bits == 8 else "s16"
    sat = "_sat" if (layer.saturate or layer.acc_wide) else ""
    if layer.input_spiking:
        # event-driven: one spike adds one contiguous row of the transposed matrix
        assert not layer.acc_wide, "spike accumulators always fit int32"
        weight = layer.weight.T
        kernel = f"snn_dense_spikes_{suffix}{sat}"
        layout = "[n_in][n_out] (transposed for event-driven accumulation)"
    elif layer.weight_bits == 8:
        # offset weights in blocks of 4 rows and groups of 4 columns (codegen.layout); the
        # encoder output is padded with zeros to the same columns: no tail loops
        cols, rows = padded_s8_q12(layer.n_in, layer.n_out)
        weight = blocked_s8_q12(layer.weight)
        kernel = f"snn_dense_q12_s8{sat}"
        layout = (
            f"u = w + 128 in blocks of 4 rows ({rows} rows, {cols} columns stored), "
            "groups of 4 columns as (u0, u2, u1, u3)"
        )
    else:
        # rows padded with zero weights (and the encoder output with zeros) to whole
        # pairs: no tail loop, the same sums
        pad = -layer.n_in % 2
        weight = np.pad(layer.weight, ((0, 0), (0, pad)))
        kernel = f"snn_dense_q12_{suffix}{sat}"
        layout = f"[n_out][n_in + {pad} zero columns]" if pad else "[n_out][n_in]"
    n_out_stored = layer.n_out
    if layer.input_spiking:
        n_in_stored = int(weight.shape[0])
    elif layer.weight_bits == 8:
        n_in_stored, n_out_stored = cols, rows  # the kernel reads bias, writes cur by fours
    else:
        n_in_stored = int(weight.shape[1])
    bias = np.pad(layer.bias, (0, n_out_stored - layer.n_out))
    return {
        "index": index,
        "n_in": layer.n_in,
        "n_out": layer.n_out,
        "wtype": wtype,
        # the C type of the stored table: int8 Q12 layers store offset weights in 16 bits
        "ctype": "uint16_t" if (layer.weight_bits == 8 and not layer.input_spiking) else wtype,
        "weight": weight,
        "n_in_stored": n_in_stored,
        # the C name of the stored row count: the padded one where rows are padded
        "rows": f"SNN_L{index}_N_IN" + ("_PADDED" if n_in_stored != layer.n_in else ""),
        "n_out_stored": n_out_stored,
        # the C name of the bias and current length: rounded up to a block of four rows
        "out_rows": f"SNN_L{index}_N_OUT" + ("_PADDED" if n_out_stored != layer.n_out else ""),
        "layout": layout,
        "weight_frac": layer.weight_frac,
        "input_frac": layer.input_frac,
        "shift": layer.acc_shift,
        "bias": bias,
        "kernel": kernel,
        "input_spiking": layer.input_spiking,
        "spiking": layer.spiking,
        "saturate": int(layer.saturate),
        "proof": "saturating (range not proven to fit int32)"
        if layer.saturate
        else "proven to fit int32",
        "bounds": layer.bounds,
        # which model: model.lif, model.li, model.izhikevich (the templates' branches)
        "model": kind_flags(layer.neuron.kind),
        **neuron_view(layer.neuron),
    }


def neuron_view(q: QuantizedNeuron) -> dict:
    """The template names of a layer's neuron constants, by its model."""
    match q:
        case QuantizedLIF():
            return _lif_view(q)
        case QuantizedIzh():
            return {
                "izh": q,
                "izh_text": (
                    f"dt = 2^-{q.dt_shift} ms, a = {q.a_q} / 2^24, "
                    f"a*b = {q.ab_q} / 2^24, c = {q.c_q}, d = {q.d_q} (Q16 mV), "
                    f"gain {q.gain_q} / 2^8 mV/ms per unit, spike at v >= 30 mV"
                ),
            }
        case _:
            assert_never(q)


def _lif_view(q: QuantizedLIF) -> dict:
    """A LIF or LI layer's snn_lif_params_t / snn_li_params_t fields and their comment."""
    return {
        "threshold": q.threshold,
        "beta_q15": q.beta_q15,
        "leak_mul": int(q.leak is Leak.MUL),
        "leak_shift": q.leak_shift,
        "reset_zero": int(q.reset is Reset.ZERO),
        "fire_ge": int(q.fire is Fire.GE),
        "reset_delayed": int(q.reset_delayed),
        "fire_first": int(q.fire_first),
        "leak_text": (
            f"V -= V >> {q.leak_shift} (beta = {contract.leak_beta(q.leak_shift):g})"
            if q.leak is Leak.SHIFT
            else f"V = V * {q.beta_q15} / 2^15 (beta = {q.beta_q15 / (1 << contract.BETA_FRAC):g})"
        ),
    }


MAX_COUNT_BUCKETS = 256


def count_buckets(cf: CountForm) -> tuple[int, np.ndarray]:
    """(shift, bucket) of the search form: bucket[b] = the run holding current b << shift.

    The shift is the largest power of two no wider than the narrowest run, so a
    bucket holds at most one run start beyond its first, unless that would take
    more than MAX_COUNT_BUCKETS buckets (then the search takes a few steps).
    """
    gaps = np.diff(cf.edges)
    shift = int(np.floor(np.log2(gaps.min()))) if gaps.size else 31
    while (cf.top >> shift) + 1 > MAX_COUNT_BUCKETS:
        shift += 1
    starts = np.arange((cf.top >> shift) + 1, dtype=np.int64) << shift
    return shift, np.searchsorted(cf.edges, starts, side="right") - 1


def _count_form_view(cf: CountForm | None) -> dict | None:
    """The count table (its pair form, or the search form's buckets and sentinel) and
    the folded readout."""
    if cf is None:
        return None
    shift, bucket = count_buckets(cf)
    return {
        # one compare per lookup where no bucket holds a second run start (codegen.layout)
        "pairs": count_pairs(cf.edges, cf.counts, cf.top),
        "runs": cf.runs,
        "edges": np.append(cf.edges, INT32_MAX),
        "counts": cf.counts,
        "bucket": bucket,
        "shift": shift,
        "top": cf.top,
        "fold_weight": cf.fold_weight,
        "fold_shift": cf.fold_shift,
        "fold_bias": cf.fold_bias,
        "out_shift": cf.out_shift,
        "acc32": int(cf.acc32),
        # one output: counts and the fold in one pass (snn_lif_count_fold)
        "one_output": cf.fold_weight.shape[0] == 1,
    }


def _float_rows(qnet: QuantizedNetwork) -> list[dict]:
    """Float readings normalised in integers, one row per feature (C literals):
    the integer rule on X, 2^frac and frac."""
    f = qnet.float_in
    if f is None:
        return []
    return [
        {**row, "scale": float(2.0**frac), "frac": int(frac)}
        for row, frac in zip(_integer_rows(f.ints), f.frac, strict=True)
    ]


def _raw_rows(qnet: QuantizedNetwork) -> list[dict]:
    """The integer inputs' normalisation, one row per feature (C literals)."""
    return [] if qnet.raw is None else _integer_rows(qnet.raw)


def _integer_rows(p: RawInputs) -> list[dict]:
    cols = (p.low, p.high, p.mult, p.half, p.shift)
    return [
        {
            "low": c_int(lo, "int32_t"),
            "high": c_int(hi, "int32_t"),
            "mult": int(m),
            "half": int(h),
            "shift": int(sh),
        }
        for lo, hi, m, h, sh in zip(*cols, strict=True)
    ]


def encoder_calls(enc: QuantizedEncoder) -> tuple[list[dict], list[tuple[int, ...]]]:
    """Per-feature encodings as kernel calls over runs of consecutive inputs: one
    snn_encode_direct_q12 per run of direct inputs, then one snn_encode_population_q12
    per run that shares its centres (layer 0's column order, ir.EncoderSpec), and the
    distinct centre sets those calls read."""
    assert enc.features is not None
    calls: list[dict] = []
    offset = 0
    for j, (direct, _) in enumerate(enc.features):
        if not direct:
            continue
        last = calls[-1] if calls else None
        if last is not None and last["first"] + last["count"] == j:
            last["count"] += 1
        else:
            calls.append({"direct": True, "first": j, "count": 1, "offset": offset})
        offset += 1
    sets: list[tuple[int, ...]] = []
    for j, (_, centres) in enumerate(enc.features):
        if not centres:
            continue
        last = calls[-1] if calls else None
        if (
            last is not None
            and not last["direct"]
            and last["first"] + last["count"] == j
            and sets[last["set"]] == centres
        ):
            last["count"] += 1
        else:
            if centres not in sets:
                sets.append(centres)
            calls.append(
                {
                    "direct": False,
                    "first": j,
                    "count": 1,
                    "offset": offset,
                    "set": sets.index(centres),
                    "fields": len(centres),
                }
            )
        offset += len(centres)
    for c in calls:  # the argument expressions
        c["x"] = f"x_q12 + {c['first']}" if c["first"] else "x_q12"
        c["out"] = f"snn_enc_act + {c['offset']}" if c["offset"] else "snn_enc_act"
    return calls, sets


def build_view(qnet: QuantizedNetwork, *, command: str) -> dict:
    net = qnet.source
    enc = qnet.encoder
    dec = qnet.decoder
    layers = [_layer_view(i, layer) for i, layer in enumerate(qnet.layers)]
    raw_rows = _raw_rows(qnet)
    enc_calls, enc_sets = encoder_calls(enc) if enc.features is not None else (None, None)
    if any(max(view["n_in"], view["n_out"]) > contract.C_INDEX_MAX for view in layers):
        raise Snn2cError(f"layers wider than {contract.C_INDEX_MAX} neurons are not supported")
    return {
        "version": __version__,
        "command": command,
        "name": net.name,
        "hash": modelfile.model_hash(net),
        "n_inputs": net.n_inputs,
        "n_outputs": net.n_outputs,
        "steps": net.steps,
        "n_layers": len(layers),
        "input_names": net.inputs.names,
        "target": net.target,
        "encoder": enc,
        "encoder_is": kind_flags(enc.kind),
        "n_enc": enc.n_out,
        # the contract's 257 entries, each with its slope to the next (codegen.layout)
        "gauss_table": None if enc.gauss is None else gauss_words(enc.gauss),
        # per-feature encodings: the kernel calls and the centre sets they read
        "enc_calls": enc_calls,
        "enc_centre_sets": enc_sets,
        "enc_notes": [
            f"{name}: {f.describe()}"
            for name, f in zip(net.inputs.names, net.encoder.features or (), strict=False)
        ],
        "enc_fields": enc.col_direct is not None and not bool(np.all(enc.col_direct)),
        "enc_spiking": enc.spiking,
        "layers": layers,
        "last": layers[-1],
        "decoder": dec,
        "decoder_is": kind_flags(dec.kind),
        "weight_bits": net.weight_bits,
        "raw": qnet.raw is not None,
        "raw_rows": raw_rows,
        # one parameter set for every input: one row, read once (snn_normalize_raw_uniform_q12)
        "raw_uniform": len({tuple(r.values()) for r in raw_rows}) == 1,
        # per-feature encodings that drop inputs: those normalise to 0, the others in runs
        "in_dropped": enc.dropped_inputs(),
        "in_runs": enc.read_runs(),
        "float_rows": _float_rows(qnet),
        "in_low": net.inputs.low,
        "in_gain": X_ONE / (net.inputs.high - net.inputs.low),
        "proven": qnet.proven,
        "streaming": qnet.streaming,
        "countform": _count_form_view(countform.derive(qnet)),
        "weight_bytes": int(
            sum(v["weight"].size * (1 if v["wtype"] == "int8_t" else 2) for v in layers)
            + dec.weight.size * 2
        ),
    }


def render_sources(
    qnet: QuantizedNetwork, *, count_spikes: bool = False, command: str = "snn2c compile"
) -> dict[str, str]:
    """File name -> contents of the C sources for a network (SOURCE_FILES).

    count_spikes sets the default of SNN_MODEL_COUNT_SPIKES in the header (the
    counters can also be switched on with -DSNN_MODEL_COUNT_SPIKES=1).
    """
    view = build_view(qnet, command=command)
    view["count_spikes"] = int(count_spikes)
    env = environment()
    files = {
        "snn_model.h": env.get_template("snn_model.h.j2").render(view),
        "snn_model.c": env.get_template("snn_model.c.j2").render(view),
    }
    files[CONTRACT_HEADER] = contract.c_header()
    firmware = data_dir("firmware")
    for name in KERNEL_FILES:
        files[name] = (firmware / name).read_text()
    return files


def write_sources(
    qnet: QuantizedNetwork,
    out_dir: str | Path,
    *,
    force: bool = False,
    count_spikes: bool = False,
    command: str = "snn2c compile",
) -> list[Path]:
    """Write the sources into out_dir; refuses to replace existing files unless force."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise Snn2cError(f"{out}: is a file (expected a folder for the sources)")
    files = render_sources(qnet, count_spikes=count_spikes, command=command)
    clashes = [name for name in files if (out / name).exists()]
    if clashes and not force:
        raise Snn2cError(f"{out / clashes[0]}: already exists (use --force to overwrite)")
    written = []
    for name, text in files.items():
        path = out / name
        modelfile.write_atomic(path, text.encode())
        written.append(path)
    return written
