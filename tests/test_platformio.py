"""The generated PlatformIO project builds offline: `pio run -e offline` through the
project's local development platform and a tool-scons package made from the scons
wheel; nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snn2c.boards import load_board
from snn2c.build import build
from snn2c.build.platformio import install_offline_scons
from snn2c.netgen import random_network


def _pio() -> str | None:
    exe = Path(sys.executable).parent / "pio"
    return str(exe) if exe.exists() else shutil.which("pio")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nucleo-f401", "esp32-c3"])
def test_pio_run_offline(tmp_path, name):
    pio = _pio()
    if pio is None:
        pytest.skip("platformio not installed (pip install 'snn2c[board]')")
    pytest.importorskip(
        "SCons",
        reason="needs SCons (pip install 'snn2c[board]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    board = load_board(name)
    if shutil.which(board.tool("gcc")) is None:
        pytest.skip(f"{board.tool('gcc')} not installed")
    out = tmp_path / "proj"
    res = build(random_network(4), board, out)
    core = tmp_path / "pio-core"
    install_offline_scons(core)
    env = {
        **os.environ,
        "PLATFORMIO_CORE_DIR": str(core),
        "PLATFORMIO_SETTING_ENABLE_TELEMETRY": "No",
        "PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL": "3650",
        "PLATFORMIO_SETTING_CHECK_PLATFORMS_INTERVAL": "3650",
        # no proxy, no route: a download attempt fails the test instead of hanging
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    proc = subprocess.run(
        [pio, "run", "-e", "offline"],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    elf = out / ".pio/build/offline/firmware.elf"
    assert elf.is_file()
    size = subprocess.run([board.tool("size"), "-B", str(elf)], capture_output=True, text=True)
    text, data, _bss = (int(v) for v in size.stdout.splitlines()[1].split()[:3])
    # same sources and flags as snn2c build: same image size to within alignment
    assert abs((text + data) - res["flash_bytes"]) < 64
