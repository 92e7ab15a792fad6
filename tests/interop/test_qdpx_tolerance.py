"""REFI-QDA project import: what real tools write (deviant files) and clean errors for broken files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from bctcoder.errors import BctcoderError, InputError
from bctcoder.interop.refi import project_import
from bctcoder.interop.refi.project_file import export_qdpx, import_qdpx
from bctcoder.store.models import Case, Code, Document, Event, Partnership, Presence
from bctcoder.taxonomy.service import get_meta

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "refi" / "Project.xsd"
ALICE = "{AAAAAAAA-0000-4000-8000-000000000001}"
GHOST = "BBBBBBBB-0000-4000-8000-000000000099"

# A source as a Windows tool stores it: CRLF, trailing spaces, trailing blank lines.
RAW_A = "Interviewer: Hello there\r\nAlice: I felt supported by my peer 😀 e\u0301\r\nAlice: she listened  \r\n\r\n"
EMBEDDED_B = "Line one\r\nשלום עולם and more\r\nlast"


def g(n: int, braces: bool = True, upper: bool = True) -> str:
    text = f"{n:08x}-1111-4111-8111-111111111111"
    text = text.upper() if upper else text
    return "{" + text + "}" if braces else text


def span(raw: str, quote: str) -> tuple[int, int]:
    start = raw.index(quote)
    return start, start + len(quote)


def write_qdpx(path: Path, qde: str, files: dict[str, str | bytes], inner: str = "project.qde") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(inner, qde.encode("utf-8"))
        for name, data in files.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def tool_like_qde() -> str:
    """What other tools write: braced upper-case GUIDs, no colours, memos as descriptions, source variables..."""
    a_sup, a_lis, a_hel = span(RAW_A, "supported by my peer 😀 e\u0301"), span(RAW_A, "she listened"), span(
        RAW_A, "Hello")
    b_sel = span(EMBEDDED_B, "שלום עולם")
    embedded = EMBEDDED_B.replace("\r", "&#13;")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Field study" origin="SomeTool 12">
  <Users><User guid="{ALICE}" name="Alice"/></Users>
  <CodeBook><Codes>
    <Code guid="{g(1)}" name="Support" isCodable="false">
      <Code guid="{g(2)}" name="3.1" isCodable="true"/>
      <Code guid="{g(3)}" name="Social support (emotional)" isCodable="true"><Description>feelings</Description></Code>
    </Code>
    <Code guid="{g(4)}" name="Peer stuff" isCodable="true" color="#ABC">
      <Description>all things peer</Description>
      <Code guid="{g(5)}" name="Lived experience" isCodable="true"/>
    </Code>
    <Code guid="{g(6)}" name="18.1 Something new" isCodable="true"/>
    <Code guid="{g(7)}" name="3 Social support" isCodable="false"/>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{g(20)}" name="Gender" typeOfVariable="Text"/>
    <Variable guid="{g(21)}" name="Age" typeOfVariable="Integer"/>
  </Variables>
  <Sources>
    <TextSource guid="{g(30)}" name="Interview A.docx" plainTextPath="internal://{g(30, braces=False)}.txt"
                creatingUser="{ALICE}" creationDateTime="2023-05-01T10:00:00+02:00">
      <Description>Interview done at home</Description>
      <PlainTextSelection guid="{g(31)}" startPosition="{a_sup[0]}" endPosition="{a_sup[1]}" creatingUser="{ALICE}">
        <Description>good example</Description>
        <Coding guid="{g(32)}" creatingUser="{ALICE}" creationDateTime="2023-05-02T09:30:00Z">
          <CodeRef targetGUID="{g(2, braces=False, upper=False)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g(33)}" startPosition="{a_lis[0]}" endPosition="{a_lis[1]}" creatingUser="{GHOST}">
        <Coding guid="{g(34)}" creatingUser="{GHOST}"><CodeRef targetGUID="{g(3)}"/></Coding>
        <Coding guid="{g(35)}" creatingUser="{GHOST}"><CodeRef targetGUID="{g(7)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g(36)}" startPosition="{a_hel[0]}" endPosition="{a_hel[1]}">
        <Coding guid="{g(37)}"><CodeRef targetGUID="{g(5)}"/></Coding>
        <Coding guid="{g(38)}"><CodeRef targetGUID="{g(6)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g(39)}" startPosition="5" endPosition="999">
        <Coding guid="{g(40)}"><CodeRef targetGUID="{g(2)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g(41)}" startPosition="{len(RAW_A) - 3}" endPosition="{len(RAW_A)}">
        <Coding guid="{g(42)}"><CodeRef targetGUID="{g(2)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{g(43)}" startPosition="0" endPosition="3">
        <Coding guid="{g(44)}"><CodeRef targetGUID="{g(98)}"/></Coding>
      </PlainTextSelection>
      <VariableValue><VariableRef targetGUID="{g(20)}"/><TextValue>Woman</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{g(21)}"/><IntegerValue>34</IntegerValue></VariableValue>
    </TextSource>
    <TextSource guid="{g(50)}" name="B">
      <PlainTextContent>{embedded}</PlainTextContent>
      <PlainTextSelection guid="{g(51)}" startPosition="{b_sel[0]}" endPosition="{b_sel[1]}" creatingUser="{ALICE}">
        <Coding guid="{g(52)}" creatingUser="{ALICE}"><CodeRef targetGUID="{g(4)}"/>
          <NoteRef targetGUID="{g(60)}"/></Coding>
      </PlainTextSelection>
      <Coding guid="{g(53)}" creatingUser="{ALICE}"><CodeRef targetGUID="{g(2)}"/></Coding>
    </TextSource>
    <PDFSource guid="{g(55)}" name="scan.pdf" path="internal://scan.pdf"/>
  </Sources>
  <Notes>
    <Note guid="{g(60)}" name="memo"><PlainTextContent>Hebrew greeting</PlainTextContent></Note>
    <Note guid="{g(61)}" name="loose"><PlainTextContent>not attached</PlainTextContent></Note>
  </Notes>
</Project>
"""


