"""snn2c verify --emulator renode: the same proof as the QEMU path, in Renode.

Two images, as on QEMU: every vector with the spike counters on (outputs, spike
counts and normalisation compared), and the deployed code (counters off) whose
instructions per inference are counted. Both run in one `renode-test` session
from a generated suite that runs each image from its BEGIN line to its END line
(it does not stop at a differing line, so every vector runs); the UART text
Renode captured is then read by the same parser and compared as QEMU's is:
each vector counted once, a vector a stopped run never reached reported as not
run (tally). Instructions come from hooks at snn_model_infer's entry and at the
return sites of its calls in main, reading the core's executed-instruction
counter; the same counting image is also counted in QEMU where QEMU can run it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.boards import Board
from snn2c.build import harness, project, renode, toolchain
from snn2c.build.harness import inference_symbol
from snn2c.emulate.qemu import run_qemu
from snn2c.emulate.verify import (
    COUNT_SAMPLE,
    Outcome,
    Session,
    compare,
    inference_counts,
    merge,
    run_verify,
)
from snn2c.errors import Snn2cError

WORK = "out/verify/renode"
_SAFE_PATH = re.compile(r"[A-Za-z0-9_./+-]+")  # what Renode's monitor takes unquoted
_COUNT = re.compile(r"SNN2C-COUNT (enter|leave) (\d+)")


_CALL = re.compile(r"\s(bl|blx|jal|jalr|call|call0|callx0)\s")  # a call, not a tail jump


def _return_sites(board: Board, elf: Path, symbol: str) -> list[int]:
    """Where each inference returns to (the same window as emulate.qemu.count_windows):
    right after the call of `symbol` in snn2c_harness_infer where the wrapper calls it
    (Cortex-M0: GCC makes no sibling call there), else right after each call of the
    wrapper in main (it tail-calls `symbol`)."""
    objdump = toolchain.require_tool(board, "objdump")
    text = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", str(elf)], capture_output=True, text=True, check=True
    ).stdout

    def after_calls(function: str, callee: str) -> list[int]:
        body = text.split(f"<{function}>:", 1)[1].split("\n\n", 1)[0].splitlines()
        lines = [ln for ln in body if re.match(r"\s*[0-9a-f]+:", ln)]
        addrs = [int(ln.split(":")[0], 16) for ln in lines]
        return [
            addrs[k + 1]
            for k, ln in enumerate(lines[:-1])
            if f"<{callee}>" in ln and _CALL.search(ln)
        ]

    sites = after_calls("snn2c_harness_infer", symbol) or after_calls("main", "snn2c_harness_infer")
    if not sites:
        raise Snn2cError(f"{elf.name}: no call of snn2c_harness_infer in main")
    return sites


def _renode_counts(log: Path) -> list[int]:
    counts, start = [], None
    for m in _COUNT.finditer(log.read_text(errors="replace")):
        if m.group(1) == "enter":
            start = int(m.group(2))
        elif start is not None:
            counts.append(int(m.group(2)) - start)
            start = None
    return counts


def _check_tools(root: Path) -> str:
    """renode-test's path; both renode-test and the renode it starts must be on PATH."""
    missing = [t for t in ("renode", "renode-test") if shutil.which(t) is None]
    if missing:
        raise Snn2cError(
            f"Renode is not installed ({' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not on PATH): install Renode 1.15 or "
            "later (docs/boards.md) or use --emulator qemu"
        )
    exe = shutil.which("renode-test")
    assert exe is not None
    if not _SAFE_PATH.fullmatch(str(root.resolve())):
        raise Snn2cError(
            f"{root.resolve()}: Renode's monitor cannot take this path (spaces or quotes); "
            "move the build folder to a path of letters, digits and _ . / + -"
        )
    return exe


@dataclass
class RenodeRunner:
    """verify in Renode: both images (spike counters on, and the deployed code whose
    instructions are counted by hooks) in one renode-test session over every vector,
    and the counting image in QEMU beside it where QEMU can run it."""

    name: str = "renode"
    exe: str = ""  # renode-test, found by check()

    def check(self, root: Path, board: Board, net: ir.Network) -> None:
        if board.renode is None:
            raise Snn2cError(
                f"board '{board.name}': Renode has no model of it (see `snn2c boards`)"
            )
        self.exe = _check_tools(root)
        work = root / WORK
        if work.exists():
            shutil.rmtree(work)

    def run(self, s: Session) -> Outcome:
        work = s.root / WORK
        elf_cnt = _write_suite(s, work)
        proc = run_suite(self.exe, work / "verify.robot", work / "results", s.timeout)
        out_all = _parse(work / "uart-all.txt")
        result = tally(s.vec, out_all, _parse(work / "uart-count.txt"))
        counts = _renode_counts(work / "count.log") if (work / "count.log").is_file() else []
        qemu, qemu_note = _qemu_beside(s, elf_cnt)
        failing = _failures(work / "results" / "robot_output.xml") or [
            ln.strip() for ln in proc.stdout.splitlines() if re.search(r"fail|error", ln, re.I)
        ]
        assert s.board.renode is not None  # check() refused the others
        return Outcome(
            machine=s.board.renode.platform or f"generated stand-in ({s.board.renode.standin_cpu})",
            result=result,
            device_mismatches=out_all.device_mismatches,
            exit_code=proc.returncode,
            counts=[counts[i] for i in s.idx if i < len(counts)],
            method="Renode hooks at snn_model_infer's entry and at its return "
            "sites in main, reading the core's ExecutedInstructions",
            tail={
                "qemu_instructions_per_inference": qemu,
                "qemu_count_image": qemu_note,
                "elf": str(elf_cnt),
                "results": str(work / "results"),
                "failing_lines": failing[-20:] if proc.returncode else [],
                "model_hash": s.manifest.get("model_hash"),
            },
        )


