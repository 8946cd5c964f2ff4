"""snn2c boards: list the board files with their emulator and build status."""

from __future__ import annotations

import argparse

from snn2c.boards import all_boards
from snn2c.cli._common import add_json, emit_json
from snn2c.search import costmodel


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "boards",
        help="list the supported boards",
        description="List the boards (boards/*.json): core, memory, emulator, build status.",
    )
    add_json(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rows: list[dict] = []
    for b in all_boards():
        rows.append(
            {
                "name": b.name,
                "mcu": b.mcu,
                "core": b.core,
                "fpu": b.fpu,
                "clock_hz": b.clock_hz,
                "flash_bytes": b.flash_size,
                "ram_bytes": b.ram_size,
                "emulator": f"qemu {b.qemu.machine}" if b.qemu else None,
                "emulator_status": b.emulator_status(),
                "build": b.toolchain_status(),
                "platformio": f"{b.platformio['platform']}/{b.platformio['board']}",
                "flash_routes": list(b.flash.routes),
                "cost_model": costmodel.path_for(b.name).is_file(),
                "renode": (
                    None
                    if b.renode is None
                    else b.renode.platform or f"stand-in ({b.renode.standin_cpu})"
                ),
            }
        )
    if args.json:
        emit_json({"boards": rows})
        return 0
    header = (
        "board", "mcu", "core", "flash", "RAM", "emulator", "renode", "flashed via",
        "cost model", "build",
    )  # fmt: skip
    table = [header]
    for r in rows:
        emu = r["emulator"] or "none (PlatformIO only)"
        if r["emulator"] and r["emulator_status"] != "ok":
            emu += " (missing)"
        renode = r["renode"] or "not supported"
        if renode.startswith("platforms/"):  # Renode's own, resized to the part (docs/boards.md)
            renode = "from " + renode.rsplit("/", 1)[-1]
        table.append(
            (
                r["name"],
                r["mcu"],
                r["core"],
                size_text(r["flash_bytes"]),
                size_text(r["ram_bytes"]),
                emu,
                renode,
                r["flash_routes"][0] if r["flash_routes"] else "-",
                "yes" if r["cost_model"] else "no",
                "offline ok" if r["build"] == "ok" else r["build"],
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        print(
            "  ".join(f"{cell:{w}}" for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )
    print(
        "cost model: snn2c search can cost networks for that board without building them "
        "(boards/cost-models/, docs/search.md)"
    )
    return 0


def size_text(n: int) -> str:
    """A memory size as a data sheet gives it: whole KiB, or MiB when whole (an image
    region a few bytes short of the part, such as the ESP32-C3's 4 MiB less its 32-byte
    header, counts as the part)."""
    kib = -(-n // 1024)
    if kib >= 1024 and kib % 1024 == 0:
        return f"{kib // 1024} MiB"
    return f"{kib} KiB"
