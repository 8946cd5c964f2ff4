"""Emulate: QEMU and Renode runners, harness output parsing, instruction counting, verify."""

from snn2c.emulate.renode import verify_renode
from snn2c.emulate.verify import verify_qemu

__all__ = ["verify_qemu", "verify_renode"]
