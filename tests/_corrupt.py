"""Controls for the emulator suites: an image or a generated source changed in one
place, which every checking path must then reject."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from snn2c.build import toolchain


def corrupt_elf_symbol(board, elf: Path, symbol: str) -> None:
    """Flip every bit of the first byte of a const object in an ELF file."""
    addr, size = toolchain.symbols(board, elf)[symbol]
    assert size > 0
    readelf = toolchain.require_tool(board, "readelf")
    out = subprocess.run(
        [readelf, "-SW", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 6 and parts[0].startswith("[") and parts[0] != "[Nr]":
            vma, off, sz = int(parts[3], 16), int(parts[4], 16), int(parts[5], 16)
            if vma <= addr < vma + sz and parts[2] != "NOBITS":
                data = bytearray(elf.read_bytes())
                data[off + addr - vma] ^= 0xFF
                elf.write_bytes(bytes(data))
                return
    raise AssertionError(f"{symbol} not found in a section of {elf}")


def corrupt_table(project: Path, name: str) -> None:
    """Replace every value w of a const table of the project's generated snn_model.c by
    ~w: -w-1 for a signed type, 2^N-1-w for an unsigned one (layer 0's weights are
    uint16 words), in range of its integer type either way."""
    src = project / "src" / "snn_model.c"
    text = src.read_text()
    head, sep, rest = text.partition(f"{name}[")
    assert sep, name
    ctype = re.search(r"\b(u?)int(\d+)_t\s*$", head)
    assert ctype, head[-80:]
    unsigned, bits = ctype.group(1) == "u", int(ctype.group(2))
    decl, _, tail = rest.partition("{")
    body, _, after = tail.partition("}")

    def flip(m: re.Match) -> str:
        w = int(m.group())
        return str((1 << bits) - 1 - w) if unsigned else str(-w - 1)

    new = re.sub(r"-?\d+", flip, body)
    assert new != body
    src.write_text(head + sep + decl + "{" + new + "}" + after)


def corrupt_layer0_weights(project: Path) -> None:
    """Layer 0's weights corrupted (corrupt_table): every output depends on them."""
    corrupt_table(project, "snn_l0_weight")
