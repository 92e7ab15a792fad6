"""The kinds of identifier the pseudonymiser finds: one tuple, defined once.

Every :class:`~bctcoder.pseudonymise.findings.Finding` carries one of these as its ``category``; the review
CSV, the key file and the benchmark use the same names.
"""

from __future__ import annotations

from typing import Final

PERSON: Final = "PERSON"
PLACE: Final = "PLACE"
ORGANISATION: Final = "ORGANISATION"
DATE: Final = "DATE"
AGE: Final = "AGE"
PHONE: Final = "PHONE"
EMAIL: Final = "EMAIL"
ADDRESS: Final = "ADDRESS"
NHS_NUMBER: Final = "NHS_NUMBER"
POSTCODE: Final = "POSTCODE"

CATEGORIES: Final[tuple[str, ...]] = (PERSON, PLACE, ORGANISATION, DATE, AGE, PHONE, EMAIL, ADDRESS, NHS_NUMBER,
                                      POSTCODE)
"""Every identifier category, in the order reports list them."""

NAMED_CATEGORIES: Final[frozenset[str]] = frozenset({PERSON, PLACE, ORGANISATION})
"""Categories whose mentions are names (grouped into entities, matched against the study's lists)."""
