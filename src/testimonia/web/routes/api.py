"""The JSON API (OpenAPI at /api/openapi.json). Public records need nothing; everything else a bearer
token (created on /account/tokens), which acts with its user's role and projects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from ...services import views
from ...services.access import Actor
from ...services.errors import NotFound
from ...services.search import search_persons
from ..security import Visitor, api_actor, public

router = APIRouter(prefix="/api")


@router.get("/persons")
def public_persons(request: Request, seen: Visitor = Depends(public)) -> list[dict[str, Any]]:
    """Every person with a publishable record, as the public page shows them."""
    registry = request.app.state.registry
    return [views.public_person_view(registry, pid) for pid in views.public_person_ids(registry)]


@router.get("/persons/{person_id}")
def public_person(request: Request, person_id: str, seen: Visitor = Depends(public)) -> dict[str, Any]:
    try:
        return views.public_person_view(request.app.state.registry, person_id)
    except NotFound:
        raise HTTPException(404, "no such person") from None


@router.get("/me")
def me(actor: Actor = Depends(api_actor)) -> dict[str, Any]:
    """Who the token acts as."""
    return {"username": actor.username, "role": actor.role.value, "projects": sorted(actor.projects)}


@router.get("/search")
def search(request: Request, q: str = "", actor: Actor = Depends(api_actor)) -> list[dict[str, Any]]:
    """Persons the token's user may see whose names (any script), places or sources match `q`."""
    return search_persons(request.app.state.registry, actor, q)


@router.get("/registry/persons/{person_id}")
def person(request: Request, person_id: str, actor: Actor = Depends(api_actor)) -> dict[str, Any]:
    """A person as the token's user may see them (confidential reads are audited)."""
    return views.person_view(request.app.state.registry, actor, person_id)
