"""REFI codebook (.qdc) export and import: schema, stable GUIDs, mapping of foreign codebooks."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import func, select

from bctcoder.errors import InputError
from bctcoder.interop.refi.codebook import CODEBOOK_NS, export_qdc, import_qdc, read_qdc
from bctcoder.interop.refi.guids import codebook_guid, normalise_guid
from bctcoder.project import Project
from bctcoder.store.models import Code
from bctcoder.taxonomy.service import add_inductive_code, find_code

SHARED = Path(__file__).resolve().parents[3] / "shared"
NS = {"c": CODEBOOK_NS}


@pytest.fixture
def schema() -> etree.XMLSchema:
    """The REFI Codebook 1.0 schema from ../shared (skips when absent)."""
    xsd = SHARED / "refi" / "Codebook.xsd"
    if not xsd.is_file():
        pytest.skip(f"REFI schema {xsd} is absent (only in the team's checkout)")
    return etree.XMLSchema(etree.parse(str(xsd)))


def _export(project: Project, path: Path) -> dict:
    with project.reading() as s:
        return export_qdc(s, path)


def _import(project: Project, path: Path, **kwargs) -> dict:
    with project.transaction() as s:
        return import_qdc(s, path, user="tester", **kwargs)


def _inductive(project: Project) -> dict[str, dict]:
    """Inductive codes by label: description, colour and parent label."""
    with project.reading() as s:
        codes = list(s.scalars(select(Code).where(Code.kind == "inductive")))
        by_id = {c.id: c for c in s.scalars(select(Code))}
        return {c.label: {"description": c.description, "colour": c.colour,
                          "parent": by_id[c.parent_id].label if c.parent_id else None} for c in codes}


def test_export_default_taxonomy_is_valid_and_complete(project, tmp_path, schema):
    result = _export(project, tmp_path / "book.qdc")
    assert result == {"path": str(tmp_path / "book.qdc"), "groups": 17, "techniques": 98, "inductive": 0}
    doc = etree.parse(str(tmp_path / "book.qdc"))
    schema.assertValid(doc)
    root = doc.getroot()
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook" and root.get("origin").startswith("bctcoder ")
    groups = root.findall("c:Codes/c:Code", NS)
    assert len(groups) == 17 and all(g.get("isCodable") == "false" for g in groups)
    assert groups[2].get("name") == "3 Social support"
    techniques = root.findall("c:Codes/c:Code/c:Code", NS)
    assert len(techniques) == 98 and all(t.get("isCodable") == "true" for t in techniques)
    assert techniques[0].get("name") == "1.1 Goal setting (behaviour)"
    assert all(re.fullmatch(r"\d+\.\d+ \S.*", t.get("name")) for t in techniques)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c.get("color")) for c in groups + techniques)
    assert all(t.findtext("c:Description", namespaces=NS) for t in techniques)
    social = {t.get("name"): t for t in groups[2]}
    assert social["3.1 Social support (unspecified)"].get("guid") == codebook_guid("code", "bcttv1", "3.1")
    assert groups[16].get("guid") == codebook_guid("group", "relational", "17")
    assert len({c.get("guid") for c in groups + techniques}) == 115
    assert not (tmp_path / "book.qdc.part").exists()


def test_guids_and_bytes_are_stable_across_exports_and_projects(project, tmp_path):
    _export(project, tmp_path / "one.qdc")
    _export(project, tmp_path / "two.qdc")
    other = Project.create(tmp_path / "other.bctcoder", user="tester")
    try:
        _export(other, tmp_path / "three.qdc")
    finally:
        other.close()
    first = (tmp_path / "one.qdc").read_bytes()
    assert first == (tmp_path / "two.qdc").read_bytes() == (tmp_path / "three.qdc").read_bytes()
    assert codebook_guid("code", "bcttv1", "3.1") == codebook_guid("code", "bcttv1", "3.1")
    assert codebook_guid("code", "bcttv1", "3.1") != codebook_guid("code", "bcttv1", "3.2")
    assert normalise_guid("{ABCDEF01-2345-6789-ABCD-EF0123456789}") == "abcdef01-2345-6789-abcd-ef0123456789"
    assert normalise_guid("not-a-guid") is None


def test_round_trip_into_fresh_project_maps_every_code_by_number(project, tmp_path):
    _export(project, tmp_path / "book.qdc")
    other = Project.create(tmp_path / "other.bctcoder", user="tester")
    try:
        before = other.techniques()
        report = _import(other, tmp_path / "book.qdc")
        assert report["created_inductive"] == 0 and report["skipped"] == []
        assert len(report["mapped"]) == 98 and {m["how"] for m in report["mapped"]} == {"number"}
        assert [m["code"] for m in report["mapped"]] == [t["id"] for t in before]
        assert other.techniques() == before
        assert other.events(action="codebook.import")[0]["payload"]["mapped"] == 98
    finally:
        other.close()


def test_export_nests_inductive_codes_and_marks_official_definitions(project, tmp_path, schema):
    with project.transaction() as s:
        add_inductive_code(s, "Hope", "Looking forward", colour="#abc")
        add_inductive_code(s, "Hope for recovery", parent="Hope")
        add_inductive_code(s, "Small steps", parent="Hope for recovery")
        tech = find_code(s, "3.1")
        tech.official_definition = "Advise on, arrange or provide social support"
        tech.definition_source = "BCTO 0000xx"
        add_inductive_code(s, "Peer contact").parent_id = tech.id
    result = _export(project, tmp_path / "book.qdc")
    assert result["inductive"] == 4
    doc = etree.parse(str(tmp_path / "book.qdc"))
    schema.assertValid(doc)
    hope = doc.find("c:Codes/c:Code[@name='Hope']", NS)
    assert hope.get("isCodable") == "true" and hope.get("color") == "#AABBCC"
    assert hope.get("guid") == codebook_guid("inductive", "Hope")
    assert hope.find("c:Code[@name='Hope for recovery']/c:Code[@name='Small steps']", NS) is not None
    social = doc.find("c:Codes/c:Code[@name='3 Social support']/c:Code[@name='3.1 Social support (unspecified)']",
                      NS)
    assert social.find("c:Code[@name='Peer contact']", NS) is not None
    text = social.findtext("c:Description", namespaces=NS)
    assert "Official definition (BCTO 0000xx): Advise on" in text

    other = Project.create(tmp_path / "other.bctcoder", user="tester")
    try:
        report = _import(other, tmp_path / "book.qdc")
        assert report["created_inductive"] == 4 and report["skipped"] == []
        codes = _inductive(other)
        assert codes["Hope"] == {"description": "Looking forward", "colour": "#AABBCC", "parent": None}
        assert codes["Small steps"]["parent"] == "Hope for recovery"
        assert codes["Peer contact"]["parent"] == "Social support (unspecified)"
        with other.reading() as s:
            assert find_code(s, "3.1").official_definition is None  # techniques are never changed
    finally:
        other.close()


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
  <Codes>
    <Code guid="{1F0E4C1A-0000-4000-8000-000000000001}" name="1 Goals and planning" isCodable="false">
      <Code guid="{1F0E4C1A-0000-4000-8000-000000000002}" name="Goal setting (behavior)" isCodable="true">
        <Description>Their own wording</Description>
      </Code>
    </Code>
    <Code guid="{1F0E4C1A-0000-4000-8000-000000000003}" name="BCT 3.1 social support" isCodable="true"/>
    <Code guid="1f0e4c1a-0000-4000-8000-000000000004" name="  social   SUPPORT (Emotional) " isCodable="true"/>
    <Code guid="{1F0E4C1A-0000-4000-8000-000000000005}" name="Hope" isCodable="true">
      <Description>Looking forward</Description>
      <Code guid="{1F0E4C1A-0000-4000-8000-000000000006}" name="Hope for recovery" isCodable="true">
        <Code guid="{1F0E4C1A-0000-4000-8000-000000000007}" name="Small steps" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="{1F0E4C1A-0000-4000-8000-000000000008}" name="Themes" isCodable="false">
      <Code guid="{1F0E4C1A-0000-4000-8000-000000000009}" name="Stigma" isCodable="true"/>
    </Code>
    <Code guid="{1F0E4C1A-0000-4000-8000-00000000000A}" name="Admin" isCodable="false">
      <Code guid="{1F0E4C1A-0000-4000-8000-00000000000B}" name="3.2: practical help" isCodable="true"/>
    </Code>
    <Code guid="{1F0E4C1A-0000-4000-8000-00000000000C}" name="Social support" isCodable="true">
      <Code guid="{1F0E4C1A-0000-4000-8000-00000000000D}" name="Restructuring the physical enviroment"
            isCodable="true"/>
    </Code>
    <Code guid="{1F0E4C1A-0000-4000-8000-00000000000E}" name="21.4 Something else" isCodable="true"/>
  </Codes>
</CodeBook>
"""


