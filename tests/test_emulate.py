"""snn2c verify in QEMU: every emulated board, several models (each encoder and
decoder), zero mismatches against the numpy reference; instruction counting."""

from __future__ import annotations

import json

import numpy as np
import pytest

from snn2c import modelfile
from snn2c.boards import load_board
from snn2c.build import build, harness
from snn2c.cli import main
from snn2c.emulate.qemu import count_windows
from snn2c.emulate.verify import verify_qemu
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference.integer import run

from _boards_helpers import EMULATED, need_qemu
from netcases import count_form_networks, equivalence_networks, per_feature_networks


def pick(nets: list[tuple[str, object]], *names: str) -> list[str]:
    """The named cases of a case list, checked: a name the list does not hold is an
    error (an index would silently pick whatever case sits there after a change)."""
    have = [n for n, _ in nets]
    missing = [n for n in names if n not in have]
    if missing:
        raise KeyError(f"no case named {', '.join(missing)}; the cases: {', '.join(have)}")
    return list(names)


def built_and_verified(net, board_name: str, out, vectors: int, count: int = 0) -> dict:
    """net built for the board and verified in QEMU: zero mismatches, none reported by
    the device, a clean exit (skipped where the toolchain or QEMU is missing)."""
    board = load_board(board_name)
    need_qemu(board)
    build(net, board, out)
    res = verify_qemu(out, vectors=vectors, count_sample=count, timeout=60)
    assert res["mismatches"] == 0, res["first_mismatch"]
    assert res["device_reported_mismatches"] == 0 and res["exit_code"] == 0
    return res


def board_cases(nets: dict, spread: list[str]) -> list[tuple[str, str]]:
    """(board, case): every case on the reference board, the spread on the others."""
    return [("nucleo-f401", n) for n in nets] + [
        (b, n) for b in EMULATED if b != "nucleo-f401" for n in spread
    ]


NETS = dict(equivalence_networks())
COUNT_NETS = dict(count_form_networks())
# every encoder x decoder on the reference board, a spread of them on the others: a
# current encoder with a membrane readout, a spiking one with population voting
SPREAD = pick(equivalence_networks(), "04-direct-membrane-d2", "13-latency-population-d2")
# instruction counting (an exec log) on one case per board, to stay fast
COUNTED = pick(equivalence_networks(), "00-population-membrane-d1", "04-direct-membrane-d2")
CASES = board_cases(NETS, SPREAD)


@pytest.mark.slow
@pytest.mark.parametrize(("board_name", "case"), CASES, ids=[f"{b}-{n}" for b, n in CASES])
def test_verify_zero_mismatches(tmp_path, board_name, case):
    count = 1 if case in COUNTED else 0
    res = built_and_verified(NETS[case], board_name, tmp_path / "b", 24, count)
    if count:
        assert res["instructions_per_inference"] > 0


COUNT_SPREAD = pick(count_form_networks(), "cf0-population-T8", "cf6-direct-T9")
COUNT_COUNTED = pick(count_form_networks(), "cf0-population-T8")
COUNT_CASES = board_cases(COUNT_NETS, COUNT_SPREAD)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("board_name", "case"), COUNT_CASES, ids=[f"{b}-{n}" for b, n in COUNT_CASES]
)
def test_verify_counting_form_zero_mismatches(tmp_path, board_name, case):
    """Networks that compile to the counting form, on every emulated core."""
    count = int(case in COUNT_COUNTED)
    built_and_verified(COUNT_NETS[case], board_name, tmp_path / "b", 40, count)
    assert "counting form: the same bits" in (tmp_path / "b/src/snn_model.c").read_text()


PF_NETS = dict(per_feature_networks())
PF_SPREAD = pick(per_feature_networks(), "pf0-8in-T16", "pf2-3in-T12")
PF_CASES = board_cases(PF_NETS, PF_SPREAD)


@pytest.mark.slow
@pytest.mark.parametrize(("board_name", "case"), PF_CASES, ids=[f"{b}-{n}" for b, n in PF_CASES])
def test_verify_per_feature_encodings_zero_mismatches(tmp_path, board_name, case):
    """Per-feature encodings (dropped, direct, fields, shared centres; counting form,
    stepped, streaming) on every emulated core, the float normalisation included."""
    res = built_and_verified(PF_NETS[case], board_name, tmp_path / "b", 40)
    assert res["float_vectors"] > 0


