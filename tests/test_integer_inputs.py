"""Integer sensor inputs (docs/fixed-point.md, "Integer inputs"): the scale the quantizer
picks, the model file, the C kernel on the host (UBSan/ASan) against the reference on
every kind of reading, and whole models on the emulated cores (slow)."""

from __future__ import annotations

import dataclasses
import subprocess

import numpy as np
import pytest

from snn2c import ir, modelfile
from snn2c.boards import load_board
from snn2c.build import build
from snn2c.codegen import write_sources
from snn2c.contract import X_ONE
from snn2c.emulate.verify import verify_qemu
from snn2c.errors import ModelFormatError
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.quantize.fixedpoint import RAW_PRODUCT_MAX, raw_input_scale
from snn2c.reference import normalize_device, normalize_raw

from hostc import SANITIZE, STRICT

I32 = np.iinfo(np.int32)
RANGES = [(0, 4095), (-32768, 32767), (0, 1), (-5, 3), (100, 101), (I32.min, -1), (0, I32.max)]
RANGES += [(-(2**30), 2**30 - 1), (1, 1 + 3**19)]


def integer_network(ranges, seed=0, features=None) -> ir.Network:
    net = random_network(seed, n_features=len(ranges), hidden=(8,), features=features)
    low = np.array([lo for lo, _ in ranges], dtype=np.float64)
    high = np.array([hi for _, hi in ranges], dtype=np.float64)
    inputs = ir.InputSpec(net.inputs.names, low, high, integer=True)
    return dataclasses.replace(net, inputs=inputs)


def readings(ranges, n, seed=0) -> np.ndarray:
    """Edges, one past them, int32's extremes, then random readings around the range."""
    rng = np.random.default_rng(seed)
    lo = np.array([a for a, _ in ranges], dtype=np.int64)
    hi = np.array([b for _, b in ranges], dtype=np.int64)
    rows = [lo, hi, lo - 1, hi + 1, np.full_like(lo, I32.min), np.full_like(lo, I32.max)]
    span = hi - lo
    frac = rng.uniform(-0.2, 1.2, (n, lo.size))
    rows.append(lo + np.floor(frac * span).astype(np.int64))
    return np.clip(np.vstack(rows), I32.min, I32.max)


@pytest.mark.parametrize("span", [1, 2, 3, 255, 4095, 65535, 10**6, 2**24 + 1, 2**31 - 1])
def test_scale_fits_uint32_and_reaches_one(span):
    mult, shift = raw_input_scale(span)
    assert mult >= 1 and 0 <= shift <= 31
    assert span * mult + ((1 << shift) >> 1) <= RAW_PRODUCT_MAX
    top = (span * mult + ((1 << shift) >> 1)) >> shift
    # the range's top maps to 1.0 (clamped) or just below it for the widest spans
    assert X_ONE - 1 <= min(top, X_ONE) <= X_ONE
    # within one Q12 step of 4096 r / span up to 16-bit spans, two up to 24-bit ones (the
    # 32-bit product leaves the multiplier fewer bits on wider spans)
    if span <= 2**24:
        tol = 1.0 if span <= 2**16 else 2.0
        r = np.unique(np.linspace(0, span, 2000).astype(np.int64))
        q = np.minimum((r * mult + ((1 << shift) >> 1)) >> shift, X_ONE)
        assert np.max(np.abs(q - X_ONE * r / span)) <= tol


def test_reference_clamps_and_refuses_fractions():
    qnet = quantize(integer_network([(0, 4095), (-10, 10)]))
    q = normalize_raw(qnet, np.array([[-1, -11], [4095, 10], [5000, 11], [2048, 0]]))
    assert q.tolist() == [[0, 0], [4096, 4096], [4096, 4096], [2049, 2048]]
    with pytest.raises(ValueError, match="whole numbers"):
        normalize_raw(qnet, np.array([[0.5, 0.0]]))
    # a model with float inputs has no integer path
    with pytest.raises(ValueError, match="integer inputs"):
        normalize_raw(quantize(random_network(0)), np.zeros((1, 3)))


def test_model_file_round_trip_and_refusals(tmp_path):
    net = integer_network([(0, 4095), (-7, 9)])
    path = tmp_path / "m.snn"
    modelfile.save(net, path)
    back = modelfile.load(path)
    assert back.inputs.integer and back.inputs.adc_bits is None
    np.testing.assert_array_equal(back.inputs.high, [4095, 9])
    # a float-input model's file has no trace of the option (unchanged bytes)
    modelfile.save(random_network(0), tmp_path / "f.snn")
    assert '"integer"' not in (tmp_path / "f.snn").read_text()
    doc = modelfile.to_dict(net)
    doc["inputs"]["high"][0] = 4095.5
    with pytest.raises(ModelFormatError, match="whole-number"):
        modelfile.from_dict(doc)
    doc["inputs"]["high"][0] = 2.0**33
    with pytest.raises(ModelFormatError, match="int32"):
        modelfile.from_dict(doc)
    doc = modelfile.to_dict(net)
    doc["inputs"]["integer"] = "yes"
    with pytest.raises(ModelFormatError, match="true or false"):
        modelfile.from_dict(doc)


