"""Model-controlled text never reaches a generated file as code: names are validated,
free text (input names, target name and units, the command line) is reduced to
comment-safe lines. Hostile strings go through every generator; the results are
compiled, parsed and searched for the injected code."""

from __future__ import annotations

import configparser
import dataclasses
import json
import subprocess

import pytest

from snn2c import ir, modelfile
from snn2c.boards import load_board
from snn2c.build import build
from snn2c.cli import main
from snn2c.netgen import random_network
from snn2c.textsafe import check_name, comment, safe_name

from _boards_helpers import need_toolchain

HOSTILE = [
    "*/ int snn2c_injected(void) { return 42; } /*",
    "x\nall:\n\techo snn2c_injected > pwned",
    "a\\",
    "??/",
    "#[[ bracket\n]]",
    '"; [section]\nkey = snn2c_injected',
    "tempé (°C) \u202e\U0001f600",
    "\r\n/* nested */ \t\x00\x1b[31m",
    "$(shell echo snn2c_injected)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_is_one_safe_line(text):
    s = comment(text)
    assert "\n" not in s and "\r" not in s
    assert "*/" not in s and "/*" not in s and "??" not in s
    assert not s.endswith("\\")
    assert all(32 <= ord(c) < 127 for c in s)


def test_names():
    for ok in ("friedman1", "mackey-glass", "my_model.v2", "a+b"):
        assert check_name(ok, "name") == ok
    for bad in ("", "-x", "a b", "x*/", "a\nb", "é", "x" * 65):
        with pytest.raises(Exception, match="expected a name"):
            check_name(bad, "name")
    assert safe_name("csv:my data (v2).csv") == "csv_my_data_v2_.csv"
    assert safe_name("***") == "model"


def test_a_hostile_model_name_is_refused_on_load(tmp_path, capsys):
    path = tmp_path / "m.snn"
    modelfile.save(random_network(1), path)
    doc = json.loads(path.read_text())
    doc["name"] = HOSTILE[0]
    path.write_text(json.dumps(doc))
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert "m.snn: name: expected" in err and "Traceback" not in err


def _hostile_network() -> ir.Network:
    net = random_network(4, n_features=len(HOSTILE))
    inputs = dataclasses.replace(net.inputs, names=tuple(HOSTILE))
    target = dataclasses.replace(net.target, name=HOSTILE[1], units=HOSTILE[0])
    return dataclasses.replace(net, inputs=inputs, target=target)


def test_hostile_text_through_every_generator(tmp_path):
    board = load_board("nucleo-f401")
    need_toolchain(board)
    net = _hostile_network()
    model = tmp_path / "m.snn"
    modelfile.save(net, model)  # free text is allowed in the model ...
    out = tmp_path / "fw"
    command = "snn2c build '" + HOSTILE[0] + "' " + HOSTILE[1]
    build(modelfile.load(model), board, out, command=command)  # ... and compiles (-Werror)

    # the injected function is in no image, the injected text in no line of code
    for elf in (out / "out").glob("*.elf"):
        syms = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True)
        assert "snn2c_injected" not in syms.stdout
    texts = {
        p: p.read_text()
        for p in out.rglob("*")
        if p.is_file()
        and p.suffix != ".elf"
        and p.name not in ("model.snn",)
        and not p.name.endswith(".map")
    }
    for path, text in texts.items():
        for line in text.splitlines():
            if "snn2c_injected" in line:
                stripped = line.strip()
                assert stripped.startswith(("*", "/*", "#", ";", "//", '"')), (path, line)

    # make sees no injected rule or command
    dry = subprocess.run(
        ["make", "-n", "-C", str(out), "all"], capture_output=True, text=True, check=True
    )
    assert "snn2c_injected" not in dry.stdout and "pwned" not in dry.stdout
    # platformio.ini: the sections snn2c writes and nothing else
    ini = configparser.ConfigParser()
    ini.read(out / "platformio.ini")
    assert not any("snn2c_injected" in k for s in ini.sections() for k in ini[s])
    assert "section" not in ini.sections()
    for p in out.rglob("*.json"):
        json.loads(p.read_text())  # every JSON file still parses
