import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_sessionfinish(session, exitstatus):
    """In CI (CI=true) a skipped test fails the run: every test must really run there
    (a skip means a toolchain, emulator or package that .ci/run should have installed)."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; in CI every test must run", red=True
        )
        session.exitstatus = 1


_RENODE_DESELECTED: list[str] = []


def pytest_collection_modifyitems(config, items):
    """Renode tests run wherever renode and renode-test are on PATH; elsewhere (CI here)
    they are deselected, not skipped, and the summary says how many and why."""
    if shutil.which("renode-test") and shutil.which("renode"):
        return
    keep = [i for i in items if i.get_closest_marker("renode") is None]
    gone = [i for i in items if i.get_closest_marker("renode") is not None]
    if gone:
        _RENODE_DESELECTED.extend(i.nodeid for i in gone)
        config.hook.pytest_deselected(items=gone)
        items[:] = keep


def pytest_terminal_summary(terminalreporter):
    if _RENODE_DESELECTED:
        terminalreporter.write_line(
            f"{len(_RENODE_DESELECTED)} Renode test(s) deselected: renode and renode-test are "
            "not both on PATH (install Renode 1.15 and run them with `pytest -m renode`, docs/boards.md)",
            yellow=True,
        )
