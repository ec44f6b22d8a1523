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

router = APIRouter()


def _page(request: Request, actor: Actor | None, status: str, ethnicity: str, county: str, prefecture: str,
          event_year: str) -> Response:
    filters = Filters(status=status or None, ethnicity=ethnicity or None, county=county or None,
                      prefecture=prefecture or None,
                      event_year=int(event_year) if event_year.strip().isdigit() else None)
    stats = statistics.statistics(request.app.state.registry, actor, filters)
    return render(request, "statistics.html", {"stats": stats, "filters": filters, "public": actor is None})


@router.get("/statistics")
def internal(request: Request, status: str = "", ethnicity: str = "", county: str = "", prefecture: str = "",
             event_year: str = "", actor: Actor = Depends(signed_in)) -> Response:
    return _page(request, actor, status, ethnicity, county, prefecture, event_year)


@router.get("/public/statistics")
def published(request: Request, status: str = "", ethnicity: str = "", county: str = "", prefecture: str = "",
              event_year: str = "", seen: Visitor = Depends(public)) -> Response:
    return _page(request, None, status, ethnicity, county, prefecture, event_year)
