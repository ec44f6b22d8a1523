"""The Spark backend links a small registry into the same clusters as DuckDB (pyspark in local mode)."""

import pytest
from sqlalchemy import select

from testimonia.linking import spark as spark_linking
from testimonia.services import linking, records
from testimonia.services.access import SYSTEM
from testimonia.services.inputs import NameInput, PersonInput
from testimonia.services.registry import init_folder
from testimonia.services.users import create_project
from testimonia.store.schema import link_runs, match_proposals

pytestmark = pytest.mark.spark

PEOPLE = [  # published names of public figures, and invented ones
    ("Serikzhan Bilash", {"birth_date": "1974", "hometown": "654028", "sex": "male"}),
    ("Серикжан Билаш", {"age_years": 45, "age_at": "2019-05", "sex": "male"}),
    ("Saierkejian Bilaixi", {"hometown": "654028"}),
    ("Rahile Dawut", {"birth_date": "1966", "sex": "female"}),
    ("راھىلە داۋۇت", {"sex": "female"}),
    ("热依拉·达吾提", {"birth_date": "1966"}),
    ("Erlan Bekov", {"birth_date": "1980", "sex": "male"}),
    ("Ерлан Беков", {"birth_date": "1980", "sex": "male"}),
    ("Erlan Bekuly", {"birth_date": "1992", "sex": "male"}),
    ("Gulnar Omar", {"birth_date": "1990", "sex": "female"}),
    ("Aigerim Nurlanovna", {"birth_date": "1985", "sex": "female"}),
]


def run_clusters(registry, run_id):
    with registry.db.reading() as conn:
        rows = conn.execute(select(match_proposals.c.person_a, match_proposals.c.person_b, match_proposals.c.cluster,
                                   match_proposals.c.probability).where(match_proposals.c.run_id == run_id)).all()
    groups: dict[str, set] = {}
    for a, b, cluster, _ in rows:
        if cluster:
            groups.setdefault(cluster.split(":", 1)[1], set()).update((a, b))
    return {frozenset(g) for g in groups.values()}, {(a, b): round(p, 4) for a, b, _, p in rows}


def test_spark_and_duckdb_give_the_same_clusters(tmp_path):
    registry = init_folder(tmp_path / "data")
    project = create_project(registry, SYSTEM, "A")
    for name, fields in PEOPLE:
        records.add_person(registry, SYSTEM, project, PersonInput(names=[NameInput(name)], **fields))
    on_duckdb = linking.run(registry, SYSTEM)
    spark = spark_linking.session(tmp_path / "checkpoints", partitions=2)
    try:
        on_spark = linking.run(registry, SYSTEM, backend=spark_linking.backend(spark))
    finally:
        spark.stop()
    duck_clusters, duck_pairs = run_clusters(registry, on_duckdb.run_id)
    spark_clusters, spark_pairs = run_clusters(registry, on_spark.run_id)
    assert len(duck_clusters) == 3 and any(len(c) == 3 for c in duck_clusters)
    assert spark_clusters == duck_clusters
    assert spark_pairs == duck_pairs
    with registry.db.reading() as conn:
        assert conn.execute(select(link_runs.c.state).where(link_runs.c.id == on_spark.run_id)).scalar() == "done"
    registry.close()
