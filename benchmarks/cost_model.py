"""Calibrate `snn2c search`'s cost model against QEMU's exact instruction counts.

For each board: networks drawn from the search space (snn2c/search/space.py, a
seeded random sampler; each trained for one epoch on a small split, so its
structure and weights are realistic and its spikes are its own), built with
`snn2c build`, proven with `snn2c verify` (0 mismatches or the run stops) and
counted there. The features of the same counted inputs (snn2c/search/costmodel.py)
are fitted to the counts by non-negative least squares, on all networks;
leave-one-out fits (each network predicted by the model fitted on the others) measure
the model's error on networks it has not seen. Writes
boards/cost-models/<board>.json (the model fitted on all networks, with its
errors), benchmarks/results-cost-model-<board>.json (every measurement, with the
network, so `--refit` needs no emulator) and prints the table; `--remeasure` counts
the stored networks again after a kernel change. `--add-per-feature N`
measures N more networks drawn with learned per-feature encodings (the population
encoder and a field penalty fixed; their structure drawn as the penalty leaves it,
`thinned`) and adds them to the stored ones.

    .venv/bin/python benchmarks/cost_model.py --board nucleo-f401 --networks 40
    .venv/bin/python benchmarks/cost_model.py --board nucleo-f401 --add-per-feature 12
    .venv/bin/python benchmarks/cost_model.py --board nucleo-f401 --remeasure
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from snn2c import modelfile  # noqa: E402
from snn2c.boards import load_board  # noqa: E402
from snn2c.build import build  # noqa: E402
from snn2c.emulate.verify import count_indices, verify_qemu  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import run  # noqa: E402
from snn2c.reference.vectors import make_vectors  # noqa: E402
from snn2c.search import costmodel, space  # noqa: E402

DATASETS = ("friedman1", "diabetes", "mackey-glass", "seattle-weather", "auto-mpg")
VECTORS = 24
RAW = Path(__file__).resolve().parent / "results-cost-model-{board}.json"


def _config(i: int, seed: int, per_feature: bool = False):
    """Network i's configuration, drawn from the search space; per_feature: drawn with
    the population encoder and a nonzero field penalty fixed (Optuna's enqueued trial)."""
    import optuna

    from snn2c.train.trainer import TrainConfig

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed * 1000 + i))
    if per_feature:
        penalty = space.FIELD_PENALTIES[1 + i % (len(space.FIELD_PENALTIES) - 1)]
        study.enqueue_trial({"encoder": "population", "field_penalty": penalty})
    base = TrainConfig(
        dataset=DATASETS[i % len(DATASETS)],
        epochs=30,
        qat_epochs=0,
        baseline=False,
        seed=i,
    )
    cfg = space.suggest(study.ask(), base)
    small = {"n_samples": 300} if cfg.dataset in ("friedman1", "mackey-glass") else {}
    return dataclasses.replace(cfg, epochs=1, **small)


def measure(i: int, board_name: str, seed: int, per_feature: bool = False) -> dict:
    """One network: its configuration, features and QEMU count."""
    from snn2c.train.trainer import train

    cfg = _config(i, seed, per_feature)
    net = train(cfg).network
    if cfg.field_penalty > 0:
        net = thinned(net, seed * 1000 + i)
    res, spikes = count(net, board_name, f"network {i}")
    qnet = quantize(net)
    return {
        "i": i,
        "config": {k: v for k, v in dataclasses.asdict(cfg).items() if k in _SHOWN},
        "features": costmodel.features(qnet, spikes).tolist(),
        "instructions": float(res["instructions_per_inference"]),
        "model": base64.b64encode(modelfile.dumps(net)).decode("ascii"),
        "spikes": spikes.tolist(),
    }


def count(net, board_name: str, what: str) -> tuple[dict, np.ndarray]:
    """Build net for the board, prove it in QEMU (0 mismatches or the run stops) and count
    it there: snn2c verify's verdict and the spikes of the counted vectors."""
    board = load_board(board_name)
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "m.snn"
        modelfile.save(net, model)
        build(model, board, Path(tmp) / "fw", force=False, command="cost_model")
        res = verify_qemu(Path(tmp) / "fw", vectors=VECTORS, seed=0, count_sample=6)
    if res["mismatches"] != 0:
        raise SystemExit(f"{what}: {res['mismatches']} mismatches: {res['first_mismatch']}")
    qnet = quantize(net)
    vec = make_vectors(qnet, VECTORS, seed=0)
    idx = count_indices(VECTORS, 6)
    return res, run(qnet, vec.x_q[idx].astype(np.int64)).spike_counts


def remeasure(row: dict, board_name: str) -> dict:
    """A stored network counted again with today's kernels (the same network and inputs)."""
    net = modelfile.loads(base64.b64decode(row["model"]))
    res, spikes = count(net, board_name, f"network {row['i']}")
    return {
        **row,
        "instructions": float(res["instructions_per_inference"]),
        "spikes": spikes.tolist(),
    }


