"""Bulk inserts straight to the driver's executemany, for imports.

SQLAlchemy's executemany spends several microseconds per row building parameters; with some
twenty rows per imported person that is most of an import's time. Here the INSERT is compiled
once per table and batch, each column's type conversion (a datetime for SQLite, say) is applied
by the same bind processors SQLAlchemy would use, and the rows go to the driver as they are.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_many(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys) into `table`, in one executemany."""
    if not rows:
        return
    columns = [c for c in table.columns if c.key in rows[0]]
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=[c.key for c in columns])
    # The compiled statement also names columns with a Python-side default that the rows leave out.
    defaults = {c.key: c.default.arg for c in table.columns
                if c.key not in rows[0] and c.default is not None and c.default.is_scalar}
    processors = {c.key: c.type.bind_processor(conn.dialect) for c in table.columns}
    if compiled.positional:
        order = list(compiled.positiontup)
        params = [tuple(_convert(processors[k], row[k] if k in row else defaults[k]) for k in order) for row in rows]
    else:
        active = [(k, p) for k, p in processors.items() if p is not None and k in rows[0]]
        params = [{**defaults, **row, **{k: _convert(p, row[k]) for k, p in active}} for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def _convert(processor, value):  # noqa: ANN001, ANN202
    return processor(value) if processor is not None and value is not None else value
