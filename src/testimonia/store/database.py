"""One wrapper owns database access: engine creation, SQLite pragmas, migrations, dialect facts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x7465737469  # any fixed number: the PostgreSQL advisory lock migrations take


def alembic_config(conn: Connection) -> Config:
    """Alembic's configuration for running this project's migrations in `conn`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


BUSY_TIMEOUT_MS = 30_000  # how long an SQLite write waits for another writer before failing


class Busy(Exception):
    """Another writer held the database for longer than a write that can wait was willing to wait."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            # Let SQLAlchemy issue BEGIN itself (pysqlite's implicit transactions are off).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # 64 MiB of page cache (the default is 2 MiB): with a million persons the indexes no
            # longer fit the default, and every insert reads pages back from disk.
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # A writer takes the lock at BEGIN (IMMEDIATE), so read-modify-write never deadlocks;
            # a reader begins a deferred transaction: a consistent snapshot, no lock.
            readonly = conn.get_execution_options().get("testimonia_readonly")
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True)


class Database:
    """The registry's database: an engine and the transactions callers run in it."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name  # "sqlite" or "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def transaction_unless_busy(self, wait: float = 0.05) -> Iterator[Connection]:
        """A transaction for a write that can be left for later: on SQLite, if another writer holds the
        database (an import holds it for minutes) for longer than `wait` seconds, Busy is raised instead
        of waiting the usual 30 s. PostgreSQL has no database-wide write lock: a plain transaction."""
        if self.dialect != "sqlite":
            with self.transaction() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            driver = conn.connection.driver_connection  # the pragma must precede SQLAlchemy's BEGIN
            driver.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
            try:
                with conn.begin():
                    yield conn
            except OperationalError as error:
                if "database is locked" not in str(error.orig):
                    raise
                raise Busy from error
            finally:
                driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection with a consistent snapshot for its lifetime."""
        options = {"testimonia_readonly": True}
        if self.dialect == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        with self.engine.connect().execution_options(**options) as conn, conn.begin() as trans:
            yield conn
            trans.rollback()

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision. Processes opening one registry at once
        migrate it one after the other (SQLite's write lock is taken at BEGIN; PostgreSQL takes an
        advisory lock), so only the first changes anything."""
        with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            command.upgrade(alembic_config(conn), "head")

    def is_current(self) -> bool:
        """True when the schema is at the newest revision this code knows."""
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head

    def analyze(self) -> None:
        """Refresh the query planner's statistics, after a bulk import changed the tables' sizes.

        Without them SQLite would, for instance, answer a search through the project index (every
        person) instead of the primary key (the few matches): 50 ms instead of 2 ms at 100,000 persons.
        """
        with self.transaction() as conn:  # committed, so the statistics persist (both dialects allow it)
            conn.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self.engine.dispose()
