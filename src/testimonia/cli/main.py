"""`testimonia` — the root command, data-folder set-up and the server."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click

from ..services.access import SYSTEM
from ..services.registry import init_folder
from ..services.users import create_project, create_user
from ..store.keyfile import is_sealed
from .common import Session, default_folder, handle_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "folder", default=default_folder, show_default="$TESTIMONIA_DATA or ./testimonia-data",
              type=click.Path(file_okay=False, path_type=Path), help="The data folder.")
@click.option("--user", "username", envvar="TESTIMONIA_USER", help="Sign in as this user (or $TESTIMONIA_USER).")
@click.version_option(package_name="testimonia")
@click.pass_context
def main(ctx: click.Context, folder: Path, username: str | None) -> None:
    """Testimonia: record testimonies about people detained in Xinjiang, keep them safe, and advocate.

    Passwords come from $TESTIMONIA_PASSWORD or a prompt; a passphrase-protected key file from
    $TESTIMONIA_PASSPHRASE. Exit codes: 0 done, 1 error, 2 usage, 3 not allowed, 4 not found, 5 conflict.
    """
    session = Session(folder, username, os.environ.get("TESTIMONIA_PASSWORD"))
    ctx.obj = session
    ctx.call_on_close(session.close)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db_url", help="postgresql://user@host/dbname to use PostgreSQL instead of SQLite.")
@click.option("--admin", default="admin", show_default=True, help="Name of the first administrator.")
@click.option("--project", default="default", show_default=True, help="Name of the first project.")
@click.option("--protect", is_flag=True, help="Protect the key file with a passphrase ($TESTIMONIA_PASSPHRASE or a prompt).")
@handle_errors
def init(folder: Path, db_url: str | None, admin: str, project: str, protect: bool) -> None:
    """Create a data folder: database, key file (mode 0600) and evidence store."""
    passphrase = None
    if protect:
        passphrase = os.environ.get("TESTIMONIA_PASSPHRASE") or click.prompt("passphrase", hide_input=True,
                                                                              confirmation_prompt=True, err=True)
    password = os.environ.get("TESTIMONIA_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    registry = init_folder(folder, db_url, passphrase)
    try:
        project_id = create_project(registry, SYSTEM, project)
        create_user(registry, SYSTEM, admin, password, "admin", [project_id])
    finally:
        registry.close()
    click.echo(f"created {folder} (database, keys.json, evidence/); project {project!r} ({project_id})")
    if "TESTIMONIA_ADMIN_PASSWORD" not in os.environ:
        click.echo(f"administrator {admin!r}, password: {password}  (shown once: keep it safe)", err=True)
    click.echo("Keep an offline copy of the key file (`testimonia key export`): losing it means losing the data.")


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@handle_errors
def demo(folder: Path) -> None:
    """Create FOLDER holding the demo story (the embassy press release of 6 May 2018) as records."""
    from ..services.demo import load_demo

    password = os.environ.get("TESTIMONIA_ADMIN_PASSWORD") or "demo-password"
    registry = init_folder(folder)
    try:
        project_id = create_project(registry, SYSTEM, "demo")
        user_id = create_user(registry, SYSTEM, "admin", password, "admin", [project_id])
        from ..services.users import load_actor

        ids = load_demo(registry, load_actor(registry, "admin"), project_id)
    finally:
        registry.close()
    click.echo(f"demo registry in {folder}: {len(ids) - 2} persons, 1 source, 2 testimonies, 1 petition; "
               f"sign in as admin / {password} ({user_id})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving requests; each opens the data folder (a sealed key file then needs "
                   "TESTIMONIA_PASSPHRASE).")
@click.pass_obj
@handle_errors
def serve(session: Session, host: str, port: int, workers: int) -> None:
    """Serve the web application for the data folder."""
    import uvicorn

    from ..web.app import create_app
    from ..web.serving import UVICORN_OPTIONS, ready_to_serve, serve_processes

    if workers == 1:
        uvicorn.run(ready_to_serve(create_app(session.registry)), host=host, port=port, **UVICORN_OPTIONS)
        return
    key_file = session.folder / "keys.json"
    if key_file.is_file() and is_sealed(key_file) and "TESTIMONIA_PASSPHRASE" not in os.environ:
        raise click.UsageError("--workers needs TESTIMONIA_PASSPHRASE: the key file is sealed")
    session.registry.close()  # opened once here, so a wrong key or passphrase is reported before forking
    os.environ["TESTIMONIA_DATA"] = str(session.folder)
    try:
        code = serve_processes(host, port, workers)
    except OSError as error:
        raise click.UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sys.exit(code)


@main.command()
@click.pass_obj
@handle_errors
def reindex(session: Session) -> None:
    """Rebuild name keys and search documents (admins; after an upgrade that changes how names are read)."""
    from ..services.reindex import reindex as rebuild

    count = rebuild(session.registry, session.actor)
    click.echo(f"reindexed {count} persons")


def _register() -> None:
    from . import audit, evidence, intake, keys, linking, names, petitions, records, search, transfer

    for module in (records, audit, search, petitions, evidence, transfer, keys, names, linking, intake):
        module.register(main)


_register()
