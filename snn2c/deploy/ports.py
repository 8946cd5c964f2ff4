"""Find a board's serial port by the USB ids its board file names (the ST-LINK's
virtual COM port, the DAPLink's, an ESP32 devkit's USB-to-UART bridge)."""

from __future__ import annotations

from snn2c.boards import Board
from snn2c.errors import Snn2cError


def _list_ports():
    try:
        from serial.tools import list_ports  # pyserial: the flash extra
    except ImportError:
        raise Snn2cError(
            "pyserial is not installed: pip install 'snn2c[flash]' (or name the port with --port)"
        ) from None
    return list_ports.comports()


def find_port(board: Board, flag: str = "--port") -> str:
    """The one serial port whose USB id is the board's; a one-line error for none or several."""
    wanted = set(board.flash.usb)
    found = [
        p.device
        for p in _list_ports()
        if p.vid is not None and f"{p.vid:04x}:{p.pid:04x}" in wanted
    ]
    if not found:
        what = board.flash.probe or "the board"
        ids = ", ".join(board.flash.usb) or "none in its board file"
        raise Snn2cError(
            f"no serial port of {board.name} found (USB ids {ids}): connect {what}, "
            f"or name the port with {flag}"
        )
    if len(found) > 1:
        raise Snn2cError(
            f"{len(found)} serial ports look like {board.name} ({', '.join(found)}): "
            f"choose one with {flag}"
        )
    return found[0]
