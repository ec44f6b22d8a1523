"""`testimonia key rotate|export|passphrase`, `testimonia erase`, `testimonia backup`, `testimonia restore`.

Passphrases come from the environment or a prompt, never from an option (it would stay in the
shell history): $TESTIMONIA_PASSPHRASE opens a protected key file, $TESTIMONIA_NEW_PASSPHRASE
protects a key file or an exported copy, $TESTIMONIA_BACKUP_PASSPHRASE seals and opens backups.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..services.backup import make_backup, restore
from ..services.erase import erase_testimony
from ..services.keys import export_key_file, rotate, set_passphrase
from .common import Session, handle_errors, pass_session


def _passphrase(variable: str, prompt: str, confirm: bool) -> str:
    return os.environ.get(variable) or click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)


def register(main: click.Group) -> None:
    """Add this module's commands to the root command."""

    @main.group()
    def key() -> None:
        """The master key: rotate it, export an offline copy, protect the key file with a passphrase."""

    @key.command("rotate")
    @pass_session
    @handle_errors
    def key_rotate(session: Session) -> None:
        """Re-wrap every data key under a new master key (admins only).

        Stop the server and other Testimonia processes first: they keep the old key in memory.
        """
        done = rotate(session.registry, session.actor, os.environ.get("TESTIMONIA_PASSPHRASE"))
        click.echo(f"rotated: {done.rewrapped} data keys re-wrapped under the new master key {done.master_id}")
        if done.kept:
            click.echo("warning: another process wrapped data keys under the old master key meanwhile, so it stays in "
                       "the key file; stop other Testimonia processes and rotate again", err=True)
        click.echo("Copies of the key file exported before cannot open the data any more: export it again "
                   "(`testimonia key export`).")

    @key.command("export")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--passphrase-protect", is_flag=True,
                  help="Seal the copy under a new passphrase ($TESTIMONIA_NEW_PASSPHRASE or a prompt).")
    @pass_session
    @handle_errors
    def key_export(session: Session, out: Path, passphrase_protect: bool) -> None:
        """Write an offline copy of the key file to OUT (mode 0600; admins only)."""
        actor = session.actor
        protect_with = _passphrase("TESTIMONIA_NEW_PASSPHRASE", "passphrase for the copy", True) if passphrase_protect else None
        export_key_file(session.registry, actor, out, protect_with)
        sealed = ", sealed under its passphrase" if protect_with else ""
        click.echo(f"wrote {out} (mode 0600{sealed}). Keep it offline, away from the data folder: "
                   f"without the key file and every copy of it, the data cannot be read.")

    @key.command("passphrase")
    @click.option("--remove", is_flag=True, help="Remove the passphrase protection.")
    @pass_session
    @handle_errors
    def key_passphrase(session: Session, remove: bool) -> None:
        """Set or change the key file's passphrase ($TESTIMONIA_NEW_PASSPHRASE or a prompt; admins only).

        The current passphrase comes from $TESTIMONIA_PASSPHRASE.
        """
        actor = session.actor
        new = None if remove else _passphrase("TESTIMONIA_NEW_PASSPHRASE", "new passphrase for the key file", True)
        set_passphrase(session.registry, actor, os.environ.get("TESTIMONIA_PASSPHRASE"), new)
        click.echo("the key file is now protected by the new passphrase" if new else "the key file has no passphrase now")

    @main.command("erase")
    @click.argument("testimony_id")
    @pass_session
    @handle_errors
    def erase_cmd(session: Session, testimony_id: str) -> None:
        """Erase a testimony whose consent was withdrawn: destroy its data key (admins only).

        Its confidential values, their history and its evidence files can never be read again.
        Lists the earlier backups that still hold the key: destroy them too. Restart a running
        server afterwards, so no copy of the key stays in its memory.
        """
        done = erase_testimony(session.registry, session.actor, testimony_id)
        if done.already_erased:
            click.echo(f"testimony {testimony_id} was erased on {done.erased_at:%Y-%m-%d %H:%M}; its old bytes were scrubbed again")
        else:
            click.echo(f"erased testimony {testimony_id}: {done.keys_destroyed} data key(s) destroyed; its confidential "
                       f"values and {len(done.evidence)} evidence file(s) can no longer be read")
        if not done.backups:
            click.echo("No earlier backup holds the key.")
            return
        click.echo(f"These {len(done.backups)} backup(s), made before the erasure, still hold the key — destroy them too:")
        for item in done.backups:
            click.echo(f"  {item['id']}  {item['at']:%Y-%m-%d %H:%M}  {item['path']}")

    @main.command("backup")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    @pass_session
    @handle_errors
    def backup_cmd(session: Session, out: Path) -> None:
        """Write an encrypted backup of the whole data folder to OUT (admins only).

        A consistent snapshot, taken while others keep writing; the passphrase comes from
        $TESTIMONIA_BACKUP_PASSPHRASE or a prompt. Without the passphrase the backup is lost.
        """
        actor = session.actor
        passphrase = _passphrase("TESTIMONIA_BACKUP_PASSPHRASE", "backup passphrase", True)
        made = make_backup(session.registry, actor, out, passphrase)
        click.echo(f"backup {made.backup_id} written to {made.path}: {sum(made.tables.values())} rows, "
                   f"{made.evidence_files} evidence files, audit head {made.audit_head}")

    @main.command("restore")
    @click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--db", "db_url", help="An empty postgresql://… database to restore into instead of SQLite.")
    @click.option("--protect", is_flag=True,
                  help="Protect the new key file with a passphrase ($TESTIMONIA_NEW_PASSPHRASE or a prompt).")
    @handle_errors
    def restore_cmd(backup_file: Path, folder: Path, db_url: str | None, protect: bool) -> None:
        """Rebuild a data folder FOLDER (new or empty) from BACKUP_FILE ($TESTIMONIA_BACKUP_PASSPHRASE or a prompt)."""
        passphrase = _passphrase("TESTIMONIA_BACKUP_PASSPHRASE", "backup passphrase", False)
        key_passphrase = _passphrase("TESTIMONIA_NEW_PASSPHRASE", "passphrase for the new key file", True) if protect else None
        done = restore(backup_file, folder, passphrase, db_url, key_passphrase)
        click.echo(f"restored backup {done.backup_id} into {done.folder}: {sum(done.tables.values())} rows, "
                   f"{done.evidence_files} evidence files; audit chain verified up to {done.audit_head}")
