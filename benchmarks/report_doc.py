"""Render docs/benchmarks.md from benchmarks/results.json (both scripts' sections)."""

from __future__ import annotations

from _common import DOC  # type: ignore[import-not-found]

SYSTEM_LABEL = {
    "snn2c": "snn2c (int8 fixed point)",
    "snn2c_portable": "snn2c, portable C kernels (no SMLAD)",
    "naive_snn": "naive float SNN (same weights)",
    "emlearn": "emlearn MLP (float)",
    "lower_bound": "lower bound (events + updates)",
}


def _flags() -> str:
    """The compiler flags snn2c builds nucleo-f401 images with (from the build code)."""
    from snn2c.boards import load_board
    from snn2c.build.toolchain import COMMON_CFLAGS

    keep = [f for f in COMMON_CFLAGS if f.startswith(("-O", "-ffp", "-std"))]
    return " ".join([*load_board("nucleo-f401").cflags, *keep])


_FLAGS = _flags()


def _fmt(v, spec: str = ",") -> str:
    if v is None:
        return "-"
    return format(v, spec)


def _times(other: float, snn: float) -> str:
    """'2.0x fewer than' / '3.1x more than' for snn2c's count against another."""
    if other >= snn:
        return f"{other / snn:.2f}x fewer instructions than"
    return f"{snn / other:.2f}x more instructions than"


def _machine(m: dict) -> str:
    keys = ("cpu", "cpus", "platform", "python", "snn2c", "numpy", "torch", "snntorch")
    keys += ("sklearn", "emlearn", "arm-none-eabi-gcc", "qemu-system-arm")
    return "\n".join(f"- {k}: {m[k]}" for k in keys if k in m)


