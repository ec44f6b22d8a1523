"""`testimonia audit verify|head|readers`."""

from __future__ import annotations

import sys

import click

from ..services.auditing import confidential_readers, head, verify
from .common import Session, handle_errors, pass_session


def register(main: click.Group) -> None:
    @main.group()
    def audit() -> None:
        """The audit chain: verify it, print its head, list who read a record's confidential fields."""

    @audit.command("verify")
    @click.option("--head", "expected", help="A head printed earlier by `audit head`, kept elsewhere.")
    @pass_session
    @handle_errors
    def audit_verify(session: Session, expected: str | None) -> None:
        count, problems = verify(session.registry, session.actor, expected)
        for problem in problems:
            click.echo(f"FAIL: {problem}", err=True)
        if problems:
            sys.exit(1)
        click.echo(f"ok: {count} entries verified")

    @audit.command("head")
    @pass_session
    @handle_errors
    def audit_head(session: Session) -> None:
        click.echo(head(session.registry, session.actor))

    @audit.command("readers")
    @click.argument("record_id")
    @pass_session
    @handle_errors
    def audit_readers(session: Session, record_id: str) -> None:
        """Who has seen the confidential fields of a person or testimony (admins only)."""
        for entry in confidential_readers(session.registry, session.actor, record_id):
            click.echo(f"{entry['at']}  {entry['actor']:<16} {entry['action']:<20} {', '.join(entry['fields'])}")
