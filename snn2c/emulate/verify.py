"""snn2c verify: run a build folder's harness in an emulator and compare every
integer it prints with the numpy reference, bit for bit; count instructions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from snn2c import ir
from snn2c.boards import Board
from snn2c.build import harness, project, toolchain
from snn2c.build.harness import inference_symbol
from snn2c.emulate import trace
from snn2c.emulate.qemu import count_windows, run_qemu
from snn2c.errors import Snn2cError
from snn2c.quantize import QuantizedNetwork, quantize
from snn2c.reference import longstream
from snn2c.reference.vectors import Vectors, in_range_rows, make_vectors

COUNT_SAMPLE = 6  # inferences whose instructions are counted (exec log ~100 B/instruction)


def vector_mismatch(vec: Vectors, out: harness.HarnessOutput, i: int, counters: bool):
    """What is wrong with Q12 vector i's printed results (outputs, then spike counts),
    or None."""
    ref = [int(v) for v in vec.y[i]]
    dev = out.y.get(i)
    if dev is None:
        return "no output printed"
    if dev != ref:
        o = next(k for k in range(len(ref)) if k >= len(dev) or dev[k] != ref[k])
        return f"output {o}: device {dev[o] if o < len(dev) else None}, reference {ref[o]}"
    if counters:
        sref = [int(v) for v in vec.spikes[i]]
        sdev = out.spikes.get(i)
        if sdev != sref:
            return f"spike counts per layer (0 = encoder): device {sdev}, reference {sref}"
    return None


def first_mismatch(vec: Vectors, out: harness.HarnessOutput, counters: bool):
    """(number of mismatching vectors, description of the first one or None)."""
    c = compare(vec, out, counters)
    return len(c.bad), c.first


@dataclass
class Comparison:
    """One image's printed results against the reference, per vector. Keys: ("q", i)
    for Q12 vector i, ("f", j) for float vector j, in the numbering of `vec` (or, with
    `rows`, of the full vector set the subset was drawn from)."""

    bad: set[tuple[str, int]] = field(default_factory=set)
    not_run: set[tuple[str, int]] = field(default_factory=set)
    first: str | None = None
    first_key: tuple[str, int] | None = None


def compare(
    vec: Vectors,
    out: harness.HarnessOutput,
    counters: bool,
    rows: list[int] | None = None,
    stopped_early: bool = False,
) -> Comparison:
    """Every vector's printed results against the reference. stopped_early: the run
    ended before the harness's END line (a time-out, a crash, a failed suite), so a
    vector that printed nothing is `not_run`, not a mismatch; in a run that reached
    END a vector without its line is a mismatch."""
    c = Comparison()
    ended = not stopped_early
    for i in range(len(vec.x_q)):
        key = ("q", rows[i] if rows is not None else i)
        if not ended and (
            out.y.get(i) is None
            or (counters and out.spikes.get(i) is None and out.y[i] == [int(v) for v in vec.y[i]])
        ):  # nothing printed, or its spike line cut off by the stop
            c.not_run.add(key)
            continue
        what = vector_mismatch(vec, out, i, counters)
        if what:
            c.bad.add(key)
            if c.first is None:
                c.first = f"vector {key[1]} x_q={[int(v) for v in vec.x_q[i]]}: {what}"
                c.first_key = key
    for i in range(len(vec.x_f)):
        key = ("f", i)
        if out.fq.get(i) is None and out.fy.get(i) is None and not ended:
            c.not_run.add(key)
            continue
        ref_q = [int(v) for v in vec.fq[i]]
        ref_y = [int(v) for v in vec.fy[i]]
        if out.fq.get(i) != ref_q or out.fy.get(i) != ref_y:
            c.bad.add(key)
            if c.first is None:
                c.first = (
                    f"float vector {i} x={[float(v) for v in vec.x_f[i]]}: snn_model_normalize "
                    f"gave {out.fq.get(i)} (reference {ref_q}), outputs {out.fy.get(i)} "
                    f"(reference {ref_y})"
                )
                c.first_key = key
    return c


def merge(*parts: Comparison) -> Comparison:
    """The comparisons of several images of one verify: a vector counts once, however
    many images got it wrong; one that an image did not run (and none got wrong) is
    not run, since the proof does not cover it; the first mismatch is the
    lowest-numbered vector's (Q12 vectors first)."""
    c = Comparison()
    for p in parts:
        c.bad |= p.bad
        c.not_run |= p.not_run
    c.not_run -= c.bad
    firsts = [p for p in parts if p.first_key is not None]
    if firsts:
        best = min(firsts, key=lambda p: (p.first_key[0] != "q", p.first_key[1]))  # type: ignore[index]
        c.first, c.first_key = best.first, best.first_key
    return c


