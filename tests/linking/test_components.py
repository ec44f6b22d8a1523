"""Scoring every pair inside a cluster's component, which blocking alone never compared."""

from testimonia.linking import engine
from testimonia.linking.records import LinkRecord
from testimonia.linking.work import in_memory_input

# invented persons: a and b share one name key, b and c another, a and c none
RECORDS = [
    LinkRecord(id="a", names=("Rahile Dawut",), name_keys=("pair:k1",), birth=(1966, 1966), birth_day="1966-05-01",
               county="654028", sex="female", occupation="teacher"),
    LinkRecord(id="b", names=("Rahile Dawut", "Rahilä Dawut"), name_keys=("pair:k1", "pair:k2"), birth=(1966, 1966),
               birth_day="1966-05-01", county="654028", sex="female", occupation="teacher"),
    LinkRecord(id="c", names=("Rahilä Dawut",), name_keys=("pair:k2",), birth=(1966, 1966), birth_day="1966-05-01",
               county="654028", sex="female", occupation="teacher"),
    LinkRecord(id="d", names=("Erlan Bekov",), name_keys=("pair:k3",), birth=(1980, 1980)),
    LinkRecord(id="e", names=("Erlan Bekov",), name_keys=("pair:k3",), birth=(1980, 1980)),
    LinkRecord(id="f", birth=(1980, 1980)),  # no name: no name key
]
PERSONS = 2_000  # as if from a registry large enough to weigh names by their frequency


def scored(pairs: engine.Scored) -> dict[tuple[str, str], float]:
    return {(a, b): p for a, b, p in engine.edges(pairs)}


def test_components_of_three_or_more_are_scored_whole_with_the_same_weights():
    # the second run holds three persons: names weigh as in the first only with the first's term frequencies
    db_api, table = in_memory_input(RECORDS, {})
    model = engine.make_linker(db_api, table, PERSONS).misc.save_model_to_json()
    linker = engine.make_linker(db_api, table, PERSONS, model=model)
    first = scored(engine.predict_chunk_rows(linker, 1, 1, 0.0))
    assert set(first) == {("a", "b"), ("b", "c"), ("d", "e")}  # a and c share no key

    components = engine.components_to_rescore(engine.predict_chunk_rows(linker, 1, 1, 0.0))
    assert set(components) == {"a", "b", "c"}  # d and e: a pair, nothing left unscored
    inside = [r for r in RECORDS if r.id in components]
    db_api, table = in_memory_input(inside, components)
    again = engine.components_linker(db_api, table, PERSONS, engine.within_components(model),
                                     engine.term_frequencies(RECORDS))
    second = scored(engine.predict_chunk_rows(again, 1, 1, 0.0))
    assert set(second) == {("a", "b"), ("b", "c"), ("a", "c")}
    assert second[("a", "b")] == first[("a", "b")] and second[("b", "c")] == first[("b", "c")]
    assert second[("a", "c")] > 0.5


def test_term_frequencies_are_splinks_own():
    db_api, table = in_memory_input(RECORDS, {})
    linker = engine.make_linker(db_api, table, PERSONS)
    theirs = {row["name_key"]: row["tf_name_key"]
              for row in linker.table_management.compute_tf_table("name_key").as_record_list()}
    ours = engine.term_frequencies(RECORDS).to_pylist()
    assert {row["name_key"]: row["tf_name_key"] for row in ours} == theirs


def test_the_input_table_is_the_rows_column_by_column():
    import pyarrow as pa

    components = {"a": 0, "b": 0, "c": 0}
    table = engine.input_table(RECORDS, components)
    assert table.equals(pa.Table.from_pylist(engine.rows(RECORDS, components), schema=engine.COLUMNS))
    assert table.column("component").to_pylist() == [0, 0, 0, None, None, None]
    assert table.column("ordinal").to_pylist() == list(range(len(RECORDS)))


def test_pairs_are_found_by_position_and_scored_by_person_id():
    # blocking groups and joins millions of pairs: on integers (the record's position), not on string ids
    db_api, table = in_memory_input(RECORDS, {})
    linker = engine.make_linker(db_api, table, PERSONS)
    blocked = linker.inference.compute_blocked_pairs_for_predict().as_record_list()
    assert blocked and all(isinstance(row["join_key_l"], int) for row in blocked)
    pairs = engine.predict_chunk_rows(linker, 1, 1, 0.0)
    assert set(zip(pairs["a"].to_pylist(), pairs["b"].to_pylist())) == {("a", "b"), ("b", "c"), ("d", "e")}


def test_pairs_whose_names_differ_are_scored_only_when_an_id_number_found_them(monkeypatch):
    # invented persons: g and h share a name key and an ID number, i and j a name key only; both pairs'
    # names differ outright
    records = [LinkRecord(id="g", names=("Rahile Dawut",), name_keys=("pair:k4",), resident="r1"),
               LinkRecord(id="h", names=("Erlan Bekov",), name_keys=("pair:k4",), resident="r1"),
               LinkRecord(id="i", names=("Gulnar Omar",), name_keys=("pair:k5",)),
               LinkRecord(id="j", names=("Aidos Sadyk",), name_keys=("pair:k5",)), *RECORDS]
    db_api, table = in_memory_input(records, {})
    linker = engine.make_linker(db_api, table, PERSONS)
    every = scored(engine.predict_chunk_rows(linker, 1, 1, 0.0))
    assert {("g", "h"), ("i", "j")} <= set(every)
    monkeypatch.setattr(engine, "PROPOSE", 0.0)  # every pair scored comes back
    kept = scored(engine.predict_chunk(linker, 1, 1))
    assert set(kept) == set(every) - {("i", "j")}
    assert kept == {pair: p for pair, p in every.items() if pair != ("i", "j")}  # scored as before
