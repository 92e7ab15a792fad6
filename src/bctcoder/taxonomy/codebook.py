"""Read user codebooks (lists of codes) from CSV or YAML files.

CSV: a header row with ``id``, ``label`` and optional ``group`` and
``description`` columns (case-insensitive; ``code``/``name`` are accepted for
``id``/``label``; other columns are ignored). UTF-8, with or without BOM.

YAML, any of::

    - {id: HOPE, label: Hope, group: Affect, description: ...}

    codes:
      - {id: HOPE, label: Hope}

    groups:
      - number: 1
        label: Goals and planning
        techniques:            # or: codes
          - {number: "1.1", label: Goal setting (behavior), description: ...}

YAML scalars are read as written (``1.10`` stays ``"1.10"``, ``no`` stays
``"no"``), so numeric code ids keep their spelling.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml

from bctcoder.errors import InputError

__all__ = ["CodebookEntry", "read_codebook"]

#: Accepted column/key names per field, in order of preference.
_ALIASES = {
    "id": ("id", "code", "number"),
    "label": ("label", "name"),
    "group": ("group",),
    "description": ("description",),
}


@dataclass(frozen=True)
class CodebookEntry:
    """One code of a codebook; ``line`` is where it starts in the source file."""

    id: str
    label: str
    group: str | None
    description: str | None
    line: int | None


def read_codebook(path: str | Path) -> list[CodebookEntry]:
    """Read a ``.csv``, ``.yaml`` or ``.yml`` codebook, keeping the file's order.

    Raises :class:`InputError` naming the file (and line where known) for an
    unknown suffix, an unreadable, undecodable or empty file, invalid YAML, a
    missing id column, a code without id or label, or a duplicate id.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise InputError(f"unknown codebook type {p.suffix or '(none)'!r}; expected .csv, .yaml or .yml",
                         source=str(p))
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=str(p)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=str(p)) from exc
    if not text.strip():
        raise InputError("file is empty", source=str(p))
    if "\x00" in text:
        raise InputError("the file holds a NUL character: a binary file, not text", source=str(p),
                         line=text.count("\n", 0, text.index("\x00")) + 1)
    if suffix == ".csv":
        raw = _csv_rows(text, str(p))
    else:
        raw = _yaml_rows(text, str(p))
    if not raw:
        raise InputError("codebook has no codes", source=str(p))
    return _validate(raw, str(p))


