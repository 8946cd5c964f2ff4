"""Cost on the target: snn2c against the ANN a user would deploy instead, on the same cores.

For each dataset (friedman1, mackey-glass, diabetes; the trainer's seeded
70/15/15 split) it

1. trains snn2c networks with `snn2c train`: its defaults, and a few other
   configurations (VARIANTS; by default those that learn per-feature encodings with
   `--field-penalty`), full epoch budget;
2. finds the honest ANN anchor of each snn2c network: scikit-learn MLPs of every
   hidden width from 4 to 64 and some two-layer shapes, several seeds each, tried
   in increasing order of multiply-accumulates; the anchor is the cheapest one
   whose validation MSE is at or below the snn2c network's (its cost grows with
   its MACs alone, so the first width that reaches the accuracy is the cheapest),
   trained and deployed on only the inputs that network reads (a network that drops
   inputs gets an anchor without them: a careful user selects features too);
3. builds every snn2c network with `snn2c build` for each board, proves it with
   `snn2c verify --emulator qemu` (0 mismatches, or the run stops), and measures it
   and its anchor (converted with emlearn, float) on that board's QEMU machine with
   the same compiler, flags, runtime and counting method (benchmarks/_common.py);
   on the Cortex-M4 also snn2c's portable kernels and a naive float SNN.

Accuracy (R2, MSE on [0, 1]-scaled targets) comes from the outputs the emulator
printed for the whole test split; snn2c's are also checked equal, bit for bit, to
the integer reference. Writes benchmarks/results.json and docs/benchmarks.md.

    .venv/bin/python benchmarks/target_cost.py               # ~30 min on 2 cores
    .venv/bin/python benchmarks/target_cost.py --datasets diabetes --boards nucleo-f401
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import _int8  # noqa: E402

from snn2c import modelfile  # noqa: E402
from snn2c.boards import load_board  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import countform  # noqa: E402
from snn2c.reference import integer as ref_int  # noqa: E402
from snn2c.reference.integer import normalize_raw  # noqa: E402
from snn2c.train import datasets  # noqa: E402
from snn2c.train.trainer import input_spec, normalise  # noqa: E402

import _common as C  # noqa: E402
import peers  # noqa: E402
import report_doc  # noqa: E402

BOARDS = ("nucleo-f401", "microbit", "nucleo-f103rb", "esp32-c3", "esp8266")
M4 = "nucleo-f401"
DATASETS = ("friedman1", "mackey-glass", "diabetes")
RAW = "default-raw"  # the default configuration trained on ADC readings (input path b)
# snn2c configurations besides the defaults: (name, extra `snn2c train` arguments)
VARIANTS = (
    ("default", ()),
    ("fields", ("--field-penalty", "0.5")),
    ("fields-f3", ("--field-penalty", "0.5", "--neurons-per-feature", "3")),
    ("fields-h8", ("--field-penalty", "0.5", "--hidden", "8")),
    ("fields1-h8", ("--field-penalty", "1.0", "--hidden", "8")),
    ("fields1-h6", ("--field-penalty", "1.0", "--hidden", "6")),
    ("direct-16", ("--encoder", "direct", "--hidden", "16")),
    ("population-16", ("--hidden", "16")),
)
# what a plain run measures: the defaults and the learned per-feature encodings (issue 27)
DEFAULT_VARIANTS = ("default", "fields", "fields-f3", "fields-h8", "fields1-h8", "fields1-h6")
MLP_SHAPES = tuple((w,) for w in range(4, 65)) + tuple((w, w) for w in (4, 6, 8, 12, 16, 24, 32))
MLP_SEEDS = (0, 1, 2)
MLP_MAX_ITER = 2000  # sklearn's default 200 (and our earlier 300) stops most fits early
SNN = [sys.executable, "-m", "snn2c"]
EMLEARN_ATOL = 1e-3  # emlearn prints its weights with 6 decimals
PLAIN_ATOL = 1e-4  # float32 against scikit-learn's float64


def snn2c_cli(*args: str) -> dict:
    proc = subprocess.run([*SNN, *args, "--json"], capture_output=True, text=True, cwd=C.ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"snn2c {' '.join(args)} failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


def train_all(jobs: list[tuple[str, str, tuple]], work: Path, seed: int) -> dict:
    """`snn2c train` per (dataset, variant), two at a time (each trains on one thread)."""
    results: dict[tuple[str, str], dict] = {}
    pending = list(jobs)
    running: dict[tuple[str, str], subprocess.Popen] = {}
    while pending or running:
        while pending and len(running) < 2:
            ds, name, extra = pending.pop(0)
            out = work / f"{ds}-{name}.snn"
            cmd = [*SNN, "train", "--dataset", ds, *extra, "--seed", str(seed)]
            cmd += ["--no-baseline", "-o", str(out), "--force", "--json"]
            running[(ds, name)] = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=C.ROOT
            )
        key = next(iter(running))
        stdout, stderr = running.pop(key).communicate()
        if not stdout:
            raise SystemExit(f"snn2c train {key} failed:\n{stderr.strip()}")
        results[key] = json.loads(stdout) | {"model": str(work / f"{key[0]}-{key[1]}.snn")}
        print(f"[target_cost] trained {key[0]} {key[1]}", file=sys.stderr)
    return results


def macs(shape: tuple[int, ...], n_in: int) -> int:
    widths = (n_in, *shape, 1)
    return sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))


def _fit(args):
    u_tr, y_tr, u_va, y_va, shape, seed = args
    mlp = peers.train_mlp(u_tr, y_tr, shape, seed, max_iter=MLP_MAX_ITER)
    return shape, seed, float(np.mean((mlp.predict(u_va) - y_va) ** 2)), mlp


def read_only(ds, used: tuple[int, ...]):
    """The dataset with only the inputs an snn2c network reads: its anchors are trained
    and deployed without the inputs it dropped (a careful user selects features too)."""
    if len(used) == ds.n_features:
        return ds
    cols = list(used)
    return dataclasses.replace(
        ds,
        feature_names=tuple(ds.feature_names[j] for j in cols),
        x_train=ds.x_train[:, cols],
        x_val=ds.x_val[:, cols],
        x_test=ds.x_test[:, cols],
    )


class Anchors:
    """MLP candidates of one dataset on one set of inputs, fitted lazily in increasing
    order of MACs."""

    def __init__(self, ds, pool: ProcessPoolExecutor):
        self.ds = ds
        self.inputs = ds.feature_names
        spec = input_spec(ds)
        self.spec = spec
        self.n_in = ds.n_features
        lo, hi = float(ds.y_train.min()), float(ds.y_train.max())
        self.offset, self.scale = lo, (hi - lo) or 1.0
        self.data_x = ds.x_train  # raw training features (checks the plain float fold)
        self.data = (
            normalise(spec, ds.x_train),
            (ds.y_train - lo) / self.scale,
            normalise(spec, ds.x_val),
            (ds.y_val - lo) / self.scale,
        )
        self.order = sorted(MLP_SHAPES, key=lambda s: (macs(s, self.n_in), s))
        self.fitted: dict[tuple[int, ...], list[tuple[int, float, object]]] = {}
        self.pool = pool

    def _ensure(self, upto: int) -> None:
        todo = [s for s in self.order[:upto] if s not in self.fitted]
        args = [(*self.data, s, seed) for s in todo for seed in MLP_SEEDS]
        for shape, seed, val, mlp in self.pool.map(_fit, args):
            self.fitted.setdefault(shape, []).append((seed, val, mlp))

    def cheapest(self, target_val: float) -> dict:
        """The first shape (by MACs) with a seed whose validation MSE <= target_val."""
        for k, shape in enumerate(self.order):
            if shape not in self.fitted:
                self._ensure(min(len(self.order), k + 2))  # two shapes per batch (2 cores)
            ok = [c for c in self.fitted[shape] if c[1] <= target_val]
            if ok:
                seed, val, mlp = min(ok, key=lambda c: c[1])
                return {"shape": shape, "seed": seed, "val_mse": val, "mlp": mlp, "reached": True}
        seed, val, mlp, shape = min(
            ((c[0], c[1], c[2], s) for s, cs in self.fitted.items() for c in cs),
            key=lambda c: c[1],
        )
        return {"shape": shape, "seed": seed, "val_mse": val, "mlp": mlp, "reached": False}

    def table(self) -> dict[str, list[float]]:
        return {"x".join(map(str, s)): [c[1] for c in cs] for s, cs in self.fitted.items()}


def raw_val_mse(model: str, ds) -> float:
    """Validation MSE of a model trained on ADC readings, through the device's raw path."""
    net = modelfile.load(model)
    q = quantize(net)
    x = datasets.as_adc_counts(ds, C.ADC_BITS).x_val
    y = ref_int.run(q, normalize_raw(q, x)).outputs[:, 0] / 65536.0
    return float(np.mean((y - (ds.y_val - net.target.offset) / net.target.scale) ** 2))


