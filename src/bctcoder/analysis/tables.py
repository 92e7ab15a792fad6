"""The study's tables: Table 1 (sample), Table 2 (technique presence), its summary, group emphasis."""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, case_frame, category, presence_frame
from bctcoder.store.models import Attribute, CaseValue
from bctcoder.taxonomy.service import get_meta

DECLINED_LABEL = "N/A (declined)"
MISSING_LABEL = "missing"


def table1(session: Session, attributes: Iterable[str] | None = None,
           scope: Scope = Scope()) -> dict[str, pd.DataFrame]:
    """Sample characteristics by role.

    Returns ``cases`` (one row per case: case, role, attributes; declined shown
    as "N/A (declined)") and ``totals`` (attribute, value, role, n, role_n,
    percent of the role, percent of those who answered), declined and missing
    counted separately as in the seed's Table 1.
    """
    cases = case_frame(session, scope)
    attrs = list(session.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)))
    if attributes is not None:
        wanted = list(attributes)
        by_name = {a.name: a for a in attrs}
        unknown = [w for w in wanted if w not in by_name]
        if unknown:
            from bctcoder.errors import InputError

            raise InputError(f"no attribute {unknown[0]!r} (attributes: {', '.join(by_name)})", source="--attributes")
        attrs = [by_name[w] for w in wanted]
    values = pd.DataFrame(session.execute(select(CaseValue.case_id, CaseValue.attribute_id, CaseValue.value,
                                                 CaseValue.status)).all(),
                          columns=["case_id", "attribute_id", "value", "status"])
    table = cases[["case_id", "case", "role"]].copy()
    long_rows = []
    for attr in attrs:
        sub = values[values["attribute_id"] == attr.id].set_index("case_id")
        shown = []
        for case_id in table["case_id"]:
            if case_id not in sub.index or sub.loc[case_id, "status"] == "missing":
                shown.append(MISSING_LABEL)
            elif sub.loc[case_id, "status"] == "declined":
                shown.append(DECLINED_LABEL)
            else:
                shown.append(sub.loc[case_id, "value"])
        table[attr.name] = shown
        long_rows.append(attr.name)
    role_order = [r for r in ("PW", "SP") if r in set(table["role"])] + sorted(
        set(table["role"]) - {"PW", "SP"})
    table["_r"] = table["role"].map({r: i for i, r in enumerate(role_order)})
    table = table.sort_values(["_r", "case_id"]).drop(columns=["_r", "case_id"]).reset_index(drop=True)
    totals = []
    for name in long_rows:
        for role in role_order + ["All"]:
            part = table if role == "All" else table[table["role"] == role]
            n_role = len(part)
            answered = part[~part[name].isin([DECLINED_LABEL, MISSING_LABEL])]
            counts = part[name].value_counts()
            ordered = sorted(counts.index, key=lambda v: (v in (DECLINED_LABEL, MISSING_LABEL), v == MISSING_LABEL,
                                                          -counts[v], str(v)))
            for value in ordered:
                n = int(counts[value])
                special = value in (DECLINED_LABEL, MISSING_LABEL)
                totals.append({
                    "attribute": name, "value": value, "role": role, "n": n, "role_n": n_role,
                    "percent": round(100 * n / n_role, 1) if n_role else None,
                    "percent_of_answered": None if special or not len(answered) else round(
                        100 * n / len(answered), 1),
                })
    return {"cases": table, "totals": pd.DataFrame(totals, columns=[
        "attribute", "value", "role", "n", "role_n", "percent", "percent_of_answered"])}


def table2(session: Session, by: str = "role", scope: Scope = Scope()) -> tuple[pd.DataFrame, list[str]]:
    """Technique presence by the values of ``by``: id, label, group, Yes/No per value, category."""
    frame, values = presence_frame(session, by, scope)
    out = frame[["id", "label", "group_id", "group_label", "extension"]].copy()
    for value in values:
        out[value] = frame[value].map({True: "Yes", False: "No"})
    out["category"] = frame.apply(lambda row: category(row, values), axis=1) if len(frame) else []
    out["quotes"] = frame["quotes"]
    out["cases"] = frame["cases"]
    return out, values


