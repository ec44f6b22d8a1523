"""`testimonia search`."""

from __future__ import annotations

import click

from ..services.search import Filters, search_persons
from .common import Session, echo_json, handle_errors, pass_session


def register(main: click.Group) -> None:
    @main.command()
    @click.argument("query", default="")
    @click.option("--status")
    @click.option("--county", help="Division code or name.")
    @click.option("--prefecture", help="Division code or name.")
    @click.option("--ethnicity")
    @click.option("--sex")
    @click.option("--event-year", type=int)
    @click.option("--facility", help="Facility id, BFN:<id> or name.")
    @click.option("--limit", default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True)
    @pass_session
    @handle_errors
    def search(session: Session, query: str, limit: int, as_json: bool, **filters) -> None:
        """Search persons by any name form in any script, places, facilities and source text."""
        results = search_persons(session.registry, session.actor, query, Filters(**filters), limit)
        if as_json:
            echo_json(results)
            return
        for r in results:
            click.echo(f"{r['id']}  {r['status'] or '-':<22} {' / '.join(r['names']) or '(unnamed)'}")
        click.echo(f"{len(results)} found", err=True)
