"""Helpers shared by the CLI commands: the option sets every command declares alike
(--json, -o/--output, --force, the model positional), the one JSON writer, and the
conversions of option values.

Each option set is declared here once, so that the same option means and says the
same thing in every command's --help; a command calls the helper where the option
sits in its list, which keeps each command's --help in its own order."""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import sys
from typing import Any

JSON_INDENT = 2  # every JSON document a command prints or writes


def json_text(doc: dict[str, Any]) -> str:
    """One JSON document as the CLI writes it, on stdout or into a file: indented
    alike, keys in the order given, numpy scalars and arrays as plain numbers, one
    final newline."""
    return json.dumps(doc, indent=JSON_INDENT, sort_keys=False, default=_default) + "\n"


def emit_json(doc: dict[str, Any]) -> None:
    """Print one JSON document on stdout (the --json contract)."""
    sys.stdout.write(json_text(doc))


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
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected 0 .. {MAX_SEED}, got {text[:30]}")
    return value


OUTPUT_FLAGS = ("-o", "--output")

# what -o/--output names, by meaning: (metavar, help)
OUTPUTS = {
    "model": ("MODEL", "the .snn model file to write"),
    "graph": ("GRAPH", "the NIR graph file (.nir) to write"),
    "csv": ("CSV", "the predictions CSV file to write"),
    "sources": ("DIR", "folder to write the C sources into"),
    "project": ("DIR", "folder to write the firmware project into"),
    "study": ("DIR", "folder for the study, its front and plot"),
}
# what --force allows, by what the command writes
FORCES = {
    "file": "overwrite an existing output file",
    "files": "overwrite existing files in the output folder",
    "folder": "write into a non-empty output folder",
}


def add_json(p: argparse.ArgumentParser) -> None:
    """--json: one machine-readable document on stdout instead of the human summary."""
    p.add_argument("--json", action="store_true", help="print one JSON document")


def add_model(p: argparse.ArgumentParser) -> None:
    """The positional .snn model a command reads."""
    p.add_argument("model", help="the .snn model file")


def add_output(p: argparse.ArgumentParser, meaning: str) -> None:
    """-o/--output (required), its metavar and help by what it names (OUTPUTS)."""
    metavar, text = OUTPUTS[meaning]
    p.add_argument(*OUTPUT_FLAGS, required=True, metavar=metavar, help=text)


def add_force(p: argparse.ArgumentParser, writes: str) -> None:
    """--force: nothing a user owns is overwritten without it (FORCES[writes])."""
    p.add_argument("--force", action="store_true", help=FORCES[writes])


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


def or_na(v: float | None, spec: str = ".4g") -> str:
    """A metric as text; n/a where it is undefined (None: R2 of a constant target)."""
    return "n/a" if v is None else format(v, spec)
