"""Bulk loading on SQLite: secondary indexes and the full-text triggers set aside for one large
write, and rebuilt before its transaction commits.

Inserting a million persons into tables that keep some twenty indexes and a full-text index up to
date row by row makes SQLite rewrite index pages all over the file; building an index once from the
finished table is far cheaper. Everything happens inside the caller's transaction (SQLite DDL is
transactional): a failed or killed import rolls back the rows and the dropped indexes together, and
other connections keep reading their snapshot, indexes included, meanwhile.

Kept during the load: unique indexes (they enforce constraints) and the indexes led by `person_id`,
which the import's own reads use (visibility of withdrawn testimonies, refreshed persons).
The page cache grows to 1 GiB for the load (what a million persons' primary-key indexes need) and
shrinks back after. PostgreSQL is left alone: dropping an index there locks readers out of the
table until commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Only the insert trigger: documents added during the load are indexed at its end, and the update and
# delete triggers do nothing to a document the full-text index does not hold yet.
FULL_TEXT_INSERT_TRIGGER = "search_documents_ai"
# Page cache for the load (KiB, as SQLite's negative cache_size): the primary-key indexes of random
# ids take inserts all over their pages, so they must stay in memory rather than spill mid-load.
BULK_CACHE_KIB = 1024 * 1024


def _secondary_indexes(conn: Connection, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the tables' non-unique indexes not led by `person_id`."""
    found = []
    for table in tables:
        for _, name, unique, origin, _ in conn.exec_driver_sql(f'PRAGMA index_list("{table}")').fetchall():
            if unique or origin != "c":
                continue
            columns = [row[2] for row in conn.exec_driver_sql(f'PRAGMA index_info("{name}")').fetchall()]
            if columns[0] == "person_id":
                continue
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"),
                               {"n": name}).scalar_one()
            found.append((name, sql))
    return found


@contextmanager
def deferred_indexes(conn: Connection, tables: Iterable[str]) -> Iterator[None]:
    """Within the caller's SQLite transaction: drop the tables' secondary indexes and the full-text
    insert trigger, run the block, then recreate them and index the documents the block added."""
    if conn.dialect.name != "sqlite":
        yield
        return
    indexes = _secondary_indexes(conn, tables)
    trigger = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"),
                           {"n": FULL_TEXT_INSERT_TRIGGER}).scalar_one()
    last_document = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM search_documents").scalar_one()
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    conn.exec_driver_sql(f'DROP TRIGGER "{FULL_TEXT_INSERT_TRIGGER}"')
    with page_cache(conn, BULK_CACHE_KIB):
        yield
        for _, sql in indexes:
            conn.exec_driver_sql(sql)
        conn.exec_driver_sql(trigger)
        conn.execute(text("INSERT INTO search_fts(rowid, doc_id, content) "
                          "SELECT rowid, doc_id, content FROM search_documents WHERE rowid > :last"),
                     {"last": last_document})


@contextmanager
def page_cache(conn: Connection, kib: int) -> Iterator[None]:
    """Within the caller's SQLite connection: a page cache of `kib` KiB for the block, the previous one
    after. A large write into indexed tables goes faster when their index pages stay in memory (SQLite
    takes the memory only as pages are read). Nothing on PostgreSQL, whose cache is the server's."""
    if conn.dialect.name != "sqlite":
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{kib}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={cache}")
