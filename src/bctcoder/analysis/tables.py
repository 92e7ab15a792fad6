"""The study's tables: Table 1 (sample), Table 2 (technique presence), its summary, group emphasis."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, case_frame, category, grouping_values, load_evidence, presence_frame
from bctcoder.store.models import Attribute, CaseValue
from bctcoder.taxonomy.service import get_meta

DECLINED_LABEL = "N/A (declined)"
MISSING_LABEL = "missing"


NUMERIC_TYPES = ("integer", "number")
NUMERIC_CATEGORY = "Mean (SD); median [IQR]; range"
DASH = "—"


def table1(session: Session, attributes: Iterable[str] | None = None,
           scope: Scope = Scope(), by: str = "role") -> dict[str, pd.DataFrame]:
    """Sample characteristics.

    Returns

    - ``journal``: the table as a journal prints it. Columns: Characteristic, Category, one column per value
      of ``by`` (default the role; any case attribute) headed "VALUE (n = k)", and "Total (n = N)". One row
      per category of each text, boolean or date attribute, cells "n (%)"; a numeric attribute (type
      integer or number) has one row, "mean (SD); median [IQR]; range" (minimum–maximum). A "Declined" and
      a "Missing" row (counts only) follow an attribute's rows where any case in scope declined or has no
      value. The characteristic's name is printed on its first row only. See :func:`n_percent` and
      :func:`numeric_summary` for the rules.
    - ``cases``: one row per case (case, role, attributes; declined shown as "N/A (declined)").
    - ``totals``: the long form for machines (attribute, value, role, n, role_n, percent of the role,
      percent of those who answered), declined and missing counted separately.

    Cases whose ``by`` value is declined or missing are in the Total column only. ``by`` itself is not a
    row unless named in ``attributes``.
    """
    cases = case_frame(session, scope)
    all_attrs = list(session.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)))
    attrs = all_attrs
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
    journal_attrs = attrs if attributes is not None else [a for a in attrs if a.name != by]
    journal = _journal(session, cases, journal_attrs, values, by, scope)
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
    return {"journal": journal, "cases": table, "totals": pd.DataFrame(totals, columns=[
        "attribute", "value", "role", "n", "role_n", "percent", "percent_of_answered"])}


def n_percent(n: int, answered: int) -> str:
    """A Table 1 cell: "n (%)", the percentage of ``answered`` (the column's cases who answered: declined
    and missing are not in the denominator) rounded half up to a whole number; "<1" and ">99" where
    rounding would print 0 or 100 for a share that is neither. Just "n" when nobody in the column answered.
    """
    if not answered:
        return str(n)
    pct = math.floor(Fraction(100 * n, answered) + Fraction(1, 2))
    if pct == 0 and n:
        return f"{n} (<1)"
    if pct == 100 and n < answered:
        return f"{n} (>99)"
    return f"{n} ({pct})"


def one_decimal(x: float) -> str:
    """``x`` rounded half up to one decimal place (as written in decimal, so 38.25 → 38.3)."""
    return str(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else format(float(x), ".15g")


def numeric_summary(xs: Iterable[float]) -> str:
    """A numeric Table 1 cell: "mean (SD); median [Q1–Q3]; min–max" of the values given (those who answered).

    SD is the sample standard deviation (n − 1; "—" for a single value); quartiles by linear interpolation
    (R's type 7, pandas' default); mean, SD, median and quartiles rounded half up to one decimal; the range
    as recorded. "—" when there are no values.
    """
    s = pd.Series(list(xs), dtype=float)
    if s.empty:
        return DASH
    sd = s.std()
    q1, median, q3 = s.quantile([0.25, 0.5, 0.75])
    return (f"{one_decimal(s.mean())} ({DASH if pd.isna(sd) else one_decimal(sd)}); "
            f"{one_decimal(median)} [{one_decimal(q1)}–{one_decimal(q3)}]; {_plain(s.min())}–{_plain(s.max())}")


def _journal(session: Session, cases: pd.DataFrame, attrs: list[Attribute], values: pd.DataFrame, by: str,
             scope: Scope) -> pd.DataFrame:
    """Table 1 as a journal prints it (see :func:`table1`)."""
    groups, order = grouping_values(session, by, scope)
    all_ids = list(cases["case_id"])
    columns: list[tuple[str, list[int]]] = []
    for value in order:
        members = [i for i in all_ids if i in groups.index and groups[i] == value]
        columns.append((f"{value} (n = {len(members)})", members))
    columns.append((f"Total (n = {len(all_ids)})", all_ids))
    head = ["Characteristic", "Category"]
    rows: list[list[str]] = []
    for attr in attrs:
        sub = values[values["attribute_id"] == attr.id].set_index("case_id")
        status = {i: (str(sub.loc[i, "status"]) if i in sub.index else "missing") for i in all_ids}
        value_of = {i: sub.loc[i, "value"] for i in all_ids if status[i] == "value"}
        block: list[list[str]] = []
        if attr.type in NUMERIC_TYPES:
            block.append([NUMERIC_CATEGORY] + [numeric_summary(float(value_of[i]) for i in members if i in value_of)
                                               for _, members in columns])
        else:
            counts = pd.Series(list(value_of.values()), dtype=object).value_counts()
            for category_value in sorted(counts.index, key=lambda v: (-counts[v], str(v))):
                label = {"true": "Yes", "false": "No"}.get(category_value, category_value) \
                    if attr.type == "boolean" else category_value
                cells = []
                for _, members in columns:
                    answered = [i for i in members if i in value_of]
                    cells.append(n_percent(sum(value_of[i] == category_value for i in answered), len(answered)))
                block.append([label] + cells)
        for special, label in (("declined", "Declined"), ("missing", "Missing")):
            if any(status[i] == special for i in all_ids):
                block.append([label] + [str(sum(status[i] == special for i in members)) for _, members in columns])
        for k, row in enumerate(block):
            rows.append([attr.name if k == 0 else ""] + row)
    return pd.DataFrame(rows, columns=head + [name for name, _ in columns])


def passage_counts(evidence: pd.DataFrame) -> pd.Series:
    """Distinct passages per code_id in ``evidence`` (columns document_id, code_id, start, end).

    The rule for every "quotes" count: a passage is a stretch of one document coded with one technique.
    Codings of the same technique in the same document whose spans overlap (share at least one character,
    directly or through a chain of overlapping spans) are one passage, whoever coded them and whatever
    their origin; spans that only touch (one ends where the next starts) are two passages; the same words
    coded with two techniques count once for each technique.
    """
    if evidence.empty:
        return pd.Series(dtype=int, name="quotes")
    keys = ["document_id", "code_id"]
    s = evidence[keys + ["start", "end"]].sort_values(keys + ["start", "end"])
    reach = s.groupby(keys, sort=False)["end"].cummax()
    previous = reach.groupby([s["document_id"], s["code_id"]], sort=False).shift(1)
    starts_passage = previous.isna() | (s["start"] >= previous)
    return starts_passage.groupby(s["code_id"]).sum().astype(int).rename("quotes")


def _presence(session: Session, by: str, scope: Scope) -> tuple[pd.DataFrame, list[str]]:
    """presence_frame with ``quotes`` counted as distinct passages (see :func:`passage_counts`) of the
    cases that have a value of ``by``."""
    frame, values = presence_frame(session, by, scope)
    groups, _ = grouping_values(session, by, scope)
    evidence = load_evidence(session, scope)
    evidence = evidence[evidence["case_id"].isin(groups.index)]
    frame["quotes"] = frame["code_id"].map(passage_counts(evidence)).fillna(0).astype(int)
    return frame, values


def table2(session: Session, by: str = "role", scope: Scope = Scope()) -> tuple[pd.DataFrame, list[str]]:
    """Technique presence by the values of ``by``: id, label, group, Yes/No per value, category, quotes, cases.

    ``quotes`` counts distinct passages, not codings: overlapping spans of one technique in one document
    are one passage, whoever coded them (see :func:`passage_counts`); ``cases`` counts distinct cases.
    """
    frame, values = _presence(session, by, scope)
    out = frame[["id", "label", "group_id", "group_label", "extension"]].copy()
    for value in values:
        out[value] = frame[value].map({True: "Yes", False: "No"})
    out["category"] = frame.apply(lambda row: category(row, values), axis=1) if len(frame) else []
    out["quotes"] = frame["quotes"]
    out["cases"] = frame["cases"]
    return out, values


def groups(session: Session, by: str = "role", scope: Scope = Scope()) -> pd.DataFrame:
    """Per taxonomy group: techniques supported / total, share, quotes (distinct passages, see
    :func:`passage_counts`), cases, per-value counts; ranked."""
    frame, values = _presence(session, by, scope)
    out = _group_frame(frame, values, _group_case_counts(session, frame, scope))
    return out.sort_values(["rank", "id"], key=lambda col: col if col.name == "rank" else col.map(
        lambda v: int(v) if str(v).isdigit() else 10**6), kind="stable").reset_index(drop=True)


def _group_case_counts(session: Session, frame: pd.DataFrame, scope: Scope) -> pd.Series:
    """Distinct cases with evidence per group id."""
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

    ``quotes`` (overall and per group) counts distinct passages, not codings: overlapping spans of one
    technique in one document are one passage, whoever coded them (see :func:`passage_counts`).
    """
    frame, values = _presence(session, by, scope)
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
        "quotes": int(passage_counts(evidence).sum()),
        "cases_with_evidence": int(evidence["case_id"].nunique()) if len(evidence) else 0,
    }
