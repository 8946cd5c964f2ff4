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
