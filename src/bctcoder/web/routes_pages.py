"""HTML pages: sign-in, documents, the reading view, taxonomy, cases, the suggestion queue.

Each handler makes one library call for the signed-in actor and renders; the library decides what that
actor may see and change.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bctcoder.errors import InputError, NotSignedIn, TooManyAttempts
from bctcoder.web import security
from bctcoder.web.app import open_project, server_project
from bctcoder.web.reading import build_turns

router = APIRouter()
csrf_checked = [Depends(security.check_csrf)]


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return request.app.state.page(request, template, context, status=status)


def _signed_in(request: Request, token: str, csrf: str, next: str | None) -> Response:
    request.session.clear()
    request.session[security.SESSION_KEY] = token
    request.state.csrf = csrf
    return RedirectResponse(security.safe_next(next), status_code=303)


def _login_page(request: Request, next: str | None, error: str | None = None, status: int = 200,
                headers: dict[str, str] | None = None, accounts: bool | None = None) -> Response:
    context = {"title": "Sign in", "next": security.safe_next(next), "error": error,
               "accounts": request.app.state.accounts if accounts is None else accounts}
    return request.app.state.page(request, "login.html", context, status=status, headers=headers)


def _name_page(request: Request, token: str, next: str | None, error: str | None = None,
               status: int = 200) -> Response:
    return _page(request, "token_name.html", status=status, title="Who is coding?", token=token,
                 next=security.safe_next(next), error=error)


def _token_login(request: Request, token: str, next: str | None) -> Response:
    """A valid access token first asks for the coder's name (never the OS user's name by surprise)."""
    if not security.token_matches(token, request.app.state.token):
        return _login_page(request, next, "That access token is not valid.", status=401)
    return _name_page(request, token, next)


@router.post("/login/token", dependencies=csrf_checked)
def token_name(request: Request, token: str = Form(""), name: str = Form(""), next: str = Form("/")) -> Response:
    if not security.token_matches(token, request.app.state.token):
        return _login_page(request, next, "That access token is not valid.", status=401)
    try:
        session_token, csrf = server_project(request).access.start_owner_session(name)
    except InputError as exc:
        return _name_page(request, token, next, exc.reason, status=422)
    return _signed_in(request, session_token, csrf, next)


@router.get("/login")
def login_form(request: Request, next: str = "/", token: str | None = None) -> Response:
    if token is not None:
        return _token_login(request, token, next)
    return _login_page(request, next)


@router.post("/login", dependencies=csrf_checked)
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")) -> Response:
    access = server_project(request).access
    try:
        _actor, token, csrf = access.sign_in(name, password, address=security.client_address(request),
                                             throttle=request.app.state.throttle)
    except (NotSignedIn, TooManyAttempts) as exc:
        message = "Wrong name or password." if isinstance(exc, NotSignedIn) else f"Sign-in paused: {exc}."
        status = 401 if isinstance(exc, NotSignedIn) else 429
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
        return _login_page(request, next, message, status=status, headers=headers, accounts=True)
    return _signed_in(request, token, csrf, next)


@router.post("/logout", dependencies=csrf_checked)
def logout(request: Request) -> Response:
    server_project(request).access.sign_out(request.session.get(security.SESSION_KEY))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def documents(request: Request, token: str | None = None) -> Response:
    if token is not None:
        return _token_login(request, token, "/")
    with open_project(request) as p:
        rows = p.document_list()
        info = p.info()
    return _page(request, "documents.html", title="Documents", documents=rows, info=info)


@router.get("/documents/{name}")
def reading_view(request: Request, name: str) -> Response:
    with open_project(request) as p:
        view = p.document_view(name)
    rows = view["codings"]
    data = {"document": view["document"], "codes": view["codes"], "canWrite": view["can_write"],
            "canAssign": view["can_assign_speakers"]}
    return _page(request, "document.html", title=view["document"], name=view["document"],
                 turns=build_turns(view["text"], view["turns"], rows), codings={r["id"]: r for r in rows},
                 data=data, blind=view["blind"], n_codings=len(rows), previous=view["previous"],
                 next_doc=view["next"])


@router.get("/taxonomy")
def taxonomy(request: Request) -> Response:
    with open_project(request) as p:
        codes = p.codes()
        info = p.info()
    groups: dict[str, list] = {}
    for c in codes:
        key = f"{c['group_id']} {c['group_label']}" if c["group_id"] else "Inductive codes (outside the taxonomy)"
        groups.setdefault(key, []).append(c)
    return _page(request, "taxonomy.html", title="Taxonomy", groups=groups, info=info,
                 inductive=[c for c in codes if c["kind"] == "inductive"])


@router.post("/codes", dependencies=csrf_checked)
def add_code(request: Request, label: str = Form(...), description: str = Form("")) -> Response:
    with open_project(request) as p:
        p.add_inductive_code(label, description or None)
    return RedirectResponse("/taxonomy", status_code=303)


@router.post("/codes/promote", dependencies=csrf_checked)
async def promote(request: Request) -> Response:
    form = await request.form()
    with open_project(request) as p:
        p.promote_codes([str(c) for c in form.getlist("codes")],
                        group_label=str(form.get("group", "")).strip() or "New group",
                        extension=str(form.get("extension", "")).strip() or "project-extension")
    return RedirectResponse("/taxonomy", status_code=303)


@router.get("/cases")
def cases(request: Request) -> Response:
    with open_project(request) as p:
        view = p.participants_view()
    frame = view["cases"]
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records") if len(frame) else []
    columns = [c for c in frame.columns if c not in ("case", "role")]
    return _page(request, "cases.html", title="Participants", cases=rows, columns=columns,
                 dyads=view["partnerships"], roles=view["roles"], documents=view["documents"])


@router.post("/documents/{name}/fully-coded", dependencies=csrf_checked)
def mark_fully_coded(request: Request, name: str, on: str = Form("true")) -> Response:
    with open_project(request) as p:
        p.mark_fully_coded(name, on.strip().lower() == "true")
    return RedirectResponse("/", status_code=303)


@router.post("/documents/{name}/turns/{start}/speaker", dependencies=csrf_checked)
def assign_speaker(request: Request, name: str, start: int, role: str = Form(...),
                   following: str = Form("")) -> Response:
    with open_project(request) as p:
        p.assign_speaker(name, start, role, following=following.strip().lower() in ("1", "true", "on"))
    return RedirectResponse(f"/documents/{quote(name, safe='')}#turn-{start}", status_code=303)


@router.post("/documents/{name}/case", dependencies=csrf_checked)
def link_document(request: Request, name: str, case: str = Form("")) -> Response:
    with open_project(request) as p:
        p.link_document(name, case.strip() or None)
    return RedirectResponse("/cases#documents", status_code=303)


@router.post("/cases/{key}", dependencies=csrf_checked)
async def edit_case(request: Request, key: str) -> Response:
    form = await request.form()
    values = {field[5:]: str(value) for field, value in form.items() if field.startswith("attr:")}
    with open_project(request) as p:
        p.set_case_values(key, values)
    return RedirectResponse("/cases", status_code=303)


@router.post("/partnerships", dependencies=csrf_checked)
def add_partnership(request: Request, first: str = Form(...), second: str = Form(...)) -> Response:
    with open_project(request) as p:
        p.add_partnership(first, second)
    return RedirectResponse("/cases", status_code=303)


@router.get("/adjudicate")
def adjudicate(request: Request, first: str | None = None, second: str | None = None) -> Response:
    with open_project(request) as p:
        view = p.adjudication(first, second)
    return _page(request, "adjudicate.html", title="Adjudicate", view=view)


@router.get("/queue")
def queue(request: Request, page: int = 1, rank: bool = False) -> Response:
    with open_project(request) as p:
        rows = p.queue(limit=30) if rank else None      # ranking fits the model: only when asked
        pending = p.suggestion_page(page)
    return _page(request, "queue.html", title="Suggestions", queue=rows, pending=pending)