def thinned(net, seed: int):
    """A per-feature network as the penalty leaves it after a full training: after one
    epoch it has not acted yet, so the structure is drawn instead (each column of
    layer 0 kept with one probability drawn in [0.15, 0.7], at least one column), and
    the calibration sees dropped inputs, direct columns and runs of every length."""
    from snn2c.train import field_pruning

    rng = np.random.default_rng(seed)
    n_cols = net.layers[0].weight.shape[1]
    keep = np.flatnonzero(rng.uniform(size=n_cols) < rng.uniform(0.15, 0.7))
    if keep.size == 0:
        keep = np.array([int(rng.integers(n_cols))])
    encoder = field_pruning.pruned_encoder(net.encoder, net.n_inputs, keep)
    first = dataclasses.replace(net.layers[0], weight=net.layers[0].weight[:, keep])
    return dataclasses.replace(net, encoder=encoder, layers=(first, *net.layers[1:]))


_SHOWN = (
    "dataset",
    "encoder",
    "hidden",
    "readout",
    "steps",
    "neuron",
    "weight_bits",
    "decoder",
    "field_penalty",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", default="nucleo-f401")
    ap.add_argument("--networks", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--refit", action="store_true", help="refit the stored measurements only")
    ap.add_argument(
        "--remeasure",
        action="store_true",
        help="count the stored networks again (after a kernel change) and refit",
    )
    ap.add_argument(
        "--add-per-feature",
        type=int,
        default=0,
        metavar="N",
        help="measure N more networks with learned per-feature encodings, add them to the "
        "stored measurements and refit",
    )
    args = ap.parse_args()
    t0 = time.time()
    raw = Path(str(RAW).format(board=args.board))
    if args.refit or args.add_per_feature or args.remeasure:
        old = json.loads(costmodel.path_for(args.board).read_text())["calibration"]
        rows = json.loads(raw.read_text())
        seconds = old.get("seconds", 0)
        if args.remeasure:
            with ProcessPoolExecutor(args.jobs) as pool:
                rows = list(pool.map(remeasure, rows, [args.board] * len(rows)))
            seconds = time.time() - t0
        if args.add_per_feature:
            start = max(r["i"] for r in rows) + 1
            idx = range(start, start + args.add_per_feature)
            n = len(idx)
            with ProcessPoolExecutor(args.jobs) as pool:
                rows += list(pool.map(measure, idx, [args.board] * n, [args.seed] * n, [True] * n))
            seconds += time.time() - t0
        write(args.board, rows, seconds)
        return
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(
            pool.map(
                measure,
                range(args.networks),
                [args.board] * args.networks,
                [args.seed] * args.networks,
            )
        )
    write(args.board, rows, time.time() - t0)


def loo_errors(feats: list[np.ndarray], counts: list[float]) -> list[float]:
    """Each network's relative error under the model fitted on all the others."""
    errs = []
    for k in range(len(counts)):
        rest = [i for i in range(len(counts)) if i != k]
        m = costmodel.fit("loo", [feats[i] for i in rest], [counts[i] for i in rest])
        errs.append(abs(m.predict(feats[k]) - counts[k]) / counts[k])
    return errs


def write(board: str, rows: list[dict], seconds: float) -> None:
    """Fit on all networks, measure leave-one-out errors, write the model and the raw rows."""
    for r in rows:  # features from the stored network and spikes: a refit needs no QEMU
        qnet = quantize(modelfile.loads(base64.b64decode(r["model"])))
        r["features"] = costmodel.features(qnet, np.asarray(r["spikes"])).tolist()
    feats = [np.array(r["features"]) for r in rows]
    counts = [r["instructions"] for r in rows]
    loo = loo_errors(feats, counts)
    model = costmodel.fit(
        board,
        feats,
        counts,
        method="benchmarks/cost_model.py: networks from snn2c/search/space.py, one epoch "
        "each, counted by snn2c verify (QEMU), non-negative least squares",
        held_out="leave-one-out: each network predicted by the model fitted on the others",
        held_out_mean_abs_rel_error=round(float(np.mean(loo)), 4),
        held_out_max_abs_rel_error=round(float(np.max(loo)), 4),
        seconds=round(seconds),
    )
    raw = Path(str(RAW).format(board=board))
    raw.write_text(json.dumps(rows, indent=1) + "\n")
    path = costmodel.path_for(board)
    path.parent.mkdir(parents=True, exist_ok=True)
    modelfile.write_atomic(path, model.to_json().encode())
    print("| # | network | measured | model | error | leave-one-out error |")
    print("|---:|---|---:|---:|---:|---:|")
    for r, f, e in zip(rows, feats, loo, strict=True):
        c = r["config"]
        desc = (
            f"{c['dataset']} {c['encoder']} {'x'.join(map(str, c['hidden']))}-{c['readout']} "
            f"T={c['steps']} {c['neuron']} s{c['weight_bits']} {c['decoder']}"
        )
        if c.get("field_penalty"):
            desc += f" fields learned ({c['field_penalty']})"
        p = model.predict(f)
        print(
            f"| {r['i']} | {desc} | {r['instructions']:.0f} | {p:.0f} | "
            f"{100 * (p - r['instructions']) / r['instructions']:+.1f}% | {100 * e:.1f}% |"
        )
    print(model.calibration)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
