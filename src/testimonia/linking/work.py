"""Where a linking run keeps its working state: the compared records, the trained model, scored chunks.

`WorkFile` is a DuckDB database file (the default backend works in it directly), so a killed run
resumes from its last finished chunk; `Memory` keeps the same things for a backend that brings its
own tables (Spark).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
from splink import DuckDBAPI

from . import engine
from .records import LinkRecord

INPUT = "link_input"


class Memory:
    def __init__(self) -> None:
        self._model: dict | None = None
        self._chunks: dict[int, engine.Scored] = {}

    def model(self) -> dict | None:
        return self._model

    def save_model(self, model: dict) -> None:
        self._model = model

    def chunk(self, number: int) -> engine.Scored | None:
        return self._chunks.get(number)

    def save_chunk(self, number: int, pairs: engine.Scored) -> None:
        self._chunks[number] = pairs

    def close(self) -> None:
        """Nothing to release in memory."""


class WorkFile(Memory):
    def __init__(self, path: Path):
        super().__init__()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(str(path))
        self.exported = path.with_suffix(".input.parquet")
        self.exported_components = path.with_suffix(".components.parquet")
        self.scorers: dict[str, engine.NameScorer] = {}  # the names functions, once input() registered them
        self.connection.execute("CREATE TABLE IF NOT EXISTS model (json VARCHAR)")

    def input(self, records: Sequence[LinkRecord], tables: engine.NameTables):
        """The splink database API and input table; the records are stored on first use, and `tables`
        (engine.name_tables(records)) serve the names functions."""
        self.scorers = register_functions(self.connection, tables)
        if not self._exists(INPUT):
            table = engine.input_table(records)
            self.connection.register("incoming", table)
            self.connection.execute(f"CREATE TABLE {INPUT} AS SELECT * FROM incoming")
            self.connection.unregister("incoming")
        db_api = DuckDBAPI(connection=self.connection)
        return db_api, db_api.register(INPUT, table_name="persons")

    def model(self) -> dict | None:
        row = self.connection.execute("SELECT json FROM model").fetchone()
        return json.loads(row[0]) if row else None

    def save_model(self, model: dict) -> None:
        self.connection.execute("INSERT INTO model VALUES (?)", [json.dumps(model)])

    def chunk(self, number: int) -> engine.Scored | None:
        if not self._exists(f"chunk_{number}"):
            return None
        return self.connection.execute(f"SELECT * FROM chunk_{number}").to_arrow_table()

    def save_chunk(self, number: int, pairs: engine.Scored) -> None:
        self.connection.register("finished", pairs)
        self.connection.execute(f"CREATE TABLE chunk_{number} AS SELECT * FROM finished")
        self.connection.unregister("finished")

    def export_input(self) -> Path:
        """The stored records as a Parquet file beside the work file, for worker processes to read
        (removed when the work file is closed)."""
        quoted = str(self.exported).replace("'", "''")  # a folder may be named o'brien
        self.connection.execute(f"COPY {INPUT} TO '{quoted}' (FORMAT parquet)")
        return self.exported

    def export_components(self, components: dict[str, int]) -> Path:
        """The stored records of the persons in `components`, each with its component (and its `ordinal`
        in the run, by which the workers' names functions know it), as a Parquet file beside the work file."""
        members = pa.table({"unique_id": list(components), "member_of": pa.array(components.values(), pa.int32())})
        self.connection.register("members", members)
        quoted = str(self.exported_components).replace("'", "''")
        self.connection.execute(f"COPY (SELECT i.* REPLACE (m.member_of AS component) FROM {INPUT} i "
                                f"JOIN members m USING (unique_id) ORDER BY i.ordinal) TO '{quoted}' (FORMAT parquet)")
        self.connection.unregister("members")
        return self.exported_components

    def close(self) -> None:
        self.connection.close()
        self.exported.unlink(missing_ok=True)
        self.exported_components.unlink(missing_ok=True)

    def _exists(self, table: str) -> bool:
        return bool(self.connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0])


def in_memory_input(records: Sequence[LinkRecord], components: dict[str, int]):
    """A splink database API and input table in a new in-memory DuckDB, for a run over a few persons
    (engine.within_components)."""
    connection = duckdb.connect()
    register_functions(connection, engine.name_tables(records))
    db_api = DuckDBAPI(connection=connection)
    table = engine.input_table(records, components)
    return db_api, db_api.register(table, table_name="persons")


def register_functions(connection: duckdb.DuckDBPyConnection, tables: engine.NameTables) -> dict[str, engine.NameScorer]:
    """The names capability as DuckDB functions (vectorised over Arrow batches); returns their scorers."""
    scorers = engine.scorers(tables)
    for name, scorer in scorers.items():
        connection.create_function(name, scorer.arrow, ["INTEGER", "INTEGER"], "DOUBLE", type="arrow")
    return scorers
