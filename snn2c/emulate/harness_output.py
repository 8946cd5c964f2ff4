"""Parse the test harness's UART text (firmware/harness_main.c documents the format)."""

from __future__ import annotations

from dataclasses import dataclass, field

from snn2c.errors import Snn2cError


@dataclass
class HarnessOutput:
    header: dict[str, int] = field(default_factory=dict)
    y: dict[int, list[int]] = field(default_factory=dict)
    spikes: dict[int, list[int]] = field(default_factory=dict)
    fq: dict[int, list[int]] = field(default_factory=dict)
    fy: dict[int, list[int]] = field(default_factory=dict)
    device_mismatches: int | None = None
    complete: bool = False


def _kv(words: list[str]) -> dict[str, int]:
    out = {}
    for w in words:
        k, _, v = w.partition("=")
        out[k] = int(v)
    return out


def parse(text: str) -> HarnessOutput:
    out = HarnessOutput()
    begun = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("SNN2C-HARNESS BEGIN"):
            out.header = _kv(line.split()[2:])
            begun = True
            continue
        if not begun or not line:
            continue
        if line.startswith("SNN2C-HARNESS END"):
            out.device_mismatches = _kv(line.split()[2:]).get("mismatches")
            out.complete = True
            break
        words = line.split()
        try:
            tag, idx = words[0], int(words[1])
            if tag == "Y":
                out.y[idx] = [int(w) for w in words[2:]]
            elif tag == "S":
                out.spikes[idx] = [int(w) for w in words[2:]]
            elif tag == "Q":
                colon = words.index(":")
                out.fq[idx] = [int(w) for w in words[2:colon]]
                out.fy[idx] = [int(w) for w in words[colon + 1 :]]
            else:
                raise ValueError(tag)
        except (ValueError, IndexError):
            raise Snn2cError(f"unexpected harness output line: {line!r}") from None
    return out


def expected_lines(vec, *, layers: int, counters: bool) -> list[str]:
    """The lines the harness must print for these vectors (the reference's values), in
    order: the format of firmware/harness_main.c, which parse() reads back."""
    n_out = vec.y.shape[1]
    lines = [
        f"SNN2C-HARNESS BEGIN vectors={len(vec.x_q)} floats={len(vec.x_f)} outputs={n_out} "
        f"layers={layers} counters={int(counters)}"
    ]
    for i in range(len(vec.x_q)):
        lines.append(" ".join(["Y", str(i), *(str(int(v)) for v in vec.y[i])]))
        if counters:
            lines.append(" ".join(["S", str(i), *(str(int(v)) for v in vec.spikes[i])]))
    for i in range(len(vec.x_f)):
        q = " ".join(str(int(v)) for v in vec.fq[i])
        y = " ".join(str(int(v)) for v in vec.fy[i])
        lines.append(f"Q {i} {q} : {y}")
    lines.append("SNN2C-HARNESS END mismatches=0")
    return lines
