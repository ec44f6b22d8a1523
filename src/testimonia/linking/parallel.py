"""Scoring a linking run's chunks in worker processes, one per core.

The names capability's comparisons (tm_names, tm_relatives) run as Python functions inside DuckDB and
hold the GIL, so DuckDB's threads cannot share them out; the chunks are independent (each scores the
candidate pairs whose left person falls in it), so processes can. Each worker reads the compared records
from a Parquet copy of the work file's input, builds the same linker from the saved model and scores the
chunks it is handed; the parent saves each chunk as it arrives, so a killed run still resumes from its
finished chunks. The same workers then score the pairs inside clusters (engine.within_components): the
names they prepared in the first pass serve the second.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

from . import engine
from .work import INPUT, register_functions


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Workers:
    """`workers` scoring processes over the records in `input_path` (WorkFile.export_input), started on
    first use; a context manager (leaving it stops them, dropping what is still queued)."""

    def __init__(self, input_path: Path, tables: engine.NameTables, model: dict, persons: int, workers: int):
        self._start = (str(input_path), tables, model, persons)
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:  # an error or an interruption: what is still queued is dropped, not waited for
            self._pool.shutdown(wait=not any(exc), cancel_futures=True)

    def chunks(self, chunks: int) -> engine.ChunkScorer:
        """Score chunks of the run's candidate pairs (engine.predict)."""
        return lambda todo: self._scored([(i, chunks) for i in todo], _chunk)

    def within_components(self, input_path: Path, model: dict, frequencies: pa.Table, chunks: int) -> engine.Scored:
        """Every pair ≥ engine.WEIGHED among the records in `input_path` (the run's input rows of the persons in
        components, with their component and their `ordinal` in the run), scored with `model` and the whole
        run's name `frequencies` (services.linking.within_components)."""
        scored = self._scored([(str(input_path), model, frequencies, i, chunks) for i in range(1, chunks + 1)], _inside)
        return engine.concatenated([pairs for _, pairs in sorted(scored, key=lambda found: found[0])])

    def _scored(self, tasks: list[tuple], function) -> Iterable[tuple[int, engine.Scored]]:
        if not tasks:
            return []
        if self._pool is None:
            # spawn, not fork: the parent holds DuckDB's threads and open files
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start, initargs=self._start)
        return (finished.result() for finished in as_completed([self._pool.submit(function, *task) for task in tasks]))


# a worker's, made once by _start: its database, the run's size, its linkers (over the run's input, and over
# each input of components, by path)
_connection: duckdb.DuckDBPyConnection | None = None
_persons = 0
_linkers: dict[str, Linker] = {}


def _start(input_path: str, tables: engine.NameTables, model: dict, persons: int) -> None:
    global _connection, _persons
    _persons = persons
    _connection = duckdb.connect()
    _connection.execute("SET threads = 1")  # the names functions hold the GIL: a second thread would only wait
    _connection.execute("SET enable_progress_bar = false")  # the parent shows the run's progress
    register_functions(_connection, tables)
    db_api, table = _table(INPUT, input_path)
    _linkers[INPUT] = engine.make_linker(db_api, table, persons, model=model)


def _table(name: str, input_path: str):
    """The records in `input_path` as a table of the worker's database, registered for splink."""
    _connection.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [input_path])
    db_api = DuckDBAPI(connection=_connection)
    return db_api, db_api.register(name, table_name="persons")


def _chunk(chunk: int, chunks: int) -> tuple[int, engine.Scored]:
    return _kept(chunk, engine.predict_chunk(_linkers[INPUT], chunk, chunks))


def _inside(input_path: str, model: dict, frequencies: pa.Table, chunk: int, chunks: int) -> tuple[int, engine.Scored]:
    if input_path not in _linkers:
        db_api, table = _table(f"inside_{len(_linkers)}", input_path)
        _linkers[input_path] = engine.components_linker(db_api, table, _persons, model, frequencies)
    return _kept(chunk, engine.predict_chunk_rows(_linkers[input_path], chunk, chunks, engine.WEIGHED))


def _kept(chunk: int, pairs: engine.Scored) -> tuple[int, engine.Scored]:
    # the names prepared so far are kept to the end: the garbage collector need not walk them again
    gc.freeze()
    return chunk, pairs
