"""The `snn2c` command line: one module per command, registered below.

Each command prints a short human summary, or with --json one JSON document on
stdout. User mistakes (Snn2cError) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from snn2c import __version__
from snn2c.errors import Snn2cError

# Modules under snn2c.cli, each with register(subparsers) -> None.
COMMAND_MODULES = (
    "compile_cmd",
    "inspect_cmd",
    "predict_cmd",
    "train_cmd",
    "boards_cmd",
    "build_cmd",
    "verify_cmd",
    "flash_cmd",
    "nir_cmd",
    "report_cmd",
    "search_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="snn2c",
        description="Train and compile fixed-point spiking networks for regression on MCUs.",
    )
    parser.add_argument("--version", action="version", version=f"snn2c {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"snn2c.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"snn2c.cli.{name}":
                continue  # command not present in this build
            raise
        module.register(sub)
    return parser


# options whose values may start with "-" (a range such as -1:1)
_DASH_VALUES = ("--input-range",)


def _join_dash_values(argv: list[str]) -> list[str]:
    """["--input-range", "-1:1"] -> ["--input-range=-1:1"], which argparse reads as a value."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in _DASH_VALUES and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    words = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(_join_dash_values(words))
    args.argv = words  # for provenance headers (_common.command_line)
    try:
        return int(args.func(args) or 0)
    except Snn2cError as e:
        print(f"snn2c {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"snn2c {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `snn2c ... | head`: the reader left, exit quietly
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests, wrappers)
        pass


if __name__ == "__main__":
    sys.exit(main())
