"""Cost on the target, from a folder written by ``snn2c build``.

Measured: flash and RAM (the linked ELF's sections, from ``snn2c build``) and
executed instructions per inference (QEMU, through ``snn2c verify``'s Python
API). Estimated, and labelled so: cycles (instructions x an assumed CPI), time
at the board's clock and energy at a typical datasheet current draw.
"""

from __future__ import annotations

import json
from pathlib import Path

from snn2c.errors import Snn2cError

VOLTAGE = 3.3  # where a board file gives no supply
CPI = 1.0  # cycles per instruction assumed for the estimate


def read_build(build_dir: str | Path) -> dict:
    """Size facts of a build folder (the manifest `snn2c build` writes)."""
    from snn2c.build import MANIFEST, load_project

    root = Path(build_dir)
    manifest, board, _net = load_project(root, complete=True)
    size = manifest.get("size")
    if size is None:
        raise Snn2cError(f"{root / MANIFEST}: no size entry (the build did not finish)")
    return {"manifest": manifest, "board": board, "size": size}


def measure_instructions(build_dir: str | Path, vectors: int = 20, count_sample: int = 3) -> dict:
    """Run `snn2c verify`'s QEMU path; its JSON result (instructions_per_inference, ...)."""
    from snn2c.emulate import verify_qemu

    return verify_qemu(build_dir, vectors=vectors, count_sample=count_sample)


def target_report(
    build_dir: str | Path,
    *,
    verify: dict | None = None,
    run_emulator: bool = True,
    vectors: int = 20,
    current_ma: float | None = None,
    voltage: float | None = None,
    cpi: float = CPI,
) -> dict:
    """The ``target`` document: measured sizes and instructions, estimated time and energy."""
    info = read_build(build_dir)
    board, size = info["board"], info["size"]
    doc: dict = {
        "board": board.name,
        "mcu": board.mcu,
        "core": board.core,
        "clock_hz": board.clock_hz,
        "elf": str(Path(build_dir) / size["elf"]) if size.get("elf") else None,
        "flash_bytes": size.get("flash_bytes"),
        "ram_bytes": size.get("ram_bytes"),
        "flash_capacity": size.get("flash_capacity"),
        "ram_capacity": size.get("ram_capacity"),
        "measured": ["flash_bytes", "ram_bytes"],
    }
    note = None
    if verify is None and run_emulator:
        if board.qemu is None:
            note = f"board '{board.name}' has no QEMU machine: instructions not measured"
        else:
            try:
                verify = measure_instructions(build_dir, vectors=vectors)
            except Snn2cError as e:
                note = f"emulator run failed: {e}"
    elif verify is None:
        note = "emulator not run (--no-emulator)"
    instr = verify.get("instructions_per_inference") if verify else None
    if verify:
        doc["emulator"] = {
            k: verify.get(k)
            for k in ("emulator", "machine", "vectors", "mismatches", "instruction_count_method")
        }
    doc["instructions_per_inference"] = instr
    if instr is not None:
        doc["measured"].append("instructions_per_inference")
    doc["estimate"] = estimate(board, instr, current_ma=current_ma, voltage=voltage, cpi=cpi)
    if note:
        doc["note"] = note
    return doc


def estimate(
    board, instr: float | None, *, current_ma: float | None, voltage: float | None, cpi: float
) -> dict:
    """Cycles, time and energy of `instr` instructions on the board: an ESTIMATE. The
    current and voltage are the board file's typical supply unless given."""
    supply = board.supply
    if current_ma is None:
        current_ma, source = (supply.run_current_ma, supply.source) if supply else (None, None)
    else:
        source = "--current-ma"
    if voltage is None:
        voltage = supply.voltage_v if supply else VOLTAGE
    est: dict = {
        "label": "ESTIMATE: cycles = instructions x CPI (assumed), time = cycles / clock, "
        "energy = V x I x time at a typical datasheet run current; not measured",
        "cpi": cpi,
        "voltage_v": voltage,
        "current_ma": current_ma,
        "current_source": source,
    }
    if instr is not None:
        cycles = instr * cpi
        seconds = cycles / board.clock_hz
        est["cycles"] = cycles
        est["time_us"] = seconds * 1e6
        if current_ma is not None:
            est["energy_uj"] = voltage * current_ma * 1e-3 * seconds * 1e6
            est["energy_pj"] = est["energy_uj"] * 1e6
    return est


def load_verify_json(path: str | Path) -> dict:
    """A saved `snn2c verify --json` document, to reuse instead of rerunning QEMU."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise Snn2cError(f"{path}: not a readable `snn2c verify --json` document ({e})") from None
