"""HTML pages: sign-in, documents, the reading view, taxonomy, cases, the suggestion queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from bctcoder.analysis.coverage import document_coverage
from bctcoder.coding.service import coding_rows
from bctcoder.web import accounts, security
from bctcoder.web.app import open_project
from bctcoder.web.reading import build_turns
from bctcoder.web.security import current_user

router = APIRouter()


def _page(request: Request, template: str, **context):
    return request.app.state.page(request, template, context)


@router.get("/login")
def login_form(request: Request, next: str = "/", token: str | None = None):
    if token is not None:
        return token_login(request, token, next)
    return _page(request, "login.html", title="Sign in", next=next, error=None,
                 accounts=request.app.state.accounts)


def token_login(request: Request, token: str, next: str = "/"):
    if not security.token_matches(token, request.app.state.token):
        return _page(request, "login.html", title="Sign in", next=next, error="That access token is not valid.",
                     accounts=request.app.state.accounts)
    with open_project(request) as p:
        owner = p.user
    security.sign_in(request, owner, "owner")
    return RedirectResponse(next if next.startswith("/") else "/", status_code=303)


@router.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")):
    with open_project(request) as p, p.reading() as s:
        who = accounts.verify(s, name, password) if accounts.has_users(s) else None
    if who is None:
        return request.app.state.page(request, "login.html", {"title": "Sign in", "next": next,
                                                              "error": "Wrong name or password.",
                                                              "accounts": True}, status=401)
    security.sign_in(request, who["name"], who["role"])
    with open_project(request, who["name"]) as p, p.transaction() as s:
        from bctcoder.coding.events import log_event

        log_event(s, who["name"], "user.login")
    return RedirectResponse(next if next.startswith("/") else "/", status_code=303)


@router.post("/logout", dependencies=[Depends(security.check_csrf)])
def logout(request: Request):
    security.sign_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def documents(request: Request, token: str | None = None):
    if token is not None:
        return token_login(request, token, "/")
    user = current_user(request)
    with open_project(request, user.name) as p:
        docs = p.documents()
        with p.reading() as s:
            cov = document_coverage(s)
            coverage = dict(zip(cov["document"], cov["coverage"]))
            from sqlalchemy import func, select

            from bctcoder.store.models import Coding, Document

            pending = dict(s.execute(select(Document.name, func.count(Coding.id)).join(Coding)
                                     .where(Coding.origin == "suggested").group_by(Document.name)).all())
            mine = dict(s.execute(select(Document.name, func.count(Coding.id)).join(Coding)
                                  .join(Coding.coder).where(Coding.origin.in_(("manual", "accepted", "consensus")))
                                  .where(Coding.coder.has(name=user.name)).group_by(Document.name)).all())
        rows = []
        for d in docs.to_dict("records"):
            rows.append(d | {"coverage": coverage.get(d["document"], 0), "pending": pending.get(d["document"], 0),
                             "mine": mine.get(d["document"], 0)})
        info = p.info()
    return _page(request, "documents.html", title="Documents", documents=rows, info=info)


@router.get("/documents/{name}")
def reading_view(request: Request, name: str):
    user = current_user(request)
    with open_project(request, user.name) as p:
        text = p.document_text(name)
        turns = p.turns(name)
        blind = p.blind and not user.is_owner
        with p.reading() as s:
            rows = coding_rows(s, documents=[name])
        if blind:
            rows = [r for r in rows if r["coder"] == user.name or r["origin"] == "suggested"]
        rows = [r for r in rows if r["origin"] != "rejected"]
        techniques = [{"id": t["id"], "label": t["label"], "group": t["group_label"],
                       "description": t["description"] or "", "cues": t["cues"]} for t in p.codes()]
        documents = list(p.documents()["document"])
    views = build_turns(text, turns, rows)
    by_id = {r["id"]: r for r in rows}
    data = {"document": name, "codes": techniques, "canWrite": user.can_write}
    position = documents.index(name) if name in documents else -1
    return _page(request, "document.html", title=name, name=name, turns=views, codings=by_id,
                 data=data, blind=blind, n_codings=len(rows),
                 previous=documents[position - 1] if position > 0 else None,
                 next_doc=documents[position + 1] if 0 <= position < len(documents) - 1 else None)


@router.get("/taxonomy")
def taxonomy(request: Request):
    user = current_user(request)
    with open_project(request, user.name) as p:
        codes = p.codes()
        info = p.info()
    groups: dict[str, list] = {}
    for c in codes:
        key = f"{c['group_id']} {c['group_label']}" if c["group_id"] else "Inductive codes (outside the taxonomy)"
        groups.setdefault(key, []).append(c)
    return _page(request, "taxonomy.html", title="Taxonomy", groups=groups, info=info,
                 inductive=[c for c in codes if c["kind"] == "inductive"])


@router.post("/codes", dependencies=[Depends(security.check_csrf)])
def add_code(request: Request, label: str = Form(...), description: str = Form("")):
    user = current_user(request)
    security.require_writer(user)
    with open_project(request, user.name) as p:
        p.add_inductive_code(label, description or None)
    return RedirectResponse("/taxonomy", status_code=303)


@router.post("/codes/promote", dependencies=[Depends(security.check_csrf)])
async def promote(request: Request):
    user = current_user(request)
    security.require_owner(user)
    form = await request.form()
    codes = form.getlist("codes")
    with open_project(request, user.name) as p:
        p.promote_codes(list(codes), group_label=str(form.get("group", "")).strip() or "New group",
                        extension=str(form.get("extension", "")).strip() or "project-extension")
    return RedirectResponse("/taxonomy", status_code=303)


@router.get("/cases")
def cases(request: Request):
    user = current_user(request)
    with open_project(request, user.name) as p:
        frame = p.cases()
        dyads = p.partnerships()
        roles = p.roles
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records") if len(frame) else []
    columns = [c for c in frame.columns if c not in ("case", "role")]
    return _page(request, "cases.html", title="Participants", cases=rows, columns=columns, dyads=dyads,
                 roles=roles)


@router.post("/cases/{key}", dependencies=[Depends(security.check_csrf)])
async def edit_case(request: Request, key: str):
    user = current_user(request)
    security.require_owner(user)
    form = await request.form()
    with open_project(request, user.name) as p:
        for field, value in form.items():
            if field.startswith("attr:"):
                p.set_case_value(key, field[5:], str(value))
    return RedirectResponse("/cases", status_code=303)


@router.post("/partnerships", dependencies=[Depends(security.check_csrf)])
def add_partnership(request: Request, first: str = Form(...), second: str = Form(...)):
    user = current_user(request)
    security.require_owner(user)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dyad.csv"
        path.write_text(f"first,second\n{first},{second}\n", encoding="utf-8")
        with open_project(request, user.name) as p:
            p.import_partnerships(path)
    return RedirectResponse("/cases", status_code=303)


@router.get("/queue")
def queue(request: Request):
    user = current_user(request)
    with open_project(request, user.name) as p:
        rows = p.queue(limit=30)
        pending = p.suggestions()
    return _page(request, "queue.html", title="Suggestions", queue=rows,
                 pending=pending.to_dict("records") if len(pending) else [])
