"""The ESP8266 (Xtensa lx106, QEMU `-M sim -cpu lx106`) as fully as the reference board:
every encoder x decoder, every counting-form network, the Izhikevich networks, a
streaming model's long stream, a one-bit change that verify must catch, and the CLI's
build + verify with 200 vectors. The lx106 is the core where snn2c's own helpers
(firmware/rt_lx106.c: 64-bit products, divisions, binary32) stand in for the ROM's, so
every path that reaches them runs here, not a sample."""

from __future__ import annotations

import json
import re

import pytest

from snn2c import modelfile
from snn2c.boards import load_board
from snn2c.build import build
from snn2c.cli import main
from snn2c.emulate.verify import verify_qemu
from snn2c.netgen import random_network

from _boards_helpers import need_qemu
from netcases import (
    count_form_networks,
    equivalence_networks,
    izhikevich_networks,
    streaming_variant,
)

pytestmark = pytest.mark.slow

NETS = equivalence_networks()
COUNT_NETS = count_form_networks()
IZH_NETS = izhikevich_networks()


@pytest.fixture(scope="module")
def board():
    b = load_board("esp8266")
    need_qemu(b)
    return b


def _verify(board, net, tmp_path, vectors=24, count=0):
    build(net, board, tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=vectors, count_sample=count, timeout=120)
    assert res["mismatches"] == 0, res["first_mismatch"]
    assert res["device_reported_mismatches"] == 0 and res["exit_code"] == 0
    return res


@pytest.mark.parametrize("case", range(len(NETS)), ids=[n for n, _ in NETS])
def test_every_encoder_and_decoder(tmp_path, board, case):
    res = _verify(board, NETS[case][1], tmp_path, count=int(case in (0, 4)))
    if case in (0, 4):
        assert res["instructions_per_inference"] > 0


@pytest.mark.parametrize("case", range(len(COUNT_NETS)), ids=[n for n, _ in COUNT_NETS])
def test_every_counting_form_network(tmp_path, board, case):
    _verify(board, COUNT_NETS[case][1], tmp_path, vectors=40, count=int(case == 0))
    assert "counting form: the same bits" in (tmp_path / "b/src/snn_model.c").read_text()


@pytest.mark.parametrize("case", range(len(IZH_NETS)), ids=[n for n, _ in IZH_NETS])
def test_every_izhikevich_network(tmp_path, board, case):
    _verify(board, IZH_NETS[case][1], tmp_path)


def test_long_stream(tmp_path, board):
    net = streaming_variant(random_network(11, n_features=2, steps=5, weight_scale=4.0), 2)
    build(net, board, tmp_path / "b")
    res = verify_qemu(tmp_path / "b", vectors=60, count_sample=2, stream=30_000)
    assert res["mismatches"] == 0, res["first_mismatch"]
    long = res["stream"]
    assert (long["samples"], long["checkpoints"], long["mismatches"]) == (30_000, 3, 0)
    assert long["exit_code"] == 0 and long["device_reported_mismatches"] == 0


def test_one_changed_bit_fails(tmp_path, board, capsys):
    """The lowest bit of one readout weight in the built C: verify reports mismatches
    and exits 1, and the device's own check says so too."""
    fw = tmp_path / "b"
    build(random_network(3, hidden=(8,)), board, fw)
    src = fw / "src/snn_model.c"
    text = src.read_text()
    head, sep, rest = text.partition("snn_dec_weight[")
    decl, brace, body = rest.partition("{")
    first = re.search(r"-?\d+", body)
    assert sep and brace and first
    value = int(first.group())
    body = body[: first.start()] + str(value ^ 1) + body[first.end() :]
    src.write_text(head + sep + decl + brace + body)
    res = verify_qemu(fw, vectors=12, count_sample=0)
    assert res["mismatches"] > 0 and res["device_reported_mismatches"] > 0
    assert res["exit_code"] == 1
    capsys.readouterr()
    assert main(["verify", str(fw), "--vectors", "12"]) == 1


def test_cli_build_and_verify_200_vectors(tmp_path, capsys):
    """The issue's command: build for esp8266, verify 200 vectors, instructions printed."""
    board = load_board("esp8266")
    need_qemu(board)
    model = tmp_path / "m.snn"
    modelfile.save(random_network(0), model)
    fw = tmp_path / "fw"
    assert main(["build", str(model), "--board", "esp8266", "-o", str(fw)]) == 0
    capsys.readouterr()
    assert main(["verify", str(fw), "--emulator", "qemu", "--vectors", "200", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["board"] == "esp8266" and doc["machine"] == "sim"
    assert doc["mismatches"] == 0 and doc["vectors"] == 200
    assert doc["instructions_per_inference"] > 0
    assert doc["instructions_min"] <= doc["instructions_per_inference"] <= doc["instructions_max"]
