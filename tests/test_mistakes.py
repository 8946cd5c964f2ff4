"""Mistakes the fuzzer and a new user found (#31) that gave a traceback or numpy noise
instead of one line: mutated NIR shapes and sidecars, board-file compiler flags that
could inject into the build, a giant --seed, a CSV value beyond what snn2c takes."""

from __future__ import annotations

import copy
import json
import warnings

import pytest

from snn2c.boards import load_board_file
from snn2c.cli import main
from snn2c.errors import Snn2cError
from snn2c.nir import importer
from snn2c.resources import data_dir


class _Node:
    def __init__(self, shape):
        self.input_type = {"input": shape}


@pytest.mark.parametrize(
    "shape",
    [
        ["a", "b"],  # UFuncNoLoopError before
        [10**30],  # OverflowError
        [[1, 2], [3]],  # ValueError (ragged)
        [-4],
        [0],
        [2.5],
        [float("nan")],
        [1 << 20, 1 << 20],
        {"x": 1},
    ],
)
def test_nir_shape_of_the_wrong_type_or_size_is_one_line(shape):
    with pytest.raises(Snn2cError, match=r"g\.nir: node 'lif1' \(_Node\): input shape"):
        importer._shape_size(_Node(shape), "input", "g.nir", "lif1")


def test_nir_shape_sizes_that_are_right():
    assert importer._shape_size(_Node([3, 4]), "input", "g.nir", "n") == 12
    assert importer._shape_size(_Node([5.0]), "input", "g.nir", "n") == 5
    assert importer._shape_size(_Node([]), "input", "g.nir", "n") is None
    assert importer._shape_size(_Node(None), "input", "g.nir", "n") is None


class _Graph:
    def __init__(self, raw):
        self.metadata = {importer.SIDECAR_KEY: raw}


@pytest.mark.parametrize("raw", ["1" * 5000, "[" * 100_000, '{"format": ', b"\xff\xfe"])
def test_nir_sidecar_that_is_not_json_is_one_line(raw):
    with pytest.raises(Snn2cError, match="not valid JSON|expected format"):
        importer._sidecar(_Graph(raw), "g.nir")


def _board_doc() -> dict:
    return json.loads((data_dir("boards") / "nucleo-f401.json").read_text())


@pytest.mark.parametrize(
    "flag",
    [
        '-DX="*/"',
        "-O0",
        "-Wno-error",
        "-O0 -Wno-error",
        "-include/etc/passwd",
        "-mcpu=cortex-m4 $(shell rm -rf ~)",
        "-mcpu=cortex-m4\n\trm -rf ~",
        "-mcpu=cortex-m4\x00",
        "--specs=nosys.specs",
        "-fno-strict-aliasing",
    ],
)
def test_board_cflags_that_could_inject_are_refused(tmp_path, flag):
    doc = _board_doc()
    doc["toolchain"]["cflags"].append(flag)
    path = tmp_path / "nucleo-f401.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(Snn2cError, match=r"'toolchain\.cflags': expected target options only"):
        load_board_file(path)


def test_board_target_flags_still_load(tmp_path):
    doc = _board_doc()
    doc["toolchain"]["cflags"] += ["-mtext-section-literals", "-mlongcalls", "-mabi=ilp32"]
    path = tmp_path / "nucleo-f401.json"
    path.write_text(json.dumps(doc))
    assert "-mlongcalls" in load_board_file(path).cflags


def test_board_apt_names_are_package_names(tmp_path):
    doc = copy.deepcopy(_board_doc())
    doc["toolchain"]["apt"] = ["gcc-arm-none-eabi; curl x | sh"]
    path = tmp_path / "nucleo-f401.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(Snn2cError, match=r"toolchain\.apt"):
        load_board_file(path)


@pytest.mark.parametrize("command", ["train", "verify", "search", "report"])
@pytest.mark.parametrize("value", ["1180591620717411303424", "-1"])
def test_a_seed_out_of_range_is_a_usage_error(command, value, capsys, tmp_path):
    argv = {
        "train": ["train", "-o", str(tmp_path / "m.snn")],
        "verify": ["verify", str(tmp_path)],
        "search": ["search", "-o", str(tmp_path / "s")],
        "report": ["report", str(tmp_path / "m.snn")],
    }[command]
    with pytest.raises(SystemExit) as e:
        main([*argv, "--seed", value])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--seed: expected 0 .. 4294967295" in err and len(err.strip().splitlines()) == 1


def test_a_csv_value_beyond_float32_is_one_error_and_no_numpy_warning(tmp_path):
    from snn2c.train.datasets import from_csv

    rows = ["a,b,y"] + [f"{i / 50},{(i * 7 % 50) / 50},{i / 50}" for i in range(50)]
    rows[6] = "0.1,0.2,1e200"
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would raise here
        with pytest.raises(Snn2cError, match=r"big\.csv: column 'y': 1e\+200 \(data row 6\)"):
            from_csv(str(path), "y", seed=0)
