"""`snn2c compile MODEL -o DIR`: write the model's C sources."""

from __future__ import annotations

import argparse

from snn2c.cli._common import add_force, add_json, add_model, add_output, command_line, emit_json
from snn2c.codegen import write_sources
from snn2c.quantize import load_model


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compile",
        help="generate C99 sources (snn_model.[ch] + kernels)",
        description=(
            "Quantize a .snn model by the fixed-point contract (docs/fixed-point.md) and write "
            "its C99 sources: snn_model.h (the API), snn_model.c (weights as const tables, "
            "state as static arrays, the call order of the kernels) and the hand-written "
            "kernels it uses. No board, no libc calls, nothing allocated at run time; "
            "`snn2c build` adds the board's firmware around them."
        ),
    )
    add_model(p)
    add_output(p, "sources")
    p.add_argument("--count-spikes", action="store_true", help="enable spike counters by default")
    add_force(p, "files")
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    qnet = load_model(args.model)
    paths = write_sources(
        qnet,
        args.output,
        force=args.force,
        count_spikes=args.count_spikes,
        command=command_line(args.argv),
    )
    if args.json:
        emit_json({"model": args.model, "files": [str(p) for p in paths]})
    else:
        print(f"wrote {len(paths)} files to {args.output}: " + ", ".join(p.name for p in paths))
    return 0
