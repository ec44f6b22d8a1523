"""Clustering scored pairs: connected components split by average linkage, reviewers' decisions kept."""

import json
import random
from itertools import combinations

import pyarrow as pa

from testimonia.linking import engine
from testimonia.linking.engine import clusters


def pairs(*scored):
    return list(scored)


def groups(assignment):
    out = {}
    for person, cluster in assignment.items():
        out.setdefault(cluster, set()).add(person)
    return sorted(map(sorted, out.values()))


def test_a_chain_is_not_one_cluster():
    # each person proposed only with the next: connected components would join all four
    chain = pairs(("a", "b", 0.95), ("b", "c", 0.9), ("c", "d", 0.95))
    assert groups(clusters(chain, set(), set())) == [["a", "b"], ["c", "d"]]
    # a third person proposed with one of a pair, and weakly, stays out
    weak = pairs(("a", "b", 0.95), ("b", "c", 0.55))
    assert groups(clusters(weak, set(), set())) == [["a", "b"], ["c"]]


def test_a_triangle_is_one_cluster():
    triangle = pairs(("a", "b", 0.95), ("b", "c", 0.9), ("a", "c", 0.8))
    assert groups(clusters(triangle, set(), set())) == [["a", "b", "c"]]


def test_a_lone_pair_joins_from_the_higher_of_the_two_thresholds():
    joins = max(engine.PROPOSE, engine.CLUSTER)
    assert groups(clusters(pairs(("a", "b", joins)), set(), set())) == [["a", "b"]]
    assert groups(clusters(pairs(("a", "b", joins - 0.01)), set(), set())) == [["a"], ["b"]]


def test_reviewers_decisions_join_and_cut():
    chain = pairs(("a", "b", 0.95), ("b", "c", 0.9), ("c", "d", 0.95))
    assert groups(clusters(chain, set(), set())) == [["a", "b"], ["c", "d"]]
    assert groups(clusters(chain, {("a", "d")}, set())) == [["a", "d"], ["b", "c"]]  # "same" joins the ends
    triangle = pairs(("a", "b", 0.95), ("b", "c", 0.9), ("a", "c", 0.99))
    assert groups(clusters(triangle, set(), {("a", "c")})) == [["a", "b"], ["c"]]  # the weaker side goes


def test_a_component_too_large_is_cut_at_rising_thresholds(monkeypatch):
    monkeypatch.setattr(engine, "LARGEST_COMPONENT", 3)
    # two triangles joined by one weak pair: four persons and more in one component at the proposal threshold
    scored = pairs(("a", "b", 0.99), ("b", "c", 0.99), ("a", "c", 0.99), ("c", "d", 0.6),
                   ("d", "e", 0.99), ("e", "f", 0.99), ("d", "f", 0.99))
    assert groups(clusters(scored, set(), set())) == [["a", "b", "c"], ["d", "e", "f"]]


def test_cluster_ids_are_a_members_id_and_stable():
    scored = pairs(("p2", "p3", 0.99), ("p1", "p2", 0.99), ("p1", "p3", 0.99))
    assignment = clusters(scored, set(), set())
    assert set(assignment.values()) == {"p1"}
    assert clusters(list(reversed(scored)), set(), set()) == assignment


def test_names_alike_are_compared_once_however_many_levels_test_them(monkeypatch):
    import duckdb

    from testimonia.linking.work import register_functions

    calls = []
    real = engine.best_scores

    def once(codes, prepare, left, right, cap, recent, enough, keep):
        calls.append(len(left))
        scores = real(codes, prepare, left, right, cap, recent, enough, keep)
        codes[:] = [("not a name code",) if forms is not None else None for forms in codes]  # compared again: TypeError
        return scores

    monkeypatch.setattr(engine, "best_scores", once)
    names = [("Rahile Dawut",), ("راھىلە داۋۇت",), ("Rahile",), ("Gulnar Omar",)]
    connection = duckdb.connect()
    register_functions(connection, {"tm_names": names, "tm_relatives": [()] * 4})
    levels = connection.execute("""
        SELECT l, r, CASE WHEN n IS NULL THEN -1 WHEN tm_names(l, r) >= 0.9 THEN 3 WHEN tm_names(l, r) >= 0.7 THEN 2
                          WHEN tm_names(l, r) >= 0.5 THEN 1 ELSE 0 END
        FROM (VALUES (0, 1, 1), (0, 2, 1), (1, 2, 1)) pairs(l, r, n)""").fetchall()
    assert {(left, right): level for left, right, level in levels} == {(0, 1): 3, (0, 2): 1, (1, 2): 1}
    # every pair scored in the first call; the later levels read the scores kept
    assert calls[0] == 3 and len(calls) == 3


def test_a_scorer_keeps_the_scores_of_names_alike_only():
    scorer = engine.NameScorer([("Rahile Dawut",), ("Rahile",), ("Gulnar Omar",)], keep=engine.NAME_LEVELS[-1])
    assert scorer(0, 1) == engine.SINGLE_PART_CAP and scorer(0, 2) < engine.NAME_LEVELS[-1]
    assert list(scorer._recent.values()) == [engine.SINGLE_PART_CAP]  # the pair that differs is not held


