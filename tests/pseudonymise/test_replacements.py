"""Consistent replacements across a project: people, places, organisations by kind, date policies, ages and
the fixed labels; and overlap resolution."""

from __future__ import annotations

import pytest

from bctcoder.errors import InputError
from bctcoder.pseudonymise import Finding, NameEntry, StudyLists, propose_replacements, resolve_overlaps
from bctcoder.pseudonymise.name_matching import normalise_name, within_one_edit
from bctcoder.pseudonymise.replacements import date_replacement, letters, organisation_kind


def mentions(document: str, text: str, *spans: tuple[str, str]) -> list[Finding]:
    """Findings for each (words, category) in ``text``, at their first occurrence after the previous one."""
    out, at = [], 0
    for words, category in spans:
        start = text.index(words, at)
        out.append(Finding(document, start, start + len(words), words, category, 0.9, "test"))
        at = start + len(words)
    return out


def labels(proposals):
    return [(p.document, p.text, p.replacement) for p in proposals]


def test_people_numbered_by_first_appearance_and_consistent_across_documents():
    a = mentions("a", "Karen Smith and Dr Patel met Karen.", ("Karen Smith", "PERSON"), ("Patel", "PERSON"),
                 ("Karen", "PERSON"))
    b = mentions("b", "Later Karen's sister and Patel.", ("Karen", "PERSON"), ("Patel", "PERSON"))
    proposals = propose_replacements(a + b)
    assert labels(proposals) == [("a", "Karen Smith", "[Person 1]"), ("a", "Patel", "[Person 2]"),
                                 ("a", "Karen", "[Person 1]"), ("b", "Karen", "[Person 1]"),
                                 ("b", "Patel", "[Person 2]")]
    assert len({p.entity for p in proposals}) == 2


def test_document_order_as_given_not_alphabetical():
    b = mentions("b", "Zoe was here.", ("Zoe", "PERSON"))
    a = mentions("a", "Amy was here.", ("Amy", "PERSON"))
    assert labels(propose_replacements(b + a)) == [("b", "Zoe", "[Person 1]"), ("a", "Amy", "[Person 2]")]


def test_study_list_replacements_aliases_parts_and_misspellings():
    lists = StudyLists(people=[NameEntry("Elizabeth Harper", ["Liz", "Lizzie"], "[Peer worker 1]"),
                               NameEntry("Jonathan Price", ["Jon"], "[Participant 2]"),
                               NameEntry("Robert Kaye", ["Bob"])])
    text = "Liz, Elizabeth, Harper, Lizzie Harper, Jon, Johnathan, Jonathan Price, Bob, Robert, Mark."
    findings = mentions("d", text, *[(w, "PERSON") for w in ("Liz", "Elizabeth", "Harper", "Lizzie Harper", "Jon",
                                                            "Johnathan", "Jonathan Price", "Bob", "Robert", "Mark")])
    got = {p.text: p.replacement for p in propose_replacements(findings, lists)}
    assert {got[w] for w in ("Liz", "Elizabeth", "Harper", "Lizzie Harper")} == {"[Peer worker 1]"}
    assert {got[w] for w in ("Jon", "Johnathan", "Jonathan Price")} == {"[Participant 2]"}
    assert got["Bob"] == got["Robert"] == "[Person 1]"     # listed without a fixed replacement: numbered
    assert got["Mark"] == "[Person 2]"


def test_spelling_variants_of_five_letters_or_more_are_one_person_shorter_ones_are_not():
    findings = mentions("d", "Jonathan and Johnathan, Jane and Janet.", ("Jonathan", "PERSON"),
                        ("Johnathan", "PERSON"), ("Jane", "PERSON"), ("Janet", "PERSON"))
    got = [p.replacement for p in propose_replacements(findings)]
    assert got[0] == got[1] and got[2] != got[3]


def test_a_first_name_shared_by_two_full_names_is_not_guessed():
    findings = mentions("d", "Sam Hill and Sam Jones; Sam.", ("Sam Hill", "PERSON"), ("Sam Jones", "PERSON"),
                        ("Sam", "PERSON"))
    got = [p.replacement for p in propose_replacements(findings)]
    assert len(set(got)) == 3


def test_a_first_name_prefers_the_full_name_in_its_own_document():
    a = mentions("a", "Sam Hill.", ("Sam Hill", "PERSON"))
    b = mentions("b", "Sam Jones and Sam.", ("Sam Jones", "PERSON"), ("Sam", "PERSON"))
    got = [p.replacement for p in propose_replacements(a + b)]
    assert got == ["[Person 1]", "[Person 2]", "[Person 2]"]


