"""Renode files for a project: the board's platform (.repl, generated from its board
file), a script that loads the harness (.resc) and a test suite (.robot) that
checks every line the harness prints against the numpy reference.

Nothing from a user's path or model reaches these files: the script finds its
files through Renode's $ORIGIN, the suite through Robot's ${CURDIR}, and the
expected lines are integers the reference computed.
"""

from __future__ import annotations

import re
from pathlib import Path

from snn2c import ir, modelfile
from snn2c.boards import Board
from snn2c.build.harness import expected_lines
from snn2c.reference.vectors import Vectors

SUITE_TIMEOUT_S = 120  # the first line waits for Renode's start and the image's boot
LINE_TIMEOUT_S = 15  # each later line (the harness prints them all within a second)
TEST_TIMEOUT_S = 300  # Robot's own limit per test case, in real seconds
_LINE = re.compile(r"[A-Za-z0-9 =:-]+")  # harness lines: no regex or Robot syntax


def image_variant(board: Board, *, verify: bool = False) -> str:
    """The harness image Renode runs: the board's own (for verify: the same, ending with a
    semihosting exit instead of repeating), or QEMU's relinked one (stand-ins that use
    QEMU's memory map and UART)."""
    assert board.renode is not None
    if board.renode.image == "emulator":
        return "harness-qemu"
    return "harness-renode" if verify else "harness-board"


def platform_text(env, board: Board, prov: str) -> str:
    r = board.renode
    assert r is not None
    relinked = r.image == "emulator" and board.qemu is not None
    q = board.qemu
    return env.get_template("renode/board.repl.j2").render(
        provenance=prov,
        board=board,
        r=r,
        cortex_m=board.family == "cortex-m",
        flash_origin=q.flash_origin if relinked and q else board.flash_origin,
        ram_origin=q.ram_origin if relinked and q else board.ram_origin,
        uart_base=q.uart.base if relinked and q else board.uart.base,
        page=_page,
    )


def _page(size: int) -> int:
    """Renode maps memory in 4 KiB pages; the linker script still holds the part's size."""
    return -(-size // 4096) * 4096


def script_text(
    env, board: Board, prov: str, elf: str, enter=(), leave=(), uart_log: str = "uart.txt"
) -> str:
    return env.get_template("renode/board.resc.j2").render(
        provenance=prov,
        board=board,
        r=board.renode,
        elf=elf,
        enter=enter,
        leave=leave,
        uart_log=uart_log,
    )


def suite_text(
    env,
    board: Board,
    prov: str,
    cases: list[tuple[str, str, list[str], str | None]],
    *,
    until_end: bool = False,
) -> str:
    """A suite of (test name, .resc beside it, expected lines, log file or None) cases.
    until_end (snn2c verify's suite): each case waits for the BEGIN line, then for the END
    line however many lines differ, so that every vector runs and is compared in Python
    once; otherwise (the build's suite, for the user's CI) each line must be the
    reference's, and the first that is not fails the case."""
    for _, _, lines, _ in cases:
        bad = [ln for ln in lines if not _LINE.fullmatch(ln)]
        assert not bad, bad
    return env.get_template("renode/board.robot.j2").render(
        provenance=prov,
        board=board,
        r=board.renode,
        cases=cases,
        timeout=SUITE_TIMEOUT_S,
        line_timeout=LINE_TIMEOUT_S,
        test_timeout=TEST_TIMEOUT_S,
        end_timeout=TEST_TIMEOUT_S - 10,
        until_end=until_end,
    )


def write(env, root: Path, board: Board, net: ir.Network, prov: str, vec: Vectors) -> None:
    """renode/<board>.{repl,resc,robot} for the build's own harness vectors."""
    if board.renode is None:
        return
    folder = root / "renode"
    lines = expected_lines(vec, layers=len(net.layers), counters=False)
    files = {
        f"{board.name}.repl": platform_text(env, board, prov),
        f"{board.name}.resc": script_text(env, board, prov, f"../out/{image_variant(board)}.elf"),
        f"{board.name}.robot": suite_text(
            env, board, prov, [("Harness Matches The Reference", f"{board.name}.resc", lines, None)]
        ),
    }
    for name, text in files.items():
        modelfile.write_atomic(folder / name, text.encode())
