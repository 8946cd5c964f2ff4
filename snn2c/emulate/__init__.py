"""Emulate: QEMU runner, harness output parsing, instruction counting, verify."""

from snn2c.emulate.verify import verify_qemu, verify_renode

__all__ = ["verify_qemu", "verify_renode"]
