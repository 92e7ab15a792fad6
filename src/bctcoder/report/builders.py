"""Turning analyses into Reports (titled tables, notes, figures) ready to render."""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd
from sqlalchemy.orm import Session

from bctcoder.analysis import coverage as coverage_mod
from bctcoder.analysis import crosscase, reference, tables
from bctcoder.analysis import fit as fit_mod
from bctcoder.analysis import quotes as quotes_mod
from bctcoder.analysis.evidence import Scope
from bctcoder.errors import InputError
from bctcoder.report import figures
from bctcoder.report.model import Report, ReportTable

GROUPED = ("group_id", "group_label")


def _scope_note(scope: Scope) -> str:
    coders = (", ".join(scope.coders) if scope.coders else
              "all coders (where the team reconciled a technique in a transcript, only its decision)")
    where = f"; cases in set '{scope.case_set}'" if scope.case_set else ""
    return (f"Evidence: manual, accepted and consensus codings by {coders}{where}, and imported presence records; "
            "suggestions never count; quotes are distinct passages.")


def table1_notes(by: str) -> list[str]:
    """The notes printed under Table 1 (the rules of :func:`bctcoder.analysis.tables.table1`)."""
    column = "role" if by == "role" else f"'{by}'"
    return [
        f"Columns: cases with each value of {column} (n = cases in the column) and all cases in scope (Total)"
        + ("." if by == "role" else f"; cases whose {column} was declined or not recorded are in Total only."),
        "Cells are n (%). The denominator is the column's cases who answered: participants who declined to "
        "answer and those with no value recorded are left out of the percentage and counted in the Declined "
        "and Missing rows. Percentages are rounded to whole numbers.",
        "Numeric characteristics: mean (SD); median [interquartile range, Q1–Q3]; range (minimum–maximum), of "
        "those who answered. SD uses n − 1; quartiles by linear interpolation; one decimal place.",
    ]


def build_table1(session: Session, scope: Scope, attributes: list[str] | None = None, by: str = "role",
                 **_: Any) -> Report:
    t = tables.table1(session, attributes, scope, by=by)
    notes = ["N/A (declined) = the participant declined to answer; missing = not recorded. "
             "percent_of_answered leaves both out."]
    heading = "role" if by == "role" else by
    return Report("table1", "Table 1. Sample characteristics", [
        ReportTable("table1", f"Table 1. Sample characteristics by {heading}", t["journal"],
                    notes=table1_notes(by)),
        ReportTable("cases", "Table 1 (cases). Sample characteristics, one row per case", t["cases"]),
        ReportTable("totals", "Table 1 (totals). Counts and percentages per role", t["totals"], notes=notes)],
        data={"by": by, "journal": t["journal"], "cases": t["cases"], "totals": t["totals"]})


def build_table2(session: Session, scope: Scope, by: str = "role", **_: Any) -> Report:
    frame, values = tables.table2(session, by, scope)
    shown = frame.drop(columns=["extension"]).rename(columns={v: f"Presence of {v} quote" for v in values})
    notes = [_scope_note(scope), f"Columns are values of '{by}'; category = where the technique was evidenced."]
    title = f"Table 2. Behaviour change techniques and where quotes were found, by {by}"
    return Report("table2", title, [ReportTable("table2", title, shown, GROUPED, notes)],
                  data={"by": by, "values": values, "rows": frame})


def build_summary(session: Session, scope: Scope, by: str = "role", **_: Any) -> Report:
    s = tables.summary(session, by, scope)
    lines = [
        {"measure": "Techniques supported", "value": f"{s['supported']} of {s['techniques_total']}"},
        *[{"measure": f"Evidenced by {v}", "value": f"{d['yes']} ({d['only']} only {v})"}
          for v, d in s["by_value"].items()],
        {"measure": f"Evidenced by every value of {by}", "value": str(s["both"])},
        {"measure": "Not evidenced", "value": str(s["neither"])},
        {"measure": "Groups with at least one technique", "value": f"{s['groups_covered']} of {s['groups_total']}"},
        {"measure": "Emphasis (groups by share supported)", "value": "; ".join(s["emphasis"][:7])},
    ]
    groups = pd.DataFrame([{k: v for k, v in g.items() if k != "by_value"} | g["by_value"] for g in s["groups"]])
    return Report("summary", "Summary of technique presence", [
        ReportTable("summary", "Summary", pd.DataFrame(lines), notes=[_scope_note(scope)]),
        ReportTable("groups", "Technique groups: share supported", groups)], data=s)


