"""The pseudonymisation page (owner only): detect identifiers, review each proposed replacement, apply.

Thin handlers: one library call each for the signed-in actor; the library refuses anyone but an owner
(proposals show the identifiers themselves) and decides where the copy and its key may be written.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bctcoder.web import security
from bctcoder.web.app import open_project

router = APIRouter()
csrf_checked = [Depends(security.check_csrf)]
PAGE_SIZE = 50


def _back(decision: str, category: str, page: int) -> str:
    query = {k: v for k, v in (("decision", decision), ("category", category), ("page", page)) if v}
    return "/pseudonymise" + (f"?{urlencode(query)}" if query else "")


@router.get("/pseudonymise")
def pseudonymise_page(request: Request, decision: str = "pending", category: str = "", page: int = 1) -> Response:
    page = max(1, page)
    with open_project(request) as p:
        view = p.pseudonym_proposals(decision=decision or None, category=category or None,
                                     offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        stamp = p.pseudonymised()
    pages = max(1, -(-view["total"] // PAGE_SIZE))
    return request.app.state.page(request, "pseudonymise.html", {
        "title": "Pseudonymise", "view": view, "decision": decision, "category": category, "page": page,
        "pages": pages, "stamp": stamp, "done": request.query_params.get("done")})


@router.post("/pseudonymise/detect", dependencies=csrf_checked)
def detect(request: Request, dates: str = Form("month")) -> Response:
    with open_project(request) as p:
        result = p.detect_identifiers(dates=dates)
    return RedirectResponse(f"/pseudonymise?done=Found+{result['found']}+identifier+mentions", status_code=303)


@router.post("/pseudonymise/decide", dependencies=csrf_checked)
def decide(request: Request, id: int = Form(...), decision: str = Form(...), replacement: str = Form(""),
           back_decision: str = Form("pending"), back_category: str = Form(""), back_page: int = Form(1)) -> Response:
    with open_project(request) as p:
        p.review_pseudonyms([(id, decision, replacement.strip() or None)])
    return RedirectResponse(_back(back_decision, back_category, back_page), status_code=303)


@router.post("/pseudonymise/accept-all", dependencies=csrf_checked)
def accept_all(request: Request, category: str = Form("")) -> Response:
    with open_project(request) as p:
        p.decide_all_pseudonyms("accept", category=category or None)
    return RedirectResponse("/pseudonymise?decision=accepted", status_code=303)


@router.post("/pseudonymise/apply", dependencies=csrf_checked)
def apply(request: Request, name: str = Form(...), key: str = Form(...)) -> Response:
    with open_project(request) as p:
        result = p.apply_pseudonyms_beside(name.strip(), key.strip())
    message = (f"Wrote {result['destination']} ({result['replacements']} replacements in {result['documents']} "
               f"transcripts) and the key {result['key']}: keep the key apart from the data.")
    return request.app.state.page(request, "message.html", {"title": "Pseudonymised copy written",
                                                            "message": message})