# one parameter set for every input: the generator's uniform kernel
UNIFORM = [[(0, 4095)] * 4, [(-32768, 32767)] * 3, [(0, I32.max)] * 2, [(I32.min, -1)] * 2]


def dropping(n: int) -> tuple[ir.FeatureEncoding, ...]:
    """Per-feature encodings of n inputs that drop the second and the last."""
    fe = ir.FeatureEncoding
    keep = (fe(True), fe(False, (0.0, 0.5, 1.0)), fe(True, (0.25,)))
    return tuple(fe() if j in (1, n - 1) else keep[j % 3] for j in range(n))


@pytest.mark.parametrize(
    "ranges,drop",
    [(RANGES, False), *((u, False) for u in UNIFORM), (RANGES, True), (UNIFORM[0], True)],
    ids=["mixed", "adc12", "i16", "pos", "neg", "mixed-dropped", "adc12-dropped"],
)
def test_c_kernel_equals_reference_under_sanitizers(tmp_path, ranges, drop):
    """Every reading, clamped and scaled as the reference does; an input a per-feature
    encoding drops is not read and normalises to 0."""
    features = dropping(len(ranges)) if drop else None
    qnet = quantize(integer_network(ranges, features=features))
    write_sources(qnet, tmp_path / "src")
    kernel = "snn_normalize_raw_uniform_q12(" if ranges is not RANGES else "snn_normalize_raw_q12("
    assert kernel in (tmp_path / "src/snn_model.c").read_text()
    x = readings(ranges, 3000)
    main = tmp_path / "main.c"
    main.write_text(
        '#include <stdio.h>\n#include <stdint.h>\n#include "snn_model.h"\n'
        "int main(void)\n{\n    long v;\n    int32_t raw[SNN_MODEL_N_INPUTS], q[SNN_MODEL_N_INPUTS];\n"
        "    for (;;) {\n        for (int j = 0; j < SNN_MODEL_N_INPUTS; j++) {\n"
        '            if (scanf("%ld", &v) != 1) return 0;\n'
        "            raw[j] = (int32_t)v;\n        }\n"
        "        snn_model_normalize_raw(raw, q);\n"
        '        for (int j = 0; j < SNN_MODEL_N_INPUTS; j++) printf("%ld ", (long)q[j]);\n'
        '        printf("\\n");\n    }\n}\n'
    )
    exe = tmp_path / "norm"
    src = [tmp_path / "src" / f for f in ("snn_model.c", "snn_kernels.c")]
    cmd = ["gcc", *STRICT, *SANITIZE, "-O2", "-I", str(tmp_path / "src"), *map(str, src)]
    subprocess.run([*cmd, str(main), "-o", str(exe)], check=True, capture_output=True)
    text = "\n".join(" ".join(map(str, row)) for row in x) + "\n"
    out = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True)
    dev = np.array([line.split() for line in out.stdout.splitlines()], dtype=np.int64)
    ref = normalize_raw(qnet, x)
    if drop:
        assert not ref[:, [1, len(ranges) - 1]].any()
    bad = np.argwhere(dev != ref)
    if bad.size:
        i, j = bad[0]
        pytest.fail(
            f"reading {x[i, j]} (input {j}, range {ranges[j]}): C {dev[i, j]}, ref {ref[i, j]}"
        )
    assert not out.stderr  # no sanitizer report


def test_predict_uses_the_integer_path():
    qnet = quantize(integer_network([(0, 4095), (0, 255)]))
    x = np.array([[0, 0], [4095, 255], [1000, 17]])
    np.testing.assert_array_equal(normalize_device(qnet, x), normalize_raw(qnet, x))


@pytest.mark.slow
@pytest.mark.parametrize("board_name", ["nucleo-f401", "microbit"])
@pytest.mark.parametrize(
    ("uniform", "drop"),
    [(False, False), (True, False), (False, True)],
    ids=["mixed", "adc12", "mixed-dropped"],
)
def test_integer_model_bit_exact_on_the_target(tmp_path, board_name, uniform, drop):
    ranges = UNIFORM[0] if uniform else RANGES[:5]
    features = dropping(len(ranges)) if drop else None
    net = integer_network(ranges, seed=3, features=features)
    board = load_board(board_name)
    build(net, board, tmp_path / "fw")
    res = verify_qemu(tmp_path / "fw", vectors=40)
    assert res["float_vectors"] == 16 and res["mismatches"] == 0, res
