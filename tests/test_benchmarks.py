"""The peers of benchmarks/target_cost.py compute what they claim, on the emulated board.

A tiny random network: its naive float SNN (benchmarks/templates/naive_snn.c.j2)
runs in QEMU and must agree with snn2c's float simulator (float64) within a
float32 tolerance, on every vector whose membranes stay clear of the threshold
(a float32 rounding could flip a spike there). emlearn's C for a small
MLPRegressor must agree with scikit-learn within emlearn's 6-digit weight
printing. One instruction count per peer through the benchmark harness.

The int8 anchor's kernels (benchmarks/c/int8_fc.c) equal their numpy twin
(benchmarks/_int8.py, TFLite's reference integer arithmetic) bit for bit: on the host
under UBSan/ASan (both high-multiply forms), the rendered int8 model on both input
paths, and (slow) in QEMU on the Cortex-M4's SMLAD path and the Cortex-M0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import _int8  # noqa: E402

from snn2c.boards import load_board  # noqa: E402
from snn2c.build import project  # noqa: E402
from snn2c.netgen import random_network  # noqa: E402
from snn2c.quantize import quantize  # noqa: E402
from snn2c.reference import floatsim  # noqa: E402

import _common as C  # noqa: E402
import hostc  # noqa: E402
import peers  # noqa: E402

FLOAT_ATOL = 1e-4  # [0, 1]-scaled output; float32 sums of ~50 terms of order one
MARGIN = 1e-3  # vectors with a pre-reset membrane this close to threshold are skipped
EMLEARN_ATOL = 1e-3  # emlearn prints weights with 6 decimals (%f)


def _margins(net, u: np.ndarray) -> np.ndarray:
    """Per vector: min over steps and spiking neurons of |V before reset - threshold|."""
    tr = floatsim.run_float(net, u, trace=True)
    out = np.full(len(u), np.inf)
    for i, layer in enumerate(net.layers):
        n = layer.neuron
        if not n.spiking:
            continue
        v, s = tr.membranes[i], tr.spikes[i + 1]
        pre = v + n.threshold * s  # same-step subtract reset (random_network's default)
        out = np.minimum(out, np.abs(pre - n.threshold).min(axis=(1, 2)))
    return out


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    board = load_board("nucleo-f401")
    net = random_network(3, n_features=3, hidden=(16,), last_neurons=4, steps=8)
    work = tmp_path_factory.mktemp("bench")
    build = work / "build"
    project.write_project(quantize(net), board, build, force=True, command="test_benchmarks")
    rng = np.random.default_rng(0)
    span = net.inputs.high - net.inputs.low
    x = net.inputs.low + rng.uniform(-0.1, 1.1, (24, net.n_inputs)) * span
    return board, net, work, build, x.astype(np.float32)


def test_naive_snn_matches_float_simulator_in_qemu(setup):
    board, net, work, build, x = setup
    src = work / "naive"
    peers.render_naive_snn(net, src, "test")
    C.render_harness(src, "naive_snn", x, net.n_outputs, ["naive_snn.h"], provenance="test")
    elf = C.compile_bench(
        build, board, [src / "naive_snn.c", src / "bench_main.c"], [src], work / "naive.elf"
    )
    y_dev = C.run_outputs(board, elf, net.n_outputs, as_float=True)
    u = floatsim.normalize_float(net, x.astype(np.float64))
    y_ref = floatsim.run_float(net, u).outputs
    clear = _margins(net, u) > MARGIN
    assert clear.sum() >= len(x) // 2, "too few vectors clear of the threshold"
    err = np.abs(y_dev - y_ref)[clear]
    assert err.max() <= FLOAT_ATOL, f"naive float SNN differs from floatsim by {err.max():.2e}"

    counts, _ = C.count_instructions(board, elf, len(x))
    assert min(counts) > 1000
    null = C.compile_bench(
        build,
        board,
        [src / "naive_snn.c", src / "bench_main.c"],
        [src],
        work / "null.elf",
        null=True,
    )
    fp = C.footprint(board, elf, null)
    weights = sum(layer.weight.size for layer in net.layers) * 4
    assert fp.rodata >= weights and "naive_snn_infer" in fp.symbols and fp.bss > 0


def test_emlearn_mlp_matches_sklearn_in_qemu(setup):
    pytest.importorskip(
        "emlearn",
        reason="needs emlearn (pip install 'snn2c[bench]'); scripts/setup.sh installs it and CI fails on any skip",
    )
    board, _net, work, build, _x = setup
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (200, 3))
    y = np.sin(3 * x[:, 0]) * x[:, 1] + x[:, 2] ** 2
    mlp = peers.train_mlp(x, y / 2.0, (8,), seed=0, max_iter=50)
    low, high = np.zeros(3), np.ones(3)
    src = work / "eml"
    peers.render_emlearn(mlp, low, high, src, "test")
    xs = x[:6].astype(np.float32)
    C.render_harness(src, "emlearn", xs, 1, ["emlearn_model.h"], provenance="test")
    elf = C.compile_bench(
        build,
        board,
        [src / "emlearn_model.c", src / "bench_main.c"],
        [src, peers.emlearn_include_dir()],
        work / "eml.elf",
    )
    y_dev = C.run_outputs(board, elf, 1, as_float=True)[:, 0]
    np.testing.assert_allclose(y_dev, mlp.predict(xs.astype(np.float64)), atol=EMLEARN_ATOL)
    counts, _ = C.count_instructions(board, elf, len(xs))
    assert max(counts) - min(counts) < 50 and min(counts) > 100


# --- the int8 anchor's kernels (benchmarks/c/int8_fc.c) against their numpy twin ---

INT8_SHAPES = ((1, 1), (2, 1), (3, 2), (4, 3), (5, 2), (7, 5), (8, 4), (10, 13), (13, 1), (33, 3))


def int8_cases(seed: int = 0):
    """(w, x, bias, params) per case: extremes (inputs -128/127, weights at the int8
    ends, offsets -127/128, biases near the int32 ends, saturating requantization), then
    random; every shape hits the SMLAD loop's odd row and n_in % 4 tails."""
    rng = np.random.default_rng(seed)
    out = []
    for n_in, n_out in INT8_SHAPES:
        for style in ("extreme", "saturate", "random", "random"):
            if style == "extreme":
                w = rng.choice([-128, -127, 127, 0, 1, -1], (n_out, n_in))
                x = rng.choice([-128, 127], n_in)
                in_off = int(rng.choice([-127, 128, 0]))
            else:
                w = rng.integers(-127, 128, (n_out, n_in))
                x = rng.integers(-128, 128, n_in)
                in_off = int(rng.integers(-127, 129))
            dot = np.abs(w) @ np.full(n_in, 255)
            room = 2**31 - 1 - int(dot.max())
            if style == "extreme":
                bias = rng.choice([room, -room, 0], n_out)
            else:
                bias = rng.integers(-(2**20), 2**20, n_out)
            mult = int(rng.choice([2**30, 2**31 - 1, int(rng.integers(2**30, 2**31))]))
            if style == "saturate":  # results far outside [-128, 127]
                shift = int(rng.integers(-4, 3))
            elif style == "extreme":
                shift = int(rng.choice([-31, -20, -1, 0]))
            else:
                shift = int(rng.integers(-16, -4))
            zp = int(rng.integers(-128, 128))
            relu = bool(rng.integers(0, 2))
            params = (in_off, zp, mult, shift, max(-128, zp) if relu else -128, 127)
            out.append((w, x, bias, params))
    return out


