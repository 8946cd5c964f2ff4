"""The generated PlatformIO project builds offline: `pio run -e offline` through the
project's local development platform and a tool-scons package made from the scons
wheel; nothing is downloaded."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from _pio import offline_env, pio_exe, run_in

from snn2c.boards import load_board
from snn2c.build import build
from snn2c.netgen import random_network


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nucleo-f401", "esp32-c3", "esp8266"])
def test_pio_run_offline(tmp_path, name):
    pio = pio_exe()
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
    proc = run_in(out, [pio, "run", "-e", "offline"], offline_env(tmp_path))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    elf = out / ".pio/build/offline/firmware.elf"
    assert elf.is_file()
    size = subprocess.run([board.tool("size"), "-B", str(elf)], capture_output=True, text=True)
    text, data, _bss = (int(v) for v in size.stdout.splitlines()[1].split()[:3])
    # same sources and flags as snn2c build: same image size to within alignment
    assert abs((text + data) - res["flash_bytes"]) < 64
