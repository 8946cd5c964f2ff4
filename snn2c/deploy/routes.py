"""The command lines that put an image on a board, one builder per flashing route.

The board file says which routes a board has and the tool's names for it
(OpenOCD config files, the pyOCD target, the esptool chip, the flash address,
the ID register); this module only knows each tool's command-line grammar.
Every command runs in the build folder with relative paths, so no user path
ever lands inside a tool's own script language (OpenOCD's Tcl).

Where the tool can read the part before writing, the route does so first and
refuses a board other than the one the image was built for (`check` steps).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from snn2c.boards import Board
from snn2c.build.platformio import official_env
from snn2c.errors import Snn2cError

# the images of a build folder, relative to it
IMAGES = {"firmware": "out/firmware.elf", "harness": "out/harness-board.elf"}
FLASH_DIR = "out/flash"  # logs and converted images
# routes whose image PlatformIO builds (and sizes) from the project, not snn2c build
PIO_ROUTES = ("platformio", "esptool")


def harness_routes(board: Board) -> tuple[str, ...]:
    """The board's routes that can flash the on-device harness: those that write snn2c's
    own ELF (PlatformIO and esptool write the PlatformIO firmware only)."""
    return tuple(r for r in board.flash.routes if r not in PIO_ROUTES)


def default_monitor_image(board: Board) -> str:
    """What `snn2c monitor` listens to by default: the harness where a route can put it on
    the chip, else (the ESP32 family) the firmware, the only image that can be there."""
    return "harness" if harness_routes(board) else "firmware"


def _no_harness(board: Board, why: str) -> Snn2cError:
    others = harness_routes(board)
    if others:
        return Snn2cError(f"{why}; flash the harness with --via {' or --via '.join(others)}")
    return Snn2cError(
        f"{why}; {board.name} has no route for the harness, which runs in emulation "
        f"(snn2c verify DIR --emulator qemu): flash the firmware (--image firmware)"
    )


# --probe values: serial numbers, unique ids and serial-port paths, nothing a shell
# or Tcl would read as syntax
PROBE_RE = re.compile(r"[A-Za-z0-9._:/-]{1,128}")

# how each tool is installed, for the one-line "not found" error
INSTALL = {
    "openocd": "apt-get install openocd",
    "st-flash": "apt-get install stlink-tools",
    "st-info": "apt-get install stlink-tools",
    "pyocd": "pip install 'snn2c[flash]'",
    "esptool": "pip install 'snn2c[flash]'",
    "pio": "pip install 'snn2c[board]'",
}


@dataclass(frozen=True)
class Step:
    """One command, run in the build folder. `check` reads its output and raises
    Snn2cError when the attached part is not the board's (None: nothing to read)."""

    argv: tuple[str, ...]
    purpose: str
    check: Callable[[str], None] | None = None
    internal: bool = False  # snn2c's own preparation (objcopy), not the flasher


@dataclass(frozen=True)
class Plan:
    board: str
    route: str
    image: str  # "firmware" or "harness"
    files: tuple[str, ...]  # what the steps read, relative to the build folder
    steps: tuple[Step, ...]
    needs_port: bool = False  # the route talks to a serial port (ESP32 bootloader)


def _dev_mismatch(board: Board, found: int) -> Snn2cError:
    dev = board.flash.device_id
    assert dev is not None
    return Snn2cError(
        f"wrong board attached: its ID register 0x{dev.address:08X} reads "
        f"0x{found:03X}, expected 0x{dev.value:03X} ({dev.name}) for {board.name}; "
        "nothing was written"
    )