def import_file(project, path: Path, **kwargs) -> dict:
    with project.transaction() as s:
        return import_qdpx(s, path, user="tester", **kwargs)


def reasons(entries: list[dict]) -> str:
    return "\n".join(f"{e['item']}: {e['reason']}" for e in entries)


def test_tool_like_qdpx(project, tmp_path):
    path = write_qdpx(tmp_path / "field.qdpx", tool_like_qde(), {f"Sources/{g(30, braces=False)}.txt": RAW_A},
                      inner="Field Study/My Study.qde")
    report = import_file(project, path)
    frame = project.codings().sort_values(["document", "start", "code"])
    quotes = {(r.document, r.code, r.coder): r.quote for r in frame.itertuples()}
    assert quotes[("Interview A", "3.1", "Alice")] == "supported by my peer 😀 e\u0301"
    assert quotes[("Interview A", "3.3", f"unknown ({GHOST.lower()})")] == "she listened"
    assert quotes[("Interview A", "Lived experience", "unknown")] == "Hello"
    assert quotes[("Interview A", "Something new (18.1)", "unknown")] == "Hello"
    assert quotes[("Interview A", "3 Social support", f"unknown ({GHOST.lower()})")] == "she listened"
    assert quotes[("B", "Peer stuff", "Alice")] == "שלום עולם"
    text = project.document_text("Interview A")
    assert "\r" not in text and text.endswith("she listened")
    row = frame[(frame["code"] == "3.1")].iloc[0]
    assert row["memo"] == "good example" and row["created_at"] == "2023-05-02T09:30:00"
    assert frame[frame["document"] == "B"].iloc[0]["memo"] == "Hebrew greeting"
    with project.reading() as s:
        doc = s.scalar(select(Document).where(Document.name == "Interview A"))
        assert doc.memo == "Interview done at home" and doc.case.key == "Interview A"
        assert doc.imported_at.isoformat() == "2023-05-01T08:00:00"
        assert doc.case.role == "unknown" and "unknown" in get_meta(s, "roles")
        peer = s.scalar(select(Code).where(Code.label == "Peer stuff"))
        child = s.scalar(select(Code).where(Code.label == "Lived experience"))
        assert child.parent_id == peer.id and peer.colour == "#ABC" and peer.description == "all things peer"
        assert s.scalar(select(func.count()).select_from(Presence).where(Presence.scope == "document")) == 1
    cases = project.cases().set_index("case")
    assert cases.loc["Interview A", "Gender"] == "Woman" and cases.loc["Interview A", "Age"] == "34"
    mapping = {m["code"]: (m["how"], m["mapped_to"]) for m in report["code_mapping"]}
    assert mapping["3.1"] == ("technique number", "3.1")
    assert mapping["Social support (emotional)"] == ("technique label", "3.3")
    assert mapping["Support"][1] is None and mapping["18.1 Something new"][1] == "Something new (18.1)"
    skipped, warnings = reasons(report["skipped"]), reasons(report["warnings"])
    assert "PDFSource sources are not supported" in skipped
    assert "outside the text (0-" in skipped and "only line ends or trailing spaces" in skipped
    assert "is not in the codebook" in skipped and "not attached" in skipped
    assert "offsets re-based" in warnings and "unknown user" in warnings and "no technique 18.1" in warnings
    assert "a taxonomy group was used for codings" in warnings
    assert report["counts"]["codings"] == 6 and report["counts"]["documents"] == 2