def _write_suite(s: Session, work: Path) -> Path:
    """Both images, the platform, the two scripts and the Robot suite under `work`;
    the counting image's path."""
    env = project.environment()
    board, prov = s.board, s.prov
    variant = renode.image_variant(board, verify=True)
    # the image with spike counters (compared), and the deployed code (counted)
    project.write_harness_vectors(work / "all", s.vec, prov)
    project.compile_image(
        s.root,
        board,
        variant,
        counters=True,
        vectors_dir=f"{WORK}/all",
        elf_name="verify/renode/all",
    )
    elf_cnt = project.compile_image(
        s.root,
        board,
        variant,
        counters=False,
        vectors_dir=f"{WORK}/all",
        elf_name="verify/renode/count",
    )
    symbol = inference_symbol(s.net.streaming)
    entry = toolchain.symbols(board, elf_cnt)[symbol][0]
    leave = _return_sites(board, elf_cnt, symbol)
    files = {
        f"{board.name}.repl": renode.platform_text(env, board, prov),
        "all.resc": _resc(env, board, prov, "all"),
        "count.resc": _resc(env, board, prov, "count", [entry], leave),
    }
    layers = len(s.net.layers)
    cases = [
        (
            "Outputs And Spike Counts",
            "all.resc",
            harness.expected_lines(s.vec, layers=layers, counters=True),
            None,
        ),
        (
            "Deployed Code",
            "count.resc",
            harness.expected_lines(s.vec, layers=layers, counters=False),
            "count.log",
        ),
    ]
    files["verify.robot"] = renode.suite_text(env, board, prov, cases, until_end=True)
    for name, text in files.items():
        (work / name).write_text(text)
    return elf_cnt


def _qemu_beside(s: Session, elf_cnt: Path) -> tuple[int | None, str | None]:
    """The counted vectors' instructions per inference in QEMU, and which image QEMU
    ran (the same one, or the one relinked for its machine); (None, None) where QEMU
    has no machine for the board or nothing is counted."""
    board = s.board
    if not s.idx or board.qemu is None:
        return None, None
    assert board.renode is not None
    same = not (board.qemu.relinked and board.renode.image == "board")
    elf_q = elf_cnt
    if not same:  # QEMU's machine needs its relinked image: the same model code elsewhere
        elf_q = project.compile_image(
            s.root,
            board,
            "harness-qemu",
            counters=False,
            vectors_dir=f"{WORK}/all",
            elf_name="verify/renode/qemu",
        )
    log = elf_q.with_suffix(".exec.log")
    try:
        run_qemu(board, elf_q, timeout=s.timeout, exec_log=log)
        counts = inference_counts(board, elf_q, inference_symbol(s.net.streaming), log)
    finally:
        log.unlink(missing_ok=True)
    sample = [counts[i] for i in s.idx if i < len(counts)]
    note = (
        "the same image in QEMU"
        if same
        else f"QEMU {board.qemu.machine} runs the image relinked for its memory map and "
        "UART: the same compiled model code at other addresses"
    )
    return (round(float(np.mean(sample))) if sample else None), note


def verify_renode(
    root: str | Path,
    *,
    vectors: int = 200,
    seed: int = 0,
    count_sample: int = COUNT_SAMPLE,
    timeout: float = 600.0,
) -> dict:
    """verify_qemu's proof in Renode (the module's text): the same skeleton
    (emulate.verify.run_verify) with Renode as its runner."""
    return run_verify(
        root,
        RenodeRunner(),
        vectors=vectors,
        seed=seed,
        count_sample=count_sample,
        timeout=timeout,
    )


def tally(vec, out_all: harness.HarnessOutput, out_cnt: harness.HarnessOutput):
    """Both images' results against the reference, as QEMU's verify counts them: each
    vector once, however many images got it wrong; a vector an image did not reach
    (its run stopped before END) is not run, not a mismatch."""
    return merge(
        compare(vec, out_all, counters=True, stopped_early=not out_all.complete),
        compare(vec, out_cnt, counters=False, stopped_early=not out_cnt.complete),
    )


def run_suite(exe: str, suite: Path, results: Path, timeout: float) -> subprocess.CompletedProcess:
    """renode-test on one suite, its results under the build folder; on a time-out the
    whole process group (Renode itself included) is ended."""
    proc = subprocess.Popen(
        [exe, str(suite), "-r", str(results)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise Snn2cError(f"renode-test did not finish within {timeout:g} s") from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _failures(xml: Path) -> list[str]:
    """The messages of the failed keywords in Robot's output (the real causes)."""
    if not xml.is_file():
        return []
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(xml).getroot()
    except ET.ParseError:
        return []
    out = []
    for msg in root.iter("msg"):
        if msg.get("level") == "FAIL" and msg.text:
            first = msg.text.strip().splitlines()
            line = " ".join(ln.strip() for ln in first[:3])
            if "Save" in line and "snapshots" in line:
                continue  # Renode's failure snapshot, not the cause
            if line not in out:
                out.append(line)
    return out


def _resc(env, board: Board, prov: str, name: str, enter=(), leave=()) -> str:
    return renode.script_text(env, board, prov, f"{name}.elf", enter, leave, f"uart-{name}.txt")


def _parse(path: Path) -> harness.HarnessOutput:
    if not path.is_file():
        return harness.HarnessOutput()
    text = path.read_text(errors="replace")
    # a suite that failed stops the emulation at once, perhaps in the middle of a line
    return harness.parse(text[: text.rfind("\n") + 1])
