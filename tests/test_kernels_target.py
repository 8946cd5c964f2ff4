"""Each synapse kernel on the emulated cores, against numpy, case by case (issue 15,
finding 8), in the manner of CMSIS-NN's unit tests.

The host harness compiles the portable loops only; the Cortex-M4's SMLAD path and the
assembly of the Cortex-M0, Cortex-M3 and RV32 (blocks of four rows with a partial last
block, an odd or even number of column groups, zero-padded columns) run only on the
target. Here every dense kernel runs on shapes chosen to hit each of those branches,
with extreme weights and activations, in QEMU; a wrong value names the kernel, the case
and the neuron. The population encoder (two fields per pass on the M4, assembly on the
M0) and both storage forms of the count table (the search and the pairs) run likewise.
"""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

import numpy as np
import pytest

from snn2c.boards import load_board
from snn2c.build import build, project, toolchain
from snn2c.codegen import generator
from snn2c.codegen.cformat import c_float
from snn2c.codegen.layout import blocked_s8_q12, gauss_words, padded_s8_q12
from snn2c.contract import X_ONE
from snn2c.emulate.qemu import run_qemu
from snn2c.netgen import random_network
from snn2c.quantize import quantize, tables
from snn2c.quantize.fixedpoint import rshift_round, sat32
from snn2c.reference import countform, integer

from netcases import count_form_networks

pytestmark = pytest.mark.slow

KERNELS = (
    # name, weight bits, input is spikes, saturating
    ("snn_dense_q12_s8", 8, False, False),
    ("snn_dense_q12_s8_sat", 8, False, True),
    ("snn_dense_q12_s16", 16, False, False),
    ("snn_dense_q12_s16_sat", 16, False, True),
    ("snn_dense_spikes_s8", 8, True, False),
    ("snn_dense_spikes_s8_sat", 8, True, True),
    ("snn_dense_spikes_s16", 16, True, False),
    ("snn_dense_spikes_s16_sat", 16, True, True),
)
SHAPES = (
    (1, 1),
    (3, 1),
    (4, 2),
    (5, 3),
    (8, 7),
    (13, 4),
    (16, 9),
    (33, 2),
    (70, 5),
)  # (n_in, n_out)


def _expected(w, a, shift, bias, sat):
    acc = w.astype(np.int64) @ a.astype(np.int64)
    cur = rshift_round(acc, shift) + bias
    return sat32(cur) if sat else cur


def _fits(w, a, shift, bias) -> bool:
    """The quantizer's proof for a non-saturating kernel: every int32 intermediate fits."""
    acc = w.astype(np.int64) @ a.astype(np.int64)
    half = (1 << (shift - 1)) if shift > 0 else 0
    scaled = rshift_round(acc, shift)
    worst = [np.abs(acc).max() + half, np.abs(scaled).max(), np.abs(scaled + bias).max()]
    row_sums = np.abs(w).astype(np.int64) @ np.abs(a).astype(np.int64)  # partial sums too
    return max(*worst, row_sums.max()) < 2**31


def cases(seed: int = 0):
    """(kernel, bits, spiking, sat, w, a, shift, bias) with extremes first, then random."""
    rng = np.random.default_rng(seed)
    out = []
    for name, bits, spiking, sat in KERNELS:
        wmax = (1 << (bits - 1)) - 1
        for n_in, n_out in SHAPES:
            for style in ("extreme", "random", "random"):
                for _ in range(100):
                    if style == "extreme":
                        w = rng.choice([-wmax - 1, wmax, 0, -1, 1], (n_out, n_in))
                        a = rng.choice([0, 1] if spiking else [0, 4096, 1, 4095], n_in)
                    else:
                        w = rng.integers(-wmax - 1, wmax + 1, (n_out, n_in))
                        a = rng.integers(0, 2, n_in) if spiking else rng.integers(0, 4097, n_in)
                    shift = int(rng.integers(-6, 20) if sat else rng.integers(-2, 16))
                    bias = rng.integers(-(2**20), 2**20, n_out)
                    if sat and style == "extreme":
                        bias = rng.choice([-(2**31), 2**31 - 1, 0], n_out)
                    if sat or _fits(w, a, shift, bias):
                        break
                else:
                    continue
                out.append((name, bits, spiking, sat, w, a, shift, bias))
    return out