def val_mse(net, ds) -> float:
    q = quantize(net)
    y = ref_int.run(q, ref_int.normalize(net, ds.x_val)).outputs[:, 0] / 65536.0
    return float(np.mean((y - (ds.y_val - net.target.offset) / net.target.scale) ** 2))


def bounds(net) -> dict:
    """Lower bounds at one instruction per operation.

    stepped: what the network computes step by step (layer 0's MACs once, one
    accumulate per spike and target neuron, one update per neuron and step, the
    decoder's MACs), from the reference's spike counts on the test split;
    transformed: the counting form (docs/fixed-point.md), an exact compile-time
    transformation of it: layer 0's MACs, one table lookup and one folded MAC per
    hidden neuron.
    """
    q = quantize(net)
    l0 = net.layers[0]
    out = {"stepped_macs": l0.n_in * l0.n_out + net.decoder.weight.size}
    out["stepped_updates"] = net.steps * sum(layer.n_out for layer in net.layers)
    if countform.derive(q) is not None:
        out["transformed"] = l0.n_in * l0.n_out + 2 * l0.n_out * net.n_outputs
    return out


def measure(
    system,
    board,
    build_dir,
    work,
    sources,
    includes,
    headers,
    x_test,
    n_outputs,
    count_n,
    prov,
    defines=None,
    profile=False,
) -> dict:
    """Outputs on the whole test split, instructions on its first count_n vectors, sizes."""
    as_float = not system.startswith("snn2c")
    tag = f"{board.name}-{system}"
    d_all, d_cnt = work / f"{tag}-all", work / f"{tag}-count"
    C.render_harness(d_all, system, x_test, n_outputs, headers, provenance=prov)
    elf = C.compile_bench(
        build_dir,
        board,
        [*sources, d_all / "bench_main.c"],
        includes,
        work / f"{tag}-all.elf",
        defines=defines,
    )
    outputs = C.run_outputs(board, elf, n_outputs, as_float)
    C.render_harness(d_cnt, system, x_test[:count_n], n_outputs, headers, provenance=prov)
    cnt_src = [*sources, d_cnt / "bench_main.c"]
    elf_c = C.compile_bench(
        build_dir, board, cnt_src, includes, work / f"{tag}-count.elf", defines=defines
    )
    elf_n = C.compile_bench(
        build_dir, board, cnt_src, includes, work / f"{tag}-null.elf", null=True, defines=defines
    )
    counts, per_function = C.count_instructions(board, elf_c, count_n, profile=profile)
    fp = C.footprint(board, elf_c, elf_n)
    return {
        "outputs": outputs,
        "counts": counts,
        "per_function": {k: round(v / count_n) for k, v in per_function.items()},
        "footprint": fp,
    }


