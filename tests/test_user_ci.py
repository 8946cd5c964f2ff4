"""The user's own CI that every Renode project carries: the GitHub workflow
(.github/workflows/snn2c-renode.yml) and PlatformIO's `pio test -e renode` route with
snn2c's custom runner. GitHub is not reachable here, so the workflow's steps are run
one by one on this machine (the Renode action as the renode-test command it runs); the
pio route runs on the offline platform, whose env differs from the official one only in
`extends`. Tests that need Renode are marked `renode`."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from _corrupt import corrupt_layer0_weights
from _pio import offline_env, pio_exe, run_in

from snn2c.boards import all_boards, load_board
from snn2c.build import build, user_ci
from snn2c.build.platformio import pio_test_here
from snn2c.build.renode import image_variant
from snn2c.netgen import random_network
from snn2c.resources import data_dir

RENODE_BOARDS = [b.name for b in all_boards() if b.renode is not None]
PIO_BOARDS = [n for n in RENODE_BOARDS if pio_test_here(load_board(n))]
# one line of Renode's LoggingUartAnalyzer, as Renode 1.15.3 prints it
LOGGED = "20:38:33.5616 [INFO] usart2: [host: 0.26s (+5.58ms)|virt: 0.3ms (+0.3ms)] {}\n"


@pytest.fixture(scope="module")
def runner_module():
    pytest.importorskip("platformio", reason="needs PlatformIO (pip install 'snn2c[board]')")
    path = data_dir("templates") / "platformio" / "test_custom_runner.py"
    spec = importlib.util.spec_from_file_location("snn2c_test_custom_runner", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    """One built project per Renode board (the same small network)."""
    root = tmp_path_factory.mktemp("user-ci")
    net = random_network(5, n_features=3, hidden=(8,))
    out = {}
    for name in RENODE_BOARDS:
        board = load_board(name)
        if shutil.which(board.tool("gcc")) is None:
            continue
        out[name] = root / name
        build(net, board, out[name], command="snn2c build")
    return out


def _project(projects, name) -> Path:
    if name not in projects:
        pytest.skip(f"{load_board(name).tool('gcc')} not installed")
    return projects[name]


def test_runner_passes_the_reference_lines_and_names_the_first_difference(runner_module, projects):
    fw = _project(projects, "nucleo-f401")
    expected = runner_module.expected_lines(fw / user_ci.PIO_TEST_DIR / "expected.txt")
    assert expected[0].startswith("SNN2C-HARNESS BEGIN vectors=")
    assert expected[-1] == "SNN2C-HARNESS END mismatches=0"

    ok = runner_module.HarnessChecker(expected)
    for text in ["Renode start-up noise", *expected, "SNN2C-HARNESS BEGIN again"]:
        m = runner_module.UART_LINE.search(LOGGED.format(text).rstrip("\n"))
        ok.feed(m.group(1))
    assert ok.finished and ok.missing() is None
    assert len(ok.cases) == len(expected) and all(passed for _, passed, _ in ok.cases)
    assert ok.cases[1][0] == "vector 0" and ok.cases[-1][0] == "end"

    bad = runner_module.HarnessChecker(expected)
    changed = expected[3].rsplit(" ", 1)[0] + " 1" + expected[3].rsplit(" ", 1)[1]
    for text in [*expected[:3], changed, *expected[4:]]:
        bad.feed(text)
    assert bad.finished
    name, passed, msg = bad.cases[-1]
    assert (name, passed) == ("vector 2", False) and changed in msg and expected[3] in msg
    assert len(bad.cases) == 4  # stops at the first difference

    short = runner_module.HarnessChecker(expected)
    for text in expected[:5]:
        short.feed(text)
    assert not short.finished and "after 5 of" in short.missing()
    assert runner_module.HarnessChecker(expected).missing().startswith("the harness never")


@pytest.mark.parametrize("name", RENODE_BOARDS)
def test_workflow_names_this_project(projects, name):
    """The workflow's make target, suite and PlatformIO env exist in the project."""
    fw = _project(projects, name)
    board = load_board(name)
    doc = yaml.safe_load((fw / user_ci.WORKFLOW).read_text())
    steps = doc["jobs"]["renode"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    image = f"out/{image_variant(board)}.elf"
    assert f"make {image}" in runs
    assert re.search(rf"^{re.escape(image)}:", (fw / "Makefile").read_text(), re.M)
    apt = next(r for r in runs if "apt-get install" in r)
    assert all(p in apt.split() for p in board.apt)
    action = next(s for s in steps if str(s.get("uses", "")).startswith("antmicro/renode-test"))
    assert action["with"]["renode-revision"] == f"v{user_ci.RENODE_VERSION}"
    suite = action["with"]["tests-to-run"].replace("${{ env.PROJECT }}", ".")
    assert (fw / suite).is_file()
    pio = [r for r in runs if "pio test" in r]
    ini = (fw / "platformio.ini").read_text()
    if pio_test_here(board):
        assert "pio test -e renode --without-uploading" in pio[0]
        assert "[env:renode]" in ini and (fw / user_ci.PIO_TEST_DIR / "harness.c").is_file()
    else:
        assert not pio and "[env:renode]" not in ini


def _pio() -> str:
    found = pio_exe()
    if found is None:
        pytest.fail("PlatformIO is not installed (pip install 'snn2c[board]')")
    return found


def _pio_test(fw: Path, env: dict) -> subprocess.CompletedProcess:
    return run_in(fw, [_pio(), "test", "-e", "renode_offline", "--without-uploading"], env)


@pytest.mark.renode
@pytest.mark.slow
@pytest.mark.parametrize("name", PIO_BOARDS)
def test_pio_test_in_renode_passes_and_a_changed_weight_fails(tmp_path, projects, name):
    fw = tmp_path / "fw"
    shutil.copytree(_project(projects, name), fw)
    env = offline_env(tmp_path)
    ok = _pio_test(fw, env)
    n = len((fw / user_ci.PIO_TEST_DIR / "expected.txt").read_text().splitlines()) - 1
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-2000:]
    assert f"{n} test cases: {n} succeeded" in ok.stdout
    corrupt_layer0_weights(fw)
    bad = _pio_test(fw, env)
    assert bad.returncode != 0, bad.stdout[-3000:]
    assert "device printed" in bad.stdout and "[FAILED]" in bad.stdout


