"""The Optuna study behind `snn2c search`: three objectives per trial (validation MSE
of the integer network, instructions per inference predicted by the board's cost
model, flash bytes of the built image), RAM and flash limits as constraints, and
pruning that respects the trade-off.

Optuna prunes multi-objective trials only by hand, and a median rule on the MSE
alone would kill the cheap, less accurate networks that belong on the front.
Here a trial is pruned at a checkpoint epoch when a finished trial that costs no
more (its instructions at most this one's lower bound, the cost of its structure
with no spikes at all) had a validation MSE at least PRUNE_MARGIN times better at
the same epoch: it cannot end on the front unless it overtakes late.

Storage: a SQLite file in the output folder by default (a study resumes where it
stopped), or any Optuna RDB URL (postgresql://...) shared by workers on many
machines; heartbeats mark a killed worker's trial failed, so the study stays
consistent. Every finished trial keeps its model file in the study itself (base64
in a user attribute), so any worker can write the front.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import socket
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from snn2c import ir, modelfile
from snn2c.boards import Board
from snn2c.contract import V_ONE
from snn2c.errors import Snn2cError
from snn2c.search import costmodel, space

CHECKPOINTS = (10, 20, 40, 80, 160)
PRUNE_MARGIN = 1.25
HEARTBEAT_S = 10


def _optuna():
    try:
        import optuna
    except ImportError:
        raise Snn2cError("snn2c search needs Optuna: pip install 'snn2c[search]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for handler in logging.getLogger("optuna").handlers:
        if not any(isinstance(f, _QuietFailures) for f in handler.filters):
            handler.addFilter(_QuietFailures())
    return optuna


class _QuietFailures(logging.Filter):
    """Drops Optuna's "Trial N failed ..." warnings, with their tracebacks: snn2c search
    reports a failed trial in one line itself (its error is the trial's 'error'
    attribute), and Ctrl-C is one line ("interrupted"), not Optuna's KeyboardInterrupt
    traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not (msg.startswith("Trial ") and " failed " in msg)


def sampler_seed(seed: int, finished: int, salt: int = 0) -> int:
    """The sampler's seed for a run that joins a study holding `finished` trials: a
    resumed study must not draw its first trials again (TPE's start-up trials are
    random draws from the seed), while the same commands still give the same trials.
    salt: a worker's own number (workers that start together must not draw alike)."""
    return int(np.random.SeedSequence([seed, finished, salt]).generate_state(1)[0])


@dataclass(frozen=True)
class Limits:
    max_flash: int | None = None
    max_ram: int | None = None


def storage_url(storage: str | None, out: Path) -> str:
    if storage:
        if not storage.startswith(("sqlite:///", "postgresql://", "postgresql+", "mysql")):
            raise Snn2cError(
                f"--storage: expected an Optuna RDB URL (sqlite:///FILE, postgresql://...), "
                f"got {storage!r}"
            )
        return storage
    return f"sqlite:///{(out / 'study.db').resolve()}"


def open_study(storage: str, name: str, seed: int, heartbeat: int = HEARTBEAT_S, salt: int = 0):
    """The study (created or resumed), with a sampler seeded by sampler_seed."""
    optuna = _optuna()
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            rdb = RDBStorage(
                storage,
                heartbeat_interval=heartbeat,
                grace_period=3 * heartbeat,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
                engine_kwargs={"pool_pre_ping": True},
            )
        except Exception as e:  # SQLAlchemy / driver errors: one line
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise Snn2cError(f"--storage: cannot open {storage}: {first}") from None
        study = optuna.create_study(
            study_name=name,
            storage=rdb,
            directions=["minimize", "minimize", "minimize"],
            load_if_exists=True,
        )
        study.sampler = optuna.samplers.TPESampler(
            seed=sampler_seed(seed, len(study.get_trials(deepcopy=False)), salt),
            multivariate=True,
            group=True,
            n_startup_trials=8,
        )
    return study


def _curve_checkpoints(curve: list[float]) -> dict[int, float]:
    """Best-so-far validation MSE at each checkpoint epoch the curve reached."""
    best = np.minimum.accumulate(np.asarray(curve)) if curve else np.array([])
    return {e: float(best[e - 1]) for e in CHECKPOINTS if e <= len(best)}


