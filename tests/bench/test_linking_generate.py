"""bench/linking/generate.py: synthetic registries with known truth, for benchmarking record linkage.

Invented persons only: names are combined from parts of different real persons' names, and no row may
carry a real person's full name.
"""

import ast
import itertools
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.linking import generate as gen
from testimonia.services.importing import import_file

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1000
BLOCK = 400  # small blocks, so that a file of ROWS rows has several


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:  # noqa: ANN001
    out = tmp_path_factory.mktemp("linking") / "rows.jsonl"
    gen.write(out, ROWS, seed=5, block_rows=BLOCK)
    return out


def rows_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def truth_of(out: Path) -> list[tuple[int, str]]:
    return [(int(row), person) for row, person in
            (line.split("\t") for line in gen.truth_path(out).read_text(encoding="utf-8").splitlines())]


def forms(rows: list[dict]) -> list[dict]:
    return [name for row in rows for name in row["person"].get("names", [])]


def files(out: Path) -> list[bytes]:
    return [path.read_bytes() for path in (out, gen.truth_path(out), gen.persons_path(out))]


def test_same_persons_and_seed_give_the_same_bytes_another_seed_other_ones(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        gen.write(tmp_path / name / "rows.jsonl", 300, seed, block_rows=100)
    a, b, c = (files(tmp_path / name / "rows.jsonl") for name in "abc")
    assert a == b
    assert a[0] != c[0] and a[1] != c[1]


def test_truth_has_a_line_per_row_and_each_true_person_one_to_six_rows(generated):
    rows, truth = rows_of(generated), truth_of(generated)
    assert [row for row, _ in truth] == list(range(ROWS)) and len(rows) == ROWS
    assert all(r["source"]["url"] == f"https://example.org/bench/row/{i}" for i, r in enumerate(rows))
    per_person = Counter(person for _, person in truth)
    assert set(per_person.values()) <= set(range(1, 7)) and max(per_person.values()) > 1


def test_rows_of_a_person_are_shuffled_within_a_block(generated):
    truth = truth_of(generated)
    adjacent = sum(a == b for (_, a), (_, b) in zip(truth, truth[1:]))
    assert adjacent < ROWS * 0.05
    rows_by_person: dict[str, list[int]] = {}
    for row, person in truth:
        rows_by_person.setdefault(person, []).append(row)
    assert max(max(r) - min(r) for r in rows_by_person.values()) < BLOCK + 6  # a block closes past BLOCK rows


def test_every_row_imports(registry, project, editor, generated):  # noqa: ANN001
    report = import_file(registry, editor, generated, project)
    assert (report.rows_read, report.persons_written, report.rejected, report.errors) == (ROWS, ROWS, 0, [])


def test_nameless_rows_still_say_who_the_person_is(generated):
    nameless = [row["person"] for row in rows_of(generated) if not row["person"].get("names")]
    assert all(p.get("resident_id") or (p.get("birth_date") and p.get("hometown")) for p in nameless)


def test_the_generator_does_not_use_the_names_capability():
    source = Path(gen.__file__).read_text(encoding="utf-8")
    imported = [node.module if isinstance(node, ast.ImportFrom) else alias.name
                for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names]
    assert not [m for m in imported if m and m.startswith("testimonia.names")]
    loaded = subprocess.run([sys.executable, "-c", "import sys, bench.linking.generate; "
                             "print(sorted(m for m in sys.modules if m.startswith('testimonia.names')))"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_siblings_share_a_fathers_name_but_not_a_given_name_and_namesakes_exist():
    world = gen.load_world()
    persons = list(itertools.islice(gen.invent_persons(random.Random(1), world), 3000))
    by_key = {p.key: p for p in persons}
    siblings = [(p, by_key[p.related_to]) for p in persons if p.relation == "sibling"]
    namesakes = [(p, by_key[p.related_to]) for p in persons if p.relation == "namesake"]
    assert len(siblings) > 100 and len(namesakes) > 50
    for person, other in siblings:
        assert person.father.id == other.father.id and person.core.county == other.core.county
        assert person.given.id != other.given.id and person.given.keys.isdisjoint(other.given.keys)
    for person, other in namesakes:
        assert (person.given.id, person.father.id) == (other.given.id, other.father.id)
        assert abs(person.core.birth.year - other.core.birth.year) >= 2


def test_given_and_fathers_names_come_from_different_real_persons():
    persons = itertools.islice(gen.invent_persons(random.Random(2), gen.load_world()), 2000)
    assert all(p.given.person != p.father.person for p in persons)


def test_forms_are_in_several_scripts_and_none_is_a_real_persons_name(generated):
    names = forms(rows_of(generated))
    assert len({n["script"] for n in names}) >= 3
    real = {form["text"].casefold() for path in gen.PEOPLE_FILES
            for line in path.read_text(encoding="utf-8").splitlines() if line
            for form in json.loads(line)["forms"]}
    assert not [n["text"] for n in names if n["text"].casefold() in real]


def test_clusters_hold_one_name_across_scripts_and_leave_out_other_names():
    world = gen.load_world()
    clusters = {c.id: c for c in world.given + world.father}
    rahile = {v.text for vs in clusters["P002/given"].variants.values() for v in vs}
    assert {"Rahile", "راھىلە", "热依拉", "Rèyīlā", "Rahilä"} <= rahile
    every_variant = {v.text for c in clusters.values() for vs in c.variants.values() for v in vs}
    # surname-first forms, another name altogether, a registered Chinese name, titles, a pen name
    assert not {"Суюнгул", "Kaşgarlı", "İslamoğlu", "Gusev", "Ye", "Shanjiang", "克尤木", "Khan", "Beg",
                "Uyghur"} & every_variant
    assert len(world.common) == 10


@pytest.mark.parametrize(("convert", "text", "expected"), [
    (gen.pinyin_from_han, "热依拉", ["Rèyīlā", "Reyila"]),
    (gen.pinyin_from_han, "扎克尔", ["Zhākè'ěr", "Zhakeer"]),
    (gen.arabic_from_uly, "Rahile", "راھىلە"),
    (gen.uly_from_arabic, "داۋۇت", "Dawut"),
    (gen.uyghur_cyrillic_from_arabic, "تاھىر", "Таһир"),
    (gen.latin_from_kazakh, "Сайрагуль", "Sayragul"),
    (gen.arabic_from_kazakh, "Шабданұлы", "شابدانۇلى"),
    (gen.russian_cyrillic_from_english, "Serikzhan", "Серикжан"),
    (gen.russian_cyrillic_from_english, "Huseyincan", "Хусейинджан"),
])
def test_converters_give_the_spellings_checked_by_eye(convert, text, expected):  # noqa: ANN001
    assert convert(text) == expected