def test_places_lettered_countries_apart_and_listed_replacements():
    lists = StudyLists(places=[NameEntry("Harehills", ["Harehill"], "[Area 1]")])
    findings = mentions("d", "Leeds, Poland, Bradford, Leeds, Harehill, Harehills.", ("Leeds", "PLACE"),
                        ("Poland", "PLACE"), ("Bradford", "PLACE"), ("Leeds", "PLACE"), ("Harehill", "PLACE"),
                        ("Harehills", "PLACE"))
    assert [p.replacement for p in propose_replacements(findings, lists)] == [
        "[Town A]", "[Country A]", "[Town B]", "[Town A]", "[Area 1]", "[Area 1]"]


@pytest.mark.parametrize("name, kind", [
    ("Leeds General Infirmary", "Hospital"), ("St James's Hospital", "Hospital"),
    ("Oakwood Lane Surgery", "GP practice"),
    ("Harehills Health Centre", "GP practice"), ("Leeds and York Partnership NHS Foundation Trust", "NHS trust"),
    ("Leeds Teaching Hospitals NHS Trust", "NHS trust"), ("University of Leeds", "University"),
    ("Park Lane College", "School"), ("Leeds City Council", "Council"), ("St Aidan's Church", "Church"),
    ("Makkah Mosque", "Place of worship"), ("Mindful Steps", "Organisation"),
    ("Chapeltown Community Centre", "Organisation"),
])
def test_organisation_kinds(name, kind):
    assert organisation_kind(name) == kind


def test_organisations_lettered_per_kind_and_short_names_joined():
    findings = mentions("d", "Leeds General Infirmary, St James's Hospital, Mindful Steps, St James's, Asda.",
                        ("Leeds General Infirmary", "ORGANISATION"), ("St James's Hospital", "ORGANISATION"),
                        ("Mindful Steps", "ORGANISATION"), ("St James's", "ORGANISATION"), ("Asda", "ORGANISATION"))
    assert [p.replacement for p in propose_replacements(findings)] == [
        "[Hospital A]", "[Hospital B]", "[Organisation A]", "[Hospital B]", "[Organisation B]"]


@pytest.mark.parametrize("text, month, year, remove", [
    ("3 March 2019", "[March 2019]", "[2019]", "[date]"), ("12/05/2021", "[May 2021]", "[2021]", "[date]"),
    ("August", "[date]", "[date]", "[date]"), ("winter of 2021", "[2021]", "[2021]", "[date]"),
    ("Tuesday 14th June 2022", "[June 2022]", "[2022]", "[date]"), ("2019", "[2019]", "[2019]", "[date]"),
])
def test_date_policies(text, month, year, remove):
    assert (date_replacement(text, "month"), date_replacement(text, "year"), date_replacement(text, "remove")) == (
        month, year, remove)
    finding = Finding("d", 0, len(text), text, "DATE", 0.9, "test")
    assert propose_replacements([finding], dates="year")[0].replacement == year


def test_unknown_date_policy():
    with pytest.raises(InputError, match="date policy"):
        propose_replacements([], dates="week")


def test_ages_and_fixed_labels():
    text = "34 forties 0113 496 0732 a@b.org 14 Mill Lane 943 476 5919 LS6 3QF"
    findings = mentions("d", text, ("34", "AGE"), ("forties", "AGE"), ("0113 496 0732", "PHONE"), ("a@b.org", "EMAIL"),
                        ("14 Mill Lane", "ADDRESS"), ("943 476 5919", "NHS_NUMBER"), ("LS6 3QF", "POSTCODE"))
    assert [p.replacement for p in propose_replacements(findings)] == [
        "[age 30s]", "[age 40s]", "[phone number]", "[email address]", "[address]", "[NHS number]", "[postcode]"]


def test_proposals_carry_the_finding_and_no_id():
    finding = Finding("d", 0, 5, "Sarah", "PERSON", 0.9, "test")
    proposal = propose_replacements([finding])[0]
    assert proposal.finding == finding and proposal.id is None and proposal.entity == "person:sarah"


def test_overlaps_longest_then_highest_score():
    findings = [Finding("d", 0, 23, "Leeds General Infirmary", "ORGANISATION", 0.6, "a"),
                Finding("d", 0, 5, "Leeds", "PLACE", 0.9, "b"),
                Finding("d", 30, 35, "Sarah", "PERSON", 0.6, "a"),
                Finding("d", 30, 35, "Sarah", "PLACE", 0.7, "b"),
                Finding("e", 0, 3, "Bob", "PERSON", 0.5, "a"),
                Finding("d", 34, 40, "h Jone", "PERSON", 0.9, "c")]
    resolved = resolve_overlaps(findings)
    assert [(f.document, f.text, f.category) for f in resolved] == [
        ("d", "Leeds General Infirmary", "ORGANISATION"), ("d", "h Jone", "PERSON"), ("e", "Bob", "PERSON")]


def test_name_comparison_helpers():
    assert normalise_name("  The Becklin   Centre’s ") == "becklin centre"
    assert within_one_edit("Sarha", "Sarah") and within_one_edit("Sara", "Sarah") and not within_one_edit("Sam", "Pat")
    assert [letters(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
