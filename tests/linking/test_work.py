"""A linking run's work file: the records it stores and the Parquet copy worker processes read."""

import duckdb

from testimonia.linking import engine
from testimonia.linking.records import LinkRecord
from testimonia.linking.work import WorkFile


def test_the_input_is_exported_for_workers_and_removed_with_the_work_file(tmp_path):
    records = [LinkRecord(id="p1", names=("Rahile Dawut",), name_keys=("part:RT",), birth=(1966, 1966)),
               LinkRecord(id="p2", names=("راھىلە داۋۇت",), county="654028")]
    work = WorkFile(tmp_path / "o'brien's registry" / "run.duckdb")  # a quote in the path
    work.input(records, engine.name_tables(records))
    exported = work.export_input()
    rows = duckdb.execute("SELECT unique_id, birth_lo, county FROM read_parquet(?) ORDER BY unique_id",
                          [str(exported)]).fetchall()
    assert rows == [("p1", 1966, None), ("p2", None, "654028")]
    work.close()
    assert not exported.exists()
