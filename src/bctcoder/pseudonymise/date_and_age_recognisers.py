"""Recognisers for specific dates and for ages, and the parsing the replacement policies need. Pure Python.

What counts as a date (decided for researchers, after the UK Data Service's advice that exact dates are
indirect identifiers): a day with a month ("3 March 2019", "the 21st of February", "Tuesday 14th June"),
a month with a year ("March 2019"), numeric dates read day first as in the UK ("03/03/2019", "4/9/23"),
a weekday with a day number ("Friday the 7th"), a season or festival with a year ("winter of 2021"), a year
after a word that places an event in it ("in 2019", "since 2014"), and a month alone after such a word ("in
March", "last August"). Not dates: relative or recurring times ("last Tuesday", "every Monday", "two
weeks", "yesterday"), which identify no one.

What counts as an age: a number said as someone's age ("I'm 34", "she's nineteen", "aged 52",
"34-year-old", "52 years old", "turned 60", "when I was 16") and decades of life ("in my forties", "in her
early twenties", "in his 50s"). A number followed by a unit ("I'm 5 minutes away", "I was 16 stone") is not.
"""

from __future__ import annotations

import re

from bctcoder.pseudonymise.categories import AGE, DATE
from bctcoder.pseudonymise.pattern_recognisers import Match
from bctcoder.pseudonymise.vocabulary import MONTHS

_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTH = rf"(?:{_MONTH_FULL}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?![a-z]))"
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_YEAR_END = r"(?![\d£$%])"

_DATE_PATTERNS: list[tuple[re.Pattern[str], float]] = [
    # 3 March 2019, the 21st of February, Tuesday 14th June 2022, Friday, 7 July
    (re.compile(rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+(?:{_YEAR}|'\d\d){_YEAR_END})?"),
     0.95),
    # March 3rd, 2019; Tuesday, June 14
    (re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?:the\s+)?{_DAY}(?![\d:])(?:,?\s+{_YEAR}{_YEAR_END})?"), 0.85),
    # March 2019, June of 2020, Sept '21
    (re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?(?:{_YEAR}{_YEAR_END}|'\d\d\b)"), 0.95),
    # 03/03/2019, 4/9/23, 12.04.21, 12-05-2021 (day first)
    (re.compile(r"(?<![\d/.\-])(?:3[01]|[12]\d|0?[1-9])([/.\-])(?:1[0-2]|0?[1-9])\1(?:(?:19|20)\d{2}|\d{2})"
                r"(?![\d/\-]|\.\d)"), 0.95),
    # 2019-03-03
    (re.compile(r"(?<![\d/.\-])(?:19|20)\d{2}-(?:1[0-2]|0[1-9])-(?:3[01]|[12]\d|0[1-9])(?![\d\-])"), 0.95),
    # 03/2019
    (re.compile(r"(?<![\d/.\-])(?:1[0-2]|0?[1-9])/(?:19|20)\d{2}(?![\d/])"), 0.8),
    # Friday the 7th, Tuesday 5th
    (re.compile(rf"\b{_WEEKDAY}\s+(?:the\s+)?(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)\b"), 0.85),
    # winter of 2021, summer 2019, Christmas 2018
    (re.compile(rf"\b(?i:spring|summer|autumn|fall|winter|christmas|easter|new year|half[- ]term)"
                rf"(?:\s+of)?\s+{_YEAR}{_YEAR_END}"), 0.9),
]
_YEAR_IN_CONTEXT = re.compile(
    rf"\b(?i:in|since|until|till|til|from|by|during|before|after|around|circa|c\.|early|late|mid|of|year|back in)"
    rf"\s+(?:the\s+(?:year\s+)?)?(?P<year>{_YEAR})(?:/\d\d)?{_YEAR_END}"
    r"(?!\s*(?:%|percent|people|pounds|quid|calories|miles|steps|words|times|hours|minutes|mg|ml|kg|metres|"
    r"meters|feet|members|patients|staff|users|referrals|cases|beds|of\s+(?:us|them)))")
_NAME_LIKE_MONTHS = "April|May|June|August"
_MONTH_ALONE = re.compile(
    rf"\b(?i:in|since|until|till|by|from|during|before|after|around|last|next|early|mid|late|of|through|"
    rf"throughout|end of|beginning of|start of|middle of)\s+(?:the\s+)?(?:(?i:early|mid|late|end of|"
    rf"beginning of|start of|middle of)\s+)?(?P<month>{_MONTH_FULL})\b(?!\s+(?:\d|the\s+\d))"
    rf"|\b(?i:and|or|to|every|each|this|that)\s+(?P<other>(?!{_NAME_LIKE_MONTHS})(?:{_MONTH_FULL}))\b"
    rf"(?!\s+(?:\d|the\s+\d))")


def find_dates(text: str) -> list[Match]:
    """Specific dates (see the module's docstring for what counts)."""
    found: list[Match] = []
    for pattern, score in _DATE_PATTERNS:
        found.extend(Match(m.start(), m.end(), DATE, score, "pattern:date") for m in pattern.finditer(text))
    for m in _YEAR_IN_CONTEXT.finditer(text):
        found.append(Match(m.start("year"), m.end(), DATE, 0.75, "pattern:date"))
    for m in _MONTH_ALONE.finditer(text):
        group = "month" if m.group("month") else "other"
        found.append(Match(m.start(group), m.end(group), DATE, 0.7, "pattern:date"))
    return found


_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_DECADES = {"teens": 10, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60,
            "seventies": 70, "eighties": 80, "nineties": 90}
_NUMBER_WORD = (rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS[1:10])}))?"
                rf"|{'|'.join(sorted(_UNITS[1:], key=len, reverse=True))}|a hundred)")
