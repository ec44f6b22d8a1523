"""Statistics as server-drawn SVG charts and a facility map, with the filters of search: for signed-in
readers over what they may see, and in public over publishable records with small counts withheld."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...services import statistics
from ...services.access import Actor
from ...services.search import Filters
from ..app import render
from ..security import Visitor, public, signed_in
from .pages import search_filters

router = APIRouter()


def _page(request: Request, actor: Actor | None, filters: Filters) -> Response:
    stats = statistics.statistics(request.app.state.registry, actor, filters)
    return render(request, "statistics.html", {"stats": stats, "filters": filters, "public": actor is None})


@router.get("/statistics")
def internal(request: Request, filters: Filters = Depends(search_filters), actor: Actor = Depends(signed_in)) -> Response:
    return _page(request, actor, filters)


@router.get("/public/statistics")
def published(request: Request, filters: Filters = Depends(search_filters), seen: Visitor = Depends(public)) -> Response:
    return _page(request, None, filters)
