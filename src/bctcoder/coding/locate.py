"""Finding a quoted passage in a document's canonical text.

A quote copied from Word, a PDF or another tool often differs from the transcript only in typography: curly
against straight quotes, an en or em dash against a hyphen (or ``--``), the ellipsis character against
``...``, a non-breaking or narrow space against a space. :func:`locate_quote` tries, in order: the exact
text, then any whitespace, then those typographic variants too; the spans it returns are always exact code
point offsets into the text itself (the pattern is matched against the text, never a changed copy), so
``text[start:end]`` is the passage as the transcript has it. :func:`typography_differences` says which
substitutions a match needed.
"""

from __future__ import annotations

import re

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b\u2032`\u00b4"   # ' ‘ ’ ‚ ‛ ′ ` ´
DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u2033'          # " “ ” „ ‟ ″
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"       # - ‐ ‑ ‒ – — ― −
ELLIPSIS = "\u2026"                                          # …

_TOKEN = re.compile(r"\s+|\.\.\.|\u2026|--|.", re.DOTALL)
_SINGLE = "[" + re.escape(SINGLE_QUOTES) + "]"
_DOUBLE = "[" + re.escape(DOUBLE_QUOTES) + "]"
_DASH = "[" + re.escape(DASHES) + "]{1,2}"   # "--" is how plain text writes a dash; "——" is one too
_DOTS = r"(?:\.\.\.|\u2026)"
_FOLD = str.maketrans({**{c: "'" for c in SINGLE_QUOTES}, **{c: '"' for c in DOUBLE_QUOTES},
                       **{c: "-" for c in DASHES}, ELLIPSIS: "..."})


def locate_quote(text: str, quote: str) -> tuple[list[tuple[int, int]], str]:
    """All spans where ``quote`` occurs in ``text``, and how it was found.

    Exact matches first (``"exact"``); failing that, a whitespace-insensitive match (``"whitespace"``: any
    run of whitespace in either matches any run in the other, non-breaking and narrow spaces included);
    failing that, one that also takes typographic variants as equal (``"typography"``: see the module's
    docstring and :func:`typography_differences`). Returns ([], "none") when the quote is not in the text.
    """
    quote = quote.strip()
    if not quote:
        return [], "none"
    spans = []
    start = text.find(quote)
    while start != -1:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    if spans:
        return spans, "exact"
    tokens = quote.split()
    pattern = re.compile(r"\s+".join(re.escape(t) for t in tokens))
    spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if spans:
        return spans, "whitespace"
    spans = [(m.start(), m.end()) for m in typographic_pattern(quote).finditer(text)]
    if spans:
        return spans, "typography"
    return [], "none"


def typographic_pattern(quote: str) -> re.Pattern[str]:
    """A pattern matching ``quote`` with any whitespace runs and any typographic variants of its quotation
    marks, dashes and ellipses."""
    parts = []
    for token in _TOKEN.findall(quote):
        if token.isspace():
            parts.append(r"\s+")
        elif token in ("...", ELLIPSIS):
            parts.append(_DOTS)
        elif token == "--" or token in DASHES:
            parts.append(_DASH)
        elif token in SINGLE_QUOTES:
            parts.append(_SINGLE)
        elif token in DOUBLE_QUOTES:
            parts.append(_DOUBLE)
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def _marks(text: str, chars: str) -> list[str]:
    return [c for c in text if c in chars]


def typography_differences(found: str, quote: str) -> list[str]:
    """The substitutions that make ``quote`` read as ``found`` (the text a match covers), in words."""
    out = []
    if _marks(found, SINGLE_QUOTES) != _marks(quote, SINGLE_QUOTES):
        out.append("curly and straight single quotes (apostrophes) taken as equal")
    if _marks(found, DOUBLE_QUOTES) != _marks(quote, DOUBLE_QUOTES):
        out.append("curly and straight double quotes taken as equal")
    if _marks(found, DASHES) != _marks(quote, DASHES):
        out.append("dashes and hyphens taken as equal")
    if found.count(ELLIPSIS) != quote.count(ELLIPSIS):
        out.append("the ellipsis character and '...' taken as equal")
    if [c for c in found if c.isspace() and c not in " \n"] != [c for c in quote if c.isspace() and c not in " \n"]:
        out.append("non-breaking, narrow and ordinary spaces taken as equal")
    return out


def fold_typography(text: str) -> str:
    """``text`` with every quotation mark, dash and ellipsis in one plain form (for comparing, not storing)."""
    return text.translate(_FOLD).replace("--", "-")


def same_quote(a: str, b: str) -> bool:
    """Whether two quotes are equal up to whitespace runs and typographic variants."""
    return a.split() == b.split() or fold_typography(a).split() == fold_typography(b).split()
