"""Extracting paragraph text from word-processor files (docx, odt), within the bounds of safe_archive."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.types import ProvidesStoryPart
from lxml import etree

from bctcoder.corpus.patterns import MAX_LABEL_CHARS
from bctcoder.corpus.safe_archive import SafeArchive, xml_root
from bctcoder.errors import TranscriptError

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_ODT_PARAGRAPHS = (f"{{{_TEXT}}}p", f"{{{_TEXT}}}h")
# Content that is not part of the running text: comments, notes, deleted text, frames.
_ODT_SKIPPED = frozenset(
    {
        f"{{{_OFFICE}}}annotation",
        f"{{{_TEXT}}}note",
        f"{{{_TEXT}}}tracked-changes",
        f"{{{_DRAW}}}frame",
        *_ODT_PARAGRAPHS,
    }
)
_XML_WHITESPACE = re.compile(r"[ \t\r\n]+")
MAX_ODT_SPACES = 1_000
"""The most spaces one ``<text:s text:c="N"/>`` may stand for; a larger N is refused."""


def _docx_blocks(parent: object, document: ProvidesStoryPart) -> Iterator[Paragraph | Table]:
    """Yield the paragraphs and tables under ``parent`` in document order."""
    for child in parent.iterchildren():  # type: ignore[attr-defined]
        if child.tag == qn("w:p"):
            yield Paragraph(child, document)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_blocks(content, document)


# Inside a paragraph: elements whose text is part of the final (accepted) text, and elements whose
# content never is (tracked deletions and moves away, drawings and text boxes, alternate content).
_DOCX_CONTAINERS = frozenset(qn(t) for t in ("w:ins", "w:moveTo", "w:hyperlink", "w:smartTag", "w:customXml",
                                             "w:fldSimple", "w:dir", "w:bdo"))
_DOCX_TRACKED = tuple(qn(t) for t in ("w:ins", "w:del", "w:moveFrom", "w:moveTo"))
_DOCX_RUN_TEXT = {qn("w:tab"): "\t", qn("w:ptab"): "\t", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}
TRACKED_CHANGES_NOTE = ("tracked changes found: read as if accepted (insertions kept, deletions and moved-away "
                        "text left out)")


def _docx_run_text(run: etree._Element) -> str:
    parts = []
    for child in run:
        tag = child.tag
        if tag == qn("w:t"):
            parts.append(child.text or "")
        elif tag == qn("w:br"):
            parts.append("\n" if child.get(qn("w:type"), "textWrapping") == "textWrapping" else "")
        elif tag in _DOCX_RUN_TEXT:
            parts.append(_DOCX_RUN_TEXT[tag])
    return "".join(parts)


def _docx_inline_text(element: etree._Element) -> str:
    """The final text of a paragraph (or a container in one): runs, inserted runs, links, fields."""
    parts = []
    for child in element:
        tag = child.tag
        if tag == qn("w:r"):
            parts.append(_docx_run_text(child))
        elif tag in _DOCX_CONTAINERS:
            parts.append(_docx_inline_text(child))
        elif tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                parts.append(_docx_inline_text(content))
    return "".join(parts)


def _docx_mark_deleted(paragraph: etree._Element) -> bool:
    """True when the paragraph's end was deleted with tracking on: accepted, it joins the next one."""
    return paragraph.find(f"{qn('w:pPr')}/{qn('w:rPr')}/{qn('w:del')}") is not None


def _table_lines(table: Table) -> list[str]:
    """Render a table row by row.

    A row of two cells whose first cell is a short one-line label (a common
    speaker | utterance transcript table) becomes ``Label: utterance``; any
    other row contributes each cell's paragraphs as separate lines.  A row
    deleted with tracking on is left out.
    """
    lines: list[str] = []
    for row in table.rows:
        if row._tr.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:
            continue
        cells, seen = [], set()
        for cell in row.cells:  # merged cells repeat; keep each once
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append("\n".join(_docx_inline_text(p._p) for p in cell.paragraphs).strip())
        label = cells[0] if len(cells) == 2 else ""
        if label and cells[1] and "\n" not in label and len(label) <= MAX_LABEL_CHARS:
            separator = " " if label.endswith((":", "\uff1a")) else ": "
            lines.append(f"{label}{separator}{cells[1]}")
        else:
            lines.extend(cell for cell in cells if cell)
    return lines


