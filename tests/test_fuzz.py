"""Bounded, seeded mutation-fuzz runs (snn2c.fuzz): every malformed or extreme model
file, board file, CSV, NIR sidecar, build manifest or CLI option gives the one-line
Snn2cError, never another exception or a numpy overflow warning. Longer runs:
benchmarks/fuzz.py."""

from __future__ import annotations

import pytest

from snn2c import fuzz

# (runner, cases, seed, at least this many cases actually run, module the runner needs)
RUNS = [
    ("models", fuzz.run, 1500, 11, 1001, None),
    ("models", fuzz.run, 1500, 12, 1001, None),
    ("boards", fuzz.run_boards, 2000, 5, 1501, None),
    ("csv", fuzz.run_csv, 2000, 6, 2000, None),
    ("nir-sidecars", fuzz.run_nir_sidecars, 1500, 7, 1401, "nir"),
    ("manifests", fuzz.run_manifests, 1000, 8, 901, None),
    ("cli", fuzz.run_cli, 300, 9, 300, None),
]


@pytest.mark.parametrize(
    "runner,cases,seed,least,needs", [r[1:] for r in RUNS], ids=[f"{r[0]}-{r[3]}" for r in RUNS]
)
def test_mutated_inputs_fail_only_with_one_line_errors(runner, cases, seed, least, needs):
    """Model files, board files, CSVs, NIR sidecars, build manifests and CLI options:
    every mutant ends in the one-line error (or, for the CLI, an exit code)."""
    if needs:
        pytest.importorskip(needs, reason=f"needs {needs}: pip install 'snn2c[{needs}]'")
    rep = runner(cases, seed=seed)
    assert rep.cases >= least
    assert rep.bugs == 0, {k: (n, rep.examples[k]) for k, n in rep.failures.items()}


def test_the_fuzzer_reaches_every_stage():
    """Some mutants still load, quantize and compile: the run is not all rejections."""
    import json
    import random

    from snn2c import modelfile
    from snn2c.errors import Snn2cError

    rng = random.Random(3)
    bases = fuzz.base_documents()
    loaded = 0
    for _ in range(300):
        try:
            modelfile.loads(json.dumps(fuzz.mutate(rng, rng.choice(bases))).encode())
            loaded += 1
        except (Snn2cError, ValueError, OverflowError):
            pass
    assert 20 < loaded < 300