def _int8_layer(w, bias, params):
    in_off, zp, mult, shift, lo, hi = params
    return _int8.Layer(np.asarray(w), np.asarray(bias), in_off, zp, mult, shift, lo, hi)


def _int8_expected(case) -> list[int]:
    w, x, bias, params = case
    return _int8.fc_s8(np.asarray(x)[None, :], _int8_layer(w, bias, params))[0].tolist()


def requant_cases(seed: int = 1):
    rng = np.random.default_rng(seed)
    accs = [-(2**31), 2**31 - 1, 0, -1, 1, 2**30, -(2**30), *rng.integers(-(2**31), 2**31, 60)]
    out = []
    for acc in accs:
        for _ in range(4):
            m = int(rng.choice([0, 2**30, 2**31 - 1, int(rng.integers(2**30, 2**31))]))
            out.append((int(acc), m, int(rng.integers(-31, 8))))
    out += [(a, m, s) for a in (-(2**31), 2**31 - 1) for m in (2**30, 2**31 - 1) for s in (-31, 0)]
    return out


def _c_list(ctype: str, values) -> str:
    vals = [f"({ctype})({int(v)}LL)" if ctype == "int32_t" else str(int(v)) for v in values]
    return "{" + (", ".join(vals) or "0") + "}"


def render_int8_main(cases, requants, host: bool) -> str:
    """A main printing `K case v...` per kernel case and `R case v` per requantization."""
    data, body = [], []
    for i, (w, x, bias, p) in enumerate(cases):
        data += [
            f"static const int8_t w{i}[] = {_c_list('int8_t', np.asarray(w).ravel())};",
            f"static const int8_t x{i}[] = {_c_list('int8_t', x)};",
            f"static const int32_t b{i}[] = {_c_list('int32_t', bias)};",
            f"static const bench_fc_params_t p{i} = {{{', '.join(f'({v})' for v in p[:2])}, "
            f"(int32_t)({p[2]}LL), {', '.join(f'({v})' for v in p[3:])}}};",
        ]
        n_out, n_in = np.asarray(w).shape
        body.append(
            f"    bench_fc_s8(x{i}, w{i}, b{i}, out, {n_in}, {n_out}, &p{i});\n"
            f"    show('K', {i}, out, {n_out});"
        )
    accs = _c_list("int32_t", [a for a, _, _ in requants])
    mults = _c_list("int32_t", [m for _, m, _ in requants])
    shifts = _c_list("int32_t", [s for _, _, s in requants])
    if host:
        put = [
            'static void put_i32(int32_t v) { printf(" %ld", (long)v); }',
            'static void put_tag(char t, int k) { printf("%c %d", t, k); }',
            'static void put_nl(void) { printf("\\n"); }',
        ]
        head = ["#include <stdio.h>"]
    else:
        put = [
            "static void put_i32(int32_t v) { board_putc(' '); board_put_i32(v); }",
            "static void put_tag(char t, int k) { board_putc(t); board_putc(' '); "
            "board_put_i32(k); }",
            "static void put_nl(void) { board_putc('\\n'); }",
        ]
        head = ['#include "board.h"']
    return "\n".join(
        [
            *head,
            "#include <stdint.h>",
            '#include "int8_fc.h"',
            *put,
            "static int8_t out[64];",
            *data,
            f"static const int32_t ra[] = {accs};",
            f"static const int32_t rm[] = {mults};",
            f"static const int32_t rs[] = {shifts};",
            "static void show(char t, int k, const int8_t *v, int n)",
            "{",
            "    put_tag(t, k);",
            "    for (int i = 0; i < n; i++) {",
            "        put_i32(v[i]);",
            "    }",
            "    put_nl();",
            "}",
            "int main(void)",
            "{",
            *body,
            f"    for (int i = 0; i < {len(requants)}; i++) {{",
            "        put_tag('R', i);",
            "        put_i32(bench_requantize(ra[i], rm[i], rs[i]));",
            "        put_nl();",
            "    }",
            "    put_tag('E', 0);",
            "    put_nl();",
            "    return 0;",
            "}",
            "",
        ]
    )