def measure_snn2c(system, board, bdir, work, x, ref, args, prov, defines=None, profile=True):
    """measure() on an snn2c build folder's sources; stops unless every output on the
    test split equals the integer reference's, bit for bit."""
    src = [bdir / "src/snn_model.c", bdir / "src/snn_kernels.c"]
    n_out = ref.outputs.shape[1]
    inc, hdr = [bdir / "src"], ["snn_model.h"]
    cnt = args.count_snn2c
    m = measure(system, board, bdir, work, src, inc, hdr, x, n_out, cnt, prov, defines, profile)
    if not np.array_equal(m["outputs"].astype(np.int64), ref.outputs.astype(np.int64)):
        raise SystemExit(f"{system} on {board.name}: outputs differ from the reference")
    return m


def _snn2c_fields(qnet, ref, m, verify, anchor) -> dict:
    """What every snn2c row records beside the measurement: its form, spikes, profile,
    verify verdict and the anchor it is compared with."""
    return {
        "counting_form": countform.derive(qnet) is not None,
        "inputs_read": [qnet.source.inputs.names[j] for j in qnet.source.used_inputs()],
        "spikes_per_inference": float(ref.spike_counts.sum(axis=1).mean()),
        "instructions_per_function": m["per_function"],
        "verify_vectors": verify["vectors"],
        "verify_mismatches": verify["mismatches"],
        "anchor_shape": list(anchor["shape"]),
        "anchor_seed": anchor["seed"],
        "anchor_val_mse": anchor["val_mse"],
    }


