"""Build held-out set 9 of the names benchmark from its collected part files.

Reads bench/names/heldout9/parts/{q,r}.jsonl (50 people collected on 2026-12-03 by two helpers that saw neither
the rules nor any earlier set's errors: q Hui and Uyghur officials, scholars, artists, diaspora figures and
historical figures; r Mongol, Kazakh and Tatar leaders, singers, diplomats and athletes; families and namesakes
on purpose, public figures by their own acts only) and writes people.jsonl (ids Z001…) and pairs.tsv beside this
file, with the rules of held-out set 6 (bench/names/heldout6/make_set.py). known_keys.txt is the list of keys the
collectors were told were taken. One form was removed before the set was built: a pinyin form of the boxer
Beisenbi Nasiollauly that the collector linked to him by inference, no page saying so. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout9.make_set
"""

from pathlib import Path

from bench.names.heldout5 import make_set as set5
from bench.names.heldout8 import make_set as set8

HERE = Path(__file__).resolve().parent
EARLIER = [*set8.EARLIER, set8.HERE / "people.jsonl"]
SURNAME_FIRST = set8.SURNAME_FIRST | {"hui_liangyu", "xian_hui", "liu_hui_b1959", "wang_zhengwei", "ma_sanli",
                                      "ma_zhiming", "ma_guiyuan", "zheng_he", "du_wenxiu", "bu_xiaolin"}


def main() -> None:
    set5.build(HERE, "qr", "Z", EARLIER, SURNAME_FIRST)


if __name__ == "__main__":
    main()
