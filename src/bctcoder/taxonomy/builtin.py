"""The taxonomies that ship with bctcoder.

``bcttv1`` is the Behaviour Change Technique Taxonomy v1 (93 techniques in 16
groups, official numbers and labels). ``relational`` is the extension group 17
"Relational aspects" found inductively by Marks et al. (2022). Descriptions and
cue phrases in the data files are our own plain-language wording for coders and
for the suggestion models; they are not the official BCTTv1 definitions (import
the BCT Ontology with ``bctcoder taxonomy import-bcto`` to attach those).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from bctcoder.errors import TaxonomyError

BUILTIN_TAXONOMIES: dict[str, tuple[str, ...]] = {
    "bcttv1": ("bcttv1",),
    "bcttv1+relational": ("bcttv1", "relational"),
}
"""Named built-in taxonomies and the data files (parts) each is made of."""

DEFAULT_TAXONOMY = "bcttv1+relational"


@cache
def load_part(part: str) -> dict[str, Any]:
    """The parsed data file of one built-in taxonomy part (``bcttv1`` or ``relational``)."""
    data_dir = resources.files("bctcoder.taxonomy") / "data"
    text = (data_dir / f"{part}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def parts_of(name: str) -> tuple[str, ...]:
    """The data parts a built-in taxonomy name stands for; error on unknown names."""
    try:
        return BUILTIN_TAXONOMIES[name]
    except KeyError:
        known = ", ".join(BUILTIN_TAXONOMIES)
        raise TaxonomyError(f"unknown taxonomy {name!r}; built-in taxonomies: {known}") from None


def builtin_rows(name: str = DEFAULT_TAXONOMY) -> list[dict[str, Any]]:
    """One plain dict per technique of a built-in taxonomy, in taxonomy order."""
    rows = []
    for part in parts_of(name):
        data = load_part(part)
        for group in data["groups"]:
            for tech in group["techniques"]:
                rows.append(
                    {
                        "id": tech["number"],
                        "label": tech["label"],
                        "group_id": group["number"],
                        "group_label": group["label"],
                        "extension": bool(data.get("extension", False)),
                        "taxonomy": data["name"],
                        "version": str(data["version"]),
                        "description": tech.get("description"),
                        "cues": list(tech.get("cues") or []),
                        "official_definition": None,
                        "kind": "technique",
                    }
                )
    return rows
