"""firmware/rt_lx106.c, the integer and binary32 helpers that Debian's lx106 libgcc
leaves to the ESP8266's ROM, against the host's own arithmetic: every special value
and its neighbours crossed, then random bit patterns and near pairs (tests/c/
rt_lx106_check.c), under the sanitizers. On the target they run inside every verify."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hostc import FIRMWARE, SANITIZE, STRICT

CHECK = Path(__file__).parent / "c" / "rt_lx106_check.c"


def test_rt_lx106_equals_the_host(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("no host gcc")
    exe = tmp_path / "rt_check"
    cmd = ["gcc", "-O2", *STRICT, *SANITIZE, "-DSNN2C_RT(n)=rt_##n"]
    cmd += [str(FIRMWARE / "rt_lx106.c"), str(CHECK), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = subprocess.run([str(exe), "300000"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.startswith("OK "), out.stdout + out.stderr
    assert int(out.stdout.split()[1]) > 3_000_000  # cases compared