def check_int8_output(stdout: str, cases, requants, where: str) -> None:
    """Fail on the first value that differs from the twin by a single bit."""
    got: dict[tuple[str, int], list[int]] = {}
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in ("K", "R", "E"):
            got[(parts[0], int(parts[1]))] = [int(v) for v in parts[2:]]
    assert ("E", 0) in got, f"{where}: the case run did not finish: {stdout[-300:]}"
    for i, case in enumerate(cases):
        want, dev = _int8_expected(case), got.get(("K", i))
        if dev != want:
            w, x, bias, p = case
            pytest.fail(
                f"{where}: fc case {i} (n_in {w.shape[1]}, n_out {w.shape[0]}, params {p}): "
                f"device {dev}, twin {want}"
            )
    for i, (acc, m, s) in enumerate(requants):
        want = int(_int8.multiply_by_quantized_multiplier(np.array([acc]), m, s)[0])
        if got.get(("R", i)) != [want]:
            pytest.fail(
                f"{where}: requantize({acc}, {m}, {s}): device {got.get(('R', i))}, twin {want}"
            )


def test_int8_cases_reach_saturation_and_tails():
    cases = int8_cases()
    assert {c[0].shape[0] % 2 for c in cases} == {0, 1}
    assert {c[0].shape[1] % 4 == 0 for c in cases} == {True, False}
    raw = []  # the requantized values before the clamp
    for w, x, bias, p in cases:
        acc = (np.asarray(x) + p[0]) @ np.asarray(w).T + bias
        raw += (_int8.multiply_by_quantized_multiplier(acc, p[2], p[3]) + p[1]).tolist()
    assert min(raw) < -128 and max(raw) > 127, "no case saturates the int8 clamp"
    assert any(c[3][4] > -128 for c in cases), "no ReLU clamp above -128"


