"""Code trees survive import, listing and export (#13): categories and their codes, as MAXQDA writes them."""

from __future__ import annotations

import json
import zipfile

from lxml import etree
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.project import Project

runner = CliRunner()
NS = {"q": "urn:QDA-XML:project:1.0"}


def guid(n: int) -> str:
    return f"aaaaaaaa-0000-4000-8000-{n:012d}"


def two_level_qdpx(path):
    codes = "".join(
        f'<Code guid="{guid(i + 1)}" name="Category {i} [draft]" isCodable="true" color="#00ff00">'
        + "".join(f'<Code guid="{guid(100 + i * 10 + j)}" name="Child {i}.{j}" isCodable="true"/>' for j in range(3))
        + "</Code>" for i in range(3))
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="tree"><CodeBook><Codes>{codes}</Codes></CodeBook>
<Sources><TextSource guid="{guid(900)}" name="P04" plainTextPath="internal://{guid(900)}.txt">
<PlainTextSelection guid="{guid(901)}" startPosition="30" endPosition="34">
<Coding guid="{guid(902)}"><CodeRef targetGUID="{guid(111)}"/></Coding></PlainTextSelection>
</TextSource></Sources></Project>"""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr(f"sources/{guid(900)}.txt", "Interviewer: How was it?\nP04: I set a goal to walk daily.")
    return path


def test_two_level_code_system_keeps_its_tree(tmp_path):
    path = str(tmp_path / "p.bctcoder")
    with Project.create(path, user="t") as p:
        report = p.import_qdpx(two_level_qdpx(tmp_path / "tree.qdpx"))
        assert report["counts"]["inductive_codes_created"] == 12 and report["counts"]["codings"] == 1
        parents = {r["label"]: r["parent"] for r in p.codes() if r["kind"] == "inductive"}
        assert parents["Child 1.1"] == "Category 1 [draft]" and parents["Category 1 [draft]"] is None
        p.export_qdc(tmp_path / "out.qdc")
    tree = runner.invoke(app, ["codes", "list", path, "--inductive", "--tree"])
    assert tree.exit_code == 0, tree.output
    lines = tree.output.splitlines()
    at = lines.index("  Category 1 [draft] (0)")
    assert lines[at + 1:at + 4] == ["    Child 1.0 (0)", "    Child 1.1 (1)", "    Child 1.2 (0)"]
    listed = json.loads(runner.invoke(app, ["codes", "list", path, "--inductive", "--format", "json"]).output)
    assert {r["label"]: r["parent"] for r in listed}["Child 0.2"] == "Category 0 [draft]"
    # the codebook written back nests each child under its category
    root = etree.parse(str(tmp_path / "out.qdc")).getroot()
    category = root.xpath("//*[local-name()='Code'][@name='Category 2 [draft]']")[0]
    assert [c.get("name") for c in category.xpath("./*[local-name()='Code']")] == [
        "Child 2.0", "Child 2.1", "Child 2.2"]


def test_document_sets_survive_import_and_export(tmp_path):
    """A set of sources whose documents have no case (as MAXQDA exports them) becomes a document set."""
    sources = "".join(
        f'<TextSource guid="{guid(900 + i)}" name="Doc {i}" plainTextPath="internal://{guid(900 + i)}.txt">'
        f'<PlainTextSelection guid="{guid(950 + i)}" startPosition="0" endPosition="4">'
        f'<Coding guid="{guid(970 + i)}"><CodeRef targetGUID="{guid(1)}"/></Coding></PlainTextSelection>'
        "</TextSource>" for i in range(3))
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="sets"><CodeBook><Codes>
<Code guid="{guid(1)}" name="Hope" isCodable="true"/></Codes></CodeBook><Sources>{sources}</Sources>
<Sets><Set guid="{guid(990)}" name="Wave 1"><MemberSource targetGUID="{guid(900)}"/>
<MemberSource targetGUID="{guid(902)}"/></Set></Sets></Project>"""
    with zipfile.ZipFile(tmp_path / "sets.qdpx", "w") as z:
        z.writestr("project.qde", qde)
        for i in range(3):
            z.writestr(f"sources/{guid(900 + i)}.txt", f"Text of document {i}, about hope.")
    with Project.create(tmp_path / "p.bctcoder", user="t") as p:
        report = p.import_qdpx(tmp_path / "sets.qdpx")
        assert report["counts"]["sets"] == 1
        assert not [w for w in report["warnings"] if "set" in w["item"]]
        from bctcoder.analysis.evidence import Scope, load_evidence

        with p.reading() as s:
            in_set = set(load_evidence(s, Scope(case_set="Wave 1"), kinds=("inductive",))["document"])
        assert in_set == {"Doc 0", "Doc 2"}
        p.export_qdpx(tmp_path / "again.qdpx")
    with zipfile.ZipFile(tmp_path / "again.qdpx") as z:
        root = etree.fromstring(z.read("project.qde"))
    members = root.xpath("//q:Set[@name='Wave 1']/q:MemberSource", namespaces=NS)
    assert len(members) == 2
