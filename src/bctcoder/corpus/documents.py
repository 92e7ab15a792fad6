"""Extracting paragraph text from word-processor files (docx, odt)."""

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


def _table_lines(table: Table) -> list[str]:
    """Render a table row by row.

    A row of two cells whose first cell is a short one-line label (a common
    speaker | utterance transcript table) becomes ``Label: utterance``; any
    other row contributes each cell's paragraphs as separate lines.
    """
    lines: list[str] = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:  # merged cells repeat; keep each once
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append("\n".join(p.text for p in cell.paragraphs).strip())
        label = cells[0] if len(cells) == 2 else ""
        if label and cells[1] and "\n" not in label and len(label) <= MAX_LABEL_CHARS:
            separator = " " if label.endswith((":", "\uff1a")) else ": "
            lines.append(f"{label}{separator}{cells[1]}")
        else:
            lines.extend(cell for cell in cells if cell)
    return lines


def docx_text(path: Path) -> str:
    """Return the text of a .docx file: its paragraphs in order joined by LF.

    Tables are rendered in place (see :func:`_table_lines`).  Raises
    :class:`TranscriptError` when the file is not a readable docx package.
    """
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise TranscriptError(f"not a valid .docx file ({exc})", source=str(path)) from exc
    lines: list[str] = []
    for block in _docx_blocks(document.element.body, document):
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.extend(_table_lines(block))
    return "\n".join(lines)


def _odt_inline_text(element: etree._Element) -> str:
    """Return the text of an ODF paragraph, honouring text:s, text:tab and text:line-break."""
    parts = [_XML_WHITESPACE.sub(" ", element.text or "")]
    for child in element:
        tag = child.tag
        if tag == f"{{{_TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1") or 1))
        elif tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        elif isinstance(tag, str) and tag not in _ODT_SKIPPED:
            parts.append(_odt_inline_text(child))
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
    Raises :class:`TranscriptError` when the file is not a readable ODF package.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(path) as package:
            root = etree.fromstring(package.read("content.xml"), parser)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise TranscriptError(f"not a valid .odt file ({exc})", source=str(path)) from exc
    body = root.find(f"{{{_OFFICE}}}body")
    if body is None:
        raise TranscriptError("not a valid .odt file (no office:body)", source=str(path))
    return "\n".join(
        _odt_inline_text(paragraph).strip(" ")
        for paragraph in body.iter(*_ODT_PARAGRAPHS)
        if _odt_is_running_text(paragraph)
    )
