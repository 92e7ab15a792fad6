"""Cross-case comparison: case × technique matrix, PW–SP dyads, Jaccard similarity between cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, case_frame, load_evidence, techniques_frame
from bctcoder.store.models import Case, Partnership
from bctcoder.taxonomy.numbers import number_key


def matrix(session: Session, scope: Scope = Scope(), counts: bool = False) -> pd.DataFrame:
    """Rows: techniques (id, label, group); columns: cases (ordered by role); cells: presence 0/1 or counts."""
    tech = techniques_frame(session, scope.taxonomy)
    cases = case_frame(session, scope)
    cases = cases.assign(_r=cases["role"].map({"PW": 0, "SP": 1}).fillna(2)).sort_values(["_r", "case_id"])
    evidence = load_evidence(session, scope)
    grid = evidence.groupby(["code_id", "case_id"]).size().unstack(fill_value=0) if len(evidence) else \
        pd.DataFrame()
    grid = grid.reindex(index=tech["code_id"], columns=cases["case_id"], fill_value=0)
    if not counts:
        grid = (grid > 0).astype(int)
    grid.columns = list(cases["case"])
    out = tech[["id", "label", "group_id", "group_label"]].reset_index(drop=True)
    return pd.concat([out, grid.reset_index(drop=True)], axis=1)


def case_roles(session: Session, scope: Scope = Scope()) -> dict[str, str]:
    """case key → role, for labelling matrix columns."""
    return dict(zip(case_frame(session, scope)["case"], case_frame(session, scope)["role"]))


def _case_sets(session: Session, scope: Scope) -> dict[str, set[str]]:
    evidence = load_evidence(session, scope)
    tech = techniques_frame(session, scope.taxonomy).set_index("code_id")["id"]
    evidence = evidence[evidence["code_id"].isin(tech.index)]
    sets: dict[str, set[str]] = {c: set() for c in case_frame(session, scope)["case"]}
    for case, code_id in zip(evidence["case"], evidence["code_id"]):
        if case is not None:
            sets.setdefault(case, set()).add(tech[code_id])
    return sets


def dyads(session: Session, scope: Scope = Scope()) -> list[dict[str, Any]]:
    """For each partnership: techniques evidenced by both partners, by the first only, by the second only."""
    sets = _case_sets(session, scope)
    keys = dict(session.execute(select(Case.id, Case.key)).all())
    out = []
    for p in session.scalars(select(Partnership).order_by(Partnership.id)):
        a, b = keys[p.first_case_id], keys[p.second_case_id]
        if a not in sets or b not in sets:
            continue  # outside the case set in scope
        sa, sb = sets[a], sets[b]
        union = sa | sb
        out.append({"first": a, "second": b, "label": p.label,
                    "both": sorted(sa & sb, key=number_key), "first_only": sorted(sa - sb, key=number_key),
                    "second_only": sorted(sb - sa, key=number_key),
                    "jaccard": round(len(sa & sb) / len(union), 4) if union else None})
    return out


def similarity(session: Session, scope: Scope = Scope()) -> dict[str, Any]:
    """Jaccard similarity of the techniques evidenced in each pair of cases, and its mean within and
    between roles (cases with no evidence are left out of the means)."""
    sets = _case_sets(session, scope)
    roles = case_roles(session, scope)
    names = list(sets)
    techniques = sorted({t for v in sets.values() for t in v})
    index = {t: j for j, t in enumerate(techniques)}
    m = np.zeros((len(names), len(techniques)), dtype=np.int32)
    for i, name in enumerate(names):
        for t in sets[name]:
            m[i, index[t]] = 1
    inter = m @ m.T
    sizes = m.sum(axis=1)
    union = sizes[:, None] + sizes[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.where(union > 0, inter / np.where(union > 0, union, 1), np.nan)
    frame = pd.DataFrame(sim.round(4), index=names, columns=names)
    means: dict[str, dict[str, Any]] = {}
    has = sizes > 0
    role_arr = np.array([roles.get(n, "?") for n in names], dtype=object)
    upper = np.triu(np.ones_like(sim, dtype=bool), k=1) & has[:, None] & has[None, :]
    for ra in sorted(set(role_arr)):
        for rb in sorted(set(role_arr)):
            if rb < ra:
                continue
            mask = upper & (((role_arr[:, None] == ra) & (role_arr[None, :] == rb))
                            | ((role_arr[:, None] == rb) & (role_arr[None, :] == ra)))
            values = sim[mask]
            if values.size:
                key = f"within {ra}" if ra == rb else f"{ra}–{rb}"
                means[key] = {"mean": round(float(values.mean()), 4), "pairs": int(values.size)}
    return {"matrix": frame, "means": dict(sorted(means.items()))}