def test_a_scorer_full_of_scores_keeps_the_newer_half(monkeypatch):
    monkeypatch.setattr(engine.NameScorer, "RECENT_PAIRS", 4)
    scorer = engine.NameScorer([("Rahile Dawut",), ("Rahile Dawit",), ("Rahilä Dawut",), ("Rahile",)])
    pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)]
    for pair in pairs:
        scorer(*pair)
    assert list(scorer._recent) == [(a << 32) | b for a, b in pairs[2:]]


def test_a_scorer_that_forgets_its_prepared_names_scores_the_same():
    scorer = engine.NameScorer([("Rahile Dawut",), ("راھىلە داۋۇت",), ("Erlan Bekov",)])
    before = scorer(0, 1), scorer(0, 2)
    assert before[0] >= 0.9 and before[1] < 0.5
    scorer.forget()
    assert scorer._codes == [None, None, None] and not scorer._recent  # nothing prepared is held
    assert (scorer(0, 1), scorer(0, 2)) == before


def test_a_scorer_stops_at_its_top_level_and_keeps_every_level():
    # invented persons, several forms each: the best pair of forms is not the first
    names = [("Erlan Bekov", "Rahile Dawit", "Rahile Dawut"), ("راھىلە داۋۇت", "Rahile Dawut"), ("Rahilä",),
             ("Erlan Bekuly",), ("Gulnar Sadyk",)]
    full, stopping = engine.NameScorer(names), engine.NameScorer(names, engine.NAME_LEVELS[0])
    pairs = [(a, b) for a in range(len(names)) for b in range(len(names)) if a != b]

    def level(score):
        return next((k for k, at in enumerate(engine.NAME_LEVELS) if score >= at), len(engine.NAME_LEVELS))

    scores = {pair: (full(*pair), stopping(*pair)) for pair in pairs}
    assert all(level(best) == level(first) for best, first in scores.values())
    assert scores[(0, 1)][0] == 1.0 > scores[(0, 1)][1] >= engine.NAME_LEVELS[0]  # stopped at Rahile Dawit (0.93)
    assert any(best < engine.NAME_LEVELS[0] for best, _ in scores.values())  # lower levels are exact
    assert all(first == best for best, first in scores.values() if best < engine.NAME_LEVELS[0])


def test_reasons_are_stored_as_levels_and_weights_and_explained_in_words():
    labels = {"names": {-1: "missing", 0: "differ", 3: "agree"}, "sex": {-1: "missing", 0: "differ", 1: "same"}}
    rows = [{"gamma_names": 3, "mw_names": 7.123, "gamma_sex": 1, "mw_sex": 0.95},
            {"gamma_names": -1, "mw_names": 0.0, "gamma_sex": 0, "mw_sex": -4.004},
            {"gamma_names": 3, "mw_names": 7.121, "gamma_sex": 1, "mw_sex": None}]
    made = {}
    texts = engine.reasons_json(pa.RecordBatch.from_pylist(rows), list(labels), made)
    assert [json.loads(text) for text in texts] == [[[3, 7.12], [1, 0.95]], [[-1, 0.0], [0, -4.0]], [[3, 7.12], [1, 0.0]]]
    assert all(text == json.dumps(json.loads(text)) for text in texts)  # as json.dumps writes it
    assert len(made) == 5  # the first row's names entry served the third
    assert engine.explained(labels, json.loads(texts[0])) == [
        {"field": "names", "level": "agree", "verdict": "agrees", "weight": 7.12},
        {"field": "sex", "level": "same", "verdict": "agrees", "weight": 0.95}]
    assert engine.explained(labels, json.loads(texts[1])) == [
        {"field": "names", "level": "missing", "verdict": "missing", "weight": 0.0},
        {"field": "sex", "level": "differ", "verdict": "disagrees", "weight": -4.0}]
    assert engine.explained(labels, json.loads(texts[2]))[1] == {"field": "sex", "level": "same", "verdict": "neutral",
                                                                 "weight": 0.0}


def test_two_persons_join_as_average_linkage_joins_them():
    for probability in (0.49, engine.CLUSTER, 0.51, 0.99):
        got = groups(clusters([("a", "b", probability)], set(), set()))
        assert got == ([["a", "b"]] if probability >= engine.CLUSTER else [["a"], ["b"]])


def test_components_clustered_in_one_call_cluster_as_each_alone(monkeypatch):
    rng = random.Random(7)
    scored = []
    for component in range(60):  # chains, triangles and denser groups of 2 to 7 persons, some pairs weak
        people = [f"c{component}p{i}" for i in range(rng.randint(2, 7))]
        scored += [(a, b, round(rng.uniform(0.3, 1.0), 3)) for a, b in combinations(people, 2) if rng.random() < 0.7]
        scored += [(a, b, 0.9) for a, b in zip(people, people[1:])]
    monkeypatch.setattr(engine, "LINKAGE_BATCH", 1)  # every component alone
    alone = clusters(scored, set(), set())
    monkeypatch.setattr(engine, "LINKAGE_BATCH", 10_000)  # all of them in one call
    together = clusters(scored, set(), set())
    assert together == alone
    assert len(set(alone.values())) > 60  # some components were split: the comparison tested linkage
    assert all(cluster.split("p")[0] == person.split("p")[0] for person, cluster in together.items())
