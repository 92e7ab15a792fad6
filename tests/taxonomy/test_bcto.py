"""Tests for bctcoder.taxonomy.bcto (BCTO -> BCTTv1 mapping)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl
import pytest

from bctcoder.errors import InputError
from bctcoder.taxonomy.bcto import BctoEntry, parse_bcttv1_xref, read_bcto, read_bcto_classes

SHARED = Path(__file__).resolve().parents[3] / "shared" / "taxonomy"
XLSX = SHARED / "bcto.xlsx"
OWL = SHARED / "bcto.owl"
XREF_CSV = SHARED / "bcttv1_with_bcto_xref.csv"

needs_shared = pytest.mark.skipif(
    not (XLSX.is_file() and OWL.is_file() and XREF_CSV.is_file()),
    reason=f"shared BCTO files not found under {SHARED}",
)

# Techniques whose xlsx mapping may legitimately differ from the reference CSV.
# None today: all 94 CSV rows (93 BCTTv1 techniques plus "4.5", which the BCTO
# cross-references but BCTTv1 lacks; in_bcttv1=False in the CSV) match exactly.
XLSX_CSV_ALLOWED_DIFFERENCES: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def xlsx_source():
    return read_bcto(XLSX)


@pytest.fixture(scope="module")
def owl_classes():
    return {entry.id: entry for entry in read_bcto_classes(OWL)}


@pytest.fixture(scope="module")
def expected():
    with XREF_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["bcto_ids"].strip()]
    return {row["bct_id"]: row for row in rows}


@needs_shared
def test_xlsx_mapping_matches_reference_csv(xlsx_source, expected):
    assert len(expected) >= 80
    mismatched = {
        number
        for number, row in expected.items()
        if {e.id for e in xlsx_source.by_technique.get(number, [])} != set(row["bcto_ids"].split("|"))
    }
    assert mismatched <= XLSX_CSV_ALLOWED_DIFFERENCES
    extra = set(xlsx_source.by_technique) - set(expected)
    assert not extra


@needs_shared
def test_xlsx_labels_and_definitions_match_reference_csv(xlsx_source, expected):
    for number, row in expected.items():
        labels = dict(zip(row["bcto_ids"].split("|"), row["bcto_labels"].split("|")))
        definitions = dict(zip(row["bcto_ids"].split("|"), row["bcto_definitions"].split(" || ")))
        for entry in xlsx_source.by_technique[number]:
            assert entry.label == labels[entry.id].strip()
            assert entry.definition == " ".join(definitions[entry.id].split())


@needs_shared
def test_xlsx_source_metadata(xlsx_source):
    assert xlsx_source.format == "xlsx"
    assert xlsx_source.path == str(XLSX)
    assert xlsx_source.version is None
    assert xlsx_source.sha256 == hashlib.sha256(XLSX.read_bytes()).hexdigest()
    assert xlsx_source.n_classes > 250
    assert len(xlsx_source.by_technique) >= 80
    goal = xlsx_source.by_technique["1.1"]
    assert [e.id for e in goal] == ["BCIO:007003", "BCIO:007004"]
    assert goal[0].label == "set behaviour goal BCT"
    for entries in xlsx_source.by_technique.values():
        assert [e.id for e in entries] == sorted(e.id for e in entries)


@needs_shared
def test_shared_owl_has_no_bcttv1_cross_reference():
    # Genuine discrepancy between the two published files: bcto.owl (versionIRI
    # .../2026-08-06) has no cross-reference annotation on any BCT class, so it
    # cannot be mapped onto BCTTv1 on its own and read_bcto rejects it.
    with pytest.raises(InputError, match="no BCTTv1 cross-reference") as info:
        read_bcto(OWL)
    assert info.value.source == str(OWL)


@needs_shared
def test_shared_owl_classes_agree_with_xlsx(xlsx_source, owl_classes):
    assert len(owl_classes) >= xlsx_source.n_classes
    for entries in xlsx_source.by_technique.values():
        for entry in entries:
            assert owl_classes[entry.id] == entry


def _write_owl(path: Path, classes: str, header: str = "") -> Path:
    path.write_text(
        '<?xml version="1.0"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '  xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"\n'
        '  xmlns:owl="http://www.w3.org/2002/07/owl#"\n'
        '  xmlns:obo="http://purl.obolibrary.org/obo/"\n'
        '  xmlns:oboInOwl="http://www.geneontology.org/formats/oboInOwl#">\n'
        f'<owl:Ontology rdf:about="http://example.org/bcto.owl">{header}</owl:Ontology>\n'
        f"{classes}</rdf:RDF>\n",
        encoding="utf-8",
    )
    return path


def _owl_class(num: str, label: str, definition: str, *xrefs: str) -> str:
    refs = "".join(f"<oboInOwl:hasDbXref>{x}</oboInOwl:hasDbXref>" for x in xrefs)
    return (f'<owl:Class rdf:about="http://humanbehaviourchange.org/ontology/BCIO_{num}">'
            f'<rdfs:label xml:lang="en">{label}</rdfs:label>'
            f"<obo:IAO_0000115>{definition}</obo:IAO_0000115>{refs}</owl:Class>\n")


def test_owl_with_cross_references(tmp_path):
    path = _write_owl(
        tmp_path / "mini.owl",
        _owl_class("007004", "agree behaviour goal BCT", "Agree  a goal.", "BCTTv1:1.1")
        + _owl_class("007003", "set behaviour goal BCT", "Set a goal.", "BCTTv1 1.1; BCTTv1 1.3")
        + _owl_class("000001", "unmapped", "No xref.", "DOI:10.1/x")
        + '<owl:Class rdf:about="http://purl.obolibrary.org/obo/BFO_0000001"/>\n',
        header='<owl:versionIRI rdf:resource="http://example.org/bcto.owl/2024-01-02"/>',
    )
    source = read_bcto(path)
    assert source.format == "owl"
    assert source.version == "2024-01-02"
    assert source.n_classes == 3
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [e.id for e in source.by_technique["1.1"]] == ["BCIO:007003", "BCIO:007004"]
    assert source.by_technique["1.3"] == [BctoEntry("BCIO:007003", "set behaviour goal BCT", "Set a goal.")]
    assert source.by_technique["1.1"][1].definition == "Agree a goal."
    assert list(source.by_technique) == ["1.1", "1.3"]


def test_owl_version_info_preferred(tmp_path):
    path = _write_owl(tmp_path / "v.owl", _owl_class("007010", "action planning BCT", "d", "BCT1.4"),
                      header="<owl:versionInfo>v2.1</owl:versionInfo>")
    assert read_bcto(path).version == "v2.1"


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_xlsx_header_variants_and_multiple_numbers(tmp_path):
    path = _write_xlsx(tmp_path / "b.xlsx", [
        ["id", "LABEL", "Definition", "Notes", "Cross reference"],
        ["BCIO:2", " reward BCT ", "A reward.", "x", "BCT10.3 Non-specific reward; BCT10.9 Self-reward"],
        [None, None, None, None, None],
        ["BCIO:1", "plan BCT", None, None, "BCTTv1: 1.4,\n1.2"],
        ["BCIO:3", "no xref", "d", None, None],
    ])
    source = read_bcto(path)
    assert source.n_classes == 3
    assert set(source.by_technique) == {"1.2", "1.4", "10.3", "10.9"}
    assert list(source.by_technique) == ["1.2", "1.4", "10.3", "10.9"]
    assert source.by_technique["10.9"] == [BctoEntry("BCIO:2", "reward BCT", "A reward.")]
    assert source.by_technique["1.4"][0].definition == ""


def test_xlsx_missing_label_names_line(tmp_path):
    path = _write_xlsx(tmp_path / "b.xlsx", [["ID", "Label", "Cross-reference"],
                                             ["BCIO:1", "ok", "BCT1.1"], ["BCIO:2", " ", "BCT1.2"]])
    with pytest.raises(InputError, match="no label") as info:
        read_bcto(path)
    assert (info.value.source, info.value.line) == (str(path), 3)


def test_xlsx_duplicate_id(tmp_path):
    path = _write_xlsx(tmp_path / "b.xlsx", [["ID", "Label", "Cross-reference"],
                                             ["BCIO:1", "a", "BCT1.1"], ["BCIO:1", "b", "BCT1.2"]])
    with pytest.raises(InputError, match="first on line 2") as info:
        read_bcto(path)
    assert info.value.line == 3


@pytest.mark.parametrize("name, content, message", [
    ("fake.xlsx", b"ID,Label\nBCIO:1,x\n", "not a readable .xlsx"),
    ("empty.owl", b"", "empty"),
    ("blank.owl", b"  \n", "empty"),
    ("broken.owl", b"<?xml version='1.0'?>\n<rdf:RDF>\n<oops", "not well-formed"),
    ("plain.owl", b"<root><child/></root>", "no labelled owl:Class"),
    ("bcto.csv", b"ID,Label\n", "unknown BCTO file type"),
])
def test_bad_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_bcto(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)


def test_missing_file_and_no_cross_reference(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_bcto(tmp_path / "absent.owl")
    path = _write_xlsx(tmp_path / "b.xlsx", [["ID", "Label"], ["BCIO:1", "a"]])
    with pytest.raises(InputError, match="no BCTTv1 cross-reference found among 1 classes"):
        read_bcto(path)
    no_header = _write_xlsx(tmp_path / "h.xlsx", [["Code", "Text"], ["1", "a"]])
    with pytest.raises(InputError, match="ID and a Label column"):
        read_bcto(no_header)


@pytest.mark.parametrize("text, numbers", [
    ("BCT1.4 Action planning", ["1.4"]),
    (" BCT5.6 Information about emotional consequences", ["5.6"]),
    ("BCT7.4 Remove access; BCT14.1 Behaviour cost; BCT14.3 Remove reward", ["7.4", "14.1", "14.3"]),
    ("BCTTv1: 1.1, 1.3", ["1.1", "1.3"]),
    ("BCTTv1 10.11 | bcttv1:2.2", ["10.11", "2.2"]),
    ("1.1 Goal setting (behaviour)\n1.1", ["1.1"]),
    ("BCTTv2 1.1", []),
    ("MeSH:D012345; 2.2", ["2.2"]),
    ("BCT17.1; BCT0.3; 1.2.3", []),
    ("", []),
    (None, []),
])
def test_parse_bcttv1_xref(text, numbers):
    assert parse_bcttv1_xref(text) == numbers
