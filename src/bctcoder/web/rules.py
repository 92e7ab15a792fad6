"""Every route's rule, in one table: public, or the library right it exercises.

The library enforces the rights (:mod:`bctcoder.access`); this table says which right each route exercises
so that a test can try every route anonymously, with a role that lacks the right, and as a blind coder. A
route missing from this table fails that test.
"""

from __future__ import annotations

from bctcoder.access.roles import Action

PUBLIC = "public"

ROUTE_RULES: dict[tuple[str, str], str] = {
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/login/token"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("POST", "/logout"): Action.READ,
    ("GET", "/"): Action.READ,
    ("GET", "/documents/{name}"): Action.READ,
    ("GET", "/taxonomy"): Action.READ,
    ("POST", "/codes"): Action.ADD_CODE,
    ("POST", "/codes/promote"): Action.MANAGE_TAXONOMY,
    ("GET", "/cases"): Action.READ,
    ("POST", "/cases/{key}"): Action.MANAGE_CASES,
    ("POST", "/partnerships"): Action.MANAGE_CASES,
    ("POST", "/documents/{name}/case"): Action.MANAGE_CASES,
    ("POST", "/documents/audio"): Action.IMPORT,
    ("GET", "/transcriptions"): Action.IMPORT,
    ("POST", "/documents/{name}/fully-coded"): Action.CODE,
    ("POST", "/documents/{name}/turns/{start}/speaker"): Action.ASSIGN_SPEAKERS,
    ("GET", "/queue"): Action.READ,
    ("GET", "/adjudicate"): Action.RECONCILE,
    ("GET", "/pseudonymise"): Action.PSEUDONYMISE,
    ("POST", "/pseudonymise/detect"): Action.PSEUDONYMISE,
    ("POST", "/pseudonymise/decide"): Action.PSEUDONYMISE,
    ("POST", "/pseudonymise/accept-all"): Action.PSEUDONYMISE,
    ("POST", "/pseudonymise/apply"): Action.PSEUDONYMISE,
    ("POST", "/api/decisions"): Action.RECONCILE,
    ("GET", "/results"): Action.READ,
    ("GET", "/results/{name}"): Action.READ,
    ("GET", "/download/{name}.{fmt}"): Action.READ,
    ("GET", "/api/documents/{name}/codings"): Action.READ,
    ("GET", "/api/codings/{coding_id}/history"): Action.READ,
    ("POST", "/api/codings"): Action.CODE,
    ("PATCH", "/api/codings/{coding_id}"): Action.CODE,
    ("DELETE", "/api/codings/{coding_id}"): Action.CODE,
    ("POST", "/api/undo"): Action.CODE,
    ("POST", "/api/suggestions/{coding_id}/{decision}"): Action.REVIEW_SUGGESTIONS,
}

PUBLIC_PREFIXES = ("/static/",)


def is_public(method: str, path: str) -> bool:
    """Whether a request needs no session (the sign-in page, health check, static files)."""
    if path.startswith(PUBLIC_PREFIXES):
        return True
    return ROUTE_RULES.get((method, path)) == PUBLIC or (method == "HEAD" and
                                                         ROUTE_RULES.get(("GET", path)) == PUBLIC)
