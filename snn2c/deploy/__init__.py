"""Deploy: put a build folder's image onto a real board with the board's standard
flasher (routes.py says which commands, flasher.py runs them and explains their
failures) and read the board's UART back (monitor.py), with the harness verdict
of `snn2c verify`."""

from snn2c.deploy.flasher import flash, plan_flash
from snn2c.deploy.monitor import monitor

__all__ = ["flash", "monitor", "plan_flash"]
