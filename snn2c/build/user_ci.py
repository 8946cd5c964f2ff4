"""The user's own CI, carried by every project Renode can run: a GitHub Actions
workflow that installs Renode (Antmicro's renode-test-action) and runs the project's
Robot suite, and PlatformIO's `pio test` route (a test folder whose custom runner
checks the harness's UART lines, read from Renode, against the reference's).

Both check the same lines as the suite snn2c runs itself (renode.write): the
expected lines are integers the numpy reference computed; nothing from a user's path
or model reaches these files but the comment-safe provenance line.
"""

from __future__ import annotations

from pathlib import Path

from snn2c import ir, modelfile
from snn2c.boards import Board
from snn2c.build import platformio
from snn2c.build.harness import expected_lines
from snn2c.build.renode import image_variant
from snn2c.reference.vectors import Vectors
from snn2c.resources import data_dir

RENODE_VERSION = "1.15.3"  # the release snn2c's Renode files are tested with
WORKFLOW = ".github/workflows/snn2c-renode.yml"
PIO_TEST_DIR = "test/test_snn2c_harness"


def workflow_text(env, board: Board, prov: str) -> str:
    return env.get_template("ci/github-renode.yml.j2").render(
        provenance=prov,
        board=board,
        image=f"out/{image_variant(board)}.elf",
        renode_version=RENODE_VERSION,
        renode_tag=f"v{RENODE_VERSION}",
        pio_test=platformio.pio_test_here(board),
    )


def write(env, root: Path, board: Board, net: ir.Network, prov: str, vec: Vectors) -> None:
    if board.renode is None:
        return
    modelfile.write_atomic(root / WORKFLOW, workflow_text(env, board, prov).encode())
    if not platformio.pio_test_here(board):
        return
    test = root / PIO_TEST_DIR
    lines = expected_lines(vec, layers=len(net.layers), counters=False)
    expected = "\n".join([f"# {prov}", *lines]) + "\n"
    harness = env.get_template("platformio/test_harness.c.j2").render(provenance=prov)
    modelfile.write_atomic(test / "expected.txt", expected.encode())
    modelfile.write_atomic(test / "harness.c", harness.encode())
    runner = data_dir("templates") / "platformio" / "test_custom_runner.py"
    modelfile.write_atomic(test.parent / "test_custom_runner.py", runner.read_bytes())
