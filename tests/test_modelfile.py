"""The .snn format: round trips, and one clear line for every kind of bad file."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from snn2c import ir, modelfile
from snn2c.errors import ModelFormatError
from snn2c.netgen import random_network


@pytest.fixture
def doc():
    return modelfile.to_dict(random_network(1, hidden=(8, 4)))


def test_round_trip_is_byte_identical():
    net = random_network(3, hidden=(5,), encoder="rate_bernoulli", decoder="first_spike")
    raw = modelfile.dumps(net)
    again = modelfile.loads(raw)
    assert modelfile.dumps(again) == raw
    np.testing.assert_array_equal(again.layers[0].weight, net.layers[0].weight)
    assert again.encoder == net.encoder


def test_save_refuses_overwrite(tmp_path):
    p = tmp_path / "m.snn"
    net = random_network(0)
    modelfile.save(net, p)
    with pytest.raises(ModelFormatError, match="already exists"):
        modelfile.save(net, p)
    modelfile.save(net, p, force=True)


def _mutations():
    def wrong_shape(d):
        d["layers"][1]["weight"] = [row[:-1] for row in d["layers"][1]["weight"]]

    def missing(d):
        del d["layers"][0]["bias"]

    def future(d):
        d["version"] = ir.FORMAT_VERSION + 1

    def nan(d):
        d["layers"][0]["weight"][0][0] = float("nan")

    def bad_kind(d):
        d["encoder"]["kind"] = "magic"

    def bad_type(d):
        d["encoder"]["steps"] = "many"

    def negative_threshold(d):
        d["layers"][0]["neuron"]["threshold"] = -1.0

    def li_inside(d):
        d["layers"][0]["neuron"]["kind"] = "li"

    def decoder_shape(d):
        d["decoder"]["bias"] = [0.0, 1.0]

    def not_snn(d):
        d["format"] = "onnx"

    def bad_range(d):
        d["inputs"]["high"] = d["inputs"]["low"]

    return {
        "wrong_shape": (wrong_shape, "layers[1].weight: expected shape"),
        "missing": (missing, "layers[0].bias: missing field"),
        "future": (future, "newer than this snn2c supports"),
        "nan": (nan, "layers[0].weight: contains NaN"),
        "bad_kind": (bad_kind, "encoder.kind: expected one of"),
        "bad_type": (bad_type, "encoder.steps: expected an integer"),
        "negative_threshold": (negative_threshold, "threshold: expected a number in "),
        "li_inside": (li_inside, "only allowed in the last layer"),
        "decoder_shape": (decoder_shape, "decoder.bias: expected shape"),
        "not_snn": (not_snn, "not a .snn model"),
        "bad_range": (bad_range, "high must exceed low"),
    }


@pytest.mark.parametrize("name", list(_mutations()))
def test_bad_documents_name_the_field(doc, name):
    mutate, message = _mutations()[name]
    mutate(doc)
    raw = json.dumps(doc).encode()
    with pytest.raises(ModelFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        modelfile.loads(raw, source="m.snn")


def test_truncated_and_binary_files():
    raw = modelfile.dumps(random_network(2))
    with pytest.raises(ModelFormatError, match="malformed or truncated JSON"):
        modelfile.loads(raw[: len(raw) // 2])
    with pytest.raises(ModelFormatError, match="not UTF-8"):
        modelfile.loads(b"\xff\xfe\x00garbage")


@pytest.mark.parametrize("name", ["wrong_shape", "missing", "future"])
def test_cli_compile_reports_one_line(doc, name, tmp_path):
    mutate, message = _mutations()[name]
    mutate(doc)
    path = tmp_path / "bad.snn"
    path.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "snn2c", "compile", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert str(path) in lines[0] and message.split("[")[0] in lines[0]
    assert not (tmp_path / "out").exists()


def test_values_the_device_cannot_represent_are_refused(tmp_path, capsys):
    """Inputs whose float32 normalisation overflows, and thresholds or biases beyond
    Q16 (1e15 used to wrap int64 in rounding): one line naming the file and field."""
    import json

    from snn2c.cli import main
    from snn2c.netgen import random_network

    path = tmp_path / "m.snn"
    modelfile.save(random_network(2), path)
    base = json.loads(path.read_text())
    cases = [
        (("inputs", "low"), [-1e300] + base["inputs"]["low"][1:], "inputs: feature"),
        (("inputs", "low"), [0.0] + base["inputs"]["low"][1:], None),
        (("inputs", "high"), [1e-36] + base["inputs"]["high"][1:], "inputs: feature"),
        (("target", "scale"), 1e300, "target:"),
    ]
    doc = json.loads(json.dumps(base))
    for keys, value, msg in cases:
        if msg is None:  # a change that stays for the next case
            base[keys[0]][keys[1]] = value
            continue
        doc = json.loads(json.dumps(base))
        doc[keys[0]][keys[1]] = value
        path.write_text(json.dumps(doc))
        assert main(["inspect", str(path)]) == 2
        err = capsys.readouterr().err
        assert msg in err and "Traceback" not in err, err
    # the loader holds thresholds to ir.LIMITS; a bias is checked when quantized
    for field, value, msg in (
        ("threshold", 1e15, "m.snn: layers[0].neuron.threshold: expected a number in (0, 32768)"),
        ("bias", 1e15, "m.snn: layers[0]: "),
    ):
        doc = json.loads(json.dumps(base))
        if field == "bias":
            doc["layers"][0]["bias"][0] = value
        else:
            doc["layers"][0]["neuron"]["threshold"] = value
        path.write_text(json.dumps(doc))
        assert main(["compile", str(path), "-o", str(tmp_path / "src")]) == 2
        err = capsys.readouterr().err
        assert msg in err and "Traceback" not in err, err
        assert field == "threshold" or "too large for Q16" in err, err


def test_written_files_get_the_users_umask(tmp_path):
    import os
    import stat

    from snn2c.netgen import random_network

    old = os.umask(0o027)
    try:
        path = modelfile.save(random_network(1), tmp_path / "m.snn")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    ("key", "where", "option", "outside"),
    [
        ("steps", ("encoder", "steps"), "steps", 4097),
        ("neurons_per_feature", ("encoder", "neurons_per_feature"), "neurons_per_feature", 1),
        ("sigma", ("encoder", "sigma"), "sigma", 2e6),
        ("leak_shift", ("layers", 0, "neuron", "leak_shift"), "leak_shift", 16),
        ("threshold", ("layers", 0, "neuron", "threshold"), "threshold", 32768.0),
    ],
)
def test_one_table_of_limits_for_the_loader_and_the_trainer(tmp_path, key, where, option, outside):
    """ir.LIMITS is what both the file loader and `snn2c train`'s options refuse, with
    the same range in both messages; the value just inside the range is taken."""
    import dataclasses

    from snn2c.errors import Snn2cError
    from snn2c.train.trainer import TrainConfig, _check

    lim = ir.LIMITS[key]
    assert outside not in lim
    doc = json.loads(modelfile.dumps(random_network(2)))
    node = doc
    for k in where[:-1]:
        node = node[k]
    node[where[-1]] = outside
    with pytest.raises(ModelFormatError, match=re.escape(f"expected {lim.text}")):
        modelfile.loads(json.dumps(doc).encode(), "m.snn")
    with pytest.raises(Snn2cError, match=re.escape(f"expected {lim.text}")):
        _check(dataclasses.replace(TrainConfig(dataset="friedman1"), **{option: outside}))
    inside = lim.hi - 1 if lim.hi_open else lim.hi
    _check(dataclasses.replace(TrainConfig(dataset="friedman1"), **{option: inside}))