def _row(dataset, board, system, m, y_true01, y_pred01, **extra) -> dict:
    fp = m["footprint"]
    scores = C.regression_scores(y_true01, y_pred01)
    return {
        "dataset": dataset,
        "board": board,
        "system": system,
        "instructions_per_inference": round(float(np.mean(m["counts"]))),
        "instructions_min": min(m["counts"]),
        "instructions_max": max(m["counts"]),
        "instruction_samples": len(m["counts"]),
        "flash_bytes": fp.flash,
        "ram_bytes": fp.ram,
        "code_bytes": fp.code,
        "const_bytes": fp.rodata + fp.data,
        "largest_symbols": dict(sorted(fp.symbols.items(), key=lambda kv: -kv[1])[:8]),
        "r2": scores["r2"],
        "mse": scores["mse"],
        "test_vectors": len(y_pred01),
        **extra,
    }


def bench_board(name, board_name, models, ds, work, args) -> list[dict]:
    board = load_board(board_name)
    x_test = ds.x_test.astype(np.float32)
    rows = []
    emlearn_done: dict[tuple, dict] = {}
    for variant, info in models.items():
        net = modelfile.load(info["model"])
        qnet = quantize(net)
        tgt = net.target
        y01 = (ds.y_test - tgt.offset) / tgt.scale
        prov = f"snn2c benchmarks/target_cost.py, {name}, {variant}, {board_name}"
        bdir = work / f"{board_name}-{variant}"
        snn2c_cli("build", info["model"], "--board", board_name, "-o", str(bdir), "--force")
        verify = snn2c_cli("verify", str(bdir), "--emulator", "qemu", "--vectors", "64")
        if verify["mismatches"] or verify["exit_code"]:
            raise SystemExit(f"{name} {variant} {board_name}: verify failed: {verify}")
        ref = ref_int.run(qnet, ref_int.normalize(net, x_test.astype(np.float64)))
        m = measure_snn2c(f"snn2c-{variant}", board, bdir, work, x_test, ref, args, prov)
        anchor, anchors = info["anchor"], info["anchors"]
        rows.append(
            _row(
                name,
                board_name,
                f"snn2c-{variant}",
                m,
                y01,
                m["outputs"] / 65536.0,
                variant=variant,
                val_mse=info["val_mse"],
                config=info["config"],
                bounds=info["bounds"],
                verify_instructions_snn_model_infer=verify["instructions_per_inference"],
                anchor_reached=anchor["reached"],
                **_snn2c_fields(qnet, ref, m, verify, anchor),
            )
        )
        if board_name == M4 and variant == "default":
            portable = {"SNN_KERNELS_PORTABLE": "1"}
            m = measure_snn2c(
                "snn2c_portable", board, bdir, work, x_test, ref, args, prov, portable, False
            )
            rows.append(
                _row(
                    name,
                    board_name,
                    "snn2c_portable-default",
                    m,
                    y01,
                    m["outputs"] / 65536.0,
                    variant="default",
                )
            )
            nd = work / "naive_src"
            peers.render_naive_snn(net, nd, prov)
            m = measure(
                "naive_snn",
                board,
                bdir,
                work,
                [nd / "naive_snn.c"],
                [nd],
                ["naive_snn.h"],
                x_test,
                net.n_outputs,
                args.count_peers,
                prov,
            )
            rows.append(
                _row(name, board_name, "naive_snn-default", m, y01, m["outputs"], variant="default")
            )
        key = (anchor["shape"], anchor["seed"], anchors.inputs)
        if key not in emlearn_done:
            emlearn_done[key] = anchor_rows(
                name, board, key[:2], anchor, anchors, bdir, work / "anchors", args, prov
            )
            rows += emlearn_done[key]
        rows += snn2c_raw_rows(name, board, variant, info, ds, bdir, work, args, prov)
    return rows


