"""Locate the data folders (templates/, firmware/, boards/) in a checkout or a wheel.

In a checkout they sit at the repository root beside the package (DESIGN.md's
layout); a wheel carries copies under ``snn2c/_data`` (see setup.py).
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``templates``, ``firmware`` or ``boards``)."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"snn2c installation is missing its '{name}' folder")
