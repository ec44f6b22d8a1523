"""Public pages, no sign-in: what the testifiers' consent allows and nothing else (services.views.public_*)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...services.views import public_person_ids, public_person_view
from .. import i18n
from ..app import render
from ..security import Visitor, public

router = APIRouter()


@router.get("/")
def index(request: Request, seen: Visitor = Depends(public)) -> Response:
    registry = request.app.state.registry
    people = [public_person_view(registry, pid) for pid in public_person_ids(registry)]
    language = i18n.current.get()
    for person in people:
        person["names"] = i18n.names_in_reading_order(person["names"], language)
    first_names = {p["id"]: p["names"][0]["text"] for p in people if p["names"]}
    return render(request, "index.html", {"people": people, "first_names": first_names})
