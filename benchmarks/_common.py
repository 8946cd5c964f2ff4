"""Shared helpers of the benchmark scripts (benchmarks/target_cost.py, host_speed.py).

Every system is measured the same way, with snn2c's own build and emulator code:

* compiled by `snn2c.build.toolchain.link_image` (the board's flags plus
  snn2c's: picolibc, -O2, -ffp-contract=off, --gc-sections), with the start-up
  code, UART driver, semihosting exit and linker script of an `snn2c build`
  folder (its QEMU variant), into an image whose `main` is rendered from
  benchmarks/templates/bench_main.c.j2;
* run in QEMU by `snn2c.emulate.qemu.run_qemu`; instructions counted by
  `count_windows` from `-singlestep -d exec,nochain`: from the first instruction
  of `bench_infer` (raw float sensor vector in, [0, 1]-scaled prediction out)
  to the first instruction back in `main`, callees (libm, libgcc) included;
* sized from the ELF symbol table (`readelf -s`, the sizes `nm -S` prints):
  the symbols that the image has and the same image built with BENCH_NULL=1
  (inference call removed, everything else identical) lacks. Functions and
  const objects count as flash, .data as flash and RAM, .bss as RAM. The stack
  (a fixed 4 KiB reserve in every image) is not included.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from snn2c import __version__  # noqa: E402
from snn2c.boards import Board  # noqa: E402
from snn2c.build import project, toolchain  # noqa: E402
from snn2c.codegen.generator import environment as codegen_environment  # noqa: E402
from snn2c.emulate.qemu import count_windows, run_qemu  # noqa: E402
from snn2c.errors import Snn2cError  # noqa: E402
from snn2c.scoring import regression_metrics  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "templates"
RESULTS = Path(__file__).resolve().parent / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
KERNEL_SOURCES = ("src/snn_model.c", "src/snn_kernels.c", "harness/harness_main.c")
C_SOURCES = Path(__file__).resolve().parent / "c"  # the benchmark's own C (int8 kernels)
ADC_BITS = 12  # input path (b): 12-bit ADC counts
ADC_MAX = (1 << ADC_BITS) - 1


def adc_counts(low, high, x: np.ndarray) -> np.ndarray:
    """Features as 12-bit ADC readings over the training split's per-feature range
    (the trainer's input_spec): clip(round((x - low) / (high - low) * 4095), 0, 4095)."""
    low = np.asarray(low, dtype=np.float64)
    high = np.asarray(high, dtype=np.float64)
    u = (np.asarray(x, dtype=np.float64) - low) / (high - low)
    # rounding half up, as snn2c.train.datasets.as_adc_counts (snn2c train --adc-bits)
    return np.clip(np.floor(u * ADC_MAX + 0.5), 0, ADC_MAX).astype(np.int64)


def environment() -> jinja2.Environment:
    """Jinja for benchmarks/templates, set up as snn2c's own (codegen.environment)."""
    return codegen_environment(TEMPLATES)


def float_bits(x: np.ndarray) -> np.ndarray:
    """float32 bit patterns (uint32) of an array."""
    return np.ascontiguousarray(np.asarray(x, dtype=np.float32)).view(np.uint32)


def bits_to_float(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.uint32).view(np.float32).astype(np.float64)


def render_harness(
    folder: Path,
    system: str,
    x_raw: np.ndarray,
    n_outputs: int,
    headers: list[str],
    *,
    provenance: str,
) -> Path:
    """Write bench_main.c (the embedded vectors and the call of one system) into folder.

    x_raw: float sensor vectors (input path a), or integer readings (path b:
    bench_infer then takes int32 ADC counts)."""
    raw_inputs = np.issubdtype(np.asarray(x_raw).dtype, np.integer)
    if raw_inputs:
        x_bits = [[str(int(v)) for v in row] for row in np.asarray(x_raw)]
    else:
        x_bits = [[f"0x{int(b):08X}u" for b in row] for row in float_bits(x_raw)]
    text = (
        environment()
        .get_template("bench_main.c.j2")
        .render(
            provenance=provenance,
            system=system,
            int_outputs=system.startswith("snn2c"),
            headers=headers,
            n_vectors=len(x_raw),
            n_inputs=x_raw.shape[1],
            n_outputs=n_outputs,
            x_bits=x_bits,
            raw_inputs=raw_inputs,
            adc_max=ADC_MAX,
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench_main.c"
    path.write_text(text)
    return path


def runtime_sources(build_dir: Path, board: Board) -> list[Path]:
    """Start-up, UART and exit code of the QEMU image of an `snn2c build` folder."""
    return [
        build_dir / s
        for s in project.image_sources(board, "harness-qemu")
        if s not in KERNEL_SOURCES
    ]


def compile_bench(
    build_dir: Path,
    board: Board,
    sources: list[Path],
    include_dirs: list[Path],
    elf: Path,
    *,
    null: bool = False,
    defines: dict[str, str] | None = None,
) -> Path:
    """Link one benchmark image for the board's QEMU machine (snn2c's flags and runtime)."""
    toolchain.link_image(
        board,
        [*runtime_sources(build_dir, board), *sources],
        include_dirs=[build_dir / "config/emu", *include_dirs, build_dir / "src"],
        linker_script=build_dir / "ld/qemu.ld",
        elf=elf,
        defines={
            "BENCH_NULL": "1" if null else "0",
            "SNN_MODEL_COUNT_SPIKES": "0",
            **(defines or {}),
        },
    )
    return elf


def parse_bench(stdout: str, n_outputs: int, as_float: bool) -> np.ndarray:
    rows: dict[int, list[int]] = {}
    complete = False
    for line in stdout.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "B":
            rows[int(words[1])] = [int(w) for w in words[2:]]
        elif words[0] == "BENCH" and words[1] == "END":
            complete = True
    if not complete:
        tail = (stdout.strip().splitlines() or ["<none>"])[-1]
        raise Snn2cError(f"benchmark harness did not finish (last line {tail!r})")
    out = np.zeros((len(rows), n_outputs))
    for i in range(len(rows)):
        vals = rows[i]
        if len(vals) != n_outputs:
            raise Snn2cError(f"vector {i}: expected {n_outputs} outputs, got {vals}")
        out[i] = bits_to_float(vals) if as_float else np.asarray(vals, dtype=np.float64)
    return out


def run_outputs(board: Board, elf: Path, n_outputs: int, as_float: bool, timeout=300.0):
    run = run_qemu(board, elf, timeout=timeout)
    if run.returncode != 0:
        raise Snn2cError(f"{elf.name}: QEMU exit {run.returncode}: {run.stderr.strip()[-400:]}")
    return parse_bench(run.stdout, n_outputs, as_float)


def count_instructions(
    board: Board, elf: Path, n_vectors: int, timeout=600.0, profile: bool = False
) -> tuple[list[int], dict[str, int]]:
    """Executed instructions of each bench_infer call (snn2c's exec-log method).

    With profile=True also the instructions per function inside the windows,
    summed over all calls (the function whose symbol range holds the PC).
    """
    log = elf.with_suffix(".exec.log")
    try:
        run = run_qemu(board, elf, timeout=timeout, exec_log=log)
        if run.returncode != 0:
            raise Snn2cError(f"{elf.name}: QEMU exit {run.returncode}")
        syms = toolchain.symbols(board, elf)
        entry = syms["bench_infer"][0]
        lo, sz = syms["main"]
        counts = count_windows(log, entry, (lo, lo + max(sz, 1)))
        per_function = _profile(log, entry, (lo, lo + max(sz, 1)), board, elf) if profile else {}
    finally:
        log.unlink(missing_ok=True)
    if len(counts) != n_vectors:
        raise Snn2cError(f"{elf.name}: {len(counts)} inference windows, expected {n_vectors}")
    return counts, per_function


# kernels that run inline inside snn2c's functions: their instructions are counted as
# theirs, by the debug info's inline chain (addr2line -i), not as their caller's
INLINE_KERNELS = ("snn_dense", "snn_encode", "snn_lif_count", "snn_fold_output", "snn_normalize")


def _profile(log: Path, entry: int, stop: tuple[int, int], board: Board, elf: Path):
    """Instructions per function within the same windows count_windows uses: the
    function whose symbol range holds the PC, or the inline kernel it belongs to."""
    funcs = sorted(
        (addr & ~1, size, name)
        for name, (kind, _sec, size, addr) in _functions(board, elf).items()
        if kind == "FUNC"
    )
    starts = np.array([f[0] for f in funcs])
    per_pc: dict[int, int] = {}
    lo, hi = stop
    inside = False
    with open(log, "rb") as f:
        for line in f:
            if not line.startswith(b"Trace"):
                continue
            try:
                pc = int(line[line.index(b"[") + 1 : line.index(b"]")].split(b"/")[1], 16)
            except (ValueError, IndexError):
                continue
            if inside and lo <= pc < hi:
                inside = False
                continue
            if not inside and pc == entry:
                inside = True
            if inside:
                per_pc[pc] = per_pc.get(pc, 0) + 1
    chains = _inline_chains(board, elf, sorted(per_pc))
    hits: dict[str, int] = {}
    for pc, n in per_pc.items():
        k = int(np.searchsorted(starts, pc, side="right")) - 1
        name = funcs[k][2] if k >= 0 and pc < funcs[k][0] + funcs[k][1] else "?"
        chain = chains.get(pc, [])
        # a chain whose outermost function is not the symbol at the PC is the debug info
        # of code --gc-sections removed (its addresses reset to 0, where some flash is)
        if chain and chain[-1] == name:
            name = next((f for f in reversed(chain) if f.startswith(INLINE_KERNELS)), name)
        hits[name] = hits.get(name, 0) + n
    return dict(sorted(hits.items(), key=lambda kv: -kv[1]))


def _inline_chains(board: Board, elf: Path, pcs: list[int]) -> dict[int, list[str]]:
    """For each PC, the functions of its inline chain in the debug info, innermost first
    (addr2line -i); the outermost is the function the code was compiled in."""
    if not pcs:
        return {}
    tool = toolchain.require_tool(board, "addr2line")
    out = subprocess.run(
        [tool, "-a", "-f", "-i", "-e", str(elf), *(f"{pc:#x}" for pc in pcs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    chains: dict[int, list[str]] = {}
    pc, at = None, 0
    for line in out:  # per address: its line, then (function, file:line) per inline level
        if line.startswith("0x"):
            pc, at = int(line, 16), 0
            chains[pc] = []
        elif pc is not None:
            if at % 2 == 0:
                chains[pc].append(line.strip())
            at += 1
    return chains


def _functions(board: Board, elf: Path) -> dict[str, tuple[str, str, int, int]]:
    tool = toolchain.require_tool(board, "readelf")
    out = subprocess.run([tool, "-sW", str(elf)], capture_output=True, text=True, check=True)
    table = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[3] == "FUNC" and parts[2].isdigit():
            table[parts[7]] = ("FUNC", parts[6], int(parts[2]), int(parts[1], 16))
    return table


def symbol_table(board: Board, elf: Path) -> dict[str, tuple[str, str, int]]:
    """name -> (FUNC | OBJECT, section name, size) for every sized symbol (readelf -sW)."""
    tool = toolchain.require_tool(board, "readelf")
    sections: dict[str, str] = {}
    out = subprocess.run([tool, "-SW", str(elf)], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        line = line.replace("[ ", "[")
        parts = line.split()
        if len(parts) > 2 and parts[0].startswith("[") and parts[0].endswith("]"):
            sections[parts[0][1:-1]] = parts[1]
    out = subprocess.run([tool, "-sW", str(elf)], capture_output=True, text=True, check=True)
    table: dict[str, tuple[str, str, int]] = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 8 and parts[3] in ("FUNC", "OBJECT") and parts[2].isdigit():
            size = int(parts[2])
            if size:
                table[parts[7]] = (parts[3], sections.get(parts[6], parts[6]), size)
    return table


@dataclass
class Footprint:
    code: int = 0  # functions (flash)
    rodata: int = 0  # const objects (flash)
    data: int = 0  # initialised variables (flash image + RAM)
    bss: int = 0  # zero-initialised variables (RAM)
    symbols: dict[str, int] = field(default_factory=dict)

    @property
    def flash(self) -> int:
        return self.code + self.rodata + self.data

    @property
    def ram(self) -> int:
        return self.data + self.bss


def footprint(board: Board, elf: Path, null_elf: Path) -> Footprint:
    """Inference code and data: symbols of elf that the BENCH_NULL image lacks.

    The linker script puts .rodata into the .text output section, so code and
    const tables are told apart by the symbol type (FUNC / OBJECT).
    """
    full, base = symbol_table(board, elf), symbol_table(board, null_elf)
    fp = Footprint()
    for name, (kind, section, size) in full.items():
        if base.get(name) == (kind, section, size):
            continue
        if section == ".bss":
            fp.bss += size
        elif section == ".data":
            fp.data += size
        elif kind == "FUNC":
            fp.code += size
        else:
            fp.rodata += size
        fp.symbols[name] = size
    return fp


def regression_scores(y_true01: np.ndarray, y_pred01: np.ndarray) -> dict[str, float]:
    """MSE and R2 on [0, 1]-scaled targets (R2 is invariant to the scaling)."""
    m = regression_metrics(np.reshape(y_true01, -1), np.reshape(y_pred01, -1))
    return {"mse": m["mse"], "r2": m["r2"]}


def machine_info() -> dict[str, str]:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": str(os.cpu_count()),
        "snn2c": __version__,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    for mod in ("numpy", "torch", "snntorch", "sklearn", "emlearn"):
        with contextlib.suppress(Exception):  # optional packages
            info[mod] = __import__(mod).__version__
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm"):
        try:
            out = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
            info[tool] = out.splitlines()[0].strip()
        except (OSError, IndexError):
            pass
    return info


def load_results() -> dict:
    if RESULTS.is_file():
        return json.loads(RESULTS.read_text())
    return {}


def save_results(section: str, payload: dict) -> dict:
    """Replace one script's section of results.json, keep the other's."""
    doc = load_results()
    doc[section] = payload
    if section == "target_cost":
        doc["results"] = payload["rows"]  # the flat table the issue asks for
    RESULTS.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return doc
