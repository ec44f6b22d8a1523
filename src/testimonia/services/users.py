"""Users, roles and projects. Passwords are hashed with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import Connection, select, update

from ..domain.vocab import UserRole
from ..store.crypto import new_id
from ..store.schema import memberships, projects, users
from .access import Actor
from .errors import InvalidInput, NotFound, PermissionDenied
from .registry import Registry, utcnow

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def parse_role(role: str) -> UserRole:
    """The role named, or InvalidInput naming the field."""
    try:
        return UserRole.parse(role)
    except ValueError as exc:
        raise InvalidInput(str(exc), "role") from None


def create_project(registry: Registry, actor: Actor, name: str) -> str:
    actor.require_role(UserRole.ADMIN)
    project_id = new_id("prj")
    with registry.db.transaction() as conn:
        if conn.execute(select(projects.c.id).where(projects.c.name == name)).first():
            raise InvalidInput(f"a project named {name!r} exists already", "name")
        conn.execute(projects.insert().values(id=project_id, name=name, created_at=utcnow(), created_by=actor.user_id))
        registry.audit.append(conn, "project.create", project_id, {"name": name}, actor=actor.label)
    return project_id


def project_id_by_name(registry: Registry, name: str) -> str:
    with registry.db.reading() as conn:
        found = conn.execute(select(projects.c.id).where((projects.c.name == name) | (projects.c.id == name))).scalar()
    if not found:
        raise NotFound(f"no project {name!r}")
    return found


def create_user(registry: Registry, actor: Actor, username: str, password: str, role: str,
                project_ids: list[str] = ()) -> str:
    actor.require_role(UserRole.ADMIN)
    role_value = parse_role(role)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters", "password")
    user_id = new_id("u")
    with registry.db.transaction() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise InvalidInput(f"the user name {username!r} is taken", "username")
        conn.execute(users.insert().values(id=user_id, username=username, password_hash=_hasher.hash(password),
                                           role=role_value.value, active=1, created_at=utcnow(), created_by=actor.user_id))
        for project_id in project_ids:
            conn.execute(memberships.insert().values(user_id=user_id, project_id=project_id))
        registry.audit.append(conn, "user.create", user_id,
                              {"username": username, "role": role_value.value, "projects": list(project_ids)}, actor=actor.label)
    return user_id


def add_member(registry: Registry, actor: Actor, user_id: str, project_id: str) -> None:
    actor.require_role(UserRole.ADMIN)
    with registry.db.transaction() as conn:
        if conn.execute(select(memberships.c.user_id).where(memberships.c.user_id == user_id,
                                                            memberships.c.project_id == project_id)).first():
            raise InvalidInput("already a member of that project", "project")
        conn.execute(memberships.insert().values(user_id=user_id, project_id=project_id))
        registry.audit.append(conn, "membership.add", user_id, {"project": project_id}, actor=actor.label)


def _user_id(conn, username: str) -> str:  # noqa: ANN001
    user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
    if user_id is None:
        raise NotFound(f"no user {username!r}")
    return user_id


def user_id_by_name(registry: Registry, username: str) -> str:
    with registry.db.reading() as conn:
        return _user_id(conn, username)


def set_role(registry: Registry, actor: Actor, username: str, role: str) -> None:
    """Give a user another role (admins only; an admin cannot change their own)."""
    actor.require_role(UserRole.ADMIN)
    role_value = parse_role(role)
    if username == actor.username:
        raise InvalidInput("an admin cannot change their own role: ask another admin", "role")
    with registry.db.transaction() as conn:
        user_id = _user_id(conn, username)
        conn.execute(update(users).where(users.c.id == user_id).values(role=role_value.value))
        registry.audit.append(conn, "user.role", user_id, {"role": role_value.value}, actor=actor.label)


def set_active(registry: Registry, actor: Actor, username: str, active: bool) -> None:
    """Let a user sign in again, or stop them: an inactive user's sessions and tokens stop working at
    their next request (admins only; an admin cannot deactivate themself)."""
    actor.require_role(UserRole.ADMIN)
    if username == actor.username and not active:
        raise InvalidInput("an admin cannot deactivate themself: ask another admin", "active")
    with registry.db.transaction() as conn:
        user_id = _user_id(conn, username)
        conn.execute(update(users).where(users.c.id == user_id).values(active=int(active)))
        registry.audit.append(conn, "user.active", user_id, {"active": active}, actor=actor.label)


def load_actor(registry: Registry, username: str) -> Actor:
    with registry.db.reading() as conn:
        return actor_of(conn, username)


def actor_of(conn: Connection, username: str) -> Actor:
    """The active user's actor, read in the caller's transaction."""
    row = conn.execute(select(users).where(users.c.username == username, users.c.active == 1)).mappings().first()
    if row is None:
        raise NotFound(f"no active user {username!r}")
    member_of = conn.execute(select(memberships.c.project_id).where(memberships.c.user_id == row["id"])).scalars()
    return Actor(row["id"], row["username"], UserRole(row["role"]), frozenset(member_of))


def authenticate(registry: Registry, username: str, password: str) -> Actor:
    """The actor for a correct password; the same error for an unknown user and a wrong password."""
    with registry.db.reading() as conn:
        row = conn.execute(select(users.c.password_hash).where(users.c.username == username, users.c.active == 1)).first()
    try:
        if row is None:
            _hasher.hash(password)  # spend the same time as a real check
            raise VerifyMismatchError
        _hasher.verify(row[0], password)
    except (VerifyMismatchError, VerificationError):
        raise PermissionDenied("wrong user name or password") from None
    return load_actor(registry, username)


def list_users(registry: Registry, actor: Actor) -> list[dict]:
    """Users with their role and projects (admins only)."""
    actor.require_role(UserRole.ADMIN)
    with registry.db.reading() as conn:
        member_of: dict[str, list[str]] = {}
        for user_id, name in conn.execute(select(memberships.c.user_id, projects.c.name)
                                          .join(projects, projects.c.id == memberships.c.project_id)):
            member_of.setdefault(user_id, []).append(name)
        return [{"username": u.username, "role": u.role, "active": bool(u.active), "projects": sorted(member_of.get(u.id, []))}
                for u in conn.execute(select(users).order_by(users.c.username))]
