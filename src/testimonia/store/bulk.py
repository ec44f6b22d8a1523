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
    processors = {c.key: p for c in table.columns if (p := c.type.bind_processor(conn.dialect)) is not None}
    if compiled.positional:
        order = list(compiled.positiontup)
        if defaults:
            rows = [{**defaults, **row} for row in rows]
        params = [tuple(row[k] for k in order) for row in rows] if len(order) > 1 else [(row[order[0]],) for row in rows]
        convert = [(i, processors[k]) for i, k in enumerate(order) if k in processors]
        if convert:
            params = [_converted(values, convert) for values in params]
    else:
        active = [(k, p) for k, p in processors.items() if k in rows[0]]
        params = [{**defaults, **row, **{k: p(row[k]) for k, p in active if row[k] is not None}} for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def _converted(values: tuple, convert: list) -> tuple:
    out = list(values)
    for i, processor in convert:
        if out[i] is not None:
            out[i] = processor(out[i])
    return tuple(out)
