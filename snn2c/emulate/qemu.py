"""Run a firmware image in QEMU (always under a timeout) and count instructions."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from snn2c.boards import Board
from snn2c.errors import Snn2cError


@dataclass(frozen=True)
class QemuRun:
    returncode: int
    stdout: str
    stderr: str
    command: list[str]


def qemu_command(board: Board, elf: Path, *, exec_log: Path | None = None) -> list[str]:
    q = board.qemu
    if q is None:
        raise Snn2cError(f"board '{board.name}' has no QEMU machine (see snn2c boards)")
    binary = shutil.which(q.binary)
    if binary is None:
        raise Snn2cError(
            f"{q.binary} not found: install it with `apt-get install --no-install-recommends {q.apt}`"
        )
    cmd = [binary, "-M", q.machine, "-display", "none", "-monitor", "none", *q.args]
    cmd += ["-semihosting-config", "enable=on,target=native"]
    if exec_log is not None:
        # one translation block per instruction, every execution logged
        cmd += ["-singlestep", "-d", "exec,nochain", "-D", str(exec_log)]
    cmd += ["-kernel", str(elf)]
    return cmd


def run_qemu(
    board: Board, elf: Path, *, timeout: float = 60.0, exec_log: Path | None = None
) -> QemuRun:
    cmd = qemu_command(board, elf, exec_log=exec_log)
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        tail = out.strip().splitlines()[-1:] or ["<no output>"]
        raise Snn2cError(
            f"QEMU {board.qemu.machine if board.qemu else '?'} did not finish within {timeout:g} s "
            f"(last output: {tail[0]!r})"
        ) from None
    return QemuRun(
        proc.returncode,
        proc.stdout.decode(errors="replace"),
        proc.stderr.decode(errors="replace"),
        cmd,
    )


def count_windows(
    log: Path, entry: int, stop: tuple[int, int], *more_stops: tuple[int, int]
) -> list[int]:
    """Executed instructions per call, from a `-singlestep -d exec,nochain` log.

    A window opens when the PC reaches `entry` (the first instruction of
    snn_model_infer) and closes at the first PC inside `stop` = [lo, hi) or one of
    `more_stops`: the functions the call returns to. On Arm and RV32 the harness's
    call is a tail call, so it returns to main; GCC 12 makes no sibling calls for
    the Xtensa call0 ABI, so on the lx106 it returns to snn2c_harness_infer, whose
    epilogue is not the model's. Every instruction in between is counted, the
    callee's return and its callees (kernels, libgcc helpers) included.
    """
    counts: list[int] = []
    ranges = (stop, *more_stops)
    inside = False
    n = 0
    with open(log, "rb") as f:
        for line in f:
            if not line.startswith(b"Trace"):
                continue
            try:
                fields = line[line.index(b"[") + 1 : line.index(b"]")].split(b"/")
                pc = int(fields[1], 16)
            except (ValueError, IndexError):
                continue
            if inside:
                if any(lo <= pc < hi for lo, hi in ranges):
                    counts.append(n)
                    inside = False
                else:
                    n += 1
            elif pc == entry:
                inside = True
                n = 1
    return counts
