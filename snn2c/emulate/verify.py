"""snn2c verify: run a build folder's harness in an emulator and compare every
integer it prints with the numpy reference, bit for bit; count instructions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from snn2c.boards import Board
from snn2c.build import harness, project, toolchain
from snn2c.build.harness import inference_symbol
from snn2c.emulate import trace
from snn2c.emulate.qemu import count_windows, run_qemu
from snn2c.errors import Snn2cError
from snn2c.quantize import quantize
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


def _trace_first_bad(root, board, qnet, vec: Vectors, out, prov: str, timeout: float):
    """After a mismatch: the trace image on the first wrong Q12 vector, compared step by
    step with the reference (emulate.trace). None if only float vectors were wrong."""
    wrong = (i for i in range(len(vec.x_q)) if vector_mismatch(vec, out, i, counters=True))
    i = next(wrong, None)
    if i is None:
        return None
    project.write_harness_vectors(root / "out" / "verify" / "trace", _subset(vec, [i]), prov)
    elf = project.compile_image(
        root,
        board,
        "harness-qemu",
        vectors_dir="out/verify/trace",
        elf_name="verify/harness-trace",
        trace=True,
    )
    text = run_qemu(board, elf, timeout=timeout).stdout
    div = trace.first_divergence(qnet, vec.x_q[i], text)
    return {"vector": i, "found": div is not None, **(div or {}), "text": trace.describe(div)}


def _long_stream(
    root: Path, board, qnet, samples: int, prov: str, timeout: float, progress=None
) -> dict:
    """Push `samples` generated samples on the device (the long-stream image,
    firmware/harness_main.c) and compare its running hash at every checkpoint with the
    integer reference's (reference.longstream); the image checks itself too."""
    marks = longstream.reference(qnet, samples, counters=True, progress=progress)
    folder = root / "out" / "verify" / "stream"
    expect = harness.StreamExpect(samples=samples, counters=True, marks=marks)
    project.write_harness_vectors(folder, make_vectors(qnet, 1), prov, stream=expect)
    elf = project.compile_image(
        root,
        board,
        "harness-qemu",
        counters=True,
        vectors_dir="out/verify/stream",
        elf_name="verify/harness-stream",
        stream=True,
    )
    run = run_qemu(board, elf, timeout=max(timeout, samples / 1000.0))
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
    root = Path(root)
    manifest, board, net = open_build(root, vectors)
    if stream is not None:
        if not net.streaming:
            raise Snn2cError(
                f"--stream: model '{net.name}' is not a streaming model "
                "(its state is reset for every inference; there is no stream to push)"
            )
        if not 1 <= stream <= longstream.MAX_SAMPLES:
            raise Snn2cError(
                f"--stream: expected 1..{longstream.MAX_SAMPLES} samples, got {stream}"
            )
    if board.qemu is None:
        raise Snn2cError(
            f"board '{board.name}' has no QEMU machine; boards with one: see `snn2c boards`"
        )
    prov = project.provenance(net, board, f"snn2c verify {root} --emulator qemu")
    work = root / "out" / "verify"
    qnet = quantize(net)
    vec = make_vectors(qnet, vectors, seed=seed)

    # 1. every vector, spike counters on: outputs and counts compared
    project.write_harness_vectors(work / "all", vec, prov)
    elf = project.compile_image(
        root,
        board,
        "harness-qemu",
        counters=True,
        vectors_dir="out/verify/all",
        elf_name="verify/harness-qemu",
    )
    run, out = _run_checked(board, elf, timeout)
    result = compare(vec, out, counters=True)
    # the trace image replays one inference from the reset: not a stream's sample
    traced = bool(result.bad) and not qnet.streaming
    divergence = _trace_first_bad(root, board, qnet, vec, out, prov, timeout) if traced else None

    # 2. a sample, counters off (the deployed code): instructions per inference
    counts: list[int] = []
    if count_sample > 0:
        idx = count_indices(vectors, count_sample, qnet.streaming)
        sample = _subset(vec, idx)
        project.write_harness_vectors(work / "count", sample, prov)
        elf_c = project.compile_image(
            root,
            board,
            "harness-qemu",
            counters=False,
            vectors_dir="out/verify/count",
            elf_name="verify/harness-count",
        )
        log = work / "exec.log"
        try:
            _run_c, out_c = _run_checked(board, elf_c, timeout, exec_log=log)
            syms = toolchain.symbols(board, elf_c)
            entry = syms[inference_symbol(qnet.streaming)][0]
            main_lo, main_sz = syms["main"]
            wrap_lo, wrap_sz = syms["snn2c_harness_infer"]
            counts = count_windows(
                log,
                entry,
                (main_lo, main_lo + max(main_sz, 1)),
                (wrap_lo, wrap_lo + max(wrap_sz, 1)),
            )
        finally:
            log.unlink(missing_ok=True)
        # the sample's vectors are some of the first image's: each counts once
        result = merge(result, compare(sample, out_c, counters=False, rows=idx))
        if len(counts) != len(idx):
            raise Snn2cError(
                f"instruction count: expected {len(idx)} inference windows in the exec log, "
                f"found {len(counts)}"
            )
    long = None
    if stream is not None:
        long = _long_stream(root, board, qnet, stream, prov, timeout, progress)
    sz = toolchain.size(board, elf)
    return {
        "board": board.name,
        "emulator": "qemu",
        "machine": board.qemu.machine if board.qemu else "?",
        "vectors": vectors,
        "float_vectors": len(vec.x_f),
        "mismatches": len(result.bad),
        "not_run": len(result.not_run),
        "first_mismatch": result.first,
        "first_divergence": divergence,
        "device_reported_mismatches": out.device_mismatches,
        "exit_code": run.returncode,
        "instructions_per_inference": int(round(float(np.mean(counts)))) if counts else None,
        "instructions_min": min(counts) if counts else None,
        "instructions_max": max(counts) if counts else None,
        "instruction_samples": len(counts),
        "instruction_count_method": "QEMU -singlestep -d exec,nochain: executed instructions "
        f"from {inference_symbol(qnet.streaming)}'s entry to its return, callees included",
        "elf": str(elf),
        "harness_flash_bytes": sz.flash,
        "model_hash": manifest.get("model_hash"),
        "stream": long,
    }
