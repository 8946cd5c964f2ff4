"""snn2c verify DIR --emulator qemu: bit-exact comparison with the reference in an emulator."""

from __future__ import annotations

import argparse
import sys

from snn2c.cli._common import add_json, check_seconds, emit_json, seed_arg
from snn2c.contract import STREAM_EVERY
from snn2c.emulate import verify_qemu, verify_renode
from snn2c.errors import Snn2cError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verify",
        help="run a build in an emulator and compare with the reference",
        description=(
            "Run N input vectors on the emulated board, compare every integer output and "
            "spike count with the numpy reference bit for bit, and count the executed "
            "instructions per inference. Exit status 1 on any mismatch."
        ),
    )
    p.add_argument("dir", help="a folder written by `snn2c build`")
    p.add_argument(
        "--emulator",
        choices=("qemu", "renode"),
        default="qemu",
        help="QEMU, or Renode where renode and renode-test are on PATH (docs/boards.md)",
    )
    p.add_argument("--vectors", type=int, default=200, help="input vectors")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the random vectors")
    p.add_argument(
        "--count-sample",
        type=int,
        default=6,
        help="inferences whose instructions are counted from a QEMU exec log (0: skip)",
    )
    p.add_argument(
        "--stream",
        type=int,
        default=None,
        metavar="N",
        help="streaming models (QEMU): also push a generated stream of N samples "
        "(1..10^7) and compare the running hash of every output and spike count with "
        "the reference's every 10,000 samples (default: no long stream)",
    )
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per emulator run")
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_seconds(args.timeout)
    extra = {}
    if args.stream is not None:
        if args.emulator != "qemu":
            raise Snn2cError("--stream: the long stream runs in QEMU (--emulator qemu)")
        extra = {"stream": args.stream, "progress": _progress(args)}
    verify = verify_renode if args.emulator == "renode" else verify_qemu
    res = verify(
        args.dir,
        vectors=args.vectors,
        seed=args.seed,
        count_sample=args.count_sample,
        timeout=args.timeout,
        **extra,
    )
    long = res.get("stream") or {}
    long_ok = not long or (long["mismatches"] == 0 and long["exit_code"] == 0)
    not_run = res.get("not_run", 0)
    ok = res["mismatches"] == 0 and not not_run and res.get("exit_code", 0) == 0 and long_ok
    if args.json:
        emit_json(res)
    else:
        name = "QEMU" if args.emulator == "qemu" else "Renode"
        print(
            f"{res['board']} on {name} {res['machine']}: {res['vectors']} vectors + "
            f"{res['float_vectors']} float vectors, {res['mismatches']} mismatches"
            + (f", {not_run} not run (the run stopped before them)" if not_run else "")
        )
        if res["instructions_per_inference"] is not None:
            beside = res.get("qemu_instructions_per_inference")
            print(
                f"  instructions per inference: {res['instructions_per_inference']} "
                f"(min {res['instructions_min']}, max {res['instructions_max']}, "
                f"over {res['instruction_samples']} inferences; executed instructions, not cycles)"
                + (f"; QEMU: {beside} ({res['qemu_count_image']})" if beside is not None else "")
            )
        if long:
            print(
                f"  stream: {long['samples']} samples pushed, {long['checkpoints']} "
                f"checkpoints of the running hash, {long['mismatches']} differing"
            )
        if not ok and res.get("failing_lines"):
            print(
                "  renode-test: " + "\n  renode-test: ".join(res["failing_lines"]), file=sys.stderr
            )
    if not ok:
        if res.get("first_mismatch"):
            print(f"snn2c verify: first mismatch: {res['first_mismatch']}", file=sys.stderr)
        if long.get("first_mismatch"):
            bad = long["first_mismatch"]
            print(
                f"snn2c verify: stream: the first differing checkpoint is after sample "
                f"{bad['sample']} (hash {bad['device']} on the device, {bad['reference']} in "
                f"the reference): a result of the last {min(bad['sample'], STREAM_EVERY)} "
                "samples differs",
                file=sys.stderr,
            )
        if res.get("first_divergence"):
            div = res["first_divergence"]
            print(f"snn2c verify: trace of vector {div['vector']}: {div['text']}", file=sys.stderr)
        return 1
    return 0


def _progress(args: argparse.Namespace):
    """A tqdm bar of the long stream's reference (samples done), on a terminal only."""
    if args.json or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=args.stream, desc="stream reference", unit="sample", leave=False)

    def update(done: int) -> None:
        bar.update(done - bar.n)
        if done >= args.stream:
            bar.close()

    return update
