"""Helpers shared by the CLI commands: JSON output and model loading."""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import sys
from typing import Any


def emit_json(doc: dict[str, Any]) -> None:
    """Print one JSON document on stdout (the --json contract)."""
    json.dump(doc, sys.stdout, indent=2, sort_keys=False, default=_default)
    sys.stdout.write("\n")


def _default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def check_seconds(value: float, flag: str = "--timeout") -> None:
    """A time limit option: seconds in (0, 86400]; NaN and infinity fail."""
    if not (value == value and 0 < value <= 86400):
        from snn2c.errors import Snn2cError

        raise Snn2cError(f"{flag}: expected seconds in (0, 86400], got {value}")


MAX_SEED = 2**32 - 1  # what every consumer takes (scikit-learn's random_state, numpy, torch)


def seed_arg(text: str) -> int:
    """argparse type of --seed: an integer 0 .. 2^32-1 (a larger one is a usage error,
    not scikit-learn's traceback)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected 0 .. {MAX_SEED}, got {text[:30]}")
    return value


OUTPUT_FLAGS = ("-o", "--output")


def command_line(argv: list[str]) -> str:
    """The command as typed (main's argv), for provenance headers, with the output folder
    shown as OUT: the same command into another folder writes the same bytes."""
    out = []
    hide = False
    for w in argv:
        if hide:
            out.append("OUT")
            hide = False
        elif w in OUTPUT_FLAGS:
            out.append(w)
            hide = True
        elif w.startswith("--output="):
            out.append("--output=OUT")
        elif w.startswith("-o") and len(w) > 2 and not w.startswith("--"):
            out.append("-oOUT")
        else:
            out.append(w)
    return " ".join(["snn2c", *(shlex.quote(w) for w in out)])


def options_to(
    config_type, args: argparse.Namespace, renamed: dict[str, str] | None = None, **given
):
    """A config dataclass from the parsed options: each field takes the option of its
    name (or of renamed[field]) when the parser has one; `given` sets the others.
    One place instead of a field-by-field copy per command."""
    renamed = renamed or {}
    values = {}
    for f in dataclasses.fields(config_type):
        option = renamed.get(f.name, f.name)
        if hasattr(args, option):
            values[f.name] = getattr(args, option)
    return config_type(**{**values, **given})
