"""Who is asking, and may they: session cookies, CSRF on every form, roles per route, sign-in rate.

Every route declares who may use it with one of the dependencies below (`public`, `signed_in`,
`allowed(...)`); tests/web/test_permissions.py enumerates every route against every role and the
anonymous visitor. Browsers authenticate with a session cookie (HttpOnly, Secure, SameSite=Strict)
and send the session's CSRF token with every form; scripts use a bearer token on /api and never a
cookie, so the API needs no CSRF token.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request

from ..domain.vocab import UserRole
from ..services import signin
from ..services.access import Actor
from ..services.registry import Registry

SESSION_COOKIE = "tm_session"
FORM_COOKIE = "tm_form"  # the CSRF token of a browser not signed in yet (the sign-in form)
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EVERY_ROLE = tuple(UserRole)


@dataclass(frozen=True)
class Visitor:
    """The person behind a request: an actor once fully signed in, else None."""

    actor: Actor | None
    csrf_token: str
    session_token: str | None = None
    pending: Actor | None = None  # password given, TOTP code still due


class SignInNeeded(Exception):
    """Raised by a page dependency: the browser is sent to the sign-in page."""


def cookie_options() -> dict:
    return {"httponly": True, "secure": True, "samesite": "strict", "path": "/"}


def visitor(request: Request) -> Visitor:
    """The visitor of a request (worked out once per request)."""
    cached = getattr(request.state, "visitor", None)
    if cached is not None:
        return cached
    registry: Registry = request.app.state.registry
    token = request.cookies.get(SESSION_COOKIE)
    found = signin.session(registry, token) if token else None
    if found is None:
        result = Visitor(None, request.cookies.get(FORM_COOKIE) or "")
    elif found.second_factor or not _needs_code(registry, found.actor):
        result = Visitor(found.actor, found.csrf_token, token)
    else:
        result = Visitor(None, found.csrf_token, token, pending=found.actor)
    request.state.visitor = result
    return result


def _needs_code(registry: Registry, actor: Actor) -> bool:
    return signin.role_requires_code(registry, actor.role) or signin.has_second_factor(registry, actor)


async def check_csrf(request: Request) -> None:
    """Every unsafe request but /api's must carry the session's (or, before sign-in, the form
    cookie's) token in its form; compared in constant time."""
    if request.method not in UNSAFE or request.url.path.startswith("/api/"):
        return
    expected = visitor(request).csrf_token
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise HTTPException(403, "this form has expired or did not come from this site: reload the page and try again")


# These dependencies are async: working out the visitor is one indexed read of the session (and, at most
# once a minute, a write that never waits on another writer: signin.session), cheaper than the trip to a
# worker thread and back that FastAPI gives a plain function on every request.

async def public(request: Request) -> Visitor:
    """Anyone, signed in or not."""
    return visitor(request)


async def signed_in(request: Request) -> Actor:
    """Any signed-in user."""
    return _signed_in_actor(request)


def allowed(*roles: UserRole) -> Callable[[Request], Awaitable[Actor]]:
    """A signed-in user of one of `roles` (403 for the others)."""
    async def dependency(request: Request) -> Actor:
        actor = _signed_in_actor(request)
        if actor.role not in roles:
            raise HTTPException(403, "your role may not use this page")
        return actor
    dependency.roles = roles  # type: ignore[attr-defined]
    return dependency


def _signed_in_actor(request: Request) -> Actor:
    actor = visitor(request).actor
    if actor is None:
        raise SignInNeeded
    return actor


def api_actor(request: Request) -> Actor:
    """The actor of a bearer token (401 without a valid one)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    actor = signin.token_actor(request.app.state.registry, token.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        raise HTTPException(401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"})
    return actor


class SignInRate:
    """At most `limit` sign-in attempts per address per `window` seconds (kept in memory)."""

    def __init__(self, limit: int = 10, window: float = 60.0):
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        seen = self._seen[address]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
