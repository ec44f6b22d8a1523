"""Training without labels: m by EM over the pairs that share a resident ID number."""

from testimonia.linking import engine
from testimonia.linking.records import LinkRecord, bounded_keys
from testimonia.linking.work import WorkFile

GIVEN = ["Erlan", "Nurlan", "Askar", "Dilnur", "Gulnar", "Arman", "Bolat", "Serik", "Marat", "Aidos"]
FATHER = ["Bekov", "Sadyk", "Omar", "Tursyn", "Qasym", "Zhumabai"]


def level(model: dict, field: str, label: str) -> dict:
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == field)
    return next(lv for lv in comparison["comparison_levels"] if lv.get("label_for_charts") == label)


def test_a_level_no_pair_of_one_person_shows_counts_against_more_than_its_prior(tmp_path):
    # 60 invented persons, each recorded twice under one resident ID, never with two birth years far apart
    records = []
    for i in range(60):
        name = f"{GIVEN[i % 10]} {FATHER[i % 6]}"
        for copy in range(2):
            records.append(LinkRecord(id=f"p{i}-{copy}", names=(name,), birth=(1950 + i, 1950 + i),
                                      county="654028" if copy else None, resident=f"id{i}"))
    records, _ = bounded_keys(records)
    work = WorkFile(tmp_path / "run.duckdb")
    db_api, table = work.input(records, engine.name_tables(records))
    prior = level(engine.make_linker(db_api, table, len(records)).misc.save_model_to_json(), "birth", "differ")
    model, steps = engine.train(engine.make_linker(db_api, table, len(records)), records)
    work.close()
    assert steps == ["m"]  # too few persons for λ and u: their priors stand
    trained = level(model, "birth", "differ")
    assert trained["m_probability"] == prior["m_probability"] * engine.PRIOR_PAIRS / (60 + engine.PRIOR_PAIRS)
    assert level(model, "birth", "agree")["m_probability"] > 0.9  # what EM saw: every pair agrees
    resident = level(model, "resident_id", "same number")  # blocked on, so not trained: the prior stands
    assert resident["m_probability"] == 0.999
