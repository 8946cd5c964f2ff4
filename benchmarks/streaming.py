"""Streaming SNN against the windowed alternatives, on the same data and board (#17).

For each time series (NeuroBench's Mackey-Glass task, `mackey-glass-nb`; the hourly
Seattle temperature, `seattle-temps`) it trains, in one run:

1. the streaming SNN (`snn2c train --streaming`): one sample in, one value out, the
   membranes carried from sample to sample;
2. the windowed SNN snn2c makes today (`snn2c train`, its defaults), which sees the
   recent values as features and is reset for every inference;
3. the windowed MLP stored with it (the baseline `snn2c train` trains on the same
   window), converted with emlearn.

Each SNN is built for nucleo-f401 and verified bit-exact in QEMU (`snn2c verify`),
which counts instructions per inference (per sample for the streaming model); the MLP
runs as emlearn C on the same QEMU machine (snn2c.report.ann_target). Accuracy is on
the test split: teacher-forced (every input is the measured value) R2 and sMAPE, and
on mackey-glass-nb NeuroBench's free-running sMAPE (from the first test input on, each
prediction is the next input) for run offset 0. Synaptic operations and activation
sparsity are counted the NeuroBench way (snn2c.report.metrics) per sample.

    .venv/bin/python benchmarks/streaming.py        # about 10 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from snn2c import modelfile  # noqa: E402
from snn2c.boards import load_board  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import integer, normalize, normalize_float, predict, stream  # noqa: E402
from snn2c.report import ann_target  # noqa: E402
from snn2c.report.metrics import activity  # noqa: E402
from snn2c.scoring import regression_metrics  # noqa: E402
from snn2c.train import datasets, trainer  # noqa: E402

import _common as C  # noqa: E402

BOARD = "nucleo-f401"
TASKS = ("mackey-glass-nb", "seattle-temps")
_STREAM = ("--streaming", "--readout", "8", "--leak-shift", "3", "--readout-leak-shift", "1")
STREAM_ARGS = {  # per task: the short series trains on small batches, the long on fewer epochs
    "mackey-glass-nb": (
        *_STREAM,
        *("--steps", "8", "--hidden", "32", "--batch-size", "16", "--epochs", "100"),
        *("--qat-epochs", "10"),
    ),
    "seattle-temps": (
        *_STREAM,
        *("--steps", "4", "--hidden", "32", "--batch-size", "32", "--epochs", "40"),
        *("--qat-epochs", "5", "--bptt", "64", "--washout", "16"),
    ),
}
WINDOW_ARGS: tuple[str, ...] = ()  # snn2c train's defaults
SNN = [sys.executable, "-m", "snn2c"]
DOC = C.ROOT / "docs" / "streaming.md"


def cli(*args: str) -> dict:
    proc = subprocess.run([*SNN, *args, "--json"], capture_output=True, text=True, cwd=C.ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"snn2c {' '.join(args)} failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


def train_all(work: Path, seed: int, tasks) -> dict[tuple[str, str], Path]:
    """Both models of every task, two trainings at a time (each on one thread)."""
    jobs = [(t, kind) for t in tasks for kind in ("stream", "window")]
    running: dict[tuple[str, str], subprocess.Popen] = {}
    models = {}
    while jobs or running:
        while jobs and len(running) < 2:
            task, kind = jobs.pop(0)
            out = work / f"{task}-{kind}.snn"
            extra = STREAM_ARGS[task] if kind == "stream" else WINDOW_ARGS
            cmd = [*SNN, "train", "--dataset", task, *extra, "--seed", str(seed)]
            running[(task, kind)] = subprocess.Popen(
                [*cmd, "-o", str(out), "--force", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=C.ROOT,
            )
            models[(task, kind)] = out
        key = next(iter(running))
        _, err = running.pop(key).communicate()
        if not models[key].is_file():
            raise SystemExit(f"snn2c train {key} failed:\n{err.strip()}")
        print(f"[streaming] trained {key[0]} {key[1]}", file=sys.stderr)
    return models


def free_running(qnet, ds, window: bool) -> np.ndarray:
    """NeuroBench's autonomous test: the first test input is measured, every later one is
    the model's own previous prediction (user units); the integer reference computes."""
    net = qnet.source
    n = len(ds.y_test)
    out = np.zeros(n)
    if window:
        w = ds.x_test[0].copy()
        for i in range(n):
            out[i] = predict(qnet, w[None])[0, 0]
            w = np.append(w[1:], out[i])
        return out
    before = np.concatenate([ds.x_train, ds.x_val])
    state = stream(qnet, normalize(net, before)).state
    x = ds.x_test[0, 0]
    for i in range(n):
        res = integer.run(qnet, normalize(net, np.array([[x]])), state=state)
        state = res.state
        out[i] = net.target.offset + net.target.scale * res.outputs[0, 0] / 2.0**16
        x = out[i]
    return out


