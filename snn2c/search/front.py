"""The result of a search: the Pareto front built and counted exactly on the board,
the cost model's error on it, the MLP front from the same split on the same board,
the table, `search.json`, a plot, and `--pick`.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
from pathlib import Path

import numpy as np

from snn2c import ir, modelfile
from snn2c.boards import Board
from snn2c.errors import Snn2cError
from snn2c.search.study import Limits, trial_network

MLP_SHAPES = ((2,), (4,), (8,), (16,), (32,), (64,), (16, 16))
RESULT = "search.json"


def feasible_front(study, limits: Limits) -> list:
    """The finished trials no other finished trial beats on all three objectives,
    within the flash and RAM limits."""
    ok = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.state.name == "COMPLETE"
        and t.values is not None
        and "model" in t.user_attrs
        and (limits.max_flash is None or t.user_attrs["flash"] <= limits.max_flash)
        and (limits.max_ram is None or t.user_attrs["ram"] <= limits.max_ram)
    ]

    def dominates(a, b) -> bool:
        return all(x <= y for x, y in zip(a.values, b.values, strict=True)) and a.values != b.values

    front = [t for t in ok if not any(dominates(o, t) for o in ok)]
    return sorted(front, key=lambda t: t.values[1])


def measure_member(trial, board: Board, out: Path, vectors: int) -> dict:
    """Write the trial's model, build it, prove it in QEMU and count it exactly."""
    from snn2c.build import build
    from snn2c.emulate.verify import verify_qemu

    net = trial_network(trial)
    stem = f"trial-{trial.number:04d}"
    model = out / "front" / f"{stem}.snn"
    modelfile.save(net, model, force=True)
    fw = out / "front" / stem
    build(model, board, fw, force=True, command=f"snn2c search (trial {trial.number})")
    res = verify_qemu(fw, vectors=vectors, seed=0, count_sample=6)
    measured = res["instructions_per_inference"]
    predicted = trial.values[1]
    return {
        "trial": trial.number,
        "model": str(model),
        "build": str(fw),
        "config": trial.user_attrs["config"],
        "val_mse": trial.values[0],
        "test_r2": trial.user_attrs["test_r2"],
        "test_mse": trial.user_attrs["test_mse"],
        "instructions": measured,
        "instructions_predicted": round(predicted),
        "cost_model_error": (predicted - measured) / measured if measured else None,
        "flash": trial.user_attrs["flash"],
        "ram": trial.user_attrs["ram"],
        "verify_mismatches": res["mismatches"],
        "verify_vectors": res["vectors"],
    }


def mlp_front(ds, net: ir.Network, board: Board, build_dir: Path, seed: int) -> list[dict]:
    """emlearn MLPs of MLP_SHAPES trained on the same split, measured on the same board
    (snn2c.report.ann_target); the rows no cheaper row beats on test R2."""
    from snn2c.reference import normalize_float
    from snn2c.report.ann_target import measure
    from snn2c.scoring import regression_metrics
    from snn2c.train import baseline

    t = net.target

    def scaled(y):
        return ((y - t.offset) / t.scale)[:, None]

    rows = []
    for shape in MLP_SHAPES:
        mlp = baseline.train_mlp(
            normalize_float(net, ds.x_train),
            scaled(ds.y_train),
            normalize_float(net, ds.x_val),
            scaled(ds.y_val),
            shape,
            epochs=600,
            patience=60,
            seed=seed,
        )
        with_mlp = dataclasses.replace(net, baseline=baseline.to_ir(mlp, seed=seed))
        m = measure(build_dir, board, with_mlp, ds.x_test)
        if "note" in m:
            raise Snn2cError(f"MLP front: {m['note']}")
        y = t.offset + t.scale * np.asarray(m["outputs01"], dtype=np.float64).reshape(-1)
        rows.append(
            {
                "hidden": list(shape),
                "instructions": m["instructions_per_inference"],
                "flash": m["image_delta_bytes"]["flash"],  # what the MLP adds to an image
                "test_r2": regression_metrics(ds.y_test, y, t)["r2"],
            }
        )
    rows.sort(key=lambda r: r["instructions"])
    best = -np.inf
    for r in rows:
        r["on_front"] = r["test_r2"] > best
        best = max(best, r["test_r2"])
    return rows


def plot(path: Path, snn: list[dict], mlp: list[dict], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    s = sorted(snn, key=lambda r: r["instructions"])
    ax.plot([r["instructions"] for r in s], [r["test_r2"] for r in s], "o-", label="snn2c (front)")
    m = [r for r in mlp if r["on_front"]]
    ax.plot([r["instructions"] for r in m], [r["test_r2"] for r in m], "s--", label="emlearn MLP")
    ax.set_xscale("log")
    ax.set_xlabel("instructions per inference (QEMU, exact)")
    ax.set_ylabel("test R2")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- --pick ---------------------------------------------------------------------------

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}
_KEYS = {
    "r2": "test_r2",
    "mse": "test_mse",
    "instructions": "instructions",
    "flash": "flash",
    "ram": "ram",
}
_COND = re.compile(r"\s*(r2|mse|instructions|flash|ram)\s*(>=|<=|==|>|<)\s*([0-9.eE+-]+)\s*")


def pick(doc: dict, where: str, by: str) -> dict:
    """The front member meeting every condition of `where` ("r2>=0.93,flash<20000")
    that is cheapest by `by` (or most accurate, for r2)."""
    conds = []
    for part in where.split(","):
        m = _COND.fullmatch(part)
        if not m:
            raise Snn2cError(
                f"--pick: cannot read {part.strip()!r} (expected KEY OP NUMBER with KEY one of "
                f"{', '.join(_KEYS)} and OP one of {', '.join(_OPS)})"
            )
        try:
            conds.append((_KEYS[m.group(1)], _OPS[m.group(2)], float(m.group(3))))
        except ValueError:
            raise Snn2cError(f"--pick: {m.group(3)!r} is not a number") from None
    if by not in _KEYS:
        raise Snn2cError(f"--by: expected one of {', '.join(_KEYS)}")
    rows = [r for r in doc["front"] if all(op(r[k], v) for k, op, v in conds)]
    if not rows:
        raise Snn2cError(f"--pick {where}: no member of the front meets it")
    key = _KEYS[by]
    return max(rows, key=lambda r: r[key]) if by == "r2" else min(rows, key=lambda r: r[key])


def load_result(out: Path) -> dict:
    path = out / RESULT
    if not path.is_file():
        raise Snn2cError(f"{out}: no {RESULT} (run snn2c search -o {out} first)")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise Snn2cError(f"{path}: not valid JSON ({e})") from None
