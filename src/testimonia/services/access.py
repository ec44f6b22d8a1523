"""Who is acting, and what they may do: roles, project membership, sensitivity clearance."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.sensitivity import may_read
from ..domain.vocab import Sensitivity, UserRole
from .errors import PermissionDenied

WRITERS = (UserRole.ADMIN, UserRole.EDITOR, UserRole.VOLUNTEER)


@dataclass(frozen=True)
class Actor:
    """A signed-in user. `projects` are the compartments they are a member of."""

    user_id: str
    username: str
    role: UserRole
    projects: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        return self.username

    def can_read(self, level: Sensitivity) -> bool:
        return may_read(self.role, level)

    def sees_project(self, project_id: str) -> bool:
        return self.role is UserRole.ADMIN or project_id in self.projects

    def require_project(self, project_id: str) -> None:
        if not self.sees_project(project_id):
            raise PermissionDenied("you are not a member of that record's project")

    def require_role(self, *roles: UserRole) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PermissionDenied(f"this needs one of the roles: {allowed} (you are {self.role.value})")

    def require_write(self, project_id: str) -> None:
        self.require_role(*WRITERS)
        self.require_project(project_id)

    def require_level(self, level: Sensitivity) -> None:
        if not self.can_read(level):
            raise PermissionDenied(f"your role ({self.role.value}) may not see {level.value} fields")


#: The system itself (init, reference data). Never handed to a user.
SYSTEM = Actor("system", "system", UserRole.ADMIN)
