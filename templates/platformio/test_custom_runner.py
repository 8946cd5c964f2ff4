"""PlatformIO test runner for the snn2c harness (`pio test -e renode --without-uploading`).

PlatformIO builds the harness (test/test_snn2c_harness/harness.c includes
harness/harness_main.c) and runs the env's test_testing_command, which starts Renode
with the UART logged to standard output. This runner reads those lines and checks
them, in order and each the very next one, against the suite's expected.txt: the lines
the numpy reference says the harness must print (snn2c wrote them with the project). Every
vector is one test case; a missing, extra or changed line fails. The run ends at the
harness's END line; if Renode stops before it, the suite fails with what was missing.

Copied into the project by `snn2c build`; it needs only PlatformIO.
"""

import re
from pathlib import Path

import click
from platformio.public import TestCase, TestRunnerBase, TestStatus

EXPECTED = "expected.txt"  # in the test suite's folder, beside harness.c
# Renode's LoggingUartAnalyzer: "<time> [INFO] usart2: [host: ...|virt: ...] <line>"
UART_LINE = re.compile(r"\[INFO\] [\w.]+: \[host:[^\]]*\] ?(.*)$")
BEGIN, END = "SNN2C-HARNESS BEGIN", "SNN2C-HARNESS END"


def expected_lines(path):
    return [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]


def case_name(line):
    """'Y 3 ...' -> 'vector 3', 'Q 3 ...' -> 'float vector 3', BEGIN/END as they are."""
    words = line.split()
    if line.startswith(BEGIN):
        return "begin"
    if line.startswith(END):
        return "end"
    kind = {"Y": "vector", "S": "spike counts", "Q": "float vector"}.get(words[0], words[0])
    return f"{kind} {words[1]}" if len(words) > 1 else kind


class HarnessChecker:
    """The comparison itself, apart from PlatformIO (so it can be tested alone)."""

    def __init__(self, expected):
        self.expected = expected
        self.next = 0
        self.cases = []  # (name, passed, message)

    @property
    def finished(self):
        return self.next >= len(self.expected) or any(not ok for _, ok, _ in self.cases)

    def feed(self, text):
        """One line the harness printed (without the log prefix)."""
        if self.finished:
            return
        if self.next == 0 and not text.startswith(BEGIN):
            return  # Renode's start-up and anything before the report
        want = self.expected[self.next]
        self.next += 1
        ok = text == want
        msg = "" if ok else f"device printed {text!r}, the reference expects {want!r}"
        self.cases.append((case_name(want), ok, msg))

    def missing(self):
        """The failure to report when the output ended early, or None."""
        if self.finished:
            return None
        if self.next == 0:
            return "the harness never printed its BEGIN line"
        left = self.expected[self.next]
        return (
            f"the output ended after {self.next} of {len(self.expected)} lines; "
            f"next expected: {left!r}"
        )


class CustomTestRunner(TestRunnerBase):
    def setup(self):
        test_dir = Path(self.project_config.get("platformio", "test_dir"))
        self.checker = HarnessChecker(
            expected_lines(test_dir / self.test_suite.test_name / EXPECTED)
        )
        self._reported = 0

    def on_testing_line_output(self, line):
        if self.options.verbose:
            click.echo(line, nl=False)
        m = UART_LINE.search(line.rstrip("\n"))
        if m is None or self.test_suite.is_finished():
            return
        self.checker.feed(m.group(1).rstrip())
        self._report()
        if self.checker.finished:
            self.test_suite.on_finish()

    def stage_testing(self):
        result = super().stage_testing()
        if not self.options.without_testing and not self.test_suite.is_finished():
            self._report()
            self._add("harness output complete", False, self.checker.missing())
        return result

    def _report(self):
        for name, ok, msg in self.checker.cases[self._reported :]:
            self._add(name, ok, msg)
        self._reported = len(self.checker.cases)

    def _add(self, name, ok, msg):
        status = TestStatus.PASSED if ok else TestStatus.FAILED
        case = TestCase(name=name, status=status, message=msg or None, stdout=msg or None)
        click.echo(case.humanize())
        self.test_suite.add_case(case)
