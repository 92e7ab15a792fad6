"""Codings: add/update/delete with events, CSV import (offsets checked, quotes located), export round trip."""

from __future__ import annotations

import pytest

from bctcoder.errors import InputError, NotFoundError
from tests.conftest import write

TEXT = "Interviewer: What helped?\nPW1: She  listened to me,\nwithout judging. It helped a lot.\n"


@pytest.fixture
def coded(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nPW1,PW\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "PW1.txt", TEXT)
    project.import_transcripts([tmp_path / "PW1.txt"])
    return project


def test_add_update_delete_coding_with_event_log(coded):
    text = coded.document_text("PW1")
    start = text.index("She")
    coding = coded.add_coding("PW1", start, start + 20, "3.3", coder="ann", memo="emotional")
    assert coding["quote"] == text[start:start + 20]
    assert coding["origin"] == "manual" and coding["code"] == "3.3" and coding["role"] == "PW"
    changed = coded.update_coding(coding["id"], code="17.5", exemplar=True)
    assert changed["code"] == "17.5" and changed["exemplar"] is True
    coded.delete_coding(coding["id"])
    assert coded.codings().empty
    actions = [e["action"] for e in coded.events(limit=3)]
    assert actions == ["coding.delete", "coding.update", "coding.add"]
    assert coded.events(limit=1)[0]["payload"]["was"]["quote"] == text[start:start + 20]


@pytest.mark.parametrize("kwargs, error", [
    ({"start": 5, "end": 5}, "outside document"),
    ({"start": -1, "end": 3}, "outside document"),
    ({"start": 0, "end": 10_000}, "outside document"),
    ({"code": "99.1"}, "unknown code"),
    ({"origin": "guessed"}, "unknown origin"),
    ({"confidence": 1.5}, "outside 0-1"),
])
def test_invalid_codings_are_refused(coded, kwargs, error):
    args = {"start": 0, "end": 5, "code": "3.1", "coder": "ann"} | kwargs
    with pytest.raises((InputError, NotFoundError), match=error):
        coded.add_coding("PW1", args.pop("start"), args.pop("end"), args.pop("code"), **args)
    assert coded.info()["codings"] == 0


def test_import_locates_quotes_exactly_then_ignoring_whitespace(coded, tmp_path):
    csv_text = ("document,code,coder,quote\n"
                "PW1,3.3,ann,\"She listened to me, without judging.\"\n"  # whitespace differs from the text
                "PW1,Hope,ann,It helped a lot.\n")
    result = coded.import_codings(write(tmp_path / "c.csv", csv_text))
    assert result["added"] == 2
    assert result["located"] == {"offsets": 0, "exact": 1, "whitespace": 1}
    assert result["inductive_codes"] == ["Hope"]
    frame = coded.codings()
    assert list(frame["quote"]) == ["She  listened to me,\nwithout judging.", "It helped a lot."]
    again = coded.import_codings(write(tmp_path / "c.csv", csv_text))
    assert again["added"] == 0 and again["duplicates"] == 2


def test_offsets_are_checked_against_quotes(coded, tmp_path):
    text = coded.document_text("PW1")
    s = text.index("It helped")
    good = f"document,code,coder,start,end,quote\nPW1,3.1,bo,{s},{s + 16},It helped a lot.\n"
    assert coded.import_codings(write(tmp_path / "g.csv", good))["located"]["offsets"] == 1
    bad = f"document,code,coder,start,end,quote\nPW1,3.1,bo,{s - 1},{s + 15},It helped a lot.\n"
    with pytest.raises(InputError, match=r"line 2: quote does not match the text"):
        coded.import_codings(write(tmp_path / "b.csv", bad))


@pytest.mark.parametrize("row, error", [
    ("PW9,3.1,ann,,,x", "unknown document 'PW9'"),
    ("PW1,3.1,ann,,,not in the text at all", "quote not found"),
    ("PW1,42.1,ann,,,It helped", "unknown code '42.1'"),
    ("PW1,3.1,ann,3,,It helped", "give both start and end"),
    ("PW1,3.1,ann,x,4,It helped", "field 'start'"),
    ("PW1,3.1,,,,It helped", "no coder"),
    ("PW1,,ann,,,It helped", "empty code"),
])
def test_bad_coding_rows_abort_the_whole_import(coded, tmp_path, row, error):
    body = "document,code,coder,start,end,quote\nPW1,3.3,ann,,,It helped a lot.\n" + row + "\n"
    with pytest.raises(InputError) as info:
        coded.import_codings(write(tmp_path / "c.csv", body))
    assert error in str(info.value) and ", line 3: " in str(info.value)
    assert coded.info()["codings"] == 0


def test_skip_invalid_reports_rejected_rows(coded, tmp_path):
    body = ("document,code,coder,quote\nPW1,3.3,ann,It helped a lot.\nPW1,3.1,ann,missing words\n"
            "PW1,NewIdea,ann,also missing\n")
    result = coded.import_codings(write(tmp_path / "c.csv", body), skip_invalid=True)
    assert result["added"] == 1
    assert [r["line"] for r in result["rejected"]] == [3, 4]
    assert "quote not found" in result["rejected"][0]["reason"]
    # the rejected row's new inductive code was rolled back with its row
    assert all(c["label"] != "NewIdea" for c in coded.codes())


def test_ambiguous_quote_is_rejected(coded, tmp_path):
    body = "document,code,coder,quote\nPW1,3.3,ann,helped\n"
    with pytest.raises(InputError, match="occurs 2 times"):
        coded.import_codings(write(tmp_path / "c.csv", body))


def test_export_then_import_round_trip(demo, tmp_path):
    exported = demo.export_codings(tmp_path / "out.csv")
    assert exported.count("\n") - 1 == demo.info()["codings"]
    before = demo.codings().drop(columns=["id", "created_at", "updated_at"])
    from bctcoder.project import Project

    with Project.create(tmp_path / "fresh.bctcoder") as fresh:
        from bctcoder.demo.build import demo_data_dir

        d = demo_data_dir()
        fresh.import_cases(d / "cases.csv")
        fresh.import_transcripts(sorted((d / "transcripts").glob("*.txt")))
        result = fresh.import_codings(tmp_path / "out.csv")
        assert result["located"]["offsets"] == len(before)
        after = fresh.codings().drop(columns=["id", "created_at", "updated_at"])
    import pandas as pd

    pd.testing.assert_frame_equal(after, before)


def test_presence_wide_and_long(coded, tmp_path):
    wide = write(tmp_path / "t2.csv", "bct,PW,SP\n1.2,no,yes\n3.1,1,1\n17.1,yes,0\n")
    assert coded.import_presence(wide, by="role") == {"records": 6, "present": 4}
    frame = coded.presence()
    assert set(frame[frame["present"]]["code"]) == {"1.2", "3.1", "17.1"}
    long = write(tmp_path / "p.csv", "code,scope,target,present\n3.3,document,PW1,yes\n")
    assert coded.import_presence(long)["records"] == 1
    again = coded.import_presence(write(tmp_path / "t2b.csv", "bct,PW,SP\n1.2,yes,yes\n"), by="role")
    assert again["records"] == 2
    assert len(coded.presence()) == 7  # replaced, not duplicated
    with pytest.raises(InputError, match=r"line 2: field 'SP': 'maybe' is not yes/no"):
        coded.import_presence(write(tmp_path / "bad.csv", "bct,PW,SP\n1.2,no,maybe\n"), by="role")