def build_groups(session: Session, scope: Scope, by: str = "role", **_: Any) -> Report:
    frame = tables.groups(session, by, scope)
    return Report("groups", "Technique groups ranked by share of techniques supported",
                  [ReportTable("groups", "Groups ranked by share supported (the study's emphasis)", frame,
                               notes=[_scope_note(scope)])])


def build_fit(session: Session, scope: Scope, by: str = "role", **_: Any) -> Report:
    f = fit_mod.fit(session, by, scope)
    candidates = pd.DataFrame([{"code": c["code"], "quotes": c["quotes"], "cases": c["cases"],
                                "roles": ", ".join(c["roles"]),
                                "example": (f"“{c['examples'][0]['quote']}” ({c['examples'][0]['case']})"
                                            if c["examples"] else "")} for c in f["proposed_extension"]],
                              columns=["code", "quotes", "cases", "roles", "example"])
    return Report("fit", "Taxonomy fit", [
        ReportTable("never", "Techniques never evidenced", f["never_evidenced"], GROUPED),
        ReportTable("groups", "Groups ranked by share supported", f["groups"]),
        ReportTable("inductive", "Inductive codes outside the taxonomy", f["inductive"].drop(columns=["role_list"])),
        ReportTable("proposed", "Proposed extension (promote with 'bctcoder codes promote')", candidates)],
        data={"never_evidenced": f["never_evidenced"], "groups": f["groups"], "inductive": f["inductive"],
              "proposed_extension": f["proposed_extension"]})


def build_coverage(session: Session, scope: Scope, level: str = "document", **_: Any) -> Report:
    frame = coverage_mod.coverage(session, scope, level)
    tables_ = [ReportTable("coverage", f"Coverage per {level} and code (percent of characters)", frame,
                           notes=["Coverage = characters coded by the code (overlaps counted once) / all "
                                  "characters, as NVivo computes it."])]
    if level == "document":
        tables_.append(ReportTable("documents", "Coverage per document (any code)",
                                   coverage_mod.document_coverage(session, scope)))
    return Report("coverage", "Coverage", tables_)


def build_matrix(session: Session, scope: Scope, counts: bool = False, **_: Any) -> Report:
    frame = crosscase.matrix(session, scope, counts=counts)
    sim = crosscase.similarity(session, scope)
    means = pd.DataFrame([{"pair": k} | v for k, v in sim["means"].items()], columns=["pair", "mean", "pairs"])
    what = "quotes" if counts else "presence (1 = evidenced)"
    return Report("matrix", "Case × technique matrix", [
        ReportTable("matrix", f"Techniques by case: {what}", frame, GROUPED),
        ReportTable("similarity", "Jaccard similarity between cases", sim["matrix"].reset_index(names="case")),
        ReportTable("similarity_means", "Mean Jaccard similarity within and between roles", means)],
        data={"matrix": frame, "similarity": sim["matrix"].reset_index(names="case"), "means": sim["means"]})


def build_dyads(session: Session, scope: Scope, **_: Any) -> Report:
    rows = crosscase.dyads(session, scope)
    frame = pd.DataFrame(rows, columns=["first", "second", "label", "both", "first_only", "second_only", "jaccard"])
    return Report("dyads", "Partnerships: techniques seen by both partners or one",
                  [ReportTable("dyads", "PW–SP partnerships", frame)], data={"dyads": rows})


def build_quotes(session: Session, scope: Scope, codes: list[str] | None = None, limit: int | None = 10,
                 **_: Any) -> Report:
    frame = quotes_mod.quotes(session, scope, codes=codes, limit=limit)
    shown = frame[["code", "label", "quote", "case", "role", "exemplar", "group_id", "group_label"]]
    return Report("quotes", "Exemplar quotes per technique",
                  [ReportTable("quotes", "Quotes per technique (exemplars first)", shown, GROUPED)],
                  data={"quotes": frame})


