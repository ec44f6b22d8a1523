"""Scoring a linking run's chunks in worker processes, one per core.

The names capability's comparisons (tm_names, tm_relatives) run as Python functions inside DuckDB and
hold the GIL, so DuckDB's threads cannot share them out; the chunks are independent (each scores the
candidate pairs whose left person falls in it), so processes can. Each worker reads the compared records
from a Parquet copy of the work file's input, builds the same linker from the saved model and scores the
chunks it is handed; the parent saves each chunk as it arrives, so a killed run still resumes from its
finished chunks.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker

from . import engine
from .work import INPUT, register_functions


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def in_workers(input_path: Path, tables: engine.NameTables, model: dict, persons: int, chunks: int,
               workers: int) -> engine.ChunkScorer:
    """Score chunks in `workers` processes, each over the records in `input_path` (WorkFile.export_input)."""

    def score(todo: list[int]) -> Iterable[tuple[int, list[dict]]]:
        if not todo:
            return
        # spawn, not fork: the parent holds DuckDB's threads and open files
        pool = ProcessPoolExecutor(min(workers, len(todo)), mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(str(input_path), tables, model, persons))
        try:
            for finished in as_completed([pool.submit(_chunk, i, chunks) for i in todo]):
                yield finished.result()
        finally:  # an error or an interruption: what is still queued is dropped, not waited for
            pool.shutdown(wait=False, cancel_futures=True)

    return score


_linker: Linker | None = None  # a worker's, built once by _start


def _start(input_path: str, tables: engine.NameTables, model: dict, persons: int) -> None:
    global _linker
    connection = duckdb.connect()
    connection.execute("SET threads = 1")  # the names functions hold the GIL: a second thread would only wait
    connection.execute("SET enable_progress_bar = false")  # the parent shows the run's progress
    register_functions(connection, tables)
    connection.execute(f"CREATE TABLE {INPUT} AS SELECT * FROM read_parquet(?)", [input_path])
    db_api = DuckDBAPI(connection=connection)
    _linker = engine.make_linker(db_api, db_api.register(INPUT, table_name="persons"), persons, model=model)


def _chunk(chunk: int, chunks: int) -> tuple[int, list[dict]]:
    rows = engine.predict_chunk_rows(_linker, chunk, chunks)
    # the names prepared so far are kept to the end: the garbage collector need not walk them again
    gc.freeze()
    return chunk, rows
