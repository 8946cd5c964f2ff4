"""snn2c build MODEL --board NAME -o DIR: firmware project, offline build, size report."""

from __future__ import annotations

import argparse

from snn2c.boards import load_board
from snn2c.build import build
from snn2c.cli._common import add_force, add_json, add_model, add_output, command_line, emit_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "build",
        help="build firmware for a board",
        description=(
            "Write a firmware project for a board (model C, runtime, Makefile, "
            "platformio.ini, Renode scripts), compile it with the Debian cross compiler "
            "and report flash and RAM against the board's capacity."
        ),
    )
    add_model(p)
    p.add_argument(
        "--board", required=True, help="board name (see `snn2c boards`) or a board .json"
    )
    add_output(p, "project")
    add_force(p, "folder")
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    board = load_board(args.board)
    command = command_line(args.argv)
    res = build(args.model, board, args.output, force=args.force, command=command)
    if args.json:
        emit_json(res)
        return 0
    fpct = 100.0 * res["flash_bytes"] / res["flash_capacity"]
    rpct = 100.0 * res["ram_bytes"] / res["ram_capacity"]
    print(f"built {res['elf']} for {res['board']} ({res['mcu']})")
    print(f"  flash {res['flash_bytes']:>8} of {res['flash_capacity']} bytes ({fpct:.1f}%)")
    print(
        f"  RAM   {res['ram_bytes']:>8} of {res['ram_capacity']} bytes ({rpct:.1f}%, "
        f"incl. {res['stack_bytes']} bytes of stack)"
    )
    print(f"  next: snn2c verify {args.output} --emulator qemu")
    return 0
