"""Tests for bctcoder.taxonomy.codebook (user codebooks in CSV or YAML)."""

from __future__ import annotations

import csv
import io
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bctcoder.errors import InputError
from bctcoder.taxonomy.codebook import CodebookEntry, read_codebook


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_basic_with_bom_aliases_blank_lines_and_extra_columns(tmp_path):
    path = _write(tmp_path, "cb.csv",
                  "\n Code ,NAME,Group,Description,Colour\n"
                  "1.1,Goal setting (behavior),1 Goals and planning,Set a goal,red\n"
                  "\n"
                  ",,,,\n"
                  'HOPE,Hope,,"  Feeling,\nhopeful ",\n'
                  "X,  Spaced  ,,,\n",
                  encoding="utf-8-sig")
    assert read_codebook(path) == [
        CodebookEntry("1.1", "Goal setting (behavior)", "1 Goals and planning", "Set a goal", 3),
        CodebookEntry("HOPE", "Hope", None, 'Feeling,\nhopeful', 6),
        CodebookEntry("X", "Spaced", None, None, 8),
    ]


def test_csv_without_optional_columns(tmp_path):
    path = _write(tmp_path, "cb.csv", "label,id\nHope,HOPE\n")
    assert read_codebook(path) == [CodebookEntry("HOPE", "Hope", None, None, 2)]


def test_csv_prefers_id_over_alias(tmp_path):
    path = _write(tmp_path, "cb.csv", "code,id,label\nc1,i1,L\n")
    assert read_codebook(path)[0].id == "i1"


@pytest.mark.parametrize("text, message, line", [
    ("id,label\n1.1,Goal\n1.2,\n", "'1.2' has no label", 3),
    ("id,label\n1.1,Goal\n,Orphan\n", "code without id", 3),
    ("label,group\nGoal,1\n", "no id column", 1),
    ("\n\nid,description\n1.1,x\n", "no label column", 3),
    ("id,label\n1.1,Goal\n1.2,Plan\n\n1.1,Again\n", "duplicate id '1.1' (first defined on line 2, again on line 5)", 5),
    ("id,label\n", "no codes below the header", 1),
])
def test_csv_errors_name_file_and_line(tmp_path, text, message, line):
    path = _write(tmp_path, "cb.csv", text)
    with pytest.raises(InputError) as info:
        read_codebook(path)
    assert message in str(info.value)
    assert (info.value.source, info.value.line) == (str(path), line)
    assert str(info.value).startswith(f"{path}, line {line}: ")


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "file is empty"),
    ("blank.csv", b"\xef\xbb\xbf \n\n", "file is empty"),
    ("empty.yaml", b"", "file is empty"),
    ("null.yml", b"# nothing\n~\n", "file is empty"),
    ("latin1.csv", "id,label\n1,Caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ("codes.txt", b"id,label\n1,a\n", "unknown codebook type"),
    ("scalar.yaml", b"just text\n", "expected a list of codes"),
    ("other.yaml", b"things: []\n", "'codes' or 'groups'"),
    ("nocodes.yaml", b"codes: []\n", "no codes"),
])
def test_bad_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_codebook(path)
    assert info.value.source == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_codebook(tmp_path / "absent.csv")


def test_yaml_list_keeps_scalars_as_written(tmp_path):
    path = _write(tmp_path, "cb.yaml",
                  "- {id: 1.10, label: Graded tasks}\n"
                  "- id: no\n"
                  "  Name: Negative\n"
                  "  group: Affect\n"
                  "  description: >\n"
                  "    Says no.\n"
                  "- {code: 2020-01-01, label: 12, description: ~}\n")
    assert read_codebook(path) == [
        CodebookEntry("1.10", "Graded tasks", None, None, 1),
        CodebookEntry("no", "Negative", "Affect", "Says no.", 2),
        CodebookEntry("2020-01-01", "12", None, None, 7),
    ]


def test_yaml_codes_mapping(tmp_path):
    path = _write(tmp_path, "cb.yml", "codes:\n  - id: HOPE\n    label: Hope\n  - id: FEAR\n    label: Fear\n")
    assert [(e.id, e.label, e.line) for e in read_codebook(path)] == [("HOPE", "Hope", 2), ("FEAR", "Fear", 4)]


def test_yaml_grouped_shape(tmp_path):
    path = _write(tmp_path, "cb.yaml", """\
groups:
  - number: 1
    label: Goals and planning
    techniques:
      - number: "1.1"
        label: Goal setting (behavior)
        description: Set or agree on a goal.
      - {number: 1.2, label: Problem solving}
  - label: Other
    codes:
      - {id: HOPE, label: Hope}
""")
    assert read_codebook(path) == [
        CodebookEntry("1.1", "Goal setting (behavior)", "1 Goals and planning", "Set or agree on a goal.", 5),
        CodebookEntry("1.2", "Problem solving", "1 Goals and planning", None, 8),
        CodebookEntry("HOPE", "Hope", "Other", None, 11),
    ]


@pytest.mark.parametrize("text, message, line", [
    ("codes:\n  - id: A\n    label: x\n  - id: B\n", "'B' has no label", 4),
    ("- {id: A, label: x}\n- {label: y}\n", "code without id", 2),
    ("- {id: A, label: x}\n- {id: B, label: y}\n- {id: A, label: z}\n",
     "duplicate id 'A' (first defined on line 1, again on line 3)", 3),
    ("codes:\n  - id: A\n    label: [x\n", "invalid YAML", 4),
    ("codes:\n  - id: A\n\tlabel: x\n", "invalid YAML", 3),
    ("groups:\n  - label: G\n    number: 1\n", "no 'techniques' or 'codes'", 2),
    ("- {id: A, label: {x: 1}}\n", "must be text", 1),
    ("codes:\n  - A\n", "must be a mapping", 1),
])
def test_yaml_errors_name_file_and_line(tmp_path, text, message, line):
    path = _write(tmp_path, "cb.yaml", text)
    with pytest.raises(InputError) as info:
        read_codebook(path)
    assert message in str(info.value)
    assert (info.value.source, info.value.line) == (str(path), line)


_printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1, max_size=24,
).map(str.strip).filter(lambda s: s != "" and s.isprintable())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_printable, _printable), min_size=1, max_size=8, unique_by=lambda t: t[0]),
       st.booleans())
def test_csv_round_trip(codes, bom):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "label"])
    writer.writerows(codes)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "codes.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))
        entries = read_codebook(path)
    assert [(e.id, e.label) for e in entries] == codes
    assert [e.line for e in entries] == list(range(2, len(codes) + 2))
    assert all(e.group is None and e.description is None for e in entries)


def test_ascii_punctuation_round_trip(tmp_path):
    label = string.punctuation + ' "quoted", comma'
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["code", "name"], ["P", label]])
    path = _write(tmp_path, "p.csv", buffer.getvalue())
    assert read_codebook(path)[0].label == label
