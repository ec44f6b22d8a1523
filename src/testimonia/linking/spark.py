"""Linking on Spark: the same model, blocking and SQL functions as on DuckDB, for registries that
outgrow one machine. `session()` starts a local one (tests, a workstation); for a cluster, build the
SparkSession for it and pass it to `backend()` (docs/linking.md). Clustering stays on DuckDB: the
proposed pairs are few.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import engine
from .records import LinkRecord


def session(checkpoints: Path, partitions: int = 4):
    """A local SparkSession with splink's similarity functions (its bundled jar) and a checkpoint folder."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import testimonia from this environment
    spark = (SparkSession.builder.master(f"local[{partitions}]").appName("testimonia-linking")
             .config("spark.jars", similarity_jar_location())
             .config("spark.sql.shuffle.partitions", str(partitions))
             .config("spark.default.parallelism", str(partitions))
             .config("spark.ui.enabled", "false")
             .config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(checkpoints))
    return spark


def backend(spark) -> Callable[[Sequence[LinkRecord]], tuple]:
    """For services.linking.run(backend=…): registers the names functions and the input on `spark`."""
    from pyspark.sql.types import ArrayType, BooleanType, DoubleType, IntegerType, StringType, StructField, StructType
    from splink import SparkAPI

    types = {"string": StringType(), "int32": IntegerType(), "bool": BooleanType(),
             "list<item: string>": ArrayType(StringType())}
    schema = StructType([StructField(f.name, types[str(f.type)]) for f in engine.COLUMNS])

    def register(records: Sequence[LinkRecord], components: dict[str, int] | None = None):
        for name, scorer in engine.scorers(engine.name_tables(records)).items():
            spark.udf.register(name, scorer, DoubleType())
        frame = spark.createDataFrame([tuple(row[f.name] for f in engine.COLUMNS) for row in engine.rows(records, components)],
                                      schema)
        db_api = SparkAPI(spark_session=spark)
        # a run over the persons of clusters (components) comes after the main one, in the same session
        return db_api, db_api.register(frame) if components else db_api.register(frame, table_name="persons")

    return register
