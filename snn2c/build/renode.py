"""Renode files for a project: a .resc platform script and a .robot test suite."""

from __future__ import annotations

from pathlib import Path

from snn2c import ir, modelfile
from snn2c.boards import Board


def write(env, root: Path, board: Board, net: ir.Network, prov: str) -> None:
    if not board.renode:
        return
    from snn2c.build.project import DEFAULT_HARNESS_VECTORS  # noqa: PLC0415

    view = {
        "provenance": prov,
        "board": board,
        "renode": board.renode,
        "n_vectors": DEFAULT_HARNESS_VECTORS,
    }
    for suffix in ("resc", "robot"):
        text = env.get_template(f"renode/board.{suffix}.j2").render(view)
        modelfile.write_atomic(root / "renode" / f"{board.name}.{suffix}", text.encode())
