"""Property tests: code-point offsets and quotes survive REFI-QDA export → import, whatever the text.

Random Unicode (emoji, combining marks, right-to-left scripts, line separators), CRLF, lone CR and
trailing spaces in the files other tools write: every quote is found again after import.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from bctcoder.coding.service import coding_rows, get_coder
from bctcoder.corpus.parsing import parse_text
from bctcoder.corpus.textnorm import normalize_text
from bctcoder.interop.refi.offsets import canonical_with_offsets
from bctcoder.interop.refi.project_file import export_qdpx, import_qdpx
from bctcoder.project import Project
from bctcoder.store.models import ORIGINS, Code, Coding, Document
from bctcoder.taxonomy.service import add_inductive_code

_SAMPLES = ["😀", "👍🏽", "👩‍👩‍👧", "e\u0301", "a\u0308\u0323", "مرحبا", "שלום", "\u200f", "\u200e", "\u2028",
            "\t", " ", "x", "10:30", "Interviewer:", "PW1:"]
_CHARS = st.characters(exclude_categories=["Cs", "Cc", "Cn"], include_characters="\t")
LINES = st.lists(st.one_of(st.text(_CHARS, max_size=12), st.lists(st.sampled_from(_SAMPLES), max_size=6).map("".join)),
                 min_size=1, max_size=6)
NEWLINES = st.sampled_from(["\n", "\r\n", "\r\n", "\r"])
MEMOS = st.one_of(st.none(), st.text(_CHARS, min_size=1, max_size=20).filter(str.strip),
                  st.just("two\r\nlines 😀"))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.bctcoder"
    Project.create(path, user="tester").close()
    return path


def copy_of(template: Path, folder: Path, name: str) -> Project:
    target = folder / name
    shutil.copy(template, target)
    return Project.open(target, user="tester")


@st.composite
def raw_texts(draw):
    lines = [line.rstrip() for line in draw(LINES)]
    if not any(line.strip() for line in lines):
        lines.append("x")
    while not lines[-1]:
        lines.pop()
    out = lines[0]
    for line in lines[1:]:
        out += draw(NEWLINES) + line
    return out


def spans(draw, length: int, max_size: int = 6) -> list[tuple[int, int]]:
    pairs = draw(st.lists(st.tuples(st.integers(0, length), st.integers(0, length)), max_size=max_size))
    return [(min(a, b), max(a, b)) for a, b in pairs if a != b]


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), texts=st.lists(raw_texts(), min_size=1, max_size=3))
def test_export_import_keeps_offsets_and_quotes(template, data, texts):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = copy_of(template, folder, "a.bctcoder")
        target = copy_of(template, folder, "b.bctcoder")
        try:
            with source.transaction() as s:
                add_inductive_code(s, "Inductive 😀 code", "desc \u05e9")
                codes = {c.number or c.label: c.id for c in s.scalars(select(Code).where(
                    Code.number.in_(["3.1", "17.1"]) | (Code.kind == "inductive")))}
                for i, raw in enumerate(texts):
                    transcript = parse_text(f"Doc{i}\n{raw}")
                    doc = Document(name=f"doc {i} \u05d0", text=transcript.text, sha256=transcript.sha256,
                                   source_format="txt", layout=transcript.layout)
                    s.add(doc)
                    s.flush()
                    for start, end in spans(data.draw, len(doc.text)):
                        coder = get_coder(s, data.draw(st.sampled_from(["a", "b\u0301", "consensus"])))
                        s.add(Coding(document_id=doc.id, start=start, end=end,
                                     code_id=codes[data.draw(st.sampled_from(sorted(codes)))], coder_id=coder.id,
                                     origin=data.draw(st.sampled_from(ORIGINS)),
                                     confidence=data.draw(st.one_of(st.none(), st.floats(0, 1))),
                                     memo=data.draw(MEMOS), exemplar=data.draw(st.booleans())))
            with source.reading() as s:
                export_qdpx(s, folder / "x.qdpx", user="tester")
            with target.transaction() as s:
                report = import_qdpx(s, folder / "x.qdpx", user="tester")
            assert report["skipped"] == []

            def rows(project):
                with project.reading() as s:
                    return sorted(((r["document"], r["start"], r["end"], r["quote"], r["code"], r["coder"],
                                   r["origin"], r["confidence"], r["memo"], r["exemplar"]) for r in coding_rows(s)),
                                  key=lambda row: tuple("" if v is None else str(v) for v in row))

            assert rows(target) == rows(source)
            for name in {r[0] for r in rows(source)}:
                assert target.document_text(name) == source.document_text(name)
        finally:
            source.close()
            target.close()


def tool_file(folder: Path, raw: str, selections: list[tuple[int, int]], embedded: bool) -> Path:
    """A .qdpx as another tool writes it: the raw text (CRLF...) and selections counted on it."""
    ns = "urn:QDA-XML:project:1.0"
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns}, name="tool")
    codes = etree.SubElement(etree.SubElement(root, f"{{{ns}}}CodeBook"), f"{{{ns}}}Codes")
    for i in range(len(selections)):
        etree.SubElement(codes, f"{{{ns}}}Code", guid=f"00000000-0000-4000-8000-{i:012d}", name=f"sel {i}",
                         isCodable="true")
    sources = etree.SubElement(root, f"{{{ns}}}Sources")
    guid = "11111111-0000-4000-8000-000000000000"
    attrs = {"guid": guid, "name": "raw"}
    if not embedded:
        attrs["plainTextPath"] = f"internal://{guid}.txt"
    source = etree.SubElement(sources, f"{{{ns}}}TextSource", attrs)
    if embedded:
        etree.SubElement(source, f"{{{ns}}}PlainTextContent").text = raw
    for i, (start, end) in enumerate(selections):
        sel = etree.SubElement(source, f"{{{ns}}}PlainTextSelection", guid=f"22222222-0000-4000-8000-{i:012d}",
                               startPosition=str(start), endPosition=str(end))
        coding = etree.SubElement(sel, f"{{{ns}}}Coding", guid=f"33333333-0000-4000-8000-{i:012d}")
        etree.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=f"00000000-0000-4000-8000-{i:012d}")
    path = folder / "tool.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("study/anything.qde", etree.tostring(root, xml_declaration=True, encoding="utf-8"))
        if not embedded:
            archive.writestr(f"sources/{guid}.txt", raw.encode("utf-8"))
    return path


def expected_quote(raw: str, start: int, end: int) -> str:
    """The canonical form of raw[start:end]: the CR of each CRLF dropped, a lone CR read as LF."""
    out = []
    for i in range(start, end):
        if raw[i] == "\r":
            if i + 1 < len(raw) and raw[i + 1] == "\n":
                continue
            out.append("\n")
        else:
            out.append(raw[i])
    return "".join(out)


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), raw=raw_texts(), embedded=st.booleans())
def test_crlf_sources_are_rebased(template, data, raw, embedded):
    selections = spans(data.draw, len(raw), max_size=8)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = copy_of(template, folder, "p.bctcoder")
        try:
            with project.transaction() as s:
                report = import_qdpx(s, tool_file(folder, raw, selections, embedded), user="tester")
            text = project.document_text("raw")
            assert text == normalize_text(raw)
            quotes = {r["code"]: r["quote"] for r in project.codings().to_dict("records")}
            for i, (start, end) in enumerate(selections):
                expected = expected_quote(raw, start, end)
                if expected:
                    assert quotes[f"sel {i}"] == expected
                else:
                    assert f"sel {i}" not in quotes
            assert len(report["skipped"]) == sum(1 for a, b in selections if not expected_quote(raw, a, b))
        finally:
            project.close()


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(st.sampled_from(list("ab \t\r\n\ufeff\u2028\x85é😀") + ["\u0301"]), max_size=40).map("".join),
       data=st.data())
def test_offset_map_matches_normalize_text(raw, data):
    mapped = canonical_with_offsets(raw)
    assert mapped.text == normalize_text(raw)
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    kept = "".join(c for i, c in enumerate(raw[start:end], start) if i not in set(mapped.removed))
    new = mapped.span(start, end)
    if new is None:
        assert kept == ""
    else:
        assert mapped.text[new[0]:new[1]] == kept.replace("\r", "\n")