def bare_qde(source_ref: str) -> str:
    """A bare .qde: no namespace, unbraced lower-case GUIDs, cases with roles, links, sets, bad values."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="bare">
  <CodeBook><Codes><Code guid="{g(1, False, False)}" name="1.1 Goal setting (behavior)" isCodable="true"/></Codes>
  </CodeBook>
  <Variables>
    <Variable guid="{g(20, False, False)}" name="Role" typeOfVariable="Text"/>
    <Variable guid="{g(21, False, False)}" name="age" typeOfVariable="Integer"/>
    <Variable guid="{g(22, False, False)}" name="seen" typeOfVariable="DateTime"/>
  </Variables>
  <Cases>
    <Case guid="{g(10, False, False)}" name="Carer1">
      <Description>a carer</Description>
      <CodeRef targetGUID="{g(1, False, False)}"/>
      <VariableValue><VariableRef targetGUID="{g(20, False, False)}"/><TextValue>Carer</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{g(21, False, False)}"/><IntegerValue>abc</IntegerValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{g(22, False, False)}"/>
        <DateTimeValue>2024-01-01T10:00:00Z</DateTimeValue></VariableValue>
      <SourceRef targetGUID="{g(30, False, False)}"/>
    </Case>
    <Case guid="{g(11, False, False)}" name="Peer1">
      <VariableValue><VariableRef targetGUID="{g(20, False, False)}"/><TextValue>peer worker</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{g(21, False, False)}"/><TextValue>N/A</TextValue></VariableValue>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{g(30, False, False)}" name="carer talk" plainTextPath="{source_ref}">
      <PlainTextSelection guid="{g(31, False, False)}" startPosition="0" endPosition="4">
        <Coding guid="{g(32, False, False)}"><CodeRef targetGUID="{g(1, False, False)}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Links><Link guid="{g(40, False, False)}" name="dyad 1" originGUID="{g(11, False, False)}"
               targetGUID="{g(10, False, False)}"/>
         <Link guid="{g(41, False, False)}" name="code link" originGUID="{g(1, False, False)}"
               targetGUID="{g(10, False, False)}"/></Links>
  <Sets><Set guid="{g(50, False, False)}" name="carers"><MemberSource targetGUID="{g(30, False, False)}"/></Set>
        <Set guid="{g(51, False, False)}" name="codes only"><MemberCode targetGUID="{g(1, False, False)}"/></Set></Sets>
</Project>
"""


def test_bare_qde_with_relative_source(project, tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "c.txt").write_bytes("\ufeffGoal: walk daily\r\n".encode("utf-8"))
    path = tmp_path / "bare.qde"
    path.write_text(bare_qde("relative://texts/c.txt"), encoding="utf-8")
    report = import_file(project, path)
    frame = project.codings()
    assert list(frame["quote"]) == ["Goal"] and list(frame["code"]) == ["1.1"]
    cases = project.cases().set_index("case")
    assert cases.loc["Carer1", "role"] == "Carer" and cases.loc["Peer1", "role"] == "PW"
    assert cases.loc["Peer1", "age"] == "declined" and cases.loc["Carer1", "seen"] == "2024-01-01T10:00:00Z"
    assert project.partnerships() == [{"first": "Peer1", "second": "Carer1", "label": "dyad 1"}]
    assert project.case_sets() == [{"name": "carers", "description": None, "cases": ["Carer1"]}]
    assert project.roles["Carer"] == "Carer"
    with project.reading() as s:
        assert s.scalar(select(Case.memo).where(Case.key == "Carer1")) == "a carer"
        assert s.scalar(select(Presence.target).where(Presence.scope == "case")) == "Carer1"
    skipped = reasons(report["skipped"])
    assert "age = 'abc'" in skipped and "code link" in skipped and "sets of codes" in skipped


