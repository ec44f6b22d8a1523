"""Recording a testimony: the testifier, their consent, up to PERSON_BLOCKS persons with what happened
to each, and evidence files; stored in one transaction (services.records.record_testimony)."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ...domain.vocab import Consent, Ethnicity, EventType, Medium, RelationType, Sex
from ...gazetteer import Gazetteer
from ...services import evidence, records
from ...services.access import WRITERS, Actor
from ...services.errors import InvalidInput
from ...services.inputs import EventInput, NameInput, PersonInput, TestimonyInput
from ...store.schema import facilities
from .. import i18n
from ..app import render
from ..security import allowed

router = APIRouter()
PERSON_BLOCKS = 3  # a form without JavaScript shows a fixed number; empty blocks are ignored
UPLOAD_LIMIT = 25 * 1024 * 1024  # per file, through the browser (the command line takes larger)
PLACE_KINDS = ("prefecture", "county", "city")


@cache
def place_choices(gazetteer: Gazetteer, scripts: tuple[str, ...]) -> list[str]:
    """What the place picker offers: prefectures, counties and cities by English and Chinese name and by
    their aliases in the scripts the reader reads (any other spelling is resolved on saving too)."""
    names = set()
    for place in gazetteer.places.values():
        if place.kind in PLACE_KINDS:
            names.update(n for n in (place.name_en, place.name) if n)
            names.update(a.text for a in place.aliases if a.script in scripts)
    return sorted(names)


def facility_choices(request: Request) -> list[str]:
    """What the facility picker offers: the names of the facilities list (read once per application)."""
    state = request.app.state
    if getattr(state, "facility_choices", None) is None:
        with state.registry.db.reading() as conn:
            state.facility_choices = sorted(set(conn.execute(select(facilities.c.name)).scalars()))
    return state.facility_choices


def _form_context(request: Request, actor: Actor) -> dict:
    registry = request.app.state.registry
    return {"projects": sorted(actor.projects), "blocks": range(1, PERSON_BLOCKS + 1),
            "places": place_choices(registry.gazetteer, i18n.current.get().scripts),
            "facilities": facility_choices(request), "consents": [c.value for c in Consent],
            "relations": [r.value for r in RelationType], "media": [m.value for m in Medium],
            "event_types": [e.value for e in EventType], "ethnicities": [e.value for e in Ethnicity],
            "sexes": [s.value for s in Sex]}


@router.get("/testimonies/new")
def new_testimony(request: Request, actor: Actor = Depends(allowed(*WRITERS))) -> Response:
    return render(request, "record_testimony.html", _form_context(request, actor) | {"values": {}})


@router.post("/testimonies")
async def record(request: Request, files: list[UploadFile] = File(default=[]),
                 actor: Actor = Depends(allowed(*WRITERS))) -> Response:
    form = await request.form()
    try:
        return await _record(request, form, files, actor)
    except InvalidInput as exc:  # the form again, as it was filled in, so nothing typed is lost
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return render(request, "record_testimony.html",
                      _form_context(request, actor) | {"values": values, "error": str(exc)}, status=400)


async def _record(request: Request, form, files: list[UploadFile], actor: Actor) -> Response:  # noqa: ANN001
    field = lambda name: (form.get(name) or "").strip() or None  # noqa: E731
    subjects = [_subject(field, k) for k in range(1, PERSON_BLOCKS + 1)]
    subjects = [s for s in subjects if s is not None]
    testimony = TestimonyInput(testifier_name=field("testifier"), relation=field("relation"), medium=field("medium"),
                               consent=field("consent") or "internal", recorded_on=field("recorded_on"),
                               contacts=field("contacts"), summary=field("summary"), notes=field("notes"))
    uploads = [(f.filename or "evidence", await f.read()) for f in files if f.filename]
    for name, data in uploads:  # checked before anything is stored
        if len(data) > UPLOAD_LIMIT:
            raise InvalidInput(f"{name} is larger than {UPLOAD_LIMIT // 1024 // 1024} MB", "evidence")
        evidence.detect_media_type(data)
    registry = request.app.state.registry
    project = field("project") or ""
    testimony_id, person_ids = records.record_testimony(registry, actor, project, testimony, subjects)
    for name, data in uploads:
        evidence.add_evidence(registry, actor, project, data, name, testimony_id=testimony_id)
    return RedirectResponse(f"/persons/{person_ids[0]}", status_code=303)


def _subject(field, k: int) -> records.Subject | None:  # noqa: ANN001
    """Person block k of the form, or None when it is empty."""
    names = [NameInput(text) for text in (field(f"p{k}_name"), field(f"p{k}_name_other")) if text]
    event_type = field(f"p{k}_event")
    if not names and not event_type:
        return None
    person = PersonInput(names=names, sex=field(f"p{k}_sex"), ethnicity=field(f"p{k}_ethnicity"),
                         birth_date=field(f"p{k}_born"), hometown=field(f"p{k}_hometown"))
    events = [EventInput(event_type, date=field(f"p{k}_event_date"), place=field(f"p{k}_event_place"),
                         facility=field(f"p{k}_facility"))] if event_type else []
    return records.Subject(person, events, to_first=field(f"p{k}_relation"))
