"""Reading users' CSV files of sensor values, with errors that name row and column."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from snn2c.errors import Snn2cError


def read_columns(path: str | Path, columns: list[str] | tuple[str, ...]) -> np.ndarray:
    """The named columns of a CSV with a header row, as float64 (n_rows, len(columns)).

    Every cell must be a finite number; the first bad cell is reported by its
    1-based line number in the file and its column name.
    """
    path = Path(path)
    try:
        with path.open(newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise Snn2cError(f"{path}: empty file (expected a header row)")
            header = [h.strip() for h in header]
            missing = [c for c in columns if c not in header]
            if missing:
                raise Snn2cError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(the file has: {', '.join(header)})"
                )
            idx = [header.index(c) for c in columns]
            rows = []
            for line_no, row in enumerate(reader, start=2):
                if not row or all(not cell.strip() for cell in row):
                    continue
                values = []
                for c, i in zip(columns, idx, strict=True):
                    cell = row[i].strip() if i < len(row) else ""
                    try:
                        v = float(cell)
                    except ValueError:
                        raise Snn2cError(
                            f"{path}: line {line_no}, column {c!r}: not a number ({cell!r})"
                        ) from None
                    if not math.isfinite(v):
                        raise Snn2cError(
                            f"{path}: line {line_no}, column {c!r}: {cell} is not finite"
                        )
                    values.append(v)
                rows.append(values)
    except FileNotFoundError:
        raise Snn2cError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise Snn2cError(f"{path}: is a folder (expected a CSV file)") from None
    except UnicodeDecodeError:
        raise Snn2cError(f"{path}: not a UTF-8 text CSV file") from None
    except csv.Error as e:  # e.g. a cell beyond the csv module's field limit
        raise Snn2cError(f"{path}: not a readable CSV file ({e})") from None
    except OSError as e:
        raise Snn2cError(f"{path}: cannot read ({e.strerror})") from None
    if not rows:
        raise Snn2cError(f"{path}: no data rows")
    return np.array(rows, dtype=np.float64)
