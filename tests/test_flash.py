"""snn2c flash / monitor: the flasher command lines for every board and route, the
one-line errors with the real tools installed and no probe attached, the ID
checks that stop a write to the wrong part, and the UART monitor's verdict (over
a pseudo-terminal, fed by QEMU running the very image that would be flashed)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from snn2c import modelfile
from snn2c.boards import all_boards, load_board
from snn2c.build import build
from snn2c.build.platformio import official_env
from snn2c.cli import main
from snn2c.deploy import routes
from snn2c.errors import Snn2cError
from snn2c.netgen import random_network

ROUTES = [(b.name, r) for b in all_boards() for r in b.flash.routes]


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """One build folder per board (the Xtensa one stops after writing its project)."""
    root = tmp_path_factory.mktemp("flash")
    model = root / "m.snn"
    modelfile.save(random_network(3, n_features=3, hidden=(8,)), model)
    out = {}
    for b in all_boards():
        out[b.name] = root / b.name
        try:
            build(model, b, out[b.name], force=False, command="snn2c build")
        except Snn2cError as e:
            assert not b.buildable_here, e
    return out


def _dry(capsys, folder, *extra) -> dict:
    assert main(["flash", str(folder), "--dry-run", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def _openocd_scripts() -> Path:
    exe = shutil.which("openocd")
    assert exe, "openocd not installed (scripts/setup.sh installs it)"
    return Path(os.path.realpath(exe)).parent.parent / "share" / "openocd" / "scripts"


@pytest.mark.parametrize("image", ["firmware", "harness"])
@pytest.mark.parametrize(("name", "route"), ROUTES)
def test_dry_run_commands(capsys, tmp_path, builds, name, route, image):
    board = load_board(name)
    if image == "harness" and route in ("platformio", "esptool"):
        err = _error(capsys, ["flash", str(builds[name]), "--via", route, "--image", image])
        assert "firmware only" in err or "only the PlatformIO firmware" in err
        return
    doc = _dry(capsys, builds[name], "--via", route, "--image", image)
    assert doc["route"] == route and doc["board"] == name
    cd, *lines = doc["commands"]
    assert cd == f"cd {builds[name]}"
    last = lines[-1].split()
    elf = routes.IMAGES[image]
    tool = Path(last[0]).name
    if route == "openocd":
        assert tool == "openocd"
        cfg = board.flash.settings["openocd"]
        scripts = _openocd_scripts()
        for f in (cfg["interface"], cfg["target"]):
            assert (scripts / f).is_file(), f"{f} is no OpenOCD config file"
        assert lines[-1].endswith(f"'program {elf} verify reset exit'")
        dev = board.flash.device_id
        if dev:
            assert f"read_memory 0x{dev.address:08X} 32 1" in lines[-1]
            assert f"$id != 0x{dev.value:X}" in lines[-1]
    elif route == "stlink":
        objcopy, probe, write = lines
        assert objcopy.split()[:3] == [board.tool("objcopy"), "-O", "binary"]
        assert Path(probe.split()[0]).name == "st-info"
        # the write address is the board's flash origin, from its memory map
        assert write.split()[-2:] == [f"out/flash/{image}.bin", f"0x{board.flash_origin:08X}"]
    elif route == "pyocd":
        target = board.flash.setting("pyocd", "target")
        assert tool == "pyocd" and last[-1] == elf and ["-t", target] == last[3:5]
    elif route == "platformio":
        env = official_env(board)
        assert last[1:] == ["run", "-d", ".", "-e", env, "-t", "upload"]
        assert f"[env:{env}]" in (builds[name] / "platformio.ini").read_text()
    else:
        assert tool == "esptool" and last[1:3] == ["--chip", board.flash.setting("esptool", "chip")]
        env = official_env(board)
        pairs = list(zip(last[4::2], last[5::2], strict=True))
        assert all(f.startswith(f".pio/build/{env}/") for _, f in pairs)
        if name == "esp8266":  # the Arduino core's one image (eboot + app) at 0x0
            assert pairs == [("0x0", f".pio/build/{env}/firmware.bin")]
        else:
            assert [Path(f).name for _, f in pairs] == [
                "bootloader.bin",
                "partitions.bin",
                "firmware.bin",
            ]
            # ESP-IDF's second-stage bootloader offset: 0x1000 on the ESP32, 0x0 on the C3
            assert pairs[0][0] == ("0x1000" if name == "esp32" else "0x0")
        _esptool_accepts(last[1:], tmp_path)


def _esptool_accepts(args: list[str], tmp: Path) -> None:
    """The installed esptool's own parser takes the command: run in a folder that has
    the files it names, on a port that does not exist, it gets as far as opening the
    port (a command it cannot parse stops earlier, with its usage)."""
    exe = Path(sys.executable).parent / "esptool"
    if not exe.is_file():
        return  # the [flash] extra is not installed: the argument check cannot be made
    for f in args[4::2]:
        (tmp / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp / f).write_bytes(bytes(4096))
    argv = [str(exe), *args[:2], "--port", "/dev/snn2c-none", *args[2:]]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp)
    text = proc.stdout + proc.stderr
    assert "Usage:" not in text and "could not open port /dev/snn2c-none" in text, text


def test_every_board_names_a_route_and_its_probe():
    for b in all_boards():
        assert b.flash.routes and b.flash.probe and b.flash.usb, b.name
        if b.family == "cortex-m":
            assert b.flash.routes[0] in ("openocd", "pyocd")


def test_dry_run_with_probe(capsys, builds):
    doc = _dry(capsys, builds["nucleo-f401"], "--probe", "066DFF485550755187121729")
    assert (
        "-c 'adapter serial 066DFF485550755187121729' -f target/stm32f4x.cfg" in doc["commands"][1]
    )
    doc = _dry(capsys, builds["nucleo-f401"], "--via", "stlink", "--probe", "0670FF48")
    assert doc["commands"][-1].split()[1:3] == ["--serial", "0670FF48"]
    doc = _dry(capsys, builds["esp32-c3"], "--probe", "/dev/ttyUSB0")
    assert doc["commands"][-1].endswith("--upload-port /dev/ttyUSB0")


@pytest.mark.parametrize("probe", ["a b", "x;rm -rf /", "{shutdown}", "$(id)", "[exit]", ""])
def test_probe_ids_cannot_carry_syntax(capsys, builds, probe):
    err = _error(capsys, ["flash", str(builds["nucleo-f401"]), "--dry-run", "--probe", probe])
    assert "--probe: expected" in err


def test_route_and_image_refusals(capsys, builds):
    err = _error(capsys, ["flash", str(builds["nucleo-f401"]), "--via", "esptool"])
    assert "flashed with openocd, stlink, pyocd, platformio" in err
    err = _error(capsys, ["flash", str(builds["nucleo-f401"]), "--timeout", "nan"])
    assert "--timeout" in err


# -- with the real tools installed and nothing attached ------------------------------


@pytest.mark.parametrize(
    ("name", "route", "said"),
    [
        ("nucleo-f401", "openocd", "open failed"),
        ("nucleo-h743zi", "stlink", "st-info --probe found no ST-LINK"),
        ("microbit", "pyocd", "No connected debug probes"),
        ("microbit", "openocd", "unable to find a matching CMSIS-DAP device"),
    ],
)
def test_no_probe_attached(capsys, builds, name, route, said):
    err = _error(capsys, ["flash", str(builds[name]), "--via", route])
    assert err.startswith("snn2c flash: error: no probe found:") and said in err
    assert load_board(name).flash.probe in err
    log = builds[name] / routes.FLASH_DIR / f"{route}.log"
    assert log.is_file() and "# exit" in log.read_text()


def test_esptool_no_port(capsys, builds):
    root = builds["esp32-c3"]
    err = _error(capsys, ["flash", str(root), "--via", "esptool"])
    assert "bootloader.bin: not found" in err and "pio run" in err
    d = root / ".pio" / "build" / official_env(load_board("esp32-c3"))
    d.mkdir(parents=True)
    for f in ("bootloader", "partitions", "firmware"):
        (d / f"{f}.bin").write_bytes(bytes(64))
    try:
        # esptool itself: the named port does not exist
        err = _error(capsys, ["flash", str(root), "--via", "esptool", "--probe", "/dev/snn2c-none"])
        assert "no probe found: esptool said 'could not open port'" in err
        # no port named: snn2c looks for the board's USB bridge before esptool tries every port
        err = _error(capsys, ["flash", str(root), "--via", "esptool"])
        assert "no serial port of esp32-c3 found (USB ids 10c4:ea60, 303a:1001)" in err
    finally:
        shutil.rmtree(root / ".pio")


def test_pyocd_target_needs_its_pack(capsys, builds):
    """pyOCD has no built-in STM32F401 target; offline that is one line, not a hang."""
    err = _error(capsys, ["flash", str(builds["nucleo-f401"]), "--via", "pyocd"])
    assert "pyOCD has no target 'stm32f401retx' here" in err and "pyocd pack install" in err


def test_platformio_platform_missing(capsys, builds, tmp_path, monkeypatch):
    monkeypatch.setenv("PLATFORMIO_CORE_DIR", str(tmp_path))
    err = _error(capsys, ["flash", str(builds["nucleo-f401"]), "--via", "platformio"])
    assert "PlatformIO platform 'ststm32' is not installed" in err


def test_missing_tool(capsys, builds, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH
    err = _error(capsys, ["flash", str(builds["nucleo-f401"])])
    assert "openocd not found: apt-get install openocd" in err
    assert "--via (stlink, pyocd, platformio)" in err
    assert not (builds["nucleo-f401"] / routes.FLASH_DIR / "missing").exists()
    # the dry run still prints the commands, and says what is missing
    assert main(["flash", str(builds["nucleo-f401"]), "--dry-run"]) == 0
    assert "# note: openocd not found" in capsys.readouterr().err


def test_image_that_does_not_fit(capsys, builds, tmp_path):
    root = tmp_path / "b"
    shutil.copytree(builds["nucleo-f103rb"], root)
    doc = json.loads((root / "board.json").read_text())
    doc["memory"]["flash"]["size"] = 1024
    (root / "board.json").write_text(json.dumps(doc))
    err = _error(capsys, ["flash", str(root)])
    assert "does not fit nucleo-f103rb: flash" in err and "of 1024 bytes" in err
    assert not (root / routes.FLASH_DIR).exists()  # no flasher ran


def test_unfinished_or_stale_build_refused(capsys, builds, tmp_path):
    root = tmp_path / "b"
    shutil.copytree(builds["nucleo-f401"], root)
    manifest = json.loads((root / "snn2c-build.json").read_text())
    del manifest["size"]
    (root / "snn2c-build.json").write_text(json.dumps(manifest))
    assert "the build did not finish" in _error(capsys, ["flash", str(root), "--dry-run"])
    assert "not an snn2c build folder" in _error(capsys, ["flash", str(tmp_path), "--dry-run"])


# -- the wrong part attached ----------------------------------------------------------


def _id_check_script(capsys, builds, name) -> str:
    doc = _dry(capsys, builds[name])
    argv = __import__("shlex").split(doc["commands"][1])
    return next(a for a in argv if a.startswith("set id "))


@pytest.mark.parametrize("name", ["nucleo-f401", "nucleo-f103rb", "nucleo-h743zi"])
def test_openocd_id_check_stops_before_program(capsys, builds, name):
    """OpenOCD runs the route's own check with read_memory answering for a part:
    another part's ID ends the session before the next command (program)."""
    dev = load_board(name).flash.device_id
    check = _id_check_script(capsys, builds, name)
    for dev_id, ok in ((dev.value, True), (0x413, False)):
        word = 0x10000000 | dev_id
        proc = subprocess.run(
            [
                "openocd",
                "-c",
                f"proc read_memory {{a w n}} {{if {{$a != 0x{dev.address:08X}}} {{error $a}}; return 0x{word:08X}}}",
                "-c",
                check,
                "-c",
                "echo SNN2C-REACHED-PROGRAM; shutdown",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        text = proc.stdout + proc.stderr
        assert ("SNN2C-REACHED-PROGRAM" in text) == ok, text
        assert (proc.returncode == 0) == ok
        if not ok:
            assert "SNN2C-WRONG-DEVICE 0x413" in text


ST_INFO_ONE = """Found 1 stlink programmers
  version:    V2J37M26
  serial:     066DFF485550755187121729
  flash:      524288 (pagesize: 16384)
  sram:       98304
  chipid:     0x{chip:04x}
  descr:      F4xx (low power)
"""


def test_stlink_chip_id_check(builds):
    board = load_board("nucleo-f401")
    step = routes.plan(board, "stlink", "firmware", None).steps[1]
    step.check(ST_INFO_ONE.format(chip=0x433))  # the F401: passes
    with pytest.raises(Snn2cError, match=r"wrong board attached: .* reads 0x431, expected 0x433"):
        step.check(ST_INFO_ONE.format(chip=0x431))  # an F411
    two = ST_INFO_ONE.format(chip=0x433) + ST_INFO_ONE.format(chip=0x433).split("\n", 1)[1].replace(
        "066D", "0670"
    )
    with pytest.raises(Snn2cError, match="2 ST-LINKs attached"):
        step.check(two)
    named = routes.plan(board, "stlink", "firmware", "0670FF485550755187121729").steps[1]
    named.check(two)
    with pytest.raises(Snn2cError, match="no ST-LINK with serial"):
        routes.plan(board, "stlink", "firmware", "1234").steps[1].check(two)


def test_pyocd_id_check():
    board = load_board("nucleo-h743zi")
    step = routes.plan(board, "pyocd", "firmware", None).steps[1]
    assert "read32 0x5C001000" in " ".join(step.argv)
    step.check("5c001000:  10036450    |Pd..|\n")
    with pytest.raises(Snn2cError, match="reads 0x451, expected 0x450"):
        step.check("5c001000:  10036451    |Qd..|\n")


# -- monitor ----------------------------------------------------------------------------


@contextlib.contextmanager
def _qemu_on_pty(board, elf: Path):
    """QEMU running elf with the board's UART on a new pseudo-terminal; yields its path."""
    args = [("pty" if a == "stdio" else a) for a in board.qemu.args]
    proc = subprocess.Popen(
        [board.qemu.binary, "-M", board.qemu.machine, "-display", "none", "-monitor", "none"]
        + args
        + ["-kernel", str(elf)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"(/dev/pts/\d+)", line)
        assert m, line
        yield m.group(1)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


@pytest.mark.slow
def test_monitor_reads_the_board_harness_in_qemu(capsys, builds):
    """The board harness (the image `flash --image harness` writes) runs in QEMU with its
    UART on a pty; monitor finds a whole report in its repeats and checks every value."""
    board = load_board("nucleo-f401")
    with _qemu_on_pty(board, builds["nucleo-f401"] / routes.IMAGES["harness"]) as pty:
        assert main(["monitor", str(builds["nucleo-f401"]), "--port", pty, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mismatches"] == 0 and doc["device_reported_mismatches"] == 0
    assert doc["vectors"] == 16 and doc["float_vectors"] == 16


def _feed(master: int, text: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            os.write(master, text.encode())
        except OSError:
            return
        time.sleep(0.3)


@pytest.mark.slow
def test_monitor_names_a_corrupted_value(capsys, builds):
    """A report with one changed digit, fed through a pty: exit 1, the vector named."""
    board = load_board("nucleo-f401")
    with _qemu_on_pty(board, builds["nucleo-f401"] / routes.IMAGES["harness"]) as pty:
        assert main(["monitor", str(builds["nucleo-f401"]), "--port", pty]) == 0
    lines = [ln[4:] for ln in capsys.readouterr().out.splitlines() if ln.startswith("  | ")]
    # the report monitor read: from its BEGIN line (it may have joined a report midway)
    lines = lines[max(i for i, ln in enumerate(lines) if ln.startswith("SNN2C-HARNESS BEGIN")) :]
    y5 = next(i for i, ln in enumerate(lines) if ln.startswith("Y 5 "))
    words = lines[y5].split()
    words[2] = str(int(words[2]) + 1)
    lines[y5] = " ".join(words)
    master, slave = os.openpty()
    stop = threading.Event()
    feeder = threading.Thread(target=_feed, args=(master, "\n".join(lines) + "\n", stop))
    feeder.start()
    try:
        assert main(["monitor", str(builds["nucleo-f401"]), "--port", os.ttyname(slave)]) == 1
        err = capsys.readouterr().err
        assert "first mismatch: vector 5" in err and f"device {words[2]}" in err
    finally:
        stop.set()
        feeder.join()
        os.close(master)
        os.close(slave)


def test_monitor_without_a_report(capsys, builds):
    master, slave = os.openpty()
    stop = threading.Event()
    feeder = threading.Thread(target=_feed, args=(master, "boot\nhello\n", stop))
    feeder.start()
    try:
        argv = [
            "monitor",
            str(builds["nucleo-f401"]),
            "--port",
            os.ttyname(slave),
            "--timeout",
            "1",
        ]
        err = _error(capsys, argv)
        assert "no 'SNN2C-HARNESS BEGIN' line within 1 s" in err
    finally:
        stop.set()
        feeder.join()
        os.close(master)
        os.close(slave)
    err = _error(capsys, ["monitor", str(builds["nucleo-f401"]), "--port", "/dev/snn2c-none"])
    assert "cannot open the serial port" in err
    err = _error(capsys, ["monitor", str(builds["nucleo-f401"])])
    assert "no serial port of nucleo-f401 found" in err and "--port" in err


# -- hints that lead somewhere (#31) -------------------------------------------------


@pytest.mark.parametrize("route", ["platformio", "esptool"])
def test_esp32_harness_refusal_names_no_route_that_refuses_too(capsys, builds, route):
    err = _error(capsys, ["flash", str(builds["esp32-c3"]), "--via", route, "--image", "harness"])
    assert "another --via" not in err
    assert "--image firmware" in err and "--emulator qemu" in err


def test_cortex_m_harness_refusal_names_the_routes_that_flash_it(capsys, builds):
    argv = ["flash", str(builds["nucleo-f401"]), "--via", "platformio", "--image", "harness"]
    err = _error(capsys, argv)
    assert "--via openocd or --via stlink or --via pyocd" in err


def test_monitor_defaults_to_the_firmware_where_the_harness_cannot_be_flashed(builds):
    from snn2c.deploy.routes import default_monitor_image

    assert default_monitor_image(load_board("esp32-c3")) == "firmware"
    assert default_monitor_image(load_board("esp32")) == "firmware"
    assert default_monitor_image(load_board("nucleo-f401")) == "harness"


def test_monitor_esp32_harness_is_refused_with_the_way_on(capsys, builds):
    argv = ["monitor", str(builds["esp32-c3"]), "--image", "harness", "--port", "/dev/x"]
    err = _error(capsys, argv)
    assert "emulation only" in err and "--image firmware" in err


def test_monitor_esp32_default_listens_to_the_firmware(capsys, builds):
    # no port given and none attached: the error is the firmware's port search, not a refusal
    err = _error(capsys, ["monitor", str(builds["esp32-c3"])])
    assert "no serial port of esp32-c3 found" in err


def test_monitor_bad_port_says_the_errno_once_with_a_hint(capsys, builds):
    err = _error(capsys, ["monitor", str(builds["nucleo-f401"]), "--port", "/dev/snn2c-none"])
    assert err.count("No such file or directory") == 1, err
    assert "[Errno" not in err and "serial.tools.list_ports" in err


def test_serial_permission_error_names_the_dialout_group():
    import errno

    from snn2c.deploy.monitor import open_error

    text = open_error(OSError(errno.EACCES, "could not open port /dev/ttyACM0: [Errno 13] ..."))
    assert "dialout" in text and text.count("Permission denied") == 1


def test_stlink_no_probe_has_the_tail_of_the_other_routes(capsys, builds, tmp_path):
    if shutil.which("st-info") is None:
        pytest.skip("stlink-tools not installed")
    err = _error(capsys, ["flash", str(builds["nucleo-h743zi"]), "--via", "stlink"])
    assert "(or name it with --probe); log: " in err
    assert err.endswith(str(builds["nucleo-h743zi"] / routes.FLASH_DIR / "stlink.log"))


def test_flash_of_a_model_file_says_how_to_build_it(capsys, builds):
    model = builds["nucleo-f401"].parent / "m.snn"
    err = _error(capsys, ["flash", str(model)])
    assert f"snn2c build {model} --board BOARD -o DIR" in err
