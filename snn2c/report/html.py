"""A self-contained report.html: figures embedded as base64 PNG, tables of the JSON."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f2f2f2; } td.l, th.l { text-align: left; }
.est { color: #a05a00; font-weight: 600; } figure { margin: 1em 0; }
img { max-width: 100%; border: 1px solid #ddd; } .note { color: #555; font-size: .9em; }
"""


def _fmt(v: Any) -> str:
    if v is None:
        return "&mdash;"
    if isinstance(v, float):
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
            return f"{v:.4g}"
        return f"{v:,.4f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return html.escape(str(v))


def table(rows: list[list[Any]], header: list[str]) -> str:
    head = "".join(
        f'<th class="{"l" if i == 0 else ""}">{html.escape(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"l" if i == 0 else ""}">{_fmt(c)}</td>' for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def figure(path: Path, caption: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _model_section(m: dict) -> str:
    """One model's section: accuracy, activity, energy, target, then its figures."""
    out = [f"<h2>Model {html.escape(m['model'])}</h2>"]
    if m.get("dataset"):
        out.append(f'<p class="note">Test data: {html.escape(str(m["dataset"]))}</p>')
    out += _accuracy(m["accuracy"])
    out += _inputs(m.get("inputs"))
    out += _activity(m)
    out += _energy(m["energy_pj"])
    t = m.get("target")
    if t:
        out += _target(m, t)
    for fig in m.get("figures", []):
        out.append(figure(Path(fig["path"]), fig["caption"]))
    return "\n".join(out)


def _accuracy(acc: dict) -> list[str]:
    """Each predictor's test MSE and R2, or why it is not there."""
    rows = []
    for key, label in (
        ("snn_float", "SNN, float simulator"),
        ("snn_quantized", "SNN, quantized (integer reference = device)"),
        ("ann", "baseline ANN (float MLP)"),
        ("linear", "linear regression (least squares, training split)"),
    ):
        a = acc.get(key)
        if a is None:
            rows.append([label, None, None, acc.get(f"{key}_reason", "not available")])
        else:
            rows.append([label, a["mse"], a["r2"], ""])
    out = [
        "<h3>Accuracy on the test set</h3>",
        table(rows, ["predictor", "MSE ([0,1]-scaled)", "R2", "note"]),
    ]
    fid = acc.get("import_fidelity")
    if fid:
        out.append(
            f'<p class="note">Imported from NIR at int{int(fid["weight_bits"])} weights, '
            f"chosen by fidelity: the fixed-point network against the float import, mean "
            f"{_fmt(fid['mean'])}, 99th percentile {_fmt(fid['p99'])} of the output's "
            f"standard deviation over {int(fid['samples'])} inputs "
            f"({html.escape(fid['calibration'])}).</p>"
        )
    return out


def _inputs(inputs: dict | None) -> list[str]:
    """Each input's learned encoding (per-feature encodings only): what the network
    reads, and the inputs it dropped (the device need not wire those sensors)."""
    if not inputs:
        return []
    read, dropped = inputs["read"], inputs["dropped"]
    rows = [[name, enc] for name, enc in inputs["encodings"].items()]
    return [
        f"<h3>Inputs: {len(read)} of {len(read) + len(dropped)} read</h3>",
        table(rows, ["input", "encoding"]),
    ]


def _activity(m: dict) -> list[str]:
    """Spikes and sparsity per layer, synaptic operations per connection, membrane
    updates."""
    out = ["<h3>Activity per inference (integer reference, mean over the test set)</h3>"]
    spl = m["spikes_per_inference"]["per_layer"]
    sp = m["activation_sparsity"]["per_layer"]
    rows = [[name, v, sp.get(name)] for name, v in spl.items()]
    rows.append(["total", m["spikes_per_inference"]["total"], m["activation_sparsity"]["total"]])
    out.append(table(rows, ["layer", "spikes", "activation sparsity"]))
    syn = m["synops"]
    rows = [
        [o["name"], o["kind"].upper(), o["effective"], o["per_step"], o["dense"]]
        for o in syn["per_layer"]
    ]
    rows.append(["total MAC", "", syn["mac"], syn["mac_per_step"], syn["dense_mac"]])
    rows.append(["total AC", "", syn["ac"], syn["ac"], syn["dense_ac"]])
    out.append(
        table(rows, ["connection", "op", "effective (executed)", "counted per step", "dense"])
    )
    mu = m["membrane_updates"]
    out.append(
        f"<p>Membrane updates: {_fmt(mu['neurobench'])} (NeuroBench definition), "
        f"{_fmt(mu['executed'])} executed by the time-stepped C.</p>"
    )
    return out


def _energy(e: dict) -> list[str]:
    """The operation-count energy models and their constants (estimates)."""
    c = e["constants"]
    rows = [
        ["E_ANN = N_MAC x E_MAC", e["ann"], f"N_MAC = {_fmt(e['ann_mac'])}"],
        [
            "E_SNN = N_spikes x E_spike + P_leak x T",
            e["snn"],
            f"spikes {_fmt(e['snn_spike_part'])} pJ + leak {_fmt(e['snn_leak_part'])} pJ",
        ],
        ["E_SNN,synops = N_MAC x E_MAC + N_AC x E_AC", e["snn_synops"], ""],
        ["ratio E_ANN / E_SNN", e["ratio"], ""],
        ["ratio E_ANN / E_SNN,synops", e["ratio_synops"], ""],
    ]
    return [
        '<h3>Energy per inference <span class="est">(model estimate)</span></h3>',
        table(rows, ["model", "pJ", "detail"]),
        '<p class="note">Constants: '
        + ", ".join(f"{k} = {_fmt(v)}" for k, v in c.items() if k not in ("sources",))
        + ". Sources: "
        + "; ".join(f"{k}: {html.escape(v)}" for k, v in c["sources"].items())
        + ".</p>",
    ]


def _target(m: dict, t: dict) -> list[str]:
    """The board: what was measured (flash, RAM, instructions), what is estimated
    (time, energy), and the SNN beside the baseline ANN there; or why not."""
    out = ["<h3>Target</h3>"]
    if not t.get("available", True):
        out.append(f'<p class="note">Not measured: {html.escape(str(t.get("reason")))}.</p>')
        return out
    est = t["estimate"]
    rows = [
        [
            "board",
            f"{t['board']} ({t['mcu']}, {t['core']}, {t['clock_hz'] / 1e6:g} MHz)",
            "measured",
        ],
        [
            "flash",
            f"{_fmt(t['flash_bytes'])} of {_fmt(t['flash_capacity'])} bytes",
            "measured (ELF)",
        ],
        ["RAM", f"{_fmt(t['ram_bytes'])} of {_fmt(t['ram_capacity'])} bytes", "measured (ELF)"],
        ["instructions / inference", _fmt(t["instructions_per_inference"]), "measured (QEMU)"],
        ["time / inference", f"{_fmt(est.get('time_us'))} us", "ESTIMATE"],
        ["energy / inference", f"{_fmt(est.get('energy_uj'))} uJ", "ESTIMATE"],
    ]
    out.append(table(rows, ["quantity", "value", "how"]))
    out.append(
        f'<p class="est">{html.escape(est["label"])}. CPI = {_fmt(est["cpi"])}, '
        f"{_fmt(est['voltage_v'])} V, {_fmt(est['current_ma'])} mA "
        f"({html.escape(str(est['current_source']))}).</p>"
    )
    if t.get("note"):
        out.append(f'<p class="note">{html.escape(t["note"])}</p>')
    return out + _versus(m, t)


def _versus(m: dict, t: dict) -> list[str]:
    """The SNN beside the stored baseline MLP on the same board: the decision table."""
    ann = t.get("ann")
    if not ann:
        return []
    if "note" in ann:
        return [
            f'<p class="note">Baseline ANN on the board: not measured ({html.escape(ann["note"])}).</p>'
        ]
    from snn2c.report.ann_target import versus_rows

    rows = [
        [
            r["label"],
            _fmt(r["instructions"]),
            _fmt(r["estimate"].get("time_us")),
            _fmt(r["estimate"].get("energy_uj")),
            _fmt(r["flash_bytes"]),
            _fmt(r["ram_bytes"]),
            _fmt(r["r2"]),
        ]
        for r in versus_rows(m, t)
    ]
    head = [
        "on " + html.escape(t["board"]),
        "instructions / inference (measured)",
        "time us (ESTIMATE)",
        "energy uJ (ESTIMATE)",
        "flash B",
        "RAM B",
        "test R2",
    ]
    return [
        "<h3>The SNN beside the ANN on the same board</h3>",
        table(rows, head),
        '<p class="note">Both built with the same flags and runtime and counted in the same '
        "QEMU machine; flash and RAM are each model's own code and tables.</p>",
    ]


def write_html(doc: dict, path: Path, comparison: Path | None = None) -> Path:
    """report.html for a report document ({"models": [...]}), every image inlined."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<title>snn2c report</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>snn2c report</h1>",
        '<p class="note">Counts from the bit-exact integer reference; energies from the '
        "literature's operation-count models (docs/metrics.md) are estimates, and so is "
        "every time or energy on the target; flash, RAM and instruction counts are measured.</p>",
    ]
    if comparison is not None:
        parts.append("<h2>Decoder comparison</h2>")
        parts.append(figure(comparison, "Test MSE against estimated energy per inference"))
    for m in doc["models"]:
        parts.append(_model_section(m))
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