def _target_section(tc: dict) -> list[str]:
    s = tc["settings"]
    out = [
        "## Cost on the target (Cortex-M4F, nucleo-f401 in QEMU)",
        "",
        f"Command: `{tc['command']}` ({tc['seconds']} s), {tc['date']}.",
        "",
        _machine(tc["machine"]),
        "",
        f"snn2c network: `snn2c train` defaults (population encoder, 8 fields per "
        f"feature, hidden 64 LIF, readout 8 LI, 8 steps, membrane decoder, int8) with "
        f"the epoch budget cut to {s['epochs']} float + {s['qat_epochs']} QAT epochs "
        f"(seed {s['seed']}) so the script runs in minutes. Instructions: mean over the "
        f"first {s['count_snn2c']} test vectors for snn2c and the lower bound, "
        f"{s['count_peers']} for the peers (their count barely depends on the input).",
        "",
    ]
    rows = tc["rows"]
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        sub = [r for r in rows if r["dataset"] == ds]
        snn = next(r for r in sub if r["system"] == "snn2c")
        out += [
            f"### {ds}",
            "",
            "| system | instructions / inference | x lower bound | flash B (code + const) "
            "| RAM B | test R2 | test MSE |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        lb = snn["lower_bound_instructions"]
        for r in sub:
            label = SYSTEM_LABEL.get(r["system"], r["system"])
            if r["system"] == "emlearn":
                label += f" {'x'.join(map(str, r['mlp_hidden']))}"
            flash = (
                f"{r['flash_bytes']:,} ({r['code_bytes']:,} + {r['const_bytes']:,})"
                if r["flash_bytes"] is not None
                else "-"
            )
            out.append(
                f"| {label} | {_fmt(r['instructions_per_inference'])} | "
                f"{r['instructions_per_inference'] / lb:.2f} | {flash} | {_fmt(r['ram_bytes'])} | "
                f"{r['r2']:.4f} | {r['mse']:.5f} |"
            )
        naive = next(r for r in sub if r["system"] == "naive_snn")
        eml = next(r for r in sub if r["system"] == "emlearn")
        ni = snn["instructions_per_inference"]
        out += [
            "",
            f"snn2c: {snn['spikes_per_inference']:.1f} spikes per inference (test mean); lower "
            f"bound parts (counted vectors): {snn['lower_bound_parts']['macs']:,.0f} MACs, "
            f"{snn['lower_bound_parts']['accumulates']:,.0f} accumulates, "
            f"{snn['lower_bound_parts']['membrane_updates']:,} membrane updates; "
            f"`snn2c verify` ({snn['verify_vectors']} vectors, {snn['verify_mismatches']} "
            f"mismatches) counts {snn['verify_instructions_snn_model_infer']:,} instructions "
            f"in snn_model_infer alone. "
            f"snn2c needs {naive['instructions_per_inference'] / ni:.1f}x fewer instructions "
            f"than the naive float SNN and {_times(eml['instructions_per_inference'], ni)} "
            f"emlearn ({eml['selection']}; validation MSE "
            f"{eml['mlp_val_mse']:.5f} vs snn2c {eml['snn2c_val_mse']:.5f}).",
            "",
        ]
    out += ["### Against the issue's targets (Cortex-M4)", ""]
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        by = {r["system"]: r for r in rows if r["dataset"] == ds}
        ni = by["snn2c"]["instructions_per_inference"]
        x_lb = ni / by["snn2c"]["lower_bound_instructions"]
        x_naive = by["naive_snn"]["instructions_per_inference"] / ni
        eml = by["emlearn"]["instructions_per_inference"]
        out.append(
            f"- {ds}: {x_lb:.1f}x the lower bound (target <= 3: "
            f"{'met' if x_lb <= 3 else 'not met'}); {x_naive:.1f}x fewer than the naive "
            f"float SNN (target >= 5: {'met' if x_naive >= 5 else 'not met'}); "
            f"{'fewer' if ni < eml else 'more'} than emlearn (target fewer: "
            f"{'met' if ni < eml else 'not met'})."
        )
    out.append("")
    out += _profile_section(rows)
    return out


def _profile_section(rows: list[dict]) -> list[str]:
    snn = [r for r in rows if r["system"] == "snn2c"]
    funcs = list(dict.fromkeys(f for r in snn for f in r["instructions_per_function"]))
    first = snn[0]
    eml = next(r for r in rows if r["system"] == "emlearn" and r["dataset"] == first["dataset"])
    out = [
        "### Where snn2c's instructions go",
        "",
        "Instructions per inference by function (the same exec-log windows, the PC "
        "attributed to the function whose symbol holds it; mean over the counted "
        "vectors).",
        "",
        "| function | " + " | ".join(r["dataset"] for r in snn) + " |",
        "|---|" + "---:|" * len(snn),
    ]
    for f in funcs:
        cells = [_fmt(r["instructions_per_function"].get(f, 0)) for r in snn]
        out.append(f"| `{f}` | " + " | ".join(cells) + " |")
    out += [
        "",
        "Reading it (the kernels are the lead's, issue 6 item 4):",
        "",
        "- `snn_dense_q12_s8` (constant-current input layer, once per inference, "
        "SMLAD): about 2.1 instructions per MAC (10,964 for 80 x 64 = 5,120 MACs); "
        "two MACs per SMLAD would allow about 1.2 with the loop unrolled over two "
        "output rows (each activation word loaded once for two rows) and no "
        "per-group unaligned-read bookkeeping.",
        "- `snn_lif_step_s32`: about 15 instructions per neuron update (7,840 for 8 "
        "steps x 64 neurons), the lower bound counts 1. The loop loads `v` and `cur`, "
        "leaks, integrates, compares, conditionally subtracts, stores `v`, stores a "
        "spike byte and counts; the constant layer-0 current could be folded into "
        "the update (one load less), and the spike bytes replaced by an event list "
        "that the next layer consumes directly.",
        "- `snn_dense_spikes_s8`: thousands of instructions for a few hundred "
        "accumulates: each step zeroes the accumulators, scans all 64 spike bytes "
        "(most are 0) and rescales every output. Iterating an index list of the "
        "spikes written by the LIF kernel (or a bitmask with CLZ) removes the scan; "
        "accumulating straight into the Q16 current (pre-shifted bias) removes the "
        "zero/rescale passes.",
        "- `snn_model_reset` + `memset`: about 2,000 instructions to zero the state "
        "through pointer tables; one contiguous state struct zeroed with word stores "
        "(or only the membranes: spikes are rewritten each step) costs ~100.",
        "- `snn_li_step_s32` takes the general path (parameter branches per neuron): "
        "13 per update; a fast path like the LIF one would halve it.",
        f"- The input-layer size dominates the comparison with emlearn: the default "
        f"population encoder feeds n_features x 8 inputs to a 64-neuron layer, so on "
        f"{first['dataset']} even the lower bound ({first['lower_bound_instructions']:,}) "
        f"is above emlearn's {'x'.join(map(str, eml['mlp_hidden']))} MLP "
        f"({eml['instructions_per_inference']:,}, test R2 {eml['r2']:.4f} vs "
        f"{first['r2']:.4f}). Kernel work alone cannot close that: a smaller default "
        "network (fewer receptive fields or hidden neurons) is needed to beat a float "
        "MLP on small tabular tasks. Where only a large MLP reaches snn2c's accuracy "
        "(mackey-glass: 64x64), snn2c already needs fewer instructions than emlearn.",
        "",
    ]
    return out


def _host_section(hs: dict) -> list[str]:
    out = [
        "## Host speed: snn2c against snnTorch",
        "",
        f"Command: `{hs['command']}` ({hs['seconds']} s), {hs['date']}.",
        "",
        _machine(hs["machine"]),
        "",
        hs["note"],
        "",
        "| dataset | test vectors | snn2c integer reference (numpy) inf/s | snn2c float "
        "simulator (numpy) inf/s | snnTorch inference inf/s | snn2c training s/epoch "
        "| snnTorch training s/epoch | max abs diff snnTorch vs float simulator |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in hs["rows"]:
        out.append(
            f"| {r['dataset']} | {r['test_vectors']} | {r['reference_inf_per_s']:,.0f} | "
            f"{r['floatsim_inf_per_s']:,.0f} | {r['snntorch_inf_per_s']:,.0f} | "
            f"{r['snn2c_train_s_per_epoch']:.3f} | {r['snntorch_train_s_per_epoch']:.3f} | "
            f"{r['snntorch_vs_floatsim_max_abs']:.2e} |"
        )
    out.append("")
    return out


def write(doc: dict) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Measured, not estimated: both tables are written by scripts from "
        "`benchmarks/results.json` (regenerate them with the commands shown). "
        "`results.json` holds every row with more detail (min/max instructions, "
        "largest symbols, MLP candidates, size cross-checks).",
        "",
        "## Method",
        "",
        "- Same board, compiler and flags for every system: `nucleo-f401` "
        "(Cortex-M4F), `arm-none-eabi-gcc` with snn2c's flags (`" + _FLAGS + "`, picolibc, "
        "`--gc-sections`), the start-up code, UART and linker script of the `snn2c "
        "build` folder, run in QEMU `netduinoplus2`.",
        "- Each image's `bench_infer` takes a raw float sensor vector and returns the "
        "prediction on the [0, 1]-scaled target: snn2c `snn_model_normalize` + "
        "`snn_model_infer` (Q16 output); the naive float SNN and the emlearn MLP "
        "normalise with the same per-feature range, then infer.",
        "- Instructions: executed instructions from `bench_infer`'s first instruction "
        "to the return into `main`, callees (libm `expf`, libgcc) included, counted "
        "with snn2c's own `-singlestep -d exec,nochain` window counter. Exact counts, "
        "**not cycles** (QEMU models no pipeline, FPU latency, flash wait states).",
        "- Flash / RAM of the inference: ELF symbol sizes (`readelf -s`, as `nm -S`) of "
        "the symbols that the image has and the same image built with `BENCH_NULL=1` "
        "(inference call removed) lacks: functions + const tables = flash, .data + "
        ".bss = RAM. Stack "
        "excluded (a fixed 4 KiB reserve in every image). `results.json` also holds "
        "the `size -B` difference of the two images as a cross-check.",
        "- Accuracy: R2 and MSE on the [0, 1]-scaled target of the test split "
        "(the trainer's seeded 70/15/15 split; mackey-glass chronological), from the "
        "outputs QEMU printed for every test vector. snn2c's printed outputs are also "
        "checked equal to the integer reference, bit for bit.",
        "- Lower bound: the snn2c network's synaptic events and membrane updates at "
        "one instruction each: the constant-current input layer's n_in x n_out MACs "
        "once, one accumulate per spike and target neuron in spike-fed layers, one "
        "update per neuron and step, the decoder's MACs.",
        "",
    ]
    if "target_cost" in doc:
        lines += _target_section(doc["target_cost"])
    if "host_speed" in doc:
        lines += _host_section(doc["host_speed"])
    if "notes" in doc:
        lines += ["## Notes", "", *doc["notes"], ""]
    DOC.write_text("\n".join(lines).rstrip() + "\n")
