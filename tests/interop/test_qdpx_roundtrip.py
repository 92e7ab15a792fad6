"""REFI-QDA project export (.qdpx): schema validity, determinism, and export → import → export round trips."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from bctcoder.coding.service import coding_rows
from bctcoder.errors import InputError
from bctcoder.interop.refi.project_file import export_qdpx, import_qdpx, report_lines
from bctcoder.participants.cases import case_rows
from bctcoder.project import Project
from bctcoder.store.models import Attribute, Case, CaseSet, CaseSetMember, Code, Coder, Document, Presence
from bctcoder.taxonomy.service import add_inductive_code, get_meta

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "refi" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


def validate(qde: bytes) -> None:
    """Validate a project.qde against the REFI-QDA Project.xsd (skips when ../shared is absent)."""
    if not SCHEMA.is_file():
        pytest.skip(f"REFI-QDA schema {SCHEMA} is absent (only in the team's checkout)")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(qde)
    assert schema.validate(document), "\n".join(str(e) for e in schema.error_log)


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def without_times(qde: bytes) -> bytes:
    """The .qde without the export time (the root's creationDateTime)."""
    root = etree.fromstring(qde)
    root.attrib.pop("creationDateTime", None)
    return etree.tostring(root)


def export(project: Project, path: Path, **kwargs) -> dict:
    with project.reading() as s:
        return export_qdpx(s, path, user=project.user, **kwargs)


def import_file(project: Project, path: Path, **kwargs) -> dict:
    with project.transaction() as s:
        return import_qdpx(s, path, user=project.user, **kwargs)


def snapshot(project: Project) -> dict:
    """Everything a round trip must keep, independent of database ids."""
    with project.reading() as s:
        codings = sorted(
            (r["document"], r["start"], r["end"], r["code"], r["coder"], r["origin"], r["confidence"], r["model"],
             r["memo"], r["exemplar"], r["quote"], r["case"], r["created_at"])
            for r in coding_rows(s))
        inductive = sorted((c.label, c.description, c.colour, s.get(Code, c.parent_id).label if c.parent_id else None)
                           for c in s.scalars(select(Code).where(Code.kind == "inductive")))
        attributes = sorted((a.name, a.type) for a in s.scalars(select(Attribute)))
        cases = sorted((c.key, c.role, c.memo) for c in s.scalars(select(Case)))
        documents = sorted((d.name, d.text, d.sha256, d.memo, d.case.key if d.case else None)
                           for d in s.scalars(select(Document)))
        presence = sorted((p.code.number or p.code.label, p.scope, p.target, p.coder.name if p.coder else None)
                          for p in s.scalars(select(Presence)))
        return {
            "techniques_used": sorted({row[3] for row in codings}),
            "codings": codings,
            "coders": sorted(s.scalars(select(Coder.name))),
            "cases": sorted(case_rows(s), key=lambda r: r["case"]),
            "case_facts": cases,
            "attributes": attributes,
            "documents": documents,
            "inductive": inductive,
            "partnerships": sorted((p["first"], p["second"], p["label"]) for p in project.partnerships()),
            "sets": project.case_sets(),
            "presence": presence,
            "roles": get_meta(s, "roles"),
        }


def enrich(project: Project) -> None:
    """Add to the demo what it lacks: every origin, typed and declined values, memos, sets, presence, nesting."""
    project.add_coding("Demo_PW1", 10, 40, "17.1", coder="consensus", origin="consensus",
                       memo="agreed 😀\r\nsecond line")
    project.add_coding("Demo_PW1", 12, 30, "3.1", coder="model-x", origin="rejected", confidence=0.25, model="m1")
    project.add_coding("Demo_SP1", 0, 5, "3.1", coder="coder_a", origin="accepted", confidence=0.9, exemplar=True)
    project.add_coding("Demo_SP1", 0, 5, "3.1", coder="coder_a", origin="accepted", confidence=0.9, exemplar=True)
    project.add_role("Carer", "Family carer")
    with project.transaction() as s:
        s.add(Case(key="Demo_C1", role="Carer"))
        parent = add_inductive_code(s, "Peer identity", "Being seen as a peer", colour="#123456")
        child = add_inductive_code(s, "Shared diagnosis", None, parent="Peer identity")
        assert child.parent_id == parent.id
        for name, type_ in (("age", "integer"), ("score", "number"), ("consented", "boolean"),
                            ("interviewed", "date")):
            s.add(Attribute(name=name, type=type_, position=10))
        s.flush()
        extra = Case(key="Demo_PW9", role="PW", memo="withdrew before interview")
        s.add(extra)
        s.flush()
        pw1 = s.scalar(select(Case).where(Case.key == "Demo_PW1"))
        pw1.memo = "first case; memo with <xml> & ünïcode"
        doc = s.scalar(select(Document).where(Document.name == "Demo_SP2"))
        doc.memo = "noisy recording"
        rich = CaseSet(name="rich", description="coded richly")
        s.add(rich)
        s.flush()
        s.add_all([CaseSetMember(set_id=rich.id, case_id=pw1.id)])
        tech = s.scalar(select(Code).where(Code.number == "6.2"))
        coder = s.scalar(select(Coder).where(Coder.name == "coder_b"))
        s.add(Presence(code_id=tech.id, scope="document", target="Demo_SP3", coder_id=coder.id, present=True))
        s.add(Presence(code_id=tech.id, scope="case", target="Demo_PW2", coder_id=None, present=True))
        s.flush()
    project.add_coding("Demo_SP2", 3, 9, "Shared diagnosis", coder="coder_b", memo="child code")
    for case, values in {"Demo_PW1": ("41", "12.5", "yes", "2021-03-04"),
                         "Demo_PW2": ("declined", "0.00001", "no", ""),
                         "Demo_PW9": ("", "-3", "declined", "2020-01-01")}.items():
        for attr, value in zip(("age", "score", "consented", "interviewed"), values):
            project.set_case_value(case, attr, value)


def test_demo_export_validates_and_is_deterministic(demo, tmp_path):
    first, second = tmp_path / "a" / "study.qdpx", tmp_path / "b" / "study.qdpx"
    first.parent.mkdir()
    second.parent.mkdir()
    summary = export(demo, first)
    export(demo, second)
    qde = qde_of(first)
    validate(qde)
    assert without_times(qde) == without_times(qde_of(second))
    assert summary["sources"] == 8 and summary["cases"] == 8 and summary["techniques"] == 98
    assert summary["codings"] == len(demo.codings(as_coder=None))
    assert not list(tmp_path.glob("**/*.part"))
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        root = etree.fromstring(archive.read("project.qde"))
        for source in root.iterfind(".//q:TextSource", NS):
            path = source.get("plainTextPath")
            assert path == f"internal://{source.get('guid')}.txt"
            text = archive.read("sources/" + path.removeprefix("internal://")).decode("utf-8")
            assert text == demo.document_text(source.get("name"))
    assert "project.qde" in names and sum(n.startswith("sources/") for n in names) == 8
    groups = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert all(g.get("isCodable") == "false" and re.fullmatch(r"#[0-9A-F]{6}", g.get("color"))
               for g in groups if g.get("name")[0].isdigit())
    names = {c.get("name") for c in root.iterfind(".//q:Code", NS)}
    assert "3.1 Social support (unspecified)" in names and "17 Relational aspects" in names


def test_round_trip_keeps_the_project(demo, tmp_path):
    enrich(demo)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = export(demo, tmp_path / "one" / "study.qdpx")
    validate(qde_of(tmp_path / "one" / "study.qdpx"))
    assert first["document_presence"] == 1 and first["case_presence"] == 1
    assert first["not_exported"] == []
    fresh = Project.create(tmp_path / "fresh.bctcoder", user="tester")
    try:
        report = import_file(fresh, tmp_path / "one" / "study.qdpx")
        assert report["skipped"] == [], report["skipped"]
        assert report["counts"]["documents"] == 8 and report["counts"]["cases_created"] == 10
        assert snapshot(fresh) == snapshot(demo)
        assert fresh.roles["Carer"] == "Family carer"
        export(fresh, tmp_path / "two" / "study.qdpx")
        assert without_times(qde_of(tmp_path / "one" / "study.qdpx")) == without_times(
            qde_of(tmp_path / "two" / "study.qdpx"))
        events = fresh.events(action="project.import_qdpx")
        assert len(events) == 1 and events[0]["payload"]["codings"] == report["counts"]["codings"]
        assert report_lines(report)[0].startswith("Imported ")
    finally:
        fresh.close()


def test_metadata_and_values_in_the_file(demo, tmp_path):
    enrich(demo)
    export(demo, tmp_path / "s.qdpx")
    root = etree.fromstring(qde_of(tmp_path / "s.qdpx"))
    descriptions = [d.text for d in root.iterfind(".//q:PlainTextSelection/q:Description", NS)]
    meta = [json.loads(d.removeprefix("bctcoder ")) for d in descriptions]
    assert {"origin": "consensus"} in meta
    assert {"origin": "rejected", "confidence": 0.25, "model": "m1"} in meta
    variables = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind(".//q:Variable", NS)}
    assert variables["role"] == "Text" and variables["age"] == "Integer" and variables["score"] == "Float"
    assert variables["consented"] == "Boolean" and variables["interviewed"] == "Date"
    pw2 = root.find(".//q:Case[@name='Demo_PW2']", NS)
    values = [etree.QName(v[1]).localname + "=" + v[1].text for v in pw2.iterfind("q:VariableValue", NS)]
    assert "TextValue=declined" in values and "FloatValue=0.00001" in values and "BooleanValue=false" in values
    assert root.find(".//q:Case[@name='Demo_PW1']/q:Description", NS).text.startswith("first case")
    notes = {n.find("q:PlainTextContent", NS).text for n in root.iterfind(".//q:Note", NS)}
    assert "agreed 😀\r\nsecond line" in notes and "noisy recording" in notes
    link = root.find(".//q:Link", NS)
    assert link.get("originGUID") == root.find(".//q:Case[@name='Demo_PW1']", NS).get("guid")
    rich = root.find(".//q:Set[@name='rich']", NS)
    assert [m.get("targetGUID") for m in rich.iterfind("q:MemberSource", NS)] == [
        root.find(".//q:TextSource[@name='Demo_PW1']", NS).get("guid")]


