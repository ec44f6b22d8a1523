"""Score candidate pairs of persons with splink (Fellegi–Sunter: EM-trained m, sampled u) and cluster them.

splink does the blocking, training and scoring, on DuckDB by default or on Spark (`spark_backend`);
scipy clusters the scored pairs (connected components split by average linkage). The names capability
enters as two SQL functions registered on the backend: `tm_names(ordinal_l, ordinal_r)`, the best
`testimonia.names.compare` score between any name form of one person and any of the other's, and
`tm_relatives(ordinal_l, ordinal_r)`, the same over the names of the persons related to each (each
stops at the first score that reaches its comparison's top level: NameScorer). Everything else is plain
SQL over `LinkRecord` columns. docs/linking.md gives the comparisons, their levels and why.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import combinations, islice
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from splink import Linker, SettingsCreator
from splink.blocking_rule_library import CustomRule

from ..names import NameCode, best_scores, prepare
from .records import LinkRecord

if TYPE_CHECKING:
    from splink.internals.splink_dataframe import SplinkDataFrame  # what splink's methods return

#: Match probability from which a pair is proposed to reviewers.
PROPOSE = 0.5
#: Average linkage's cut: two groups of persons join while the mean match probability over every pair
#: between them is at least this, more likely than not (a pair inside a component is scored, even when
#: blocking did not compare it: components_to_rescore; a pair in no component counts 0). A lone proposed
#: pair joins; a third person joins a pair only when proposed with both (or very likely with one).
#: Chosen on the benchmark's 100,000-person registries of seeds 3 and 4 (docs/benchmarks.md; seed 2 is
#: held out).
CLUSTER = 0.5
#: Pairs sampled to estimate u (how often non-matches agree) and, per session, to train m by EM.
U_PAIRS = 100_000
EM_PAIRS = 200_000
#: Below this many persons λ and u keep their priors and names are not weighed by frequency: too few
#: pairs to estimate anything.
MIN_TRAINING_PERSONS = 2_000

#: A form of one name part ("Kurban", a given name alone) agrees with everyone of that given name: the
#: score of a pair of forms where either has a single part counts at most this much ("may be one name").
SINGLE_PART_CAP = 0.6


class NameScorer:
    """The best compare() score between the name forms of two persons, given by their positions in the
    run's records (the input's `ordinal` column); None when one has no name. A pair of forms where one
    is a single name part counts at most SINGLE_PART_CAP.

    Callable with two positions (Spark) or with two Arrow arrays of them (DuckDB's vectorised
    functions), scored in the names kernel (`best_scores`) without a Python call per pair. A person's
    names are prepared on first use and kept, so each is prepared once per process. The latest scores of
    at least `keep` are kept too (up to RECENT_PAIRS; when full, the older half goes): predict_chunk
    computes the names scores of a chunk's candidate pairs before scoring those whose names are alike,
    and the names comparison's levels are a SQL CASE that calls the function again for each level a pair
    is tested against.
    """

    #: About two chunks' candidate pairs whose names are alike at 1,000,000 persons, at about 100 bytes a
    #: score: an estimate, from 1.75 M candidate pairs a chunk there and 44 % of them alike at 100,000.
    RECENT_PAIRS = 1_500_000

    def __init__(self, names: Sequence[tuple[str, ...]], enough: float = 1.0, keep: float = 0.0):
        """`enough`: the highest threshold the score is compared with; a pair reaching it is given the first
        score found from there up (names.best_scores), not the best. `keep`: the lowest score kept."""
        self.names, self.enough, self.keep = names, enough, keep
        self._codes: list[tuple[NameCode, ...] | None] = [None] * len(names)
        self._recent: dict[int, float] = {}

    def __getstate__(self) -> dict:  # shipped to Spark workers without the prepared names
        return {"names": self.names, "enough": self.enough, "keep": self.keep}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["names"], state["enough"], state["keep"])

    def forget(self) -> None:
        """Drop the prepared names and kept scores (a process that scores no more pairs itself)."""
        self._codes = [None] * len(self.names)
        self._recent.clear()

    def _prepare(self, position: int) -> tuple[NameCode, ...]:
        return tuple(prepare(text).code for text in self.names[position])

    def _scores(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        if len(self._recent) >= self.RECENT_PAIRS:
            self._recent = dict(islice(self._recent.items(), len(self._recent) // 2, None))
        scores = best_scores(self._codes, self._prepare, left, right, SINGLE_PART_CAP, self._recent, self.enough,
                             self.keep)
        return np.frombuffer(scores, dtype=np.float64)

    def __call__(self, a: int, b: int) -> float | None:
        score = float(self._scores(np.array([a], np.int32), np.array([b], np.int32))[0])
        return score if score >= 0 else None

    def arrow(self, a: pa.Array, b: pa.Array) -> pa.Array:
        scores = self._scores(a.to_numpy().astype(np.int32, copy=False), b.to_numpy().astype(np.int32, copy=False))
        return pa.array(scores, mask=scores < 0)


NameTables = dict[str, list[tuple[str, ...]]]


def name_tables(records: Sequence[LinkRecord]) -> NameTables:
    """What each SQL function compares, by a person's position in `records` (the `ordinal` column):
    tm_names a person's name forms, tm_relatives the names of the persons related to them."""
    return {"tm_names": [r.names for r in records], "tm_relatives": [r.relatives for r in records]}


