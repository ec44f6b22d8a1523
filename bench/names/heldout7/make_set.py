"""Build held-out set 7 of the names benchmark from its collected part files.

Reads bench/names/heldout7/parts/{m,n}.jsonl (66 people collected on 2026-12-02 by two helpers that saw
neither the rules nor any earlier set's errors: m Uzbek, Uyghur, Tatar people and Han officials of
Xinjiang, n Kazakh, Kyrgyz and Karakalpak people; families and namesakes on purpose) and writes
people.jsonl (ids X001…) and pairs.tsv beside this file, with the rules of held-out set 6
(bench/names/heldout6/make_set.py). known_keys.txt is the list of keys the collectors were told were
taken. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout7.make_set
"""

from pathlib import Path

from bench.names.heldout5 import make_set as set5
from bench.names.heldout6 import make_set as set6

HERE = Path(__file__).resolve().parent
EARLIER = [*set6.EARLIER, set6.HERE / "people.jsonl"]
SURNAME_FIRST = set6.SURNAME_FIRST | {"wang_zhen", "wang_jun", "zhu_hailun", "chen_mingguo", "zuo_zongtang",
                                      "tao_zhiyue", "wu_zhongxin", "zhu_shaoliang"}


def main() -> None:
    set5.build(HERE, "mn", "X", EARLIER, SURNAME_FIRST)


if __name__ == "__main__":
    main()
