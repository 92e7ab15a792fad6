"""``bctcoder suggest``, ``accept``, ``reject``, ``queue``, ``suggestions`` and ``report uncovered``."""

from __future__ import annotations

from typing import Optional

import typer

from bctcoder.cli.common import ProjectArg, open_project
from bctcoder.cli.output import Format, emit, emit_object, flatten, make_console

console = make_console()
err = make_console(stderr=True)


def suggest(project: str = ProjectArg,
            documents: Optional[list[str]] = typer.Option(None, "--documents", "--document",
                                                          help="Only these documents (repeat or comma-separate)."),
            top_k: int = typer.Option(3, "--top-k", help="Techniques suggested per passage."),
            min_confidence: float = typer.Option(0.0, "--min-confidence", help="Drop suggestions below this."),
            suggester: Optional[str] = typer.Option(None, "--suggester",
                                                    help="Registry name, e.g. ensemble.v1, lexical.v4."),
            passages: str = typer.Option("sentence", "--passages", help="sentence, turn or window."),
            include_interviewer: bool = typer.Option(False, "--include-interviewer",
                                                     help="Also suggest on the interviewer's turns."),
            scheduler: Optional[str] = typer.Option(
                None, "--scheduler", help="Score passages on a Dask cluster: a scheduler address "
                                          "(tcp://host:8786) or local:N for N local worker processes."),
            batch_size: int = typer.Option(2_000, "--batch-size", help="Passages per Dask task."),
            thresholds: str = typer.Option(
                "calibrated", "--thresholds", help="calibrated: every technique above its threshold chosen on "
                "held-out folds of your codings (several per passage, none where 'no technique' wins); global: "
                "one such threshold; none: always the top-k."),
            format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Suggest techniques for every uncoded interviewee passage (stored as 'suggested', never counted)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with open_project(project) as p, Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                              TimeRemainingColumn(), console=err, transient=True,
                                              disable=scheduler is None) as bar:
        task = bar.add_task("Scoring batches on the cluster", total=None)
        result = p.suggest(documents=flatten(documents) if documents else None, top_k=top_k,
                           min_confidence=min_confidence, suggester=suggester, mode=passages,
                           include_interviewer=include_interviewer, scheduler=scheduler, batch_size=batch_size,
                           thresholds=thresholds,
                           progress=lambda done, total: bar.update(task, completed=done, total=total))
    emit_object(result, format)


def suggestions(project: str = ProjectArg,
                documents: Optional[list[str]] = typer.Option(None, "--documents", "--document"),
                format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List pending suggestions with their confidence and quote."""
    with open_project(project) as p:
        frame = p.suggestions(flatten(documents) if documents else None)
    emit(frame.to_dict("records"), format, columns=["id", "document", "code", "label", "confidence", "quote"]
         if format == Format.table else None)


def _review(decision: str):
    def command(project: str = ProjectArg, ids: Optional[list[int]] = typer.Argument(None, help="Suggestion ids."),
                document: Optional[str] = typer.Option(None, "--document", help="All suggestions in a document."),
                min_confidence: Optional[float] = typer.Option(None, "--min-confidence",
                                                               help="All suggestions at or above this confidence."),
                all_: bool = typer.Option(False, "--all", help="Every pending suggestion."),
                format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
        with open_project(project) as p:
            method = p.accept if decision == "accept" else p.reject
            result = method(ids or None, document=document, min_confidence=min_confidence, all=all_)
        emit_object(result, format)

    command.__doc__ = ("Accept suggestions: they become codings of yours (origin 'accepted')." if decision == "accept"
                       else "Reject suggestions: kept as 'rejected', never suggested again, and learnt from.")
    command.__name__ = decision
    return command


accept = _review("accept")
reject = _review("reject")


def queue(project: str = ProjectArg, limit: int = typer.Option(20, "--limit"),
          documents: Optional[list[str]] = typer.Option(None, "--documents", "--document"),
          format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Uncoded passages the model is least sure about, first: checking them finds its errors soonest (this order
    did not make it learn faster than random order in our held-out learning curves)."""
    with open_project(project) as p:
        rows = p.queue(limit=limit, documents=flatten(documents) if documents else None)
    emit(rows, format, columns=["document", "start", "end", "uncertainty", "candidates", "text"]
         if format == Format.table else None)


def uncovered(project: str = ProjectArg,
              threshold: float = typer.Option(0.30, "--threshold", help="Best similarity below which a passage "
                                                                        "counts as unexplained."),
              clusters: Optional[int] = typer.Option(None, "--clusters", help="Number of clusters (default: auto)."),
              format: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """Passages no technique explains well, clustered: candidate new techniques with quotes."""
    with open_project(project) as p:
        result = p.uncovered(threshold=threshold, clusters=clusters)
    if format == Format.json:
        emit_object(result, format)
        return
    console.print(f"{result['uncovered']} of {result['passages']} interviewee passages have a best technique "
                  f"similarity below {result['threshold']}.", soft_wrap=True)
    rows = [{"cluster": c["cluster"], "size": c["size"], "words": ", ".join(c["words"]),
             "cases": ", ".join(c["cases"]), "quote": c["quotes"][0]["quote"] if c["quotes"] else ""}
            for c in result["clusters"]]
    emit(rows, format)
