"""Offline regression datasets and the seeded train/validation/test split.

Every dataset is a raw feature matrix and one target column; the split is fixed
by the seed. Nothing here imports torch. Targets are scaled to [0, 1] by the
trainer with the training split's range (stored in the model's TargetSpec), and
inputs are normalised with the training split's per-feature range (InputSpec).
"""

from __future__ import annotations

import csv
import dataclasses
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn2c.csvdata import read_columns
from snn2c.errors import Snn2cError

SPLIT = (0.70, 0.15, 0.15)  # train, validation, test
MAX_ABS_VALUE = 1e30  # a CSV value: float32 holds it, and its square float64


@dataclass(frozen=True)
class Dataset:
    """A regression dataset, already split. X: (n, F) raw float64; y: (n,) raw float64."""

    name: str
    feature_names: tuple[str, ...]
    target_name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        return len(self.feature_names)


def split_indices(n: int, seed: int, shuffle: bool = True) -> tuple[np.ndarray, ...]:
    """Indices of the train/validation/test parts (70/15/15), fixed by the seed."""
    if n < 10:
        raise Snn2cError(f"dataset has {n} rows; at least 10 are needed to split it")
    idx = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    n_train = int(round(SPLIT[0] * n))
    n_val = int(round(SPLIT[1] * n))
    return idx[:n_train], idx[n_train : n_train + n_val], idx[n_train + n_val :]


def _split(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...],
    target: str,
    seed: int,
    shuffle: bool = True,
) -> Dataset:
    tr, va, te = split_indices(len(y), seed, shuffle)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return Dataset(name, names, target, x[tr], y[tr], x[va], y[va], x[te], y[te])


def friedman1(seed: int, n_samples: int = 6000, noise: float = 1.0) -> Dataset:
    """scikit-learn's Friedman #1: 10 uniform features (5 informative), noise 1.0."""
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(n_samples=n_samples, n_features=10, noise=noise, random_state=seed)
    return _split("friedman1", x, y, tuple(f"x{i}" for i in range(10)), "y", seed)


def diabetes(seed: int) -> Dataset:
    """scikit-learn's diabetes data (442 patients, 10 features), shipped with the package."""
    from sklearn.datasets import load_diabetes

    d = load_diabetes()
    return _split("diabetes", d.data, d.target, tuple(d.feature_names), "progression", seed)


def _vega(name: str):
    """A data set that the vega_datasets package ships on disk (no download)."""
    try:
        from vega_datasets import local_data
    except ImportError:
        raise Snn2cError(
            f"dataset {name!r} comes from the vega_datasets package: pip install 'snn2c[train]'"
        ) from None
    with warnings.catch_warnings():
        # vega_datasets 0.9 reads its JSON with an argument pandas 3 deprecates
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return local_data(name)


def auto_mpg(seed: int) -> Dataset:
    """The UCI Auto MPG data (vega_datasets 'cars'): fuel economy of 392 cars from six
    numeric attributes; the 14 rows with a missing value are dropped."""
    cols = ("Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year")
    df = _vega("cars")
    df = df.assign(Year=df["Year"].dt.year.astype(float)).dropna(subset=[*cols, "Miles_per_Gallon"])
    x = df[list(cols)].to_numpy(np.float64)
    return _split("auto-mpg", x, df["Miles_per_Gallon"].to_numpy(np.float64), cols, "mpg", seed)


def seattle_weather(seed: int) -> Dataset:
    """Daily weather station readings at Seattle 2012-2015 (vega_datasets, 1461 days):
    the day's maximum temperature from its minimum, precipitation, wind and the
    season (day of year as a point on the unit circle)."""
    df = _vega("seattle-weather")
    day = df["date"].dt.day_of_year.to_numpy(np.float64)
    angle = 2.0 * np.pi * (day - 1.0) / 365.25
    x = np.column_stack(
        [df["temp_min"], df["precipitation"], df["wind"], np.cos(angle), np.sin(angle)]
    ).astype(np.float64)
    names = ("temp_min", "precipitation", "wind", "season_cos", "season_sin")
    y = df["temp_max"].to_numpy(np.float64)
    return _split("seattle-weather", x, y, names, "temp_max", seed)


