"""Case selection, the study's purposive sampling: rank transcripts by coverage of chosen codes."""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bctcoder.analysis.coverage import merged_length
from bctcoder.analysis.evidence import Scope, document_lengths, load_evidence, techniques_frame
from bctcoder.coding.events import EventType, log_event
from bctcoder.errors import InputError
from bctcoder.store.models import Case, CaseSet, CaseSetMember
from bctcoder.taxonomy.service import require_code


def rank_documents(session: Session, *, codes: Iterable[str] | None = None, group: str | None = None,
                   scope: Scope = Scope()) -> pd.DataFrame:
    """Documents ranked within each role by the share of their characters coded with the chosen codes.

    Columns: role, rank, document, case, coverage (percent), references, characters.
    """
    code_ids: set[int] = set()
    for ref in codes or []:
        code_ids.add(require_code(session, ref).id)
    if group:
        tech = techniques_frame(session)
        chosen = tech[tech["group_id"].astype(str) == str(group)]
        if chosen.empty:
            raise InputError(f"no technique group {group!r}", source="--group")
        code_ids |= set(chosen["code_id"])
    if not code_ids:
        raise InputError("choose codes (--codes) or a taxonomy group (--group) to rank transcripts by",
                         source="selection")
    evidence = load_evidence(session, scope, kinds=("technique", "inductive"))
    evidence = evidence[evidence["code_id"].isin(code_ids)]
    covered = merged_length(evidence[["document_id", "start", "end"]], ["document_id"])
    refs = evidence.groupby("document_id").size().rename("references").reset_index()
    docs = document_lengths(session, scope)
    cases = pd.DataFrame(session.execute(select(Case.id, Case.key, Case.role)).all(),
                         columns=["case_id", "case", "role"])
    out = docs.merge(cases, on="case_id", how="inner").merge(covered, on="document_id", how="left").merge(
        refs, on="document_id", how="left")
    out[["covered", "references"]] = out[["covered", "references"]].fillna(0).astype(int)
    share = (out["covered"] / out["characters"].where(out["characters"] > 0)).fillna(0)
    out["coverage"] = (100 * share).round(2)
    out["_share"] = share   # rank by the exact share: a tiny coverage that rounds to 0.00 still ranks above none
    out = out.sort_values(["role", "_share", "document"], ascending=[True, False, True])
    out["rank"] = out.groupby("role").cumcount() + 1
    return out[["role", "rank", "document", "case", "coverage", "references", "characters"]].reset_index(drop=True)


def select_cases(session: Session, user: str, name: str, *, top: int, codes: Iterable[str] | None = None,
                 group: str | None = None, roles: Iterable[str] | None = None,
                 description: str | None = None, replace: bool = False) -> dict[str, Any]:
    """Store the cases of the top ``top`` documents per role as a named case set.

    Only documents with some coverage of the chosen codes (or group) qualify: a case whose coverage is 0 is
    never selected, even when fewer than ``top`` qualify in a role. Returns name, cases (the members),
    ranking (the chosen documents' rows of :func:`rank_documents`), qualified ({role: cases with coverage
    above 0}, every role considered) and note (a sentence naming the roles where fewer than ``top``
    qualified, else None). Nothing is stored, and InputError is raised, when no document qualifies at all.
    """
    if top < 1:
        raise InputError("--top must be at least 1", source="--top")
    ranked = rank_documents(session, codes=codes, group=group)
    if roles:
        ranked = ranked[ranked["role"].isin(list(roles))]
    considered = list(roles) if roles else list(dict.fromkeys(ranked["role"]))
    qualifying = ranked[ranked["references"] > 0]   # codings have start < end: a reference means coverage > 0
    chosen = qualifying.groupby("role", sort=False).head(top).reset_index(drop=True)
    qualified = {role: int(qualifying.loc[qualifying["role"] == role, "case"].nunique()) for role in considered}
    what = ", ".join(codes or []) + (f"{' and ' if codes else ''}group {group}" if group else "")
    if chosen.empty:
        raise InputError(f"no transcript{' of ' + ', '.join(considered) if roles else ''} has any coding of "
                         f"{what}: nothing to select", source="selection")
    short = [f"{role}: {n}" for role, n in qualified.items() if n < top]
    note = (f"Only cases with coverage of {what} above 0 are selected; fewer than {top} qualified in "
            f"{'; '.join(short)}.") if short else None
    existing = session.scalar(select(CaseSet).where(CaseSet.name == name))
    if existing is not None and not replace:
        raise InputError(f"case set {name!r} already exists (use --replace)", source="--name")
    if existing is None:
        existing = CaseSet(name=name)
        session.add(existing)
        session.flush()
    else:
        session.execute(delete(CaseSetMember).where(CaseSetMember.set_id == existing.id))
    existing.description = description or f"top {top} per role by coverage of {', '.join(codes or [])}" + (
        f" group {group}" if group else "")
    case_ids = dict(session.execute(select(Case.key, Case.id)).all())
    members = sorted(set(chosen["case"]))
    session.add_all(CaseSetMember(set_id=existing.id, case_id=case_ids[c]) for c in members)
    session.flush()
    log_event(session, user, EventType.CASE_SET_SELECT, name=name, cases=members, top=top, codes=list(codes or []),
              group=group, qualified=qualified)
    return {"name": name, "cases": members, "ranking": chosen, "qualified": qualified, "note": note}


def case_sets(session: Session) -> list[dict[str, Any]]:
    """Named case sets with their members."""
    out = []
    for cs in session.scalars(select(CaseSet).order_by(CaseSet.name)):
        members = session.scalars(select(Case.key).join(CaseSetMember, CaseSetMember.case_id == Case.id)
                                  .where(CaseSetMember.set_id == cs.id).order_by(Case.key))
        out.append({"name": cs.name, "description": cs.description, "cases": list(members)})
    return out