def _c_array(ctype: str, values) -> str:
    vals = ", ".join(
        f"({ctype})({int(v)}LL)" if ctype == "int32_t" else str(int(v)) for v in values
    )
    return "{" + (vals or "0") + "}"


def render_main(all_cases) -> str:
    """A main that runs every case once and prints `K case v0 v1 ...` per case."""
    body, data = [], []
    for i, (name, bits, spiking, _sat, w, a, shift, bias) in enumerate(all_cases):
        n_out, n_in = w.shape
        wtype = "int8_t" if bits == 8 else "int16_t"
        n_cols, n_rows = n_in, n_out
        if spiking:
            stored = w.T.ravel()  # [n_in][n_out]: one row per input spike
        elif bits == 8:  # offset weights in blocks of four rows (codegen.layout)
            stored, wtype = blocked_s8_q12(w), "uint16_t"
            n_cols, n_rows = padded_s8_q12(n_in, n_out)
        else:
            stored = w.ravel()
        # word-aligned, as the generator declares them: the DSP kernels read them by LDRD
        data.append(f"static const {wtype} w{i}[] SNN_ALIGN4 = {_c_array(wtype, stored)};")
        act = np.pad(a, (0, n_cols - n_in))  # the encoder pads its output likewise
        if spiking:
            data.append(f"static const uint8_t a{i}[] = {_c_array('uint8_t', act)};")
        else:
            data.append(f"static const int16_t a{i}[] SNN_ALIGN4 = {_c_array('int16_t', act)};")
        b_stored = np.pad(bias, (0, n_rows - n_out))  # the s8 kernel reads bias by fours
        data.append(f"static const int32_t b{i}[] = {_c_array('int32_t', b_stored)};")
        args = f"w{i}, a{i}, {n_cols}, {n_out}, {shift}, b{i}"
        call = f"{name}({args}, acc, cur)" if spiking else f"{name}({args}, cur)"
        body.append(f"    {call};\n    show({i}, cur, {n_out});")
    return _program(["static int32_t acc[64];", "static int32_t cur[64];", *data], body)


def _program(data: list[str], body: list[str]) -> str:
    """A main with `show(k, v, n)`, which prints `K k v0 .. v(n-1)`, running body once."""
    return "\n".join(
        [
            "#include <stdint.h>",
            '#include "board.h"',
            '#include "snn_kernels.h"',
            "",
            *data,
            "",
            "static void show(int k, const int32_t *v, int n)",
            "{",
            '    board_puts("K ");',
            "    board_put_i32(k);",
            "    for (int i = 0; i < n; i++) {",
            "        board_putc(' ');",
            "        board_put_i32(v[i]);",
            "    }",
            "    board_putc('\\n');",
            "}",
            "",
            "int main(void)",
            "{",
            *body,
            '    board_puts("END\\n");',
            "    board_exit(0);",
            "}",
            "",
        ]
    )


@pytest.fixture(scope="module")
def all_cases():
    return cases()


@pytest.mark.parametrize(
    ("board_name", "optimised"),
    [
        ("nucleo-f401", "smlad"),  # Cortex-M4: the DSP path
        ("microbit", "add\tr8, r6"),  # Cortex-M0: the assembly (accumulators in r8-r11)
        ("nucleo-f103rb", "mla\tr3, r8, r4, r3"),  # Cortex-M3: the assembly (MLA, no DSP)
        ("esp32-c3", "mul\tt4,t4,t0"),  # RV32IMC: the assembly (LHU, MUL, ADD)
        ("esp8266", None),  # Xtensa lx106: the portable loops (its 64-bit products: rt_lx106.c)
    ],
)
def test_kernels_equal_numpy_on_the_target(tmp_path, all_cases, board_name, optimised):
    rows = _run_main(tmp_path, board_name, render_main(all_cases), optimised)
    assert len(rows) == len(all_cases)
    for i, (name, _bits, _spiking, sat, w, a, shift, bias) in enumerate(all_cases):
        want = _expected(w, a, shift, bias, sat).tolist()
        if rows[i] != want:
            j = next(j for j, (d, r) in enumerate(zip(rows[i], want, strict=True)) if d != r)
            pytest.fail(
                f"{board_name}: {name} case {i} (n_in {w.shape[1]}, n_out {w.shape[0]}, "
                f"shift {shift}): neuron {j}: device {rows[i][j]}, numpy {want[j]}"
            )