def test_cases_are_picked_by_name():
    """The partner of the picks above: they name the same networks in any order of the
    case list, and a name the list does not hold (renamed, removed) is refused."""
    nets = equivalence_networks()
    shuffled = nets[::-1]
    assert pick(shuffled, *SPREAD) == SPREAD
    assert [dict(shuffled)[n] is dict(nets)[n] for n in SPREAD] == [True, True]
    with pytest.raises(KeyError, match="no case named 04-direct-membrane"):
        pick(nets[:4], "04-direct-membrane-d2")


@pytest.mark.slow
def test_verify_cli_json_and_mismatch(tmp_path, capsys):
    board = load_board("nucleo-f401")
    need_qemu(board)
    model = tmp_path / "m.snn"
    modelfile.save(random_network(5), model)
    out = tmp_path / "b"
    assert main(["build", str(model), "--board", "nucleo-f401", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--emulator", "qemu", "--vectors", "30", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    for key in ("board", "emulator", "vectors", "mismatches", "instructions_per_inference"):
        assert key in res
    assert (res["vectors"], res["mismatches"], res["emulator"]) == (30, 0, "qemu")
    # instruction counts are exact: the same on a second run
    again = verify_qemu(out, vectors=30)
    assert again["instructions_per_inference"] == res["instructions_per_inference"]

    # C that no longer computes what the reference computes (one bias changed):
    # verify must fail and say where
    src = out / "src" / "snn_model.c"
    text = src.read_text()
    head, rest = text.split("snn_l0_bias[", 1)
    body, tail = rest.split("{", 1)
    first, others = tail.split(",", 1)
    src.write_text(f"{head}snn_l0_bias[{body}{{ {int(first) + 40000},{others}")
    assert main(["verify", str(out), "--vectors", "10"]) == 1
    err = capsys.readouterr().err
    assert "first mismatch:" in err and "vector" in err and "reference" in err

    # a model.snn replaced after the build, or a build that never finished: refused
    modelfile.save(random_network(6), out / "model.snn", force=True)
    assert main(["verify", str(out), "--vectors", "10"]) == 2
    assert "changed since the build" in capsys.readouterr().err
    modelfile.save(random_network(5), out / "model.snn", force=True)
    manifest = json.loads((out / "snn2c-build.json").read_text())
    del manifest["size"]
    (out / "snn2c-build.json").write_text(json.dumps(manifest))
    assert main(["verify", str(out), "--vectors", "10"]) == 2
    assert "the build did not finish" in capsys.readouterr().err
    (out / "snn2c-build.json").write_text("[]")
    assert main(["verify", str(out)]) == 2
    assert "not an snn2c build manifest" in capsys.readouterr().err


def test_renode_missing_is_a_clear_error(tmp_path, capsys, monkeypatch):
    board = load_board("nucleo-f401")
    need_qemu(board)
    build(random_network(2), board, tmp_path / "b")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["verify", str(tmp_path / "b"), "--emulator", "renode"]) == 2
    assert "Renode is not installed" in capsys.readouterr().err


def test_verify_needs_a_build_folder(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "not an snn2c build folder" in capsys.readouterr().err


def test_parse_harness_output():
    text = (
        "boot noise\r\nSNN2C-HARNESS BEGIN vectors=2 floats=1 outputs=2 layers=1 counters=1\r\n"
        "Y 0 -5 7\r\nS 0 0 3\r\nY 1 -2147483648 2147483647\r\nS 1 1 2\r\n"
        "Q 0 0 4096 : 1 2\r\nSNN2C-HARNESS END mismatches=0\r\n"
    )
    out = harness.parse(text)
    assert out.complete and out.device_mismatches == 0
    assert out.header == {"vectors": 2, "floats": 1, "outputs": 2, "layers": 1, "counters": 1}
    assert out.y == {0: [-5, 7], 1: [-(2**31), 2**31 - 1]}
    assert out.spikes[1] == [1, 2] and out.fq[0] == [0, 4096] and out.fy[0] == [1, 2]
    assert not harness.parse("SNN2C-HARNESS BEGIN vectors=1\nY 0 1\n").complete


def test_count_windows(tmp_path):
    log = tmp_path / "exec.log"

    def line(pc):
        return f"Trace 0: 0x7f00 [00000000/{pc:08x}/00000110/ff000201] f\n"

    main_pc, entry = 0x100, 0x200
    pcs = [main_pc, main_pc + 2, entry, 0x204, 0x300, 0x302, 0x208, main_pc + 4]
    pcs += [entry, 0x204, main_pc + 6]
    log.write_text("".join(line(p) for p in pcs) + "garbage\n")
    assert count_windows(log, entry, (main_pc, main_pc + 0x40)) == [5, 2]


def test_count_windows_closes_at_a_wrapper_that_was_not_a_tail_call(tmp_path):
    """Xtensa call0 (GCC 12: no sibling calls): snn_model_infer returns into
    snn2c_harness_infer, whose epilogue (3 instructions) must not be counted."""
    log = tmp_path / "exec.log"

    def line(pc):
        return f"Trace 0: 0x7f10bc000200 [00000000/{pc:08x}/00018004/ff000201] \n"

    main_pc, wrap, entry = 0x40210900, 0x4021095C, 0x4021014C
    pcs = [main_pc, wrap, wrap + 3, wrap + 5, entry, entry + 3, entry + 6]
    pcs += [wrap + 8, wrap + 10, wrap + 13, main_pc + 4]
    log.write_text("".join(line(p) for p in pcs))
    assert count_windows(log, entry, (main_pc, main_pc + 0x40), (wrap, wrap + 14)) == [3]
    assert count_windows(log, entry, (main_pc, main_pc + 0x40)) == [6]  # the old window


@pytest.mark.slow
def test_relative_spaced_unicode_paths_from_another_folder(tmp_path, monkeypatch, capsys):
    """build and verify with relative paths holding spaces, '..' and non-ASCII, run
    from a folder that is neither the model's nor the output's (the demo's case)."""
    board = load_board("nucleo-f401")
    need_qemu(board)
    (tmp_path / "models ü").mkdir()
    modelfile.save(random_network(3), tmp_path / "models ü" / "m é.snn")
    work = tmp_path / "work dir"
    work.mkdir()
    monkeypatch.chdir(work)
    model, out = "../models ü/m é.snn", "out dir/fw ü"
    assert main(["build", model, "--board", "nucleo-f401", "-o", out]) == 0
    assert main(["verify", out, "--vectors", "12"]) == 0
    assert "0 mismatches" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path / "models ü")
    assert main(["verify", "../work dir/out dir/fw ü", "--vectors", "12"]) == 0


@pytest.mark.slow
def test_a_mismatch_is_traced_to_its_first_step_layer_and_neuron(tmp_path, capsys):
    """After a mismatch, verify runs the trace image on the first wrong vector and names
    the first (step, layer, neuron) whose state leaves the reference's."""
    from _corrupt import corrupt_table

    board = load_board("nucleo-f401")
    need_qemu(board)
    net = random_network(5, hidden=(8, 6))  # two hidden layers: the step path, no counting form
    for table, layer in (("snn_l1_weight", 1), ("snn_dec_weight", None)):
        fw = tmp_path / table
        build(net, board, fw)
        corrupt_table(fw, table)
        res = verify_qemu(fw, vectors=12, count_sample=0)
        div = res["first_divergence"]
        assert res["mismatches"] > 0 and div is not None
        if layer is None:  # a wrong readout: every step still equals the reference
            assert div["found"] is False and "decoder" in div["text"]
            continue
        # layer 0 is intact, so the first difference is a layer-1 membrane at the first
        # step where layer 0 spiked (layer 1's input is layer 0's spikes)
        ref = run(quantize(net), res_vector(net, div["vector"]), trace=True)
        first_spike_step = int(np.argmax(ref.spikes[1][0].any(axis=1)))
        assert (div["layer"], div["quantity"], div["step"]) == (1, "membrane", first_spike_step)
        assert div["reference"] == int(ref.membranes[1][0, div["step"], div["neuron"]])
        assert div["device"] != div["reference"]
    assert main(["verify", str(tmp_path / "snn_l1_weight"), "--vectors", "12"]) == 1
    assert "trace of vector" in capsys.readouterr().err


def res_vector(net, i: int) -> np.ndarray:
    """Q12 input row i of the vectors verify makes (seed 0)."""
    from snn2c.reference.vectors import make_vectors

    return make_vectors(quantize(net), i + 1).x_q[i : i + 1].astype(np.int64)


def test_a_corrupted_weight_counts_each_wrong_vector_once(tmp_path):
    """#31: the counted sample's vectors are some of the compared ones; a weight
    corrupted in the C makes them wrong in both images, and each counts once: the
    mismatches are the distinct wrong vectors, never more than ran."""
    from _corrupt import corrupt_layer0_weights

    board = load_board("nucleo-f401")
    need_qemu(board)
    out = tmp_path / "b"
    build(random_network(11, n_features=4, hidden=(12,)), board, out)  # test_renode's model
    corrupt_layer0_weights(out)
    alone = verify_qemu(out, vectors=30, count_sample=0)
    both = verify_qemu(out, vectors=30, count_sample=6)
    assert alone["mismatches"] > 6
    assert both["mismatches"] == alone["mismatches"] <= 30 + alone["float_vectors"]
    assert both["not_run"] == 0


def test_renode_counting_of_the_corrupted_control_equals_qemus(tmp_path):
    """#31, the control without Renode: Renode's UART output is byte-identical to QEMU's
    for the same image (docs/boards.md), so its counting (emulate.renode.tally, both
    images over every vector) fed with QEMU's output of both images must give QEMU's
    mismatch count; a counting run cut off half-way leaves that count and reports the
    rest as not run."""
    from _corrupt import corrupt_layer0_weights

    from snn2c.build import project
    from snn2c.emulate import renode as emu_renode
    from snn2c.emulate.qemu import run_qemu
    from snn2c.reference.vectors import make_vectors

    board = load_board("nucleo-f401")
    need_qemu(board)
    out = tmp_path / "b"
    net = random_network(11, n_features=4, hidden=(12,))
    build(net, board, out)
    corrupt_layer0_weights(out)
    res = verify_qemu(out, vectors=40)
    assert res["mismatches"] > 0
    vec = make_vectors(quantize(net), 40, seed=0)
    elf_all = out / "out" / "verify" / "harness-qemu.elf"  # counters on, every vector
    elf_cnt = project.compile_image(
        out, board, "harness-qemu", vectors_dir="out/verify/all", elf_name="verify/cnt"
    )  # the deployed code over every vector, as Renode's second image
    text_all = run_qemu(board, elf_all, timeout=60).stdout
    text_cnt = run_qemu(board, elf_cnt, timeout=60).stdout
    (tmp_path / "a.txt").write_text(text_all)
    (tmp_path / "c.txt").write_text(text_cnt)
    full = emu_renode.tally(
        vec, emu_renode._parse(tmp_path / "a.txt"), emu_renode._parse(tmp_path / "c.txt")
    )
    assert len(full.bad) == res["mismatches"] and not full.not_run
    assert full.first == res["first_mismatch"]
    half = text_cnt[: len(text_cnt) // 2]
    (tmp_path / "c.txt").write_text(half)
    cut = emu_renode.tally(
        vec, emu_renode._parse(tmp_path / "a.txt"), emu_renode._parse(tmp_path / "c.txt")
    )
    assert len(cut.bad) == res["mismatches"]  # the first image saw every wrong vector
    # the right vectors the cut run never reached are not run (the deployed code's proof
    # does not cover them), never mismatches, and nothing is counted twice
    reached = set(emu_renode._parse(tmp_path / "c.txt").y)
    right = {("q", i) for i in range(40)} - full.bad
    assert cut.not_run == {k for k in right if k[1] not in reached} | (
        {("f", j) for j in range(len(vec.x_f))} - full.bad
    )
    assert cut.not_run.isdisjoint(cut.bad)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("board_name", "returns_to"), [("microbit", "wrapper"), ("nucleo-f401", "main")]
)
def test_renode_return_sites_are_where_the_qemu_window_closes(tmp_path, board_name, returns_to):
    """Renode's count hooks the return of snn_model_infer where QEMU's window closes: in
    snn2c_harness_infer on the Cortex-M0 (GCC makes no sibling call there), in main after
    the wrapper's tail call on the M4."""
    from snn2c.build import toolchain
    from snn2c.emulate.renode import _return_sites

    board = load_board(board_name)
    need_qemu(board)
    build(random_network(2), board, tmp_path / "b")
    verify_qemu(tmp_path / "b", vectors=8, count_sample=1)
    elf = tmp_path / "b/out/verify/harness-count.elf"
    syms = toolchain.symbols(board, elf)
    lo, size = syms["snn2c_harness_infer" if returns_to == "wrapper" else "main"]
    sites = _return_sites(board, elf, "snn_model_infer")
    assert sites and all(lo < s < lo + size for s in sites)
