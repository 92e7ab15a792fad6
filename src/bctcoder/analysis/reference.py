"""Published technique profiles shipped with bctcoder, and comparing a project with one.

``marks2022``: Table 2 of Marks et al. (2022), Advances in Mental Health 20(2):91-101 — which of the 93
BCTTv1 techniques were evidenced by peer workers' (PW) and supported peers' (SP) quotes. Transcribed by the
bctcoder authors from the published table (presence facts only).
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, presence_frame
from bctcoder.errors import NotFoundError
from bctcoder.taxonomy.numbers import number_key

REFERENCES = {
    "marks2022": {
        "file": "marks2022.csv",
        "citation": "Marks J, Sriskandarajah N, Aurelio MM, Gillard S, Rinaldi M, Foster R, Ussher M (2022). "
                    "Advances in Mental Health 20(2):91-101, Table 2.",
        "taxonomy": "bcttv1",
    },
}


def reference_profile(name: str) -> pd.DataFrame:
    """A shipped profile: columns bct and one yes/no boolean column per role."""
    if name not in REFERENCES:
        raise NotFoundError(f"no reference profile {name!r} (known: {', '.join(REFERENCES)})")
    text = (resources.files("bctcoder.analysis") / "reference" / REFERENCES[name]["file"]).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    frame = pd.DataFrame(rows)
    for col in frame.columns[1:]:
        frame[col] = frame[col].str.lower().isin({"yes", "1", "true"})
    return frame


def reference_path(name: str) -> str:
    """Filesystem path of a shipped profile (importable with ``bctcoder import presence --by role``)."""
    if name not in REFERENCES:
        raise NotFoundError(f"no reference profile {name!r} (known: {', '.join(REFERENCES)})")
    return str(resources.files("bctcoder.analysis") / "reference" / REFERENCES[name]["file"])


def compare(session: Session, reference: str, by: str = "role", scope: Scope = Scope()) -> dict[str, Any]:
    """Techniques evidenced in the project and/or the reference, overall and per shared value, by group."""
    ref = reference_profile(reference)
    ref_values = [c for c in ref.columns if c != "bct"]
    ref_any = dict(zip(ref["bct"], ref[ref_values].any(axis=1)))
    frame, values = presence_frame(session, by, scope)
    frame = frame[frame["id"].isin(ref_any)]  # compare on the reference's techniques only
    ours = frame[values].any(axis=1) if values else pd.Series(False, index=frame.index)
    rows = []
    for (_, r), mine in zip(frame.iterrows(), ours):
        theirs = bool(ref_any[r["id"]])
        status = "both" if mine and theirs else "project only" if mine else "reference only" if theirs else "neither"
        row = {"id": r["id"], "label": r["label"], "group_id": r["group_id"], "group_label": r["group_label"],
               "project": bool(mine), "reference": theirs, "status": status}
        for v in values:
            if v in ref_values:
                ref_v = dict(zip(ref["bct"], ref[v]))
                row[f"project {v}"] = bool(r[v])
                row[f"reference {v}"] = bool(ref_v[r["id"]])
        rows.append(row)
    table = pd.DataFrame(rows)
    by_group = []
    for (gid, glabel), part in table.groupby(["group_id", "group_label"], sort=False):
        by_group.append({"id": gid, "label": glabel,
                         "project_only": sorted(part.loc[part["status"] == "project only", "id"], key=number_key),
                         "reference_only": sorted(part.loc[part["status"] == "reference only", "id"],
                                                  key=number_key),
                         "both": int((part["status"] == "both").sum())})
    counts = table["status"].value_counts().to_dict() if len(table) else {}
    return {"reference": reference, "citation": REFERENCES[reference]["citation"],
            "techniques": int(len(table)), "both": int(counts.get("both", 0)),
            "project_only": int(counts.get("project only", 0)),
            "reference_only": int(counts.get("reference only", 0)), "neither": int(counts.get("neither", 0)),
            "groups": by_group, "table": table}
