"""Word-processor transcripts: docx (python-docx) and odt (content.xml)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from bctcoder.corpus.readers import read_transcript
from bctcoder.errors import TranscriptError

_ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content
    xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    xmlns:dc="http://purl.org/dc/elements/1.1/">
<office:body><office:text>
<text:h text:outline-level="1">Interview   PW6</text:h>
<text:p>Interviewer:<text:s/>How<text:s text:c="2"/>was it?<office:annotation><text:p>a comment</text:p></office:annotation></text:p>
<text:p><text:span>PW6: </text:span>Good.<text:tab/>Really.<text:line-break/>Mostly.</text:p>
<table:table><table:table-row><table:table-cell><text:p>I: And the slides?</text:p></table:table-cell></table:table-row></table:table>
<text:p>PW6: Too busy.</text:p>
</office:text></office:body></office:document-content>
"""


def spans(transcript):
    return [(turn.speaker, transcript.turn_text(turn)) for turn in transcript.turns]


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Interviewer: How are you finding the course?")
    document.add_paragraph("PW6: It is hard.")
    document.add_paragraph("I keep going though.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Interviewer"
    table.cell(0, 1).text = "Why?"
    table.cell(1, 0).text = "PW6:"
    table.cell(1, 1).text = "Family."
    document.add_paragraph("Interviewer: Thank you.  ")
    document.save(str(path))
    return path


def make_odt(path: Path, content: str = _ODT_CONTENT) -> Path:
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", content)
    return path


def test_docx_made_with_python_docx(tmp_path):
    transcript = read_transcript(make_docx(tmp_path / "t.docx"))
    assert transcript.source_format == "docx"
    assert transcript.layout == "speaker_colon"
    assert transcript.text == (
        "Interviewer: How are you finding the course?\n"
        "PW6: It is hard.\n"
        "I keep going though.\n"
        "\n"
        "Interviewer: Why?\n"
        "PW6: Family.\n"
        "Interviewer: Thank you."
    )
    assert spans(transcript) == [
        ("Interviewer", "How are you finding the course?"),
        ("PW6", "It is hard.\nI keep going though."),
        ("Interviewer", "Why?"),
        ("PW6", "Family."),
        ("Interviewer", "Thank you."),
    ]
    assert [t.is_interviewee for t in transcript.turns] == [False, True, False, True, False]


def test_docx_plain_paragraphs_are_turns(tmp_path):
    document = docx.Document()
    for paragraph in ("First thought.", "Second thought.", "", "Third."):
        document.add_paragraph(paragraph)
    path = tmp_path / "plain.docx"
    document.save(str(path))
    transcript = read_transcript(path)
    assert transcript.layout == "plain"
    assert spans(transcript) == [("", "First thought."), ("", "Second thought."), ("", "Third.")]


def test_corrupt_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(TranscriptError, match="not a valid .docx file") as info:
        read_transcript(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)


def test_empty_docx(tmp_path):
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(TranscriptError, match="file is empty"):
        read_transcript(path)


def test_odt_paragraph_extraction(tmp_path):
    transcript = read_transcript(make_odt(tmp_path / "t.odt"))
    assert transcript.source_format == "odt"
    assert transcript.text == (
        "Interview PW6\n"
        "Interviewer: How  was it?\n"
        "PW6: Good.\tReally.\n"
        "Mostly.\n"
        "I: And the slides?\n"
        "PW6: Too busy."
    )
    assert transcript.layout == "speaker_colon"
    assert spans(transcript) == [  # the title line before the first label is a header, not speech
        ("Interviewer", "How  was it?"),
        ("PW6", "Good.\tReally.\nMostly."),
        ("I", "And the slides?"),
        ("PW6", "Too busy."),
    ]


def test_corrupt_odt(tmp_path):
    path = tmp_path / "broken.odt"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(TranscriptError, match="not a valid .odt file") as info:
        read_transcript(path)
    assert str(path) in str(info.value)
    no_content = tmp_path / "nocontent.odt"
    with zipfile.ZipFile(no_content, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(TranscriptError, match="not a valid .odt file"):
        read_transcript(no_content)
    bad_xml = make_odt(tmp_path / "badxml.odt", "<office:document-content")
    with pytest.raises(TranscriptError, match="not a valid .odt file"):
        read_transcript(bad_xml)


def test_shared_docx(shared_formats):
    transcript = read_transcript(shared_formats / "ID1.docx")
    assert transcript.layout == "plain"
    assert len(transcript.turns) == 3
    assert transcript.turn_text(transcript.turns[0]).startswith("I really like learning new things.")
    assert transcript.turn_text(transcript.turns[2]).endswith("I'm happy to pay €200.")
    assert not transcript.text.endswith("\n")


def test_shared_odt(shared_formats):
    transcript = read_transcript(shared_formats / "ID2.odt")
    assert transcript.layout == "plain"
    assert len(transcript.turns) == 3
    first = transcript.turn_text(transcript.turns[0])
    assert first.startswith("I have not studied much before, but my father Joe Bloggs")
    assert "€200.00" in transcript.text
