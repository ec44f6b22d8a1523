"""The signed-in reader's pages: dashboard, search across scripts, a person."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...services import overview, views
from ...services.access import Actor
from ...services.search import Filters, search_persons
from .. import i18n
from ..app import render
from ..security import signed_in

router = APIRouter()
SHOWN = 50  # persons listed on a search page
FACETED = 200  # persons the facets count (the best matches)


@router.get("/dashboard")
def dashboard(request: Request, actor: Actor = Depends(signed_in)) -> Response:
    registry = request.app.state.registry
    summary = overview.overview(registry, actor)
    named = views.display_names(registry, actor, {p for t in summary["recent_testimonies"] for p in t["persons"]})
    return render(request, "dashboard.html", {"overview": summary, "named": named})


async def search_filters(status: str = "", ethnicity: str = "", county: str = "", prefecture: str = "",
                         event_year: str = "") -> Filters:
    """The search filters of a page's query string (search and statistics share them). Async, as it
    only reads the query string: a plain function would cost a trip to a worker thread per request."""
    return Filters(status=status or None, ethnicity=ethnicity or None, county=county or None,
                   prefecture=prefecture or None, event_year=int(event_year) if event_year.strip().isdigit() else None)


# The search page is async although it reads the database: its few milliseconds of work could not run
# beside another request's in a worker thread of the same process anyway (threads share the interpreter
# lock), and on the event loop a request is spared two trips between threads: under the load benchmark
# (1,000,000 persons) it took 13 % less of the server's CPU. It only reads, so it never waits on another
# writer. Pages that write (a person page read by a role that sees confidential values appends to the
# audit chain, and an import may hold the write lock for minutes) or that take long (statistics) stay
# plain functions, in worker threads, so that they do not hold up the others.
@router.get("/search")
async def search(request: Request, q: str = "", filters: Filters = Depends(search_filters),
                 actor: Actor = Depends(signed_in)) -> Response:
    registry = request.app.state.registry
    searched = bool(q.strip()) or any(vars(filters).values())
    found = search_persons(registry, actor, q, filters, limit=FACETED, page=SHOWN) if searched else []
    language = i18n.current.get()
    for person in found[:SHOWN]:
        person["names"] = i18n.names_in_reading_order(person.get("names") or [], language)
        person["hometown"] = overview.place_name(registry, person.get("hometown"))
    facets = {"status": Counter(p["status"] for p in found if p["status"]),
              "ethnicity": Counter(p["ethnicity"] for p in found if p["ethnicity"])}
    return render(request, "search.html", {"q": q, "filters": filters, "found": found[:SHOWN], "total": len(found),
                                           "faceted": FACETED, "searched": searched,
                                           "facets": {k: v.most_common() for k, v in facets.items()}})


@router.get("/persons/{person_id}")
def person(request: Request, person_id: str, actor: Actor = Depends(signed_in)) -> Response:
    registry = request.app.state.registry
    view = views.person_view(registry, actor, person_id)
    view["names"] = i18n.names_in_reading_order(view["names"], i18n.current.get())
    related = views.display_names(registry, actor, {r["other_id"] for r in view["relations"]})
    return render(request, "person.html", {"person": view, "history": views.history(registry, actor, person_id),
                                           "related": related})
