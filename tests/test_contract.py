"""snn2c.contract is the only home of the contract's numbers (issue 15, finding 1).

The C side gets them through the generated snn_contract.h; these tests fail if the
header disagrees with the Python values as the C compiler evaluates them, or if a
number of the contract is typed into the kernels or the model templates again.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from snn2c import contract
from snn2c.codegen.generator import CONTRACT_HEADER, render_sources
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.resources import data_dir

# the files that carry the contract's arithmetic and table layout
CONTRACT_C = ("firmware/snn_kernels.c", "firmware/snn_kernels.h", "firmware/snn_kernels_dsp.h")
CONTRACT_JINJA = ("templates/snn_model.c.j2", "templates/snn_model.h.j2")
# 0..4 are structure, not contract: indices, pairs, the four-way unrolled loops
SMALL = {0, 1, 2, 3, 4}


def code_only(text: str) -> str:
    """Text without comments, string and character literals, and Jinja markup."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\])*'", "''", text)


def literal_offences(text: str) -> list[str]:
    """Numbers that should have been a contract name: integers above 4 (any base),
    float literals other than 0, 0.5 and 1, and shifts by a literal."""
    code = code_only(text)
    bad = []
    for m in re.finditer(
        r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+\.\d*|\d*\.\d+|\d+)[uUlLfF]*(?![\w.])", code
    ):
        tok = m.group(1)
        if "." in tok:
            if float(tok) not in (0.0, 0.5, 1.0):
                bad.append(tok)
        elif int(tok, 0) not in SMALL:
            bad.append(tok)
    bad += [m.group(0) for m in re.finditer(r"(<<|>>)\s*\d+", code)]
    return bad


@pytest.mark.parametrize("rel", CONTRACT_C + CONTRACT_JINJA)
def test_no_contract_literal_in_the_kernels_or_templates(rel):
    folder, name = rel.split("/")
    text = (data_dir(folder) / name).read_text()
    assert literal_offences(text) == [], f"{rel}: name these in snn2c/contract.py"


def test_the_literal_check_can_fail():
    # each offence the scan must see, and what it must let through
    assert literal_offences("x = (v * 41943 + (1 << 19)) >> 20;") == [
        "41943",
        "19",
        "20",
        "<< 19",
        ">> 20",
    ]
    assert literal_offences("t = 4096.0f; y = 0x1000;") == ["4096.0", "0x1000"]
    assert literal_offences('a[i + 3] = 0; /* 4096 */ s = "65536"; {{ 257 }}') == []


def test_header_values_are_the_contract_values_in_c(tmp_path):
    cc = shutil.which("gcc") or shutil.which("cc")
    assert cc, "a host C compiler is needed (scripts/setup.sh installs gcc)"
    (tmp_path / CONTRACT_HEADER).write_text(contract.c_header())
    prints = "\n".join(
        f'    printf("{name} %lld\\n", (long long)({name}));' for name, *_ in contract.C_CONSTANTS
    )
    src = tmp_path / "show.c"
    src.write_text(
        f'#include <stdio.h>\n#include "{CONTRACT_HEADER}"\nint main(void)\n{{\n{prints}\n    return 0;\n}}\n'
    )
    exe = tmp_path / "show"
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-o", exe, src], check=True)
    shown = dict(
        ln.split()
        for ln in subprocess.run(
            [exe], check=True, capture_output=True, text=True
        ).stdout.splitlines()
    )
    assert {k: int(v) for k, v in shown.items()} == {
        name: value for name, value, *_ in contract.C_CONSTANTS
    }


def test_every_c_name_is_used_and_every_source_gets_the_header():
    nets = [random_network(seed=1), random_network(seed=2, decoder="population")]
    texts = {CONTRACT_HEADER: contract.c_header()}  # once: its #defines are counted once
    for net in nets:
        files = render_sources(quantize(net))
        assert files[CONTRACT_HEADER] == contract.c_header()
        texts.update({f"{net.name}/{k}": v for k, v in files.items() if k != CONTRACT_HEADER})
    # the long stream's generator and hash (the harness and the host tests include it)
    for name in ("harness_stream.h", "harness_main.c"):
        texts[name] = (data_dir("firmware") / name).read_text()
    text = "".join(texts.values())
    # a name is read if it occurs beyond its own #define (kernels, model, other defines)
    unused = [n for n, *_ in contract.C_CONSTANTS if len(re.findall(rf"\b{n}\b", text)) < 2]
    assert unused == []


