"""`snn2c predict MODEL --input data.csv -o out.csv`: run the reference on a user's CSV."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np

from snn2c import modelfile
from snn2c.cli._common import add_force, add_json, add_model, add_output, emit_json
from snn2c.csvdata import read_columns
from snn2c.errors import Snn2cError
from snn2c.quantize import load_model
from snn2c.reference import predict


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="predict with the bit-exact integer reference (or the float network)",
        description=(
            "Run a .snn model on the rows of a CSV whose columns are the model's features "
            "(by name) and write one prediction per row. --mode fixed runs the numpy integer "
            "reference, which computes what the device computes bit for bit; --mode float "
            "runs the float network it was trained as."
        ),
    )
    add_model(p)
    p.add_argument("--input", required=True, metavar="CSV", help="CSV with the model's features")
    add_output(p, "csv")
    p.add_argument(
        "--mode",
        choices=("fixed", "float"),
        default="fixed",
        help="fixed: integer reference, what the device computes (default); float: float network",
    )
    add_force(p, "file")
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    qnet = load_model(args.model)
    net = qnet.source
    out = Path(args.output)
    if out.exists() and not args.force:
        raise Snn2cError(f"{out}: already exists (use --force to overwrite)")
    x = read_columns(args.input, net.inputs.names)
    y = predict(qnet, x, mode=args.mode)
    name = net.target.name
    cols = [name] if y.shape[1] == 1 else [f"{name}_{i}" for i in range(y.shape[1])]
    buf = io.StringIO()
    buf.write(",".join(cols) + "\n")
    np.savetxt(buf, y, delimiter=",", fmt="%.9g")
    modelfile.write_atomic(out, buf.getvalue().encode())
    if args.json:
        emit_json(
            {"model": args.model, "rows": int(y.shape[0]), "mode": args.mode, "output": str(out)}
        )
    else:
        print(f"{y.shape[0]} predictions ({args.mode}) written to {out}")
    return 0
