"""Bulk writes on SQLite: a larger page cache for the block only."""

from testimonia.store.bulk_load import page_cache


def test_a_large_write_gets_its_own_page_cache_and_gives_it_back(registry):
    with registry.db.transaction() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar_one() if conn.dialect.name == "sqlite" else None
        with page_cache(conn, 1024):
            if before is not None:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == -1024
        if before is not None:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar_one() == before != -1024
