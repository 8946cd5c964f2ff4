"""snn2c boards: list the board files with their emulator and build status."""

from __future__ import annotations

import argparse

from snn2c.boards import all_boards
from snn2c.cli._common import emit_json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "boards",
        help="list the supported boards",
        description="List the boards (boards/*.json): core, memory, emulator, build status.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
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
    print(
        f"{'board':15} {'mcu':12} {'core':11} {'flash/RAM KiB':14} {'emulator':19} "
        f"{'renode':25} {'flashed via':11} build"
    )
    for r in rows:
        mem = f"{r['flash_bytes'] // 1024}/{r['ram_bytes'] // 1024}"
        emu = r["emulator"] or "none (PlatformIO only)"
        if r["emulator"] and r["emulator_status"] != "ok":
            emu += " (missing)"
        build = "offline ok" if r["build"] == "ok" else r["build"]
        via = r["flash_routes"][0] if r["flash_routes"] else "-"
        renode = r["renode"] or "not supported"
        if renode.startswith("platforms/"):  # Renode's own, resized to the part (docs/boards.md)
            renode = "from " + renode.rsplit("/", 1)[-1]
        print(
            f"{r['name']:15} {r['mcu']:12} {r['core']:11} {mem:14} {emu:19} {renode:25} "
            f"{via:11} {build}"
        )
    return 0