def test_tables_have_the_contract_geometry():
    from snn2c.quantize import tables

    assert tables.gaussian_table(0.2).shape == (contract.GAUSS_ENTRIES,)
    s = tables.sigmoid_table()
    assert s.shape == (contract.SIGMOID_ENTRIES,)
    # S[k] is sigmoid(-8 + k/16) in Q15: the middle entry is one half
    assert s[contract.SIGMOID_ENTRIES // 2] == 1 << (contract.SIGMOID_OUT_FRAC - 1)
    assert contract.IZH_K04 == 41943  # rnd(0.04 * 2^20), as docs/fixed-point.md states


# the contract's numbers as Python spells them: the Q12 / Q15 / Q16 ones and their powers
CONTRACT_VALUES = {contract.X_ONE, 1 << contract.BETA_FRAC, contract.V_ONE}
CONTRACT_VALUES |= {v - 1 for v in CONTRACT_VALUES}
CONTRACT_POWERS = {contract.X_FRAC, contract.BETA_FRAC, contract.V_FRAC}
# numbers that equal one of them by coincidence, each with what it is instead
NOT_CONTRACT = {
    ("snn2c/fuzz.py", "65536"): "a reading the fuzzer feeds, not a scale",
    ("snn2c/build/project.py", "4096"): "the firmware's stack size in bytes",
    ("snn2c/build/renode.py", "4096"): "Renode's page size",
    ("snn2c/textsafe.py", "0x10000"): "the first code point beyond Unicode's BMP",
}


def python_offences(text: str) -> list[str]:
    """Contract numbers typed as Python literals (comments, strings, docstrings
    excluded): 4096, 32768, 65536 and one less, and 2 ** k or 1 << k for k in 12, 15, 16,
    negative exponents included."""
    import ast
    import io
    import tokenize

    toks = [
        t
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT)
    ]
    bad = []
    for i, t in enumerate(toks):
        if t.type != tokenize.NUMBER:
            continue
        value = ast.literal_eval(t.string)
        if value in CONTRACT_VALUES:
            bad.append(t.string)
        rest = [x.string for x in toks[i + 1 : i + 4]] + ["", "", ""]
        if value in (1, 2) and rest[0] in ("**", "<<"):
            used = rest[:3] if rest[1] in ("-", "(") else rest[:2]
            if used[-1].isdigit() and int(used[-1]) in CONTRACT_POWERS:
                bad.append(" ".join([t.string, *used]))
    return bad


def _product_python() -> list[str]:
    root = data_dir("templates").parent
    return sorted(
        str(p.relative_to(root)) for p in (root / "snn2c").rglob("*.py") if p.name != "contract.py"
    )


@pytest.mark.parametrize("rel", _product_python())
def test_no_contract_number_typed_again_in_python(rel):
    root = data_dir("templates").parent
    bad = [b for b in python_offences((root / rel).read_text()) if (rel, b) not in NOT_CONTRACT]
    assert bad == [], f"{rel}: use snn2c.contract's names for {bad}"


def test_the_python_check_can_fail():
    assert python_offences("y = q / 65536.0\nz = 2.0**-16\nw = 1 << 15  # 4096\n") == [
        "65536.0",
        "2.0 ** - 16",
        "1 << 15",
    ]
    assert python_offences('"""4096 and 2**16"""\nx = 4095 + 2 ** 12\n') == ["4095", "2 ** 12"]
    assert python_offences("n = 257\nm = 2 ** 31\n") == []


def test_every_exception_is_still_there():
    """An entry of NOT_CONTRACT whose number has gone from its file is stale."""
    root = data_dir("templates").parent
    for rel, number in NOT_CONTRACT:
        assert number in python_offences((root / rel).read_text()), (rel, number)
