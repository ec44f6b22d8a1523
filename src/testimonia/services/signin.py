"""Signing in: passwords, the TOTP second factor, lockout, browser sessions and API tokens.

A wrong password or code counts a failure; MAX_FAILURES in a row lock the account for LOCKOUT (the
same answer then for a right password, so a guesser learns nothing). An admin can require a second
factor of a role; a user of that role enrols a TOTP secret (sealed under its own data key) and gives
a code at each sign-in, each code accepted once. Sessions and API tokens are random tokens of which
only a SHA-256 is stored; a session unused for IDLE_TIMEOUT ends. Every sign-in, failure, lock,
enrolment and token is an audit entry (never the password, code or token).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import bindparam, delete, select, update

from ..domain.vocab import UserRole
from ..store.crypto import KeyRing, new_id
from ..store.database import Busy
from ..store.schema import api_tokens, data_keys, memberships, role_policies, sign_in_state, users, web_sessions
from .access import Actor
from .errors import InvalidInput, PermissionDenied
from .registry import Registry, check_master_is_current, utcnow
from .users import authenticate, load_actor, parse_role
from .views import KeyCache

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
IDLE_TIMEOUT = dt.timedelta(minutes=30)
SEEN_GRANULARITY = dt.timedelta(minutes=1)  # how often a session's last use is written
ISSUER = "Testimonia"
WRONG = "wrong user name, password or code"


class SignInRefused(PermissionDenied):
    """Sign-in refused; the message never says which of user name, password or code was wrong."""


@dataclass(frozen=True)
class SignIn:
    """A password accepted: the actor, and whether a TOTP code is still needed (and enrolment first)."""

    actor: Actor
    needs_code: bool
    needs_enrolment: bool


@dataclass(frozen=True)
class Session:
    actor: Actor
    csrf_token: str
    second_factor: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _user_id(conn, username: str) -> str | None:  # noqa: ANN001
    return conn.execute(select(users.c.id).where(users.c.username == username, users.c.active == 1)).scalar()


def _state(conn, user_id: str) -> dict:  # noqa: ANN001
    row = conn.execute(select(sign_in_state).where(sign_in_state.c.user_id == user_id)).mappings().first()
    if row is None:
        conn.execute(sign_in_state.insert().values(user_id=user_id, failures=0))
        return {"user_id": user_id, "failures": 0, "locked_until": None, "totp_key_id": None,
                "totp_secret_enc": None, "totp_confirmed_at": None, "last_totp_step": None}
    return dict(row)


def _locked(state: dict, now: dt.datetime) -> bool:
    until = _aware(state["locked_until"])
    return until is not None and until > now


def _fail(registry: Registry, user_id: str, now: dt.datetime, why: str) -> None:
    """Count a failure; the MAX_FAILURES-th locks the account."""
    with registry.db.transaction() as conn:
        state = _state(conn, user_id)
        failures = state["failures"] + 1
        locked = now + LOCKOUT if failures >= MAX_FAILURES else None
        conn.execute(update(sign_in_state).where(sign_in_state.c.user_id == user_id)
                     .values(failures=0 if locked else failures, locked_until=locked or state["locked_until"]))
        registry.audit.append(conn, "signin.fail", user_id, {"why": why, "locked": bool(locked)}, actor="anonymous")


def has_second_factor(registry: Registry, actor: Actor) -> bool:
    """True once the actor has confirmed a TOTP secret (then every sign-in asks for a code)."""
    with registry.db.reading() as conn:
        return conn.execute(select(sign_in_state.c.totp_confirmed_at)
                            .where(sign_in_state.c.user_id == actor.user_id)).scalar() is not None


def role_requires_code(registry: Registry, role: UserRole) -> bool:
    with registry.db.reading() as conn:
        return bool(conn.execute(select(role_policies.c.require_totp).where(role_policies.c.role == role.value)).scalar())


def set_role_policy(registry: Registry, actor: Actor, role: str, require_totp: bool) -> None:
    """Require (or stop requiring) a TOTP code of every user of a role (admins only)."""
    actor.require_role(UserRole.ADMIN)
    role_value = parse_role(role).value
    with registry.db.transaction() as conn:
        values = {"require_totp": int(require_totp), "updated_at": utcnow(), "updated_by": actor.user_id}
        if conn.execute(select(role_policies.c.role).where(role_policies.c.role == role_value)).first():
            conn.execute(update(role_policies).where(role_policies.c.role == role_value).values(**values))
        else:
            conn.execute(role_policies.insert().values(role=role_value, **values))
        registry.audit.append(conn, "role.policy", role_value, {"require_totp": bool(require_totp)}, actor=actor.label)


def check_password(registry: Registry, username: str, password: str, now: dt.datetime | None = None) -> SignIn:
    """First step: the password. Raises SignInRefused for an unknown user, a wrong password or a locked
    account, with the same message."""
    now = now or utcnow()
    with registry.db.transaction() as conn:
        user_id = _user_id(conn, username)
        state = _state(conn, user_id) if user_id else None
    try:
        actor = authenticate(registry, username, password)  # hashes even for an unknown user
    except PermissionDenied:
        if user_id:
            _fail(registry, user_id, now, "password")
        raise SignInRefused(WRONG) from None
    if _locked(state, now):
        raise SignInRefused(WRONG)
    enrolled = state["totp_confirmed_at"] is not None
    needs_code = enrolled or role_requires_code(registry, actor.role)
    if not needs_code:
        _succeed(registry, actor)
    return SignIn(actor, needs_code=needs_code, needs_enrolment=needs_code and not enrolled)


def _succeed(registry: Registry, actor: Actor) -> None:
    with registry.db.transaction() as conn:
        conn.execute(update(sign_in_state).where(sign_in_state.c.user_id == actor.user_id).values(failures=0))
        registry.audit.append(conn, "signin", actor.user_id, {}, actor=actor.label)


def _secret(registry: Registry, conn, state: dict) -> str:  # noqa: ANN001
    data_key = KeyCache(registry, conn).data_key(state["totp_key_id"])
    return KeyRing.open(data_key, state["totp_secret_enc"], f"totp.{state['user_id']}").decode()


def start_enrolment(registry: Registry, actor: Actor) -> tuple[str, str]:
    """A new TOTP secret for the actor (replacing an unconfirmed one): (secret, otpauth:// URI for an
    authenticator app). It counts only once confirm_code() accepts a code made from it."""
    secret = pyotp.random_base32()
    with registry.db.transaction() as conn:
        state = _state(conn, actor.user_id)
        if state["totp_confirmed_at"] is not None:
            raise InvalidInput("a second factor is enrolled already: an admin can reset it", "totp")
        check_master_is_current(registry, conn)
        key_id = new_id("k")
        data_key, wrapped = registry.keys.new_data_key(key_id)
        now = utcnow()
        conn.execute(data_keys.insert().values(id=key_id, owner=actor.user_id, wrapped=wrapped,
                                               master_id=registry.keys.master_id, created_at=now))
        sealed = KeyRing.seal(data_key, secret.encode(), f"totp.{actor.user_id}")
        conn.execute(update(sign_in_state).where(sign_in_state.c.user_id == actor.user_id)
                     .values(totp_key_id=key_id, totp_secret_enc=sealed))
        registry.audit.append(conn, "totp.start", actor.user_id, {}, actor=actor.label)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name=ISSUER)


def check_code(registry: Registry, actor: Actor, code: str, now: dt.datetime | None = None) -> None:
    """Second step: a TOTP code (the current one or the one before or after), each accepted once;
    confirms a pending enrolment. Raises SignInRefused (and counts a failure) otherwise."""
    now = now or utcnow()
    with registry.db.transaction() as conn:
        state = _state(conn, actor.user_id)
        secret = _secret(registry, conn, state) if state["totp_secret_enc"] else None
    step = _matching_step(secret, code.strip(), now) if secret else None
    if step is None or _locked(state, now) or (state["last_totp_step"] or -1) >= step:
        if not _locked(state, now):
            _fail(registry, actor.user_id, now, "code")
        raise SignInRefused(WRONG)
    with registry.db.transaction() as conn:
        values = {"last_totp_step": step, "failures": 0}
        if state["totp_confirmed_at"] is None:
            values["totp_confirmed_at"] = now
            registry.audit.append(conn, "totp.confirm", actor.user_id, {}, actor=actor.label)
        conn.execute(update(sign_in_state).where(sign_in_state.c.user_id == actor.user_id).values(**values))
        registry.audit.append(conn, "signin", actor.user_id, {"second_factor": True}, actor=actor.label)


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def reset_second_factor(registry: Registry, actor: Actor, username: str) -> None:
    """Forget a user's TOTP secret (lost phone) and unlock the account (admins only)."""
    actor.require_role(UserRole.ADMIN)
    with registry.db.transaction() as conn:
        user_id = _user_id(conn, username)
        if user_id is None:
            raise InvalidInput(f"no active user {username!r}", "username")
        _state(conn, user_id)
        conn.execute(update(sign_in_state).where(sign_in_state.c.user_id == user_id)
                     .values(totp_key_id=None, totp_secret_enc=None, totp_confirmed_at=None, last_totp_step=None,
                             failures=0, locked_until=None))
        conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))
        registry.audit.append(conn, "totp.reset", user_id, {}, actor=actor.label)