def mackey_glass_series(
    length: int,
    tau: float = 17.0,
    n: float = 10.0,
    beta: float = 0.2,
    gamma: float = 0.1,
    x0: float = 1.2,
    substeps: int = 10,
    transient: float = 200,
    spacing: float = 1.0,
) -> np.ndarray:
    """x(t) at t = 0, spacing, 2 spacing, ... (length points) of
    dx/dt = beta x(t-tau) / (1 + x(t-tau)^n) - gamma x(t).

    Integrated with the classic fourth-order Runge-Kutta scheme at dt = 1/substeps
    from the constant history x = x0; the delayed value at a half step is the mean
    of its two neighbours on the grid. The first `transient` time units are dropped;
    a sample between grid points is interpolated linearly (error O(dt^2)).
    """
    dt = 1.0 / substeps
    lag = int(round(tau * substeps))
    t_end = transient + (length - 1) * spacing
    total = int(math.ceil(t_end * substeps)) + 2
    xs = np.empty(total + lag)
    xs[: lag + 1] = x0

    def f(x: float, xd: float) -> float:
        return beta * xd / (1.0 + xd**n) - gamma * x

    for i in range(lag, total + lag - 1):
        x = xs[i]
        d0, d1 = xs[i - lag], xs[i - lag + 1]
        dh = 0.5 * (d0 + d1)
        k1 = f(x, d0)
        k2 = f(x + 0.5 * dt * k1, dh)
        k3 = f(x + 0.5 * dt * k2, dh)
        k4 = f(x + dt * k3, d1)
        xs[i + 1] = x + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    grid = xs[lag:]
    if spacing == 1.0 and float(transient).is_integer():  # on the grid: no interpolation
        start = int(transient) * substeps
        return grid[start : start + length * substeps : substeps].copy()
    times = (transient + spacing * np.arange(length)) * substeps
    return np.interp(times, np.arange(len(grid)), grid)


@dataclass(frozen=True)
class TimeSeries:
    """A univariate series and a forecasting task on it: predict series[t + horizon].

    The windowed form gives the model series[t - lag] for each lag (a static model
    sees the recent past as features); the streaming form gives it series[t] only, one
    sample after another (the model's state must remember the past). Both cover the
    same t and split it the same way, chronologically, so their scores compare.
    """

    name: str
    series: np.ndarray
    value_name: str
    horizon: int
    lags: tuple[int, ...]  # descending, ending in 0
    split: tuple[int, int] | None = None  # (train, validation) rows; None: 70/15/15

    def dataset(self, streaming: bool) -> Dataset:
        t = np.arange(self.lags[0], len(self.series) - self.horizon)
        names: tuple[str, ...]
        y = self.series[t + self.horizon]
        if streaming:
            x, names = self.series[t][:, None], (f"{self.value_name}_t",)
        else:
            x = np.stack([self.series[t - k] for k in self.lags], axis=1)
            names = tuple(
                f"{self.value_name}_t-{k}" if k else f"{self.value_name}_t" for k in self.lags
            )
        target = f"{self.value_name}_t+{self.horizon}"
        if self.split is None:
            return _split(self.name, x, y, names, target, 0, shuffle=False)
        a, b = self.split
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        return Dataset(self.name, names, target, x[:a], y[:a], x[a:b], y[a:b], x[b:], y[b:])


def mackey_glass_task(n_samples: int = 5000, horizon: int = 6) -> TimeSeries:
    """The classic set-up: from x(t-18), x(t-12), x(t-6), x(t) predict x(t+6), on a
    series sampled once per time unit; split chronologically 70/15/15."""
    lags = (18, 12, 6, 0)
    series = mackey_glass_series(n_samples + lags[0] + horizon)
    return TimeSeries("mackey-glass", series, "x", horizon, lags)