def build_compare(session: Session, scope: Scope, reference_name: str = "marks2022", by: str = "role",
                  **_: Any) -> Report:
    c = reference.compare(session, reference_name, by, scope)
    groups = pd.DataFrame([{"id": g["id"], "label": g["label"], "both": g["both"],
                            "project only": ", ".join(g["project_only"]),
                            "reference only": ", ".join(g["reference_only"])} for g in c["groups"]])
    head = pd.DataFrame([{"measure": k.replace("_", " "), "value": c[k]} for k in
                         ("techniques", "both", "project_only", "reference_only", "neither")])
    return Report("compare", f"Comparison with {reference_name}", [
        ReportTable("overview", f"Project vs {reference_name}", head, notes=[c["citation"]]),
        ReportTable("groups", "Differences by group", groups),
        ReportTable("techniques", "Technique by technique", c["table"], GROUPED)],
        data={k: v for k, v in c.items() if k != "table"} | {"techniques_table": c["table"]})


AGREEMENT_COLUMNS = ["scope", "id", "label", "n", "both", "first_only", "second_only", "neither", "prevalence",
                     "percent_agreement", "cohen_kappa", "pabak", "gwet_ac1", "positive_agreement", "any_coder",
                     "all_coders", "mean_pairwise_agreement", "fleiss_kappa", "brennan_prediger",
                     "krippendorff_alpha", "note"]
PAIR_COLUMNS = ["first", "second", "documents", "n", "both", "first_only", "second_only", "neither",
                "percent_agreement", "cohen_kappa", "cohen_kappa_used_techniques", "pabak", "gwet_ac1",
                "positive_agreement", "note"]


def coders_to_compare(session: Session, scope: Scope) -> list[str]:
    """The coders named in the scope, else every coder but ``consensus`` (two or more needed)."""
    if scope.coders:
        return list(scope.coders)
    from sqlalchemy import select

    from bctcoder.store.models import CODER_ORIGINS, Coder, Coding

    used = session.scalars(select(Coder.name).join(Coding, Coding.coder_id == Coder.id).where(
        Coding.origin.in_(CODER_ORIGINS)).distinct().order_by(Coder.name))
    return [c for c in used if c != "consensus"]


def build_agreement(session: Session, scope: Scope, unit: str = "document", missing: str = "listwise",
                    **_: Any) -> Report:
    """Inter-coder agreement: pooled, per technique (those any coder used), per group, and every pair."""
    from bctcoder.agreement.project_agreement import agreement

    coders = coders_to_compare(session, scope)
    result = agreement(session, coders, unit=unit, missing=missing,
                       scope=Scope(case_set=scope.case_set, taxonomy=scope.taxonomy))
    multi = len(result["coders"]) > 2
    who = "all of them" if not multi or missing == "listwise" else "two or more of them"
    notes = [f"Coders: {', '.join(result['coders'])}; unit: {result['unit']}; "
             f"{result['n_documents']} transcript(s) coded by {who}."] + result["conventions"] + result["warnings"]

    def cols(frame: pd.DataFrame, names: list[str] = AGREEMENT_COLUMNS) -> pd.DataFrame:
        return frame[[c for c in names if c in frame.columns]]

    tables = []
    if result["overall"] is not None:
        tech = result["techniques"]
        used = tech[tech["neither"] < tech["n"]] if "neither" in tech else tech[tech["any_coder"] > 0]
        what = "either coder" if not multi else "any coder"
        overall = pd.DataFrame([{"scope": "all techniques"} | result["overall"],
                                {"scope": f"techniques {what} used"} | result["overall_used_techniques"]])
        title = "Pooled agreement" if not multi else "Pooled agreement of all coders (multi-coder coefficients)"
        tables += [ReportTable("overall", title, cols(overall), notes=notes),
                   ReportTable("techniques", f"Agreement per technique (techniques {what} used)", cols(used)),
                   ReportTable("groups", "Agreement per taxonomy group", cols(result["groups"]))]
    if multi:
        pair_notes = ["Each pair over the transcripts both coded, pooled over every technique (units: transcript × "
                      "technique); cohen_kappa_used_techniques pools only techniques any coder used."]
        pairs = ReportTable("pairs", "Agreement for every pair of coders", cols(result["pairs"], PAIR_COLUMNS),
                            notes=notes + pair_notes)
        if tables:
            tables[0].notes = []
        tables = [pairs] + tables
    return Report("agreement", "Inter-coder agreement", tables, data=result)


