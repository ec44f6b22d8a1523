"""Build held-out set 6 of the names benchmark from its collected part files.

Reads bench/names/heldout6/parts/{k,l}.jsonl (69 people collected on 2026-11-30 by two helpers that saw
neither the rules nor any earlier set's errors: k Uyghur and Uzbek, l Kazakh, Kyrgyz and Hui/Dungan
people, families and namesakes on purpose) and writes people.jsonl (ids W001…) and pairs.tsv beside this
file, with the rules of held-out set 5 (bench/names/heldout5/make_set.py): negatives drawn against
everyone in the earlier sets too, and every pair of forms of the relatives and namesakes the collectors
named ("CONFUSABLE WITH: key, key (why)"). known_keys.txt is the list of keys the collectors were told
were taken. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout6.make_set
"""

from pathlib import Path

from bench.names.heldout5 import make_set as set5

HERE = Path(__file__).resolve().parent
EARLIER = [*set5.EARLIER, set5.HERE / "people.jsonl"]
SURNAME_FIRST = set5.SURNAME_FIRST | {"ma_liangjun", "ma_xueshan"}


def main() -> None:
    set5.build(HERE, "kl", "W", EARLIER, SURNAME_FIRST)


if __name__ == "__main__":
    main()
