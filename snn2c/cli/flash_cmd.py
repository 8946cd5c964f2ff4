"""snn2c flash DIR / snn2c monitor DIR: put a build on a board, read its UART back."""

from __future__ import annotations

import argparse
import sys

from snn2c.boards import FLASH_ROUTES
from snn2c.cli._common import add_json, check_seconds, emit_json
from snn2c.deploy import flash, monitor, plan_flash
from snn2c.deploy.flasher import command_lines
from snn2c.errors import Snn2cError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "flash",
        help="flash a build onto a board",
        description=(
            "Flash the image `snn2c build` made onto the board with the board file's "
            "flasher (OpenOCD, st-flash, pyOCD for the Cortex-M boards; PlatformIO or "
            "esptool for the ESP32 family and the ESP8266). Checks the build, the image's "
            "size, the tools and, where the route can read it, the attached part's ID "
            "before writing. "
            "Exit status 2 on any error, with the board left untouched."
        ),
    )
    p.add_argument("dir", help="a folder written by `snn2c build`")
    p.add_argument(
        "--via", choices=FLASH_ROUTES, help="flashing route (default: the board's first)"
    )
    p.add_argument(
        "--image",
        choices=("firmware", "harness"),
        default="firmware",
        help="the sensor-node firmware (default) or the on-device self-test harness",
    )
    p.add_argument(
        "--probe", help="probe serial number (ST-LINK, CMSIS-DAP) or serial port (ESP32)"
    )
    p.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    p.add_argument(
        "--monitor",
        action="store_true",
        help="after flashing, read the UART (harness: the verify verdict)",
    )
    p.add_argument("--port", help="serial port for --monitor (default: found by USB id)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per flasher command")
    add_json(p)
    p.set_defaults(func=run_flash)

    m = subparsers.add_parser(
        "monitor",
        help="read a board's UART (harness: compare with the reference)",
        description=(
            "Read the board's UART. For the harness image, wait for its END line and "
            "compare every printed result with the numpy reference, as `snn2c verify` "
            "does (exit status 1 on any mismatch); for the firmware, print its lines."
        ),
    )
    m.add_argument("dir", help="a folder written by `snn2c build`")
    m.add_argument(
        "--image",
        choices=("firmware", "harness"),
        default=None,
        help="the self-test harness (verdict against the reference) or the sensor-node "
        "firmware (default: harness, or firmware on boards whose harness runs only in "
        "emulation: the ESP32 family)",
    )
    m.add_argument("--port", help="serial port (default: found by the board's USB ids)")
    m.add_argument("--timeout", type=float, default=30.0, help="seconds to listen")
    add_json(m)
    m.set_defaults(func=run_monitor)


def run_flash(args: argparse.Namespace) -> int:
    check_seconds(args.timeout)
    if args.port is not None and not args.monitor:
        raise Snn2cError(
            "--port: the serial port is read only with --monitor (add it); the flasher's "
            "own probe or port is --probe"
        )
    res = plan_flash(args.dir, via=args.via, image=args.image, probe=args.probe)
    if args.dry_run:
        doc = {
            "board": res.plan.board,
            "route": res.plan.route,
            "image": res.plan.image,
            "commands": command_lines(res),
            "missing": list(res.missing),
        }
        if args.json:
            emit_json(doc)
        else:
            print(f"# {res.plan.board}: {res.plan.image} via {res.plan.route} (dry run)")
            for line in doc["commands"]:
                print(line)
            for what in res.missing:
                print(f"# note: {what}", file=sys.stderr)
        return 0
    quiet = args.json
    done = flash(res, timeout=args.timeout, echo=None if quiet else print)
    if not quiet:
        print(
            f"flashed {done['image']} onto {done['board']} via {done['route']} (log: {done['log']})"
        )
    if not args.monitor:
        if quiet:
            emit_json(done)
        return 0
    return _monitor(args, min(args.timeout, 60.0), done)


def _print_verdict(v: dict) -> None:
    if v["image"] != "harness":
        return
    print(f"{v['board']} on {v['port']}: {v['vectors']} vectors, {v['mismatches']} mismatches")
    if v["first_mismatch"]:
        print(f"snn2c: first mismatch: {v['first_mismatch']}", file=sys.stderr)


def run_monitor(args: argparse.Namespace) -> int:
    check_seconds(args.timeout)
    return _monitor(args, args.timeout, None)


def _monitor(args: argparse.Namespace, timeout: float, flashed: dict | None) -> int:
    """Read the board's UART; print the verdict (inside the flash document when flashed)."""
    v = monitor(
        args.dir,
        port=args.port,
        image=args.image,
        timeout=timeout,
        echo=None if args.json else (lambda line: print("  | " + line)),
    )
    if args.json:
        emit_json(v if flashed is None else {**flashed, "monitor": v})
    else:
        _print_verdict(v)
    return 0 if _passed(v) else 1


def _passed(v: dict) -> bool:
    """Firmware: listened. Harness: every value equal, and the board agrees."""
    return v["image"] != "harness" or (
        v["mismatches"] == 0 and v["device_reported_mismatches"] == 0
    )
