"""Shared helpers of the board/build/emulator tests."""

from __future__ import annotations

import shutil

import pytest

from snn2c.boards import all_boards

BUILDABLE = [b.name for b in all_boards() if b.buildable_here]
EMULATED = [b.name for b in all_boards() if b.qemu is not None]


def need_toolchain(board):
    if shutil.which(board.tool("gcc")) is None:
        pytest.skip(f"{board.tool('gcc')} not installed (apt-get install {' '.join(board.apt)})")


def need_qemu(board):
    need_toolchain(board)
    if shutil.which(board.qemu.binary) is None:
        pytest.skip(f"{board.qemu.binary} not installed (apt-get install {board.qemu.apt})")
