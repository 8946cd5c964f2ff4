"""Renode: the generated platforms, suites and `snn2c verify --emulator renode` on every
board Renode runs, bit-exact, with its instruction count beside QEMU's; a corrupted
image must fail the suite. Marked `renode`: deselected (and said so in the summary)
where renode and renode-test are not on PATH."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from _corrupt import corrupt_elf_symbol, corrupt_layer0_weights

from snn2c import modelfile
from snn2c.boards import all_boards, load_board
from snn2c.build import build
from snn2c.cli import main
from snn2c.netgen import random_network

RENODE_BOARDS = [b.name for b in all_boards() if b.renode is not None]
pytestmark = [pytest.mark.renode, pytest.mark.slow]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("renode") / "m.snn"
    modelfile.save(random_network(11, n_features=4, hidden=(12,)), path)
    return path


def _build(model, name, out) -> Path:
    build(model, load_board(name), out, force=False, command="snn2c build")
    return out


@pytest.mark.parametrize("name", RENODE_BOARDS)
def test_verify_in_renode(tmp_path, capsys, model, name):
    fw = _build(model, name, tmp_path / "fw")
    assert main(["verify", str(fw), "--emulator", "renode", "--vectors", "60", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mismatches"] == 0 and doc["device_reported_mismatches"] == 0
    assert doc["vectors"] == 60 and doc["exit_code"] == 0
    assert doc["instruction_samples"] == 6 and doc["instructions_per_inference"] > 0
    # the same (or relinked) image counted in QEMU gives the same number
    assert doc["qemu_instructions_per_inference"] == doc["instructions_per_inference"]
    assert Path(doc["results"]).is_relative_to(fw.resolve()) or str(fw) in doc["results"]


@pytest.mark.parametrize("name", ["nucleo-f401", "esp32-c3"])
def test_build_suite_passes_and_a_corrupted_image_fails(tmp_path, model, name):
    """The build's own suite passes on its image; a byte changed in the first layer's
    weights makes it fail."""
    board = load_board(name)
    fw = _build(model, name, tmp_path / "fw")
    suite = fw / "renode" / f"{name}.robot"
    ok = subprocess.run(
        ["renode-test", str(suite), "-r", str(tmp_path / "r1")], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout[-2000:]
    variant = "harness-qemu" if board.renode.image == "emulator" else "harness-board"
    elf = fw / "out" / f"{variant}.elf"
    corrupt_elf_symbol(board, elf, "snn_l0_weight")
    bad = subprocess.run(
        ["renode-test", str(suite), "-r", str(tmp_path / "r2")], capture_output=True, text=True
    )
    assert bad.returncode != 0, bad.stdout[-2000:]


def test_verify_names_the_first_mismatch(tmp_path, capsys, model):
    """A weight changed in the generated C: verify rebuilds from it, Renode runs it, and
    the report names the vector, the output and both values (exit status 1)."""
    fw = _build(model, "nucleo-f401", tmp_path / "fw")
    corrupt_layer0_weights(fw)
    assert main(["verify", str(fw), "--emulator", "renode", "--vectors", "30"]) == 1
    err = capsys.readouterr().err
    assert "first mismatch: vector" in err and "device" in err and "reference" in err


def test_renode_refuses_a_board_it_has_no_model_of(tmp_path, capsys, model):
    fw = tmp_path / "fw"
    shutil.copytree(_build(model, "nucleo-f401", tmp_path / "b"), fw)
    doc = json.loads((fw / "board.json").read_text())
    del doc["emulator"]["renode"]
    (fw / "board.json").write_text(json.dumps(doc))
    assert main(["verify", str(fw), "--emulator", "renode"]) == 2
    assert "Renode has no model of it" in capsys.readouterr().err


def test_a_streaming_model_verifies_in_renode(tmp_path, capsys):
    """The harness pushes its vectors as one stream; Renode's outputs equal the stream's
    reference and its count per sample equals QEMU's for the same image."""
    from netcases import streaming_variant

    path = tmp_path / "s.snn"
    net = streaming_variant(random_network(12, n_features=2, hidden=(10,), weight_scale=4.0))
    modelfile.save(net, path)
    fw = _build(path, "nucleo-f401", tmp_path / "fw")
    assert main(["verify", str(fw), "--emulator", "renode", "--vectors", "40", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mismatches"] == 0
    assert doc["qemu_instructions_per_inference"] == doc["instructions_per_inference"] > 0


def test_the_corrupted_weight_control_counts_alike_in_renode_and_qemu(tmp_path, model):
    """#31: one weight changed in the generated C; Renode and QEMU report the same
    mismatches over the same vectors (each vector once, none left unrun), the same
    first mismatch, and both fail."""
    import re

    from snn2c.emulate.renode import verify_renode
    from snn2c.emulate.verify import verify_qemu

    fw = _build(model, "nucleo-f401", tmp_path / "fw")
    src = fw / "src" / "snn_model.c"
    head, sep, rest = src.read_text().partition("snn_l0_weight[")
    decl, _, tail = rest.partition("{")
    m = re.search(r"-?\d+", tail)
    assert m
    w = int(m.group())
    new = (w + 40) % 65536 if "uint16_t" in head[-40:] else w ^ 1
    src.write_text(head + sep + decl + "{" + tail[: m.start()] + str(new) + tail[m.end() :])
    q = verify_qemu(fw, vectors=100)
    r = verify_renode(fw, vectors=100)
    assert 0 < q["mismatches"] <= 100 + q["float_vectors"]
    assert (
        (r["mismatches"], r["not_run"]) == (q["mismatches"], q["not_run"]) == (q["mismatches"], 0)
    )
    assert r["first_mismatch"] == q["first_mismatch"]
