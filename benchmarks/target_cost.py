"""Cost on the target: snn2c against its peers on the same emulated Cortex-M4 (issue 6, 1 and 3).

For each dataset (friedman1, mackey-glass, diabetes; the trainer's seeded
70/15/15 split) it trains the snn2c network with `snn2c train` (default
network: population encoder 8 fields/feature, hidden 64 LIF, readout 8 LI,
8 steps, membrane decoder, int8; only the epoch budget is cut, see --epochs),
builds it with `snn2c build --board nucleo-f401`, proves it with
`snn2c verify --emulator qemu`, and measures on QEMU netduinoplus2, with the
same compiler, flags, runtime and counting method (benchmarks/_common.py):

* snn2c        the generated fixed-point C (snn_model_normalize + snn_model_infer);
* naive_snn    the same float weights in hand-written style float32 C;
* emlearn      the smallest scikit-learn MLPRegressor among --mlp candidates whose
               validation MSE is at most snn2c's (else the most accurate one),
               converted with emlearn (loadable, eml_net_regress, float on the FPU);
* lower_bound  snn2c's measured synaptic events (MACs + accumulates) and membrane
               updates at one instruction each.

Accuracy (R2, MSE on [0, 1]-scaled targets) comes from the outputs the emulator
printed for the whole test split. Writes benchmarks/results.json and
docs/benchmarks.md.

    .venv/bin/python benchmarks/target_cost.py            # ~3.5 min on 2 cores
    .venv/bin/python benchmarks/target_cost.py --datasets diabetes --epochs 20
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from snn2c import modelfile  # noqa: E402
from snn2c.boards import load_board  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import integer as ref_int  # noqa: E402
from snn2c.train import datasets  # noqa: E402
from snn2c.train.trainer import input_spec, normalise  # noqa: E402

import _common as C  # noqa: E402
import peers  # noqa: E402
import report_doc  # noqa: E402

BOARD = "nucleo-f401"
DATASETS = ("friedman1", "mackey-glass", "diabetes")
MLP_CANDIDATES = ((8,), (16,), (32,), (64,), (64, 64))
SNN = [sys.executable, "-m", "snn2c"]


def snn2c_cli(*args: str) -> dict:
    proc = subprocess.run([*SNN, *args, "--json"], capture_output=True, text=True, cwd=C.ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"snn2c {' '.join(args)} failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


def train_all(names, work: Path, epochs: int, qat_epochs: int, seed: int) -> dict[str, dict]:
    """`snn2c train` per dataset, run side by side (each trains on one thread)."""
    procs = {}
    for name in names:
        out = work / f"{name}.snn"
        cmd = [*SNN, "train", "--dataset", name, "--epochs", str(epochs)]
        cmd += ["--qat-epochs", str(qat_epochs), "--seed", str(seed), "--no-baseline"]
        cmd += ["-o", str(out), "--force", "--json"]
        procs[name] = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=C.ROOT
        )
    results = {}
    for name, p in procs.items():
        stdout, stderr = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"snn2c train --dataset {name} failed:\n{stderr.strip()}")
        results[name] = json.loads(stdout)
    return results


def lower_bound(qnet, net, spike_counts: np.ndarray) -> dict:
    """Synaptic events and membrane updates per inference, one instruction each.

    A layer fed by constant currents (population/direct encoder) needs its
    n_in x n_out MACs once per inference (snn2c computes that current once); a
    layer fed by spikes needs one accumulate per incoming spike and target
    neuron; every neuron is updated once per step; the decoder is n_last MACs
    per output.
    """
    steps = net.steps
    macs = np.zeros(len(spike_counts))
    acs = np.zeros(len(spike_counts))
    for i, layer in enumerate(net.layers):
        if i == 0 and not net.encoder.spiking:
            macs += layer.n_in * layer.n_out
        else:
            acs += spike_counts[:, i] * layer.n_out
    updates = steps * sum(layer.n_out for layer in net.layers)
    macs += net.decoder.weight.size
    total = macs + acs + updates
    return {
        "macs": float(macs.mean()),
        "accumulates": float(acs.mean()),
        "membrane_updates": updates,
        "instructions": float(total.mean()),
        "per_vector": total,
    }


def measure(
    system: str,
    board,
    build_dir: Path,
    work: Path,
    sources: list[Path],
    includes: list[Path],
    headers: list[str],
    x_test: np.ndarray,
    n_outputs: int,
    count_n: int,
    prov: str,
    defines: dict[str, str] | None = None,
) -> dict:
    """Outputs on the whole test split, instructions on its first count_n vectors, sizes."""
    as_float = not system.startswith("snn2c")
    d_all, d_cnt = work / f"{system}-all", work / f"{system}-count"
    C.render_harness(d_all, system, x_test, n_outputs, headers, provenance=prov)
    elf = C.compile_bench(
        build_dir, board, [*sources, d_all / "bench_main.c"], includes, work / f"{system}-all.elf",
        defines=defines,
    )  # fmt: skip
    outputs = C.run_outputs(board, elf, n_outputs, as_float)
    C.render_harness(d_cnt, system, x_test[:count_n], n_outputs, headers, provenance=prov)
    cnt_src = [*sources, d_cnt / "bench_main.c"]
    elf_c = C.compile_bench(
        build_dir, board, cnt_src, includes, work / f"{system}-count.elf", defines=defines
    )
    elf_n = C.compile_bench(
        build_dir, board, cnt_src, includes, work / f"{system}-null.elf", null=True,
        defines=defines,
    )  # fmt: skip
    counts, per_function = C.count_instructions(board, elf_c, count_n, profile=system == "snn2c")
    fp = C.footprint(board, elf_c, elf_n)
    sz_c, sz_n = C.toolchain.size(board, elf_c), C.toolchain.size(board, elf_n)
    return {
        "outputs": outputs,
        "counts": counts,
        "per_function": {k: round(v / count_n) for k, v in per_function.items()},
        "footprint": fp,
        "size_delta": {"flash": sz_c.flash - sz_n.flash, "ram": sz_c.ram - sz_n.ram},
    }


def bench_dataset(name: str, model: Path, work: Path, args, train_info: dict) -> list[dict]:
    board = load_board(BOARD)
    net = modelfile.load(model)
    qnet = quantize(net)
    ds = datasets.load(name, args.seed)
    tgt = net.target
    x_test = ds.x_test.astype(np.float32)
    y_test01 = (ds.y_test - tgt.offset) / tgt.scale
    rows: list[dict] = []
    prov = f"snn2c benchmarks/target_cost.py, dataset {name}, model {model.name}"

    build_dir = work / "build"
    snn2c_cli("build", str(model), "--board", BOARD, "-o", str(build_dir), "--force")
    verify = snn2c_cli("verify", str(build_dir), "--emulator", "qemu", "--vectors", "64")
    if verify["mismatches"]:
        raise SystemExit(f"{name}: snn2c verify found mismatches: {verify['first_mismatch']}")

    # reference (bit-exact) outputs and spike counts on the test split
    x_q = ref_int.normalize(net, x_test.astype(np.float64))
    res = ref_int.run(qnet, x_q)
    lb = lower_bound(qnet, net, res.spike_counts.astype(np.float64))

    # 1. snn2c
    m = measure(
        "snn2c", board, build_dir, work, [build_dir / "src/snn_model.c",
        build_dir / "src/snn_kernels.c"], [build_dir / "src"], ["snn_model.h"],
        x_test, net.n_outputs, args.count_snn2c, prov,
    )  # fmt: skip
    y_dev = m["outputs"]
    if not np.array_equal(y_dev.astype(np.int64), res.outputs.astype(np.int64)):
        raise SystemExit(f"{name}: snn2c outputs in QEMU differ from the integer reference")
    lb_sample = float(lb["per_vector"][: args.count_snn2c].mean())
    rows.append(
        _row(name, "snn2c", m, y_test01, y_dev / 65536.0)
        | {
            "lower_bound_instructions": round(lb_sample),
            "lower_bound_test_mean": round(lb["instructions"]),
            "lower_bound_parts": {k: lb[k] for k in ("macs", "accumulates", "membrane_updates")},
            "x_lower_bound": float(np.mean(m["counts"])) / lb_sample,
            "verify_instructions_snn_model_infer": verify["instructions_per_inference"],
            "verify_vectors": verify["vectors"],
            "verify_mismatches": verify["mismatches"],
            "spikes_per_inference": float(res.spike_counts.sum(axis=1).mean()),
            "instructions_per_function": m["per_function"],
            "train": {"epochs": train_info["epochs"], "seconds": train_info["seconds"]},
        }
    )

    # 1b. the same network with snn2c's portable C kernels (no DSP instructions)
    m = measure(
        "snn2c_portable", board, build_dir, work, [build_dir / "src/snn_model.c",
        build_dir / "src/snn_kernels.c"], [build_dir / "src"], ["snn_model.h"],
        x_test, net.n_outputs, args.count_snn2c, prov, defines={"SNN_KERNELS_PORTABLE": "1"},
    )  # fmt: skip
    if not np.array_equal(m["outputs"].astype(np.int64), res.outputs.astype(np.int64)):
        raise SystemExit(f"{name}: portable kernels in QEMU differ from the integer reference")
    rows.append(
        _row(name, "snn2c_portable", m, y_test01, m["outputs"] / 65536.0)
        | {"x_lower_bound": float(np.mean(m["counts"])) / lb_sample}
    )

    # 2. naive float SNN, same weights
    nd = work / "naive_src"
    peers.render_naive_snn(net, nd, prov)
    m = measure(
        "naive_snn", board, build_dir, work, [nd / "naive_snn.c"], [nd], ["naive_snn.h"],
        x_test, net.n_outputs, args.count_peers, prov,
    )  # fmt: skip
    rows.append(_row(name, "naive_snn", m, y_test01, m["outputs"]))

    # 3. emlearn MLP of comparable accuracy
    spec = input_spec(ds)
    u_tr, u_va = normalise(spec, ds.x_train), normalise(spec, ds.x_val)
    y_tr01 = (ds.y_train - tgt.offset) / tgt.scale
    y_va01 = (ds.y_val - tgt.offset) / tgt.scale
    snn_val = float(
        np.mean((ref_int.run(qnet, ref_int.normalize(net, ds.x_val)).outputs / 65536.0 - y_va01[:, None]) ** 2)
    )  # fmt: skip
    cands = []
    for hidden in args.mlp:
        mlp = peers.train_mlp(u_tr, y_tr01, hidden, args.seed)
        val = float(np.mean((mlp.predict(u_va) - y_va01) ** 2))
        cands.append((hidden, val, mlp))
    ok = [c for c in cands if c[1] <= snn_val]
    hidden, val, mlp = ok[0] if ok else min(cands, key=lambda c: c[1])
    ed = work / "emlearn_src"
    peers.render_emlearn(mlp, spec.low, spec.high, ed, prov)
    m = measure(
        "emlearn", board, build_dir, work, [ed / "emlearn_model.c"],
        [ed, peers.emlearn_include_dir()], ["emlearn_model.h"],
        x_test, 1, args.count_peers, prov,
    )  # fmt: skip
    rows.append(
        _row(name, "emlearn", m, y_test01, m["outputs"])
        | {
            "mlp_hidden": list(hidden),
            "mlp_val_mse": val,
            "snn2c_val_mse": snn_val,
            "mlp_candidates_val_mse": {"x".join(map(str, c[0])): c[1] for c in cands},
            "selection": "smallest MLP with validation MSE <= snn2c's"
            if ok
            else "no candidate reached snn2c's validation MSE: the most accurate one",
        }
    )

    # 4. the lower bound, as a row of its own
    rows.append(
        {
            "dataset": name,
            "system": "lower_bound",
            "instructions_per_inference": round(lb_sample),
            "flash_bytes": None,
            "ram_bytes": None,
            "r2": rows[0]["r2"],
            "mse": rows[0]["mse"],
            "note": "snn2c's synaptic events + membrane updates on the counted vectors, "
            "one instruction each",
        }
    )
    return rows


def _row(dataset: str, system: str, m: dict, y_true01, y_pred01) -> dict:
    fp = m["footprint"]
    scores = C.regression_scores(y_true01, y_pred01)
    return {
        "dataset": dataset,
        "system": system,
        "instructions_per_inference": round(float(np.mean(m["counts"]))),
        "instructions_min": min(m["counts"]),
        "instructions_max": max(m["counts"]),
        "instruction_samples": len(m["counts"]),
        "flash_bytes": fp.flash,
        "ram_bytes": fp.ram,
        "code_bytes": fp.code,
        "const_bytes": fp.rodata + fp.data,
        "size_delta_check": m["size_delta"],
        "largest_symbols": dict(sorted(fp.symbols.items(), key=lambda kv: -kv[1])[:8]),
        "r2": scores["r2"],
        "mse": scores["mse"],
        "test_vectors": len(y_pred01),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    ap.add_argument("--epochs", type=int, default=40, help="float epochs (train default 150)")
    ap.add_argument("--qat-epochs", type=int, default=10, help="QAT epochs (default 30)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count-snn2c", type=int, default=8, help="test vectors counted")
    ap.add_argument("--count-peers", type=int, default=3, help="test vectors counted")
    ap.add_argument(
        "--mlp",
        nargs="+",
        default=["x".join(map(str, h)) for h in MLP_CANDIDATES],
        help="MLP candidates, e.g. 16 64x64",
    )
    ap.add_argument("--keep", help="keep the work folder here")
    args = ap.parse_args()
    args.mlp = [tuple(int(v) for v in s.split("x")) for s in args.mlp]

    t0 = time.perf_counter()
    work_root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="snn2c-bench-"))
    work_root.mkdir(parents=True, exist_ok=True)
    try:
        trained = train_all(args.datasets, work_root, args.epochs, args.qat_epochs, args.seed)
        rows: list[dict] = []
        for name in args.datasets:
            print(f"[target_cost] {name}: measuring", file=sys.stderr)
            rows += bench_dataset(
                name, work_root / f"{name}.snn", work_root / name, args, trained[name]
            )
    finally:
        if not args.keep:
            shutil.rmtree(work_root, ignore_errors=True)
    cmd = "python benchmarks/target_cost.py " + " ".join(sys.argv[1:])
    payload = {
        "command": cmd.strip(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": C.machine_info(),
        "board": BOARD,
        "emulator": "qemu-system-arm -M netduinoplus2 (Cortex-M4F)",
        "settings": {
            "epochs": args.epochs,
            "qat_epochs": args.qat_epochs,
            "seed": args.seed,
            "count_snn2c": args.count_snn2c,
            "count_peers": args.count_peers,
            "mlp_candidates": ["x".join(map(str, h)) for h in args.mlp],
        },
        "seconds": round(time.perf_counter() - t0, 1),
        "rows": rows,
    }
    doc = C.save_results("target_cost", payload)
    report_doc.write(doc)
    for r in rows:
        print(
            f"{r['dataset']:<13} {r['system']:<12} {r['instructions_per_inference']:>9} instr  "
            f"flash {r['flash_bytes']}  RAM {r['ram_bytes']}  R2 {r['r2']:.4f}  MSE {r['mse']:.5f}"
        )
    print(f"wrote {C.RESULTS} and {C.DOC} in {payload['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
