"""Build held-out set 4 of the names benchmark from its collected part files.

Reads bench/names/heldout4/parts/{g,h}.jsonl (71 people collected by two helpers that saw neither the
rules nor any earlier set's errors; forms that are another name altogether flagged "alias" by the
collector) and writes people.jsonl (ids Z001…) and pairs.tsv beside this file, with the rules of
bench/names/make_set.py: negatives drawn against everyone in the earlier sets too. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout4.make_set
"""

from pathlib import Path

from bench.names import make_set as base
from bench.names.heldout3 import make_set as set3

HERE = Path(__file__).resolve().parent
EARLIER = [*set3.EARLIER, set3.HERE / "people.jsonl"]

# Relatives and namesakes named in the collectors' notes: every form pair becomes a negative.
GROUPS = [
    ("adiljan_suleyman", "arslan_adiljan", "shared_name_token_other_position"),  # father and son
    ("imran_memet", "gulimina_maimaiti", "shared_surname_or_fathers_name"),
    ("bekzat_sattarkhanov", "bakhyt_sarsekbayev", "similar_spelling"),
    ("bakhyt_sarsekbayev", "saken_bibossinov", "similar_spelling"),
    ("alina_zagitova", "kamila_valieva", "random"),
]
SURNAME_FIRST = set3.SURNAME_FIRST | {"hu_songshan", "ma_qixi", "bai_chongxi", "lian_xixian", "ma_chengxiang"}


def main() -> None:
    base.build_later_set(HERE, "gh", "Z", EARLIER, GROUPS, SURNAME_FIRST)


if __name__ == "__main__":
    main()