def _openocd(board: Board, image: str, probe: str | None) -> list[Step]:
    cfg = board.flash.settings["openocd"]
    argv = ["openocd", "-f", cfg["interface"]]
    if probe:
        argv += ["-c", f"adapter serial {probe}"]
    argv += ["-f", cfg["target"], "-c", "init"]
    dev = board.flash.device_id
    if dev:
        # one OpenOCD session: read the ID register, stop before `program` on a mismatch
        argv += [
            "-c",
            f"set id [expr {{[read_memory 0x{dev.address:08X} 32 1] & 0x{dev.mask:X}}}]; "
            f"if {{$id != 0x{dev.value:X}}} {{echo [format {{SNN2C-WRONG-DEVICE 0x%03X}} $id]; "
            "shutdown error}",
        ]
    argv += ["-c", f"program {IMAGES[image]} verify reset exit"]
    return [Step(tuple(argv), f"program {IMAGES[image]} over SWD, verify, reset")]


def _stlink_check(board: Board, probe: str | None) -> Callable[[str], None]:
    dev = board.flash.device_id

    def check(text: str) -> None:
        found = _stlink_programmers(text)
        if not found:
            raise Snn2cError(
                "no probe found: st-info --probe found no ST-LINK; connect "
                f"{board.flash.probe or 'the ST-LINK'} (or name it with --probe)"
            )
        if probe:
            found = [p for p in found if p.get("serial", "").lower() == probe.lower()]
            if not found:
                raise Snn2cError(f"no ST-LINK with serial {probe} attached (see st-info --probe)")
        elif len(found) > 1:
            serials = ", ".join(p.get("serial", "?") for p in found)
            raise Snn2cError(f"{len(found)} ST-LINKs attached ({serials}): choose one with --probe")
        chip = found[0].get("chipid", "")
        if dev and chip:
            value = int(chip, 16) & dev.mask
            if value != dev.value:
                raise _dev_mismatch(board, value)

    return check


def _stlink_programmers(text: str) -> list[dict[str, str]]:
    """st-info --probe's blocks ('serial: ...', 'chipid: 0x0433', ...), one per ST-LINK."""
    blocks: list[dict[str, str]] = []
    for line in text.splitlines():
        key, sep, value = line.strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "serial" or not blocks:
            blocks.append({})
        blocks[-1][key] = value
    return [b for b in blocks if "serial" in b]


def _stlink(board: Board, image: str, probe: str | None) -> list[Step]:
    elf = IMAGES[image]
    binary = f"{FLASH_DIR}/{image}.bin"
    serial = ["--serial", probe] if probe else []
    return [
        Step(
            (board.tool("objcopy"), "-O", "binary", elf, binary),
            f"convert {elf} to a raw binary for st-flash",
            internal=True,
        ),
        Step(
            ("st-info", "--probe"),
            "list the attached ST-LINKs and read the part's chip id",
            check=_stlink_check(board, probe),
        ),
        Step(
            (
                "st-flash",
                *serial,
                "--reset",
                "write",
                binary,
                board.flash.setting("stlink", "address"),
            ),
            f"write {binary} at {board.flash.setting('stlink', 'address')} and reset",
        ),
    ]


_READ32 = re.compile(r"^\s*([0-9a-fA-F]{8}):\s+([0-9a-fA-F]{8})", re.M)


def _pyocd(board: Board, image: str, probe: str | None) -> list[Step]:
    target = board.flash.setting("pyocd", "target")
    conn = ["-W", "-t", target, *(["-u", probe] if probe else [])]

    def has_target(text: str) -> None:
        if not re.search(rf"^\s*{re.escape(target)}\s", text, re.M):
            raise Snn2cError(
                f"pyOCD has no target '{target}' here: install its CMSIS pack once with "
                f"`pyocd pack install {target}` (needs the pack index online), or use --via openocd"
            )

    steps = [Step(("pyocd", "list", "--targets"), f"check that pyOCD knows {target}", has_target)]
    dev = board.flash.device_id
    if dev:

        def check(text: str) -> None:
            m = _READ32.search(text)
            if not m:
                raise Snn2cError(f"pyocd cmd printed no word for read32 0x{dev.address:08X}")
            value = int(m.group(2), 16) & dev.mask
            if value != dev.value:
                raise _dev_mismatch(board, value)

        steps.append(
            Step(
                ("pyocd", "cmd", *conn, "-c", f"read32 0x{dev.address:08X}"),
                "read the part's ID register",
                check,
            )
        )
    steps.append(
        Step(
            ("pyocd", "flash", *conn, "--format", "elf", IMAGES[image]),
            f"program {IMAGES[image]}, verify, reset",
        )
    )
    return steps


