"""Build the fictional demo study: a small peer-support project coded by two coders."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from bctcoder.errors import ProjectError
from bctcoder.project import Project

DEMO_FILE = "demo.bctcoder"


def demo_data_dir() -> Path:
    """The folder of bundled demo data (cases, partnerships, transcripts, codings)."""
    return Path(str(resources.files("bctcoder.demo") / "data"))


def build_demo(out: str | Path, *, force: bool = False, suggester: str | None = "default") -> dict[str, Any]:
    """Create ``out/demo.bctcoder`` from the bundled fictional study; returns counts and a summary text.

    ``suggester``: ``"default"`` suggests techniques for the uncoded passages with the best installed
    suggester (``ensemble.v1`` with the ``[suggest]`` extra, else the lexical baseline), a registry name
    picks one, ``""`` or None makes no suggestions.

    The input files are copied to ``out/data`` so they can be inspected or
    re-imported by hand.
    """
    if suggester and suggester != "default":
        from bctcoder.suggest import registry

        registry.create(suggester)   # an unknown name fails here, before anything is written
    out = Path(out)
    target = out / DEMO_FILE
    if target.exists():
        if not force:
            raise ProjectError(f"{target}: already exists (use --force to rebuild it)")
        target.unlink()
    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(demo_data_dir(), data)
    transcripts = sorted((data / "transcripts").glob("*.txt"))
    project = Project.create(target, user="demo")
    try:
        project.import_cases(data / "cases.csv")
        project.import_partnerships(data / "partnerships.csv")
        project.import_transcripts(transcripts)
        codings = project.import_codings(data / "codings.csv")
        info = project.info()
        frame = project.codings()
        suggested = project.suggest(suggester=None if suggester == "default" else suggester, top_k=2) \
            if suggester else None
        summary = project.summary()
        bundle = project.write_all_reports(out / "report")
    except BaseException:
        project.close()
        target.unlink(missing_ok=True)   # no half-built demo project is left behind
        raise
    project.close()
    by_role = (frame[frame["kind"] == "technique"].groupby("role")["code"].nunique().to_dict()
               if len(frame) else {})
    lines = [
        "Built the bctcoder demo (a FICTIONAL peer-support study; see data/README.md).",
        f"  project:      {target}",
        f"  input files:  {data}",
        f"  taxonomy:     {info['taxonomy']} ({info['techniques']} techniques)",
        f"  cases:        {info['cases']} ({', '.join(f'{k} {v}' for k, v in sorted(info['cases_by_role'].items()))}),"
        f" {info['partnerships']} partnerships",
        f"  transcripts:  {info['documents']} ({info['turns']} speaker turns)",
        f"  codings:      {info['codings']} by {info['coders']} coders; "
        f"{len(codings['inductive_codes'])} inductive codes ({', '.join(codings['inductive_codes'])})",
        "  techniques evidenced by role: " + ", ".join(f"{k} {v}" for k, v in sorted(by_role.items())),
        f"  supported:    {summary['supported']} of {summary['techniques_total']} techniques; "
        f"{summary['groups_covered']} of {summary['groups_total']} groups",
        (f"  suggestions:  {suggested['suggestions']} for {suggested['passages']} uncoded passages "
         f"({suggested['model']}; pending, never counted until accepted)" if suggested else "  suggestions:  none"),
        f"  report:       {bundle['html']} (and report.xlsx, report.docx, csv/)",
        "Next:",
        f"  bctcoder info {target}",
        f"  bctcoder codings list {target} --coder coder_a",
        f"  bctcoder codes list {target} --used",
        f"  bctcoder report table2 {target}",
        f"  bctcoder compare {target} --reference marks2022",
        f"  bctcoder suggestions {target}",
        f"  bctcoder queue {target}",
    ]
    return {"project": str(target), "data": str(data), "info": info, "report": bundle["html"],
            "summary": "\n".join(lines)}