def groups(session: Session, by: str = "role", scope: Scope = Scope()) -> pd.DataFrame:
    """Per taxonomy group: techniques supported / total, share, quotes, cases, per-value counts; ranked."""
    frame, values = presence_frame(session, by, scope)
    out = _group_frame(frame, values, _group_case_counts(session, frame, scope))
    return out.sort_values(["rank", "id"], key=lambda col: col if col.name == "rank" else col.map(
        lambda v: int(v) if str(v).isdigit() else 10**6), kind="stable").reset_index(drop=True)


def _group_case_counts(session: Session, frame: pd.DataFrame, scope: Scope) -> pd.Series:
    """Distinct cases with evidence per group id."""
    from bctcoder.analysis.evidence import load_evidence

    evidence = load_evidence(session, scope)
    if evidence.empty:
        return pd.Series(dtype=int)
    return evidence.merge(frame[["code_id", "group_id"]], on="code_id").groupby("group_id")["case_id"].nunique()


def _group_frame(frame: pd.DataFrame, values: list[str], case_counts: pd.Series | None = None) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["id", "label", "supported", "total", "share", "quotes", "cases", "rank"])
    frame = frame.copy()
    frame["supported"] = frame[values].any(axis=1) if values else False
    rows = []
    for (gid, glabel), part in frame.groupby(["group_id", "group_label"], sort=False):
        row = {"id": gid, "label": glabel, "supported": int(part["supported"].sum()), "total": len(part)}
        row["share"] = round(row["supported"] / row["total"], 4) if row["total"] else 0.0
        for value in values:
            row[f"{value}"] = int(part[value].sum())
        row["quotes"] = int(part["quotes"].sum())
        if case_counts is not None:
            row["cases"] = int(case_counts.get(gid, 0))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["rank"] = out["share"].rank(method="min", ascending=False).astype(int)
    return out


def summary(session: Session, by: str = "role", scope: Scope = Scope()) -> dict[str, Any]:
    """The study's headline figures from Table 2 as one plain object.

    Keys: taxonomy, by, values, techniques_total, supported, neither, both,
    by_value {value: {yes, only}}, groups_total, groups_covered, groups [...],
    emphasis (group labels ranked by share), quotes, cases_with_evidence.
    """
    from bctcoder.analysis.evidence import load_evidence

    frame, values = presence_frame(session, by, scope)
    evidence = load_evidence(session, scope)
    evidence = evidence[evidence["code_id"].isin(frame["code_id"])]
    case_counts = _group_case_counts(session, frame, scope)
    present = frame[values] if values else pd.DataFrame(index=frame.index)
    any_present = present.any(axis=1) if values else pd.Series(False, index=frame.index)
    n_present = present.sum(axis=1) if values else pd.Series(0, index=frame.index)
    by_value = {}
    for value in values:
        only = frame[value] & (n_present == 1)
        by_value[value] = {"yes": int(frame[value].sum()), "only": int(only.sum())}
    grp = _group_frame(frame, values)
    group_rows = []
    for _, g in grp.iterrows():
        group_rows.append({
            "id": str(g["id"]), "label": g["label"], "supported": int(g["supported"]), "total": int(g["total"]),
            "share": float(g["share"]), "quotes": int(g["quotes"]),
            "cases": int(case_counts.get(g["id"], 0)), "rank": int(g["rank"]),
            "by_value": {v: int(g[v]) for v in values},
        })
    emphasis = [g["label"] for g in sorted(group_rows, key=lambda g: (-g["share"], g["rank"]))
                if g["supported"]]
    return {
        "taxonomy": get_meta(session, "taxonomy"),
        "by": by,
        "values": values,
        "coders": list(scope.coders) if scope.coders else "all",
        "case_set": scope.case_set,
        "techniques_total": int(len(frame)),
        "supported": int(any_present.sum()),
        "neither": int((~any_present).sum()),
        "both": int((n_present == len(values)).sum()) if values else 0,
        "by_value": by_value,
        "groups_total": int(len(grp)),
        "groups_covered": int((grp["supported"] > 0).sum()) if len(grp) else 0,
        "groups": group_rows,
        "emphasis": emphasis,
        "quotes": int(len(evidence)),
        "cases_with_evidence": int(evidence["case_id"].nunique()) if len(evidence) else 0,
    }