def _run_main(tmp_path, board_name: str, main_c: str, optimised: str | None) -> dict:
    """Link main_c with the kernels and the board's runtime, run it in QEMU, and return
    its `K case v0 v1 ...` lines as {case: [values]}."""
    board = load_board(board_name)
    proj = tmp_path / "proj"
    build(random_network(0, hidden=(4,)), board, proj)  # the runtime: start-up, UART, exit
    main = proj / "kernel_tests.c"
    main.write_text(main_c)
    sources = [
        proj / s
        for s in project.image_sources(board, "harness-qemu")
        if not s.endswith(("snn_model.c", "harness_main.c"))
    ]
    elf = proj / "out" / "kernel_tests.elf"
    toolchain.link_image(
        board,
        [*sources, main],
        include_dirs=[proj / "config" / "emu", proj / "src"],
        linker_script=proj / project.image_ld("harness-qemu"),
        elf=elf,
        strict=True,
    )
    if optimised:  # the image really holds the DSP path these cases are for
        dis = subprocess.run(
            [board.tool("objdump"), "-d", str(elf)], capture_output=True, text=True, check=True
        ).stdout
        assert optimised in dis
    run = run_qemu(board, elf, timeout=120)
    rows = {}
    for line in run.stdout.splitlines():
        if line.startswith("K "):
            k, *vals = (int(t) for t in line.split()[1:])
            rows[k] = vals
    assert run.stdout.rstrip().endswith("END"), run.stdout[-500:]
    return rows


# ---------------------------------------------------------- encoder, counting form

I32_EXTREMES = [-(2**31), -(2**20), -1, 0, 1, 2**20, 2**31 - 1]


def encoder_cases(seed: int = 1):
    """(n_fields, sigma, x): every field count from 2 to 9 (pairs and an odd last
    field for the Cortex-M4's two-per-pass loop), Q12 inputs at the clamp, the
    centres and their neighbours, table-step edges and int32 extremes."""
    rng = np.random.default_rng(seed)
    out = []
    for n_fields in range(2, 10):
        centres = tables.centres_q12(n_fields)
        for sigma in (0.05, 0.25, 1.0):
            near = np.concatenate([centres + o for o in (-17, -16, -15, -1, 0, 1, 15, 16)])
            edge = [0, 1, 15, 16, 17, 4079, 4080, 4095, 4096, 4097, 8191, 8192]
            x = np.concatenate([I32_EXTREMES, edge, near, rng.integers(-300, 4400, 40)])
            out.append((n_fields, sigma, x.astype(np.int64)))
    return out


def count_cases():
    """(name, table view, currents, fold weights): the counting-form networks' tables,
    at every run start and its neighbours, the clamp's ends and int32 extremes."""
    rng = np.random.default_rng(2)
    out = []
    for name, net in count_form_networks():
        cf = countform.derive(quantize(net))
        if cf is None:
            continue
        view = generator._count_form_view(cf)
        runs = cf.edges.astype(np.int64)
        cur = np.concatenate(
            [I32_EXTREMES, runs - 1, runs, runs + 1, [cf.top - 1, cf.top, cf.top + 1]]
        )
        cur = np.concatenate([cur, rng.integers(-cf.top, 2 * cf.top, 64)])
        cur = np.clip(cur, -(2**31), 2**31 - 1)
        fold = rng.integers(-(2**31), 2**31, cur.size)  # int64 sums
        small = rng.integers(-1000, 1000, cur.size)  # sums that fit int32
        out.append((name, view, cf, cur, fold, small))
    return out


