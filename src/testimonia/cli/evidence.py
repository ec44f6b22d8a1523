"""Evidence commands: add a file, open it, bundle files for a court, publication copies, custody log, verify."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..services import evidence as svc
from ..services import users
from ..services.errors import InvalidInput
from .common import EXIT_ERROR, Session, echo_json, handle_errors, pass_session

_OUT = click.Path(dir_okay=False, path_type=Path)


def _project(session: Session, name: str | None, linked: bool) -> str | None:
    """The project named, else None when a testimony or person decides it, else the user's only project."""
    if name:
        return users.project_id_by_name(session.registry, name)
    if linked:
        return None
    projects = sorted(session.actor.projects)
    if len(projects) != 1:
        raise click.UsageError("you are in several projects (or none): choose one with --project")
    return projects[0]


def _write_new_private(path: Path, data: bytes) -> None:
    """Write a file that did not exist before, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def register(main: click.Group) -> None:
    """Add the `evidence` commands to the root command."""

    @main.group()
    def evidence() -> None:
        """Evidence files: encrypted at rest, with a chain-of-custody log of who added, opened and exported each."""

    @evidence.command("add")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--testimony", "testimony_id", help="The testimony it belongs to (erasing that testimony erases it).")
    @click.option("--person", "person_id", help="The person it concerns.")
    @click.option("--project", "project_name", help="The project (taken from --testimony or --person when given).")
    @pass_session
    @handle_errors
    def add(session: Session, file: Path, testimony_id: str | None, person_id: str | None,
            project_name: str | None) -> None:
        """Receive FILE: type and size checked, SHA-256 of the original recorded, encrypted. Prints its id."""
        project_id = _project(session, project_name, bool(testimony_id or person_id))
        try:
            evidence_id = svc.add_evidence(session.registry, session.actor, project_id, file, file.name,
                                           testimony_id, person_id)
        except svc.RefusedFile as exc:
            raise InvalidInput(exc.reason, str(file)) from None
        click.echo(evidence_id)

    @evidence.command("list")
    @click.option("--testimony", "testimony_id")
    @click.option("--person", "person_id", help="The person's files and those of the testimonies about them.")
    @pass_session
    @handle_errors
    def list_(session: Session, testimony_id: str | None, person_id: str | None) -> None:
        """Evidence you may know of (JSON): id, SHA-256, size, type, links, added at/by."""
        echo_json(svc.list_evidence(session.registry, session.actor, testimony_id=testimony_id, person_id=person_id))

    @evidence.command("open")
    @click.argument("evidence_id")
    @click.option("--out", required=True, type=_OUT, help="A new file to write the original to (mode 0600).")
    @pass_session
    @handle_errors
    def open_(session: Session, evidence_id: str, out: Path) -> None:
        """Write the original file, after checking its SHA-256; the opening goes into the custody log."""
        if out.exists():
            raise click.UsageError(f"{out} exists already: give a new path")
        data = svc.open_evidence(session.registry, session.actor, evidence_id)
        _write_new_private(out, data)
        click.echo(f"wrote {out}: {len(data)} bytes, SHA-256 verified")

    @evidence.command("bundle")
    @click.argument("evidence_ids", nargs=-1)
    @click.option("--testimony", "testimony_id", help="All files of this testimony.")
    @click.option("--person", "person_id", help="All files of this person and of the testimonies about them.")
    @click.option("--out", required=True, type=_OUT, help="The ZIP file to write.")
    @pass_session
    @handle_errors
    def bundle(session: Session, evidence_ids: tuple[str, ...], testimony_id: str | None, person_id: str | None,
               out: Path) -> None:
        """Export files, their hashes and custody log as a ZIP a court or the UN can verify with standard tools."""
        echo_json(svc.bundle(session.registry, session.actor, out, evidence_ids,
                             testimony_id=testimony_id, person_id=person_id))

    @evidence.command("publish-copy")
    @click.argument("evidence_id")
    @click.option("--out", required=True, type=_OUT, help="The copy to write.")
    @pass_session
    @handle_errors
    def publish_copy(session: Session, evidence_id: str, out: Path) -> None:
        """Write a copy of an image for publication with EXIF/GPS and all other metadata removed."""
        echo_json(svc.publication_copy(session.registry, session.actor, evidence_id, out))

    @evidence.command("custody")
    @click.argument("evidence_id")
    @pass_session
    @handle_errors
    def custody(session: Session, evidence_id: str) -> None:
        """The chain of custody of one file (JSON): every action, when, and who."""
        echo_json(svc.custody_log(session.registry, session.actor, evidence_id))

    @evidence.command("verify")
    @click.argument("zip_path", metavar="ZIP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @handle_errors
    def verify(zip_path: Path) -> None:
        """Re-check a bundle against its SHA256SUMS (no data folder needed); exit 1 on any mismatch."""
        checked, problems = svc.verify_bundle(zip_path)
        for problem in problems:
            click.echo(f"FAILED: {problem}", err=True)
        if problems:
            sys.exit(EXIT_ERROR)
        click.echo(f"OK: {checked} files match {svc.SUMS_NAME}")