def test_foreign_codebook_mapping_report(project, tmp_path):
    path = tmp_path / "nvivo.qdc"
    path.write_text(FOREIGN, encoding="utf-8")
    before = project.techniques()
    report = _import(project, path)
    assert report["mapped"] == [
        {"name": "Goal setting (behavior)", "code": "1.1", "how": "label"},
        {"name": "BCT 3.1 social support", "code": "3.1", "how": "number"},
        {"name": "social   SUPPORT (Emotional)", "code": "3.3", "how": "label"},
        {"name": "Hope", "code": "Hope", "how": "inductive"},
        {"name": "Hope for recovery", "code": "Hope for recovery", "how": "inductive"},
        {"name": "Small steps", "code": "Small steps", "how": "inductive"},
        {"name": "Themes", "code": "Themes", "how": "inductive"},
        {"name": "Stigma", "code": "Stigma", "how": "inductive"},
        {"name": "3.2: practical help", "code": "3.2", "how": "number"},
        {"name": "Restructuring the physical enviroment", "code": "12.1", "how": "label"},
        {"name": "21.4 Something else", "code": "Something else (21.4)", "how": "inductive"},
    ]
    assert report["created_inductive"] == 6
    assert [s["item"] for s in report["skipped"]] == ["Admin", "Social support"]
    assert "taxonomy group 3" in report["skipped"][1]["reason"]
    codes = _inductive(project)
    assert codes["Hope"] == {"description": "Looking forward", "colour": None, "parent": None}
    assert codes["Small steps"]["parent"] == "Hope for recovery"
    assert codes["Hope for recovery"]["parent"] == "Hope"
    assert codes["Stigma"]["parent"] == "Themes"
    assert project.techniques() == before

    again = _import(project, path)  # nothing new the second time
    assert again["created_inductive"] == 0 and again["mapped"] == report["mapped"]