def mlp_free_running(net, ds) -> np.ndarray:
    assert net.baseline is not None
    w = ds.x_test[0].copy()
    out = np.zeros(len(ds.y_test))
    for i in range(len(out)):
        y01 = net.baseline.predict(normalize_float(net, w[None]))[0, 0]
        out[i] = net.target.offset + net.target.scale * y01
        w = np.append(w[1:], out[i])
    return out


def snn_row(task: str, kind: str, model: Path, work: Path, args) -> dict:
    qnet = quantize(modelfile.load(model))
    net = qnet.source
    streaming = kind == "stream"
    ds = datasets.load(task, args.seed, streaming=streaming)
    fw = work / f"fw-{task}-{kind}"
    cli("build", str(model), "--board", BOARD, "-o", str(fw), "--force")
    extra = ["--stream", str(args.stream)] if streaming and args.stream else []
    ver = cli("verify", str(fw), "--emulator", "qemu", "--vectors", str(args.vectors), *extra)
    if ver.get("mismatches") != 0 or (ver.get("stream") or {}).get("mismatches", 0) != 0:
        raise SystemExit(f"{fw}: verify found mismatches: {ver}")
    before = np.concatenate([ds.x_train, ds.x_val])
    if streaming:
        y = predict(qnet, np.concatenate([before, ds.x_test]))[len(before) :, 0]
        state = stream(qnet, normalize(net, before)).state
    else:
        y, state = predict(qnet, ds.x_test)[:, 0], None
    act = activity(net, normalize(net, ds.x_test), qnet, state).to_json()
    row = {
        "task": task,
        "system": "streaming SNN" if streaming else "windowed SNN",
        "inputs": list(net.inputs.names),
        "config": " ".join(STREAM_ARGS[task] if streaming else WINDOW_ARGS) or "(defaults)",
        "steps": net.steps,
        "hidden": [layer.n_out for layer in net.layers[:-1]],
        "test": regression_metrics(ds.y_test, y, net.target),
        "instructions": ver["instructions_per_inference"],
        "verified_vectors": ver.get("vectors"),
        "stream_verified": (ver.get("stream") or {}).get("samples"),
        "spikes": act["spikes_per_inference"]["total"],
        "activation_sparsity": act["activation_sparsity"]["total"],
        "synops": {k: act["synops"][k] for k in ("mac", "ac", "dense_mac", "dense_ac")},
    }
    if task == "mackey-glass-nb":
        row["free_running_smape"] = regression_metrics(
            ds.y_test, free_running(qnet, ds, not streaming), net.target
        )["smape"]
    if not streaming:
        row["_fw"], row["_net"], row["_ds"] = fw, net, ds
    return row


def mlp_row(window_row: dict) -> dict:
    fw, net, ds = window_row.pop("_fw"), window_row.pop("_net"), window_row.pop("_ds")
    m = ann_target.measure(fw, load_board(BOARD), net, ds.x_test)
    if "note" in m:
        raise SystemExit(f"MLP not measured: {m['note']}")
    y = net.target.offset + net.target.scale * np.asarray(m["outputs01"]).reshape(-1)
    assert net.baseline is not None
    dense = int(sum(w.size for w in net.baseline.weights))
    row = {
        "task": window_row["task"],
        "system": "windowed MLP (emlearn)",
        "inputs": window_row["inputs"],
        "config": "stored baseline " + "x".join(map(str, net.baseline.hidden)),
        "test": regression_metrics(ds.y_test, y, net.target),
        "instructions": m["instructions_per_inference"],
        "synops": {"mac": dense, "ac": 0, "dense_mac": dense, "dense_ac": 0},
        "activation_sparsity": None,
        "spikes": None,
    }
    if window_row["task"] == "mackey-glass-nb":
        row["free_running_smape"] = regression_metrics(
            ds.y_test, mlp_free_running(net, ds), net.target
        )["smape"]
    return row


