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


def _names_default(action: argparse.Action) -> bool:
    """An option whose default is worth printing (not None, not a flag's False)."""
    return not (
        action.default is None
        or action.default is argparse.SUPPRESS
        or isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction))
        or not action.option_strings
    )


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default, unless its text already names one:
    `snn2c train --help` shows them all (argparse's ArgumentDefaultsHelpFormatter, minus
    its "(default: None)" and "(default: False)", with tuples as typed: 64,32)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if not _names_default(action) or "default" in text:
            return action.help
        d = action.default
        shown = ",".join(map(str, d)) if isinstance(d, (tuple, list)) else str(d)
        shown = shown.replace("%", "%%")
        return f"{text} (default: {shown})" if text else f"default: {shown}"


class Parser(argparse.ArgumentParser):
    """snn2c's parser: a usage mistake is one line and exit code 2, as every other mistake
    (argparse's default prints the whole usage block first), and help shows defaults."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        for action in self._actions:  # an option without a help line still shows its default
            if action.help is None and _names_default(action):
                action.help = ""
                action.help = HelpFormatter(self.prog)._get_help_string(action)
        return super().format_help()

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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
