"""snn2c flash: check the build folder, find the tools, run the route's steps and
turn a flasher's failure into one line (no probe, wrong board, missing tool,
image too large), with the tool's whole output kept in out/flash/<route>.log.

Nothing is written to a board before every check that can be made without it has
passed: the build is finished and unchanged, the image exists and fits the
board, the tools are installed, and (where the route can read it) the attached
part's ID register is the board's.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from snn2c import modelfile
from snn2c.boards import Board
from snn2c.build import project, toolchain
from snn2c.deploy import routes
from snn2c.deploy.ports import find_port
from snn2c.errors import Snn2cError

# what each tool prints when no probe or board is attached
_NO_PROBE = re.compile(
    r"open failed|unable to find a matching CMSIS-DAP device|No J-Link device found|"
    r"Couldn't find any ST-Link|Found 0 stlink programmers|No available debug probes|"
    r"No connected debug probes|Could not connect to an Espressif device|"
    r"could not open port|No serial data received|Failed to connect to ESP",
    re.I,
)
_WRONG = re.compile(r"SNN2C-WRONG-DEVICE (0x[0-9A-Fa-f]+)|This chip is (\S+),? not (\S+)")


@dataclass(frozen=True)
class Resolved:
    plan: routes.Plan
    root: Path
    board: Board
    argvs: tuple[tuple[str, ...], ...]  # each step's argv with the tool as it will run
    missing: tuple[str, ...]  # what this machine lacks for the route, one line each


def _tool_path(name: str) -> str | None:
    """A tool on PATH, or installed beside this Python (a virtual environment's bin/)."""
    found = shutil.which(name)
    if found:
        return name
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else None


def _pio_platform_installed(name: str) -> bool:
    core = Path(os.environ.get("PLATFORMIO_CORE_DIR") or Path.home() / ".platformio")
    plats = core / "platforms"
    return plats.is_dir() and any(
        p.name == name or p.name.startswith(name + "@") for p in plats.iterdir()
    )


def _check_image(root: Path, board: Board, plan: routes.Plan, manifest: dict) -> None:
    if plan.route in routes.PIO_ROUTES:
        return  # PlatformIO builds and sizes these images itself
    for rel in plan.files:
        if not (root / rel).is_file():
            raise Snn2cError(f"{root / rel}: not found (run snn2c build again)")
    elf = root / plan.files[0]
    try:
        sz = toolchain.size(board, elf)
    except Snn2cError:
        recorded = manifest["size"]
        flash_b, ram_b = int(recorded["flash_bytes"]), int(recorded["ram_bytes"])
    except subprocess.CalledProcessError:
        raise Snn2cError(f"{elf}: not an ELF image for {board.name}") from None
    else:
        flash_b, ram_b = sz.flash, sz.ram
    if flash_b > board.flash_size or ram_b > board.ram_size:
        raise Snn2cError(
            f"{elf} does not fit {board.name}: flash {flash_b} of {board.flash_size} bytes, "
            f"RAM {ram_b} of {board.ram_size} bytes; nothing was written"
        )


def plan_flash(
    root: str | Path,
    *,
    via: str | None = None,
    image: str = "firmware",
    probe: str | None = None,
) -> Resolved:
    """The checked plan for a build folder: raises Snn2cError on anything that can be
    found wrong without touching the board."""
    root = Path(root)
    manifest, board, net = project.load_project(root)
    plan = routes.plan(board, via, image, probe)
    # a board Debian cannot compile for is flashed from its PlatformIO project
    project.check_finished(root, manifest, net, compiled=plan.route not in routes.PIO_ROUTES)
    _check_image(root, board, plan, manifest)
    argvs = []
    missing = []
    others = [r for r in board.flash.routes if r != plan.route]
    alt = f", or choose another route with --via ({', '.join(others)})" if others else ""
    for step in plan.steps:
        exe = _tool_path(step.argv[0])
        if exe is None:
            tool = step.argv[0]
            missing.append(f"{tool} not found: {routes.INSTALL.get(tool, 'install it')}{alt}")
            exe = tool
        argvs.append((exe, *step.argv[1:]))
    if plan.route == "esptool":
        missing += [
            f"{root / rel}: not found (run `pio run -d {root} -e {routes.official_env(board)}` "
            "first, or use --via platformio)"
            for rel in plan.files
            if not (root / rel).is_file()
        ][:1]
    name = board.platformio["platform"]
    if plan.route == "platformio" and not _pio_platform_installed(name):
        missing.append(
            f"PlatformIO platform '{name}' is not installed: run `pio pkg install -g "
            f"--platform {name}` once (it needs PlatformIO's registry){alt}"
        )
    return Resolved(plan, root, board, tuple(argvs), tuple(dict.fromkeys(missing)))


def command_lines(res: Resolved) -> list[str]:
    """The shell lines a user would type for the same flash, from the build folder."""
    return [f"cd {shlex.quote(str(res.root))}"] + [shlex.join(a) for a in res.argvs]


def _explain(
    res: Resolved, step: routes.Step, proc: subprocess.CompletedProcess, log: Path
) -> Snn2cError:
    text = (proc.stdout or "") + (proc.stderr or "")
    wrong = _WRONG.search(text)
    board = res.board
    if wrong and wrong.group(1):
        return routes._dev_mismatch(board, int(wrong.group(1), 16))
    if wrong:
        return Snn2cError(f"wrong board attached: {wrong.group(0)}; nothing was written")
    nope = _NO_PROBE.search(text)
    if nope:
        what = board.flash.probe or "the board's debug probe"
        return Snn2cError(
            f"no probe found: {step.argv[0]} said {nope.group(0)!r}; connect {what} "
            f"(or name it with --probe); log: {log}"
        )
    errors = [ln.strip() for ln in text.splitlines() if re.search(r"error|fail", ln, re.I)]
    last = (errors or [ln for ln in text.splitlines() if ln.strip()] or ["no output"])[-1]
    return Snn2cError(f"{step.argv[0]} failed (exit {proc.returncode}): {last}; log: {log}")


def flash(res: Resolved, *, timeout: float = 300.0, echo=None) -> dict:
    """Run the plan's steps in order; stops at the first failure (Snn2cError)."""
    if res.missing:
        raise Snn2cError(f"{res.missing[0]}; nothing was written")
    plan = res.plan
    if plan.needs_port and not any(a in ("--port", "--upload-port") for a in res.argvs[-1]):
        # the board's USB bridge must be there before a tool tries every serial port
        port = find_port(res.board, "--probe")
        last = _with_port(plan.route, res.argvs[-1], port)
        res = Resolved(plan, res.root, res.board, (*res.argvs[:-1], last), res.missing)
    flash_dir = res.root / routes.FLASH_DIR
    flash_dir.mkdir(parents=True, exist_ok=True)
    log = flash_dir / f"{plan.route}.log"
    transcript: list[str] = []
    for step, argv in zip(plan.steps, res.argvs, strict=True):
        if echo:
            echo(f"{step.purpose}: {shlex.join(argv)}")
        try:
            proc = subprocess.run(
                list(argv),
                cwd=res.root,
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise Snn2cError(f"{argv[0]} did not finish within {timeout:g} s; log: {log}") from None
        transcript += [
            f"$ {shlex.join(argv)}",
            proc.stdout,
            proc.stderr,
            f"# exit {proc.returncode}",
        ]
        modelfile.write_atomic(log, "\n".join(transcript).encode())
        if proc.returncode != 0:
            raise _explain(res, step, proc, log)
        if step.check:
            try:
                step.check(proc.stdout + proc.stderr)
            except Snn2cError as e:  # what the tool printed is in the log, as for a failure
                raise Snn2cError(f"{e}; log: {log}") from None
    return {
        "board": plan.board,
        "route": plan.route,
        "image": plan.image,
        "commands": command_lines(res),
        "log": str(log),
        "flashed": True,
    }


def _with_port(route: str, argv: tuple[str, ...], port: str) -> tuple[str, ...]:
    if route == "platformio":
        return (*argv, "--upload-port", port)
    i = argv.index("write-flash")
    return (*argv[:i], "--port", port, *argv[i:])