def render_encoder_count_main(enc, cnt) -> str:
    """Each encoder case through snn_encode_population_q12, each count table through
    snn_lif_count_lookup and snn_lif_count_fold (int32 and int64 sums), one line each."""
    data, body, k = [], [], 0
    for i, (n_fields, sigma, x) in enumerate(enc):
        words = gauss_words(tables.gaussian_table(sigma))
        data.append(f"static const int32_t ex{i}[] = {_c_array('int32_t', x)};")
        data.append(
            f"static const int16_t ec{i}[] = {_c_array('int16_t', tables.centres_q12(n_fields))};"
        )
        data.append(f"static const int32_t eg{i}[] = {_c_array('int32_t', words)};")
        n = x.size * n_fields
        body.append(
            f"    snn_encode_population_q12(ex{i}, {x.size}, {n_fields}, ec{i}, eg{i}, act);\n"
            f"    for (int j = 0; j < {n}; j++) {{ out[j] = act[j]; }}\n    show({k}, out, {n});"
        )
        k += 1
    for i, (_name, v, _cf, cur, fold, small) in enumerate(cnt):
        data += [
            f"static const int32_t ce{i}[] = {_c_array('int32_t', v['edges'])};",
            f"static const uint16_t cc{i}[] = {_c_array('uint16_t', v['counts'])};",
            f"static const uint16_t cb{i}[] = {_c_array('uint16_t', v['bucket'])};",
            f"static const snn_count_table_t ct{i} = {{ce{i}, cc{i}, cb{i}, {v['top']}, "
            f"{v['shift']}}};",
            f"static const int32_t cx{i}[] = {_c_array('int32_t', cur)};",
            f"static const int32_t cf{i}[] = {_c_array('int32_t', fold)};",
            f"static const int32_t cs{i}[] = {_c_array('int32_t', small)};",
        ]
        forms = [("", f"&ct{i}")]
        if (p := v["pairs"]) is not None:
            data += [
                f"static const int32_t pe{i}[] = {_c_array('int32_t', p.edge)};",
                f"static const uint16_t pl{i}[] = {_c_array('uint16_t', p.lo)};",
                f"static const uint16_t ph{i}[] = {_c_array('uint16_t', p.hi)};",
                f"static const snn_count_pairs_t cp{i} = {{pe{i}, pl{i}, ph{i}, {p.last}, "
                f"{p.shift}}};",
            ]
            forms.append(("_pairs", f"&cp{i}"))
        n = cur.size
        for suffix, table in forms:
            body.append(
                f"    spikes = snn_lif_count_lookup{suffix}(cx{i}, {n}, {table}, counts);\n"
                f"    for (int j = 0; j < {n}; j++) {{ out[j] = counts[j]; }}\n"
                f"    out[{n}] = (int32_t)spikes;\n    show({k}, out, {n + 1});"
            )
            for fold_name, acc32 in ((f"cf{i}", 0), (f"cs{i}", 1)):
                k += 1
                body.append(
                    f"    wide = snn_lif_count_fold{suffix}(cx{i}, {n}, {table}, {fold_name}, "
                    f"{acc32}, &spikes);\n"
                    "    out[0] = (int32_t)(wide >> 32);\n"
                    "    out[1] = (int32_t)(uint32_t)((uint64_t)wide & 0xFFFFFFFFu);\n"
                    f"    out[2] = (int32_t)spikes;\n    show({k}, out, 3);"
                )
            k += 1
    n_max = max([x.size * f for f, _s, x in enc] + [c[3].size + 1 for c in cnt])
    head = [
        f"static int16_t act[{n_max}];",
        f"static int32_t out[{n_max}];",
        f"static uint16_t counts[{n_max}];",
        "static uint32_t spikes;",
        "static int64_t wide;",
    ]
    return _program(head + data, body)


def _expected_encoder_count(enc, cnt) -> list[list[int]]:
    want = []
    for n_fields, sigma, x in enc:
        xc = np.clip(x, 0, X_ONE)[None, :]
        q = SimpleNamespace(
            col_feature=np.repeat(np.arange(xc.shape[1]), n_fields),
            col_direct=np.zeros(xc.shape[1] * n_fields, dtype=bool),
            col_centre=np.tile(tables.centres_q12(n_fields), xc.shape[1]),
            gauss=tables.gaussian_table(sigma),
        )
        want.append(integer.gaussian_activation(q, xc)[0].tolist())
    for _name, v, cf, cur, fold, small in cnt:
        n = countform.lookup(cf, cur).astype(np.int64)
        for _form in range(1 if v["pairs"] is None else 2):  # the search form, the pair form
            want.append([*n.tolist(), int(n.sum())])
            for w in (fold, small):
                acc = int((w.astype(np.int64) * n).sum())
                lo = acc & 0xFFFFFFFF
                want.append([acc >> 32, lo - (1 << 32) if lo >= 2**31 else lo, int(n.sum())])
    return want


