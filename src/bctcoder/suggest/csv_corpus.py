"""Any labelled table as an evaluation corpus (``bctcoder evaluate --corpus csv``).

One row is one example: the text to classify (``--text-column``), its gold label (``--label-column``), and
optionally the document or dialogue it came from (``--group-column``: folds never split a group; without it
every row is its own group) and the text before it (``--context-column``, e.g. the interviewer's question).
Labels may be technique numbers (then the technique's name, description and cues from BCTTv1 help the
suggesters) or any names (the name is all they know). The file is read by the project's CSV reader: UTF-8,
UTF-16 or Windows-1252, comma, semicolon or tab, bounded in size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bctcoder.errors import InputError
from bctcoder.participants.csvfile import CsvHeader, header_note, read_csv_rows
from bctcoder.suggest.base import LabelInfo
from bctcoder.suggest.corpora import Example
from bctcoder.suggest.corpus_labels import hbcp_labels


@dataclass(frozen=True)
class CsvColumns:
    """Which columns of the table hold what."""

    text: str = "text"
    label: str = "label"
    group: str | None = None
    context: str | None = None


def _column(header: CsvHeader, name: str, option: str, source: str) -> str:
    if name in header:
        return name
    folded = {h.strip().casefold(): h for h in header}
    if name.strip().casefold() in folded:
        return folded[name.strip().casefold()]
    raise InputError(f"no column {name!r} for {option}{header_note(header)}", source=source, line=1)


def read_csv_corpus(paths: Sequence[str | Path], columns: CsvColumns) -> tuple[list[Example], int]:
    """The examples of every file (rows with an empty text or label are skipped and counted)."""
    examples: list[Example] = []
    skipped = 0
    for path in paths:
        source = str(path)
        header, rows = read_csv_rows(path)
        text = _column(header, columns.text, "--text-column", source)
        label = _column(header, columns.label, "--label-column", source)
        group = _column(header, columns.group, "--group-column", source) if columns.group else None
        context = _column(header, columns.context, "--context-column", source) if columns.context else None
        for line, row in rows:
            body, gold = " ".join(row.get(text, "").split()), row.get(label, "").strip()
            if not body or not gold:
                skipped += 1
                continue
            where = row.get(group, "").strip() if group else ""
            examples.append(Example(text=body, label=gold, group=f"{Path(path).name}:{where or line}",
                                    context=(" ".join(row.get(context, "").split()) or None) if context else None,
                                    source=source))
    return examples, skipped


def csv_labels(examples: Sequence[Example]) -> tuple[list[LabelInfo], str]:
    """The label set: BCTTv1's descriptions for labels that are technique numbers, the bare name otherwise."""
    used = sorted({e.label for e in examples})
    techniques = {info.id: info for info in hbcp_labels(None)}
    labels = [techniques.get(u, LabelInfo(u, u)) for u in used]
    known = sum(u in techniques for u in used)
    if known == len(used):
        mapping = "labels are BCTTv1 technique numbers: our descriptions and cue phrases help the suggesters"
    elif known:
        mapping = (f"{known} of {len(used)} labels are BCTTv1 technique numbers (described); the others are "
                   "names only")
    else:
        mapping = "labels are names only (no descriptions): suggesters learn them from the examples"
    return labels, mapping
