"""Applying replacements and re-mapping offsets: properties (hypothesis) and the rules at the edges."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bctcoder.pseudonymise import apply_replacements


@st.composite
def texts_with_replacements(draw):
    text = draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=10)))
    replacements = []
    for start, end in zip(cuts[::2], cuts[1::2]):   # pairs of cut points: sorted, not overlapping, maybe adjacent
        if start < end and draw(st.booleans()):
            replacements.append((start, end, draw(st.text(alphabet="[]Pers0n 1é😀", max_size=12))))
    return text, replacements


def expected_span_text(text, replacements, start, end):
    """The original span widened to whole replaced spans where a boundary falls inside one, replacements
    substituted."""
    for s, e, _r in replacements:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    out, at = [], start
    for s, e, r in replacements:
        if s >= start and e <= end:
            out += [text[at:s], r]
            at = e
    out.append(text[at:end])
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(texts_with_replacements())
def test_text_outside_replacements_is_unchanged_and_in_order(case):
    text, replacements = case
    new_text, offsets = apply_replacements(text, replacements)
    boundaries = [0] + [x for s, e, _r in replacements for x in (s, e)] + [len(text)]
    for gap_start, gap_end in zip(boundaries[::2], boundaries[1::2]):   # the stretches no replacement touches
        new_start, new_end = offsets.span(gap_start, gap_end)
        assert new_text[new_start:new_end] == text[gap_start:gap_end]
    for start, end, replacement in replacements:
        new_start, new_end = offsets.span(start, end)
        assert new_text[new_start:new_end] == replacement
    assert offsets.position(0) == 0 and offsets.position(len(text)) == len(new_text)
    positions = [offsets.position(i) for i in range(len(text) + 1)]
    assert positions == sorted(positions)


@settings(max_examples=300, deadline=None)
@given(texts_with_replacements(), st.data())
def test_mapped_spans_hold_the_original_span_with_replacements_substituted(case, data):
    text, replacements = case
    new_text, offsets = apply_replacements(text, replacements)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    new_start, new_end = offsets.span(start, end)
    assert new_start <= new_end
    assert new_text[new_start:new_end] == expected_span_text(text, replacements, start, end)


def test_boundaries_inside_a_replacement_move_to_its_edges():
    text = "I met Sarah Whitfield today"
    new_text, offsets = apply_replacements(text, [(6, 21, "[Participant 1]")])
    assert new_text == "I met [Participant 1] today"
    assert offsets.span(8, 14) == (6, 21)          # part of the name → the whole replacement
    assert offsets.span(0, 8) == (0, 21)           # a coding ending inside the name covers the replacement
    assert offsets.span(22, 27) == (22, 27)        # after it: shifted by the difference (zero here)
    assert offsets.position(10) == 6


def test_shift_after_a_shorter_replacement():
    text = "Dr Anand at Leeds General Infirmary, then home."
    start = text.index("Leeds")
    new_text, offsets = apply_replacements(text, [(3, 8, "[Person 1]"), (start, start + 23, "[Hospital A]")])
    assert new_text == "Dr [Person 1] at [Hospital A], then home."
    home = text.index("home")
    assert new_text[slice(*offsets.span(home, home + 4))] == "home"


@pytest.mark.parametrize("replacements", [[(0, 5, "x"), (4, 8, "y")], [(4, 8, "y"), (0, 2, "x")], [(3, 3, "x")],
                                          [(0, 99, "x")], [(-1, 2, "x")]])
def test_overlapping_unsorted_empty_or_outside_replacements_are_refused(replacements):
    with pytest.raises(ValueError):
        apply_replacements("some text here", replacements)


def test_positions_outside_the_text_are_refused():
    _text, offsets = apply_replacements("abc", [(0, 1, "x")])
    with pytest.raises(ValueError):
        offsets.position(4)
    with pytest.raises(ValueError):
        offsets.span(2, 1)
