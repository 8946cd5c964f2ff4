"""Ship templates/, firmware/ and boards/ (kept at the repository root, see
DESIGN.md) inside the wheel as snn2c/_data, so an installed snn2c finds them."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
DATA_DIRS = ("templates", "firmware", "boards")


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "snn2c" / "_data"
        for name in DATA_DIRS:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithData})