# --- sessions -------------------------------------------------------------------------------------

def open_session(registry: Registry, actor: Actor, second_factor: bool) -> str:
    """A new browser session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with registry.db.transaction() as conn:
        conn.execute(web_sessions.insert().values(token_hash=_hash(token), user_id=actor.user_id,
                                                  csrf_token=secrets.token_urlsafe(32),
                                                  second_factor=int(second_factor), created_at=now, last_seen=now))
    return token


# A session with its user and the user's projects, one row per project: every signed-in page reads it, in
# one statement built once (three statements cost a search page about half a millisecond more).
_SESSION_ROW = (select(web_sessions.c.csrf_token, web_sessions.c.second_factor, web_sessions.c.last_seen,
                       users.c.id, users.c.username, users.c.role, users.c.active, memberships.c.project_id)
                .join(users, users.c.id == web_sessions.c.user_id)
                .outerjoin(memberships, memberships.c.user_id == users.c.id)
                .where(web_sessions.c.token_hash == bindparam("key")))


def session(registry: Registry, token: str, now: dt.datetime | None = None) -> Session | None:
    """The session of a cookie token, its idle time renewed; None when unknown, idle too long, or its
    user is no longer active. Reads only, unless the session must end or its last use be written
    (at most once a SEEN_GRANULARITY): a write lock per request would serialise every page."""
    now = now or utcnow()
    key = _hash(token)
    with registry.db.reading() as conn:
        rows = conn.execute(_SESSION_ROW, {"key": key}).all()
    if not rows:
        return None
    csrf_token, second_factor, last_seen, user_id, username, role, active, _ = rows[0]
    idle = now - _aware(last_seen)
    if idle > IDLE_TIMEOUT or not active:
        with registry.db.transaction() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == key))
        return None
    if idle > SEEN_GRANULARITY:
        _note_use(registry, key, now)
    actor = Actor(user_id, username, UserRole(role), frozenset(row[-1] for row in rows if row[-1] is not None))
    return Session(actor, csrf_token, bool(second_factor))


def _note_use(registry: Registry, key: str, now: dt.datetime) -> None:
    """Write a session's last use, unless another writer holds the database: a later request notes it,
    and no page waits on it (the search page runs on the event loop, where a wait would stall every
    request of its process)."""
    try:
        with registry.db.transaction_unless_busy() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.token_hash == key).values(last_seen=now))
    except Busy:
        pass


def complete_second_factor(registry: Registry, token: str) -> None:
    with registry.db.transaction() as conn:
        conn.execute(update(web_sessions).where(web_sessions.c.token_hash == _hash(token)).values(second_factor=1))


def close_session(registry: Registry, token: str) -> None:
    with registry.db.transaction() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _hash(token)))


# --- API tokens -----------------------------------------------------------------------------------

def create_token(registry: Registry, actor: Actor, label: str) -> str:
    """A bearer token acting as the actor, shown once."""
    if not label.strip():
        raise InvalidInput("a token needs a label saying what uses it", "label")
    token = "tm_" + secrets.token_urlsafe(32)
    token_id = new_id("tok")
    with registry.db.transaction() as conn:
        conn.execute(api_tokens.insert().values(id=token_id, token_hash=_hash(token), user_id=actor.user_id,
                                                label=label.strip(), created_at=utcnow()))
        registry.audit.append(conn, "token.create", token_id, {"label": label.strip()}, actor=actor.label)
    return token


def token_actor(registry: Registry, token: str) -> Actor | None:
    """The actor of a live bearer token, or None (its last use written at most once a SEEN_GRANULARITY)."""
    with registry.db.reading() as conn:
        row = conn.execute(select(api_tokens.c.id, api_tokens.c.last_used, users.c.username)
                           .join(users, users.c.id == api_tokens.c.user_id)
                           .where(api_tokens.c.token_hash == _hash(token), api_tokens.c.revoked_at.is_(None),
                                  users.c.active == 1)).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used is None or now - _aware(row.last_used) > SEEN_GRANULARITY:
        with registry.db.transaction() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used=now))
    return load_actor(registry, row.username)


def revoke_token(registry: Registry, actor: Actor, token_id: str) -> None:
    with registry.db.transaction() as conn:
        owner = conn.execute(select(api_tokens.c.user_id).where(api_tokens.c.id == token_id)).scalar()
        if owner is None or (owner != actor.user_id and actor.role is not UserRole.ADMIN):
            raise InvalidInput(f"no token {token_id!r} of yours", "token")
        conn.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=utcnow()))
        registry.audit.append(conn, "token.revoke", token_id, {}, actor=actor.label)