def model_free_rows(task: str, seed: int) -> list[dict]:
    """What any model must beat, at (almost) no cost: the last value (persistence), and a
    least-squares line through the window (its MACs are the window's length)."""
    ds = datasets.load(task, seed)
    target = trainer.target_spec(ds)
    x1 = np.c_[ds.x_train, np.ones(len(ds.x_train))]
    w = np.linalg.lstsq(x1, ds.y_train, rcond=None)[0]
    rows = []
    for name, y, macs in (
        ("persistence (y = last value)", ds.x_test[:, -1], 0),
        (
            "linear regression on the window",
            np.c_[ds.x_test, np.ones(len(ds.x_test))] @ w,
            ds.n_features,
        ),
    ):
        rows.append(
            {
                "task": task,
                "system": name,
                "inputs": list(ds.feature_names),
                "config": "numpy, not built",
                "test": regression_metrics(ds.y_test, y, target),
                "instructions": None,
                "synops": {"mac": macs, "ac": 0, "dense_mac": macs, "dense_ac": 0},
                "activation_sparsity": None,
                "spikes": None,
            }
        )
    return rows


def _f(v, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def write_doc(rows: list[dict], meta: dict) -> None:
    lines = [
        "# Streaming SNNs: one sample in, one value out",
        "",
        "<!-- written by benchmarks/streaming.py; do not edit the tables by hand -->",
        "",
        "A streaming model (`snn2c train --streaming`) keeps its membranes from one sensor",
        "sample to the next: the device calls `snn_model_push(x_q12, y_q16)` once per",
        "sample and gets one prediction back. Its state is its memory, so it reads only",
        "the current value, where a windowed model reads the recent values as features",
        "and starts from the reset state every time. The range proof of a streaming",
        'model holds for ever (docs/fixed-point.md, "Streaming").',
        "",
        "## Streaming against windowed, same data, same board",
        "",
        f"`{meta['command']}` on {meta['date']}; board {BOARD} (Cortex-M4F, QEMU);",
        "instructions per sample counted by `snn2c verify` (SNNs, after a bit-exact",
        "check of every vector) and by snn2c.report.ann_target (emlearn MLP, float32).",
        "Test split, teacher-forced: every input is the measured value.",
        "",
        "| task | system | inputs | instr./sample | test R2 | test sMAPE | free-running sMAPE "
        "| spikes | act. sparsity | eff. MAC | eff. AC |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r["synops"]
        lines.append(
            f"| {r['task']} | {r['system']} | {len(r['inputs'])} | {_f(r['instructions'], ',')} "
            f"| {r['test']['r2']:.4f} | {r['test']['smape']:.2f} "
            f"| {_f(r.get('free_running_smape'), '.2f')} | {_f(r['spikes'], '.1f')} "
            f"| {_f(r['activation_sparsity'], '.3f')} | {s['mac']:,.0f} | {s['ac']:,.0f} |"
        )
    lines += [
        "",
        "Configurations: "
        + "; ".join(
            f"{r['task']} {r['system']}: `{r['config']}`"
            for r in rows
            if "SNN" in r["system"] or "MLP" in r["system"]
        ),
        "",
        "Bit-exact in QEMU, in this run: "
        + "; ".join(
            f"{r['task']} {r['system']}: {r['verified_vectors']} vectors + 16 float vectors"
            + (
                f", then a generated stream of {r['stream_verified']:,} samples "
                "(`snn2c verify --stream`, every checkpoint equal)"
                if r.get("stream_verified")
                else ""
            )
            for r in rows
            if "SNN" in r["system"]
        )
        + " On the host, `tests/test_streaming_device.py` pushes 10^5 generated samples",
        "through the generated C built with UBSan and ASan and compares every output and",
        "spike count with `integer.stream` (CI runs it).",
        "",
        "Synaptic operations per sample, the NeuroBench way (bias excluded; an operation",
        "whose input is a spike is an AC, one whose input is a current a MAC; the MLP's",
        "are all MACs). Activation sparsity: the fraction of spiking-neuron outputs that",
        "are zero, over every step.",
        "",
        "## NeuroBench's Mackey-Glass task",
        "",
        "`mackey-glass-nb` follows NeuroBench's chaotic function prediction",
        "(neurobench/datasets/mackey_glass.py): tau = 17, n = 10, beta = 0.2, gamma = 0.1,",
        "constant past 0.7206597, one point every 197/75 time units, 750 points to train",
        "and the next 750 to test, one step ahead, scored by sMAPE",
        "(200 mean(|p - y| / (|p| + |y|))) in free-running mode. Differences, stated:",
        "",
        "- the series is integrated here (RK4, dt = 0.05, linear interpolation between",
        "  grid points), not NeuroBench's pre-generated jitcdde file (not downloadable",
        "  here), so its values differ in detail;",
        "- NeuroBench has no validation split; snn2c holds out the last 112 training",
        "  points for early stopping;",
        "- NeuroBench averages 30 runs with start offsets half a Lyapunov time apart and",
        "  retrains per run; this table is run 0 (offset 0) only.",
        "",
        "Published baselines (NeuroBench v1.0 leaderboard, tau = 17, mean of 30 runs):",
        "LSTM sMAPE 13.37 (Dense 6.03e4 MACs per step), ESN sMAPE 14.79 (Eff. MACs",
        "4.37e3 per step). The LSTM figure was, by the benchmark script's history, most",
        "likely computed on the training segment (NeuroBench issue #262, fixed in PR #263;",
        "the corrected script reports about 14.35 for its 40-unit LSTM).",
        "",
        "## Where streaming does not pay",
        "",
    ]
    lines += verdict(rows, meta["tasks"])
    lines += [
        "",
        "Why, as far as it was measured while building this (seed 0, the configurations",
        "above and a few others; not part of this run):",
        "",
        "- the streaming SNN fits even its training stream only to R2 0.81-0.84, below a",
        "  memoryless function of the current value (persistence; on mackey-glass-nb the",
        "  MLP `snn2c report` retrains on that single input reaches R2 0.86). Its readout",
        "  must leak for the range proof to hold for ever, so the decoded membrane rests",
        "  on the last few steps' spikes: a coarse code. Slower readout leaks, slower",
        "  hidden leaks, more receptive fields, direct coding, smaller batches and a",
        "  readout restarted at each sample (tried in float, not built) moved R2 by",
        "  -0.3 to +0.03;",
        "- the windowed SNN runs in the counting form (no time steps at all,",
        "  docs/fixed-point.md); a streaming model cannot, since its hidden state is not",
        "  the reset state, so it pays for T steps of every layer per sample;",
        "- seattle-temps's test stretch (November and December) is colder than anything",
        "  in training: the one clamped value a streaming model reads then says little",
        "  (training R2 0.84, test about 0), where the windowed models still see the",
        "  last six hours' changes.",
        "",
        "What could change it, not built: recurrent connections in the hidden layer (a",
        "memory that does not rest on sub-threshold residue), a readout that restarts per",
        "sample with its own proof, tasks whose window would have to be long (a daily",
        "cycle at minute resolution), where a windowed model's cost grows with the window",
        "and a streaming model's does not.",
    ]
    DOC.write_text("\n".join(lines) + "\n")


def verdict(rows: list[dict], tasks) -> list[str]:
    """Per task: does the streaming SNN pay (fewer instructions and no worse sMAPE than
    each windowed model), and does it beat the last value?"""
    out = []
    for task in tasks:
        by = {r["system"]: r for r in rows if r["task"] == task}
        s = by["streaming SNN"]
        persist = by["persistence (y = last value)"]
        parts = []
        for name in ("windowed SNN", "windowed MLP (emlearn)"):
            o = by[name]
            cost = s["instructions"] / o["instructions"]
            worse = s["test"]["smape"] - o["test"]["smape"]
            pays = cost < 1 and worse <= 0
            parts.append(
                f"{'pays' if pays else 'does not pay'} against the {name} "
                f"({cost:.2f}x its instructions, sMAPE {s['test']['smape']:.2f} vs "
                f"{o['test']['smape']:.2f})"
            )
        beat = s["test"]["smape"] < persist["test"]["smape"]
        out.append(
            f"- {task}: the streaming SNN "
            + "; ".join(parts)
            + ". It "
            + ("beats" if beat else "does not beat")
            + f" persistence (sMAPE {persist['test']['smape']:.2f})."
        )
    return out


def rewrite_doc() -> None:
    """docs/streaming.md again from the stored results (no training, no emulator)."""
    section = C.load_results()["streaming"]
    write_doc(section["rows"], section["meta"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vectors", type=int, default=50, help="verify: vectors per model")
    ap.add_argument("--stream", type=int, default=100_000, help="verify: long-stream samples")
    ap.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    ap.add_argument(
        "--doc-only", action="store_true", help="rewrite the doc from benchmarks/results.json"
    )
    args = ap.parse_args()
    if args.doc_only:
        rewrite_doc()
        return 0
    with tempfile.TemporaryDirectory(prefix="snn2c-stream-") as tmp:
        work = Path(tmp)
        models = train_all(work, args.seed, args.tasks)
        rows = []
        for task in args.tasks:
            s = snn_row(task, "stream", models[(task, "stream")], work, args)
            w = snn_row(task, "window", models[(task, "window")], work, args)
            rows += [s, w, mlp_row(w), *model_free_rows(task, args.seed)]
            print(f"[streaming] measured {task}", file=sys.stderr)
    meta = {
        "command": "python benchmarks/streaming.py " + " ".join(sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "tasks": args.tasks,
        "machine": C.machine_info(),
    }
    C.save_results("streaming", {"meta": meta, "rows": rows})
    write_doc(rows, meta)
    print(DOC.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