@pytest.mark.parametrize("variant", [(), ("-DBENCH_INT8_MULHI16=1",)], ids=["int64", "mulhi16"])
def test_int8_kernels_equal_the_numpy_twin_on_the_host(tmp_path, variant):
    """The portable kernels (both high-multiply forms: int64, and the Cortex-M0's 16-bit
    halves) under UBSan/ASan, bit for bit against benchmarks/_int8.py."""
    cases, requants = int8_cases(), requant_cases()
    main = tmp_path / "main.c"
    main.write_text(render_int8_main(cases, requants, host=True))
    exe = tmp_path / "int8_cases"
    cmd = [
        "gcc",
        *hostc.STRICT,
        "-O1",
        *hostc.SANITIZE,
        *variant,
        f"-I{C.C_SOURCES}",
        str(C.C_SOURCES / "int8_fc.c"),
        str(main),
        "-o",
        str(exe),
    ]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and not run.stderr, run.stderr
    check_int8_output(run.stdout, cases, requants, f"host {variant or 'int64'}")


def _tiny_int8_model():
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, (300, 3))
    y = np.sin(3 * x[:, 0]) * x[:, 1] + x[:, 2] ** 2
    mlp = peers.train_mlp(x, y / 2.0, (7,), seed=0, max_iter=60)
    low, high = np.array([0.0, -1.0, 10.0]), np.array([1.0, 2.0, 10.5])
    xs = low + x * (high - low)
    return _int8.from_mlp(mlp, x, low, high), mlp, xs


