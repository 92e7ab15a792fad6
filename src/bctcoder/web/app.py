"""The web workspace: an app factory over one project (FastAPI, Jinja2 pages, small hand-written JS).

``create_app(project_path, token=...)`` returns the ASGI app; ``bctcoder serve`` runs it with uvicorn.
Handlers are thin: take the signed-in actor the gate found, make one library call as that actor, render.
Library errors become HTTP answers here, once: 401 not signed in, 403 not allowed, 404 not found (or not
yours), 409 changed meanwhile, 413/422 too large, 429 sign-in paused, 503 busy (with ``Retry-After``).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from bctcoder import __version__
from bctcoder.access.throttle import SignInThrottle
from bctcoder.errors import (
    BctcoderError,
    BusyError,
    ConflictError,
    LimitError,
    NotFoundError,
    NotSignedIn,
    PermissionDenied,
    TooManyAttempts,
)
from bctcoder.project import Project
from bctcoder.suggest.service import FittedModels
from bctcoder.web import security
from bctcoder.web.limits import JSON_LIMIT, UPLOAD_LIMIT, BodyLimit
from bctcoder.web.rules import is_public

HERE = Path(__file__).parent


def _status(exc: BctcoderError) -> int:
    for kind, status in ((NotSignedIn, 401), (PermissionDenied, 403), (NotFoundError, 404), (ConflictError, 409),
                         (LimitError, 422), (TooManyAttempts, 429), (BusyError, 503)):
        if isinstance(exc, kind):
            return status
    return 400


def create_app(project: str | Path, *, token: str | None = None, accounts: bool = False,
               secret: str | None = None, loopback_only: bool = True, json_limit: int = JSON_LIMIT,
               upload_limit: int = UPLOAD_LIMIT) -> FastAPI:
    """Build the app for one project.

    ``token``: the access token that signs a browser in as owner (local use). ``accounts``: require
    name-and-password sign-in. ``loopback_only``: False when the server listens beyond this machine (cookies
    are then ``Secure``: serve over HTTPS, e.g. behind a reverse proxy). ``json_limit``/``upload_limit``:
    the largest request bodies accepted, in bytes.
    """
    app = FastAPI(title="bctcoder", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.token = token
    app.state.accounts = accounts
    shared = Project.open(project)  # fail fast (and migrate) before serving; its pool serves every request
    shared.fitted_models = FittedModels()   # the queue reuses the fitted suggester until codings change
    app.state.project = shared
    app.state.throttle = SignInThrottle()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    app.state.templates = templates

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200,
             headers: dict[str, str] | None = None) -> HTMLResponse:
        actor = getattr(request.state, "actor", None)
        context = {"request": request, "user": actor.name if actor else None,
                   "role": actor.role.value if actor else None, "csrf": security.csrf_token(request), **context}
        return templates.TemplateResponse(request, name, context, status_code=status, headers=headers)

    app.state.page = page

    def error_response(request: Request, status: int, message: str,
                       headers: dict[str, str] | None = None) -> Response:
        if request.url.path.startswith("/api/") or request.method != "GET":
            return JSONResponse({"error": message}, status_code=status, headers=headers)
        return page(request, "message.html", {"title": f"Error {status}", "message": message}, status=status,
                    headers=headers)

    @app.exception_handler(BctcoderError)
    async def library_error(request: Request, exc: BctcoderError) -> Response:
        status = _status(exc)
        if status == 401 and request.method == "GET" and not request.url.path.startswith("/api/"):
            return RedirectResponse(f"/login?next={security.safe_next(request.url.path)}", status_code=303)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, (BusyError, TooManyAttempts)) else None
        if isinstance(exc, ConflictError) and exc.current is not None and request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "current": jsonable_encoder(exc.current),
                                 "yours": jsonable_encoder(exc.yours)}, status_code=status, headers=headers)
        return error_response(request, status, str(exc), headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        """Who is asking, re-read from the library on every request, before any body is read."""
        path, method = request.url.path, request.method
        try:
            actor, csrf = shared.access.session(request.session.get(security.SESSION_KEY))
            request.state.actor, request.state.csrf = actor, csrf
        except NotSignedIn as exc:
            token_sign_in = method == "GET" and path in ("/", "/login") and "token" in request.query_params
            if not (is_public(method, path) or token_sign_in):
                return await library_error(request, exc)
        except BusyError as exc:
            return await library_error(request, exc)
        return await call_next(request)

    app.add_middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                       session_cookie="bctcoder_session", same_site="strict", https_only=not loopback_only,
                       max_age=12 * 3600)

    @app.middleware("http")
    async def headers_and_timing(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
        return response

    app.add_middleware(BodyLimit, json_limit=json_limit, upload_limit=upload_limit)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from bctcoder.transcribe.jobs import TranscriptionJobs
    from bctcoder.web import routes_api, routes_pages, routes_pseudonymise, routes_results, routes_transcribe

    app.state.transcriptions = TranscriptionJobs()

    app.include_router(routes_pages.router)
    app.include_router(routes_api.router)
    app.include_router(routes_results.router)
    app.include_router(routes_pseudonymise.router)
    app.include_router(routes_transcribe.router)

    @app.get("/healthz")
    def health() -> Response:
        return Response("ok", media_type="text/plain")

    return app


def open_project(request: Request) -> Project:
    """The app's project acting for this request's signed-in actor (sharing the app's connection pool)."""
    return request.app.state.project.acting_as(security.current_actor(request))


def server_project(request: Request) -> Project:
    """The app's project acting for the person who started the server (sign-in only)."""
    return request.app.state.project
