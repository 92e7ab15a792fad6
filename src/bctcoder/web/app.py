"""The web workspace: an app factory over one project (FastAPI, Jinja2 pages, small hand-written JS).

``create_app(project_path, token=...)`` returns the ASGI app; ``bctcoder serve`` runs it with uvicorn.
Handlers are thin: open a session on the project, call the library, render.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from bctcoder import __version__
from bctcoder.errors import BctcoderError, NotFoundError
from bctcoder.project import Project
from bctcoder.suggest.service import FittedModels
from bctcoder.web import security
from bctcoder.web.security import NotSignedIn

HERE = Path(__file__).parent


def create_app(project: str | Path, *, token: str | None = None, accounts: bool = False,
               secret: str | None = None) -> FastAPI:
    """Build the app for one project.

    ``token``: the access token that signs a browser in as owner (local use). ``accounts``: require
    name-and-password sign-in (the token still works for the person who started the server unless None).
    """
    app = FastAPI(title="bctcoder", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.project_path = str(project)
    app.state.token = token
    app.state.accounts = accounts
    shared = Project.open(project)  # fail fast (and migrate) before serving; its engine serves every request
    app.state.project_url = shared.url
    app.state.engine = shared.engine
    app.state.fitted_models = FittedModels()   # the queue reuses the fitted suggester until codings change
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    app.state.templates = templates
    app.add_middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                       session_cookie="bctcoder_session", same_site="strict", https_only=False, max_age=12 * 3600)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def no_cache_and_frames(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={1000 * (time.perf_counter() - started):.1f}"
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
        return response

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not signed in"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(BctcoderError)
    async def library_error(request: Request, exc: BctcoderError):
        status = 404 if isinstance(exc, NotFoundError) else 400
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=status)
        return page(request, "message.html", {"title": "Error", "message": str(exc)}, status=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or request.method != "GET":
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return page(request, "message.html", {"title": f"Error {exc.status_code}", "message": exc.detail},
                    status=exc.status_code)

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        user = request.session.get("user")
        context = {"request": request, "user": user, "role": request.session.get("role"),
                   "csrf": security.csrf_token(request), **context}
        return templates.TemplateResponse(request, name, context, status_code=status)

    app.state.page = page

    from bctcoder.web import routes_api, routes_pages, routes_results

    app.include_router(routes_pages.router)
    app.include_router(routes_api.router)
    app.include_router(routes_results.router)

    @app.get("/healthz")
    def health() -> Response:
        return Response("ok", media_type="text/plain")

    return app


class RequestProject(Project):
    """The app's project for one request: shares the app's engine (connection pool), acts as one user."""

    def close(self) -> None:  # the engine belongs to the app
        pass


def open_project(request: Request, user: str | None = None) -> Project:
    """The app's project for one request, acting as ``user`` in the event log."""
    project = RequestProject(request.app.state.project_url, request.app.state.engine, user=user)
    project.fitted_models = request.app.state.fitted_models
    return project
