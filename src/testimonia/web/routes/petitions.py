"""Petitions and appeals: the list (overdue first), a new petition, each answer as it comes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...domain.vocab import AnswerKind
from ...services import petitions
from ...services.access import WRITERS, Actor
from ...services.overview import OVERDUE_DAYS
from ..app import render
from ..security import allowed, signed_in

router = APIRouter()


@router.get("/petitions")
def petition_list(request: Request, about: str = "", actor: Actor = Depends(signed_in)) -> Response:
    """The petitions, overdue first; `about` (a person id, from a person's page) fills in the new one's persons."""
    found = petitions.list_petitions(request.app.state.registry, actor)
    found.sort(key=lambda p: -(p["days_without_answer"] or -1))
    return render(request, "petitions.html", {"petitions": found, "overdue_days": OVERDUE_DAYS,
                                              "projects": sorted(actor.projects), "may_write": actor.role in WRITERS,
                                              "answer_kinds": [k.value for k in AnswerKind], "about": about})


@router.post("/petitions")
def new_petition(request: Request, project: str = Form(""), title: str = Form(""), addressed_to: str = Form(""),
                 sent_on: str = Form(""), channel: str = Form(""), persons: str = Form(""), text: str = Form(""),
                 actor: Actor = Depends(allowed(*WRITERS))) -> Response:
    person_ids = [p for p in persons.replace(",", " ").split() if p]
    petitions.create_petition(request.app.state.registry, actor, project, title, addressed_to, person_ids,
                              sent_on=sent_on or None, channel=channel or None, text=text or None)
    return RedirectResponse("/petitions", status_code=303)


@router.post("/petitions/{petition_id}/answers")
def log_answer(request: Request, petition_id: str, kind: str = Form(""), received_on: str = Form(""),
               note: str = Form(""), actor: Actor = Depends(allowed(*WRITERS))) -> Response:
    petitions.add_answer(request.app.state.registry, actor, petition_id, kind, received_on=received_on or None,
                         note=note or None)
    return RedirectResponse("/petitions", status_code=303)
