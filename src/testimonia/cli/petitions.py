"""`testimonia petition add|answer|list`."""

from __future__ import annotations

import click

from ..services import petitions as svc
from .common import Session, echo_json, handle_errors, pass_session
from .records import _project


def register(main: click.Group) -> None:
    @main.group()
    def petition() -> None:
        """Petitions and appeals: to whom, when, about whom; answers; what is overdue."""

    @petition.command("add")
    @click.option("--title", required=True)
    @click.option("--to", "addressed_to", required=True, help="The authority: an embassy, a ministry, a UN body.")
    @click.option("--about", "person_ids", multiple=True, help="Person id the petition concerns.")
    @click.option("--sent-on", help="EDTF.")
    @click.option("--channel")
    @click.option("--sent-by")
    @click.option("--project", "project_name")
    @pass_session
    @handle_errors
    def petition_add(session: Session, title: str, addressed_to: str, person_ids: tuple[str, ...], sent_on: str | None,
                     channel: str | None, sent_by: str | None, project_name: str | None) -> None:
        click.echo(svc.create_petition(session.registry, session.actor, _project(session, project_name), title,
                                       addressed_to, list(person_ids), sent_on, channel, sent_by))

    @petition.command("answer")
    @click.argument("petition_id")
    @click.argument("kind", type=click.Choice(["none", "acknowledged", "answered", "refused"]))
    @click.option("--received-on", help="EDTF.")
    @click.option("--note")
    @pass_session
    @handle_errors
    def petition_answer(session: Session, petition_id: str, kind: str, received_on: str | None, note: str | None) -> None:
        click.echo(svc.add_answer(session.registry, session.actor, petition_id, kind, received_on, note))

    @petition.command("list")
    @click.option("--overdue", type=int, help="Only those without an answer for more than this many days.")
    @click.option("--json", "as_json", is_flag=True)
    @pass_session
    @handle_errors
    def petition_list(session: Session, overdue: int | None, as_json: bool) -> None:
        items = svc.list_petitions(session.registry, session.actor)
        if overdue is not None:
            items = [p for p in items if (p["days_without_answer"] or 0) > overdue]
        if as_json:
            echo_json(items)
            return
        for p in items:
            state = "answered" if p["answered"] else (f"no answer for {p['days_without_answer']} days"
                                                      if p["days_without_answer"] is not None else "no answer")
            click.echo(f"{p['id']}  {p['sent_on'] or '?':<12} {p['addressed_to'][:40]:<40} {state}")
