"""JSON API for the reading view: codings, undo, suggestions. Every write checks role and CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from bctcoder.coding.service import undo_last
from bctcoder.web import security
from bctcoder.web.app import open_project
from bctcoder.web.security import current_user

router = APIRouter(prefix="/api", dependencies=[Depends(security.check_csrf)])


class NewCoding(BaseModel):
    document: str
    start: int
    end: int
    code: str
    memo: str | None = None
    exemplar: bool = False


class CodingChange(BaseModel):
    code: str | None = None
    memo: str | None = None
    exemplar: bool | None = None
    start: int | None = None
    end: int | None = None


def _own_or_owner(p, user, coding_id: int) -> dict[str, Any]:
    frame = p.codings(unblind=True)
    rows = frame[frame["id"] == coding_id]
    if rows.empty:
        raise HTTPException(status_code=404, detail=f"no coding {coding_id}")
    row = rows.iloc[0].to_dict()
    if row["coder"] != user.name and not user.is_owner and row["origin"] != "suggested":
        raise HTTPException(status_code=403, detail="you can only change your own codings")
    return row


@router.get("/documents/{name}/codings")
def list_codings(request: Request, name: str):
    user = current_user(request)
    with open_project(request, user.name) as p:
        blind = p.blind and not user.is_owner
        frame = p.codings(documents=[name], as_coder=user.name if blind else None, unblind=True)
    frame = frame.astype(object).where(frame.notna(), None)
    return {"codings": frame.to_dict("records")}


@router.post("/codings", status_code=201)
def add_coding(request: Request, body: NewCoding):
    user = current_user(request)
    security.require_writer(user)
    with open_project(request, user.name) as p:
        return p.add_coding(body.document, body.start, body.end, body.code, coder=user.name, memo=body.memo,
                            exemplar=body.exemplar)


@router.patch("/codings/{coding_id}")
def change_coding(request: Request, coding_id: int, body: CodingChange):
    user = current_user(request)
    security.require_writer(user)
    changes = {k: v for k, v in body.model_dump().items() if v is not None}
    with open_project(request, user.name) as p:
        _own_or_owner(p, user, coding_id)
        return p.update_coding(coding_id, **changes)


@router.delete("/codings/{coding_id}")
def delete_coding(request: Request, coding_id: int):
    user = current_user(request)
    security.require_writer(user)
    with open_project(request, user.name) as p:
        _own_or_owner(p, user, coding_id)
        p.delete_coding(coding_id)
    return {"deleted": coding_id}


@router.post("/undo")
def undo(request: Request):
    user = current_user(request)
    security.require_writer(user)
    with open_project(request, user.name) as p, p.transaction() as s:
        return undo_last(s, user.name)


@router.post("/suggestions/{coding_id}/{decision}")
def review_suggestion(request: Request, coding_id: int, decision: str, code: str | None = None):
    user = current_user(request)
    security.require_writer(user)
    if decision not in ("accept", "reject", "change"):
        raise HTTPException(status_code=404, detail="decision must be accept, reject or change")
    with open_project(request, user.name) as p:
        if decision == "reject":
            return p.reject([coding_id])
        if decision == "change":
            if not code:
                raise HTTPException(status_code=400, detail="choose the code to change the suggestion to")
            result = p.accept([coding_id], coder=user.name)
            p.update_coding(coding_id, code=code)
            return result | {"code": code}
        return p.accept([coding_id], coder=user.name)
