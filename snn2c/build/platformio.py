"""PlatformIO project files: the official platform for users with PlatformIO's
registry, and an offline env through a local development platform.

PlatformIO facts this relies on are in DESIGN.md ("What exists on our machines").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from snn2c import modelfile
from snn2c.boards import Board
from snn2c.build import toolchain
from snn2c.errors import Snn2cError
from snn2c.resources import data_dir

PLATFORM_DIR = "pio/platform-snn2c"
# PlatformIO core 6.2 asks for tool-scons ~4.41101.0 (SCons 4.11.1); other cores
# ask for other versions, read from the installed core when there is one.
SCONS_PACKAGE_VERSION = "4.41101.0"


def _copy(src, dst) -> None:
    """Copy by an atomic rename: a symlink at dst is replaced, never written through."""
    modelfile.write_atomic(Path(dst), Path(src).read_bytes())


def scons_package_version() -> str:
    try:
        from platformio.dependencies import get_core_dependencies

        spec = get_core_dependencies()["tool-scons"]
    except Exception:  # no PlatformIO here: the version it 6.2 wants
        return SCONS_PACKAGE_VERSION
    return spec.lstrip("~^=<> ")


def official_env(board: Board) -> str:
    return str(board.platformio["board"]).replace("-", "_")


def _official_flags(board: Board) -> list[str]:
    return [*board.cflags, *toolchain.CODE_CFLAGS]


def write(env, root: Path, board: Board, prov: str) -> None:
    offline = board.buildable_here
    view = {
        "provenance": prov,
        "board": board,
        "pio": board.platformio,
        "official_env": official_env(board),
        "official_flags": _official_flags(board),
        "offline": offline,
        "offline_board": f"snn2c_{board.name.replace('-', '_')}",
        **_renode_view(board, offline),
    }
    _put(root / "platformio.ini", env.get_template("platformio/platformio.ini.j2").render(view))
    if board.platformio.get("framework") == "espidf":
        _put(root / "CMakeLists.txt", env.get_template("platformio/CMakeLists.txt.j2").render(view))
        _put(
            root / "src/CMakeLists.txt",
            env.get_template("platformio/src_CMakeLists.txt.j2").render(view),
        )
        _copy(data_dir("firmware") / "board_espidf.c", root / "src/board_espidf.c")
    elif board.platformio.get("framework") == "arduino":  # the ESP8266's Arduino core
        _copy(data_dir("firmware") / "board_arduino.cpp", root / "src/board_arduino.cpp")
    if not offline:
        return
    plat = root / PLATFORM_DIR
    tdir = data_dir("templates") / "platformio"
    _put(plat / "platform.json", env.get_template("platformio/platform.json.j2").render(view))
    (plat / "builder").mkdir(parents=True, exist_ok=True)
    _copy(tdir / "platform.py", plat / "platform.py")
    _copy(tdir / "builder_main.py", plat / "builder/main.py")
    _put(
        plat / "boards" / f"{view['offline_board']}.json",
        env.get_template("platformio/board.json.j2").render(
            view,
            cflags=toolchain.cflags(board),
            ldflags=list(toolchain.COMMON_LDFLAGS),
        ),
    )


RENODE_TEST_SECONDS = 30  # virtual seconds before Renode quits (the harness needs < 1)


def pio_test_here(board: Board) -> bool:
    """Whether `pio test -e renode` applies: Renode runs the image linked for the board
    (not a relinked emulator image), and PlatformIO builds it bare metal."""
    r = board.renode
    return r is not None and r.image == "board" and not board.platformio.get("framework")


def _renode_view(board: Board, offline: bool) -> dict:
    if not pio_test_here(board):
        return {"renode_test": False}
    assert board.renode is not None
    envs = [("renode", official_env(board))]
    if offline:
        envs.append(("renode_offline", "offline"))
    return {
        "renode_test": True,
        "renode_envs": envs,
        "renode_uart": board.renode.uart,
        "renode_seconds": RENODE_TEST_SECONDS,
    }


def _put(path: Path, text: str) -> None:
    modelfile.write_atomic(path, text.encode())


def install_offline_scons(core_dir: str | Path) -> Path:
    """Make PlatformIO's tool-scons package from the installed `scons` wheel, so
    `pio run` never asks the registry for it. Returns the package folder."""
    try:
        import SCons
    except ImportError:
        raise Snn2cError(
            "the 'scons' Python package is needed for offline PlatformIO builds "
            "(pip install 'snn2c[board]')"
        ) from None
    pkg = Path(core_dir) / "packages" / "tool-scons"
    if (pkg / ".piopm").is_file():
        return pkg
    pkg.mkdir(parents=True, exist_ok=True)
    shutil.copytree(Path(SCons.__file__).parent, pkg / "SCons", dirs_exist_ok=True)
    (pkg / "scons.py").write_text(
        "import os, sys\n"
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        "from SCons.Script.Main import main\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    version = scons_package_version()
    meta = {"name": "tool-scons", "version": version}
    (pkg / "package.json").write_text(json.dumps(meta))
    piopm = {
        "type": "tool",
        "name": "tool-scons",
        "version": version,
        "spec": {
            "owner": "platformio",
            "id": None,
            "name": "tool-scons",
            "requirements": None,
            "uri": None,
        },
    }
    (pkg / ".piopm").write_text(json.dumps(piopm))
    return pkg
