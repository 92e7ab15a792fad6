"""CSV files as Excel, LibreOffice and R save them (issue #13): UTF-16 with or without a BOM, semicolons
(Excel in much of Europe) and tabs ("Unicode text") are read correctly, and when a column is still missing the
message says how the file was read."""

from __future__ import annotations

import codecs

import pytest

from bctcoder.errors import InputError
from bctcoder.participants.csvfile import read_csv_rows

CASES = "case;role;age:integer;town\nPW1;PW;71;Zürich\nSP1;SP;68;Malmö, Skåne\n"


def _bytes(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-bom":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding)


@pytest.mark.parametrize("encoding, name", [
    ("utf-8", "UTF-8"), ("utf-8-bom", "UTF-8"), ("cp1252", "Windows-1252"), ("utf-16-bom", "UTF-16"),
    ("utf-16-be-bom", "UTF-16"), ("utf-16-le", "UTF-16 (little-endian, no BOM)"),
    ("utf-16-be", "UTF-16 (big-endian, no BOM)")])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_delimiters_are_recognised(tmp_path, encoding, name, delimiter):
    text = CASES.replace(";", "\t" if delimiter == "\t" else delimiter)
    if delimiter == ",":
        text = text.replace("Malmö, Skåne", '"Malmö, Skåne"')
    path = tmp_path / "cases.csv"
    path.write_bytes(_bytes(text, encoding))
    header, rows = read_csv_rows(path)
    assert header == ["case", "role", "age:integer", "town"]
    assert header.encoding == name and header.delimiter == delimiter
    assert rows == [(2, {"case": "PW1", "role": "PW", "age:integer": "71", "town": "Zürich"}),
                    (3, {"case": "SP1", "role": "SP", "age:integer": "68", "town": "Malmö, Skåne"})]


@pytest.mark.parametrize("encoding, delimiter", [("utf-16-bom", "\t"), ("utf-8-bom", ";"), ("cp1252", ";")])
def test_cases_import_from_excel_files(project, tmp_path, encoding, delimiter):
    path = tmp_path / "cases.csv"
    path.write_bytes(_bytes(CASES.replace(";", delimiter).replace("\n", "\r\n"), encoding))
    result = project.import_cases(path)
    assert result["created"] == 2
    frame = project.cases().set_index("case")
    assert frame.loc["SP1", "town"] == "Malmö, Skåne" and int(frame.loc["PW1", "age"]) == 71


def test_header_decides_the_delimiter_not_the_cells(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("case,role,note\nPW1,PW,a;b;c;d\n", encoding="utf-8")
    header, rows = read_csv_rows(path)
    assert header.delimiter == "," and rows[0][1]["note"] == "a;b;c;d"


def test_a_missing_column_says_how_the_file_was_read(project, tmp_path):
    path = tmp_path / "codings.csv"
    path.write_bytes(_bytes("document|code|coder\nPW1|3.1|ann\n", "utf-16-bom"))
    with pytest.raises(InputError) as info:
        project.import_codings(path)
    message = str(info.value)
    assert "no 'document' column" in message and "'document|code|coder'" in message
    assert "read as UTF-16 with fields separated by commas" in message


def test_undecodable_and_ragged_files_say_what_was_tried(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"case,role\nPW1,\x81\x8d\n")
    with pytest.raises(InputError, match="cannot decode as UTF-8 or Windows-1252"):
        read_csv_rows(path)
    path.write_text("case;role\nPW1;PW;extra;more\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: 4 fields but the header has 2 \(read as UTF-8 with fields "
                                         r"separated by semicolons\)"):
        read_csv_rows(path)


def test_cells_guarded_by_our_exports_read_back_exactly(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("case,role,note\nPW1,PW,'=1+2\nSP1,SP,''-x\nSP2,SP,'plain\n", encoding="utf-8")
    _header, rows = read_csv_rows(path)
    assert [r["note"] for _line, r in rows] == ["=1+2", "'-x", "'plain"]