def _text(value: object) -> str | None:
    """Stripped text of a cell/scalar; ``None`` when absent or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _validate(raw: list[tuple[dict[str, object], int | None]], source: str) -> list[CodebookEntry]:
    """Turn (fields, line) pairs into entries, checking ids, labels and duplicates."""
    entries: list[CodebookEntry] = []
    first_line: dict[str, int | None] = {}
    for fields, line in raw:
        code = _text(fields.get("id"))
        label = _text(fields.get("label"))
        if code is None:
            what = f" (label {label!r})" if label else ""
            raise InputError(f"code without id{what}", source=source, line=line)
        if label is None:
            raise InputError(f"code {code!r} has no label", source=source, line=line)
        if code in first_line:
            first = first_line[code]
            where = f"line {first}" if first is not None else "earlier"
            raise InputError(f"duplicate id {code!r} (first defined on {where}, again on line {line})",
                             source=source, line=line)
        first_line[code] = line
        entries.append(CodebookEntry(code, label, _text(fields.get("group")),
                                     _text(fields.get("description")), line))
    return entries


def _csv_rows(text: str, source: str) -> list[tuple[dict[str, object], int | None]]:
    """Parse CSV text into (fields, first line) pairs, using the header to name columns."""
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    header_line = 0
    rows: list[tuple[dict[str, object], int | None]] = []
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                header_line = line
                names = [name.strip().lower() for name in row]
                twice = _first_repeated(names)
                if twice is not None:
                    raise InputError(f"column {twice!r} appears twice in the header", source=source, line=line)
                columns = _pick_keys(names)
                if "id" not in columns:
                    raise InputError("header has no id column (expected 'id' or 'code')",
                                     source=source, line=line)
                if "label" not in columns:
                    raise InputError("header has no label column (expected 'label' or 'name')",
                                     source=source, line=line)
                continue
            fields: dict[str, object] = {key: row[index] if index < len(row) else None
                                         for key, index in columns.items()}
            rows.append((fields, line))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=source, line=reader.line_num) from exc
    if columns is None:
        raise InputError("file is empty", source=source)
    if not rows:
        raise InputError("codebook has no codes below the header", source=source, line=header_line)
    return rows


def _first_repeated(names: list[str]) -> str | None:
    """The first non-empty name that appears a second time, or None."""
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            return name
        seen.add(name)
    return None


class _LineDict(dict):
    """A YAML mapping that remembers the line it starts on."""

    line: int | None = None


class _CodebookLoader(yaml.SafeLoader):
    """Safe YAML loader keeping scalars as written and mapping start lines."""


def _construct_mapping(loader: _CodebookLoader, node: yaml.MappingNode):
    data = _LineDict()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


def _construct_verbatim(loader: _CodebookLoader, node: yaml.ScalarNode) -> str:
    return str(node.value)


_CodebookLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
for _tag in ("int", "float", "bool", "timestamp"):
    _CodebookLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct_verbatim)
del _tag


def _line_of(value: object) -> int | None:
    return value.line if isinstance(value, _LineDict) else None


def _pick_keys(names: list[str]) -> dict[str, int]:
    """Map each field to the index of its preferred name among ``names``."""
    chosen: dict[str, int] = {}
    for field, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in names:
                chosen[field] = names.index(alias)
                break
    return chosen


def _normalise(mapping: dict, source: str) -> dict[str, object]:
    """Fields of one YAML code mapping, keys matched case-insensitively via aliases."""
    keys = list(mapping)
    fields = {field: mapping[keys[i]]
              for field, i in _pick_keys([str(k).strip().lower() for k in keys]).items()}
    for field, value in fields.items():
        if isinstance(value, (dict, list)):
            kind = "mapping" if isinstance(value, dict) else "list"
            raise InputError(f"{field!r} must be text, not a {kind}", source=source,
                             line=_line_of(mapping))
    return fields


def _yaml_codes(items: object, source: str, line: int | None, group: str | None = None):
    """Yield (fields, line) for each mapping in a YAML list of codes."""
    if not isinstance(items, list):
        raise InputError("expected a list of codes", source=source, line=line)
    for item in items:
        if not isinstance(item, dict):
            raise InputError(f"each code must be a mapping, got {item!r}", source=source, line=line)
        fields = _normalise(item, source)
        if group is not None:
            fields["group"] = group
        yield fields, _line_of(item)


def _yaml_rows(text: str, source: str) -> list[tuple[dict[str, object], int | None]]:
    """Parse YAML text in any of the supported shapes into (fields, line) pairs."""
    try:
        document = yaml.load(text, Loader=_CodebookLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"invalid YAML: {problem}", source=source,
                         line=mark.line + 1 if mark is not None else None) from exc
    if document is None:
        raise InputError("file is empty", source=source)
    if isinstance(document, list):
        return list(_yaml_codes(document, source, 1))
    if not isinstance(document, dict):
        raise InputError("expected a list of codes or a mapping with 'codes' or 'groups'",
                         source=source, line=1)
    keys = {str(k).strip().lower(): v for k, v in document.items()}
    if "codes" in keys:
        return list(_yaml_codes(keys["codes"], source, _line_of(document)))
    if "groups" not in keys:
        raise InputError("expected a 'codes' or 'groups' key at the top level", source=source,
                         line=_line_of(document))
    groups = keys["groups"]
    if not isinstance(groups, list):
        raise InputError("'groups' must be a list", source=source, line=_line_of(document))
    rows: list[tuple[dict[str, object], int | None]] = []
    for group in groups:
        if not isinstance(group, dict):
            raise InputError(f"each group must be a mapping, got {group!r}", source=source,
                             line=_line_of(document))
        group_keys = {str(k).strip().lower(): v for k, v in group.items()}
        number = _text(group_keys.get("number", group_keys.get("id")))
        label = _text(group_keys.get("label", group_keys.get("name")))
        group_text = " ".join(part for part in (number, label) if part) or None
        codes = group_keys.get("techniques", group_keys.get("codes"))
        if codes is None:
            raise InputError(f"group {group_text!r} has no 'techniques' or 'codes' list",
                             source=source, line=_line_of(group))
        rows.extend(_yaml_codes(codes, source, _line_of(group), group_text))
    return rows
