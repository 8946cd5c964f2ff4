"""The neuron-model cost table, measured: instructions per neuron per ms of model time.

For each board (Cortex-M4F nucleo-f401; Cortex-M3 nucleo-f103rb, no FPU; RV32IMC
esp32-c3, no FPU) one image is built with snn2c's toolchain flags (-O2, picolibc,
libm) and the start-up/UART/semihosting files of an `snn2c build` folder's QEMU
variant. Its main calls, several times, one function per model that advances N
neurons by 1 ms of model time:

* LIF: `snn_lif_step_s32` once (dt = 1 ms, shift leak, reset by subtraction);
* Izhikevich: `snn_izh_step_s32` 2**dt_shift times (dt = 0.5 ms);
* Hodgkin-Huxley: `snn_hh_step_f32` with 100 Euler steps of 0.01 ms (float32;
  soft-float and picolibc's expf where the core has no FPU).

Instructions are counted exactly as `snn2c verify` does (QEMU -singlestep -d
exec,nochain; from the function's entry to the return into main, callees
included) and divided by N. Synaptic input is not included (the same for every
model). Then LIF and Izhikevich networks of the same size are trained on friedman1
and mackey-glass (small epochs, stated) and scored by the integer reference.

Writes docs/neurons.md, docs/img/neuron_*.png and benchmarks/neuron_cost.json.
Run: .venv/bin/python benchmarks/neuron_cost.py [--skip-accuracy]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from snn2c import ir  # noqa: E402
from snn2c.boards import Board, load_board  # noqa: E402
from snn2c.build import build, project, toolchain  # noqa: E402
from snn2c.emulate.qemu import count_windows, run_qemu  # noqa: E402
from snn2c.errors import Snn2cError  # noqa: E402
from snn2c.netgen import random_network  # noqa: E402
from snn2c.quantize.quantizer import quantize_izhikevich  # noqa: E402

from _common import environment  # noqa: E402

BOARDS = ("nucleo-f401", "nucleo-f103rb", "esp32-c3")
N_INT = 32  # neurons per call, LIF and Izhikevich
N_HH = 1  # HH is ~1000x more expensive: one neuron keeps the exec log small
REPS = 8  # calls per model (ms of model time); state and spikes vary between them
REPS_HH = 3
IZH = ir.IzhikevichNeuron.from_preset("regular_spiking", dt_shift=1, gain=10.0)
DOC = ROOT / "docs" / "neurons.md"
IMG = ROOT / "docs" / "img"
HERE = Path(__file__).resolve().parent
OUT_JSON = HERE / "neuron_cost.json"

LITERATURE = {  # Izhikevich (2004), Table: FLOPs per 1 ms of simulation; parameters
    "LIF": {"flop_per_ms": "5 (I&F; the issue quotes ~13)", "params": "4-5"},
    "Izhikevich": {"flop_per_ms": 13, "params": 4},
    "Hodgkin-Huxley": {"flop_per_ms": 1200, "params": "10-15"},
}
STATE = {  # bytes of state per neuron in this implementation
    "LIF": "4 (int32 V) + 1 (spike)",
    "Izhikevich": "8 (int32 v, u) + 1 (spike)",
    "Hodgkin-Huxley": "16 (float32 V, m, h, n)",
}
PARAMS = {  # per-layer parameters this implementation stores
    "LIF": "4: threshold, leak (shift or beta), reset kind, fire kind",
    "Izhikevich": "6: a, b, c, d (+ dt, gain); constants 0.04, 5, 140",
    "Hodgkin-Huxley": "13: C, g_Na, g_K, g_L, E_Na, E_K, E_L, 6 rate constants",
}


def build_image(board_name: str, work: Path) -> tuple[Board, Path]:
    board = load_board(board_name)
    proj = work / board_name
    build(random_network(0, hidden=(4,)), board, proj)
    q = quantize_izhikevich(IZH)
    main = proj / "bench_neuron_main.c"
    main.write_text(
        environment()
        .get_template("neuron_cost_main.c.j2")
        .render(
            n_int=N_INT,
            n_hh=N_HH,
            reps=REPS,
            reps_hh=REPS_HH,
            a_q=q.a_q,
            ab_q=q.ab_q,
            c_q=q.c_q,
            d_q=q.d_q,
            gain_q=q.gain_q,
            v0_q=q.v0_q,
            u0_q=q.u0_q,
            dt_shift=q.dt_shift,
        )
    )
    sources = [
        proj / s
        for s in project.image_sources(board, "harness-qemu")
        if not s.endswith(("snn_model.c", "harness_main.c"))
    ]
    sources += [HERE / "c" / "hh_float.c", main]
    elf = proj / "out" / "neuron_cost.elf"
    toolchain.link_image(
        board,
        sources,
        include_dirs=[proj / "config" / "emu", proj / "src", HERE / "c"],
        linker_script=proj / project.image_ld("harness-qemu"),
        elf=elf,
    )
    return board, elf


def measure(board_name: str, work: Path) -> dict:
    board, elf = build_image(board_name, work)
    assert isinstance(board, Board)
    log = elf.with_suffix(".exec.log")
    t0 = time.perf_counter()
    res = run_qemu(board, elf, timeout=600, exec_log=log)
    if res.returncode != 0 or "done" not in res.stdout:
        raise Snn2cError(
            f"{board_name}: bench image failed ({res.returncode}): {res.stderr[-300:]}"
        )
    syms = toolchain.symbols(board, elf)
    main = syms["main"]
    stop = (main[0], main[0] + main[1])
    out: dict = {"board": board_name, "cpu": board.core, "fpu": board.fpu}
    for model, fn, n in (
        ("LIF", "bench_lif", N_INT),
        ("Izhikevich", "bench_izh", N_INT),
        ("Hodgkin-Huxley", "bench_hh", N_HH),
    ):
        counts = count_windows(log, syms[fn][0], stop)
        per = [c / n for c in counts]
        out[model] = {
            "calls": len(counts),
            "neurons_per_call": n,
            "instructions_per_neuron_ms": float(np.mean(per)),
            "min": float(min(per)),
            "max": float(max(per)),
        }
    out["code_bytes"] = {
        "snn_lif_step_s32": syms.get("snn_lif_step_s32", (0, 0))[1],
        "snn_izh_step_s32": syms.get("snn_izh_step_s32", (0, 0))[1],
        "snn_hh_step_f32": syms.get("snn_hh_step_f32", (0, 0))[1],
    }
    out["seconds"] = time.perf_counter() - t0
    log.unlink(missing_ok=True)
    return out


def accuracy(epochs: int, qat_epochs: int, n_samples: int) -> list[dict]:
    from snn2c.train.trainer import TrainConfig, train

    rows = []
    for dataset in ("friedman1", "mackey-glass"):
        for neuron in ("lif", "izhikevich"):
            cfg = TrainConfig(
                dataset=dataset,
                n_samples=n_samples,
                hidden=(32,),
                readout=8,
                steps=16,
                epochs=epochs,
                qat_epochs=qat_epochs,
                patience=epochs,
                baseline=False,
                neuron=neuron,
                izh_preset="regular_spiking",
                izh_gain=40.0,
                seed=0,
            )
            r = train(cfg)
            rows.append(
                {
                    "dataset": dataset,
                    "neuron": neuron,
                    "float": r.metrics["float"],
                    "quantized": r.metrics["quantized"],
                    "hidden_spikes_per_inference": r.spikes_per_layer[1],
                    "seconds": r.seconds["total"],
                }
            )
            print(
                f"  {dataset:13s} {neuron:10s} R2 float {r.metrics['float']['r2']:.3f} "
                f"fixed {r.metrics['quantized']['r2']:.3f}",
                flush=True,
            )
    return rows


def write_doc(cost: list[dict], acc: list[dict] | None, acc_cfg: dict, figures: list[Path]):
    lines = [
        "# Neuron models: cost measured on the target",
        "",
        "Generated by `benchmarks/neuron_cost.py`; do not edit by hand. Raw numbers:",
        "`benchmarks/neuron_cost.json`.",
        "",
        "Instructions per neuron per millisecond of model time, counted exactly in QEMU",
        "(`-singlestep -d exec,nochain`, the method of `snn2c verify`: from the measured",
        "function's entry to its return, callees such as libm and libgcc included), built",
        "with snn2c's flags (-O2, picolibc). One neuron update only: synaptic input",
        "(the dense layer) is excluded, it is the same for every model. LIF: one",
        "`snn_lif_step_s32` step (dt = 1 ms) over "
        f"{N_INT} neurons; Izhikevich: two `snn_izh_step_s32` steps (dt = 0.5 ms, regular",
        f"spiking) over {N_INT} neurons; Hodgkin-Huxley: 100 forward-Euler steps of",
        f"0.01 ms (`snn_hh_step_f32`, float32) for {N_HH} neuron. Mean over "
        f"{REPS} ms (HH: {REPS_HH} ms)",
        "of model time with neurons spiking; min-max in brackets. Instructions are not",
        "cycles.",
        "",
        "| model | literature FLOP/ms | literature params | "
        + " | ".join(
            f"{c['board']} ({c['cpu']}{', FPU' if c['fpu'] else ', no FPU'})" for c in cost
        )
        + " | state bytes/neuron | parameters here |",
        "|---|---|---|" + "---|" * len(cost) + "---|---|",
    ]
    for model in ("LIF", "Izhikevich", "Hodgkin-Huxley"):
        lit = LITERATURE[model]
        cells = []
        for c in cost:
            m = c[model]
            note = " (soft-float)" if model == "Hodgkin-Huxley" and not c["fpu"] else ""
            cells.append(
                f"{m['instructions_per_neuron_ms']:,.0f} [{m['min']:,.0f}-{m['max']:,.0f}]{note}"
            )
        lines.append(
            f"| {model} | {lit['flop_per_ms']} | {lit['params']} | "
            + " | ".join(cells)
            + f" | {STATE[model]} | {PARAMS[model]} |"
        )
    lines += [
        "",
        "Literature figures: Izhikevich, *Which model to use for cortical spiking neurons?*",
        "IEEE TNN 15(5), 2004 (FLOPs per 1 ms of simulation). LIF and Izhikevich run here",
        "in integer arithmetic (docs/fixed-point.md), Hodgkin-Huxley in float32; on the",
        "Cortex-M3 and the RV32IMC core (no FPU) Hodgkin-Huxley is soft-float, and each",
        "`expf` is a library call, which is what the counts show.",
        "",
        "Code size of the update functions (bytes, from the symbol table):",
        "",
        "| board | snn_lif_step_s32 | snn_izh_step_s32 | snn_hh_step_f32 (+ libm) |",
        "|---|---|---|---|",
    ]
    for c in cost:
        b = c["code_bytes"]
        lines.append(
            f"| {c['board']} | {b['snn_lif_step_s32']} | {b['snn_izh_step_s32']} | "
            f"{b['snn_hh_step_f32']} |"
        )
    if acc:
        lines += [
            "",
            "## Accuracy: LIF versus Izhikevich networks of the same size",
            "",
            "Population encoder (8 fields/feature), one hidden layer of 32 neurons, an LI",
            f"readout of 8, membrane decoder, T = 16 steps, int8 weights; "
            f"{acc_cfg['n_samples']} samples (70/15/15 split), {acc_cfg['epochs']} float "
            f"epochs + {acc_cfg['qat_epochs']} QAT epochs",
            "(deliberately short: a comparison, not a tuned result), seed 0. Izhikevich:",
            "regular spiking, dt = 0.5 ms, gain 40 mV/ms per unit. R2 and MSE on the test",
            'split; "fixed" is the integer reference, i.e. what the device computes.',
            "",
            "| dataset | neuron | R2 float | R2 fixed | MSE fixed | hidden spikes/inference | train s |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in acc:
            lines.append(
                f"| {r['dataset']} | {r['neuron']} | {r['float']['r2']:.3f} | "
                f"{r['quantized']['r2']:.3f} | {r['quantized']['mse']:.4f} | "
                f"{r['hidden_spikes_per_inference']:.1f} | {r['seconds']:.0f} |"
            )
    lines += ["", "## Response to a current step", ""]
    for p in figures:
        lines.append(f"![{p.stem}](img/{p.name})")
        lines.append("")
    lines += [
        "Written by `benchmarks/_neuron_figures.py` (write_neuron_figures). The fixed-point",
        "traces are the integer reference (bit-exact with the generated C).",
        "",
    ]
    DOC.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boards", nargs="*", default=list(BOARDS))
    ap.add_argument("--skip-accuracy", action="store_true")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--qat-epochs", type=int, default=3)
    ap.add_argument("--samples", type=int, default=2000)
    args = ap.parse_args(argv)
    cost = []
    work = Path(tempfile.mkdtemp(prefix="neuron_cost_"))
    try:
        for b in args.boards:
            try:
                c = measure(b, work)
            except Snn2cError as e:
                print(f"{b}: skipped ({e})", file=sys.stderr)
                continue
            cost.append(c)
            print(
                b,
                {
                    m: round(c[m]["instructions_per_neuron_ms"], 1)
                    for m in ("LIF", "Izhikevich", "Hodgkin-Huxley")
                },
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from _neuron_figures import write_neuron_figures

    figures = write_neuron_figures(IMG)
    acc_cfg = {"epochs": args.epochs, "qat_epochs": args.qat_epochs, "n_samples": args.samples}
    acc = None if args.skip_accuracy else accuracy(args.epochs, args.qat_epochs, args.samples)
    OUT_JSON.write_text(
        json.dumps(
            {"cost": cost, "accuracy": acc, "accuracy_config": acc_cfg}, indent=1, sort_keys=True
        )
        + "\n"
    )
    write_doc(cost, acc, acc_cfg, figures)
    print(f"wrote {DOC}, {OUT_JSON}, {len(figures)} figures")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