def count_indices(vectors: int, count_sample: int, streaming: bool = False) -> list[int]:
    """The vectors whose instructions are counted: the first three edge vectors (zero,
    all one, all half) and the random in-range ones; the out-of-range edges are left
    out, since they are not what a sensor normally sends. A streaming model's samples
    depend on all before them, so its count runs a prefix of the stream: as many
    samples as that, the out-of-range edges among them."""
    rows = in_range_rows(vectors)[:count_sample]
    if streaming and rows:
        return list(range(rows[-1] + 1))
    return rows


def _subset(vec: Vectors, idx: list[int]) -> Vectors:
    f = vec.x_q.shape[1]
    return replace(
        vec,
        x_q=vec.x_q[idx],
        y=vec.y[idx],
        spikes=vec.spikes[idx],
        x_f=np.zeros((0, f), np.float32),
        fq=np.zeros((0, f), np.int64),
        fy=np.zeros((0, vec.y.shape[1]), np.int64),
    )


def _run_checked(board: Board, elf: Path, timeout: float, exec_log: Path | None = None):
    run = run_qemu(board, elf, timeout=timeout, exec_log=exec_log)
    out = harness.parse(run.stdout)
    if not out.complete:
        tail = (run.stdout.strip().splitlines() or ["<none>"])[-1]
        raise Snn2cError(
            f"the harness did not finish in QEMU {board.qemu.machine if board.qemu else '?'} (exit {run.returncode}, "
            f"last line {tail!r}{', ' + run.stderr.strip() if run.stderr.strip() else ''})"
        )
    return run, out


def _trace_first_bad(s: Session, out: harness.HarnessOutput):
    """After a mismatch: the trace image on the first wrong Q12 vector, compared step by
    step with the reference (emulate.trace). None if only float vectors were wrong."""
    vec = s.vec
    wrong = (i for i in range(len(vec.x_q)) if vector_mismatch(vec, out, i, counters=True))
    i = next(wrong, None)
    if i is None:
        return None
    project.write_harness_vectors(s.root / "out" / "verify" / "trace", _subset(vec, [i]), s.prov)
    elf = project.compile_image(
        s.root,
        s.board,
        "harness-qemu",
        vectors_dir="out/verify/trace",
        elf_name="verify/harness-trace",
        trace=True,
    )
    text = run_qemu(s.board, elf, timeout=s.timeout).stdout
    div = trace.first_divergence(s.qnet, vec.x_q[i], text)
    return {"vector": i, "found": div is not None, **(div or {}), "text": trace.describe(div)}


def _long_stream(s: Session, samples: int, progress=None) -> dict:
    """Push `samples` generated samples on the device (the long-stream image,
    firmware/harness_main.c) and compare its running hash at every checkpoint with the
    integer reference's (reference.longstream); the image checks itself too."""
    marks = longstream.reference(s.qnet, samples, counters=True, progress=progress)
    folder = s.root / "out" / "verify" / "stream"
    expect = harness.StreamExpect(samples=samples, counters=True, marks=marks)
    project.write_harness_vectors(folder, make_vectors(s.qnet, 1), s.prov, stream=expect)
    elf = project.compile_image(
        s.root,
        s.board,
        "harness-qemu",
        counters=True,
        vectors_dir="out/verify/stream",
        elf_name="verify/harness-stream",
        stream=True,
    )
    run = run_qemu(s.board, elf, timeout=max(s.timeout, samples / 1000.0))
    out = harness.parse_stream(run.stdout)
    if not out.complete:
        tail = (run.stdout.strip().splitlines() or ["<none>"])[-1]
        raise Snn2cError(
            f"the long stream did not finish in QEMU (exit {run.returncode}, "
            f"{len(out.marks)} of {len(marks)} checkpoints, last line {tail!r})"
        )
    bad = [n for n in sorted(marks) if out.marks.get(n) != marks[n]]
    first = None
    if bad:
        first = {"sample": bad[0], "device": out.marks.get(bad[0]), "reference": marks[bad[0]]}
    return {
        "samples": samples,
        "checkpoints": len(marks),
        "mismatches": len(bad),
        "first_mismatch": first,
        "device_reported_mismatches": out.device_mismatches,
        "exit_code": run.returncode,
        "inputs": longstream.DESCRIPTION,
        "hash": longstream.HASH,
    }


