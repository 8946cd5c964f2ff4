"""Compile generated C with the host compiler and run it through tests/c/host_harness.c."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn2c import ir
from snn2c.codegen import write_sources
from snn2c.quantize import quantize

HARNESS = Path(__file__).parent / "c" / "host_harness.c"
FIRMWARE = Path(__file__).resolve().parent.parent / "firmware"  # harness_stream.h
STRICT = ["-std=c99", "-Wall", "-Wextra", "-Wconversion", "-Wshadow", "-Werror", "-pedantic"]
SANITIZE = ["-fsanitize=undefined,address", "-fno-sanitize-recover=all", "-g"]


@dataclass
class HostModel:
    net: ir.Network
    exe: Path

    def infer(self, x_q: np.ndarray, mode: str = "infer") -> tuple[np.ndarray, np.ndarray]:
        """(outputs (n, n_out), spike counts (n, n_layers + 1)) from the C build; mode
        "stream" pushes the rows as one stream (a streaming model)."""
        text = "\n".join(" ".join(str(int(v)) for v in row) for row in x_q) + "\n"
        out = self._run([mode], text)
        rows = np.array([line.split() for line in out.splitlines()], dtype=np.int64)
        n_out = self.net.n_outputs
        return rows[:, :n_out], rows[:, n_out:]

    def longstream(self, samples: int):
        """(inputs (n, F), outputs (n, n_out), spike counts (n, L + 1), {n: hash}) of the
        long stream of firmware/harness_stream.h, generated and hashed by the C."""
        out = self._run(["longstream", str(samples)], "")
        rows, marks = [], {}
        for line in out.splitlines():
            if line.startswith("H "):
                _, n, h = line.split()
                marks[int(n)] = int(h)
            else:
                x, _, result = line.partition(":")
                rows.append([*x.split(), *result.split()])
        a = np.array(rows, dtype=np.int64).reshape(len(rows), -1)
        f, k = self.net.n_inputs, self.net.n_outputs
        return a[:, :f], a[:, f : f + k], a[:, f + k :], marks

    def trace(self, x_q_row: np.ndarray) -> list[np.ndarray]:
        """Membranes per layer, each (T, n), from the streaming API."""
        widths = [str(layer.n_out) for layer in self.net.layers]
        out = self._run(["trace", *widths], " ".join(str(int(v)) for v in x_q_row) + "\n")
        per_layer: list[list[list[int]]] = [[] for _ in self.net.layers]
        for line in out.splitlines():
            parts = line.split()
            if parts[0] == "out":
                continue
            per_layer[int(parts[1])].append([int(v) for v in parts[2:]])
        return [np.array(m, dtype=np.int64) for m in per_layer]

    def horizon(self, x_q_row: np.ndarray) -> tuple[int, np.ndarray]:
        """(steps that ran of 3 T snn_model_step calls, decoded outputs) after a reset."""
        out = self._run(["horizon"], " ".join(str(int(v)) for v in x_q_row) + "\n").split()
        return int(out[0]), np.array([int(v) for v in out[1:]], dtype=np.int64)

    def normalize_predict(self, x_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Q12 inputs, float32 bits of snn_model_predict) for raw float32 inputs."""
        x32 = np.asarray(x_raw, dtype=np.float32)
        text = "\n".join(" ".join(repr(float(v)) for v in row) for row in x32) + "\n"
        out = self._run(["normalize"], text)
        rows = [line.split() for line in out.splitlines()]
        nf = self.net.n_inputs
        xq = np.array([r[:nf] for r in rows], dtype=np.int64)
        bits = np.array([[int(b, 16) for b in r[nf:]] for r in rows], dtype=np.uint32)
        return xq, bits

    def _run(self, args: list[str], stdin: str) -> str:
        proc = subprocess.run(
            [str(self.exe), *args], input=stdin, capture_output=True, text=True, timeout=120
        )
        if proc.returncode != 0 or proc.stderr:
            raise AssertionError(
                f"{self.exe.name} {args[0]} failed ({proc.returncode}): {proc.stderr}"
            )
        return proc.stdout


def build_host(
    net: ir.Network, workdir: Path, *, sanitize: bool = False, count_spikes: bool = True
) -> HostModel:
    src = workdir / "src"
    write_sources(quantize(net), src, force=True, command="pytest")
    exe = workdir / ("harness_san" if sanitize else "harness")
    cmd = [
        "gcc",
        *STRICT,
        "-O1" if sanitize else "-O2",
        *(SANITIZE if sanitize else []),
        "-ffp-contract=off",
        f"-DSNN_MODEL_COUNT_SPIKES={int(count_spikes)}",
        f"-I{src}",
        f"-I{FIRMWARE}",
        str(src / "snn_model.c"),
        str(src / "snn_kernels.c"),
        str(HARNESS),
        "-o",
        str(exe),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"host build failed:\n{' '.join(cmd)}\n{proc.stderr}")
    return HostModel(net, exe)