# NeuroBench's chaotic function prediction (Yik et al. 2025; neurobench/datasets/mackey_glass.py)
NB_LYAPTIME = 197.0  # tau = 17
NB_PTS_PER_LYAPTIME = 75
NB_CONSTANT_PAST = 0.7206597
NB_TRAIN_PTS = 750  # 10 Lyapunov times, then 750 of test
NB_VAL_PTS = 112  # the end of the training part held out for early stopping (snn2c's choice)
NB_LAGS = (3, 2, 1, 0)


def neurobench_mg_task(offset: int = 0) -> TimeSeries:
    """NeuroBench's Mackey-Glass task (tau = 17): one step ahead, x(t) -> x(t + dt) with
    dt = 197/75 time units, from the constant past 0.7206597; 1501 points from the
    `offset`-th (NeuroBench runs offsets 0, 37, 75, ... half a Lyapunov time apart); the
    first 750 targets train (the last 112 of them validate), the next 750 test. The
    series is integrated here (RK4), not NeuroBench's jitcdde file, so its values
    differ; the windowed form sees the last four points."""
    length = NB_TRAIN_PTS * 2 + 1
    series = mackey_glass_series(
        length + offset,
        x0=NB_CONSTANT_PAST,
        substeps=20,
        transient=17.0,  # the initial discontinuity, as NeuroBench's step_on_discontinuities
        spacing=NB_LYAPTIME / NB_PTS_PER_LYAPTIME,
    )[offset:]
    lag = NB_LAGS[0]
    train = NB_TRAIN_PTS - lag  # rows are t = lag .. 1499
    return TimeSeries("mackey-glass-nb", series, "x", 1, NB_LAGS, split=(train - NB_VAL_PTS, train))


def seattle_temps_task() -> TimeSeries:
    """Hourly air temperature at Seattle in 2010 (vega_datasets 'seattle-temps', 8759
    readings of one weather station, deg F): the temperature 3 hours ahead from the last
    six hours (windowed) or from the stream of readings; split chronologically 70/15/15."""
    df = _vega("seattle-temps")
    series = df["temp"].to_numpy(np.float64)
    return TimeSeries("seattle-temps", series, "temp", 3, (5, 4, 3, 2, 1, 0))


def mackey_glass(seed: int, n_samples: int = 5000, horizon: int = 6) -> Dataset:
    """The classic windowed set-up (mackey_glass_task). The split is chronological
    (train, then validation, then test), so the test part is a later stretch of the
    series than anything trained on; the seed only drives initialisation. Report
    NDEI = RMSE / std(test targets) beside R2.
    """
    return mackey_glass_task(n_samples, horizon).dataset(streaming=False)


def from_csv(path: str, target: str | None, seed: int, shuffle: bool = True) -> Dataset:
    """A user's CSV with a header row: `target` is the label, every other column a feature.
    shuffle=False keeps the rows in file order (a stream), split chronologically."""
    p = Path(path)
    if target is None:
        raise Snn2cError(f"csv:{path}: name the target column with --target COLUMN")
    try:
        with p.open(newline="") as f:
            header = next(csv.reader(f), None)
    except FileNotFoundError:
        raise Snn2cError(f"{p}: no such file") from None
    except UnicodeDecodeError:
        raise Snn2cError(f"{p}: not a UTF-8 text CSV file") from None
    except csv.Error as e:
        raise Snn2cError(f"{p}: not a readable CSV file ({e})") from None
    except OSError as e:
        raise Snn2cError(f"{p}: cannot read ({e.strerror})") from None
    if not header:
        raise Snn2cError(f"{p}: empty file (expected a header row)")
    header = [h.strip() for h in header]
    if target not in header:
        raise Snn2cError(f"{p}: no target column {target!r} (the file has: {', '.join(header)})")
    if len(set(header)) != len(header):
        raise Snn2cError(f"{p}: duplicate column names in the header")
    features = tuple(h for h in header if h != target)
    if not features:
        raise Snn2cError(f"{p}: no feature columns besides the target {target!r}")
    data = read_columns(p, header)  # names the line and column of any bad cell
    for c, column in enumerate(header):
        big = float(np.max(np.abs(data[:, c]))) if len(data) else 0.0
        if big > MAX_ABS_VALUE:
            row = int(np.argmax(np.abs(data[:, c])))
            raise Snn2cError(
                f"{p}: column {column!r}: {data[row, c]:g} (data row {row + 1}) is beyond "
                f"+-{MAX_ABS_VALUE:g}, which snn2c takes (the device holds the ranges in "
                "float32, training squares the errors): rescale the column"
            )
    y = data[:, header.index(target)]
    x = data[:, [header.index(c) for c in features]]
    return _split(p.stem, x, y, features, target, seed, shuffle)