def build_suggestions(session: Session, scope: Scope, **_: Any) -> Report:
    """Pending suggestions, shown apart from the evidence: they count nowhere until a coder accepts them."""
    from bctcoder.suggest.service import pending

    frame = pd.DataFrame(pending(session), columns=["id", "document", "start", "end", "code", "label", "confidence",
                                                    "model", "quote"])
    note = ("Suggestions from a local model, not yet reviewed. They are not evidence: accept or reject them with "
            "'bctcoder accept' / 'bctcoder reject'.")
    return Report("suggestions", "Pending suggestions (not evidence)",
                  [ReportTable("suggestions", "Pending suggestions (not evidence)", frame, notes=[note])])


BUILDERS: dict[str, Callable[..., Report]] = {
    "table1": build_table1, "table2": build_table2, "summary": build_summary, "groups": build_groups,
    "fit": build_fit, "coverage": build_coverage, "matrix": build_matrix, "dyads": build_dyads,
    "quotes": build_quotes, "compare": build_compare, "agreement": build_agreement,
    "suggestions": build_suggestions,
}
REPORT_NAMES = tuple(n for n in BUILDERS if n not in ("compare", "agreement", "suggestions"))


def build(session: Session, name: str, scope: Scope = Scope(), **options: Any) -> Report:
    """Build a named report (table1, table2, summary, groups, fit, coverage, matrix, dyads, quotes, compare)."""
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise InputError(f"unknown report {name!r} (one of {', '.join(BUILDERS)})", source="report") from None
    return builder(session, scope, **options)


def build_all(session: Session, scope: Scope = Scope(), by: str = "role") -> Report:
    """Every table in one report, with the heatmap and the group bar chart."""
    reports = [build(session, n, scope, by=by) for n in REPORT_NAMES]
    if len(coders_to_compare(session, Scope())) >= 2 and not scope.coders:
        try:
            reports.append(build_agreement(session, scope))
        except InputError as exc:  # report all says what it could not compute instead of failing
            frame = pd.DataFrame([{"figure": "inter-coder agreement", "computed": "no", "why": exc.reason}])
            reports.append(Report("agreement", "Inter-coder agreement", [ReportTable(
                "agreement", "Inter-coder agreement", frame, notes=[f"Not computed: {exc.reason}"])]))
    pending_report = build_suggestions(session, scope)
    if len(pending_report.tables[0].frame):
        reports.append(pending_report)
    counts = crosscase.matrix(session, scope, counts=True)
    roles = crosscase.case_roles(session, scope)
    grp = tables.groups(session, by, scope)
    _, values = tables.table2(session, by, scope)
    grp = grp.sort_values("id", key=lambda c: c.map(lambda v: int(v) if str(v).isdigit() else 10**6))
    # SvgFigure is a str (markup) that also carries its data: Report.figures holds it as str
    figs: list[tuple[str, str]] = [
        (f"Share of each group's techniques evidenced, by {by}", figures.group_bars(grp, values)),
        ("Techniques (rows) by case (columns): darker cells have more quotes", figures.heatmap(counts, roles))]
    all_tables = []
    for r in reports:
        for t in r.tables:
            if t.name != r.name:
                t.name = f"{r.name}_{t.name}"
            all_tables.append(t)
    seen = set()
    for t in all_tables:  # unique anchors/sheet names
        base, k = t.name, 2
        while t.name in seen:
            t.name = f"{base}{k}"
            k += 1
        seen.add(t.name)
    return Report("report", "bctcoder report", all_tables, figures=figs)