@pytest.mark.parametrize(
    ("board_name", "optimised"),
    [
        ("nucleo-f401", "smultt"),  # Cortex-M4: two fields per pass
        ("microbit", "mov\tlr, r2"),  # Cortex-M0: the encoder's assembly (n_fields in lr)
        ("nucleo-f103rb", None),
        ("esp32-c3", None),
        ("esp8266", None),
    ],
)
def test_encoder_and_count_kernels_equal_numpy_on_the_target(tmp_path, board_name, optimised):
    enc, cnt = encoder_cases(), count_cases()
    assert {v["pairs"] is None for _n, v, *_ in cnt} == {False, True}  # both storage forms
    rows = _run_main(tmp_path, board_name, render_encoder_count_main(enc, cnt), optimised)
    want = _expected_encoder_count(enc, cnt)
    assert len(rows) == len(want)
    for k, w in enumerate(want):
        if rows[k] != w:
            j = next(j for j, (d, r) in enumerate(zip(rows[k], w, strict=True)) if d != r)
            pytest.fail(f"{board_name}: case {k}, value {j}: device {rows[k][j]}, numpy {w[j]}")


def test_the_case_list_reaches_every_branch(all_cases):
    # every kernel: whole and partial blocks of four rows, an odd and an even number of
    # groups of four columns (the M0 loop's two entries), inputs with and without
    # zero-padded columns, and saturated results in the _sat kernels
    for name, *_ in KERNELS:
        mine = [c for c in all_cases if c[0] == name]
        assert {c[4].shape[0] % 4 == 0 for c in mine} == {True, False}, name
        assert {-(-c[4].shape[1] // 4) % 2 for c in mine} == {0, 1}, name
        assert {c[4].shape[1] % 4 == 0 for c in mine} == {True, False}, name
    sat = [c for c in all_cases if c[3]]
    clipped = [c for c in sat if np.any(np.abs(_expected(c[4], c[5], c[6], c[7], False)) >= 2**31)]
    assert clipped, "no _sat case saturates"


# ------------------------------------------------------- float readings in integers

FRACS = (-20, -1, 0, 1, 7, 12, 24, 31, 32, 40)


def float_bit_cases(seed: int = 3) -> np.ndarray:
    """float32 bit patterns: zeros, subnormals, the normal range's ends, the infinities,
    NaNs, values at and around int32's edges for each frac, random patterns of every
    exponent and random values of sensor size."""
    rng = np.random.default_rng(seed)
    special = [0, 0x80000000, 1, 0x007FFFFF, 0x807FFFFF, 0x00800000, 0x3F800000, 0xBF800000]
    special += [0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFFFFFFFF]
    edges = []
    for frac in FRACS:
        for v in (2.0**31, 2.0**31 - 128, 2.0**30, 1.0, 0.5):
            for s in (1.0, -1.0):
                edges.append(s * v * 2.0**-frac)
    edge_bits = np.asarray(edges, dtype=np.float32).view(np.uint32)
    near = np.concatenate([edge_bits - 1, edge_bits, edge_bits + 1])
    values = rng.uniform(-1e4, 1e4, 200).astype(np.float32).view(np.uint32)
    patterns = rng.integers(0, 2**32, 200, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([np.asarray(special, np.uint32), near, values, patterns])


@pytest.mark.parametrize(
    ("board_name", "optimised"),
    [
        ("nucleo-f401", "vcvt.s32.f32"),  # Cortex-M4F: a multiply by 2^frac and VCVT
        ("microbit", None),  # the others: from the float's bits
        ("nucleo-f103rb", None),
        ("esp32-c3", None),
        ("esp8266", None),
    ],
)
def test_float_readings_to_fixed_point_equal_numpy_on_the_target(tmp_path, board_name, optimised):
    """snn_fixed_of_float, X = trunc(x 2^frac) saturated to int32 (NaN: INT32_MIN), on every
    core: the Cortex-M4's VCVT and the other cores' reading of the float's bits."""
    bits = float_bit_cases()
    data = [f"static const uint32_t fb[] = {_c_array('uint32_t', bits)};"]
    rows = ", ".join(f"{{{{0, 1, 1u, 0u, 0u}}, {c_float(2.0**f)}, {f}}}" for f in FRACS)
    data.append(f"static const snn_float_input_t fp[] = {{{rows}}};")
    body = [
        f"    for (int k = 0; k < {len(FRACS)}; k++) {{\n"
        f"        for (int j = 0; j < {bits.size}; j++) {{\n"
        "            float x;\n"
        "            memcpy(&x, &fb[j], sizeof x);\n"
        "            out[j] = snn_fixed_of_float(x, &fp[k]);\n"
        "        }\n"
        f"        show(k, out, {bits.size});\n"
        "    }"
    ]
    program = _program([f"static int32_t out[{bits.size}];", *data], body)
    program = program.replace("#include <stdint.h>", "#include <stdint.h>\n#include <string.h>")
    rows = _run_main(tmp_path, board_name, program, optimised)
    x = bits.view(np.float32)
    assert len(rows) == len(FRACS)
    for k, frac in enumerate(FRACS):
        want = integer.fixed_of_float(x, np.int64(frac)).tolist()
        if rows[k] != want:
            j = next(j for j, (d, w) in enumerate(zip(rows[k], want, strict=True)) if d != w)
            pytest.fail(
                f"{board_name}: frac {frac}, float bits {int(bits[j]):#010x}: "
                f"device {rows[k][j]}, numpy {want[j]}"
            )


# (low, high, frac) of float inputs: low >= 0 (no NaN test on an FPU: VCVT's 0 for a NaN
# is at or below low) and low < 0 (the test kept), fracs inside VCVT's fixed-point form
# (1..32) and outside it (the multiply by 2^frac)
Q12_ROWS = (
    (0, 65536, 16),
    (0, 131071, 17),
    (37, 65573, 16),
    (-65536, 65536, 16),
    (-70000, -3000, 12),
    (5, 70000, 32),
    (-3, 120000, 0),
    (-1000, 90000, -4),
    (2, 65540, 40),
)


@pytest.mark.parametrize(
    ("board_name", "optimised"),
    [
        ("nucleo-f401", "vcvt.s32.f32\ts15, s15, #16"),  # VCVT's fixed-point form
        ("microbit", None),
        ("esp32-c3", None),
    ],
)
def test_float_readings_to_q12_equal_numpy_on_the_target(tmp_path, board_name, optimised):
    """snn_q12_of_float with each input's parameters a constant, as a model's table is:
    on the Cortex-M4 VCVT's fixed-point form and, where low >= 0, no NaN test; the same
    Q12 as numpy's X then the integer rule, NaNs, infinities and subnormals included."""
    from snn2c.quantize.fixedpoint import raw_input_scale
    from snn2c.quantize.plan import RawInputs

    bits = float_bit_cases(5)
    data = [f"static const uint32_t fb[] = {_c_array('uint32_t', bits)};"]
    body = []
    rules = []  # each row's integer rule, as the quantizer derives it
    for k, (low, high, frac) in enumerate(Q12_ROWS):
        mult, shift = raw_input_scale(high - low)
        half = (1 << shift) >> 1
        rules.append(RawInputs(*(np.array([v]) for v in (low, high, mult, shift, half))))
        data.append(
            f"static const snn_float_input_t fp{k} = "
            f"{{{{{low}, {high}, {mult}u, {half}u, {shift}u}}, {c_float(2.0**frac)}, {frac}}};"
        )
        body.append(
            f"    for (int j = 0; j < {bits.size}; j++) {{\n"
            "        float x;\n"
            "        memcpy(&x, &fb[j], sizeof x);\n"
            f"        out[j] = snn_q12_of_float(x, &fp{k});\n"
            "    }\n"
            f"    show({k}, out, {bits.size});"
        )
    program = _program([f"static int32_t out[{bits.size}];", *data], body)
    program = program.replace("#include <stdint.h>", "#include <stdint.h>\n#include <string.h>")
    rows = _run_main(tmp_path, board_name, program, optimised)
    x = bits.view(np.float32)
    assert len(rows) == len(Q12_ROWS)
    for k, ((_low, _high, frac), rule) in enumerate(zip(Q12_ROWS, rules, strict=True)):
        fixed = integer.fixed_of_float(x, np.int64(frac))
        want = integer._q12_of_readings(rule, fixed[:, None])[:, 0].tolist()
        assert rows[k] != [0] * bits.size  # a row that gives 0 everywhere would prove little
        if rows[k] != want:
            j = next(j for j, (d, w) in enumerate(zip(rows[k], want, strict=True)) if d != w)
            pytest.fail(
                f"{board_name}: row {Q12_ROWS[k]}, float bits {int(bits[j]):#010x}: "
                f"device {rows[k][j]}, numpy {want[j]}"
            )
