"""Formatting of numbers and arrays as C initialisers (used as jinja2 filters)."""

from __future__ import annotations

import numpy as np

_PER_LINE = {"int8_t": 16, "uint8_t": 16, "int16_t": 12, "uint16_t": 12, "int32_t": 8}


def c_float(x: float) -> str:
    """A float32 constant that the C compiler reads back to the same bits.

    The model loader only lets finite float32 values through; anything else here is
    an snn2c bug, refused rather than printed as a literal that does not compile.
    """
    with np.errstate(all="ignore"):
        f = np.float32(x)
    if not np.isfinite(f):
        raise ValueError(f"{x!r} is not a finite float32 constant")
    text = np.format_float_scientific(f, unique=True, trim="-") if f != 0 else "0.0"
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


def c_int(value: int, ctype: str) -> str:
    v = int(value)
    if ctype == "int64_t":
        return f"INT64_C({v})"
    if ctype == "int32_t" and v == -(2**31):
        return "INT32_MIN"
    return str(v)


def c_array(values, ctype: str, indent: str = "    ") -> str:
    """Body of an initialiser: values wrapped at a fixed count per line."""
    flat = [c_int(v, ctype) for v in np.asarray(values).reshape(-1)]
    per = _PER_LINE.get(ctype, 4)
    lines = [", ".join(flat[i : i + per]) for i in range(0, len(flat), per)]
    return (",\n" + indent).join(lines)


def c_float_array(values, indent: str = "    ") -> str:
    flat = [c_float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
    lines = [", ".join(flat[i : i + 4]) for i in range(0, len(flat), 4)]
    return (",\n" + indent).join(lines)


COLUMNS = 100  # .clang-format's ColumnLimit


def c_call(indent: int, head: str, args: list, tail: str = ";") -> str:
    """`head(args...)tail` indented as clang-format's LLVM style lays out a call with
    simple arguments: on one line if it fits, else packed line by line aligned after
    the opening parenthesis, or, where that column leaves no room, broken after the
    parenthesis and indented four more. The generated C stays clang-format clean."""
    args = [str(a) for a in args]
    pad = " " * indent
    one = f"{pad}{head}({', '.join(args)}){tail}"
    if len(one) <= COLUMNS:
        return one
    if " = " in head:  # an initialiser: break after "=" if the call then fits one line
        lhs, fn = head.rsplit(" = ", 1)
        rhs = f"{fn}({', '.join(args)}){tail}"
        if indent + 4 + len(rhs) <= COLUMNS:
            return f"{pad}{lhs} =\n{pad}    {rhs}"
    col = indent + len(head) + 1
    widest = max(len(a) for a in args) + len(tail) + 2
    if col + widest > COLUMNS:  # break after "(" and indent by four
        first, col = f"{pad}{head}(", indent + 4
        lines, line = [first], " " * col
    else:
        lines, line = [], f"{pad}{head}("
    start = len(line)
    for i, arg in enumerate(args):
        end = ")" + tail if i == len(args) - 1 else ","
        piece = arg + end
        sep = "" if len(line) == start else " "
        if len(line) + len(sep) + len(piece) > COLUMNS and len(line) > start:
            lines.append(line)
            line, sep = " " * col, ""
            start = col
        line += sep + piece
    lines.append(line)
    return "\n".join(lines)
