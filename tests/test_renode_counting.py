"""How `verify --emulator renode` counts (#31), without Renode: the same vectors counted
once over both images, vectors that did not run reported as not run (not as
mismatches), a suite that runs every image to its END line, and both of Renode's
programs required. Fed with UART text as Renode captures it: the harness's lines,
cut where a stopped emulation cut them."""

from __future__ import annotations

import os
import stat

import pytest

from snn2c.boards import load_board
from snn2c.build import harness, project, renode
from snn2c.emulate import renode as emu_renode
from snn2c.netgen import random_network
from snn2c.quantize import quantize
from snn2c.reference.vectors import make_vectors


@pytest.fixture(scope="module")
def vec():
    return make_vectors(quantize(random_network(3, n_features=3, hidden=(8,))), 40)


def _uart(vec, counters: bool, wrong=(), stop_after: int | None = None, cut=False) -> str:
    """The harness's UART text: the reference's lines with the Y lines of `wrong`
    vectors changed, optionally stopped after `stop_after` lines (mid-line with cut)."""
    lines = harness.expected_lines(vec, layers=1, counters=counters)
    out = []
    for ln in lines:
        words = ln.split()
        if words[0] == "Y" and int(words[1]) in wrong:
            words[2] = str(int(words[2]) + 1)
        out.append(" ".join(words))
    if stop_after is not None:
        out = out[:stop_after]
        text = "\n".join(out) + "\n"
        return text[: len(text) - 4] if cut else text
    return "\n".join(out) + "\n"


def _parse(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return emu_renode._parse(path)


def test_the_same_wrong_vectors_in_both_images_count_once(tmp_path, vec):
    wrong = {0, 3, 7, 21}
    out_all = _parse(tmp_path, "a.txt", _uart(vec, True, wrong))
    out_cnt = _parse(tmp_path, "c.txt", _uart(vec, False, wrong))
    res = emu_renode.tally(vec, out_all, out_cnt)
    assert len(res.bad) == len(wrong) and not res.not_run  # not 2 x 4
    assert res.first is not None and res.first.startswith("vector 0 ")


def test_vectors_a_stopped_run_never_reached_are_not_run(tmp_path, vec):
    """A failed or timed-out suite stops Renode: what it never printed did not run."""
    n = len(vec.x_q) + len(vec.x_f)
    out_all = _parse(tmp_path, "a.txt", _uart(vec, True, {1}))
    # the counting image stopped after vector 9's Y line, in the middle of the next line
    out_cnt = _parse(tmp_path, "c.txt", _uart(vec, False, {1}, stop_after=1 + 10 + 1, cut=True))
    res = emu_renode.tally(vec, out_all, out_cnt)
    assert {k for k in res.bad} == {("q", 1)}
    assert len(res.not_run) == n - 10  # vectors 10.. and every float vector
    assert len(res.bad) + len(res.not_run) <= n


def test_a_run_that_stopped_before_its_first_line_runs_nothing(tmp_path, vec):
    out_all = _parse(tmp_path, "a.txt", "")
    out_cnt = _parse(tmp_path, "c.txt", "")
    res = emu_renode.tally(vec, out_all, out_cnt)
    assert not res.bad and len(res.not_run) == len(vec.x_q) + len(vec.x_f)


def test_a_missing_line_in_a_finished_run_is_a_mismatch(tmp_path, vec):
    text = _uart(vec, False)
    lines = [ln for ln in text.splitlines() if not ln.startswith("Y 5 ")]
    out_cnt = _parse(tmp_path, "c.txt", "\n".join(lines) + "\n")
    out_all = _parse(tmp_path, "a.txt", _uart(vec, True))
    res = emu_renode.tally(vec, out_all, out_cnt)
    assert res.bad == {("q", 5)} and not res.not_run


def test_verify_suite_runs_every_image_to_its_end(vec):
    """The suite does not stop at the first differing line (which left vectors unrun
    and made the count depend on timing): it waits for END; Python compares."""
    board = load_board("nucleo-f401")
    env = project.environment()
    lines = harness.expected_lines(vec, layers=1, counters=False)
    cases = [("Deployed Code", "count.resc", lines, "count.log")]
    text = renode.suite_text(env, board, "prov", cases, until_end=True)
    assert "^SNN2C-HARNESS END" in text and "Should Be Equal" not in text
    assert "Wait For Next Line On Uart" not in text
    # the build's suite (the user's CI) still checks every line
    strict = renode.suite_text(env, board, "prov", cases)
    assert strict.count("Should Be Equal") == len(lines) - 1


def _fake(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.parametrize("present", [("renode-test",), ("renode",), ()])
def test_check_tools_needs_renode_and_renode_test(tmp_path, monkeypatch, present):
    from snn2c.errors import Snn2cError

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in present:
        _fake(bin_dir, name)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(Snn2cError) as e:
        emu_renode._check_tools(tmp_path)
    for name in {"renode", "renode-test"} - set(present):
        assert f"{name} " in str(e.value) or f"{name} and" in str(e.value)
    for name in ("renode", "renode-test"):
        _fake(bin_dir, name)
    assert emu_renode._check_tools(tmp_path) == os.path.join(bin_dir, "renode-test")
