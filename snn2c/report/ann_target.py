"""The baseline ANN on the SNN's board: emlearn's C for the MLP stored in the model,
built with the runtime of an ``snn2c build`` folder, run in the same QEMU machine.

Measured like the SNN: executed instructions per inference (exec-log windows of
``snn2c_ann_infer``, exact), flash and RAM (the image minus the same image without
the MLP), and its outputs on the test vectors (so its accuracy on the device).
Needs emlearn (``pip install 'snn2c[bench]'``); without it the report says so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.build import project, toolchain
from snn2c.codegen.cformat import c_float_array
from snn2c.emulate.qemu import count_windows, run_qemu
from snn2c.errors import Snn2cError

MODEL_SOURCES = ("src/snn_model.c", "src/snn_kernels.c", "harness/harness_main.c")
SNN_PREFIXES = ("snn_",)
ANN_PREFIXES = ("snn2c_ann", "eml_", "ann_low", "ann_gain")
COUNT_VECTORS = 3  # the MLP's count does not depend on the input


def _emlearn():
    try:
        import emlearn
        from emlearn.net import c_generate_net_loadable
    except ImportError:
        return None, None
    return emlearn, c_generate_net_loadable


def _render(net: ir.Network, x: np.ndarray, folder, prov: str) -> None:
    _, generate = _emlearn()
    assert net.baseline is not None and generate is not None
    b = net.baseline
    # the inputs the MLP was trained on: a careful user does not wire up the others
    cols = list(b.inputs_read()) or list(range(net.n_inputs))
    weights = [b.weights[0][:, cols], *b.weights[1:]]
    acts = ["relu"] * (len(b.weights) - 1) + ["identity"]
    code = generate(acts, [w.T for w in weights], list(b.biases), prefix="snn2c_ann")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ann_net.h").write_text(f"/* {prov} */\n{code}\n")
    bits = np.ascontiguousarray(x[:, cols].astype(np.float32)).view(np.uint32)
    env = project.environment()
    env.filters["c_float_array"] = c_float_array
    text = env.get_template("firmware/ann_main.c.j2").render(
        provenance=prov,
        hidden="x".join(map(str, b.hidden)),
        n_inputs=len(cols),
        n_vectors=len(x),
        low=net.inputs.low[cols],
        gain=1.0 / (net.inputs.high[cols] - net.inputs.low[cols]),
        x_bits=[[f"0x{int(v):08X}u" for v in row] for row in bits],
    )
    (folder / "ann_main.c").write_text(text)


def _image(root, board, folder, name: str, null: bool):
    import emlearn

    runtime = [root / s for s in project.image_sources(board, "harness-qemu")]
    sources = [s for s in runtime if str(s.relative_to(root)) not in MODEL_SOURCES]
    elf = folder / f"{name}.elf"
    toolchain.link_image(
        board,
        [*sources, folder / "ann_main.c"],
        include_dirs=[root / "config/emu", folder, root / "src", emlearn.includedir],
        linker_script=root / project.image_ld("harness-qemu"),
        elf=elf,
        defines={"ANN_NULL": "1" if null else "0"},
        cwd=root,
    )
    return elf


def _outputs(board, elf, n: int) -> np.ndarray:
    run = run_qemu(board, elf, timeout=120)
    vals = {}
    for line in run.stdout.splitlines():
        w = line.split()
        if len(w) == 3 and w[0] == "A":
            vals[int(w[1])] = int(w[2])
    if "SNN2C-ANN END" not in run.stdout or len(vals) != n:
        raise Snn2cError(
            f"{elf.name}: the ANN image did not finish in QEMU (exit {run.returncode})"
        )
    bits = np.array([vals[i] for i in range(n)], dtype=np.uint32)
    return bits.view(np.float32).astype(np.float64)


def model_footprint(board, elf, prefixes: tuple[str, ...]) -> dict[str, int]:
    """Flash and RAM of the symbols named with the prefixes: the model's own code and
    tables, without the runtime (start-up, UART) and the C library both images share."""
    ram_lo = board.qemu.ram_origin if board.qemu else board.ram_origin
    flash = ram = 0
    for name, (addr, size) in toolchain.symbols(board, elf).items():
        if name.startswith(prefixes):
            if ram_lo <= addr < ram_lo + board.ram_size:
                ram += size
            else:
                flash += size
    return {"flash_bytes": flash, "ram_bytes": ram}


def snn_footprint(build_dir, board) -> dict[str, int]:
    """The SNN's own code and tables in the build's sensor-node image (snn_* symbols)."""
    return model_footprint(board, Path(build_dir) / "out" / "firmware.elf", SNN_PREFIXES)


def measure(build_dir, board, net: ir.Network, x_test: np.ndarray) -> dict:
    """The stored baseline MLP on the board of the build folder: instructions, sizes,
    test outputs (in [0, 1]-scaled target units). {"note": ...} where it cannot be
    measured."""
    if net.baseline is None:
        return {"note": "the model stores no baseline MLP (trained with --no-baseline?)"}
    if net.baseline.weights[-1].shape[0] != 1:
        return {"note": "the baseline MLP has several outputs; emlearn's regress1 takes one"}
    if _emlearn()[0] is None:
        return {"note": "emlearn is not installed (pip install 'snn2c[bench]')"}
    root = Path(build_dir).resolve()
    if board.qemu is None:
        return {"note": f"board '{board.name}' has no QEMU machine"}
    folder = root / "out" / "ann"
    prov = f"snn2c report: baseline ANN of model '{net.name}' for board {board.name}"
    _render(net, x_test, folder / "all", prov)
    y = _outputs(board, _image(root, board, folder / "all", "ann-all", False), len(x_test))
    _render(net, x_test[:COUNT_VECTORS], folder / "count", prov)
    elf = _image(root, board, folder / "count", "ann-count", False)
    null = _image(root, board, folder / "count", "ann-null", True)
    log = folder / "count" / "exec.log"
    try:
        run = run_qemu(board, elf, timeout=300, exec_log=log)
        if run.returncode != 0:
            raise Snn2cError(f"{elf.name}: QEMU exit {run.returncode}")
        syms = toolchain.symbols(board, elf)
        lo, size = syms["main"]
        counts = count_windows(log, syms["snn2c_ann_infer"][0], (lo, lo + max(size, 1)))
    finally:
        log.unlink(missing_ok=True)
    full, base = toolchain.size(board, elf), toolchain.size(board, null)
    return {
        "hidden": list(net.baseline.hidden),
        "board": board.name,
        "instructions_per_inference": round(float(np.mean(counts))),
        "instruction_samples": len(counts),
        **model_footprint(board, elf, ANN_PREFIXES),
        "image_delta_bytes": {"flash": full.flash - base.flash, "ram": full.ram - base.ram},
        "outputs01": y,
        "method": "emlearn loadable C (float32), same runtime and QEMU machine as the SNN; "
        "instructions from snn2c_ann_infer's entry to its return (normalisation included)",
    }


def versus_rows(model_doc: dict, target_doc: dict) -> list[dict]:
    """The decision table of a report: the SNN and the measured baseline MLP on the same
    board, one row each (label, instructions, estimate, flash, RAM, test R2). Empty
    when the MLP was not measured."""
    ann = target_doc.get("ann") or {}
    if "instructions_per_inference" not in ann:
        return []
    snn_fp = target_doc.get("snn_model", {})
    return [
        {
            "label": "SNN (snn2c)",
            "instructions": target_doc["instructions_per_inference"],
            "estimate": target_doc["estimate"],
            "flash_bytes": snn_fp.get("flash_bytes"),
            "ram_bytes": snn_fp.get("ram_bytes"),
            "r2": model_doc["accuracy"]["snn_quantized"]["r2"],
        },
        {
            "label": f"ANN (MLP {'x'.join(map(str, ann['hidden']))}, emlearn)",
            "instructions": ann["instructions_per_inference"],
            "estimate": ann["estimate"],
            "flash_bytes": ann.get("flash_bytes"),
            "ram_bytes": ann.get("ram_bytes"),
            "r2": ann["accuracy"]["r2"],
        },
    ]
