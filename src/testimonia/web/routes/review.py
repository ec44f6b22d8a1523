"""Reviewing what the machine proposes: intake's drafts (services.drafts) and linking's possible
matches (services.linking, services.merging). Nothing is recorded or merged without a reviewer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...domain.vocab import UserRole
from ...services import drafts, linking, merging
from ...services.access import Actor
from ..app import render
from ..security import allowed

router = APIRouter()
READERS = allowed(UserRole.ADMIN, UserRole.EDITOR, UserRole.RESEARCHER)  # internal fields
REVIEWERS = allowed(UserRole.ADMIN, UserRole.EDITOR)
CHOICES = ("accept", "reject")


@router.get("/drafts")
def draft_list(request: Request, actor: Actor = Depends(READERS)) -> Response:
    return render(request, "drafts.html", {"drafts": drafts.list_drafts(request.app.state.registry, actor,
                                                                        status="pending")})


@router.get("/drafts/{draft_id}")
def draft(request: Request, draft_id: str, actor: Actor = Depends(READERS)) -> Response:
    registry = request.app.state.registry
    found = drafts.get_draft(registry, actor, draft_id)
    people = found["draft"].get("persons", [])
    matches = drafts.candidates(registry, actor, draft_id) if actor.role in (UserRole.ADMIN, UserRole.EDITOR) else {}
    return render(request, "draft.html", {"draft": found, "persons": people, "matches": matches,
                                          "segments": highlighted(found["text"], people),
                                          "may_review": actor.role in (UserRole.ADMIN, UserRole.EDITOR)})


def highlighted(text: str, people: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The text cut at the spans the draft rests on: (piece, id of the draft person it mentions, or None).
    A span overlapping one already taken is left plain."""
    spans = sorted({(s[0], s[1], p["id"]) for p in people for s in (p.get("spans") or [])}
                   | {(e["span"][0], e["span"][1], p["id"]) for p in people for e in (p.get("events") or [])
                      if e.get("span")})
    out, at = [], 0
    for start, end, person in spans:
        if start < at:
            continue
        if start > at:
            out.append((text[at:start], None))
        out.append((text[start:end], person))
        at = end
    if at < len(text):
        out.append((text[at:], None))
    return out


@router.post("/drafts/{draft_id}")
async def review_draft(request: Request, draft_id: str, actor: Actor = Depends(REVIEWERS)) -> Response:
    form = await request.form()
    registry = request.app.state.registry
    people = drafts.get_draft(registry, actor, draft_id)["draft"].get("persons", [])
    decisions: dict[str, Any] = {}
    for person in people:
        pid = person["id"]
        choice = str(form.get(f"person:{pid}", "accept"))
        if choice.startswith("match:"):
            decisions[pid] = {"decision": "match", "person": choice.removeprefix("match:")}
        else:
            decisions[pid] = choice if choice in CHOICES else "reject"
        if decisions[pid] == "reject":
            continue
        for kind in ("events", "relations"):
            for j, _ in enumerate(person.get(kind) or []):
                path = f"{pid}.{kind}[{j}]"
                decisions[path] = "reject" if form.get(path) == "reject" else "accept"
    drafts.review(registry, actor, draft_id, decisions, rest="reject")
    return RedirectResponse("/drafts", status_code=303)


@router.get("/matches")
def matches(request: Request, actor: Actor = Depends(READERS)) -> Response:
    return render(request, "matches.html", {"groups": linking.queue(request.app.state.registry, actor),
                                            "may_review": actor.role in (UserRole.ADMIN, UserRole.EDITOR)})


@router.post("/matches/decide")
def decide(request: Request, a: str = Form(""), b: str = Form(""), decision: str = Form(""), reason: str = Form(""),
           actor: Actor = Depends(REVIEWERS)) -> Response:
    """Same (and merge them), not the same, or unsure; every decision goes to the append-only log."""
    registry = request.app.state.registry
    if decision == "merge":
        linking.decide(registry, actor, a, b, "same", reason or None)
        merging.merge(registry, actor, [a, b], reason or None)
    else:
        linking.decide(registry, actor, a, b, decision, reason or None)
    return RedirectResponse("/matches", status_code=303)
