"""Deterministic GUIDs for REFI-QDA exchange files.

Every GUID bctcoder writes into a codebook (``.qdc``) or project (``.qdpx``)
is a UUID version 5 over one fixed bctcoder namespace and a key naming what it
identifies, so exporting the same project twice (or two projects with the same
taxonomy) gives the same GUIDs and other tools can recognise codes across
exports. Keys in use:

* ``codebook_guid("code", taxonomy_name, technique_number)``
* ``codebook_guid("group", taxonomy_name, group_number)``
* ``codebook_guid("inductive", label)``
"""

from __future__ import annotations

import re
import uuid

__all__ = ["BCTCODER_NAMESPACE", "codebook_guid", "normalise_guid"]

#: The fixed namespace of every bctcoder GUID (itself uuid5 of the DNS namespace and "bctcoder").
BCTCODER_NAMESPACE = uuid.UUID("818a9999-031d-595e-9dae-5dbb88c78426")

#: Separates the parts of a key; a control character, so no label or number can contain it.
_SEPARATOR = "\x1f"

_GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


def codebook_guid(kind: str, *parts: str) -> str:
    """The GUID of one exported object: uuid5 over the bctcoder namespace and ``"kind:part1<US>part2..."``.

    ``kind`` says what is identified (``code``, ``group``, ``inductive``, ...); ``parts``
    identify it within that kind. The same arguments always give the same lower-case,
    unbraced GUID.
    """
    key = f"{kind}:" + _SEPARATOR.join(str(p) for p in parts)
    return str(uuid.uuid5(BCTCODER_NAMESPACE, key))


def normalise_guid(text: str | None) -> str | None:
    """A GUID as written by any tool (braced or not, any case) in lower-case unbraced form; None if malformed."""
    match = _GUID_RE.match((text or "").strip())
    return match.group(1).lower() if match else None