def _pio_build_dir(board: Board) -> str:
    return f".pio/build/{official_env(board)}"


def _platformio(board: Board, image: str, probe: str | None) -> list[Step]:
    if image != "firmware":
        raise _no_harness(board, "the PlatformIO project builds the sensor-node firmware only")
    port = ["--upload-port", probe] if probe else []
    return [
        Step(
            ("pio", "run", "-d", ".", "-e", official_env(board), "-t", "upload", *port),
            f"build env {official_env(board)} with {board.platformio['platform']} and upload it",
        )
    ]


def esptool_files(board: Board) -> list[tuple[str, str]]:
    """(offset, file) of the PlatformIO build: on the ESP32 family (ESP-IDF) bootloader,
    partition table and app; on the ESP8266 (Arduino) the one image the ROM boot loader
    reads from flash offset 'app' (0x0: the core's eboot and the app together)."""
    d = _pio_build_dir(board)
    app = board.flash.setting("esptool", "app")
    if app:
        return [(app, f"{d}/firmware.bin")]
    return [
        (board.flash.setting("esptool", "bootloader"), f"{d}/bootloader.bin"),
        ("0x8000", f"{d}/partitions.bin"),
        ("0x10000", f"{d}/firmware.bin"),
    ]


def _esptool(board: Board, image: str, probe: str | None) -> list[Step]:
    if image != "firmware":
        raise _no_harness(
            board,
            f"{board.name}'s harness ELF is a bare-metal image for emulation; on the chip it "
            "needs its vendor start-up and boot image (ESP-IDF, the ESP8266 Arduino core), so only "
            "the PlatformIO firmware is flashed",
        )
    files = [w for off, f in esptool_files(board) for w in (off, f)]
    port = ["--port", probe] if probe else []
    chip = board.flash.setting("esptool", "chip")
    return [
        Step(
            ("esptool", "--chip", chip, *port, "write-flash", *files),
            f"check the chip is an {chip} and write "
            + ("the app" if len(files) == 2 else "bootloader, partition table and app"),
        )
    ]


BUILDERS: dict[str, Callable[[Board, str, str | None], list[Step]]] = {
    "openocd": _openocd,
    "stlink": _stlink,
    "pyocd": _pyocd,
    "platformio": _platformio,
    "esptool": _esptool,
}


def plan(board: Board, route: str | None, image: str, probe: str | None) -> Plan:
    """The steps that flash `image` ("firmware" or "harness") through `route`
    (None: the board's default)."""
    if not board.flash.routes:
        raise Snn2cError(
            f"board '{board.name}' names no flashing route (no 'flash' in its board file)"
        )
    route = route or board.flash.routes[0]
    if route not in board.flash.routes:
        raise Snn2cError(
            f"--via {route}: board '{board.name}' is flashed with {', '.join(board.flash.routes)}"
        )
    if probe is not None and not PROBE_RE.fullmatch(probe):
        raise Snn2cError(
            "--probe: expected a probe serial number or a serial port "
            "(letters, digits and . _ : / -)"
        )
    steps = BUILDERS[route](board, image, probe)
    if route == "esptool":
        files = tuple(f for _, f in esptool_files(board))
    elif route == "platformio":
        files = ("platformio.ini",)
    else:
        files = (IMAGES[image],)
    return Plan(
        board=board.name,
        route=route,
        image=image,
        files=files,
        steps=tuple(steps),
        needs_port=route in PIO_ROUTES and board.family != "cortex-m",
    )
