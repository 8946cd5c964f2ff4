"""Board files (boards/<name>.json): loading and validation.

A board file is data (DESIGN.md): the MCU, core, FPU, clock, memory map, the
UART used for output, compiler flags, the QEMU machine that stands in for it
and the PlatformIO ids. Loading checks every field and raises Snn2cError with
a one-line message naming the file and the field.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snn2c.errors import Snn2cError
from snn2c.resources import data_dir
from snn2c.textsafe import NAME_RE

FAMILIES = ("cortex-m", "riscv", "xtensa", "xtensa-lx106")  # boards/families/<family>.json
# a board file's compiler flags: the target's machine options, nothing that changes
# the language, optimisation, warnings, defines or files of the build (-O0, -Wno-error,
# -DX="*/", -include, -specs=...), and no character a Makefile or shell would read
TARGET_FLAG_RE = re.compile(r"-m[a-z0-9][a-z0-9_.+-]*(=[A-Za-z0-9_.+-]+)?")
APT_RE = re.compile(r"[a-z0-9][a-z0-9+.-]{0,63}")
FLASH_ROUTES = ("openocd", "stlink", "pyocd", "esptool", "platformio")
UART_DRIVERS = (
    "stm32f4",
    "stm32f1",
    "stm32h7",
    "cmsdk",
    "nrf51",
    "ns16550",
    "esp32c3",
    "esp8266",
    "simcall",  # the Xtensa simulator's SYS_write (QEMU sim), no UART
    "esp-idf",
)
# board-file UART driver names that share one C file
_UART_ALIASES = {"stm32": "stm32f4"}


@dataclass(frozen=True)
class Uart:
    driver: str
    base: int
    clock_hz: int
    baud: int = 115200
    name: str = ""


@dataclass(frozen=True)
class Runtime:
    """A core family's own firmware files (boards/families/<family>.json): start-up
    sources, the semihosting exit the emulator images use, the linker script template."""

    startup: tuple[str, ...]
    semihost_exit: str | None
    linker_script: str | None
    headers: tuple[str, ...] = ()  # firmware headers the family's sources include


@functools.cache  # read once per family, not at every use
def family_runtime(family: str) -> Runtime:
    path = data_dir("boards") / "families" / f"{family}.json"
    try:
        doc = json.loads(path.read_text())
        return Runtime(
            startup=tuple(str(s) for s in doc["startup"]),
            semihost_exit=doc["semihost_exit"],
            linker_script=doc["linker_script"],
            headers=tuple(str(s) for s in doc.get("headers", [])),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:  # a broken installation
        raise Snn2cError(f"{path}: not a readable family file ({e})") from None


@dataclass(frozen=True)
class Supply:
    """The part's typical run-mode supply, for energy ESTIMATES (docs/metrics.md): the
    current at the board's clock, code from flash, peripherals off, from its datasheet."""

    run_current_ma: float
    voltage_v: float
    source: str


@dataclass(frozen=True)
class Qemu:
    """How QEMU stands in for a board; memory origins/UART may differ from the board's."""

    binary: str
    apt: str
    machine: str
    args: tuple[str, ...]
    flash_origin: int
    ram_origin: int
    uart: Uart
    fidelity: str
    relinked: bool  # True when the emulator image uses another memory map / UART


@dataclass(frozen=True)
class Renode:
    """How Renode runs the board: Renode's own description of the part (`platform`, with
    its memories resized to the part's and its SVD download dropped) or a generated
    stand-in from Renode's generic blocks (`standin_cpu`, `uart_model`)."""

    uart: str  # the UART peripheral's name in the platform
    fidelity: str
    platform: str | None = None  # a description shipped with Renode
    memory: dict[str, str] = field(default_factory=dict)  # its region -> "flash" | "ram"
    tags: tuple[tuple[str, int, int], ...] = ()  # (name, start, end) silent register ranges
    standin_cpu: str | None = None  # CortexM cpuType, or an RV32 ISA string
    uart_model: str | None = None
    uart_frequency: int | None = None
    image: str = "board"  # "board": the image linked for the board; "emulator": QEMU's

    @property
    def standin(self) -> bool:
        return self.platform is None


@dataclass(frozen=True)
class DeviceId:
    """A read-only ID register that tells the attached part before anything is written."""

    address: int
    mask: int
    value: int
    name: str


