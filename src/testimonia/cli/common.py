"""What every command shares: opening the data folder, signing in, printing errors with exit codes."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..services.access import Actor
from ..services.errors import Conflict, NotFound, PermissionDenied, ServiceError
from ..services.registry import Registry, open_folder
from ..services.users import authenticate
from ..store.crypto import DecryptionError
from ..store.keyfile import is_sealed

EXIT_ERROR, EXIT_DENIED, EXIT_NOT_FOUND, EXIT_CONFLICT = 1, 3, 4, 5


class Session:
    """The opened data folder and the signed-in user of one command."""

    def __init__(self, folder: Path, username: str | None, password: str | None):
        self.folder, self.username, self.password = folder, username, password
        self._registry: Registry | None = None
        self._actor: Actor | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            passphrase = os.environ.get("TESTIMONIA_PASSPHRASE")
            key_file = self.folder / "keys.json"
            if passphrase is None and sys.stdin.isatty() and key_file.is_file() and is_sealed(key_file):
                passphrase = click.prompt("passphrase of the key file", hide_input=True, err=True)
            self._registry = open_folder(self.folder, passphrase)
        return self._registry

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            if not self.username:
                raise click.UsageError("sign in: --user NAME or TESTIMONIA_USER (password from TESTIMONIA_PASSWORD or a prompt)")
            password = self.password if self.password is not None else click.prompt(f"password for {self.username}", hide_input=True, err=True)
            self._actor = authenticate(self.registry, self.username, password)
        return self._actor

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()


pass_session = click.make_pass_decorator(Session)


def handle_errors(func: Callable) -> Callable:
    """Turn service errors into one line on stderr and a distinct exit code; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PermissionDenied as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_DENIED)
        except NotFound as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_NOT_FOUND)
        except ServiceError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONFLICT if isinstance(exc, Conflict) else EXIT_ERROR)
        except DecryptionError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=1, default=str))


def default_folder() -> str:
    return os.environ.get("TESTIMONIA_DATA", "testimonia-data")
