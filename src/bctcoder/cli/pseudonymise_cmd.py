"""``bctcoder pseudonymise``: find identifiers, review their replacements, write the pseudonymised copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from bctcoder.cli.common import ProjectArg, open_project
from bctcoder.cli.output import Format, emit, emit_object, literal, make_console
from bctcoder.errors import InputError

console = make_console()
err = make_console(stderr=True)

LIST_COLUMNS = ["id", "document", "category", "original", "replacement", "decision", "in context"]
CONTEXT_CHARS = 25


def _summary(result: dict[str, Any]) -> None:
    decisions = result["decisions"]
    categories = ", ".join(f"{k.lower()} {v}" for k, v in result["categories"].items()) or "none"
    console.print(literal(f"{sum(decisions.values())} proposed replacements for {result['entities']} identifiers "
                          f"({categories}): {decisions['pending']} pending, {decisions['accepted']} accepted, "
                          f"{decisions['rejected']} rejected."), soft_wrap=True)


def pseudonymise(
    project: str = ProjectArg,
    names: Optional[Path] = typer.Option(None, "--names", help="The study's own list (CSV or YAML): people "
                                         "with aliases and replacements, places, organisations, words to ignore."),
    dates: str = typer.Option("month", "--dates", help="Dates become [March 2019] (month), [2019] (year) or "
                                                       "[date] (remove)."),
    nlp: Optional[str] = typer.Option(None, "--nlp", help="spaCy pipeline for names (default: the installed "
                                      "English one; 'none' for patterns and lists only)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Also write the proposals to this CSV for review."),
    review: Optional[Path] = typer.Option(None, "--review", help="Read a reviewed CSV (decision column: accept, "
                                          "reject, edit with a new replacement) and record its decisions."),
    list_: bool = typer.Option(False, "--list", help="Show the proposals (with --decision to filter)."),
    decision: Optional[str] = typer.Option(None, "--decision", help="With --list or --csv: only pending, "
                                           "accepted or rejected proposals."),
    accept_all: bool = typer.Option(False, "--accept-all", help="Accept every pending proposal."),
    apply: bool = typer.Option(False, "--apply", help="Write the pseudonymised copy (--out) and its key (--key)."),
    out: Optional[str] = typer.Option(None, "--out", help="With --apply: the new project (a file that does not "
                                      "exist yet, or an empty database URL)."),
    key: Optional[Path] = typer.Option(None, "--key", help="With --apply: the key file (CSV) to keep apart."),
    accept_pending: bool = typer.Option(False, "--accept-pending", help="With --apply: apply pending proposals "
                                        "as proposed instead of refusing."),
    format: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Pseudonymise the transcripts: by default find identifiers and propose consistent bracketed
    replacements (nothing changes); --review FILE.csv or --accept-all records decisions; --apply writes a new,
    pseudonymised project and a separate key. The original project is never changed."""
    modes = [m for m, on in (("--review", review is not None), ("--list", list_), ("--accept-all", accept_all),
                             ("--apply", apply)) if on]
    if len(modes) > 1:
        raise InputError(f"use one of {', '.join(modes)} at a time", source=modes[1])
    if apply and (out is None or key is None):
        raise InputError("--apply needs --out NEW_PROJECT and --key KEY.csv", source="--apply")
    with open_project(project) as p:
        if apply:
            assert out is not None and key is not None
            result = p.apply_pseudonyms(out, key=key, accept_pending=accept_pending)
            if format == Format.json:
                emit_object(result, format)
                return
            console.print(literal(
                f"Wrote the pseudonymised project {result['destination']}: {result['replacements']} replacements "
                f"in {result['documents']} transcripts, {result['codings']} codings kept on their words. The key "
                f"is {result['key']}: keep it apart from the data (it undoes the pseudonymisation)."),
                soft_wrap=True)
            return
        if review is not None:
            result = p.review_pseudonyms_csv(review)
        elif accept_all:
            result = p.decide_all_pseudonyms("accept")
        elif list_:
            page = p.pseudonym_proposals(decision=decision, limit=None,
                                         context=CONTEXT_CHARS if format == Format.table else 60)
            rows = page["rows"]
            if format == Format.table:
                rows = [{**r, "category": r["category"].lower(),
                         "in context": f"…{r['before']}⟨{r['original']}⟩{r['after']}…"} for r in rows]
            emit(rows, format, columns=LIST_COLUMNS if format == Format.table else None)
            return
        else:
            result = p.detect_identifiers(names=names, dates=dates,
                                          nlp=False if (nlp or "").lower() == "none" else nlp)
        if csv_out is not None:
            written = p.write_pseudonym_review(csv_out, decision=decision)
            err.print(literal(f"Wrote {written['rows']} proposals to {written['file']}"), soft_wrap=True)
    if format == Format.json:
        emit_object(result, format)
        return
    _summary(result)