def test_bare_qde_resolves_plain_and_internal_paths(project, tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "c.txt").write_text("Goal: run\n", encoding="utf-8")
    path = tmp_path / "bare.qde"
    path.write_text(bare_qde("internal://c.txt"), encoding="utf-8")
    import_file(project, path)
    assert project.document_text("carer talk") == "Goal: run"


def unchanged(project):
    with project.reading() as s:
        return project.info(), s.scalar(select(func.count()).select_from(Event))


@pytest.mark.parametrize("kind", ["corrupt zip", "truncated zip", "not xml", "wrong root", "no qde",
                                  "two qde", "missing source", "empty", "no file"])
def test_broken_files_are_clean_errors_and_store_nothing(project, tmp_path, kind):
    path = tmp_path / "broken.qdpx"
    good = write_qdpx(tmp_path / "good.qdpx", tool_like_qde(), {f"sources/{g(30, braces=False)}.txt": RAW_A})
    if kind == "corrupt zip":
        path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    elif kind == "truncated zip":
        data = good.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "not xml":
        path = tmp_path / "broken.qde"
        path.write_text("this is not XML at all", encoding="utf-8")
    elif kind == "wrong root":
        path = tmp_path / "broken.qde"
        path.write_text("<html><body/></html>", encoding="utf-8")
    elif kind == "no qde":
        write_qdpx(path, "x", {}, inner="readme.txt")
    elif kind == "two qde":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.qde", tool_like_qde())
            archive.writestr("b.qde", tool_like_qde())
    elif kind == "missing source":
        write_qdpx(path, tool_like_qde(), {})
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path = tmp_path / "absent.qdpx"
    before = unchanged(project)
    with pytest.raises(InputError) as caught:
        import_file(project, path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
    if kind == "missing source":
        assert f"{g(30, braces=False)}.txt" in str(caught.value)
    assert unchanged(project) == before


def test_failure_half_way_rolls_everything_back(project, tmp_path, monkeypatch):
    path = write_qdpx(tmp_path / "field.qdpx", tool_like_qde(), {f"sources/{g(30, braces=False)}.txt": RAW_A})
    before = unchanged(project)

    def boom(self):
        raise BctcoderError("disk full")

    monkeypatch.setattr(project_import._Importer, "import_links", boom)
    with pytest.raises(BctcoderError, match="disk full"):
        import_file(project, path)
    assert unchanged(project) == before


def test_imported_tool_file_exports_valid_qdpx(project, tmp_path):
    path = write_qdpx(tmp_path / "field.qdpx", tool_like_qde(), {f"sources/{g(30, braces=False)}.txt": RAW_A})
    import_file(project, path)
    out = tmp_path / "out.qdpx"
    with project.reading() as s:
        summary = export_qdpx(s, out, user="tester")
    assert summary["codings"] == 6 and summary["document_presence"] == 1
    if not SCHEMA.is_file():
        pytest.skip(f"REFI-QDA schema {SCHEMA} is absent (only in the team's checkout)")
    with zipfile.ZipFile(out) as archive:
        document = etree.fromstring(archive.read("project.qde"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(document), schema.error_log


def test_selected_qde_among_several_and_braced_export_guids(project, tmp_path):
    path = tmp_path / "two.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", tool_like_qde())
        archive.writestr("backup/old.qde", "<Project name='old'/>")
        archive.writestr(f"sources/{g(30, braces=False)}.txt", RAW_A)
    report = import_file(project, path)
    assert report["project_name"] == "Field study" and report["counts"]["documents"] == 2
    out = tmp_path / "again.qdpx"
    with project.reading() as s:
        export_qdpx(s, out, user="tester")
    with zipfile.ZipFile(out) as archive:
        assert "{" not in archive.read("project.qde").decode("utf-8").split("<Sources>")[1].split(">")[0]


def test_partnership_links_and_duplicate_partnerships_are_not_doubled(project, tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "c.txt").write_text("Goal: walk daily", encoding="utf-8")
    path = tmp_path / "bare.qde"
    path.write_text(bare_qde("relative://texts/c.txt"), encoding="utf-8")
    import_file(project, path)
    second = import_file(project, path)
    with project.reading() as s:
        assert s.scalar(select(func.count()).select_from(Partnership)) == 1
    assert second["counts"]["cases_merged"] == 2
    assert second["counts"]["documents_matched"] >= 1 and "duplicate of a coding" in reasons(second["skipped"])
    assert "a case set with this name" in reasons(second["skipped"])