def open_build(root: Path, vectors: int):
    """(manifest, board, network) of a finished, unchanged build, for `vectors` vectors."""
    if vectors < 1:
        raise Snn2cError("--vectors: expected a positive number")
    return project.load_project(root, complete=True)


@dataclass(frozen=True)
class Session:
    """What every emulator's verify starts from: the finished build, its quantized
    network, the vectors (make_vectors) and which of them are counted."""

    root: Path
    manifest: dict
    board: Board
    net: ir.Network
    qnet: QuantizedNetwork
    vectors: int
    vec: Vectors
    idx: list[int]  # the vectors whose instructions are counted (count_indices)
    prov: str  # the provenance header of every file written
    timeout: float


@dataclass
class Outcome:
    """What a runner found: every vector compared, its exit, the instructions of the
    counted inferences and how they were counted; `after_first` and `tail` are the
    runner's own fields of the document (after first_mismatch, and at its end)."""

    machine: str
    result: Comparison
    device_mismatches: int | None
    exit_code: int
    counts: list[int]
    method: str
    after_first: dict = field(default_factory=dict)
    tail: dict = field(default_factory=dict)


class Runner(Protocol):
    """One emulator's half of a verify: refuse what it cannot run before anything is
    written (`check`), then build, run and compare the images of a session (`run`)."""

    name: str  # "qemu" or "renode", as --emulator names it

    def check(self, root: Path, board: Board, net: ir.Network) -> None: ...

    def run(self, s: Session) -> Outcome: ...


def run_verify(
    root: str | Path, runner: Runner, *, vectors: int, seed: int, count_sample: int, timeout: float
) -> dict:
    """The verify skeleton shared by every emulator: open the build, let the runner
    check it, draw the vectors, let the runner run them, and write the document."""
    root = Path(root)
    manifest, board, net = open_build(root, vectors)
    runner.check(root, board, net)
    qnet = quantize(net)
    s = Session(
        root=root,
        manifest=manifest,
        board=board,
        net=net,
        qnet=qnet,
        vectors=vectors,
        vec=make_vectors(qnet, vectors, seed=seed),
        idx=count_indices(vectors, count_sample, qnet.streaming) if count_sample > 0 else [],
        prov=project.provenance(net, board, f"snn2c verify {root} --emulator {runner.name}"),
        timeout=timeout,
    )
    o = runner.run(s)
    c = o.counts
    return {
        "board": board.name,
        "emulator": runner.name,
        "machine": o.machine,
        "vectors": vectors,
        "float_vectors": len(s.vec.x_f),
        "mismatches": len(o.result.bad),
        "not_run": len(o.result.not_run),
        "first_mismatch": o.result.first,
        **o.after_first,
        "device_reported_mismatches": o.device_mismatches,
        "exit_code": o.exit_code,
        "instructions_per_inference": round(float(np.mean(c))) if c else None,
        "instructions_min": min(c) if c else None,
        "instructions_max": max(c) if c else None,
        "instruction_samples": len(c),
        "instruction_count_method": o.method,
        **o.tail,
    }


def inference_counts(board: Board, elf: Path, symbol: str, log: Path) -> list[int]:
    """The instructions of each call of `symbol` in QEMU's exec log of an image, from
    its entry to the return into main (or into snn2c_harness_infer, where the M0's
    wrapper makes no tail call)."""
    syms = toolchain.symbols(board, elf)
    main_lo, main_sz = syms["main"]
    wrap_lo, wrap_sz = syms["snn2c_harness_infer"]
    return count_windows(
        log,
        syms[symbol][0],
        (main_lo, main_lo + max(main_sz, 1)),
        (wrap_lo, wrap_lo + max(wrap_sz, 1)),
    )


