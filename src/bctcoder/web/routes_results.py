"""Results pages (Table 1, Table 2, summary, figures, quotes, agreement) and downloads."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from bctcoder.analysis.evidence import Scope
from bctcoder.report import figures
from bctcoder.report.builders import BUILDERS, coders_to_compare
from bctcoder.report.render import for_documents, render
from bctcoder.web.app import open_project
from bctcoder.web.security import current_user

router = APIRouter()

PAGES = {"summary": "Summary", "table1": "Table 1", "table2": "Table 2", "groups": "Groups", "fit": "Fit",
         "coverage": "Coverage", "matrix": "Matrix", "dyads": "Dyads", "quotes": "Quotes",
         "agreement": "Agreement", "compare": "Compare with Marks 2022", "suggestions": "Pending suggestions"}
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "md": "text/markdown; charset=utf-8",
         "html": "text/html; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@router.get("/results")
def results(request: Request):
    user = current_user(request)
    with open_project(request, user.name) as p:
        summary = p.summary()
        grp = p.groups().sort_values("id", key=lambda c: c.map(lambda v: int(v) if str(v).isdigit() else 10**6))
        with p.reading() as s:
            from bctcoder.analysis import crosscase

            heat = figures.heatmap(crosscase.matrix(s, counts=True), crosscase.case_roles(s))
        bars = figures.group_bars(grp, summary["values"])
    return request.app.state.page(request, "results.html", {
        "title": "Results", "summary": summary, "pages": PAGES, "bars": bars, "heatmap": heat})


@router.get("/results/{name}")
def report_page(request: Request, name: str):
    user = current_user(request)
    if name not in BUILDERS:
        raise HTTPException(status_code=404, detail=f"no report {name!r}")
    with open_project(request, user.name) as p:
        if name == "agreement":
            with p.reading() as s:
                if len(coders_to_compare(s, Scope())) < 2:
                    raise HTTPException(status_code=404, detail="agreement needs codings by two coders")
        report = p.report(name)
    html = render(for_documents(report), "html")
    body = html[html.index("<body>") + len("<body>"):html.rindex("</body>")]
    return request.app.state.page(request, "report.html", {"title": PAGES.get(name, name), "name": name,
                                                           "body": body, "pages": PAGES})


@router.get("/download/{name}.{fmt}")
def download(request: Request, name: str, fmt: str):
    user = current_user(request)
    if name not in BUILDERS or fmt not in MEDIA:
        raise HTTPException(status_code=404, detail="no such download")
    with open_project(request, user.name) as p:
        content = render(p.report(name), fmt)
    return Response(content, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