#: The names comparison's levels (at least this score) and the relatives' one: the SQL functions' scores
#: are compared with nothing higher, so a pair reaching the top one is scored no further.
NAME_LEVELS = (0.9, 0.7, 0.5)
RELATIVE_AGREES = 0.7


def scorers(tables: NameTables) -> dict[str, NameScorer]:
    """The SQL functions linking registers, by name."""
    enough = {"tm_names": NAME_LEVELS[0], "tm_relatives": RELATIVE_AGREES}
    keep = {"tm_names": NAME_LEVELS[-1], "tm_relatives": 0.0}  # predict_chunk keeps names alike from this score
    return {name: NameScorer(names, enough[name], keep[name]) for name, names in tables.items()}


COLUMNS = pa.schema([
    ("unique_id", pa.string()), ("ordinal", pa.int32()), ("names_n", pa.int32()), ("pair_keys", pa.list_(pa.string())),
    ("part_keys", pa.list_(pa.string())), ("compound_keys", pa.list_(pa.string())), ("single_part", pa.bool_()),
    ("name_key", pa.string()),
    ("sex", pa.string()), ("ethnicity", pa.string()), ("birth_lo", pa.int32()), ("birth_hi", pa.int32()),
    ("birth_day", pa.string()),
    ("township", pa.string()), ("county", pa.string()), ("prefecture", pa.string()),
    ("occupation", pa.string()), ("places", pa.list_(pa.string())), ("resident", pa.string()),
    ("facilities", pa.list_(pa.string())), ("relatives_n", pa.int32()), ("no_keys", pa.bool_()),
    ("changed", pa.bool_()), ("component", pa.int32()),
])


