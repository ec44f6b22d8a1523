"""`testimonia import FILE` and `testimonia export`: files in the schema of docs/import-export.md."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from ..services.exporting import FORMATS, export
from ..services.importing import ImportReport, import_file
from .common import Session, handle_errors, pass_session
from .records import _project


class _Progress:
    """A progress bar on stderr (bytes of the file read), shown once the import lasts over a second."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc=stage, file=sys.stderr, unit="B", unit_scale=True, delay=1, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _print_report(report: ImportReport, rejected_path: Path | None) -> None:
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    if report.error_count > len(report.errors):
        click.echo(f"… and {report.error_count - len(report.errors):,} more errors"
                   + (f" (all in {rejected_path})" if rejected_path else ""), err=True)
    if not report.persons_written:
        if report.error_count:
            click.echo(f"nothing imported: {report.rejected:,} of {report.rows_read:,} rows have errors "
                       "(fix them, or write the valid rows with --skip-invalid)", err=True)
            sys.exit(1)
        click.echo(f"nothing to import in {report.file}")
        return
    rejected = f"; {report.rejected:,} rejected" + (f" (written to {rejected_path})" if rejected_path else "")
    click.echo(f"imported {report.persons_written:,} persons from {report.rows_read:,} rows of {report.file}"
               f"{rejected if report.rejected else ''}; audit entry {report.audit_seq}")


def register(main: click.Group) -> None:
    """Add `import` and `export` to the root command."""

    @main.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--project", "project_name", help="The project the records go into.")
    @click.option("--skip-invalid", is_flag=True, help="Write the valid rows even when others have errors.")
    @click.option("--rejected", "rejected_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the rows not imported here, with their errors (mode 0600).")
    @pass_session
    @handle_errors
    def import_cmd(session: Session, file: Path, project_name: str | None, skip_invalid: bool,
                   rejected_path: Path | None) -> None:
        """Import testimonies about persons from a CSV or JSON Lines FILE (docs/import-export.md).

        Every row is checked first; if any has an error, nothing is written (exit 1) unless
        --skip-invalid. The import is one transaction with one audit entry.
        """
        progress = _Progress()
        try:
            report = import_file(session.registry, session.actor, file, _project(session, project_name),
                                 skip_invalid=skip_invalid, rejected_path=rejected_path, progress=progress)
        finally:
            progress.close()
        _print_report(report, rejected_path)

    @main.command("export")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
                  help="csv, jsonl (importable again), or ftm (FollowTheMoney entities for Aleph).")
    @click.option("--level", type=click.Choice(["public", "internal", "confidential"]), default="public",
                  show_default=True, help="Fields to include; internal and confidential need a role that may see them.")
    @click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @pass_session
    @handle_errors
    def export_cmd(session: Session, fmt: str, level: str, out_path: Path) -> None:
        """Export the persons of your projects that the level allows (docs/import-export.md)."""
        count = export(session.registry, session.actor, out_path, fmt, level)
        click.echo(f"exported {count:,} persons to {out_path} ({level})")
        if level != "public":
            click.echo(f"{out_path} holds {level} data: only you may read it; keep it encrypted and delete it "
                       "when done", err=True)
