"""The signed-in reader's pages: dashboard, search across scripts, a person."""

from __future__ import annotations

from collections import Counter
from functools import partial

import anyio
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


# The search page is async. On SQLite its few milliseconds of work are this process's own CPU, which a
# worker thread could not run beside another request's anyway (threads share the interpreter lock): on
# the event loop a request is spared two trips between threads, 13 % of the server's CPU under the load
# benchmark (1,000,000 persons). It only reads, so it never waits on a writer. On PostgreSQL the work is
# the database server's, in its own processes: the search goes to a worker thread, so that this process
# takes other requests meanwhile (on the event loop, search pages had p95 1.3 s there). Pages that write
# (a person page read by a role that sees confidential values appends to the audit chain, and an import
# may hold SQLite's write lock for minutes) or that take long (statistics) are plain functions, in
# worker threads, so that they do not hold up the others.
@router.get("/search")
async def search(request: Request, q: str = "", filters: Filters = Depends(search_filters),
                 actor: Actor = Depends(signed_in)) -> Response:
    registry = request.app.state.registry
    searched = bool(q.strip()) or any(vars(filters).values())
    found = []
    if searched:
        work = partial(search_persons, registry, actor, q, filters, limit=FACETED, page=SHOWN)
        found = work() if registry.db.dialect == "sqlite" else await anyio.to_thread.run_sync(work)
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
