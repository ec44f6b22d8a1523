"""The web application: server-rendered pages that work without JavaScript, and a JSON API under /api.

`create_app(registry)` wires the pieces: security.py (who may do what; CSRF on every form), i18n.py
(the reader's language and text direction), the routes in routes/ (one module per capability), the
templates and the application's own static files (no CDN, nothing fetched from elsewhere).
docs/web.md describes the pages and their permissions.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import jinja2
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..services.errors import InvalidInput, NotFound, PermissionDenied
from ..services.registry import Registry, open_folder
from . import i18n, labels
from .security import SECURITY_HEADERS, SignInNeeded, SignInRate, check_csrf, visitor

HERE = Path(__file__).parent
# Templates are read once per process (auto_reload would look at every file's time on every page).
TEMPLATES = Jinja2Templates(env=jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                                    autoescape=True, extensions=["jinja2.ext.i18n"],
                                                    auto_reload=False))
TEMPLATES.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
TEMPLATES.env.globals["languages"] = i18n.LANGUAGES
TEMPLATES.env.filters["label"] = labels.label


def render(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    """A page, with what every template needs: the visitor, the CSRF token, the language."""
    seen = visitor(request)
    language = i18n.current.get()
    base = {"actor": seen.actor, "csrf_token": seen.csrf_token, "language": language, "path": request.url.path}
    return TEMPLATES.TemplateResponse(request, template, base | (context or {}), status_code=status)


#: The largest request body accepted, refused before it is read (evidence files are 25 MB each at most).
MAX_REQUEST_BYTES = 80 * 1024 * 1024

#: Requests to pages that are plain functions worked on at once in one process, in worker threads (the
#: rest wait their turn; on SQLite the search page runs on the event loop instead, routes/pages.py).
#: Threads of one process contend for the interpreter: under the load benchmark at 1,000,000 persons
#: (2 processes) person pages, then in threads, had p95 64 ms with 4, 60 ms with 2 and 56 ms with 1.
#: 1 would let one slow page hold up every such request of its process. docs/benchmarks.md.
CONCURRENT_REQUESTS = 2


class LanguageAndHeaders:
    """Around every request: a body longer than MAX_REQUEST_BYTES is refused by its declared length
    before it is read, the reader's language is chosen, and every response gets the security headers.
    Plain ASGI (Starlette's BaseHTTPMiddleware would add a task and a stream to every request)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for header, value in SECURITY_HEADERS.items():
                    headers.setdefault(header, value)
            await send(message)

        request = Request(scope)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_REQUEST_BYTES):
            await Response("the request is too large", status_code=413)(scope, receive, with_headers)
            return
        language = i18n.choose(request.cookies.get(i18n.LANGUAGE_COOKIE), request.headers.get("accept-language"))
        token = i18n.current.set(language)
        try:
            await self.app(scope, receive, with_headers)
        finally:
            i18n.current.reset(token)


@asynccontextmanager
async def _lifespan(app: FastAPI):  # noqa: ANN202
    anyio.to_thread.current_default_thread_limiter().total_tokens = CONCURRENT_REQUESTS
    yield


def create_app(registry: Registry) -> FastAPI:
    from .routes import admin, api, auth, pages, petitions, public, review, statistics, testimonies

    app = FastAPI(title="Testimonia", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  dependencies=[Depends(check_csrf)], lifespan=_lifespan)
    app.state.registry = registry
    app.state.sign_in_rate = SignInRate()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (public, auth, pages, testimonies, review, petitions, statistics, admin, api):
        app.include_router(module.router)

    app.add_middleware(LanguageAndHeaders)

    @app.exception_handler(SignInNeeded)
    async def to_sign_in(request: Request, _: SignInNeeded) -> Response:
        if request.url.path.startswith("/api/"):
            return Response(status_code=401)
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, i18n.gettext("Not found."))

    @app.exception_handler(PermissionDenied)
    async def denied(request: Request, exc: PermissionDenied) -> Response:
        return _error(request, 403, i18n.gettext("You may not do this."))

    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, exc: InvalidInput) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), exc.headers)

    return app


def app_from_environment() -> FastAPI:
    """The application of the data folder in TESTIMONIA_DATA (`testimonia serve --workers N`: one per worker)."""
    return create_app(open_folder(Path(os.environ["TESTIMONIA_DATA"]), os.environ.get("TESTIMONIA_PASSPHRASE")))


def _error(request: Request, status: int, message: str, headers: dict | None = None) -> Response:
    """JSON under /api, else the error page."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = render(request, "error.html", {"status": status, "message": message}, status=status)
    response.headers.update(headers or {})
    return response
