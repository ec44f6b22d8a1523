"""Build held-out set 10 of the names benchmark from its collected part files.

Reads bench/names/heldout10/parts/{s,t}.jsonl (50 people collected on 2026-12-03 by two helpers that saw neither
the rules nor any earlier set's errors: s Kazakh and Uyghur writers, scientists, soldiers and cosmonauts, many of
the Soviet era, forms in Cyrillic and Arabic script; t Uyghur, Kazakh, Tajik, Xibe and Uzbek figures known mainly
through Chinese-language pages, forms in Chinese characters and pinyin; families and namesakes on purpose, public
figures by their own acts only) and writes people.jsonl (ids U001…) and pairs.tsv beside this file, with the rules
of held-out set 6. known_keys.txt is the list of keys the collectors were told were taken. Two forms were removed
before the set was built: a Chinese form of Dolatmaan Kamak that the collector linked to him by office and county,
no page saying so, and a pinyin form of Zhambyl Zhabayev whose page the collector could not find again.
Deterministic.

Usage (from the repository root):  python -m bench.names.heldout10.make_set
"""

from pathlib import Path

from bench.names.heldout5 import make_set as set5
from bench.names.heldout9 import make_set as set9

HERE = Path(__file__).resolve().parent
EARLIER = [*set9.EARLIER, set9.HERE / "people.jsonl"]
SURNAME_FIRST = set9.SURNAME_FIRST | {"tong_liya"}


def main() -> None:
    set5.build(HERE, "st", "U", EARLIER, SURNAME_FIRST)


if __name__ == "__main__":
    main()
