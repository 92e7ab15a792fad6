"""QCA of a project's cases (:func:`project_qca`) or of any cases × sets DataFrame (:func:`data_qca`).

:func:`qca_dataset` builds the data from case attributes and codings; :func:`run_qca` returns the truth
table, the solutions and the necessity table as plain data (dicts, lists, DataFrames).

Project conditions and outcome are named as follows (first match wins):

* ``name=value``: membership 1 when the case's attribute ``name`` (``role``
  included) equals ``value``, else 0 (``role=PW``, ``sex=Woman``);
* an attribute name: boolean attributes give 0/1; integer and number
  attributes their value (whole numbers 0-9 are crisp or multi-value sets,
  fractions must be fuzzy memberships in [0, 1] and need ``fuzzy=True``; other
  values need a calibration); text and date attributes need ``name=value``
  (a text attribute holding only 0 and 1 is read as 0/1);
* a technique number (``3.1``) or a code's label: the technique's evidence in
  the case (see :func:`qca_dataset`).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bctcoder.analysis.evidence import Scope, case_frame, load_evidence
from bctcoder.errors import InputError
from bctcoder.participants.cases import parse_typed
from bctcoder.qca.calibrate import calibrate
from bctcoder.qca.minimize import Solution, minimize, parse_directions
from bctcoder.qca.necessity import necessity
from bctcoder.qca.truth_table import truth_table
from bctcoder.store.models import Attribute, CaseValue, Document
from bctcoder.taxonomy.service import find_code

MIN_CASES = 2
"""Fewest cases (after dropping those with declined or missing values) a QCA is run on."""

MAX_LEVELS = 10
"""Multi-value conditions have levels 0-9; larger whole numbers are raw values that need a calibration."""

DEFAULT_QUOTES_FOR_FULL_MEMBERSHIP = 3
"""``k`` of :func:`quotes_membership` unless a calibration gives another."""

FORBIDDEN = ("~", "*", "+", "[", "]")


def _names(value: Iterable[str] | str | None, field: str) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [str(v).strip() for v in items if str(v).strip()]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"{dup!r} is listed more than once", source=field)
    for name in names:
        if any(ch in name for ch in FORBIDDEN):
            raise InputError(f"name {name!r} may not contain ~ * + [ ] (write the outcome's negation as ~NAME "
                             "or use negate)", source=field)
    return names


def _thresholds(calibration: Mapping[str, Any] | None, name: str) -> list[float] | None:
    value = (calibration or {}).get(name)
    if value is None:
        return None
    try:
        values = [float(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    except (TypeError, ValueError):
        values = []
    if not values:
        raise InputError(f"calibration of {name!r} must be numbers, not {value!r}", source="--calibrate")
    return values


def _calibrated(raw: pd.Series, name: str, thresholds: list[float], fuzzy: bool, field: str) -> pd.Series:
    """Calibrate the non-missing values: (e, c, i) direct method when fuzzy, crisp thresholds otherwise."""
    known = raw.dropna()
    if fuzzy and len(thresholds) != 3:
        raise InputError(f"fuzzy calibration of {name!r} needs three thresholds e,c,i", source="--calibrate")
    try:
        out = calibrate(known, thresholds, method="direct" if fuzzy else "crisp")
    except InputError as exc:
        raise InputError(f"calibration of {name!r}: {exc.reason}", source="--calibrate") from None
    return pd.Series(out, index=known.index).reindex(raw.index)


def check_memberships(values: pd.Series, name: str, fuzzy: bool, field: str) -> None:
    """Refuse values that are neither crisp/multi-value levels nor (when ``fuzzy``) memberships in [0, 1]."""
    known = values.dropna()
    if (known < 0).any():
        raise InputError(f"{name!r} has negative values; give a calibration", source=field)
    if (known == known.round()).all():
        if (known >= MAX_LEVELS).any():
            raise InputError(f"{name!r} has values above {MAX_LEVELS - 1}; give a calibration (thresholds, or "
                             "e,c,i with fuzzy sets) to turn them into set memberships", source=field)
        return
    if (known > 1).any():
        raise InputError(f"{name!r} has fractional values above 1; give a calibration (e,c,i)", source=field)
    if not fuzzy:
        raise InputError(f"{name!r} holds fuzzy memberships; use fuzzy sets (--fuzzy)", source=field)


def quotes_membership(quotes, k: float = DEFAULT_QUOTES_FOR_FULL_MEMBERSHIP):
    """Fuzzy membership in "the case shows the technique" from its number of quotes.

    No quote is fully out (0); any evidence is more in than out,
    ``0.5 + quotes / (2k)``, up to fully in (1) from ``k`` quotes on. With the
    default ``k = 3``: 0, .667, .833, 1 for 0, 1, 2, 3+ quotes. A case is thus
    in the same truth table row as with crisp presence (1 quote or more), and
    repeated evidence only raises the degree of membership.
    """
    quotes = np.asarray(quotes, dtype=float) if not isinstance(quotes, pd.Series) else quotes
    return (quotes > 0) * np.minimum(1.0, 0.5 + quotes / (2.0 * k))


def _attribute_values(session: Session, attr: Attribute, case_ids: list[int]) -> tuple[dict, dict]:
    rows = session.execute(select(CaseValue.case_id, CaseValue.status, CaseValue.value)
                           .where(CaseValue.attribute_id == attr.id)).all()
    values, reasons = {}, {}
    status = {cid: (st, val) for cid, st, val in rows}
    for cid in case_ids:
        st, val = status.get(cid, ("missing", None))
        if st == "value" and val is not None:
            values[cid] = val
        else:
            reasons[cid] = f"{attr.name} {st if st == 'declined' else 'missing'}"
    return values, reasons


def _find_attribute(session: Session, name: str) -> Attribute | None:
    attrs = list(session.scalars(select(Attribute)))
    exact = [a for a in attrs if a.name == name]
    folded = [a for a in attrs if a.name.casefold() == name.casefold()]
    if exact:
        return exact[0]
    return folded[0] if len(folded) == 1 else None


def _attribute_names(session: Session) -> str:
    return ", ".join(["role", *session.scalars(select(Attribute.name).order_by(Attribute.position))])


def _equals_column(session, spec, cases, field) -> tuple[pd.Series, dict]:
    name, _, wanted = (p.strip() for p in spec.partition("="))
    reasons: dict = {}
    if name.casefold() == "role":
        values, type_ = dict(zip(cases["case_id"], cases["role"])), "text"
    else:
        attr = _find_attribute(session, name)
        if attr is None:
            raise InputError(f"{spec!r}: no attribute {name!r} (attributes: {_attribute_names(session)})",
                             source=field)
        values, reasons = _attribute_values(session, attr, list(cases["case_id"]))
        type_ = attr.type
    try:
        wanted = parse_typed(wanted, type_)
    except ValueError as exc:
        raise InputError(f"{spec!r}: {exc}", source=field) from None
    known = sorted(set(values.values()))
    if wanted.casefold() not in {v.casefold() for v in known}:
        raise InputError(f"{spec!r}: no case has {name} = {wanted!r} (values: {', '.join(known)})", source=field)
    return pd.Series({cid: float(v.casefold() == wanted.casefold()) for cid, v in values.items()},
                     dtype=float), reasons


def _attribute_column(session, attr, spec, cases, fuzzy, thresholds, field) -> tuple[pd.Series, dict]:
    values, reasons = _attribute_values(session, attr, list(cases["case_id"]))
    if attr.type == "boolean":
        series = pd.Series({cid: float(v == "true") for cid, v in values.items()}, dtype=float)
    elif attr.type in ("integer", "number") or (attr.type == "text" and set(values.values()) <= {"0", "1"}):
        series = pd.Series({cid: float(v) for cid, v in values.items()}, dtype=float)
    else:
        shown = ", ".join(sorted(set(values.values()))[:8])
        raise InputError(f"{spec!r} is a {attr.type} attribute; name one value as {attr.name}=VALUE "
                         f"(values: {shown})", source=field)
    if thresholds is not None:
        series = _calibrated(series, spec, thresholds, fuzzy, field)
    check_memberships(series, spec, fuzzy, field)
    return series, reasons


def _code_column(session, code, spec, cases, scope, fuzzy, thresholds, field) -> tuple[pd.Series, dict]:
    stmt = select(Document.case_id).where(Document.case_id.is_not(None))
    if scope.documents:
        stmt = stmt.where(Document.name.in_(scope.documents))
    with_documents = set(session.scalars(stmt))
    reasons = {cid: "no transcript" for cid in cases["case_id"] if cid not in with_documents}
    evidence = load_evidence(session, scope, kinds=("technique", "inductive"))
    evidence = evidence[evidence["code_id"] == code.id]
    counts = evidence.groupby(["case_id", "coder"]).size().groupby(level=0).max() if len(evidence) else {}
    quotes = pd.Series({cid: float(counts.get(cid, 0)) for cid in cases["case_id"] if cid not in reasons},
                       dtype=float)
    if fuzzy and (thresholds is None or len(thresholds) == 1):
        k = thresholds[0] if thresholds else DEFAULT_QUOTES_FOR_FULL_MEMBERSHIP
        if k < 1:
            raise InputError(f"calibration of {spec!r}: quotes for full membership must be at least 1",
                             source="--calibrate")
        return quotes_membership(quotes, k), reasons
    return _calibrated(quotes, spec, thresholds or [1.0], fuzzy, field), reasons


def _column(session, spec, cases, scope, fuzzy, calibration, field) -> tuple[pd.Series, dict]:
    thresholds = _thresholds(calibration, spec)
    if "=" in spec:
        if thresholds is not None:
            raise InputError(f"{spec!r} is 0/1 by definition and cannot be calibrated", source="--calibrate")
        return _equals_column(session, spec, cases, field)
    if spec.casefold() == "role":
        roles = ", ".join(sorted(set(cases["role"])))
        raise InputError(f"'role' is text; name one role as role=VALUE (roles: {roles})", source=field)
    attr = _find_attribute(session, spec)
    if attr is not None:
        return _attribute_column(session, attr, spec, cases, fuzzy, thresholds, field)
    code = find_code(session, spec)
    if code is not None:
        return _code_column(session, code, spec, cases, scope, fuzzy, thresholds, field)
    raise InputError(f"unknown name {spec!r}: not a case attribute ({_attribute_names(session)}), "
                     "nor a technique or code of the project", source=field)


def _finish(frame: pd.DataFrame, reasons: dict[str, list[str]], outcome: str, conditions: list[str],
            fuzzy: bool) -> pd.DataFrame:
    """Drop cases with missing values, record them in ``attrs['dropped']``, check what is left."""
    dropped = [{"case": case, "reason": "; ".join(dict.fromkeys(why))} for case, why in reasons.items() if why]
    frame = frame.drop(index=[d["case"] for d in dropped])
    frame.attrs["dropped"] = dropped
    y = frame[outcome]
    if ((y < 0) | (y > 1)).any():
        raise InputError(f"the outcome {outcome!r} must be 0/1 (or a fuzzy membership in [0, 1]), "
                         "not a multi-value set", source="--outcome")
    check_memberships(y, outcome, fuzzy, "--outcome")
    if len(frame) < MIN_CASES:
        raise InputError(f"only {len(frame)} case(s) left after dropping {len(dropped)} with declined or "
                         f"missing values; QCA needs at least {MIN_CASES}", source="--conditions")
    return frame


def qca_dataset(session: Session, outcome: str, conditions: Sequence[str] | str, *, scope: Scope = Scope(),
                fuzzy: bool = False, calibration: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """A project's cases as QCA data: index = case keys, columns = conditions then the outcome.

    Names are resolved as the module describes. A technique (or inductive
    code) counts the codings of it in the case's documents, by the coders in
    ``scope`` (suggested and rejected codings never count), taking the largest
    count of any one coder so that two coders marking the same passage count it
    once. Crisp sets: 1 when that count reaches 1 (or ``calibration[name]``:
    one threshold, or several for multi-value levels). Fuzzy sets
    (``fuzzy=True``): :func:`quotes_membership` (0 without evidence, above 0.5
    with any, 1 from ``k = 3`` quotes or ``k = calibration[name]``); a
    three-number calibration ``(e, c, i)`` uses the direct method instead. For
    numeric attributes a calibration is ``(e, c, i)`` (direct method) when
    fuzzy and crisp thresholds otherwise.

    Cases are dropped when any used attribute is declined or missing, or when
    a technique is used and the case has no transcript in scope; the dropped
    cases come back in ``frame.attrs["dropped"]`` as ``{"case", "reason"}``.
    Write the outcome ``~NAME`` to name a negated outcome (the column is
    ``NAME``). Errors are :class:`InputError` naming ``--outcome`` or
    ``--conditions``.
    """
    cond_names = _names(conditions, "--conditions")
    if not cond_names:
        raise InputError("at least one condition is needed", source="--conditions")
    out_name = (outcome or "").strip()
    out_name = out_name[1:].strip() if out_name.startswith("~") else out_name
    if not out_name:
        raise InputError("the outcome needs a name", source="--outcome")
    _names([out_name], "--outcome")
    if out_name in cond_names:
        raise InputError(f"{out_name!r} cannot be both a condition and the outcome", source="--conditions")
    cases = case_frame(session, scope)
    columns: dict[str, pd.Series] = {}
    reasons: dict[Any, list[str]] = {key: [] for key in cases["case"]}
    keys = dict(zip(cases["case_id"], cases["case"]))
    for spec, field in [*((c, "--conditions") for c in cond_names), (out_name, "--outcome")]:
        series, why = _column(session, spec, cases, scope, fuzzy, calibration, field)
        for cid, reason in why.items():
            reasons[keys[cid]].append(reason)
        columns[spec] = series.rename(index=keys).reindex(cases["case"])
    frame = pd.DataFrame(columns, index=pd.Index(cases["case"], name="case"))
    return _finish(frame, reasons, out_name, cond_names, fuzzy)


def select_dataset(frame: pd.DataFrame, outcome: str, conditions: Sequence[str] | str | None = None, *,
                   fuzzy: bool = False, calibration: Mapping[str, Any] | None = None,
                   source: str = "data") -> pd.DataFrame:
    """The columns a QCA uses from any cases × sets frame (conditions default to all but the outcome).

    Calibrates the columns named in ``calibration`` (``(e, c, i)`` direct when
    ``fuzzy``, crisp thresholds otherwise), drops cases with missing values
    (``attrs["dropped"]``) and checks the values are crisp, multi-value or
    (with ``fuzzy``) fuzzy memberships.
    """
    out_name = (outcome or "").strip().lstrip("~").strip()
    if out_name not in frame.columns:
        raise InputError(f"no column {out_name!r} for the outcome (columns: {', '.join(map(str, frame.columns))})",
                         source=source)
    cond_names = _names(conditions, "--conditions") or [c for c in frame.columns if c != out_name]
    for name in cond_names:
        if name not in frame.columns:
            raise InputError(f"no column {name!r} (columns: {', '.join(map(str, frame.columns))})", source=source)
    if out_name in cond_names and conditions:
        raise InputError(f"{out_name!r} cannot be both a condition and the outcome", source="--conditions")
    unknown = set(calibration or {}) - {*cond_names, out_name}
    if unknown:
        raise InputError(f"calibration names unused columns: {', '.join(sorted(unknown))}", source="--calibrate")
    try:
        data = frame[[*cond_names, out_name]].apply(pd.to_numeric).astype(float)
    except (ValueError, TypeError) as exc:
        raise InputError(f"every column must be numeric ({exc})", source=source) from None
    for name in data.columns:
        thresholds = _thresholds(calibration, name)
        if thresholds is not None:
            data[name] = _calibrated(data[name], name, thresholds, fuzzy, "--calibrate")
        if name != out_name:
            check_memberships(data[name], name, True, source)
    reasons = {case: [f"{c} missing" for c in data.columns if math.isnan(data.at[case, c])] for case in data.index}
    return _finish(data, reasons, out_name, list(data.columns[:-1]), True)


def _solution(solution: Solution) -> dict[str, Any]:
    models = [{"name": m.name, "terms": list(m.terms), "expression": m.expression, "inclS": m.inclS,
               "PRI": m.PRI, "covS": m.covS, "fit": m.fit, "remainders": list(m.remainders),
               **({"origin": m.origin} if m.origin else {})} for m in solution.models]
    out: dict[str, Any] = {"type": solution.kind, "outcome": solution.outcome,
                           "prime_implicants": list(solution.prime_implicants), "models": models}
    if solution.kind == "parsimonious":
        out["simplifying_assumptions"] = list(solution.simplifying_assumptions)
    elif solution.kind == "intermediate":
        out["easy_counterfactuals"] = list(solution.simplifying_assumptions)
    return out


def run_qca(data: pd.DataFrame, outcome: str, conditions: Sequence[str] | str | None = None, *,
            incl_cut: float | Sequence[float] = 1.0, n_cut: int = 1, include: str = "?", dir_exp=None,
            negate_outcome: bool = False) -> dict[str, Any]:
    """Truth table, solutions and necessity of ``outcome`` (``~NAME`` or ``negate_outcome`` for its negation).

    Returns ``{"outcome", "negated", "conditions", "cases", "incl_cut", "n_cut",
    "truth_table" (the observed rows, indexed by R's row number), "remainders"
    (how many rows have no cases), "solutions", "necessity", "data"}``. The
    complex and parsimonious solutions are always given and the intermediate one
    when ``dir_exp`` is (an R-style string ``"DEV, ~IND"``, a mapping or a
    list); each is ``{"type", "outcome", "prime_implicants", "models"}``, a model
    being ``{"name", "terms", "expression", "inclS", "PRI", "covS", "fit"
    (DataFrame per term: inclS PRI covS covU), "remainders"}``, plus
    ``simplifying_assumptions`` (parsimonious) or ``easy_counterfactuals``
    (intermediate) as row numbers. ``include="C"`` also lets contradictions
    be used. Without positive rows ``solutions`` is empty and ``note`` says why.
    """
    if not isinstance(include, str) or set(include.replace(",", "").replace(" ", "")) - {"?", "C"}:
        raise InputError("include may contain only '?' (remainders) and 'C' (contradictions)", source="include")
    tt = truth_table(data, outcome, conditions, incl_cut=incl_cut, n_cut=n_cut, complement_outcome=negate_outcome)
    qd = tt.data
    base = include.replace("?", "")
    if isinstance(dir_exp, str) and not dir_exp.strip():
        dir_exp = None
    if dir_exp is not None:
        parse_directions(dir_exp, qd.conditions, qd.levels)   # report bad expectations even without a solution
    result: dict[str, Any] = {
        "outcome": qd.outcome_label, "negated": qd.negated, "conditions": list(qd.conditions),
        "cases": len(qd.cases), "incl_cut": list(tt.incl_cut), "n_cut": tt.n_cut,
        "truth_table": tt.observed.rename_axis("row"), "remainders": len(tt.remainders), "solutions": [],
    }
    if tt.positive:
        result["solutions"] = [_solution(minimize(tt, base)), _solution(minimize(tt, base + "?"))]
        if dir_exp is not None:
            result["solutions"].append(_solution(minimize(tt, base, dir_exp=dir_exp)))
    else:
        result["note"] = (f"no truth table row reaches the inclusion cut-off {tt.incl_cut[0]:g} for "
                          f"{qd.outcome_label}: nothing to minimise")
    result["necessity"] = necessity(data, outcome, list(qd.conditions), complement_outcome=negate_outcome)
    result["data"] = data[[*qd.conditions, qd.outcome]]
    return result


def project_qca(session: Session, outcome: str, conditions: Sequence[str] | str, *, scope: Scope = Scope(),
                fuzzy: bool = False, calibration: Mapping[str, Any] | None = None, **options: Any) -> dict:
    """:func:`qca_dataset` then :func:`run_qca` (``options``: incl_cut, n_cut, include, dir_exp,
    negate_outcome); the result also has ``dropped``."""
    data = qca_dataset(session, outcome, conditions, scope=scope, fuzzy=fuzzy, calibration=calibration)
    return {**run_qca(data, outcome, list(data.columns[:-1]), **options), "dropped": data.attrs["dropped"]}


def data_qca(data: pd.DataFrame, outcome: str, conditions: Sequence[str] | str | None = None, *,
             fuzzy: bool = False, calibration: Mapping[str, Any] | None = None, source: str = "data",
             **options: Any) -> dict:
    """QCA of any data set: a DataFrame with one row per case (index = case names), e.g.
    ``pd.read_csv("LC.csv", index_col=0)``.

    Conditions default to every column but the outcome; ``options`` go to
    :func:`run_qca`; the result also has ``dropped`` (cases with missing cells).
    ``source`` names the data in error messages (a file name).
    """
    selected = select_dataset(data, outcome, conditions, fuzzy=fuzzy, calibration=calibration,
                              source=source)
    return {**run_qca(selected, outcome, list(selected.columns[:-1]), **options),
            "dropped": selected.attrs["dropped"]}
