"""snn2c search: hardware-aware search for the smallest accurate network (Optuna)."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
import zlib
from pathlib import Path

from snn2c.cli._common import add_json, add_output, emit_json, json_text, seed_arg
from snn2c.errors import Snn2cError
from snn2c.textsafe import check_name


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "search",
        help="search networks for accuracy against cost on a board",
        description=(
            "Multi-objective search (Optuna) over encoder, layers, widths, steps, neuron "
            "model, weight width, decoder and training hyperparameters, minimising the "
            "integer network's validation MSE, its instructions per inference on the board "
            "(cost model calibrated against QEMU) and its flash. The Pareto front is then "
            "built, verified bit-exact and counted exactly in QEMU, beside an emlearn MLP "
            "front on the same board. Workers on many machines share one study through "
            "--storage postgresql://..."
        ),
    )
    p.add_argument("--dataset", default="friedman1", help="as for snn2c train")
    p.add_argument("--target", metavar="COLUMN", help="target column of a csv:PATH dataset")
    p.add_argument("--samples", type=int, help="samples to generate (friedman1, mackey-glass)")
    p.add_argument("--board", default="nucleo-f401", help="board to cost and build for")
    p.add_argument(
        "--trials", type=int, default=40, help="finished trials in the study (all workers)"
    )
    p.add_argument("--timeout", type=float, help="stop starting trials after this many seconds")
    p.add_argument("--epochs", type=int, default=150, help="most float epochs a trial may train")
    p.add_argument("--max-flash", type=int, help="flash limit in bytes (a constraint)")
    p.add_argument("--max-ram", type=int, help="RAM limit in bytes (a constraint)")
    p.add_argument("--storage", help="Optuna storage URL (default: sqlite in the output folder)")
    p.add_argument("--study", help="study name (default: DATASET-BOARD)")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the sampler and the trials")
    p.add_argument(
        "--heartbeat",
        type=int,
        default=10,
        help="seconds between a worker's heartbeats; a trial silent for 3 of them is failed",
    )
    add_output(p, "study")
    p.add_argument("--worker", action="store_true", help="only run trials (no front at the end)")
    p.add_argument("--no-mlp", action="store_true", help="skip the emlearn MLP front")
    p.add_argument("--vectors", type=int, default=100, help="verify vectors per front member")
    p.add_argument("--pick", metavar="WHERE", help='choose from a finished search: "r2>=0.93"')
    p.add_argument(
        "--by", default="instructions", help="with --pick: instructions, flash, ram, mse or r2"
    )
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from snn2c.search import front

    out = Path(args.output)
    if args.pick:
        chosen = front.pick(front.load_result(out), args.pick, args.by)
        if args.json:
            emit_json(chosen)
        else:
            print(
                f"{chosen['model']}: trial {chosen['trial']}, test R2 {chosen['test_r2']:.4f}, "
                f"{chosen['instructions']} instructions, flash {chosen['flash']} B, RAM {chosen['ram']} B"
            )
        return 0
    _check(args)
    doc = search(args, out)
    if args.json:
        emit_json(doc)
    elif not args.worker:
        _print_table(doc)
    return 0


def _check(args) -> None:
    if args.trials < 1:
        raise Snn2cError("--trials: expected a positive number")
    if args.timeout is not None and not (args.timeout == args.timeout and args.timeout > 0):
        raise Snn2cError("--timeout: expected seconds > 0")
    if not 30 <= args.epochs <= 5000:
        raise Snn2cError("--epochs: expected 30..5000")
    for flag, v in (("--max-flash", args.max_flash), ("--max-ram", args.max_ram)):
        if v is not None and v <= 0:
            raise Snn2cError(f"{flag}: expected bytes > 0")
    if args.study:
        check_name(args.study, "--study")
    if not 1 <= args.heartbeat <= 3600:
        raise Snn2cError("--heartbeat: expected 1..3600 seconds")
    if Path(args.output).is_file():
        raise Snn2cError(f"{args.output}: is a file (expected a folder)")


def search(args, out: Path) -> dict:
    from snn2c.boards import load_board
    from snn2c.search import costmodel, front, study
    from snn2c.train import datasets
    from snn2c.train.trainer import TrainConfig

    board = load_board(args.board)
    model = costmodel.load(board.name)
    base = TrainConfig(
        dataset=args.dataset,
        target=args.target,
        n_samples=args.samples,
        epochs=args.epochs,
        baseline=False,
        seed=args.seed,
    )
    ds = datasets.load(base.dataset, base.seed, base.target, base.n_samples)
    out.mkdir(parents=True, exist_ok=True)
    limits = study.Limits(args.max_flash, args.max_ram)
    name = (
        args.study
        or f"{Path(args.dataset).stem if args.dataset.startswith('csv:') else args.dataset}-{board.name}"
    )
    # workers that start together on one study must not draw the same trials
    salt = zlib.crc32(f"{socket.gethostname()}:{os.getpid()}".encode()) if args.worker else 0
    st = study.open_study(
        study.storage_url(args.storage, out), name, args.seed, args.heartbeat, salt
    )
    optuna = study._optuna()
    t0 = time.time()
    done = sum(t.state.name in ("COMPLETE", "PRUNED") for t in st.get_trials(deepcopy=False))
    bar = TrialProgress(
        enabled=not args.json,
        terminal=sys.stderr.isatty(),
        total=args.trials,
        done=done,
        study=name,
    )
    try:
        st.optimize(
            study.objective_factory(base, board, model, ds, limits),
            timeout=args.timeout,
            catch=(Snn2cError,),
            callbacks=[
                optuna.study.MaxTrialsCallback(
                    args.trials,
                    states=(optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED),
                ),
                bar.update,
            ],
            gc_after_trial=True,
        )
    finally:
        bar.close()
    states = [t.state.name for t in st.get_trials(deepcopy=False)]
    summary = {
        "study": name,
        "board": board.name,
        "dataset": args.dataset,
        "trials": {s: states.count(s) for s in sorted(set(states))},
        "seconds": round(time.time() - t0, 1),
        "cost_model": model.calibration,
    }
    if args.worker:
        return summary
    members = front.feasible_front(st, limits)
    if not members:
        raise Snn2cError(f"study {name}: no finished trial meets the limits yet")
    rows = [front.measure_member(t, board, out, args.vectors) for t in members]
    bad = [r for r in rows if r["verify_mismatches"]]
    if bad:
        raise Snn2cError(
            f"trial {bad[0]['trial']}: {bad[0]['verify_mismatches']} mismatches in QEMU"
        )
    errors = [abs(r["cost_model_error"]) for r in rows if r["cost_model_error"] is not None]
    mlp = (
        []
        if args.no_mlp
        else front.mlp_front(
            ds, study.trial_network(members[0]), board, Path(rows[0]["build"]), args.seed
        )
    )
    doc = {
        **summary,
        "front": rows,
        "cost_model_error_on_front": {
            "mean_abs": round(sum(errors) / len(errors), 4) if errors else None,
            "max_abs": round(max(errors), 4) if errors else None,
        },
        "mlp": mlp,
        "seconds": round(time.time() - t0, 1),
    }
    from snn2c import modelfile

    modelfile.write_atomic(out / front.RESULT, json_text(doc).encode())
    try:
        front.plot(out / "front.png", rows, mlp, f"{args.dataset} on {board.name}")
        doc["plot"] = str(out / "front.png")
    except ImportError:
        doc["plot"] = None
    return doc


def _print_table(doc: dict) -> None:
    t = doc["trials"]
    print(
        f"study {doc['study']}: {', '.join(f'{v} {k.lower()}' for k, v in t.items())}; {doc['seconds']:.0f} s"
    )
    print(f"{'trial':>5} {'test R2':>8} {'instr':>8} {'model':>8} {'flash':>7} {'RAM':>6}  network")
    for r in doc["front"]:
        c = r["config"]
        net = f"{c['encoder']} {'x'.join(map(str, c['hidden']))}-{c['readout']} T={c['steps']} {c['neuron']} s{c['weight_bits']} {c['decoder']}"
        print(
            f"{r['trial']:>5} {r['test_r2']:>8.4f} {r['instructions']:>8} {r['instructions_predicted']:>8} "
            f"{r['flash']:>7} {r['ram']:>6}  {net}"
        )
    e = doc["cost_model_error_on_front"]
    if e["mean_abs"] is not None:
        print(
            f"cost model error on the front: mean {100 * e['mean_abs']:.1f}%, max {100 * e['max_abs']:.1f}%"
        )
    for r in doc["mlp"]:
        if r["on_front"]:
            print(
                f"  MLP {'x'.join(map(str, r['hidden'])):>6}: test R2 {r['test_r2']:.4f}, {r['instructions']} instructions"
            )
    if doc.get("plot"):
        print(f"plot: {doc['plot']}")


class TrialProgress:
    """Progress per trial on stderr (none with --json): one line as each trial ends
    (its state, validation MSE, predicted instructions, flash, or why it was pruned or
    failed) and, on a terminal, a tqdm bar of the finished trials under those lines."""

    def __init__(self, enabled: bool, terminal: bool, total: int, done: int, study: str):
        self.enabled = enabled
        self.total = total
        self.done = done
        self.t0 = time.time()
        self.bar = None
        if not enabled:
            return
        if done >= total:
            self.say(f"search: study {study} already has {done} of {total} finished trials")
            return
        self.say(
            f"search: study {study}, {done} of {total} trials finished; each trial trains "
            "and builds one network (minutes each); a line as each one ends"
        )
        if terminal:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, desc="search", unit="trial")

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        elif self.enabled:
            print(line, file=sys.stderr, flush=True)

    def update(self, study, trial) -> None:
        if not self.enabled:
            return
        state = trial.state.name
        if state in ("COMPLETE", "PRUNED"):
            self.done += 1
        self.say(self.line(trial) + f" [{self.done}/{self.total}, {self._elapsed()}]")
        if self.bar is not None and state in ("COMPLETE", "PRUNED"):
            self.bar.update(1)

    @staticmethod
    def line(trial) -> str:
        state = trial.state.name
        attrs = trial.user_attrs
        if state == "COMPLETE" and trial.values:
            mse, instr, flash = trial.values
            return (
                f"trial {trial.number}: val MSE {mse:.5f}, test R2 {attrs.get('test_r2', 0):.4f}, "
                f"{instr:,.0f} instructions (cost model), flash {flash:,.0f} B"
            )
        if state == "PRUNED":
            at = attrs.get("pruned_at")
            return f"trial {trial.number}: pruned" + (
                f" at epoch {at} (a cheaper trial was more accurate)" if at else ""
            )
        return f"trial {trial.number}: {state.lower()}: {attrs.get('error', 'see the study')}"

    def _elapsed(self) -> str:
        s = int(time.time() - self.t0)
        return f"{s // 60}m{s % 60:02d}s"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
