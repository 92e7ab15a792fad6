"""The pure-Python recognisers (no Presidio, no spaCy): each category on small examples, and what they must
leave alone."""

from __future__ import annotations

import pytest

from bctcoder.pseudonymise import find_patterns
from bctcoder.pseudonymise.date_and_age_recognisers import age_band, date_parts, find_ages, find_dates
from bctcoder.pseudonymise.name_patterns import (
    find_capitalised_names,
    find_organisation_names,
    find_titled_names,
    is_sentence_start,
)
from bctcoder.pseudonymise.pattern_recognisers import (
    find_addresses,
    find_emails,
    find_nhs_numbers,
    find_phone_numbers,
    find_postcodes,
    nhs_number_is_valid,
)
from bctcoder.pseudonymise.speaker_labels import is_role_label, mask_role_labels, name_labels


def texts(text, matches):
    return [text[m.start:m.end] for m in matches]


def test_postcodes_full_and_outward_with_context_only():
    text = "I live at LS6 3QF, she moved to BD96RJ. My postcode is LS7 and the HU3 area is rough. SP2 said M1 is busy."
    assert texts(text, find_postcodes(text)) == ["LS6 3QF", "BD96RJ", "LS7", "HU3"]


@pytest.mark.parametrize("number, valid", [("9434765919", True), ("6260181590", True), ("4830166134", True),
                                           ("9434765918", False), ("1234567890", False), ("123456789", False)])
def test_nhs_check_digit(number, valid):
    assert nhs_number_is_valid(number) is valid


def test_nhs_numbers_in_any_grouping_need_a_valid_check_digit_unless_named():
    text = "943 476 5919, 943-476-5919, 9434765919, 943 476 5918, and my NHS number is 123 456 7890. Ring 123 456 7891."
    assert texts(text, find_nhs_numbers(text)) == ["943 476 5919", "943-476-5919", "9434765919", "123 456 7890"]


def test_emails():
    text = "Write to sarah.w.swims@gmail.com. or a.haddad@leeds-students.example.org, not @someone or me@home."
    assert texts(text, find_emails(text)) == ["sarah.w.swims@gmail.com", "a.haddad@leeds-students.example.org"]


def test_phone_numbers_uk_and_international():
    text = ("Ring 0113 496 0732 or 07700 900461 2 times, +44 7700 900987, (0113) 496 0845, +48 22 123 4567, "
            "0044 20 7946 0000. Not 12/05/2021, not 2019, not 943 476 5919, not 10:30.")
    assert texts(text, find_phone_numbers(text)) == ["0113 496 0732", "07700 900461", "+44 7700 900987",
                                                     "(0113) 496 0845", "+48 22 123 4567", "0044 20 7946 0000"]


def test_addresses_with_and_without_numbers():
    text = ("14 Cardigan Close, LS6. Flat 3, 41 Roundhay Road. Unit 4, 27 Meanwood Road. We met on Harehills Lane "
            "near the High Street. 22 Beckett St, Leeds. I walked 3 miles.")
    found = texts(text, find_addresses(text))
    for expected in ("14 Cardigan Close", "Flat 3, 41 Roundhay Road", "Unit 4, 27 Meanwood Road", "Harehills Lane",
                     "22 Beckett St"):
        assert expected in found
    assert not any("High Street" in f for f in found)
    assert not any("miles" in f for f in found)


@pytest.mark.parametrize("text, expected", [
    ("It was 3 March 2019.", "3 March 2019"),
    ("On the 21st of February we met.", "the 21st of February"),
    ("Tuesday 14th June 2022 was the day.", "Tuesday 14th June 2022"),
    ("Since March 2019 I have", "March 2019"),
    ("On 03/03/2019 and", "03/03/2019"),
    ("submitted on 4/9/23.", "4/9/23"),
    ("on 2019-03-03.", "2019-03-03"),
    ("the winter of 2021 was", "winter of 2021"),
    ("back in 2014 I", "2014"),
    ("Friday the 7th", "Friday the 7th"),
    ("in May I moved", "May"),
])
def test_dates(text, expected):
    assert expected in texts(text, find_dates(text))


@pytest.mark.parametrize("text", ["last Tuesday I went", "every Monday", "two weeks ago", "yesterday",
                                  "I hope it may help", "2000 people came", "at 10:30", "Bob and May went"])
def test_not_dates(text):
    assert find_dates(text) == []


