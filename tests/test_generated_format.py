"""The generated C is clang-format clean under the project's .clang-format (issue 15,
finding 7): what a firmware engineer's own formatter would leave unchanged. The
tables sit between clang-format off/on markers (a fixed count of values per line)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

from snn2c import ir
from snn2c.codegen import render_sources
from snn2c.contract import Decoder, Encoder, kind_names
from snn2c.netgen import random_network
from snn2c.quantize import quantize

from netcases import per_feature_networks, streaming_variant

ROOT = Path(__file__).resolve().parent.parent


def networks():
    """Every encoder x decoder kind, deeper and wider nets, int16, Izhikevich, leaks."""
    i = 0
    for enc in kind_names(Encoder):
        for dec in kind_names(Decoder):
            hidden = ((8,), (12, 6), (130,))[i % 3]
            yield f"{enc}-{dec}", random_network(i, encoder=enc, decoder=dec, hidden=hidden)
            i += 1
    yield "int16", random_network(1, hidden=(20, 10), weight_bits=16, n_outputs=3)
    yield "mul-ge-zero", random_network(2, leak="mul", fire="ge", reset="zero", steps=12)
    yield "next-step", random_network(3, reset_timing="next_step", hidden=(9, 9, 9))
    net = random_network(4, hidden=(8, 6))
    izh = dataclasses.replace(net.layers[0], neuron=ir.IzhikevichNeuron.from_preset())
    yield "izhikevich", dataclasses.replace(net, layers=(izh, *net.layers[1:]))
    # streaming models: snn_model_push, the per-sample start, the header's proof line
    # (a non-leaky readout saturates, a long line in the header)
    yield "stream-leaky", streaming_variant(random_network(5, hidden=(8,)), 2)
    yield "stream-flat", streaming_variant(random_network(6, encoder="direct"), None)
    bern = random_network(7, encoder="rate_bernoulli", decoder="rate")
    izh = dataclasses.replace(bern.layers[0], neuron=ir.IzhikevichNeuron.from_preset())
    bern = dataclasses.replace(bern, layers=(izh, *bern.layers[1:]))
    yield "stream-izh-bernoulli", streaming_variant(bern, 3)
    yield from per_feature_networks()  # a kernel call per run of inputs


def test_generated_sources_are_clang_format_clean(tmp_path):
    exe = shutil.which("clang-format")
    assert exe, "clang-format is needed (scripts/setup.sh installs it)"
    shutil.copy(ROOT / ".clang-format", tmp_path / ".clang-format")
    written = []
    for name, net in networks():
        folder = tmp_path / name
        folder.mkdir()
        for fname, text in render_sources(quantize(net)).items():
            if fname.startswith("snn_model") or fname == "snn_contract.h":
                (folder / fname).write_text(text)
                written.append(folder / fname)
    res = subprocess.run(
        [exe, "--dry-run", "--Werror", *map(str, written)], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr[:3000]
    # the streaming cases are streaming models (and one of them saturates); a static
    # model has none of their code, only the define
    assert "snn_model_push" in (tmp_path / "stream-flat" / "snn_model.h").read_text()
    assert not quantize(dict(networks())["stream-flat"]).proven
    for name in ("int16", "izhikevich"):
        header = (tmp_path / name / "snn_model.h").read_text()
        source = (tmp_path / name / "snn_model.c").read_text()
        assert "#define SNN_MODEL_STREAMING 0" in header
        assert "void snn_model_push" not in header and "snn_model_push(" not in source
        assert "snn_sample_begin" not in source and "Streaming" not in header


def test_the_format_check_can_fail(tmp_path):
    exe = shutil.which("clang-format")
    assert exe
    shutil.copy(ROOT / ".clang-format", tmp_path / ".clang-format")
    bad = tmp_path / "bad.c"
    bad.write_text("int f(void)\n{\n  return 0;\n}\n")  # two-space indent
    res = subprocess.run([exe, "--dry-run", "--Werror", str(bad)], capture_output=True, text=True)
    assert res.returncode != 0
