"""The compiler-side commands: compile, inspect, predict."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from snn2c import modelfile
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference import predict


def snn2c(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "snn2c", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "m.snn"
    modelfile.save(random_network(5, n_features=3, hidden=(12,)), path)
    return path


def test_compile_writes_sources_and_refuses_overwrite(model, tmp_path):
    out = tmp_path / "c"
    proc = snn2c("compile", model, "-o", out, "--json")
    assert proc.returncode == 0, proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert sorted(p.split("/")[-1] for p in files) == sorted(
        ["snn_model.h", "snn_model.c", "snn_contract.h", "snn_kernels.h", "snn_kernels_dsp.h"]
        + ["snn_kernels.c"]
    )
    header = (out / "snn_model.h").read_text()
    assert modelfile.model_hash(modelfile.load(model)) in header
    again = snn2c("compile", model, "-o", out)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert snn2c("compile", model, "-o", out, "--force").returncode == 0


def test_compile_is_reproducible(model, tmp_path):
    for d in ("a", "b"):
        assert snn2c("compile", model, "-o", "out_" + d, cwd=tmp_path).returncode == 0
    for name in ("snn_model.c", "snn_model.h"):
        a = (tmp_path / "out_a" / name).read_text().replace("out_a", "")
        b = (tmp_path / "out_b" / name).read_text().replace("out_b", "")
        assert a == b


def test_inspect_json(model):
    proc = snn2c("inspect", model, "--json")
    assert proc.returncode == 0, proc.stderr
    s = json.loads(proc.stdout)
    assert [layer["shape"] for layer in s["layers"]][0][1] == 12
    assert s["weight_bytes"] > 0 and s["layers"][0]["range_proof"] == "proven"
    text = snn2c("inspect", model).stdout
    assert "layer 0" in text and "Q" in text


@pytest.mark.parametrize("mode", ["fixed", "float"])
def test_predict_matches_reference(model, tmp_path, mode):
    net = modelfile.load(model)
    x = np.random.default_rng(0).uniform(net.inputs.low, net.inputs.high, (20, 3))
    csv = tmp_path / "in.csv"
    csv.write_text("x2,x0,x1,extra\n" + "\n".join(f"{r[2]},{r[0]},{r[1]},7" for r in x) + "\n")
    out = tmp_path / "out.csv"
    proc = snn2c("predict", model, "--input", csv, "-o", out, "--mode", mode)
    assert proc.returncode == 0, proc.stderr
    y = np.loadtxt(out, delimiter=",", skiprows=1)
    np.testing.assert_allclose(y, predict(quantize(net), x, mode=mode)[:, 0], rtol=1e-8)


@pytest.mark.parametrize(
    "content,message",
    [
        ("x0,x1\n1,2\n", "missing column(s) x2"),
        ("x0,x1,x2\n1,2,nan\n", "line 2, column 'x2'"),
        ("x0,x1,x2\n1,2,3\n4,oops,6\n", "line 3, column 'x1': not a number"),
    ],
)
def test_predict_bad_csv(model, tmp_path, content, message):
    csv = tmp_path / "in.csv"
    csv.write_text(content)
    proc = snn2c("predict", model, "--input", csv, "-o", tmp_path / "o.csv")
    assert proc.returncode == 2 and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_model_file(tmp_path):
    proc = snn2c("inspect", tmp_path / "nope.snn")
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_broken_pipe_exits_quietly(tmp_path, monkeypatch, capsys):
    """`snn2c inspect --json m.snn | head -1` when the reader has left: exit 0, no
    BrokenPipeError traceback."""
    from snn2c.cli import main

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    model = tmp_path / "m.snn"
    modelfile.save(random_network(1), model)
    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert main(["inspect", "--json", str(model)]) == 0
    monkeypatch.undo()
    assert "Traceback" not in capsys.readouterr().err


def test_user_mistakes_found_by_fuzzing_give_one_line(tmp_path, capsys):
    """Regression cases from the CLI fuzz campaign (issue 11): each one line, exit 2."""
    from snn2c import modelfile
    from snn2c.cli import main
    from snn2c.netgen import random_network

    model = tmp_path / "m.snn"
    modelfile.save(random_network(1), model)
    big = tmp_path / "big.csv"
    big.write_text("x0,x1,x2\n1,2," + "9" * 200_000 + "\n")
    cases = [
        (["compile", str(model), "-o", str(model)], "is a file"),
        (
            ["predict", str(model), "--input", str(tmp_path), "-o", str(tmp_path / "y.csv")],
            "is a folder",
        ),
        (
            ["predict", str(model), "--input", str(big), "-o", str(tmp_path / "y.csv")],
            "not a readable CSV",
        ),
        (["verify", str(tmp_path), "--timeout", "nan"], "--timeout"),
        (
            [
                "import-nir",
                str(tmp_path / "no.nir"),
                "-o",
                str(tmp_path / "a.snn"),
                "--input-range",
                "-1:1",
            ],
            "no such file",
        ),
    ]
    for argv, msg in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