def test_import_without_creating_inductive_codes(project, tmp_path):
    path = tmp_path / "nvivo.qdc"
    path.write_text(FOREIGN, encoding="utf-8")
    report = _import(project, path, create_inductive=False)
    assert report["created_inductive"] == 0 and _inductive(project) == {}
    assert {m["how"] for m in report["mapped"]} == {"number", "label"}
    skipped = {s["item"]: s["reason"] for s in report["skipped"]}
    assert "turned off" in skipped["Hope"] and "Small steps" in skipped and "Themes" in skipped


def test_tolerant_reading(tmp_path):
    path = tmp_path / "bare.qdc"
    path.write_text('<CodeBook><Codes><Code name="A" color="#0f0"><Code name="B" isCodable="0" guid="x"/>'
                    "</Code></Codes></CodeBook>", encoding="utf-8")
    (code,) = read_qdc(path)
    assert (code.name, code.codable, code.colour, code.guid, code.description) == ("A", True, "#00FF00", None, None)
    assert (code.children[0].name, code.children[0].codable) == ("B", False)


@pytest.mark.parametrize("content, message", [
    (b"", "not well-formed XML"),
    (b"<CodeBook><Codes>", "not well-formed XML"),
    (b"just text", "not well-formed XML"),
    (b'<Project xmlns="urn:QDA-XML:project:1.0"/>', "REFI project"),
    (b"<Other/>", "root element is <Other>"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "no codes"),
    (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CodeBook><Codes><Code name="&e;"/></Codes></CodeBook>',
     "not well-formed XML"),
])
def test_bad_files_raise_input_error_and_change_nothing(project, tmp_path, content, message):
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    with project.reading() as s:
        count = s.scalar(select(func.count()).select_from(Code))
    with pytest.raises(InputError) as info:
        _import(project, path)
    assert info.value.source == str(path) and message in str(info.value)
    with project.reading() as s:
        assert s.scalar(select(func.count()).select_from(Code)) == count
    assert project.events(action="codebook.import") == []


def test_external_entities_are_never_resolved(tmp_path):
    path = tmp_path / "xxe.qdc"
    path.write_bytes(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CodeBook><Codes>'
                     b'<Code name="A"><Description>&e;</Description></Code></Codes></CodeBook>')
    with pytest.raises(InputError, match="entities") as info:  # refused outright by the safe parser (#13)
        read_qdc(path)
    assert "root:" not in str(info.value)


def test_missing_file_and_zip(project, tmp_path):
    with pytest.raises(InputError, match="cannot read file"):
        _import(project, tmp_path / "absent.qdc")
    with zipfile.ZipFile(tmp_path / "p.qdpx", "w") as zf:
        zf.writestr("project.qde", "<Project/>")
    with pytest.raises(InputError, match="zip archive"):
        _import(project, tmp_path / "p.qdpx")
    with pytest.raises(InputError, match="cannot write file"):
        _export(project, tmp_path / "no" / "such" / "dir.qdc")


_LABEL = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=30)


def _inductive_in(s) -> dict[str, tuple]:
    """Inductive codes by label in an open session: (description, parent label)."""
    by_id = {c.id: c for c in s.scalars(select(Code))}
    return {c.label: (c.description, by_id[c.parent_id].label if c.parent_id else None)
            for c in by_id.values() if c.kind == "inductive"}


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_inductive_codes_survive_export_and_import(tmp_path):
    source = Project.create(tmp_path / "a.bctcoder", user="tester")
    target = Project.create(tmp_path / "b.bctcoder", user="tester")

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(labels=st.lists(_LABEL, min_size=1, max_size=5), nest=st.booleans())
    def round_trip(labels, nest):
        book = tmp_path / "book.qdc"
        with source.reading() as s:  # rolled back after each example
            made = []
            for label in labels:
                label = label.strip()
                assume(label and not re.match(r"\d{1,3}\.\d{1,3}$", label.split(None, 1)[0]))
                assume(find_code(s, label) is None)
                parent = made[-1] if nest and made else None
                made.append(add_inductive_code(s, label, description=label, parent=parent).label)
            expected = _inductive_in(s)
            export_qdc(s, book)
        with target.reading() as s:
            report = import_qdc(s, book, user="tester")
            assert report["created_inductive"] == len(made) and report["skipped"] == []
            assert _inductive_in(s) == expected

    try:
        round_trip()
    finally:
        source.close()
        target.close()