def test_int8_model_template_equals_the_twin_on_the_host(tmp_path):
    """int8_mlp.c.j2 (both input paths, dequantization) compiled for the host: the
    float32 outputs equal the twin's bit for bit, extreme and out-of-range inputs too."""
    q, _mlp, xs = _tiny_int8_model()
    src = tmp_path / "m"
    peers.render_int8(q, src, "test", hidden=(7,))
    rng = np.random.default_rng(3)
    span = q.low + rng.uniform(-0.3, 1.3, (200, 3)) * (1.0 / q.gain255 * 255.0)
    x = np.vstack([xs[:50], span, q.low[None, :], (q.low + 255.0 / q.gain255)[None, :]])
    x = x.astype(np.float32)
    raw = np.vstack([rng.integers(0, 4096, (200, 3)), [[0, 0, 0], [4095, 4095, 4095]]])
    lines = [
        "#include <stdio.h>",
        "#include <stdint.h>",
        "#include <string.h>",
        '#include "int8_mlp.h"',
        f"static const float xf[{len(x)}][3] = {{"
        + ", ".join("{" + ", ".join(f"{v!r}f" for v in map(float, r)) + "}" for r in x)
        + "};",
        f"static const int32_t xr[{len(raw)}][3] = {{"
        + ", ".join("{" + ", ".join(str(int(v)) for v in r) + "}" for r in raw)
        + "};",
        'static void show(float y) { uint32_t b; memcpy(&b, &y, 4); printf("%lu\\n", '
        "(unsigned long)b); }",
        "int main(void)",
        "{",
        "    float y[1];",
        f"    for (int i = 0; i < {len(x)}; i++) {{ int8_mlp_infer(xf[i], y); show(y[0]); }}",
        f"    for (int i = 0; i < {len(raw)}; i++) {{ int8_mlp_infer_raw(xr[i], y); show(y[0]); }}",
        "    return 0;",
        "}",
    ]
    (src / "main.c").write_text("\n".join(lines) + "\n")
    exe = tmp_path / "int8_model"
    cmd = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", *hostc.SANITIZE]
    cmd += ["-ffp-contract=off", f"-I{src}", f"-I{C.C_SOURCES}", str(src / "int8_mlp.c")]
    cmd += [str(C.C_SOURCES / "int8_fc.c"), str(src / "main.c"), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and not run.stderr, run.stderr
    bits = np.array(run.stdout.split(), dtype=np.uint64).astype(np.uint32)
    want = np.concatenate(
        [
            q.dequantize(q.run(q.quantize_float(x)))[:, 0],
            q.dequantize(q.run(q.quantize_raw(raw)))[:, 0],
        ]
    )
    np.testing.assert_array_equal(bits, C.float_bits(want))
    # the integer reading path rounds as TFLite's Quantize of raw / 4095 does
    r = np.arange(4096)
    np.testing.assert_array_equal(
        q.quantize_raw(r), _int8.tflite_round(r * 255.0 / 4095).astype(np.int64) - 128
    )


@pytest.mark.slow
@pytest.mark.parametrize(("board_name", "simd"), [("nucleo-f401", True), ("microbit", False)])
def test_int8_kernels_equal_the_twin_on_the_target(tmp_path, board_name, simd):
    """The same cases in QEMU: the Cortex-M4's SMLAD path (checked in the image) and
    the Cortex-M0's portable loop with its 16-bit high multiply."""
    from snn2c.build import build, toolchain
    from snn2c.emulate.qemu import run_qemu

    board = load_board(board_name)
    proj = tmp_path / "proj"
    build(random_network(0, hidden=(4,)), board, proj)  # start-up, UART, exit
    cases, requants = int8_cases(), requant_cases()
    main = tmp_path / "int8_cases.c"
    text = render_int8_main(cases, requants, host=False)
    main.write_text(text.replace("    return 0;\n}", "    board_exit(0);\n}"))
    elf = tmp_path / "int8_cases.elf"
    toolchain.link_image(
        board,
        [*C.runtime_sources(proj, board), C.C_SOURCES / "int8_fc.c", main],
        include_dirs=[proj / "config" / "emu", proj / "src", C.C_SOURCES],
        linker_script=proj / project.image_ld("harness-qemu"),
        elf=elf,
        strict=True,
    )
    dis = subprocess.run(
        [board.tool("objdump"), "-d", str(elf)], capture_output=True, text=True, check=True
    ).stdout
    fc = dis[dis.index("<bench_fc_s8>:") :].split("\n\n")[0]
    assert ("smlad" in fc and "sxtab16" in fc) == simd
    run = run_qemu(board, elf, timeout=120)
    check_int8_output(run.stdout, cases, requants, board_name)


@pytest.mark.parametrize("raw", [False, True], ids=["float-in", "raw-in"])
def test_plain_float_template_equals_its_float32_model_on_the_host(tmp_path, raw):
    """plain_mlp.c.j2 computes the float32 network peers.plain_float_layers describes
    (the fold of the normalisation into layer 0, the clamp), bit for bit on the host."""
    _q, mlp, xs = _tiny_int8_model()
    low, high = np.array([0.0, -1.0, 10.0]), np.array([1.0, 2.0, 10.5])
    src = tmp_path / "p"
    mode, _dev = peers.render_plain_float(mlp, low, high, xs, src, "test", raw=raw)
    assert mode == ("raw" if raw else "folded")
    rng = np.random.default_rng(4)
    if raw:
        x = rng.integers(0, 4096, (100, 3))
        a0 = x.astype(np.float32)
        fmt, ctype = (lambda v: str(int(v))), "int32_t"
    else:
        x = (low + rng.uniform(-0.2, 1.2, (100, 3)) * (high - low)).astype(np.float32)
        a0 = np.clip(x, low.astype(np.float32), high.astype(np.float32))
        fmt, ctype = (lambda v: f"{float(v)!r}f"), "float"
    layers, _, _ = peers.plain_float_layers(mlp, low, high, xs, raw)
    want = peers._forward32(layers, a0)[:, 0].astype(np.float32)
    rows = ", ".join("{" + ", ".join(fmt(v) for v in r) + "}" for r in x)
    (src / "main.c").write_text(
        "\n".join(
            [
                "#include <stdio.h>",
                "#include <stdint.h>",
                "#include <string.h>",
                '#include "plain_mlp.h"',
                f"static const {ctype} xs[{len(x)}][3] = {{{rows}}};",
                "int main(void)",
                "{",
                "    float y[1];",
                "    uint32_t b;",
                f"    for (int i = 0; i < {len(x)}; i++) {{",
                "        plain_mlp_infer(xs[i], y);",
                "        memcpy(&b, y, 4);",
                '        printf("%lu\\n", (unsigned long)b);',
                "    }",
                "    return 0;",
                "}",
                "",
            ]
        )
    )
    exe = tmp_path / "plain"
    cmd = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-ffp-contract=off"]
    cmd += [f"-I{src}", str(src / "plain_mlp.c"), str(src / "main.c"), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    bits = np.array(out.split(), dtype=np.uint64).astype(np.uint32)
    np.testing.assert_array_equal(bits, C.float_bits(want))
    np.testing.assert_allclose(
        want, mlp.predict(a0 / 4095.0 if raw else (a0 - low) / (high - low)), atol=1e-5
    )
