"""Application factory. Public pages show only what consent allows (services.views.public_*)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..services.errors import NotFound
from ..services.registry import Registry
from ..services.views import public_person_ids, public_person_view

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def create_app(registry: Registry) -> FastAPI:
    app = FastAPI(title="Testimonia", docs_url=None, redoc_url=None)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        people = [public_person_view(registry, pid) for pid in public_person_ids(registry)]
        first_names = {p["id"]: p["names"][0]["text"] for p in people if p["names"]}
        return TEMPLATES.TemplateResponse(request, "index.html", {"people": people, "first_names": first_names})

    @app.get("/api/persons")
    def api_persons() -> list[dict]:
        return [public_person_view(registry, pid) for pid in public_person_ids(registry)]

    @app.get("/api/persons/{person_id}")
    def api_person(person_id: str) -> dict:
        try:
            return public_person_view(registry, person_id)
        except NotFound:
            raise HTTPException(404, "no such person") from None

    return app