def rows(records: Iterable[LinkRecord], components: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """One input row per record, in COLUMNS' shape (empty values as NULL, which splink treats as missing);
    `ordinal` is the record's position, by which the names functions find its names, and `component` the
    record's in `components` (within_components)."""
    components = components or {}
    return [_row(position, r, components.get(r.id)) for position, r in enumerate(records)]


def input_table(records: Sequence[LinkRecord], components: Mapping[str, int] | None = None) -> pa.Table:
    """rows() as an Arrow table, built column by column: a run over 1,000,000 persons does not hold a dict
    for each of them at once."""
    components = components or {}
    columns: dict[str, list] = {name: [] for name in COLUMNS.names}
    appends = [(name, columns[name].append) for name in COLUMNS.names]
    for position, r in enumerate(records):
        row = _row(position, r, components.get(r.id))
        for name, append in appends:
            append(row[name])
    return pa.table(columns, schema=COLUMNS)


def _row(position: int, r: LinkRecord, component: int | None = None) -> dict[str, Any]:
    compound = [k for k in r.name_keys if "@" in k]  # records.bounded_keys: a key with a birth year or county
    pair_keys = _pair_keys(r)
    part_keys = [k for k in r.name_keys if k.startswith("part:") and "@" not in k]
    return {
        "unique_id": r.id, "ordinal": position, "names_n": len(r.names) or None, "pair_keys": pair_keys or None,
        "part_keys": part_keys or None, "compound_keys": compound or None,
        "single_part": bool(part_keys) and not pair_keys, "name_key": min(pair_keys, default=None),
        "sex": r.sex if r.sex not in (None, "unknown") else None,
        "ethnicity": r.ethnicity if r.ethnicity not in (None, "unknown") else None,
        "birth_lo": r.birth[0] if r.birth else None, "birth_hi": r.birth[1] if r.birth else None,
        "birth_day": r.birth_day,
        "township": r.township, "county": r.county, "prefecture": r.prefecture,
        "occupation": " ".join(r.occupation.casefold().split()) if r.occupation else None,
        "places": sorted({*r.places, *([r.county] if r.county else [])}) or None, "resident": r.resident,
        "facilities": list(r.facilities) or None, "relatives_n": len(r.relatives) or None,
        "no_keys": not r.name_keys, "changed": r.changed, "component": component,
    }


def _pair_keys(r: LinkRecord) -> list[str]:
    """The record's two-part name keys (the first of them is its `name_key`, weighed by frequency)."""
    return [k for k in r.name_keys if k.startswith("pair:") and "@" not in k]


def _graded(field: str, missing: str, levels: list[tuple[str, str, float, float]], otherwise: tuple[float, float],
            **tf: Any) -> cl.CustomComparison:
    """A comparison: missing when `missing` holds, else the first of `levels` (SQL, label, prior m, prior u)
    that holds, else "differ" with `otherwise`'s m and u; `tf` configures the first two levels."""
    return cl.CustomComparison(output_column_name=field, comparison_levels=[
        cll.CustomLevel(missing, "missing").configure(is_null_level=True),
        *(cll.CustomLevel(sql, label).configure(m_probability=m, u_probability=u, **(tf if k < 2 else {}))
          for k, (sql, label, m, u) in enumerate(levels)),
        cll.ElseLevel().configure(label_for_charts="differ", m_probability=otherwise[0], u_probability=otherwise[1]),
    ])


def _same(field: str, column: str, label: str, m: float, u: float) -> cl.CustomComparison:
    """A field that is the same or not (the prior m and u of "not" are the complements)."""
    return _graded(field, f"{column}_l IS NULL OR {column}_r IS NULL", [(f"{column}_l = {column}_r", label, m, u)],
                   (1 - m, 1 - u))


def comparisons(frequencies: bool = True) -> list:
    """The fields compared and their levels, each with a prior m and u (the probability of the level
    among true matches and among non-matches; docs/linking.md) that training replaces when the registry
    is large enough to estimate it. With `frequencies`, agreeing names weigh less the more persons bear
    that name (splink's term-frequency adjustment on the person's first two-part name key); in a small
    registry the frequencies mean nothing (one person's own records make their name look common)."""
    names, relatives = "tm_names(ordinal_l, ordinal_r)", "tm_relatives(ordinal_l, ordinal_r)"
    by_frequency = {"tf_adjustment_column": "name_key", "disable_tf_exact_match_detection": True} if frequencies else {}
    return [
        _graded("names", "names_n_l IS NULL OR names_n_r IS NULL", [
            (f"{names} >= {NAME_LEVELS[0]}", "agree", 0.70, 0.002),
            (f"{names} >= {NAME_LEVELS[1]}", "alike", 0.18, 0.01),
            (f"{names} >= {NAME_LEVELS[2]}", "may be one name", 0.08, 0.04),
        ], (0.04, 0.948), **by_frequency),
        *other_comparisons(),
        _graded("relatives", "relatives_n_l IS NULL OR relatives_n_r IS NULL", [
            (f"{relatives} >= {RELATIVE_AGREES}", "a relative's name agrees", 0.60, 0.01)], (0.40, 0.99)),
    ]


def other_comparisons() -> list:
    """Every comparison but the names' (plain SQL: the benchmark's baseline uses them too)."""
    return [
        _graded("birth", "birth_lo_l IS NULL OR birth_lo_r IS NULL", [
            ("birth_day_l = birth_day_r", "same day", 0.25, 0.0001),
            # two full dates that differ: a typing error in one, or two persons
            ("birth_day_l IS NOT NULL AND birth_day_r IS NOT NULL", "another day", 0.02, 0.08),
            ("birth_lo_l <= birth_hi_r AND birth_lo_r <= birth_hi_l", "agree", 0.55, 0.05),
            ("birth_lo_l <= birth_hi_r + 2 AND birth_lo_r <= birth_hi_l + 2", "within 2 years", 0.12, 0.10),
        ], (0.06, 0.77)),
        _same("sex", "sex", "same", 0.97, 0.5),
        _same("ethnicity", "ethnicity", "same", 0.95, 0.4),
        _graded("hometown", "prefecture_l IS NULL OR prefecture_r IS NULL", [
            ("township_l = township_r", "same township", 0.15, 0.001),
            ("county_l = county_r", "same county", 0.55, 0.02),
            ("prefecture_l = prefecture_r", "same prefecture", 0.15, 0.10),
        ], (0.15, 0.88)),
        # where the hometowns cannot be compared: the counties of the events and hometown of each (a detention
        # is mostly reported where the person lives); not where both hometowns are known, which would
        # count one place twice
        cl.CustomComparison(output_column_name="event_places", comparison_levels=[
            cll.CustomLevel("places_l IS NULL OR places_r IS NULL OR (prefecture_l IS NOT NULL AND "
                            "prefecture_r IS NOT NULL)", "missing, or the hometowns compared").configure(is_null_level=True),
            cll.ArrayIntersectLevel("places", 1).configure(label_for_charts="a county in common", m_probability=0.7,
                                                           u_probability=0.03),
            cll.ElseLevel().configure(label_for_charts="no county in common", m_probability=0.3, u_probability=0.97),
        ]),
        # as written (case and spacing folded): "farmer" and "herder", or one job in two languages, differ,
        # and training learns how often one person's reports do
        _same("occupation", "occupation", "same", 0.85, 0.07),
        # check digits catch most typing errors: two valid numbers are two persons
        _same("resident_id", "resident", "same number", 0.999, 0.00001),
        cl.ArrayIntersectAtSizes("facilities", [1]).configure(m_probabilities=[0.40, 0.60],
                                                              u_probabilities=[0.02, 0.98]),
    ]


def blocking_rules(changed_only: bool) -> list[CustomRule]:
    """Candidate pairs: the same resident ID; a shared two-part name key; a shared one-part key when one
    of the two is known by a single name part only; a shared compound key (a name key with a birth year
    or county, records.bounded_keys); or, for a person with no usable name key, the same county and
    earliest birth year. With `changed_only`, one side must be new or changed.

    splink numbers each pair by the first rule that found it (its match_key, from 0): the name-key rules
    are NAME_KEY_RULES, after the resident ID's, so that predict_chunk never drops a pair of one number."""
    scope = " AND (l.changed OR r.changed)" if changed_only else ""
    return [
        CustomRule("l.resident = r.resident" + scope),
        CustomRule("l.pair_keys = r.pair_keys" + scope, arrays_to_explode=["pair_keys"]),
        CustomRule("l.part_keys = r.part_keys AND (l.single_part OR r.single_part)" + scope,
                   arrays_to_explode=["part_keys"]),
        CustomRule("l.compound_keys = r.compound_keys" + scope, arrays_to_explode=["compound_keys"]),
        CustomRule("l.county = r.county AND l.birth_lo = r.birth_lo AND (l.no_keys OR r.no_keys)" + scope),
    ]


#: The match_key of the pairs blocking_rules found through a name key.
NAME_KEY_RULES = ("1", "2", "3")


def settings(persons: int, changed_only: bool = False) -> SettingsCreator:
    """The model before training: the priors of comparisons(), and λ (the probability that two records
    drawn at random are one person) as if each person were recorded about twice."""
    return SettingsCreator(
        link_type="dedupe_only",
        # pairs are found and joined by the record's position, an integer: grouping and joining tens of
        # millions of pairs of string ids was a third of the scoring time at 1,000,000 persons
        unique_id_column_name="ordinal", additional_columns_to_retain=["unique_id"],
        probability_two_random_records_match=min(0.1, 1 / max(persons, 1)),
        comparisons=comparisons(frequencies=persons >= MIN_TRAINING_PERSONS),
        blocking_rules_to_generate_predictions=blocking_rules(changed_only),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,  # the comparison levels (gamma_*) are kept only with them
    )


def make_linker(db_api, input_table, persons: int, changed_only: bool = False, model: dict | None = None) -> Linker:
    """A splink Linker over a registered input (`db_api.register(...)`), untrained or from a saved model
    (which carries the blocking rules it was trained with)."""
    configured = model if model is not None else settings(persons, changed_only)
    return Linker(input_table, configured, log_level=logging.ERROR)  # the run report says what was trained


#: m is estimated only from at least this many pairs of persons with the same resident ID number.
MIN_ID_PAIRS = 50


def train(linker: Linker, records: Sequence[LinkRecord]) -> tuple[dict, list[str]]:
    """Estimate the model from the data alone (no labels). Returns the model and the steps that ran; a
    step without enough data keeps the priors.

    λ comes from near-certain rules (the same resident ID; the same two-part name key, birth year and
    county with names agreeing) at an assumed recall of 0.5, and u from random pairs. m comes from EM
    over the pairs that share a resident ID number — nearly all one person, so EM sees what true
    matches look like. (EM over pairs that share a name key, the textbook choice, learns the wrong
    class here: common given and fathers' names make most such pairs two people of one name.)
    """
    steps: dict[str, Callable[[], object]] = {}
    if len(records) >= MIN_TRAINING_PERSONS:
        steps["λ"] = lambda: linker.training.estimate_probability_two_random_records_match(
            ["l.resident = r.resident",
             CustomRule("l.pair_keys = r.pair_keys AND l.birth_lo = r.birth_lo AND l.county = r.county "
                        f"AND tm_names(l.ordinal, r.ordinal) >= {NAME_LEVELS[0]}", arrays_to_explode=["pair_keys"])],
            recall=0.5)
        steps["u"] = lambda: linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
    holders = Counter(r.resident for r in records if r.resident)
    id_pairs = sum(n * (n - 1) // 2 for n in holders.values())
    if id_pairs >= MIN_ID_PAIRS:
        steps["m"] = lambda: _estimate_m(linker, min(id_pairs, EM_PAIRS))
    done = []
    for name, step in steps.items():
        try:
            step()
            done.append(name)
        except (ValueError, ZeroDivisionError):  # splink's arithmetic on empty or one-sided samples
            continue
    return linker.misc.save_model_to_json(), done


#: How many pairs of one person a level's prior m counts as when EM never saw the level.
PRIOR_PAIRS = 100


def _estimate_m(linker: Linker, pairs: int) -> None:
    """m by EM over the pairs that share a resident ID number. A level EM never saw among those pairs —
    two birth years far apart, two hometowns in different prefectures — keeps its prior in splink, as if
    nothing had been learned; here the prior counts as PRIOR_PAIRS pairs against the `pairs` that did not
    show it (m = prior × 100 / (pairs + 100)), so a thousand pairs of one person that never differ in birth
    year make a difference in birth year strong evidence against. Comparisons EM could not train (the
    resident ID it blocks on; one missing on every pair) keep their priors."""
    linker.training.estimate_parameters_using_expectation_maximisation("l.resident = r.resident", max_pairs=EM_PAIRS)
    for comparison in linker._settings_obj.comparisons:
        levels_ = [level for level in comparison.comparison_levels if not level.is_null_level]
        if any(level._has_estimated_m_values for level in levels_):
            for level in levels_:
                if not level._has_estimated_m_values:
                    level.m_probability = level.m_probability * PRIOR_PAIRS / (pairs + PRIOR_PAIRS)


def levels(linker: Linker) -> dict[str, dict[int, str]]:
    """Each comparison's level labels by comparison vector value."""
    out: dict[str, dict[int, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        out[comparison.output_column_name] = {level.comparison_vector_value: level.label_for_charts
                                              for level in comparison.comparison_levels}
    return out


#: Scored pairs are Arrow tables, one row per pair: `a` < `b` (person ids), `probability` (6 decimals),
#: `weight` (the match weight, 3 decimals) and, per compared field, its level (`gamma_<field>`) and match
#: weight (`mw_<field>`) as splink gave them. Columns, not a Python object per pair: at 1,000,000 persons
#: a run scores millions.
Scored = pa.Table


def scored(predictions: pa.Table) -> Scored:
    """splink's prediction rows as scored pairs."""
    left, right = predictions["unique_id_l"], predictions["unique_id_r"]
    fields = [c for c in predictions.column_names if c.startswith(("gamma_", "mw_"))]
    return pa.table({"a": pc.min_element_wise(left, right), "b": pc.max_element_wise(left, right),
                     "probability": pc.round(predictions["match_probability"], 6),
                     "weight": pc.round(predictions["match_weight"], 3), **{c: predictions[c] for c in fields}})


def concatenated(tables: Sequence[Scored]) -> Scored:
    """One table of several tables' scored pairs (a column all null in one of them takes the others' type)."""
    return pa.concat_tables(tables, promote_options="permissive")


def edges(pairs: Scored) -> Iterator[tuple[str, str, float]]:
    """(a, b, probability) of each scored pair."""
    return zip(pairs["a"].to_pylist(), pairs["b"].to_pylist(), pairs["probability"].to_pylist())


def at_least(pairs: Scored, probability: float) -> Scored:
    return pairs.filter(pc.greater_equal(pairs["probability"], probability))


def reasons_json(pairs: pa.RecordBatch | pa.Table, fields: Sequence[str], made: dict[tuple, str]) -> list[str]:
    """What splink weighed for each scored pair (rows of a Scored table), stored compactly: a JSON list of
    [level, match weight] per compared field, in the order of `fields` (the run keeps the fields' level
    labels; `explained` makes the reviewer's reasons of both). Built column by column; each entry's text
    is made once per level and weight, whatever the field, and kept in `made` (a run writes hundreds of
    thousands of proposals from a few thousand distinct entries)."""
    columns = []
    for field in fields:
        keys = zip(pairs.column(f"gamma_{field}").to_pylist(),
                   [round(w or 0.0, 2) for w in pairs.column(f"mw_{field}").to_pylist()])
        columns.append([made.get(key) or _entry_json(made, key) for key in keys])
    return ["[" + ", ".join(parts) + "]" for parts in zip(*columns)]  # as json.dumps writes a list


def _entry_json(made: dict[tuple, str], key: tuple[int, float]) -> str:
    text = made[key] = json.dumps(list(key))
    return text


def explained(labels: dict[str, dict[int, str]], stored: list[list]) -> list[dict]:
    """A proposal's stored reasons (`reasons_json`) in words: per field its level, whether it agreed
    (agrees, disagrees, neutral or missing) and its match weight."""
    return [_reason(field, by_value, gamma, weight) for (field, by_value), (gamma, weight) in zip(labels.items(), stored)]


def _reason(field: str, by_value: dict[int, str], gamma: int, weight: float) -> dict:
    verdict = "missing" if gamma == -1 else ("agrees" if weight > 0 else "disagrees" if weight < 0 else "neutral")
    return {"field": field, "level": by_value.get(gamma, str(gamma)), "verdict": verdict, "weight": weight}


#: Scores the chunks it is given, yielding (chunk, its scored pairs) as each is finished, in any order.
ChunkScorer = Callable[[list[int]], Iterable[tuple[int, Scored]]]


def predict(chunks: int, done: Callable[[int], Scored | None], save: Callable[[int, Scored], None],
            score: ChunkScorer, progress: Callable[[], None] | None = None) -> Scored:
    """Every candidate pair ≥ PROPOSE, in chunk order: `chunks` slices of the left side.

    `done(i)` returns a chunk's pairs saved by an earlier, interrupted run (or None); `score` scores the
    others (`in_turn`, or worker processes: linking/parallel.py) and `save(i, pairs)` keeps each as it
    is finished, so a killed run resumes where it stopped.
    """
    by_chunk: dict[int, Scored] = {}
    for i in range(1, chunks + 1):
        rows_ = done(i)
        if rows_ is not None:
            by_chunk[i] = rows_
            if progress:
                progress()
    for i, rows_ in score([i for i in range(1, chunks + 1) if i not in by_chunk]):
        save(i, rows_)
        by_chunk[i] = rows_
        if progress:
            progress()
    return concatenated([by_chunk[i] for i in sorted(by_chunk)])


def in_turn(linker: Linker, chunks: int) -> ChunkScorer:
    """Score chunks one after another, in this process."""
    return lambda todo: ((i, predict_chunk(linker, i, chunks)) for i in todo)


def predict_chunk(linker: Linker, chunk: int, chunks: int) -> Scored:
    """The candidate pairs (blocking_rules) whose left record falls in one chunk, scored: those ≥ PROPOSE.

    A pair found through a name key whose names then differ outright (below the names comparison's
    lowest level) is not scored: names that differ weigh so heavily against a pair that it is all but
    never proposed (docs/linking.md), and scoring every other field of such pairs, more than half of
    the candidates, was most of the work. splink blocks, the pairs kept are registered as its blocked
    pairs, and it scores them; the names scores computed here are kept for scoring (NameScorer)."""
    blocked = linker.inference.compute_blocked_pairs_for_predict_chunk(left_chunk=(chunk, chunks), right_chunk=(1, 1))
    return score_blocked(linker, blocked)


def score_blocked(linker: Linker, blocked: SplinkDataFrame) -> Scored:
    """predict_chunk's pairs ≥ PROPOSE among splink's `blocked` pairs (dropped here)."""
    name_key = ", ".join(f"'{key}'" for key in NAME_KEY_RULES)
    try:
        alike = linker.misc.query_sql(
            f"SELECT * FROM {blocked.physical_name} WHERE CASE WHEN match_key IN ({name_key}) "
            f"THEN tm_names(join_key_l, join_key_r) >= {NAME_LEVELS[-1]} ELSE TRUE END")
    finally:
        blocked.drop_table_from_database_and_remove_from_cache()
    try:
        linker.table_management.register_blocked_pairs_for_predict(alike)
        result = linker.inference.predict(threshold_match_probability=PROPOSE, warning_mode="never")
    finally:
        alike.drop_table_from_database_and_remove_from_cache()  # and its registration
    pairs = scored(result.as_pyarrow_table())
    result.drop_table_from_database_and_remove_from_cache()
    return pairs


def predict_chunk_rows(linker: Linker, chunk: int, chunks: int, threshold: float = PROPOSE) -> Scored:
    """The pairs ≥ `threshold` whose left record falls in one chunk, every candidate pair scored."""
    result = linker.inference.predict_chunk(left_chunk=(chunk, chunks), right_chunk=(1, 1),
                                            threshold_match_probability=threshold, warning_mode="never")
    pairs = scored(result.as_pyarrow_table())
    result.drop_table_from_database_and_remove_from_cache()  # else every chunk's table stays in the work file
    return pairs


#: A pair inside a component scored below this counts as 0 in clustering, like a pair never scored: it is
#: not kept (at 1,000,000 persons, keeping every pair and its levels held gigabytes).
WEIGHED = 0.01
#: The largest component whose every pair is scored (at most 190 pairs): a person has a handful of
#: records, and a component of hundreds is a chain of namesakes whose n² / 2 pairs are not worth scoring
#: (at 1,000,000 persons, components of up to LARGEST_COMPONENT made millions of them). On the benchmark's
#: development registry of seed 3, scoring components of up to 10, 20 or 2,000 persons whole moves
#: pairwise F1 by at most 0.0002.
RESCORE_LARGEST = 20


def components_to_rescore(pairs: Scored) -> dict[str, int]:
    """Component number per person, for the connected components of the proposed pairs with three to
    RESCORE_LARGEST persons.

    Blocking compares only the pairs that share a key, so inside such a component some pairs were never
    scored; average linkage would count them as 0, and cut a person whose other records it never
    compared with this one. within_components scores every pair inside each component (on the
    benchmark, 34,000 pairs at 100,000 persons)."""
    proposed = at_least(pairs, PROPOSE)
    left, right = proposed["a"].to_pylist(), proposed["b"].to_pylist()
    nodes = sorted({*left, *right})
    index = {n: i for i, n in enumerate(nodes)}
    graph = coo_matrix(([1] * len(left), ([index[a] for a in left], [index[b] for b in right])),
                       shape=(len(nodes),) * 2)
    _, labels = connected_components(graph, directed=False)
    sizes = Counter(labels)
    return {n: int(label) for n, label in zip(nodes, labels) if 3 <= sizes[label] <= RESCORE_LARGEST}


def within_components(model: dict, changed_only: bool = False) -> dict:
    """The trained model with one blocking rule: every pair of persons in one component (`component`);
    with `changed_only`, one of the two new or changed."""
    dialect = model["blocking_rules_to_generate_predictions"][0].get("sql_dialect")
    rule = "l.component = r.component" + (" AND (l.changed OR r.changed)" if changed_only else "")
    return {**model, "blocking_rules_to_generate_predictions": [{"blocking_rule": rule, "sql_dialect": dialect}]}


def components_linker(db_api, table, persons: int, model: dict, frequencies: pa.Table) -> Linker:  # noqa: ANN001
    """A linker over the persons in components (`table`, with its `component` column) scoring with
    `model` made within_components, and weighing names by the whole run's `frequencies`
    (term_frequencies), so a pair weighs what it weighed in the run."""
    linker = make_linker(db_api, table, persons, model=model)
    linker.table_management.register_term_frequency_lookup(db_api.register(frequencies), "name_key")
    return linker


def term_frequencies(records: Sequence[LinkRecord]) -> pa.Table:
    """splink's term frequency table of the names' `name_key` over `records` (as splink computes it over
    its input), so that a run over a part of the registry weighs names as the whole run did."""
    keys = Counter(min(keys) for keys in map(_pair_keys, records) if keys)
    total = sum(keys.values())
    return pa.table({"name_key": list(keys), "tf_name_key": [n / total for n in keys.values()]})


def clusters(pairs: Iterable[tuple[str, str, float]], same: set[tuple[str, str]],
             not_same: set[tuple[str, str]]) -> dict[str, str]:
    """Cluster id per person in a pair (`_clusters` over the (a, b, probability) of the scored pairs,
    reviewers' "same" pairs joined and "not same" pairs cut); a cluster still holding a "not same" pair
    through third persons is clustered again without its weakest pairs, step by step, until the two fall
    apart."""
    edges = {(a, b): p for a, b, p in pairs if (a, b) not in not_same}
    edges.update({pair: 1.0 for pair in same})
    threshold = PROPOSE
    assignment = _clusters(edges, threshold)
    while True:
        split = {assignment[a] for a, b in not_same if a in assignment and assignment.get(a) == assignment.get(b)}
        if not split:
            return assignment
        inside = {pair: p for pair, p in edges.items()
                  if assignment[pair[0]] in split and assignment[pair[0]] == assignment[pair[1]]}
        # the next probability that matters: the weakest pair still joining them goes
        threshold = min((p for p in inside.values() if p > threshold), default=threshold)
        assignment.update(_clusters(inside, threshold + 1e-9))


#: Persons in one connected component beyond which it is cut at rising thresholds before average
#: linkage, which holds a distance for every pair of its persons (2,000 persons: 32 MB).
LARGEST_COMPONENT = 2_000
#: Persons of several components clustered in one call to scipy: a call costs about a quarter of a
#: millisecond whatever its size, more than the work for a component of three to six persons (most of
#: them); 200 persons take half a millisecond.
LINKAGE_BATCH = 200


def _clusters(edges: dict[tuple[str, str], float], threshold: float) -> dict[str, str]:
    """Cluster id (its first person's id) per person in `edges`: the connected components of the pairs
    ≥ `threshold`, each split by average linkage — two groups stay one while the mean probability over
    every pair of persons between them (a pair never proposed counting 0) is at least CLUSTER.

    Connected components alone chain different people together (A~B and B~C put A with C: most false
    pairs in the benchmark's clusters came that way); scipy does both steps."""
    nodes = sorted({n for pair in edges for n in pair})
    index = {n: i for i, n in enumerate(nodes)}
    kept = [(index[a], index[b], p) for (a, b), p in edges.items() if p >= threshold]
    graph = coo_matrix(([1] * len(kept), ([i for i, _, _ in kept], [j for _, j, _ in kept])), shape=(len(nodes),) * 2)
    _, labels = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        members[label].append(i)
    out: dict[str, str] = {}
    batch: list[list[str]] = []
    batched = 0
    for group in members.values():
        names = [nodes[i] for i in group]
        if len(group) == 1:
            out[names[0]] = names[0]
        elif len(group) > LARGEST_COMPONENT:
            among = set(names)
            inside = {pair: p for pair, p in edges.items() if pair[0] in among and pair[1] in among}
            out.update(_clusters(inside, (threshold + 1) / 2))
        else:
            batch.append(names)
            batched += len(names)
            if batched >= LINKAGE_BATCH:
                out.update(_average_linkage(batch, edges))
                batch, batched = [], 0
    if batch:
        out.update(_average_linkage(batch, edges))
    return out


def _average_linkage(components: list[list[str]], edges: dict[tuple[str, str], float]) -> dict[str, str]:
    """The flat clusters of average linkage over 1 − probability, cut at 1 − CLUSTER, named by their first
    person, of several components in one call: persons of different components are 1 apart (probability
    0), and a mean of ones never comes down to the cut, so no flat cluster spans two components."""
    names = [name for component in components for name in component]
    distances = np.ones((len(names),) * 2)
    np.fill_diagonal(distances, 0.0)
    start = 0
    for component in components:
        for (i, a), (j, b) in combinations(enumerate(component, start), 2):
            distances[i, j] = distances[j, i] = 1.0 - edges.get((a, b), edges.get((b, a), 0.0))
        start += len(component)
    flat = fcluster(linkage(squareform(distances, checks=False), method="average"), t=1.0 - CLUSTER,
                    criterion="distance")
    first: dict[int, str] = {}
    return {name: first.setdefault(label, name) for name, label in zip(names, flat)}