@pytest.mark.renode
@pytest.mark.slow
def test_workflow_steps_run_here(tmp_path, projects):
    """Each step of the nucleo-f401 workflow, in order, on this machine: the packages it
    installs are the ones installed here, make builds the image, the Renode action's
    renode-test passes the suite, and pio test passes."""
    fw = tmp_path / "fw"
    shutil.copytree(_project(projects, "nucleo-f401"), fw)
    (fw / "out" / "harness-board.elf").unlink()
    steps = yaml.safe_load((fw / user_ci.WORKFLOW).read_text())["jobs"]["renode"]["steps"]
    env = offline_env(tmp_path)
    ran = []
    for step in steps:
        if step.get("if") == "failure()" or str(step.get("uses", "")).startswith("actions/"):
            continue
        if "uses" in step:  # antmicro/renode-test-action: renode-test on tests-to-run
            w = {k: v.replace("${{ env.PROJECT }}", str(fw)) for k, v in step["with"].items()}
            cmd = ["renode-test", "-r", w["artifacts-path"], w["tests-to-run"]]
            label = "renode-test"
        elif "apt-get install" in step["run"]:
            pkgs = step["run"].split("--no-install-recommends", 1)[1].split()
            dpkg = subprocess.run(["dpkg", "-s", *pkgs], capture_output=True, text=True)
            assert dpkg.returncode == 0, dpkg.stderr
            continue
        else:
            lines = [ln for ln in step["run"].splitlines() if "pip install" not in ln]
            cmd = ["bash", "-ec", "\n".join(lines).replace("-e renode ", "-e renode_offline ")]
            label = lines[0].split()[0]
        proc = run_in(fw, cmd, env)
        assert proc.returncode == 0, (step, proc.stdout[-3000:], proc.stderr[-2000:])
        ran.append(label)
    assert ran == ["make", "renode-test", "pio"]
    assert (fw / "renode-results" / "robot_output.xml").is_file()