@pytest.mark.parametrize("text, expected", [
    ("I'm 34, I live alone.", "34"), ("I am 52 years old", "52 years old"), ("aged 52", "52"),
    ("a 34-year-old woman", "34-year-old"), ("I'm in my forties", "forties"),
    ("she's in her early twenties.", "early twenties"), ("he turned 60 and", "60"), ("she's nineteen.", "nineteen"),
    ("when I was 16 when", "16"), ("he's in his 50s", "50s"),
])
def test_ages(text, expected):
    assert expected in texts(text, find_ages(text))


@pytest.mark.parametrize("text", ["I'm 5 minutes away", "I was 16 stone", "I'm 100 percent sure", "I'm 2 weeks in",
                                  "the twenties were roaring"])
def test_not_ages(text):
    assert find_ages(text) == []


@pytest.mark.parametrize("text, parts", [("3 March 2019", (3, 2019)), ("4/9/23", (9, 2023)), ("August", (8, None)),
                                         ("winter of 2021", (None, 2021)), ("2019-03-03", (3, 2019)),
                                         ("03/2019", (3, 2019)), ("Sept '21", (9, 2021))])
def test_date_parts(text, parts):
    assert date_parts(text) == parts


@pytest.mark.parametrize("text, band", [("34", "[age 30s]"), ("sixty-seven", "[age 60s]"),
                                        ("early forties", "[age 40s]"), ("34-year-old", "[age 30s]"),
                                        ("19", "[age teens]"), ("7", "[age under 10]"), ("50s", "[age 50s]"),
                                        ("umpteen", "[age]")])
def test_age_bands(text, band):
    assert age_band(text) == band


def test_names_after_titles_relations_and_introductions():
    text = ("My GP, Dr Anand, gave me it. My sister Karen rang. My mum, Rose, met her. My manager, Steve Marsh, was "
            "fine. My name's Hope. A lad called Danny. Auntie May and Mrs O'Brien. My friend, I think, was there.")
    assert texts(text, find_titled_names(text)) == ["Anand", "May", "O'Brien", "Karen", "Rose", "Steve Marsh", "Hope",
                                                    "Danny"]


def test_organisations_by_their_last_word():
    text = ("I went to Harehills Health Centre, the University of Leeds and St James's Hospital. The Job Centre "
            "and the Health Centre are not names. New Testament Church of God; Kirkstall Logistics.")
    assert texts(text, find_organisation_names(text)) == ["Harehills Health Centre", "University of Leeds",
                                                          "St James's Hospital", "New Testament Church of God",
                                                          "Kirkstall Logistics"]


def test_capitalised_runs_stand_in_for_a_model():
    text = "I met Dawn Ridley and Sarah in Gipton. When Leeds won, I cheered. Thursday. I'm English."
    found = find_capitalised_names(text, {"when", "won"})
    assert texts(text, found) == ["Dawn Ridley", "Sarah", "Gipton", "Leeds"]
    assert [m.category for m in found] == ["PERSON", "PERSON", "PLACE", "PERSON"]   # the category is a guess


def test_sentence_starts():
    text = 'He said. "Hope so." And: Will\nGrace'
    assert is_sentence_start(text, 0)
    assert is_sentence_start(text, text.index("Hope"))
    assert is_sentence_start(text, text.index("Will"))
    assert is_sentence_start(text, text.index("Grace"))
    assert not is_sentence_start(text, text.index("said"))


def test_role_labels_are_blanked_and_name_labels_kept():
    text = "Interviewer: Hello.\nPW1: Yes: fine.\nSarah: Hi.\n[00:01:02] SP2: hi\nPeer worker 2: ok"
    masked = mask_role_labels(text)
    assert len(masked) == len(text)
    assert "Interviewer" not in masked and "PW1" not in masked and "SP2" not in masked and "Peer worker" not in masked
    assert "Sarah: Hi." in masked and "Yes: fine." in masked
    assert [label.text for label in name_labels(text)] == ["Sarah"]
    assert is_role_label("Participant 12") and is_role_label("INT") and not is_role_label("Grace")


def test_find_patterns_runs_every_recogniser():
    text = "Dr Patel said on 3 March 2019 that I'm 34; ring 0113 496 0732 or see me at 14 Mill Lane, LS6 3QF."
    categories = {m.category for m in find_patterns(text)}
    assert {"PERSON", "DATE", "AGE", "PHONE", "ADDRESS", "POSTCODE"} <= categories