def docx_text(path: Path, *, notes: list[str] | None = None) -> str:
    """Return the final text of a .docx file: its paragraphs in order joined by LF.

    Tables are rendered in place (see :func:`_table_lines`).  Tracked changes
    are read as accepted: inserted text is kept, deleted and moved-away text
    left out, a paragraph whose end was deleted joins the next; when there are
    any, :data:`TRACKED_CHANGES_NOTE` is appended to ``notes``.  Comments,
    footnotes and text boxes are not part of the text.

    The package is first checked within the bounds of
    :mod:`bctcoder.corpus.safe_archive`.  Raises :class:`TranscriptError` when
    the file is not a readable docx package, :class:`LimitError` past a bound.
    """
    with SafeArchive(path, what=".docx file", error=TranscriptError) as archive:
        archive.verify_all()
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TranscriptError(f"not a valid .docx file ({exc})", source=str(path)) from exc
    body = document.element.body
    lines: list[str] = []
    pending = ""  # the text of paragraphs whose end was deleted, waiting for the next paragraph
    for block in _docx_blocks(body, document):
        if isinstance(block, Paragraph):
            text = pending + _docx_inline_text(block._p)
            if _docx_mark_deleted(block._p):
                pending = text
                continue
            lines.append(text)
        else:
            if pending:
                lines.append(pending)
            lines.extend(_table_lines(block))
        pending = ""
    if pending:
        lines.append(pending)
    if notes is not None and next(body.iter(*_DOCX_TRACKED), None) is not None:
        notes.append(TRACKED_CHANGES_NOTE)
    return "\n".join(lines)


def _odt_spaces(element: etree._Element, source: str) -> str:
    """The spaces of a ``text:s``: ``text:c`` (default 1) is a whole number up to :data:`MAX_ODT_SPACES`."""
    value = element.get(f"{{{_TEXT}}}c")
    if value is None or not value.strip():
        return " "
    where = f"content.xml line {element.sourceline}" if element.sourceline else "content.xml"
    shown = value if len(value) <= 20 else value[:20] + "…"
    if not (value.strip().isascii() and value.strip().isdigit()):
        raise TranscriptError(f"not a valid .odt file ({where}: text:s has text:c={shown!r}; expected a whole "
                              "number of spaces)", source=source)
    digits = value.strip().lstrip("0") or "0"
    count = int(digits) if len(digits) <= len(str(MAX_ODT_SPACES)) else MAX_ODT_SPACES + 1
    if count > MAX_ODT_SPACES:
        raise TranscriptError(f"not a valid .odt file ({where}: text:s asks for {shown} spaces with text:c; at most "
                              f"{MAX_ODT_SPACES:,} are accepted)", source=source)
    return " " * count


def _odt_inline_text(element: etree._Element, source: str) -> str:
    """Return the text of an ODF paragraph, honouring text:s, text:tab and text:line-break."""
    parts = [_XML_WHITESPACE.sub(" ", element.text or "")]
    for child in element:
        tag = child.tag
        if tag == f"{{{_TEXT}}}s":
            parts.append(_odt_spaces(child, source))
        elif tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        elif isinstance(tag, str) and tag not in _ODT_SKIPPED:
            parts.append(_odt_inline_text(child, source))
        parts.append(_XML_WHITESPACE.sub(" ", child.tail or ""))
    return "".join(parts)


def _odt_is_running_text(paragraph: etree._Element) -> bool:
    return not any(
        ancestor.tag in _ODT_SKIPPED and ancestor.tag not in _ODT_PARAGRAPHS
        for ancestor in paragraph.iterancestors()
    )


def odt_text(path: Path) -> str:
    """Return the text of an .odt file: text:p and text:h paragraphs joined by LF.

    Comments, notes, tracked deletions and frame contents are left out.
    ``content.xml`` is read within the bounds of :mod:`bctcoder.corpus.safe_archive`.
    Raises :class:`TranscriptError` when the file is not a readable ODF package
    (or asks for an absurd run of spaces), :class:`LimitError` past a bound.
    """
    source = str(path)
    with SafeArchive(path, what=".odt file", error=TranscriptError) as archive:
        if "content.xml" not in archive.names:
            raise TranscriptError("not a valid .odt file (no content.xml inside)", source=source)
        data = archive.read("content.xml")
    root = xml_root(data, what="not a valid .odt file (content.xml)", source=source, error=TranscriptError)
    body = root.find(f"{{{_OFFICE}}}body")
    if body is None:
        raise TranscriptError("not a valid .odt file (no office:body)", source=source)
    return "\n".join(
        _odt_inline_text(paragraph, source).strip(" ")
        for paragraph in body.iter(*_ODT_PARAGRAPHS)
        if _odt_is_running_text(paragraph)
    )