_AGE_NUMBER = rf"(?:1[01]\d|\d{{1,2}}|(?i:{_NUMBER_WORD}))(?![\d.,:/]\d)"
_AFTER_AGE = (r"(?=\s*(?:[.,;!?)…]|$|-\s|—|–)|\s+(?:years?|yrs?|y/?o|now|next|this|in|and|but|so|when|then|at|"
              r"with|going|too|myself|today|actually|though|mate|love|nearly|soon|or|if|I|I'm|she|he|they|you|"
              r"we|because|cos|since|last|by|on)\b)")
_PERSON_IS = (r"(?:I'm|I’m|I am|he's|he’s|she's|she’s|he is|she is|they're|they’re|they are|you're|you’re|"
              r"you are|we're|we’re|I'll be|I’ll be|he'll be|she'll be|I will be|I was|he was|she was|we were|"
              r"they were|you were)")
_AGE_PATTERNS: list[tuple[re.Pattern[str], float, bool]] = [   # (pattern, score, whole match is the span)
    (re.compile(rf"\b(?i:{_PERSON_IS})\s+(?:(?i:still|only|just|nearly|almost|about|around|now|turning|"
                rf"coming up to|going on|barely|already)\s+)?(?P<age>{_AGE_NUMBER}){_AFTER_AGE}", re.M), 0.85, False),
    (re.compile(rf"\b(?P<age>{_AGE_NUMBER})(?:[- ]|\s*-\s*)(?i:years?|yrs?|yr)[- ](?i:old)\b"), 0.95, True),
    (re.compile(rf"\b(?P<age>{_AGE_NUMBER})\s+(?i:years?\s+of\s+age)\b"), 0.95, False),
    (re.compile(rf"\b(?i:aged?|age of|at the age of)\s+(?:(?i:about|around|just|only)\s+)?(?P<age>{_AGE_NUMBER})"
                rf"(?![\d%])"), 0.9, False),
    (re.compile(rf"\b(?i:turned|turning|turns|turn)\s+(?P<age>{_AGE_NUMBER}){_AFTER_AGE}"), 0.85, False),
    (re.compile(r"\b(?P<age>\d{1,3})\s?(?i:yo|y/o|yrs old)\b"), 0.9, True),
    (re.compile(r"\b(?i:in|into)\s+(?i:my|his|her|their|your|our|the)\s+"
                rf"(?P<age>(?:(?i:early|mid|late)[- ]?)?(?:(?i:{'|'.join(_DECADES)})|[1-9]0s|[1-9]0's))\b"), 0.9,
     False),
]


def find_ages(text: str) -> list[Match]:
    """Ages of people (see the module's docstring for what counts)."""
    found = []
    for pattern, score, whole in _AGE_PATTERNS:
        for m in pattern.finditer(text):
            value = age_value(m.group("age"))
            if value is None or not 0 < value <= 110:
                continue
            found.append(Match(m.start("age"), m.end() if whole else m.end("age"), AGE, score, "pattern:age"))
    return found


def age_value(text: str) -> int | None:
    """The age a matched expression says, in years: "34" → 34, "sixty-seven" → 67, "early forties" → 40,
    "34-year-old" → 34; None when it is not a number we read."""
    words = text.casefold().replace("’", "'").replace("-", " ").split()
    words = [w for w in words if w not in ("early", "mid", "late", "year", "years", "old", "yr", "yrs")]
    if not words:
        return None
    first = words[0]
    if first.rstrip("'s").endswith("0") and first.rstrip("'s").isdigit():
        return int(first.rstrip("'s"))
    if first in _DECADES:
        return _DECADES[first]
    if first.isdigit():
        return int(first)
    if " ".join(words) == "a hundred":
        return 100
    total = 0
    for word in words:
        if word in _TENS:
            total += _TENS[word]
        elif word in _UNITS:
            total += _UNITS.index(word)
        else:
            return None
    return total


def age_band(text: str) -> str:
    """The replacement for an age: its decade of life, "[age 30s]"; "[age teens]" for 10–19, "[age under
    10]" below; "[age]" when the text does not say a number we read."""
    value = age_value(text)
    if value is None:
        return "[age]"
    if value < 10:
        return "[age under 10]"
    if value < 20:
        return "[age teens]"
    return f"[age {value // 10 * 10}s]"


_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,4})(?:[/.\-](\d{2,4}))?")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)|'(\d\d)\b")
_MONTH_WORD = re.compile(r"[A-Za-z]+")


def date_parts(text: str) -> tuple[int | None, int | None]:
    """(month, year) a date expression states, each None when it does not: "3 March 2019" → (3, 2019),
    "4/9/23" → (9, 2023), "August" → (8, None), "winter of 2021" → (None, 2021)."""
    numeric = _NUMERIC_DATE.fullmatch(text.strip())
    if numeric:
        first, second, third = numeric.groups()
        if len(first) == 4:          # 2019-03-03
            return int(second), int(first)
        if third is None:            # 03/2019
            return (int(first), int(second)) if len(second) == 4 else (None, None)
        numeric_year = int(third) if len(third) == 4 else 2000 + int(third) if int(third) < 50 else 1900 + int(third)
        return (int(second) if 1 <= int(second) <= 12 else None), numeric_year
    month: int | None = None
    for word in _MONTH_WORD.findall(text):
        number = MONTHS.get(word.casefold())
        if number is not None and (word[0].isupper()):
            month = number
            break
    year: int | None = None
    found = _ANY_YEAR.search(text)
    if found:
        year = int(found.group(1)) if found.group(1) else 2000 + int(found.group(2))
    return month, year