def test_origin_filter_and_set_member_without_document(demo, tmp_path):
    enrich(demo)
    with demo.transaction() as s:
        rich = s.scalar(select(CaseSet).where(CaseSet.name == "rich"))
        extra = s.scalar(select(Case).where(Case.key == "Demo_PW9"))
        s.add(CaseSetMember(set_id=rich.id, case_id=extra.id))
    summary = export(demo, tmp_path / "counting.qdpx", origins=("manual", "accepted", "consensus"))
    assert summary["codings"] == len(demo.codings(origins=("manual", "accepted", "consensus")))
    assert any("Demo_PW9" in e["item"] for e in summary["not_exported"])
    validate(qde_of(tmp_path / "counting.qdpx"))


def test_import_into_the_same_project_skips_duplicates(demo, tmp_path):
    export(demo, tmp_path / "s.qdpx")
    before = demo.info()
    report = import_file(demo, tmp_path / "s.qdpx")
    after = demo.info()
    assert after["documents"] == before["documents"] and after["codings"] == before["codings"]
    assert [m["matched_by"] for m in report["documents_matched"]] == ["same text"] * 8
    assert report["counts"]["codings"] == 0 and report["counts"]["documents"] == 0
    assert sum("duplicate of a coding" in e["reason"] for e in report["skipped"]) == before["codings"]
    assert report["counts"]["cases_merged"] == 8


def test_export_to_missing_folder_is_an_input_error(demo, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        export(demo, tmp_path / "nowhere" / "s.qdpx")


def test_taxonomy_match_off_creates_inductive_codes(demo, tmp_path):
    export(demo, tmp_path / "s.qdpx")
    fresh = Project.create(tmp_path / "fresh.bctcoder", user="tester")
    try:
        report = import_file(fresh, tmp_path / "s.qdpx", taxonomy_match=False)
        hows = {m["how"] for m in report["code_mapping"]}
        assert "technique number" not in hows and "taxonomy group" not in hows
        frame = fresh.codings()
        assert set(frame["kind"]) == {"inductive"}
        assert "Social support (unspecified) (3.1)" in set(frame["code_label"]) | {
            c["label"] for c in fresh.codes()}
    finally:
        fresh.close()
