"""Errors the services raise, each with a message safe to show (never a confidential value)."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a user should see as a clear message."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class InvalidInput(ServiceError):
    """Bad input; `where` names the place (file, line, field) when known."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.reason = message


class Conflict(ServiceError):
    """Someone else saved the record since it was read; `fields` are the ones they changed."""

    def __init__(self, entity: str, fields: list[str], current_version: int):
        names = ", ".join(fields) or "(no field: the record was merged or re-saved)"
        super().__init__(f"{entity} was changed by someone else since you read it (now version {current_version}); "
                         f"their changes touch: {names}. Reload and save again.")
        self.fields = fields
        self.current_version = current_version
