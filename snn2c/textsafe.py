"""Text from a model file, a CSV header, a NIR graph or a command line, made safe for
every file snn2c generates (C, make, ini, CMake, Renode, Robot, JSON).

Names that identify a model are validated (``check_name``); free text (input names,
target name and units, the command line in provenance headers) only ever appears
inside comments, reduced by ``comment`` to one line of printable ASCII that cannot
end or nest a C comment, continue a make comment onto the next line, or form a C
trigraph. JSON strings are written with ``tojson``.
"""

from __future__ import annotations

import re

from snn2c.errors import Snn2cError

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")
COMMENT_LIMIT = 300


def check_name(name: str, where: str) -> str:
    """A model name: 1-64 letters, digits and _ . + -, starting with a letter or digit."""
    if not isinstance(name, str) or NAME_RE.fullmatch(name) is None:
        raise Snn2cError(
            f"{where}: expected a name of 1-64 letters, digits and _ . + - "
            f"(starting with a letter or digit), got {name!r}"
        )
    return name


def safe_name(text: str, fallback: str = "model") -> str:
    """A valid name derived from any text (for defaults such as a CSV file's stem)."""
    s = re.sub(r"[^A-Za-z0-9_.+-]+", "_", str(text)).strip("_.+-")[:64]
    return s if s and NAME_RE.fullmatch(s) else fallback


def one_line(text: object, limit: int = COMMENT_LIMIT) -> str:
    """Printable ASCII on one line: whitespace controls become spaces, every other
    character outside printable ASCII a \\uXXXX escape; at most `limit` characters."""
    out = []
    for ch in str(text):
        o = ord(ch)
        if 32 <= o < 127:
            out.append(ch)
        elif ch in "\t\n\v\f\r":
            out.append(" ")
        else:
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    s = "".join(out)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def comment(text: object) -> str:
    """One line safe inside a C block comment and a #- or ;-comment of make, ini,
    CMake, Renode and Robot files."""
    s = one_line(text)
    s = s.replace("*/", "* /").replace("/*", "/ *").replace("??", "? ?")
    return s.rstrip("\\ ")