@dataclass
class QemuRunner:
    """verify in QEMU: the image with spike counters over every vector (compared, and
    traced at its first wrong vector), the deployed code (counters off) over the
    counted sample, and with `stream` the long stream of that many samples
    (`progress` is told how many samples of its reference are done)."""

    stream: int | None = None
    progress: Callable[[int], None] | None = None
    name: str = "qemu"

    def check(self, root: Path, board: Board, net: ir.Network) -> None:
        if self.stream is not None:
            if not net.streaming:
                raise Snn2cError(
                    f"--stream: model '{net.name}' is not a streaming model "
                    "(its state is reset for every inference; there is no stream to push)"
                )
            if not 1 <= self.stream <= longstream.MAX_SAMPLES:
                raise Snn2cError(
                    f"--stream: expected 1..{longstream.MAX_SAMPLES} samples, got {self.stream}"
                )
        if board.qemu is None:
            raise Snn2cError(
                f"board '{board.name}' has no QEMU machine; boards with one: see `snn2c boards`"
            )

    def run(self, s: Session) -> Outcome:
        # 1. every vector, spike counters on: outputs and counts compared
        elf = _harness_image(s, "all", "verify/harness-qemu", s.vec, counters=True)
        run, out = _run_checked(s.board, elf, s.timeout)
        result = compare(s.vec, out, counters=True)
        # the trace image replays one inference from the reset: not a stream's sample
        traced = bool(result.bad) and not s.qnet.streaming
        divergence = _trace_first_bad(s, out) if traced else None
        # 2. a sample, counters off (the deployed code): instructions per inference
        counts: list[int] = []
        if s.idx:
            sampled, counts = _count_sample(s)
            # the sample's vectors are some of the first image's: each counts once
            result = merge(result, sampled)
        long = None
        if self.stream is not None:
            long = _long_stream(s, self.stream, self.progress)
        return Outcome(
            machine=s.board.qemu.machine if s.board.qemu else "?",
            result=result,
            device_mismatches=out.device_mismatches,
            exit_code=run.returncode,
            counts=counts,
            method="QEMU -singlestep -d exec,nochain: executed instructions from "
            f"{inference_symbol(s.qnet.streaming)}'s entry to its return, callees included",
            after_first={"first_divergence": divergence},
            tail={
                "elf": str(elf),
                "harness_flash_bytes": toolchain.size(s.board, elf).flash,
                "model_hash": s.manifest.get("model_hash"),
                "stream": long,
            },
        )


def _count_sample(s: Session) -> tuple[Comparison, list[int]]:
    """The counted vectors on the deployed code (spike counters off), with an exec
    log: their comparison (numbered as in the full set) and instructions per call."""
    sample = _subset(s.vec, s.idx)
    elf = _harness_image(s, "count", "verify/harness-count", sample, counters=False)
    log = s.root / "out" / "verify" / "exec.log"
    try:
        _, out = _run_checked(s.board, elf, s.timeout, exec_log=log)
        counts = inference_counts(s.board, elf, inference_symbol(s.qnet.streaming), log)
    finally:
        log.unlink(missing_ok=True)
    if len(counts) != len(s.idx):
        raise Snn2cError(
            f"instruction count: expected {len(s.idx)} inference windows in the exec log, "
            f"found {len(counts)}"
        )
    return compare(sample, out, counters=False, rows=s.idx), counts


def _harness_image(s: Session, folder: str, elf_name: str, vec: Vectors, counters: bool) -> Path:
    """The QEMU harness image over `vec`, its vectors written to out/verify/<folder>."""
    project.write_harness_vectors(s.root / "out" / "verify" / folder, vec, s.prov)
    return project.compile_image(
        s.root,
        s.board,
        "harness-qemu",
        counters=counters,
        vectors_dir=f"out/verify/{folder}",
        elf_name=elf_name,
    )


def verify_qemu(
    root: str | Path,
    *,
    vectors: int = 200,
    seed: int = 0,
    count_sample: int = COUNT_SAMPLE,
    timeout: float = 120.0,
    stream: int | None = None,
    progress=None,
) -> dict:
    """Every vector on the board's QEMU machine against the reference, instructions per
    inference on a sample; with stream, also the long stream of that many samples
    (progress, if given, is told how many samples of its reference are done)."""
    return run_verify(
        root,
        QemuRunner(stream, progress),
        vectors=vectors,
        seed=seed,
        count_sample=count_sample,
        timeout=timeout,
    )