def snn2c_raw_rows(name, board, variant, info, ds, bdir, work, args, prov) -> list[dict]:
    """snn2c on input path (b): the variant trained on 12-bit ADC readings
    (`snn2c train --adc-bits 12`, its integer range fixed at training time), built,
    verified in QEMU, and measured through snn_model_infer_raw (int32 readings in, no
    float instruction to the Q16 output); outputs equal the integer reference's."""
    raw = info.get("raw")
    if raw is None:
        return []
    board_name = board.name
    net = modelfile.load(raw["model"])
    qnet = quantize(net)
    rdir = work / f"{board_name}-{variant}-raw"
    snn2c_cli("build", raw["model"], "--board", board_name, "-o", str(rdir), "--force")
    verify = snn2c_cli("verify", str(rdir), "--emulator", "qemu", "--vectors", "64")
    if verify["mismatches"] or verify["exit_code"]:
        raise SystemExit(f"{name} {variant} raw {board_name}: verify failed: {verify}")
    x_raw = datasets.as_adc_counts(ds, C.ADC_BITS).x_test.astype(np.int64)
    ref = ref_int.run(qnet, normalize_raw(qnet, x_raw))
    m = measure_snn2c(f"snn2c-{variant}-raw", board, rdir, work, x_raw, ref, args, prov)
    y01 = (ds.y_test - net.target.offset) / net.target.scale
    return [
        _row(
            name,
            board_name,
            f"snn2c-{variant}",
            m,
            y01,
            m["outputs"] / 65536.0,
            input_path="raw",
            variant=variant,
            val_mse=raw["val_mse"],
            config=info["config"] + " --adc-bits 12",
            bounds=bounds(net),
            **_snn2c_fields(qnet, ref, m, verify, info["anchor"]),
        )
    ]


def _anchor_row(name, board_name, kind, path, m, y01, key, anchor, anchors, **extra) -> dict:
    return _row(
        name,
        board_name,
        kind,
        m,
        y01,
        m["outputs"][:, 0],
        input_path=path,
        mlp_hidden=list(key[0]),
        mlp_seed=key[1],
        mlp_val_mse=anchor["val_mse"],
        mlp_macs=macs(key[0], anchors.n_in),
        mlp_inputs=list(anchors.inputs),
        instructions_per_function=m["per_function"],
        **extra,
    )


def anchor_rows(*a) -> list[dict]:
    with np.errstate(under="ignore"):  # float32 casts of tiny weights (denormal or 0, as in C)
        return _anchor_rows(*a)


