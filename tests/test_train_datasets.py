"""Datasets and CSV loading for `snn2c train` (fast, no torch)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip(
    "sklearn",
    reason="needs sklearn (pip install 'snn2c[train]'); scripts/setup.sh installs it and CI fails on any skip",
)

from snn2c.errors import Snn2cError
from snn2c.train import datasets


def test_friedman1_split_is_fixed_by_seed():
    a = datasets.friedman1(seed=3, n_samples=400)
    b = datasets.friedman1(seed=3, n_samples=400)
    c = datasets.friedman1(seed=4, n_samples=400)
    assert a.x_train.shape == (280, 10) and a.x_val.shape == (60, 10) and a.x_test.shape == (60, 10)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


def test_diabetes_loads_offline():
    d = datasets.load("diabetes", seed=0)
    assert d.n_features == 10
    assert len(d.y_train) + len(d.y_val) + len(d.y_test) == 442


def test_real_datasets_shipped_in_packages():
    """auto-mpg and seattle-weather come from vega_datasets' own files (no download)."""
    a = datasets.load("auto-mpg", seed=0)
    assert a.n_features == 6 and a.target_name == "mpg"
    assert len(a.y_train) + len(a.y_val) + len(a.y_test) == 392  # 406 cars, 14 incomplete
    assert a.y_train.min() >= 9 and a.y_train.max() <= 47
    w = datasets.load("seattle-weather", seed=0)
    assert w.feature_names == ("temp_min", "precipitation", "wind", "season_cos", "season_sin")
    assert len(w.y_train) + len(w.y_val) + len(w.y_test) == 1461
    x = np.concatenate([w.x_train, w.x_val, w.x_test])
    np.testing.assert_allclose(x[:, 3] ** 2 + x[:, 4] ** 2, 1.0)
    assert np.all(np.concatenate([w.y_train, w.y_val, w.y_test]) >= x[:, 0])  # max >= min


def test_mackey_glass_classic_setup():
    d = datasets.mackey_glass(seed=0, n_samples=600)
    assert d.feature_names == ("x_t-18", "x_t-12", "x_t-6", "x_t")
    # chronological split: x(t) of row i+1 is x(t+1) of row i; y is x(t+6)
    x = np.concatenate([d.x_train, d.x_val, d.x_test])
    y = np.concatenate([d.y_train, d.y_val, d.y_test])
    np.testing.assert_array_equal(x[6:, 3], y[:-6])
    np.testing.assert_array_equal(x[6:, 2], x[:-6, 3])
    # the attractor of tau = 17 stays within its well-known range and is not constant
    assert 0.2 < y.min() < 0.6 and 1.2 < y.max() < 1.45 and y.std() > 0.15


def test_csv_dataset(tmp_path):
    p = tmp_path / "data.csv"
    rows = ["a,b,y"] + [f"{i},{2 * i},{i % 7}" for i in range(50)]
    p.write_text("\n".join(rows) + "\n")
    d = datasets.load(f"csv:{p}", seed=0, target="y")
    assert d.feature_names == ("a", "b") and d.target_name == "y"
    assert len(d.y_train) == 35
    np.testing.assert_array_equal(d.x_train[:, 1], 2 * d.x_train[:, 0])


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("nan", "line 5, column 'b': nan is not finite"),
        ("oops", "line 5, column 'b': not a number"),
    ],
)
def test_csv_bad_cell_names_row_and_column(tmp_path, cell, message):
    p = tmp_path / "bad.csv"
    rows = ["a,b,y"] + [f"{i},{i},{i}" for i in range(20)]
    rows[4] = f"3,{cell},3"
    p.write_text("\n".join(rows) + "\n")
    with pytest.raises(Snn2cError, match=message):
        datasets.load(f"csv:{p}", seed=0, target="y")


def test_csv_user_errors(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(Snn2cError, match="--target"):
        datasets.load(f"csv:{p}", seed=0)
    with pytest.raises(Snn2cError, match="no target column 'y'"):
        datasets.load(f"csv:{p}", seed=0, target="y")
    with pytest.raises(Snn2cError, match="no such file"):
        datasets.load(f"csv:{tmp_path / 'missing.csv'}", seed=0, target="y")
    with pytest.raises(Snn2cError, match="unknown dataset"):
        datasets.load("mnist", seed=0)
    with pytest.raises(Snn2cError, match="only applies to csv"):
        datasets.load("diabetes", seed=0, target="y")


def test_one_registry_names_every_dataset_everywhere(capsys, monkeypatch):
    """train's and report's --help, load() and the time-series list all read
    datasets.REGISTRY: a dataset added there is known everywhere, one not there nowhere."""
    from snn2c.cli import main

    monkeypatch.setenv("COLUMNS", "1000")  # no line breaks inside a name
    for command in ("train", "report"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        for name in datasets.DATASETS:
            assert name in text, (command, name)
    assert set(datasets.TIME_SERIES) < set(datasets.DATASETS)
    for name, entry in datasets.REGISTRY.items():
        assert (entry.series is None) != (entry.table is None), name
    with pytest.raises(Snn2cError, match="unknown dataset 'nope'.*friedman1.*seattle-temps"):
        datasets.load("nope", 0)
    with pytest.raises(Snn2cError, match="--streaming needs a time series"):
        datasets.load("diabetes", 0, streaming=True)
