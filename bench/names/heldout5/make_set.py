"""Build held-out set 5 of the names benchmark from its collected part files.

Reads bench/names/heldout5/parts/{i,j}.jsonl (64 people collected by two helpers that saw neither the
rules nor any earlier set's errors, after the rule for names written the Chinese way was made; forms
that are another name altogether flagged "alias" by the collector) and writes people.jsonl (ids V001…)
and pairs.tsv beside this file, with the rules of bench/names/make_set.py: negatives drawn against
everyone in the earlier sets too. The relatives and namesakes the collectors named in their notes
("CONFUSABLE WITH: key, key (why)") give every pair of their forms as negatives. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout5.make_set
"""

import json
import re
from pathlib import Path

from bench.names import make_set as base
from bench.names.heldout4 import make_set as set4

HERE = Path(__file__).resolve().parent
EARLIER = [*set4.EARLIER, set4.HERE / "people.jsonl"]
# Chinese-order names (keys written surname first, as the collector did): their tokens are read reversed.
SURNAME_FIRST = set4.SURNAME_FIRST | {
    "sheng_shicai", "sheng_shiqi", "sheng_shiji", "yang_zengxin", "jin_shuren", "ma_zhancang", "ma_xingrui",
    "chen_quanguo", "ma_fuyuan", "wang_lequan", "wang_enmao", "wang_junzheng", "wang_mingshan", "zhang_chunxian",
    "zhang_zhizhong", "zhang_zizhong", "bai_shouyi", "bai_xianyong", "bai_zili", "tuo_ming", "liu_wenlong",
    "ma_yuanzhang", "ma_anliang", "ma_suiliang", "ma_zhanao",
}
_NAMED = re.compile(r"CONFUSABLE WITH:\s*([^(]*)")


def groups_from_notes(paths: list[Path], known: set[str]) -> list[tuple[str, str, str]]:
    """(key, key, negative type) for every pair a collector named as confusable; keys the sets do not
    hold ("other Hui leaders") are skipped. Pairs sharing a key token are typed by it, the rest random."""
    found = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            person = json.loads(line)
            for named in _NAMED.findall(person.get("notes", "")):
                for other in re.findall(r"[a-z][a-z_]+", named):
                    if other in known and other != person["key"]:
                        pair = tuple(sorted((person["key"], other)))
                        shared = set(pair[0].split("_")) & set(pair[1].split("_"))
                        found[pair] = "shared_surname_or_fathers_name" if shared else "random"
    return [(a, b, kind) for (a, b), kind in sorted(found.items())]


def build(here: Path, letters: str, prefix: str, earlier: list[Path], surname_first: set[str]) -> None:
    """A later set from its collectors' part files (here/parts/<letter>.jsonl): the confusable pairs their
    notes name, then base.build_later_set. Held-out sets 6 and 7 are built by it too."""
    parts = [here / "parts" / f"{x}.jsonl" for x in letters]
    known = {json.loads(line)["key"] for path in [*earlier, *parts]
             for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()}
    base.build_later_set(here, letters, prefix, earlier, groups_from_notes(parts, known), surname_first)


def main() -> None:
    build(HERE, "ij", "V", EARLIER, SURNAME_FIRST)


if __name__ == "__main__":
    main()
