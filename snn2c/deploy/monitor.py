"""snn2c monitor: read a board's UART; for the harness image, the same verdict as
`snn2c verify` (its parser, its reference vectors, its mismatch report)."""

from __future__ import annotations

import time
from pathlib import Path

from snn2c.build import harness, project
from snn2c.deploy.ports import find_port
from snn2c.emulate.verify import first_mismatch
from snn2c.errors import Snn2cError
from snn2c.quantize import quantize
from snn2c.reference.vectors import make_vectors

BEGIN = "SNN2C-HARNESS BEGIN"
END = "SNN2C-HARNESS END"


def _open(port: str, baud: int):
    try:
        import serial  # pyserial: the flash extra
    except ImportError:
        raise Snn2cError("pyserial is not installed: pip install 'snn2c[flash]'") from None
    try:
        return serial.Serial(port, baud, timeout=0.2)
    except (serial.SerialException, ValueError) as e:
        raise Snn2cError(f"{port}: cannot open the serial port ({open_error(e)})") from None


def open_error(e: Exception) -> str:
    """pyserial's open failure, said once (its text repeats the errno and the port), with
    the hint that leads on: the port list, or the dialout group for a permission error."""
    import errno
    import os

    code = e.args[0] if e.args and isinstance(e.args[0], int) else getattr(e, "errno", None)
    if not isinstance(code, int):
        return f"{e}; list the ports with: python -m serial.tools.list_ports"
    text = os.strerror(code)
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"{text}: add your user to the dialout group (sudo usermod -aG dialout $USER, "
            "then log in again)"
        )
    return f"{text}; list the ports with: python -m serial.tools.list_ports"


def read_lines(port: str, baud: int, timeout: float, report: bool, echo=None) -> list[str]:
    """Lines from the port for `timeout` seconds; with report, only until the END
    line of a report whose BEGIN line was seen (the board harness repeats it)."""
    lines: list[str] = []
    begun = False
    pending = b""
    deadline = time.monotonic() + timeout
    with _open(port, baud) as ser:
        while time.monotonic() < deadline:
            try:
                chunk = ser.read(256)
            except OSError as e:  # the board was unplugged
                raise Snn2cError(f"{port}: read failed ({e})") from None
            pending += chunk
            *done, pending = pending.split(b"\n")
            for raw in done:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                lines.append(line)
                if echo:
                    echo(line)
                begun = begun or line.strip().startswith(BEGIN)
                if report and begun and line.strip().startswith(END):
                    return lines
    if pending:
        lines.append(pending.decode("utf-8", "replace"))
    return lines


def monitor(
    root: str | Path,
    *,
    port: str | None = None,
    image: str | None = None,
    timeout: float = 30.0,
    echo=None,
) -> dict:
    """Read the board's UART. harness: wait for the END line and compare every result
    with the reference; firmware: show what it prints for `timeout` seconds."""
    root = Path(root)
    manifest, board, net = project.load_project(root)
    project.check_finished(root, manifest, net, compiled=board.buildable_here)
    from snn2c.deploy.routes import default_monitor_image, harness_routes

    if image is None:
        image = default_monitor_image(board)
    elif image == "harness" and not harness_routes(board):
        raise Snn2cError(
            f"--image harness: {board.name}'s harness runs in emulation only (no route puts "
            "it on the chip): monitor --image firmware, or snn2c verify DIR --emulator qemu"
        )
    port = port or find_port(board)
    baud = board.uart.baud
    if image == "firmware":
        lines = read_lines(port, baud, timeout, False, echo)
        return {"board": board.name, "port": port, "image": image, "lines": len(lines)}
    lines = read_lines(port, baud, timeout, True, echo)
    out = harness.parse("\n".join(lines))
    if not out.header:
        raise Snn2cError(
            f"{port}: no '{BEGIN}' line within {timeout:g} s (the harness prints once after "
            "reset: press the board's reset button while monitoring, or flash with --monitor)"
        )
    if not out.complete:
        tail = (lines or ["<none>"])[-1]
        raise Snn2cError(
            f"{port}: the harness did not finish within {timeout:g} s (last line {tail!r})"
        )
    n = out.header.get("vectors", 0)
    if n != project.DEFAULT_HARNESS_VECTORS:
        raise Snn2cError(
            f"{port}: the harness ran {n} vectors, this build's has "
            f"{project.DEFAULT_HARNESS_VECTORS}: is the board running another build?"
        )
    vec = make_vectors(quantize(net), n, seed=0)  # the vectors snn2c build embedded
    bad, first = first_mismatch(vec, out, counters=bool(out.header.get("counters", 0)))
    return {
        "board": board.name,
        "port": port,
        "image": image,
        "vectors": n,
        "float_vectors": len(vec.x_f),
        "mismatches": bad,
        "first_mismatch": first,
        "device_reported_mismatches": out.device_mismatches,
        "model_hash": manifest.get("model_hash"),
    }
