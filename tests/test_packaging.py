"""Installed from a wheel, snn2c still finds its templates and firmware; the compiler
path never imports torch."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from snn2c import modelfile
from snn2c.netgen import random_network

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_data_and_compiles(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("snn2c-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("snn2c/_data/templates/snn_model.c.j2", "snn2c/_data/firmware/snn_kernels.c"):
        assert needed in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    model = tmp_path / "m.snn"
    modelfile.save(random_network(1), model)
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    code = (
        "import snn2c.resources as r, sys; "
        "assert '_data' in str(r.data_dir('templates')), r.data_dir('templates'); "
        "from snn2c.cli import main; sys.exit(main(['compile', sys.argv[1], '-o', sys.argv[2]]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(model), str(tmp_path / "out")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "snn_kernels.c").exists()


def test_compiler_path_does_not_import_torch(tmp_path):
    model = tmp_path / "m.snn"
    modelfile.save(random_network(2), model)
    code = (
        "import sys; from snn2c.cli import main; "
        "rc = main(['compile', sys.argv[1], '-o', sys.argv[2]]); "
        "rc |= main(['predict', sys.argv[1], '--input', sys.argv[3], '-o', sys.argv[4]]); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'torch'); "
        "print(bad); sys.exit(rc or (3 if bad else 0))"
    )
    csv = tmp_path / "x.csv"
    csv.write_text("x0,x1,x2\n1,2,3\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(model),
            str(tmp_path / "o"),
            str(csv),
            str(tmp_path / "y.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