class _Pruner:
    """Per-trial: watches the float training curve, raises TrialPruned (see module doc)."""

    def __init__(self, trial, study, floor_cost: float):
        self.trial = trial
        self.floor = floor_cost
        self.curve: list[float] = []
        self.peers = [
            t.user_attrs["checkpoints"]
            for t in study.get_trials(deepcopy=False)
            if t.state.name == "COMPLETE"
            and "checkpoints" in t.user_attrs
            and t.values is not None
            and t.values[1] <= floor_cost
        ]

    def __call__(self, phase: str, epoch: int, total: int, val: float) -> None:
        if phase != "float":
            return
        self.curve.append(val)
        e = len(self.curve)
        if e not in CHECKPOINTS:
            return
        mine = min(self.curve)
        better = [p[str(e)] for p in self.peers if str(e) in p]
        if better and min(better) * PRUNE_MARGIN < mine:
            self.trial.set_user_attr("pruned_at", e)
            self.trial.set_user_attr(
                "checkpoints", {str(k): v for k, v in _curve_checkpoints(self.curve).items()}
            )
            raise _optuna().TrialPruned(
                f"epoch {e}: val MSE {mine:.5f}, a cheaper trial had {min(better):.5f}"
            )


def validate(model: costmodel.CostModel, net: ir.Network, ds) -> tuple[float, float]:
    """(validation MSE of the integer network, predicted instructions per inference),
    both from one integer-reference run over the validation split."""
    from snn2c.quantize import quantize
    from snn2c.reference import normalize, run

    qnet = quantize(net)
    res = run(qnet, normalize(net, ds.x_val))
    y01 = res.outputs[:, 0].astype(np.float64) / V_ONE
    t = (ds.y_val - net.target.offset) / net.target.scale
    mse = float(np.mean((y01 - t) ** 2))
    return mse, model.predict(costmodel.features(qnet, res.spike_counts))


def floor_cost(model: costmodel.CostModel, net: ir.Network) -> float:
    """The structure's instructions with no spikes anywhere: no trained weights make the
    network cheaper than this."""
    from snn2c.quantize import quantize

    qnet = quantize(net)
    return model.predict(costmodel.features(qnet, np.zeros((1, len(qnet.layers) + 1))))


def measure_size(net: ir.Network, board: Board) -> tuple[int, int]:
    """(flash, RAM) bytes of the sensor-node image, built for real."""
    from snn2c.build import build

    with tempfile.TemporaryDirectory() as tmp:
        try:
            res = build(net, board, Path(tmp) / "fw", force=False, command="snn2c search")
        except Snn2cError as e:
            if "does not fit" not in str(e):
                raise
            return 2**31 - 1, 2**31 - 1  # infeasible under any limit
    return int(res["flash_bytes"]), int(res["ram_bytes"])


def objective_factory(
    base, board: Board, model: costmodel.CostModel, ds, limits: Limits
) -> Callable[[Any], tuple[float, float, float]]:
    """The function Optuna calls once per trial."""
    from snn2c.train.trainer import train

    def objective(trial) -> tuple[float, float, float]:
        cfg = space.suggest(trial, base)
        trial.set_user_attr("config", _jsonable(dataclasses.asdict(cfg)))
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        study = trial.study
        holder: dict[str, Any] = {}

        def on_start(net0: ir.Network) -> None:
            floor = floor_cost(model, net0)
            trial.set_user_attr("floor_instructions", round(floor, 1))
            holder["pruner"] = _Pruner(trial, study, floor)

        def progress(phase, epoch, total, val):
            if "pruner" in holder:
                holder["pruner"](phase, epoch, total, val)

        try:
            result = train(cfg, progress=progress, on_start=on_start)
            net = result.network
            val_mse, instr = validate(model, net, ds)
            flash, ram = measure_size(net, board)
        except Snn2cError as e:  # the trial fails (Optuna's catch): its one line, kept
            trial.set_user_attr("error", str(e).splitlines()[0][:300] if str(e) else "error")
            raise
        curve = holder["pruner"].curve if "pruner" in holder else []
        trial.set_user_attr(
            "checkpoints", {str(k): v for k, v in _curve_checkpoints(curve).items()}
        )
        trial.set_user_attr("test_r2", result.metrics["quantized"]["r2"])
        trial.set_user_attr("test_mse", result.metrics["quantized"]["mse"])
        trial.set_user_attr("flash", flash)
        trial.set_user_attr("ram", ram)
        # feasible when every constraint value is <= 0
        trial.set_constraint("flash", float(flash - (limits.max_flash or flash)))
        trial.set_constraint("ram", float(ram - (limits.max_ram or ram)))
        trial.set_user_attr("spikes_per_inference", result.spikes_per_inference)
        trial.set_user_attr("model", base64.b64encode(modelfile.dumps(net)).decode("ascii"))
        return val_mse, instr, float(flash)

    return objective


def _jsonable(doc: dict) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in doc.items()}


def trial_network(trial) -> ir.Network:
    return modelfile.loads(base64.b64decode(trial.user_attrs["model"]))