@dataclass(frozen=True)
class FlashSpec:
    """How the board's image gets onto it: the routes (first = default), each with the
    tool's target names, the USB ids of its probe/serial bridge and its ID register."""

    routes: tuple[str, ...] = ()
    probe: str = ""
    usb: tuple[str, ...] = ()
    device_id: DeviceId | None = None
    settings: dict[str, dict[str, str]] = field(default_factory=dict)

    def setting(self, route: str, key: str) -> str:
        return self.settings.get(route, {}).get(key, "")


@dataclass(frozen=True)
class Board:
    name: str
    description: str
    mcu: str
    family: str
    core: str
    fpu: str | None
    clock_hz: int
    flash_origin: int
    flash_size: int
    ram_origin: int
    ram_size: int
    uart: Uart
    prefix: str
    apt: tuple[str, ...]
    cflags: tuple[str, ...]
    missing_toolchain: str | None
    qemu: Qemu | None
    renode: Renode | None
    platformio: dict[str, Any]
    flash: FlashSpec = field(default_factory=FlashSpec)
    supply: Supply | None = None
    specs: str = "picolibc.specs"  # gcc --specs: picolibc's, by name or Debian's path
    notes: str = ""
    path: Path = field(default=Path(), compare=False)

    @property
    def runtime(self) -> Runtime:
        return family_runtime(self.family)

    @property
    def buildable_here(self) -> bool:
        """True when the board's cross compiler is one of the Debian ones snn2c drives."""
        return self.missing_toolchain is None

    def tool(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def toolchain_status(self) -> str:
        """'ok', or a one-line reason the image cannot be compiled on this machine."""
        if self.missing_toolchain:
            return f"refused here: no {self.prefix}gcc (PlatformIO only)"
        gcc = self.tool("gcc")
        if shutil.which(gcc) is None:
            return f"{gcc} not found (apt-get install {' '.join(self.apt)})"
        return "ok"

    def emulator_status(self) -> str:
        if self.qemu is None:
            return "none"
        if shutil.which(self.qemu.binary) is None:
            return f"{self.qemu.binary} not found (apt-get install {self.qemu.apt})"
        return "ok"


def _err(path: Path, key: str, expected: str) -> Snn2cError:
    return Snn2cError(f"{path}: field '{key}': expected {expected}")


def _get(doc: dict, key: str, kind: type | tuple, path: Path, prefix: str = "") -> Any:
    if key not in doc:
        raise Snn2cError(f"{path}: missing field '{prefix}{key}'")
    value = doc[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _err(path, prefix + key, name)
    return value


def _addr(value: Any, path: Path, key: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        out = value
    elif isinstance(value, str):
        try:
            out = int(value, 0)
        except ValueError:
            raise _err(path, key, "an address like '0x08000000'") from None
    else:
        raise _err(path, key, "an address like '0x08000000'")
    if not 0 <= out < 2**32:
        raise _err(path, key, "a 32-bit address")
    return out


def _positive(doc: dict, key: str, path: Path, prefix: str) -> int:
    value = _get(doc, key, int, path, prefix)
    if value <= 0:
        raise _err(path, prefix + key, "a positive integer")
    return value


def _opt(doc: dict, key: str, default: Any, kind: type, path: Path, prefix: str) -> Any:
    """An optional field of the given type (ints positive), else its default."""
    if key not in doc:
        return default
    v: Any = doc[key]
    ok = isinstance(v, kind) and not isinstance(v, bool)
    if not ok or (kind is int and not 0 < int(v) < 2**32):
        raise _err(path, prefix + key, "a positive integer" if kind is int else kind.__name__)
    return v


def _uart(doc: Any, path: Path, prefix: str, base: Uart | None = None) -> Uart:
    if not isinstance(doc, dict):
        raise _err(path, prefix.rstrip("."), "an object")
    driver = _opt(doc, "driver", base.driver if base else "", str, path, prefix)
    driver = _UART_ALIASES.get(driver, driver)
    if driver not in UART_DRIVERS:
        raise _err(path, prefix + "driver", f"one of {', '.join(UART_DRIVERS)}")
    return Uart(
        driver=driver,
        base=_addr(doc.get("base", base.base if base else None), path, prefix + "base"),
        clock_hz=_opt(doc, "clock_hz", base.clock_hz if base else 1, int, path, prefix),
        baud=_opt(doc, "baud", base.baud if base else 115200, int, path, prefix),
        name=_opt(doc, "name", base.name if base else "", str, path, prefix),
    )


_USB_RE = re.compile(r"[0-9a-f]{4}:[0-9a-f]{4}")
_SETTING_RE = re.compile(r"[A-Za-z0-9_./-]{1,64}")  # cfg paths, target and chip names


_PERIPHERAL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_MODEL_RE = re.compile(r"[A-Z][A-Za-z0-9]*\.[A-Za-z0-9_]{1,64}")  # UART.STM32_UART
_REPL_RE = re.compile(r"platforms/[A-Za-z0-9_/.-]{1,120}\.repl")


def _renode(doc: Any, path: Path) -> Renode:
    p = "emulator.renode."
    if not isinstance(doc, dict):
        raise _err(path, "emulator.renode", "an object")
    uart = _get(doc, "uart", str, path, p)
    if not _PERIPHERAL_RE.fullmatch(uart):
        raise _err(path, p + "uart", "a peripheral name such as 'usart2'")
    platform = doc.get("platform")
    standin = doc.get("standin")
    if (platform is None) == (standin is None):
        raise _err(path, "emulator.renode", "either 'platform' or 'standin'")
    out: dict[str, Any] = {"uart": uart, "fidelity": _get(doc, "fidelity", str, path, p)}
    if platform is not None:
        if not isinstance(platform, str) or not _REPL_RE.fullmatch(platform) or ".." in platform:
            raise _err(
                path, p + "platform", "a Renode description such as 'platforms/cpus/stm32f4.repl'"
            )
        mem = doc.get("memory", {})
        if not isinstance(mem, dict) or not all(
            isinstance(k, str) and _PERIPHERAL_RE.fullmatch(k) and v in ("flash", "ram")
            for k, v in mem.items()
        ):
            raise _err(path, p + "memory", "an object of region name -> 'flash' or 'ram'")
        tags = []
        raw_tags = doc.get("tags", [])
        if not isinstance(raw_tags, list):
            raise _err(path, p + "tags", "a list of objects")
        for i, t in enumerate(raw_tags):
            q = f"{p}tags[{i}]."
            if not isinstance(t, dict):
                raise _err(path, q.rstrip("."), "an object")
            tname = _get(t, "name", str, path, q)
            if not _PERIPHERAL_RE.fullmatch(tname):
                raise _err(path, q + "name", "a register name (letters, digits, _)")
            tags.append(
                (
                    tname,
                    _addr(t.get("start"), path, q + "start"),
                    _addr(t.get("end"), path, q + "end"),
                )
            )
        out.update(platform=platform, memory=dict(mem), tags=tuple(tags))
    else:
        if not isinstance(standin, dict):
            raise _err(path, p + "standin", "an object")
        cpu = _get(standin, "cpu", str, path, p + "standin.")
        model = _get(standin, "uart_model", str, path, p + "standin.")
        if not re.fullmatch(r"[a-z0-9_-]{1,32}", cpu):
            raise _err(path, p + "standin.cpu", "a cpuType such as 'cortex-m0' or 'rv32imc_zicsr'")
        if not _MODEL_RE.fullmatch(model):
            raise _err(path, p + "standin.uart_model", "a Renode model such as 'UART.NS16550'")
        out.update(
            standin_cpu=cpu,
            uart_model=model,
            uart_frequency=_opt(standin, "uart_frequency", None, int, path, p + "standin."),
        )
    image = doc.get("image", "board")
    if image not in ("board", "emulator"):
        raise _err(path, p + "image", "'board' or 'emulator'")
    out["image"] = image
    return Renode(**out)


def _supply(doc: Any, path: Path) -> Supply:
    if not isinstance(doc, dict):
        raise _err(path, "supply", "an object")
    values = {}
    for key in ("run_current_ma", "voltage_v"):
        v = doc.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1e4:
            raise _err(path, f"supply.{key}", "a positive number")
        values[key] = float(v)
    return Supply(**values, source=_get(doc, "source", str, path, "supply."))


def _flash(doc: Any, path: Path) -> FlashSpec:
    p = "flash."
    if not isinstance(doc, dict):
        raise _err(path, "flash", "an object")
    routes = _get(doc, "routes", list, path, p)
    if not routes or not all(r in FLASH_ROUTES for r in routes) or len(set(routes)) < len(routes):
        raise _err(path, p + "routes", f"a list of distinct routes from {', '.join(FLASH_ROUTES)}")
    usb = doc.get("usb", [])
    if not isinstance(usb, list) or not all(
        isinstance(u, str) and _USB_RE.fullmatch(u) for u in usb
    ):
        raise _err(path, p + "usb", "a list of USB ids like '0483:374b'")
    settings: dict[str, dict[str, str]] = {}
    for route in FLASH_ROUTES:
        sub = doc.get(route, {})
        ok = isinstance(sub, dict) and all(
            isinstance(v, str) and _SETTING_RE.fullmatch(v) for v in sub.values()
        )
        if not ok:
            raise _err(path, p + route, "an object of names (letters, digits, _ . / -)")
        settings[route] = dict(sub)
    dev = None
    if "device_id" in doc:
        d = _get(doc, "device_id", dict, path, p)
        q = p + "device_id."
        dev = DeviceId(
            address=_addr(d.get("address"), path, q + "address"),
            mask=_addr(d.get("mask"), path, q + "mask"),
            value=_addr(d.get("value"), path, q + "value"),
            name=_get(d, "name", str, path, q),
        )
    return FlashSpec(
        routes=tuple(routes),
        probe=_opt(doc, "probe", "", str, path, p),
        usb=tuple(usb),
        device_id=dev,
        settings=settings,
    )


def parse_board(doc: Any, path: Path, *, check_file_name: bool = True) -> Board:
    """Validate one board document; raises Snn2cError naming the file and field."""
    if not isinstance(doc, dict):
        raise Snn2cError(f"{path}: expected a JSON object")
    name = _get(doc, "name", str, path)
    if NAME_RE.fullmatch(name) is None:
        raise _err(path, "name", "1-64 letters, digits and _ . + - (a file name)")
    if check_file_name and name != path.stem:
        raise _err(path, "name", f"'{path.stem}' (the file's name)")
    family = _get(doc, "family", str, path)
    if family not in FAMILIES:
        raise _err(path, "family", f"one of {', '.join(FAMILIES)}")
    fpu = doc.get("fpu")
    if fpu is not None and not isinstance(fpu, str):
        raise _err(path, "fpu", "a string or null")
    mem = _get(doc, "memory", dict, path)
    flash = _get(mem, "flash", dict, path, "memory.")
    ram = _get(mem, "ram", dict, path, "memory.")
    flash_origin = _addr(flash.get("origin"), path, "memory.flash.origin")
    ram_origin = _addr(ram.get("origin"), path, "memory.ram.origin")
    flash_size = _positive(flash, "size", path, "memory.flash.")
    ram_size = _positive(ram, "size", path, "memory.ram.")
    uart = _uart(_get(doc, "uart", dict, path), path, "uart.")
    tc = _get(doc, "toolchain", dict, path)
    cflags = _get(tc, "cflags", list, path, "toolchain.")
    apt = _get(tc, "apt", list, path, "toolchain.")
    if not all(isinstance(f, str) for f in cflags + apt):
        raise _err(path, "toolchain.cflags", "a list of strings")
    for flag in cflags:
        if not TARGET_FLAG_RE.fullmatch(flag):
            raise _err(
                path,
                "toolchain.cflags",
                "target options only (-mcpu=..., -mthumb, -march=..., -mabi=..., -misa-spec=...), "
                f"not {flag[:40]!r}: snn2c sets the language, optimisation, warnings and "
                "defines itself (the instruction counts and the proof depend on them)",
            )
    for pkg in apt:
        if not APT_RE.fullmatch(pkg):
            raise _err(path, "toolchain.apt", f"Debian package names, not {pkg[:40]!r}")
    missing = tc.get("missing")
    if missing is not None and not isinstance(missing, str):
        raise _err(path, "toolchain.missing", "a string or null")
    if not re.fullmatch(r"[A-Za-z0-9_.+-]*", _get(tc, "prefix", str, path, "toolchain.")):
        raise _err(path, "toolchain.prefix", "a tool prefix such as 'arm-none-eabi-'")
    specs = _opt(tc, "specs", "picolibc.specs", str, path, "toolchain.")
    if not re.fullmatch(r"[A-Za-z0-9_./+-]{1,200}\.specs", specs) or ".." in specs:
        raise _err(path, "toolchain.specs", "a gcc specs file such as 'picolibc.specs'")
    if family == "xtensa" and not missing:
        raise _err(path, "toolchain.missing", "the name of the toolchain Debian lacks")

    emu = doc.get("emulator", {})
    if not isinstance(emu, dict):
        raise _err(path, "emulator", "an object")
    qemu = None
    if "qemu" in emu:
        q = _get(emu, "qemu", dict, path, "emulator.")
        p = "emulator.qemu."
        qmem = q.get("memory", {})
        if not isinstance(qmem, dict):
            raise _err(path, p + "memory", "an object")
        qargs = _get(q, "args", list, path, p)
        if not all(isinstance(a, str) for a in qargs):
            raise _err(path, p + "args", "a list of strings")
        quart = _uart(q.get("uart", {}), path, p + "uart.", base=uart)
        qemu = Qemu(
            binary=_get(q, "binary", str, path, p),
            apt=_get(q, "apt", str, path, p),
            machine=_get(q, "machine", str, path, p),
            args=tuple(str(a) for a in qargs),
            flash_origin=_addr(qmem.get("flash", flash.get("origin")), path, p + "memory.flash"),
            ram_origin=_addr(qmem.get("ram", ram.get("origin")), path, p + "memory.ram"),
            uart=quart,
            fidelity=_get(q, "fidelity", str, path, p),
            relinked=bool(qmem) or quart != uart,
        )
    renode = _renode(emu["renode"], path) if "renode" in emu else None
    pio = _get(doc, "platformio", dict, path)
    for key in ("platform", "board"):
        _get(pio, key, str, path, "platformio.")
    return Board(
        name=name,
        description=_get(doc, "description", str, path),
        mcu=_get(doc, "mcu", str, path),
        family=family,
        core=_get(doc, "core", str, path),
        fpu=fpu,
        clock_hz=_positive(doc, "clock_hz", path, ""),
        flash_origin=flash_origin,
        flash_size=flash_size,
        ram_origin=ram_origin,
        ram_size=ram_size,
        uart=uart,
        prefix=_get(tc, "prefix", str, path, "toolchain."),
        apt=tuple(apt),
        cflags=tuple(cflags),
        missing_toolchain=missing,
        qemu=qemu,
        renode=renode,
        platformio=dict(pio),
        flash=_flash(doc["flash"], path) if "flash" in doc else FlashSpec(),
        supply=_supply(doc["supply"], path) if "supply" in doc else None,
        notes=_opt(doc, "notes", "", str, path, ""),
        specs=specs,
        path=path,
    )


def load_board_file(path: str | Path, *, check_file_name: bool = True) -> Board:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Snn2cError(f"{path}: cannot read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise Snn2cError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as e:
        raise Snn2cError(f"{path}: not valid JSON ({e.msg} at line {e.lineno})") from None
    except (ValueError, RecursionError) as e:
        raise Snn2cError(f"{path}: not valid JSON ({e})") from None
    return parse_board(doc, path, check_file_name=check_file_name)


def board_names() -> list[str]:
    return sorted(p.stem for p in data_dir("boards").glob("*.json"))


def all_boards() -> list[Board]:
    return [load_board(n) for n in board_names()]


def load_board(name: str) -> Board:
    """The board called `name`, or a path to a board file; unknown names list the known ones."""
    if name.endswith(".json") or "/" in name:
        return load_board_file(name)
    known = board_names()
    folded = {n.casefold(): n for n in known}.get(name.casefold())  # Nucleo-F401
    if folded is None:
        import difflib

        close = difflib.get_close_matches(name.casefold(), known, n=1, cutoff=0.6)
        guess = f"did you mean '{close[0]}'? " if close else ""
        raise Snn2cError(f"unknown board '{name}' ({guess}known boards: {', '.join(known)})")
    return load_board_file(data_dir("boards") / f"{folded}.json")