@dataclass(frozen=True)
class Entry:
    """A dataset the CLI knows by name: how to load it and what it is."""

    note: str  # for --help: "" or a few words
    series: Callable[[int | None], TimeSeries] | None = None  # (n_samples) -> a time series
    table: Callable[[int, int | None], Dataset] | None = None  # (seed, n_samples) -> a table
    generated: bool = False  # --samples applies


# every dataset the CLI knows by name, in the order --help lists them (the one registry)
REGISTRY: dict[str, Entry] = {
    "friedman1": Entry("", table=lambda seed, n: friedman1(seed, n or 6000), generated=True),
    "diabetes": Entry("", table=lambda seed, n: diabetes(seed)),
    "auto-mpg": Entry("", table=lambda seed, n: auto_mpg(seed)),
    "seattle-weather": Entry("", table=lambda seed, n: seattle_weather(seed)),
    "mackey-glass": Entry("", series=lambda n: mackey_glass_task(n or 5000), generated=True),
    "mackey-glass-nb": Entry("NeuroBench's task", series=lambda n: neurobench_mg_task()),
    "seattle-temps": Entry("hourly", series=lambda n: seattle_temps_task()),
}
CSV = "csv:PATH"
DATASETS = (*REGISTRY, CSV)
TIME_SERIES = (*(k for k, e in REGISTRY.items() if e.series is not None), CSV)
GENERATED = tuple(k for k, e in REGISTRY.items() if e.generated)


def help_text(default: str | None = None) -> str:
    """The datasets as --help lists them."""
    names = [
        f"{k}{' (default)' if k == default else ''}{f' ({e.note})' if e.note else ''}"
        for k, e in REGISTRY.items()
    ]
    return f"{', '.join(names)} or {CSV} (with --target)"


def load(
    name: str,
    seed: int,
    target: str | None = None,
    n_samples: int | None = None,
    streaming: bool = False,
) -> Dataset:
    """A dataset by its CLI name (DATASETS). streaming: the time series as a stream of
    its current value (TimeSeries), a CSV's rows in file order, split chronologically."""
    if name.startswith("csv:"):
        return from_csv(name[4:], target, seed, shuffle=not streaming)
    if target is not None:
        raise Snn2cError(f"--target only applies to csv:PATH datasets, not {name!r}")
    entry = REGISTRY.get(name)
    if entry is None:
        raise Snn2cError(f"unknown dataset {name!r} (expected one of {', '.join(DATASETS)})")
    if entry.series is not None:
        return entry.series(n_samples).dataset(streaming)
    if streaming:
        raise Snn2cError(
            f"--streaming needs a time series ({', '.join(TIME_SERIES)}); {name!r} is not one"
        )
    assert entry.table is not None
    return entry.table(seed, n_samples)


def as_adc_counts(ds: Dataset, bits: int) -> Dataset:
    """The dataset as a B-bit ADC spanning each feature's training range would read it:
    counts = clip(round((x - low) / (high - low) * (2^B - 1)), 0, 2^B - 1), low and high
    the training split's minimum and maximum (a constant feature reads 0)."""
    top = (1 << bits) - 1
    low = ds.x_train.min(axis=0)
    span = ds.x_train.max(axis=0) - low
    span = np.where(span > 0, span, 1.0)

    def counts(x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor((x - low) / span * top + 0.5), 0, top)

    return dataclasses.replace(
        ds, x_train=counts(ds.x_train), x_val=counts(ds.x_val), x_test=counts(ds.x_test)
    )
