"""Turn loosely typed input columns into plain numpy arrays, with NA handled one way.

The selector may hand us Decimal objects, nullable Int64, pandas' str dtype or None:
every module goes through these helpers so NA means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd


def require_columns(frame: pd.DataFrame, columns: Collection[str]) -> None:
    """Raise ValueError naming every missing column (a selector bug, never defaulted)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"missing input columns: {', '.join(missing)}")


def to_float(series: pd.Series, name: str, default: float = np.nan) -> np.ndarray:
    """float64 array; Decimal and nullable numbers accepted, NA replaced by `default`."""
    try:
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected numbers ({error})") from None
    if not np.isnan(default):
        values = np.where(np.isnan(values), default, values)
    return values


def to_count(series: pd.Series, name: str) -> np.ndarray:
    """float64 array of whole numbers >= 0 (order counts); NA counts as 0."""
    values = to_float(series, name, default=0.0)
    if np.any(values < 0) or np.any(values != np.floor(values)):
        raise ValueError(f"{name}: expected whole numbers >= 0")
    return values


def to_bool(series: pd.Series, name: str) -> np.ndarray:
    """bool array; NA counts as False (a flag nobody set is not set)."""
    if series.dtype == bool:
        return series.to_numpy()
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    result = np.zeros(len(values), dtype=bool)
    present = values[~missing]
    bad = [v for v in present if not isinstance(v, bool | np.bool_ | int | np.integer)]
    if bad:
        raise ValueError(f"{name}: expected booleans, got {bad[0]!r}")
    result[~missing] = present.astype(bool)
    return result


def to_choice(series: pd.Series, name: str, choices: Collection[str]) -> np.ndarray:
    """object array of the allowed strings or None; "" and NA are both None (a blank form)."""
    # Few distinct values: check and map those, then pick by code (NA's code -1 picks None).
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    bad = {v for v in uniques if v != "" and v not in choices}
    if bad:
        raise ValueError(f"{name}: unexpected values {sorted(map(str, bad))}, expected {sorted(choices)}")
    table = np.array([None if v == "" else v for v in uniques] + [None], dtype=object)
    return table[codes]
