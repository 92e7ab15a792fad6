"""Finding a quoted passage in a document's canonical text."""

from __future__ import annotations

import re


def locate_quote(text: str, quote: str) -> tuple[list[tuple[int, int]], str]:
    """All spans where ``quote`` occurs in ``text``, and how it was found.

    Exact matches first; failing that, a whitespace-insensitive match (any run
    of whitespace in either matches any run in the other). Returns ([], "none")
    when the quote is not in the text.
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
    return [], "none"


def same_quote(a: str, b: str) -> bool:
    """Whether two quotes are equal up to whitespace runs."""
    return a.split() == b.split()
