"""The study's lists: reading them (YAML, CSV) strictly, and finding their entries in a text."""

from __future__ import annotations

import pytest

from bctcoder.errors import InputError
from bctcoder.pseudonymise import NameEntry, StudyLists, merge_lists, read_study_lists
from bctcoder.pseudonymise.study_lists import find_list_matches, ignored_spans, study_lists_from_mapping

LISTS = StudyLists(
    people=[NameEntry("Sarah Whitfield", ["Sara"], "[Participant 1]"), NameEntry("Hope Mensah"),
            NameEntry("Robert Kaye", ["Bob", "Bobby"]), NameEntry("Will Turner", always=True)],
    places=[NameEntry("Leeds")],
    organisations=[NameEntry("St James's Hospital", ["Jimmy's"])],
    ignore=["Peer Worker"])


def found(text, lists=LISTS, **kwargs):
    return [(text[m.start:m.end], m.category) for m in find_list_matches(text, lists, **kwargs)]


def test_names_aliases_parts_possessives_any_case():
    text = ("sarah whitfield came. Then Sara's friend and WHITFIELD. Then Bob and bobby met at St James’s Hospital "
            "in leeds.")
    got = found(text)
    assert ("sarah whitfield", "PERSON") in got
    assert ("Sara", "PERSON") in got            # alias, possessive stops before the apostrophe
    assert ("WHITFIELD", "PERSON") in got       # surname alone
    assert ("Bob", "PERSON") in got and ("bobby", "PERSON") in got
    assert ("St James’s Hospital", "ORGANISATION") in got   # curly apostrophe matches a straight one
    assert ("leeds", "PLACE") in got


def test_common_word_names_only_when_written_as_names():
    text = "I hope so. Hope came round. I met Hope today. Then hope faded."
    got = found(text)
    assert got == [("Hope", "PERSON")]
    assert text.index("Hope today") == [m.start for m in find_list_matches(text, LISTS)][0]


def test_a_word_the_project_writes_in_lower_case_is_a_common_word():
    lists = StudyLists(people=[NameEntry("Jonathan Gale")])
    text = "Gale was fine. A gale blew. I told Gale."
    assert ("gale", "PERSON") in found(text, lists)   # not known to be a word: any case
    assert found(text, lists, lowercase_words={"gale"}) == [("Gale", "PERSON")]
    assert [m.start for m in find_list_matches(text, lists, lowercase_words={"gale"})] == [text.rindex("Gale")]


def test_sentence_start_needs_the_tagger_and_always_matches_everywhere():
    text = "Hope came round. will turner and Will were there. will you?"
    got = [(text[m.start:m.end], m.start) for m in find_list_matches(text, LISTS)]
    assert ("will turner", text.index("will turner")) in got
    assert ("Will", text.index("Will were")) in got and ("will", text.index("will you")) in got   # always=True
    assert not any(value == "Hope" for value, _ in got)
    assert ("Hope", "PERSON") in found(text, proper_noun=lambda offset: offset == 0)


def test_month_names_after_date_words_are_months():
    lists = StudyLists(people=[NameEntry("May Jones")])
    text = "It was in May. I saw May there."
    assert found(text, lists) == [("May", "PERSON")]
    assert [m.start for m in find_list_matches(text, lists)] == [text.index("May there")]


def test_ignored_spans():
    text = "The Peer Worker said, peer worker again."
    assert ignored_spans(text, ["Peer Worker"]) == [(4, 15), (22, 33)]


def test_read_yaml(tmp_path):
    path = tmp_path / "lists.yaml"
    path.write_text("people:\n  - name: Sarah Whitfield\n    aliases: [Sara]\n    replacement: '[Participant 1]'\n"
                    "  - Bob\nplaces: [Leeds]\norganisations: [Mindful Steps]\nignore: [NHS]\n", encoding="utf-8")
    lists = read_study_lists(path)
    assert lists.people[0] == NameEntry("Sarah Whitfield", ["Sara"], "[Participant 1]")
    assert lists.people[1] == NameEntry("Bob")
    assert [e.name for e in lists.places] == ["Leeds"] and lists.ignore == ["NHS"]


def test_read_csv(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_text("kind,name,aliases,replacement,always\nperson,Grace Okafor,Gracie; G,[Peer worker 3],yes\n"
                    "place,Leeds,,,\norganisation,Mindful Steps,,,no\nignore,BCT,,,\n", encoding="utf-8")
    lists = read_study_lists(path)
    assert lists.people == [NameEntry("Grace Okafor", ["Gracie", "G"], "[Peer worker 3]", True)]
    assert lists.organisations == [NameEntry("Mindful Steps")] and lists.ignore == ["BCT"]


@pytest.mark.parametrize("content, message", [
    ("kind,name\nanimal,Rex\n", "line 2: kind 'animal'"),
    ("kind,name\nperson,\n", "line 2: the name is empty"),
    ("kind,name,always\nperson,Bob,perhaps\n", "line 2: always must be yes or no"),
    ("name\nBob\n", "line 1: the study list needs columns 'kind' and 'name'"),
])
def test_csv_errors_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "lists.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_study_lists(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize("data, message", [
    ([1, 2], "expected a mapping"), ({"persons": []}, "unknown section"),
    ({"people": "Bob"}, "'people' must be a list"),
    ({"people": [{"name": "Bob", "alias": "B"}]}, "unknown key"), ({"people": [{"aliases": ["B"]}]}, "'name'"),
    ({"people": [{"name": "Bob", "always": "yes"}]}, "'always' must be true or false"),
    ({"ignore": [1]}, "'ignore' must be a list"),
])
def test_mapping_errors(data, message):
    with pytest.raises(InputError, match=message):
        study_lists_from_mapping(data, "lists.yaml")


def test_bad_yaml_names_the_line(tmp_path):
    path = tmp_path / "lists.yaml"
    path.write_text("people:\n  - [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="line"):
        read_study_lists(path)


def test_from_names_and_merge():
    from_cases = StudyLists.from_names(people=["Sarah Whitfield", " "], places=["Leeds"], organisations=["Mind"])
    from_file = StudyLists([NameEntry("sarah whitfield", ["Sara"], "[Participant 1]")], [], [], ["NHS"])
    merged = merge_lists(from_cases, from_file)
    assert merged.people == [NameEntry("Sarah Whitfield", ["Sara"], "[Participant 1]")]
    assert [e.name for e in merged.places] == ["Leeds"] and merged.ignore == ["NHS"]