def _anchor_rows(name, board, key, anchor, anchors, bdir, work, args, prov) -> list[dict]:
    """The three anchor kinds of one MLP (emlearn float, plain float C loops, int8 with
    TFLite Micro's quantization) on both input paths: (a) the float sensor vector,
    (b) 12-bit ADC counts (int32). Stops unless the int8 outputs on the whole test
    split equal the numpy twin's bit for bit and the float ones agree with
    scikit-learn. The MLP reads the inputs it was trained on (anchors.inputs)."""
    mlp, spec, ds = anchor["mlp"], anchors.spec, anchors.ds
    tag = f"{'x'.join(map(str, key[0]))}-s{key[1]}-i{anchors.n_in}"
    x_test = ds.x_test.astype(np.float32)
    raw = C.adc_counts(spec.low, spec.high, ds.x_test)
    y01 = (ds.y_test - anchors.offset) / anchors.scale
    expect = {  # what scikit-learn predicts on what each path's device sees
        "float": mlp.predict(normalise(spec, x_test.astype(np.float64))),
        "raw": mlp.predict(raw / C.ADC_MAX),
    }
    inputs = {"float": x_test, "raw": raw}
    q = _int8.from_mlp(mlp, anchors.data[0], spec.low, spec.high)
    twin = {
        "float": q.dequantize(q.run(q.quantize_float(x_test))),
        "raw": q.dequantize(q.run(q.quantize_raw(raw))),
    }
    rows = []
    ed = work / f"emlearn-{tag}"
    peers.render_emlearn(mlp, spec.low, spec.high, ed, prov)
    i8 = work / f"int8-{tag}"
    peers.render_int8(q, i8, prov, hidden=key[0])
    for path in ("float", "raw"):
        x = inputs[path]
        m = measure(
            f"emlearn-{path}-{tag}",
            board,
            bdir,
            work,
            [ed / "emlearn_model.c"],
            [ed, peers.emlearn_include_dir()],
            ["emlearn_model.h"],
            x,
            1,
            args.count_peers,
            prov,
            profile=True,
        )
        _close(m, expect[path], EMLEARN_ATOL, f"{name} {board.name} emlearn {path}")
        rows.append(_anchor_row(name, board.name, "emlearn", path, m, y01, key, anchor, anchors))

        pd = work / f"plain-{path}-{tag}"
        mode, dev = peers.render_plain_float(
            mlp, spec.low, spec.high, anchors.data_x, pd, prov, raw=path == "raw"
        )
        m = measure(
            f"plain_float-{path}-{tag}",
            board,
            bdir,
            work,
            [pd / "plain_mlp.c"],
            [pd],
            ["plain_mlp.h"],
            x,
            1,
            args.count_peers,
            prov,
            profile=True,
        )
        _close(m, expect[path], PLAIN_ATOL, f"{name} {board.name} plain float {path}")
        rows.append(
            _anchor_row(
                name,
                board.name,
                "plain_float",
                path,
                m,
                y01,
                key,
                anchor,
                anchors,
                normalisation=mode,
                fold_deviation=dev,
            )
        )

        m = measure(
            f"int8-{path}-{tag}",
            board,
            bdir,
            work,
            [i8 / "int8_mlp.c", C.C_SOURCES / "int8_fc.c"],
            [i8, C.C_SOURCES],
            ["int8_mlp.h"],
            x,
            1,
            args.count_peers,
            prov,
            profile=True,
        )
        dev_bits = C.float_bits(m["outputs"])
        if not np.array_equal(dev_bits, C.float_bits(twin[path])):
            bad = int(np.flatnonzero((dev_bits != C.float_bits(twin[path])).any(axis=1))[0])
            raise SystemExit(
                f"{name} {board.name} int8 {path}: vector {bad}: device "
                f"{m['outputs'][bad]} differs from the numpy twin {twin[path][bad]}"
            )
        # the int8 outputs themselves (the dequantization is exact and one-to-one)
        q_dev = np.rint(m["outputs"] / np.float32(q.out_scale)).astype(np.int64) + q.out_zero_point
        if not np.array_equal(q.dequantize(q_dev), twin[path]):
            raise SystemExit(f"{name} {board.name} int8 {path}: int8 outputs not recovered")
        rows.append(
            _anchor_row(
                name,
                board.name,
                "int8",
                path,
                m,
                y01,
                key,
                anchor,
                anchors,
                int8_bit_exact_vectors=len(x),
                int8_layers=[
                    {"multiplier": L.multiplier, "shift": L.shift, "out_zero_point": L.out_offset}
                    for L in q.layers
                ],
                int8_simd32=_has_smlad(board, work / f"{board.name}-int8-{path}-{tag}-count.elf"),
            )
        )
    return rows


def _close(m, want, atol, what) -> None:
    err = float(np.max(np.abs(m["outputs"][:, 0] - want)))
    if err > atol:
        raise SystemExit(f"{what}: outputs differ from scikit-learn by {err:.2e}")


