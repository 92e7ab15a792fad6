"""Results pages (Table 1, Table 2, summary, figures, quotes, agreement) and downloads.

What each reader sees (blind mode included) is decided by the library's report calls.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from bctcoder.report import figures
from bctcoder.report.builders import BUILDERS
from bctcoder.report.render import for_documents, render
from bctcoder.web.app import open_project

router = APIRouter()

PAGES = {"summary": "Summary", "table1": "Table 1", "table2": "Table 2", "groups": "Groups", "fit": "Fit",
         "coverage": "Coverage", "matrix": "Matrix", "dyads": "Dyads", "quotes": "Quotes",
         "agreement": "Agreement", "compare": "Compare with Marks 2022", "suggestions": "Pending suggestions"}
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "md": "text/markdown; charset=utf-8",
         "html": "text/html; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@router.get("/results")
def results(request: Request) -> Response:
    with open_project(request) as p:
        overview = p.results_overview()
    bars = figures.group_bars(overview["groups"], overview["summary"]["values"])
    heat = figures.heatmap(overview["matrix"], overview["case_roles"])
    return request.app.state.page(request, "results.html", {
        "title": "Results", "summary": overview["summary"], "pages": PAGES, "bars": bars, "heatmap": heat})


def _report_body(report) -> str:
    """A report's self-contained HTML page, cut to what goes inside the workspace's own page."""
    html = str(render(for_documents(report), "html"))
    return html[html.index("<body>") + len("<body>"):html.rindex("</body>")]


def _agreement_choice(request: Request) -> dict:
    q = request.query_params
    return {"coders": q.getlist("coders") or None, "missing": q.get("missing", "listwise"),
            "unit": q.get("unit", "document")}


def _agreement_page(request: Request) -> Response:
    choice = _agreement_choice(request)
    with open_project(request) as p:
        view = p.agreement_view(choice["coders"], missing=choice["missing"], unit=choice["unit"])
    body = _report_body(view["report"]) if view["report"] is not None else ""
    query = urlencode([("coders", c) for c in view["chosen"]] + [("missing", view["missing"]), ("unit", view["unit"])])
    return request.app.state.page(request, "report.html", {
        "title": PAGES["agreement"], "name": "agreement", "body": body, "pages": PAGES, "view": view,
        "query": query, "downloads": view["report"] is not None})


@router.get("/results/{name}")
def report_page(request: Request, name: str) -> Response:
    if name == "agreement":
        return _agreement_page(request)
    if name not in BUILDERS:
        raise HTTPException(status_code=404, detail=f"no report {name!r}")
    with open_project(request) as p:
        report = p.report(name)
    body = _report_body(report)
    return request.app.state.page(request, "report.html", {"title": PAGES.get(name, name), "name": name,
                                                           "body": body, "pages": PAGES})


@router.get("/download/{name}.{fmt}")
def download(request: Request, name: str, fmt: str) -> Response:
    if name not in BUILDERS or fmt not in MEDIA:
        raise HTTPException(status_code=404, detail="no such download")
    options = {}
    if name == "agreement":
        choice = _agreement_choice(request)
        options = {"coders": choice["coders"], "missing": choice["missing"], "unit": choice["unit"]}
    with open_project(request) as p:
        content = render(p.report(name, **options), fmt)
    return Response(content, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
