"""Agreement on any ratings table: a CSV with the unit id first and one column per coder."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from bctcoder.agreement import statistics as st
from bctcoder.agreement._common import order_categories
from bctcoder.agreement.conventions import COEFFICIENTS, describe
from bctcoder.errors import InputError
from bctcoder.participants.csvfile import read_csv_rows

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def read_ratings(path: str | Path, level: str = "nominal") -> pd.DataFrame:
    """Units × coders ratings (index = unit id; blank cells = missing; numbers for non-nominal levels)."""
    if level not in LEVELS:
        raise InputError(f"level must be one of {', '.join(LEVELS)}, not {level!r}", source="--level")
    source = str(path)
    header, rows = read_csv_rows(path, blank_first="unit")
    if len(header) < 3:
        raise InputError("expected a unit id column and at least two coder columns", source=source, line=1)
    coders = header[1:]
    data, units = [], []
    seen: dict[str, int] = {}
    for line, row in rows:
        unit = row[header[0]]
        if unit in seen:
            raise InputError(f"duplicate unit {unit!r} (first on line {seen[unit]})", source=source, line=line)
        seen[unit] = line
        values: list[str | float | None] = []
        for coder in coders:
            cell = row.get(coder, "").strip()
            if not cell:
                values.append(None)
            elif level == "nominal":
                values.append(cell)
            else:
                try:
                    values.append(float(cell))
                except ValueError:
                    raise InputError(f"field {coder!r}: {cell!r} is not a number ({level} level)", source=source,
                                     line=line) from None
        units.append(unit)
        data.append(values)
    if not data:
        raise InputError("no ratings", source=source)
    return pd.DataFrame(data, index=units, columns=coders, dtype=object)


def ratings_agreement(path: str | Path, level: str = "nominal", *, missing: str = st.DEFAULT_MISSING,
                      categories: Sequence | None = None) -> dict[str, Any]:
    """Every statistic that applies to the table, as {name: value}, plus reasons for undefined ones and the
    conventions used (missing ratings, the scale, the units counted)."""
    if missing not in st.MISSING:
        raise InputError(f"missing must be all or listwise, not {missing!r}", source="--missing")
    ratings = read_ratings(path, level)
    if categories is not None and level == "nominal":
        categories = [str(c) for c in categories]
    elif categories is not None:
        try:
            categories = [float(c) for c in categories]
        except (TypeError, ValueError):
            raise InputError(f"the {level} scale must be numbers; got {list(categories)!r}",
                             source="--categories") from None
    try:
        stats = st.all_statistics(ratings, level=level, categories=categories, missing=missing)
    except ValueError as exc:
        raise InputError(str(exc), source=str(path)) from None
    values = {k: (None if s.value is None or (isinstance(s.value, float) and math.isnan(s.value))
                  else round(float(s.value), 6)) for k, s in stats.items()}
    reasons = {k: s.reason for k, s in stats.items() if s.reason}
    observed = [v for row in ratings.itertuples(index=False) for v in row if v is not None]
    scale = list(categories) if categories is not None else order_categories(observed)
    rated = [sum(v is not None for v in row) for row in ratings.itertuples(index=False)]
    used = sum(1 for r in rated if r == len(ratings.columns)) if missing == "listwise" else sum(
        1 for r in rated if r >= 2)
    notes = describe(missing, default_missing=st.DEFAULT_MISSING, categories=scale,
                     declared=categories is not None, level=level, n_units=len(ratings), n_units_used=used)
    return {"file": str(path), "level": level, "units": int(len(ratings)), "units_used": used,
            "coders": list(ratings.columns), "missing": missing, "categories": scale,
            **values, "undefined": reasons, "conventions": notes,
            "definitions": {k: COEFFICIENTS[k][0] for k in stats if k in COEFFICIENTS}}
