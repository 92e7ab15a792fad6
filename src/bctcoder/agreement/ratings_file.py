"""Agreement on any ratings table: a CSV with the unit id first and one column per coder."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from bctcoder.agreement import statistics as st
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


def ratings_agreement(path: str | Path, level: str = "nominal") -> dict[str, Any]:
    """Every statistic that applies to the table, as {name: value}, plus reasons for undefined ones."""
    ratings = read_ratings(path, level)
    try:
        stats = st.all_statistics(ratings, level=level)
    except ValueError as exc:
        raise InputError(str(exc), source=str(path)) from None
    values = {k: (None if s.value is None or (isinstance(s.value, float) and math.isnan(s.value))
                  else round(float(s.value), 6)) for k, s in stats.items()}
    reasons = {k: s.reason for k, s in stats.items() if s.reason}
    return {"file": str(path), "level": level, "units": int(len(ratings)), "coders": list(ratings.columns),
            **values, "undefined": reasons}