def _has_smlad(board, elf) -> bool:
    if board.name != M4:
        return False
    dis = subprocess.run(
        [board.tool("objdump"), "-d", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    return "smlad" in dis


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    ap.add_argument("--boards", nargs="+", default=list(BOARDS), choices=BOARDS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count-snn2c", type=int, default=8, help="test vectors counted")
    ap.add_argument("--count-peers", type=int, default=3, help="test vectors counted")
    ap.add_argument("--keep", help="keep the work folder here")
    ap.add_argument(
        "--out",
        help="write this run's results here (JSON) and leave benchmarks/results.json and "
        "docs/benchmarks.md alone (a smoke run on one dataset or board)",
    )
    ap.add_argument(
        "--variants",
        nargs="+",
        default=[v for v, _ in VARIANTS if v in DEFAULT_VARIANTS],
        choices=[v for v, _ in VARIANTS],
        help="snn2c configurations to measure",
    )
    args = ap.parse_args()
    variants = tuple((v, e) for v, e in VARIANTS if v in args.variants)

    t0 = time.perf_counter()
    work_root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="snn2c-bench-"))
    work_root.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    mlp_tables = {}
    try:
        jobs = [(d, v, extra) for d in args.datasets for v, extra in variants]
        # input path (b): the default network trained on 12-bit ADC readings
        jobs += [(d, RAW, ("--adc-bits", str(C.ADC_BITS))) for d in args.datasets]
        trained = train_all(jobs, work_root, args.seed)
        with ProcessPoolExecutor(2) as pool:
            for name in args.datasets:
                ds = datasets.load(name, args.seed)
                by_inputs: dict[tuple[int, ...], Anchors] = {}
                models = {}
                for variant, extra in variants:
                    info = trained[(name, variant)]
                    net = modelfile.load(info["model"])
                    v = val_mse(net, ds)
                    used = net.used_inputs()
                    if used not in by_inputs:
                        by_inputs[used] = Anchors(read_only(ds, used), pool)
                    anchors = by_inputs[used]
                    anchor = anchors.cheapest(v)
                    print(
                        f"[target_cost] {name} {variant}: val {v:.5f}, anchor "
                        f"{anchor['shape']} s{anchor['seed']} {anchor['val_mse']:.5f}",
                        file=sys.stderr,
                    )
                    models[variant] = info | {
                        "val_mse": v,
                        "anchor": anchor,
                        "anchors": anchors,
                        "config": " ".join(extra) or "(defaults)",
                        "bounds": bounds(net),
                    }
                    if variant == "default":
                        raw = trained[(name, RAW)]
                        models[variant]["raw"] = raw | {"val_mse": raw_val_mse(raw["model"], ds)}
                mlp_tables[name] = {
                    ",".join(a.inputs) if len(u) < ds.n_features else "all": a.table()
                    for u, a in by_inputs.items()
                }
                for board_name in args.boards:
                    print(f"[target_cost] {name} on {board_name}", file=sys.stderr)
                    rows += bench_board(name, board_name, models, ds, work_root / name, args)
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    cmd = "python benchmarks/target_cost.py " + " ".join(sys.argv[1:])
    payload = {
        "command": cmd.strip(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": C.machine_info(),
        "boards": list(args.boards),
        "settings": {
            "seed": args.seed,
            "count_snn2c": args.count_snn2c,
            "count_peers": args.count_peers,
            "variants": {v: " ".join(e) or "(defaults)" for v, e in variants},
            "mlp_shapes": ["x".join(map(str, s)) for s in MLP_SHAPES],
            "mlp_seeds": list(MLP_SEEDS),
            "mlp_max_iter": MLP_MAX_ITER,
        },
        "mlp_validation_mse": mlp_tables,
        "seconds": round(time.perf_counter() - t0, 1),
        "rows": rows,
    }
    if args.out:
        Path(args.out).write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    else:
        report_doc.write(C.save_results("target_cost", payload))
    for r in rows:
        print(
            f"{r['dataset']:<13} {r['board']:<14} {r['system']:<24} "
            f"{r['instructions_per_inference']:>9} instr  flash {r['flash_bytes']}  "
            f"RAM {r['ram_bytes']}  R2 {r['r2']:.4f}"
        )
    written = args.out or f"{C.RESULTS} and {C.DOC}"
    print(f"wrote {written} in {payload['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
