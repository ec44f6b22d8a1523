"""Build held-out set 8 of the names benchmark from its collected part files.

Reads bench/names/heldout8/parts/{o,p}.jsonl (42 people collected on 2026-12-03 by two helpers that saw
neither the rules nor any earlier set's errors: o Hui, Han and Uyghur officials and figures with Chinese
and pinyin forms, p Kazakh, Kyrgyz, Uzbek and Tatar officials, athletes and their families; families and
namesakes on purpose) and writes people.jsonl (ids Y001…) and pairs.tsv beside this file, with the rules
of held-out set 6 (bench/names/heldout6/make_set.py). known_keys.txt is the list of keys the collectors
were told were taken. Seventeen people the first collector took from the Chinese government's
"terrorist" lists and state-press characterisations were removed before the set was built: they are not
public figures by their own acts, and a list of the accused is no place for their names. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout8.make_set
"""

from pathlib import Path

from bench.names.heldout5 import make_set as set5
from bench.names.heldout7 import make_set as set7

HERE = Path(__file__).resolve().parent
EARLIER = [*set7.EARLIER, set7.HERE / "people.jsonl"]
SURNAME_FIRST = set7.SURNAME_FIRST | {"ma_hongbin", "ma_fulu", "ma_jiyuan", "ma_dunjing_b1910", "ma_dunjing_b1906",
                                      "song_xilian", "song_hanliang", "liu_jintang", "lin_zexu", "wang_feng",
                                      "zhang_qingli", "ma_lin", "ma_benzhai", "liu_songshan"}


def main() -> None:
    set5.build(HERE, "op", "Y", EARLIER, SURNAME_FIRST)


if __name__ == "__main__":
    main()
