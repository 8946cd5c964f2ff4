"""Drive the Debian cross compilers: compile + link one image, size it, list symbols."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from snn2c.boards import Board
from snn2c.errors import Snn2cError

# Same flags in the Makefile and the PlatformIO builder (rendered from these lists).
# What every build of the generated C uses, snn2c's own and the PlatformIO project's:
# the language, the optimisation level the instruction counts are measured at, and no
# fused multiply-adds (normalisation must round as the reference's float32 does).
CODE_CFLAGS = (
    "-std=c99",
    "-O2",  # the inference path is hot: -O2 costs ~8% flash over -Os and saves ~20% instructions
    "-ffp-contract=off",
)
COMMON_CFLAGS = (
    *CODE_CFLAGS,
    "-g",
    "-ffunction-sections",
    "-fdata-sections",
    "-fno-common",
    "-Wall",
    "-Wextra",
    "-Wshadow",
    "-Werror",
)
# snn2c's own images (the project's firmware and harness) are held to these as well;
# images that compile other projects' C (emlearn, the peers in benchmarks/) are not
STRICT_CFLAGS = ("-Wconversion", "-pedantic")
COMMON_LDFLAGS = ("-nostartfiles", "-Wl,--gc-sections")
LIBS = ("-lm",)

_OVERFLOW = re.compile(r"region `(\w+)' overflowed by (\d+) bytes")


@dataclass(frozen=True)
class Size:
    text: int
    data: int
    bss: int

    @property
    def flash(self) -> int:
        return self.text + self.data

    @property
    def ram(self) -> int:
        return self.data + self.bss


def require_tool(board: Board, tool: str) -> str:
    """The full name of a cross tool, or a Snn2cError naming the apt package."""
    if board.missing_toolchain:
        raise Snn2cError(
            f"board '{board.name}' cannot be compiled here: it needs {board.missing_toolchain}; "
            "build the generated PlatformIO project with `pio run` where PlatformIO can "
            f"install the '{board.platformio['platform']}' platform"
        )
    name = board.tool(tool)
    if shutil.which(name) is None:
        raise Snn2cError(
            f"{name} not found: install the cross toolchain with "
            f"`apt-get install --no-install-recommends {' '.join(board.apt)}`"
        )
    return name


def cflags(board: Board) -> list[str]:
    # headers and libc (memcpy, ...) from picolibc: its specs file by name, or by path
    # where the package puts it outside gcc's search path (Debian's lx106 picolibc)
    return [*board.cflags, f"--specs={board.specs}", *COMMON_CFLAGS]


def link_image(
    board: Board,
    sources: list[Path],
    *,
    include_dirs: list[Path],
    linker_script: Path,
    elf: Path,
    defines: dict[str, str] | None = None,
    cwd: Path | None = None,
    strict: bool = False,
) -> None:
    """Compile and link sources into elf in one compiler call.

    With cwd, paths below it are recorded relative to it in the debug info, so
    the same project built in two folders gives byte-identical ELF files. strict adds
    STRICT_CFLAGS (snn2c's own sources only).
    """
    gcc = require_tool(board, "gcc")
    # Every path absolute: the compiler runs in cwd, the caller's paths may be relative.
    sources = [Path(s).resolve() for s in sources]
    include_dirs = [Path(d).resolve() for d in include_dirs]
    linker_script = Path(linker_script).resolve()
    elf = Path(elf).resolve()
    cmd = [gcc, *cflags(board), *(STRICT_CFLAGS if strict else ())]
    if cwd is not None:
        here = Path(cwd).resolve()
        cmd += [f"-ffile-prefix-map={here}=.", f"-Wa,--debug-prefix-map={here}=."]
    cmd += [f"-D{k}={v}" for k, v in (defines or {}).items()]
    cmd += [f"-I{d}" for d in include_dirs]
    cmd += [*COMMON_LDFLAGS, f"-T{linker_script}", f"-Wl,-Map={elf.with_suffix('.map')}"]
    cmd += ["-o", str(elf), *map(str, sources), *LIBS]
    elf.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        over = _OVERFLOW.findall(proc.stderr)
        if over:
            parts = []
            for region, extra in over:
                cap = board.flash_size if region == "FLASH" else board.ram_size
                parts.append(
                    f"{region.lower()} needs {cap + int(extra)} bytes, "
                    f"{board.name} has {cap} (over by {extra})"
                )
            raise Snn2cError(f"the model does not fit {board.name}: {'; '.join(parts)}")
        raise Snn2cError(f"compiling {elf.name} for {board.name} failed:\n{proc.stderr.strip()}")


def size(board: Board, elf: Path) -> Size:
    tool = require_tool(board, "size")
    out = subprocess.run([tool, "-B", str(elf)], capture_output=True, text=True, check=True)
    fields = out.stdout.splitlines()[1].split()
    return Size(int(fields[0]), int(fields[1]), int(fields[2]))


def symbols(board: Board, elf: Path) -> dict[str, tuple[int, int]]:
    """Function and object symbols: name -> (address, size); Thumb bit cleared."""
    tool = require_tool(board, "nm")
    out = subprocess.run(
        [tool, "-S", "--defined-only", str(elf)], capture_output=True, text=True, check=True
    )
    table: dict[str, tuple[int, int]] = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4:
            addr, sz, _kind, name = parts
            table[name] = (int(addr, 16) & ~1, int(sz, 16))
        elif len(parts) == 3:
            addr, _kind, name = parts
            table.setdefault(name, (int(addr, 16) & ~1, 0))
    return table
