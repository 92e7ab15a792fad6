"""Readers of the evaluation corpora: EPPI-Reviewer JSON, HBCP CoNLL, ESConv JSON lines, PA coaching xlsx."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bctcoder.errors import BctcoderError, InputError
from bctcoder.suggest.corpora import (
    CorpusNotFound,
    default_corpus_files,
    esconv_labels,
    hbcp_labels,
    load_corpus,
    pa_labels,
    read_esconv,
    read_hbcp_conll,
    read_hbcp_eppi,
    read_pa_counseling,
)

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPORA = SHARED / "corpora"


def _attr(attr_id, name, children=()):
    node = {"AttributeId": attr_id, "AttributeName": name, "AttributeType": "Selectable"}
    if children:
        node["Attributes"] = {"AttributesList": list(children)}
    return node


def _eppi(tmp_path) -> Path:
    codesets = [{"SetName": "Codes", "Attributes": {"AttributesList": [
        _attr(1, "Arm name"),
        _attr(2, "Intervention", [_attr(3, "BCTs", [
            _attr(10, "1.1.Goal setting (behavior)"),
            _attr(11, "4.5. Advise to change behavior"),
            _attr(12, "13.4 Valued self-identify "),
        ])]),
    ]}}]
    detail = {"ItemDocumentId": 1, "TextFrom": 0, "TextTo": 0, "IsFromPDF": True}
    refs = [
        {"ItemId": 101, "ShortTitle": "Smith (2020)", "Codes": [
            {"AttributeId": 1, "AdditionalText": "arm", "ItemAttributeFullTextDetails": [
                dict(detail, Text='Page 1:\n[¬s]"the walking group[¬e]"')]},
            {"AttributeId": 10, "ArmTitle": "A",
             "AdditionalText": "Participants were asked to set a daily step\ngoal.;;;Other sentence about diet.",
             "ItemAttributeFullTextDetails": [dict(detail, Text='Page 2:\n[¬s]"daily step\ngoal[¬e]"')]},
            {"AttributeId": 10, "ArmTitle": "B",     # the same highlight again for another arm: counted once
             "AdditionalText": "Participants were asked to set a daily step goal.",
             "ItemAttributeFullTextDetails": [dict(detail, Text='Page 2:\n[¬s]"daily step\ngoal[¬e]"')]},
            {"AttributeId": 11, "AdditionalText": "Nurses advised them to be more active.",
             "ItemAttributeFullTextDetails": [dict(detail, Text='Page 3:\n[¬s]"advised"\n"be more ac-\ntive[¬e]"')]},
        ]},
        {"ItemId": 102, "ShortTitle": "Jones (2019)", "Codes": [
            {"AttributeId": 12, "AdditionalText": None,
             "ItemAttributeFullTextDetails": [dict(detail, Text='Page 5:\n[¬s]"being an active person[¬e]"')]},
        ]},
    ]
    path = tmp_path / "eppi.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"CodeSets": codesets, "References": refs}).encode("utf-8"))
    return path


def test_eppi_spans_labels_groups_and_context(tmp_path):
    examples = read_hbcp_eppi(_eppi(tmp_path))
    assert [(e.text, e.label) for e in examples] == [
        ("daily step goal", "1.1"), ("advised … be more active", "4.5"), ("being an active person", "13.4")]
    assert examples[0].group == examples[1].group == "Smith (2020) [101]"
    assert examples[2].group == "Jones (2019) [102]"
    assert examples[0].context == "Participants were asked to set a daily step goal."
    assert examples[1].context == "Nurses advised them to be more active."
    assert examples[2].context is None


def test_eppi_rejects_other_json(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}')
    with pytest.raises(InputError, match="EPPI"):
        read_hbcp_eppi(bad)
    broken = tmp_path / "y.json"
    broken.write_text("{")
    with pytest.raises(InputError, match="JSON"):
        read_hbcp_eppi(broken)


def test_conll_spans_from_bio_tags(tmp_path):
    rows = [
        ("A.pdf", "Smokers", "NNS", "O"),
        ("A.pdf", "received", "VBD", "O"),
        ("A.pdf", "nicotine", "NN", "B-3675611_11.1_Pharmacological_support "),
        ("A.pdf", "patches", "NNS", "I-3675611_11.1_Pharmacological_support "),
        ("A.pdf", "and", "CC", "O"),
        ("A.pdf", "set", "VB", "B-3673271_1.1.Goal_setting_(behavior)"),
        ("A.pdf", "goals", "NNS", "I-3673271_1.1.Goal_setting_(behavior)"),
        ("A.pdf", "in", "IN", "O"),
        ("A.pdf", "Leeds", "NNP", "B-4788959_Lower-level_geographical_region"),
        None,
        ("B.pdf", "counselling", "NN", "B-3675717_3.1_Social_support_(unspecified)"),
        ("B.pdf", "sessions", "NNS", "B-3675717_3.1_Social_support_(unspecified)"),
    ]
    path = tmp_path / "t.tsv"
    path.write_text("\n".join("" if r is None else "\t".join(r) for r in rows) + "\n", encoding="utf-8")
    examples = read_hbcp_conll(path)
    assert [(e.text, e.label, e.group) for e in examples] == [
        ("nicotine patches", "11.1", "A.pdf"), ("set goals", "1.1", "A.pdf"),
        ("counselling", "3.1", "B.pdf"), ("sessions", "3.1", "B.pdf")]
    assert examples[0].context == "Smokers received nicotine patches and set goals in Leeds"


def test_conll_bad_line(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("A.pdf\tword\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_hbcp_conll(path)


def test_esconv_supporter_turns_with_seeker_context(tmp_path):
    dialogues = [
        {"dialog": [{"speaker": "sys", "text": "Hi, how can I help?", "strategy": "Question"},
                    {"speaker": "usr", "text": "I lost my job."},
                    {"speaker": "usr", "text": "I feel  awful."},
                    {"speaker": "sys", "text": "That sounds hard.", "strategy": "Reflection of feelings"},
                    {"speaker": "sys", "text": "Have you talked to anyone?", "strategy": "Question"}]},
        {"dialog": [{"speaker": "usr", "text": "Hello"},
                    {"speaker": "sys", "text": "Hello!", "strategy": "Others"}]},
    ]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in dialogues) + "\n", encoding="utf-8")
    examples = read_esconv(path)
    assert [(e.label, e.context) for e in examples] == [
        ("Question", None), ("Reflection of feelings", "I lost my job. I feel awful."),
        ("Question", "I lost my job. I feel awful."), ("Others", "Hello")]
    assert examples[0].group == "train:1" and examples[3].group == "train:2"
    assert {e.label for e in examples} <= {info.id for info in esconv_labels()}


def _pa_xlsx(path: Path, rows) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Speaker", "ID", "Utterance", "Domain", "Strategy1", "Strategy2", "Social Exchange", "Task-Focused"])
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_pa_counseling_coach_sentences(tmp_path):
    folder = tmp_path / "dialogs"
    folder.mkdir()
    _pa_xlsx(folder / "goal1.xlsx", [
        ("1", 0, "Hi there!", "Introduction", "None", "None", "Greeting", "None"),
        (None, 1, "Today we set your step goal.", "Goal", "Goal", "Monitoring", "None", "Orient"),
        ("2", 2, "Okay.", "Goal", "None", "None", "Agree", "None"),
        (2, 3, "I walk a little.", "Goal", "Monitoring", "None", "None", "Give-PerInfo"),
        (1, 4, "Let's add 20% each week.", "Goal", "Goal", "None", "None", "Give-GenInfo"),
        (None, None, None, None, None, None, None, None),           # stray row
        (7, 5, "Unknown speaker row.", "Goal", "Goal", "None", "None", "None"),
        (None, 6, "Still unknown.", "Goal", "Goal", "None", "None", "None"),
        ("1", 7, "Great job!", "Goal", "Self-efficacy", "None", "Approve", "None"),
    ])
    stats = {}
    examples = read_pa_counseling(folder, stats=stats)
    assert [(e.text, e.label) for e in examples] == [
        ("Hi there!", "None"), ("Today we set your step goal.", "Goal"), ("Let's add 20% each week.", "Goal"),
        ("Great job!", "Self-efficacy")]
    assert examples[1].extra == ("Monitoring",)
    assert examples[2].context == "Okay. I walk a little."
    assert {e.group for e in examples} == {"goal1"}
    assert stats["skipped"] == 3
    assert [e.label for e in read_pa_counseling(folder, include_none=False)] == ["Goal", "Goal", "Self-efficacy"]
    assert "None" not in {info.id for info in pa_labels(include_none=False)}


def test_label_sets_and_mapping(tmp_path):
    labels = hbcp_labels()
    ids = [info.id for info in labels]
    assert len(ids) == 94 and ids[0] == "1.1" and "4.5" in ids and "16.3" in ids
    assert all(info.description for info in labels) and not any(info.definition for info in labels)
    corpus = load_corpus("hbcp", [_eppi(tmp_path)])
    assert len(corpus.examples) == 3 and "4.5" in corpus.label_mapping


def test_hbcp_labels_with_bcto_definitions(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Label", "Definition", "Cross-reference"])
    ws.append(["BCIO:1", "set behaviour goal BCT", "A <goal setting BCT> that sets a goal.", "BCT1.1 Goal setting"])
    ws.append(["BCIO:2", "goal setting BCT", "A <behaviour change technique> about goals.", None])
    path = tmp_path / "bcto.xlsx"
    wb.save(path)
    labels = {info.id: info for info in hbcp_labels(path)}
    assert labels["1.1"].definition == "set behaviour goal: A goal setting technique that sets a goal."
    assert labels["1.2"].definition is None


def test_missing_and_unknown_corpus(tmp_path, monkeypatch):
    with pytest.raises(CorpusNotFound, match="no such file"):
        load_corpus("esconv", [tmp_path / "nope.jsonl"])
    with pytest.raises(InputError, match="unknown corpus"):
        load_corpus("nope", [tmp_path])
    monkeypatch.setenv("BCTCODER_CORPORA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BctcoderError, match="--train"):
        default_corpus_files("esconv")


needs_shared = pytest.mark.skipif(not CORPORA.is_dir(), reason=f"reference corpora {CORPORA} are absent "
                                  "(only in the team's checkout)")


@needs_shared
def test_real_hbcp_files():
    eppi = load_corpus("hbcp", [CORPORA / "hbcp" / "physical_activity_62_papers.json"])
    assert len({e.group for e in eppi.examples}) == 62 and len(eppi.examples) == 424
    assert len({e.label for e in eppi.examples}) == 41
    train = read_hbcp_conll(CORPORA / "hbcp" / "flair_train_conll.tsv")
    test = read_hbcp_conll(CORPORA / "hbcp" / "flair_test_conll.tsv")
    assert (len(train), len({e.group for e in train})) == (494, 118)
    assert (len(test), len({e.group for e in test})) == (357, 93)
    assert len({e.label for e in train}) == 12


@needs_shared
def test_real_esconv_and_pa_files():
    valid = read_esconv(CORPORA / "esconv" / "valid.jsonl")
    assert (len(valid), len({e.group for e in valid})) == (2722, 195)
    assert {e.label for e in valid} == {info.id for info in esconv_labels()}
    pa = load_corpus("pa-counseling", [CORPORA / "pa_counseling" / "simulated_dialog"])
    assert (len(pa.examples), len({e.group for e in pa.examples})) == (413, 44)
    assert {e.label for e in pa.examples} <= {info.id for info in pa.labels_info}
