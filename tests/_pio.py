"""PlatformIO for the tests: the executable, an environment in which it never reaches
the network (a download attempt fails at once instead of hanging), and one way to run
a command in a project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from snn2c.build.platformio import install_offline_scons


def pio_exe() -> str | None:
    exe = Path(sys.executable).parent / "pio"
    return str(exe) if exe.exists() else shutil.which("pio")


def offline_env(tmp_path: Path) -> dict:
    """A fresh PlatformIO core in tmp_path with tool-scons from the scons wheel."""
    core = tmp_path / "pio-core"
    install_offline_scons(core)
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PLATFORMIO_CORE_DIR": str(core),
        "PLATFORMIO_SETTING_ENABLE_TELEMETRY": "No",
        "PLATFORMIO_SETTING_CHECK_PLATFORMIO_INTERVAL": "3650",
        "PLATFORMIO_SETTING_CHECK_PLATFORMS_INTERVAL": "3650",
        # no proxy, no route: a download attempt fails the test instead of hanging
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }


def run_in(project: Path, cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
