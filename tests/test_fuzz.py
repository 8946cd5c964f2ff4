"""A bounded, seeded mutation-fuzz run over the model-file path (snn2c.fuzz): every
malformed or extreme model gives an Snn2cError, never another exception or a
numpy overflow warning. Longer runs: benchmarks/fuzz.py."""

from __future__ import annotations

import pytest

from snn2c import fuzz


@pytest.mark.parametrize("seed", [11, 12])
def test_mutated_models_fail_only_with_one_line_errors(seed):
    rep = fuzz.run(1500, seed=seed)
    assert rep.cases > 1000
    assert rep.bugs == 0, {k: (n, rep.examples[k]) for k, n in rep.failures.items()}


def test_mutated_board_files_fail_only_with_one_line_errors():
    rep = fuzz.run_boards(2000, seed=5)
    assert rep.cases > 1500
    assert rep.bugs == 0, {k: (n, rep.examples[k]) for k, n in rep.failures.items()}


def test_mutated_csv_files_fail_only_with_one_line_errors():
    rep = fuzz.run_csv(2000, seed=6)
    assert rep.cases == 2000
    assert rep.bugs == 0, {k: (n, rep.examples[k]) for k, n in rep.failures.items()}


def test_mutated_nir_sidecars_fail_only_with_one_line_errors():
    pytest.importorskip("nir", reason="needs nir: pip install 'snn2c[nir]'")
    rep = fuzz.run_nir_sidecars(1500, seed=7)
    assert rep.cases > 1400
    assert rep.bugs == 0, {k: (n, rep.examples[k]) for k, n in rep.failures.items()}


def test_mutated_build_manifests_fail_only_with_one_line_errors():
    rep = fuzz.run_manifests(1000, seed=8)
    assert rep.cases > 900
    assert rep.bugs == 0, {k: (n, rep.examples[k]) for k, n in rep.failures.items()}


def test_random_cli_options_end_in_an_exit_code():
    rep = fuzz.run_cli(300, seed=9)
    assert rep.cases == 300
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
