"""JSON API for the reading view: codings, undo, suggestions.

Every write carries the session's CSRF token; the library checks role, ownership and blind mode.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from bctcoder.web import security
from bctcoder.web.app import open_project

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
    version: int | None = None     # the version the editor opened: a coding changed since is not overwritten


@router.get("/documents/{name}/codings")
def list_codings(request: Request, name: str) -> dict[str, Any]:
    with open_project(request) as p:
        rows = p.document_view(name)["codings"]
    return {"codings": rows}


class Decision(BaseModel):
    first: str
    second: str
    document: str
    code: str
    decision: str
    memo: str | None = None


@router.post("/decisions")
def decide(request: Request, body: Decision) -> dict[str, Any]:
    with open_project(request) as p:
        return p.decide(body.first, body.second, body.document, body.code, body.decision, memo=body.memo)


@router.get("/codings/{coding_id}/history")
def coding_history(request: Request, coding_id: int) -> dict[str, Any]:
    with open_project(request) as p:
        return {"coding": coding_id, "history": p.history(coding_id)}


@router.post("/codings", status_code=201)
def add_coding(request: Request, body: NewCoding) -> dict[str, Any]:
    with open_project(request) as p:
        return p.add_coding(body.document, body.start, body.end, body.code, memo=body.memo,
                            exemplar=body.exemplar)


@router.patch("/codings/{coding_id}")
def change_coding(request: Request, coding_id: int, body: CodingChange) -> dict[str, Any]:
    changes = {k: v for k, v in body.model_dump().items() if v is not None and k != "version"}
    with open_project(request) as p:
        return p.update_coding(coding_id, expected_version=body.version, **changes)


@router.delete("/codings/{coding_id}")
def delete_coding(request: Request, coding_id: int) -> dict[str, Any]:
    with open_project(request) as p:
        p.delete_coding(coding_id)
    return {"deleted": coding_id}


@router.post("/undo")
def undo(request: Request) -> dict[str, Any]:
    with open_project(request) as p:
        return p.undo()


@router.post("/suggestions/{coding_id}/{decision}")
def review_suggestion(request: Request, coding_id: int, decision: str, code: str | None = None) -> dict[str, Any]:
    if decision not in ("accept", "reject", "change"):
        raise HTTPException(status_code=404, detail="decision must be accept, reject or change")
    with open_project(request) as p:
        if decision == "reject":
            return p.reject([coding_id])
        if decision == "change":
            if not code:
                raise HTTPException(status_code=400, detail="choose the code to change the suggestion to")
            return p.change_suggestion(coding_id, code)
        return p.accept([coding_id])
