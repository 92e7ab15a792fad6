"""Text exactly as the participant said it: stray Windows-1252 bytes in UTF-8 files, and Word's tracked changes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.corpus.hostile_files import docx_members, write_zip

from bctcoder.corpus.documents import TRACKED_CHANGES_NOTE
from bctcoder.corpus.readers import read_transcript
from bctcoder.corpus.textnorm import decode_bytes, decode_utf8_or_cp1252_lines, describe_lines
from bctcoder.errors import TranscriptError

# -- mixed encodings -----------------------------------------------------------------------------------------


def _file(tmp_path, data: bytes, name: str = "P04.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_word_apostrophe_in_a_utf8_file(tmp_path):
    data = "Interviewer: Was it hard?\nP04: At first – then I didn".encode() + b"\x92t mind.\n"
    notes: list[str] = []
    transcript = read_transcript(_file(tmp_path, data), notes=notes)
    assert transcript.text == "Interviewer: Was it hard?\nP04: At first – then I didn\u2019t mind."
    assert notes == ["line 2 is not valid UTF-8 and was read as Windows-1252 (cp1252)"]


def test_latin1_word_among_utf8_lines(tmp_path):
    data = "Interviewer: Where did you meet?\nP04: At the café – “the usual”.\n".encode() + b"P04: caf\xe9 again\n"
    transcript = read_transcript(_file(tmp_path, data))
    assert transcript.text.splitlines() == ["Interviewer: Where did you meet?",
                                            "P04: At the café – “the usual”.", "P04: café again"]


def test_utf8_characters_next_to_a_stray_byte_are_kept(tmp_path):
    data = "Intro: naïve\n".encode() + "P04: “café” and ".encode() + b"\x93quoted\x94\n"
    assert read_transcript(_file(tmp_path, data)).text.splitlines()[1] == "P04: “café” and “quoted”"


def test_a_cp1252_file_reads_as_before(tmp_path):
    text = "Interviewer: Was it hard?\r\nP04: I didn’t mind – “really”. Café, 5 €.\r\n"
    notes: list[str] = []
    transcript = read_transcript(_file(tmp_path, text.encode("cp1252")), notes=notes)
    assert transcript.text == "Interviewer: Was it hard?\nP04: I didn’t mind – “really”. Café, 5 €."
    assert notes == ["line 2 is not valid UTF-8 and was read as Windows-1252 (cp1252)"]


def test_clean_utf8_has_no_warning_and_bom_is_dropped(tmp_path):
    notes: list[str] = []
    transcript = read_transcript(_file(tmp_path, "\ufeffP04: naïve café 😀\n".encode()), notes=notes)
    assert transcript.text == "P04: naïve café 😀" and notes == []


def test_line_neither_utf8_nor_cp1252_names_its_line(tmp_path):
    path = _file(tmp_path, b"P04: fine\nP04: also fine\nP04: bad \x81 byte\n")
    with pytest.raises(TranscriptError, match="cannot decode as UTF-8 or cp1252") as caught:
        read_transcript(path)
    assert caught.value.line == 3 and str(path) in str(caught.value)


def test_explicit_encoding_is_not_mixed():
    with pytest.raises(TranscriptError, match="cannot decode as utf-8"):
        decode_bytes(b"caf\xe9", "x.txt", "utf-8")


def test_warning_reaches_the_import_report(project, tmp_path):
    path = _file(tmp_path, b"P04: one\nP04: two\x92s\nP04: three\nP04: four\x92s\nP04: five\x92s\n")
    result = project.import_transcripts([path], allow_unlinked=True)
    assert result["warnings"] == [{"file": str(path), "warning": "lines 2, 4-5 are not valid UTF-8 and were read "
                                                                 "as Windows-1252 (cp1252)"}]
    assert "two\u2019s" in project.document_text("P04")


def test_line_lists_are_compact():
    assert describe_lines([1]) == "line 1"
    assert describe_lines([1, 2, 3, 7]) == "lines 1-3, 7"
    assert describe_lines(list(range(1, 100, 2)), most=3) == "lines 1, 3, 5 and 47 more"


# Characters whose cp1252 byte is 0x80-0xBF can never start a UTF-8 sequence; letters (0xC0-0xFF) can.
_CP1252_SYMBOLS = "’‘“”–—…€©°£½•™"
_CP1252_LETTERS = "éèàüñçÉÄßø"
_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
CP1252_LINES = st.text(st.one_of(_ASCII, st.sampled_from(_CP1252_SYMBOLS + _CP1252_LETTERS)), max_size=30)
UTF8_LINES = st.text(st.characters(exclude_characters="\n\r\x00", exclude_categories=["Cs"]), max_size=30)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(text=st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"])))
def test_valid_utf8_is_read_unchanged(text):
    assert decode_utf8_or_cp1252_lines(text.encode("utf-8")) == (text, [])


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(st.tuples(st.just("utf-8"), UTF8_LINES), st.tuples(st.just("cp1252"), CP1252_LINES)),
                      min_size=1, max_size=8))
def test_mixed_lines_read_back_as_written(lines):
    encoded = [text.encode(encoding) for encoding, text in lines]
    # A cp1252 line that happens to contain a UTF-8 sequence is ambiguous; the decoder may read it either way.
    clear = [encoding == "utf-8" or not _UTF8_SEQUENCE.search(data) for (encoding, _), data in zip(lines, encoded)]
    text, repaired = decode_utf8_or_cp1252_lines(b"\n".join(encoded))
    assert repaired == [n for n, data in enumerate(encoded, start=1) if not _valid_utf8(data)]
    decoded = text.split("\n")
    assert len(decoded) == len(lines)
    for (_, original), line, unambiguous in zip(lines, decoded, clear):
        if unambiguous:
            assert line == original


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_any_bytes_decode_or_fail_cleanly(data):
    try:
        text = decode_bytes(data, "fuzz.txt")
    except TranscriptError as exc:
        assert "fuzz.txt" in str(exc)
        return
    assert isinstance(text, str)
    lenient, _ = decode_utf8_or_cp1252_lines(data, strict=False)
    assert lenient.count("\n") == data.removeprefix(b"\xef\xbb\xbf").count(b"\n")


# -- Word's tracked changes ----------------------------------------------------------------------------------

_AUTHOR = 'w:id="{n}" w:author="Ana" w:date="2024-05-01T10:00:00Z"'


def _change(tag: str, n: int, text: str) -> str:
    element = "w:delText" if tag in ("w:del", "w:moveFrom") else "w:t"
    return f'<{tag} {_AUTHOR.format(n=n)}><w:r><{element} xml:space="preserve">{text}</{element}></w:r></{tag}>'


def _docx(tmp_path, body: str):
    members = docx_members(body)
    members["word/comments.xml"] = b'<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/' \
                                   b'2006/main"><w:comment w:id="0"><w:p><w:r><w:t>check this</w:t></w:r></w:p>' \
                                   b'</w:comment></w:comments>'
    return write_zip(tmp_path / "P04.docx", members)


def test_docx_tracked_insertions_are_kept_and_deletions_dropped(tmp_path):
    body = ("<w:p><w:r><w:t>Interviewer: What changed?</w:t></w:r></w:p>"
            f"<w:p><w:r><w:t xml:space=\"preserve\">P04: </w:t></w:r>{_change('w:ins', 1, 'I started walking.')}</w:p>"
            f"<w:p><w:r><w:t xml:space=\"preserve\">P04: I walk</w:t></w:r>{_change('w:ins', 2, ' every day')}"
            f"{_change('w:del', 3, ' sometimes')}<w:commentRangeStart w:id=\"0\"/><w:r><w:t>.</w:t></w:r>"
            "<w:commentRangeEnd w:id=\"0\"/><w:r><w:commentReference w:id=\"0\"/></w:r></w:p>"
            f"<w:p>{_change('w:moveFrom', 4, 'P04: moved away.')}</w:p>"
            f"<w:p>{_change('w:moveTo', 5, 'P04: moved here.')}</w:p>")
    notes: list[str] = []
    transcript = read_transcript(_docx(tmp_path, body), notes=notes)
    assert transcript.text == ("Interviewer: What changed?\nP04: I started walking.\nP04: I walk every day.\n\n"
                               "P04: moved here.")
    assert "check this" not in transcript.text and "sometimes" not in transcript.text
    assert notes == [TRACKED_CHANGES_NOTE]


def test_docx_deleted_paragraph_mark_joins_the_next_paragraph(tmp_path):
    body = (f'<w:p><w:pPr><w:rPr><w:del {_AUTHOR.format(n=1)}/></w:rPr></w:pPr>'
            '<w:r><w:t xml:space="preserve">P04: first half, </w:t></w:r></w:p>'
            '<w:p><w:r><w:t>second half.</w:t></w:r></w:p>')
    assert read_transcript(_docx(tmp_path, body)).text == "P04: first half, second half."


def test_docx_tracked_changes_in_tables_links_and_fields(tmp_path):
    row = "<w:tr><w:tc><w:p><w:r><w:t>{label}</w:t></w:r></w:p></w:tc><w:tc><w:p>{cell}</w:p></w:tc></w:tr>"
    deleted_row = row.replace("<w:tr>", f"<w:tr><w:trPr><w:del {_AUTHOR.format(n=9)}/></w:trPr>")
    body = ("<w:tbl>" + row.format(label="Interviewer", cell="<w:r><w:t>Why?</w:t></w:r>")
            + deleted_row.format(label="P04", cell=_change("w:del", 7, "Deleted answer."))
            + row.format(label="P04", cell=_change("w:ins", 8, "Family."))
            + "</w:tbl>"
            + '<w:p><w:hyperlink r:id="x" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships"><w:r><w:t>P04: see the site</w:t></w:r></w:hyperlink>'
              '<w:fldSimple w:instr="DATE"><w:r><w:t xml:space="preserve"> today</w:t></w:r></w:fldSimple></w:p>')
    notes: list[str] = []
    transcript = read_transcript(_docx(tmp_path, body), notes=notes)
    assert transcript.text == "Interviewer: Why?\nP04: Family.\nP04: see the site today"
    assert notes == [TRACKED_CHANGES_NOTE]


def test_docx_without_tracked_changes_has_no_note(project, tmp_path):
    path = _docx(tmp_path, "<w:p><w:r><w:t>P04: plain</w:t><w:tab/><w:t>text</w:t><w:br/><w:t>more</w:t></w:r></w:p>")
    notes: list[str] = []
    assert read_transcript(path, notes=notes).text == "P04: plain\ttext\nmore" and notes == []
    result = project.import_transcripts([path], allow_unlinked=True)
    assert result["warnings"] == []


def test_tracked_changes_note_reaches_the_import_report(project, tmp_path):
    body = f"<w:p><w:r><w:t xml:space=\"preserve\">P04: </w:t></w:r>{_change('w:ins', 1, 'Inserted.')}</w:p>"
    path = _docx(tmp_path, body)
    result = project.import_transcripts([path], allow_unlinked=True)
    assert result["warnings"] == [{"file": str(path), "warning": TRACKED_CHANGES_NOTE}]
    assert project.document_text("P04") == "P04: Inserted."
