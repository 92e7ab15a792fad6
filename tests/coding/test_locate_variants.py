"""A quote that differs from the transcript only in typography is still found (issue #13): curly and straight
quotes, dashes and hyphens, the ellipsis and '...', non-breaking and narrow spaces. The span is the exact
passage of the transcript (code points), and the import says which substitution it needed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bctcoder.coding.locate import locate_quote, same_quote, typography_differences
from tests.conftest import write

TEXT = ("Interviewer: 😀 And then?\n"
        "PW1: I didn\u2019t want to \u2014 honestly \u2013 go\u2026 but \u201cshe\u201d said it\u2019s 5\u00a0km.\n")


@pytest.mark.parametrize("quote, passage, difference", [
    ("I didn't want", "I didn\u2019t want", "single quotes"),
    ('"she" said', "\u201cshe\u201d said", "double quotes"),
    ("want to - honestly - go", "want to \u2014 honestly \u2013 go", "dashes"),
    ("want to -- honestly", "want to \u2014 honestly", "dashes"),
    ("go... but", "go\u2026 but", "ellipsis"),
    ("it's 5 km", "it\u2019s 5\u00a0km", "single quotes"),
])
def test_typographic_variants_find_the_exact_passage(quote, passage, difference):
    spans, how = locate_quote(TEXT, quote)
    assert how == "typography" and len(spans) == 1
    start, end = spans[0]
    assert TEXT[start:end] == passage
    assert start == TEXT.index(passage)     # code points: the emoji before counts as one
    assert any(difference in d for d in typography_differences(passage, quote))


def test_exact_and_whitespace_matches_come_first():
    assert locate_quote(TEXT, "honestly")[1] == "exact"
    assert locate_quote(TEXT, "5 km")[1] == "whitespace"    # a non-breaking space is whitespace
    assert locate_quote(TEXT, "she said nothing") == ([], "none")


def test_spaces_alone_are_described():
    assert typography_differences("5\u202fkm", "5 km") == ["non-breaking, narrow and ordinary spaces taken as equal"]


def test_same_quote_accepts_typographic_variants_for_offsets():
    assert same_quote("it\u2019s \u201cfine\u201d \u2014 ok\u2026", "it's \"fine\" -- ok...")
    assert not same_quote("it\u2019s fine", "its fine")


_PLAIN_FOR = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
              "\u2026": "...", "\u00a0": " "}


@given(st.lists(st.sampled_from(["word", "x", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026",
                                 " ", "\u00a0", "9"]), min_size=1, max_size=12))
def test_a_plain_copy_of_any_passage_finds_that_passage(pieces):
    passage = "".join(pieces).strip()
    if not passage:
        return
    text = "Before: \U0001F600 " + passage + " :after"
    plain = "".join(_PLAIN_FOR.get(c, c) for c in passage)
    spans, how = locate_quote(text, plain)
    assert how != "none"
    assert any(text[s:e].split() == passage.split() for s, e in spans)


def test_import_locates_typographic_variants_and_notes_them(project, tmp_path):
    write(tmp_path / "cases.csv", "case,role\nPW1,PW\n")
    project.import_cases(tmp_path / "cases.csv")
    write(tmp_path / "PW1.txt", TEXT)
    project.import_transcripts([tmp_path / "PW1.txt"])
    write(tmp_path / "c.csv", "document,code,coder,quote\nPW1,3.1,ann,I didn't want to - honestly\n"
                              "PW1,1.1,ann,honestly\n")
    result = project.import_codings(tmp_path / "c.csv")
    assert result["added"] == 2
    assert result["located"] == {"offsets": 0, "exact": 1, "whitespace": 0, "typography": 1}
    (note,) = result["notes"]
    assert note["line"] == 2 and "curly and straight single quotes" in note["note"]
    assert "dashes and hyphens" in note["note"]
    quotes = set(project.codings()["quote"])
    assert "I didn\u2019t want to \u2014 honestly" in quotes
    text = project.document_text("PW1")
    start = text.index("I didn")
    write(tmp_path / "o.csv", f"document,code,coder,start,end,quote\nPW1,3.2,bob,{start},{start + 13},"
                              "I didn't want\n")
    assert project.import_codings(tmp_path / "o.csv")["added"] == 1
