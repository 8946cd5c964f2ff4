"""The device test harness's two ends: the vectors header it is built with, and the
UART text it prints (firmware/harness_main.c documents the format), written out as
the lines a run must print (expected_lines) and read back (parse)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from snn2c.errors import Snn2cError
from snn2c.reference.vectors import Vectors


@dataclass
class StreamOutput:
    """What the long-stream image printed (firmware/harness_main.c, SNN2C_HARNESS_STREAM)."""

    header: dict[str, int] = field(default_factory=dict)
    marks: dict[int, int] = field(default_factory=dict)  # samples so far -> running hash
    device_mismatches: int | None = None
    complete: bool = False


def parse_stream(text: str) -> StreamOutput:
    """The long-stream image's BEGIN line, its H checkpoints and its END line."""
    out = StreamOutput()
    begun = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("SNN2C-STREAM BEGIN"):
            out.header = _kv(line.split()[2:])
            begun = True
        elif begun and line.startswith("SNN2C-STREAM END"):
            out.device_mismatches = _kv(line.split()[2:]).get("mismatches")
            out.complete = True
            break
        elif begun and line:
            words = line.split()
            try:
                if words[0] != "H" or len(words) != 3:
                    raise ValueError(words[0])
                out.marks[int(words[1])] = int(words[2])
            except ValueError:
                raise Snn2cError(f"unexpected stream output line: {line!r}") from None
    return out


def inference_symbol(streaming: bool) -> str:
    """The function each harness call of snn2c_harness_infer runs (and the emulators
    count): one sample of the stream for a streaming model, one inference otherwise."""
    return "snn_model_push" if streaming else "snn_model_infer"


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


def expected_lines(vec: Vectors, *, layers: int, counters: bool) -> list[str]:
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


def c_int(v: int) -> str:
    """An int32 as a C literal (INT32_MIN spelt without overflow)."""
    v = int(v)
    return "(-2147483647 - 1)" if v == -(2**31) else str(v)


@dataclass(frozen=True)
class StreamExpect:
    """The long stream an image is built for: its length, whether it counts spikes,
    and the reference's checkpoints {samples so far: hash} (reference.longstream)."""

    samples: int
    counters: bool
    marks: dict[int, int]


def template_view(vec: Vectors, stream: StreamExpect | None = None) -> dict:
    def rows(a: np.ndarray, width: int, fmt=c_int) -> list[list[str]]:
        out = [[fmt(v) for v in row] for row in a]
        return out or [["0"] * width]  # C99 has no empty initialisers

    f = vec.x_q.shape[1]
    bits = vec.x_f.view(np.uint32)
    return {
        "n": len(vec.x_q),
        "nf": len(vec.x_f),
        "x_q": rows(vec.x_q, f),
        "y": rows(vec.y, vec.y.shape[1]),
        "spikes": rows(vec.spikes, vec.spikes.shape[1], str),
        "xf_bits": rows(bits, f, lambda b: f"0x{int(b):08X}u"),
        "fq": rows(vec.fq, f),
        "fy": rows(vec.fy, vec.y.shape[1]),
        "stream": None
        if stream is None
        else {
            "samples": stream.samples,
            "counters": int(stream.counters),
            "expect": [f"{stream.marks[n]}u" for n in sorted(stream.marks)],
        },
    }
