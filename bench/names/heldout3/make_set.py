"""Build held-out set 3 of the names benchmark from its collected part files.

Reads bench/names/heldout3/parts/{e,f}.jsonl (72 people whose published name forms two collecting
helpers copied from public pages, each form with its address; forms that are another name altogether
flagged "alias" by the collector) and writes, beside this file,

    people.jsonl   one person a line, ids Y001…
    pairs.tsv      labelled pairs, the columns of the shared pairs.tsv

with the rules of bench/names/make_set.py (whose functions it uses): positives are every pair of
non-alias forms of one person; negatives involve at least one new person, drawn against everyone
in the earlier sets too (the shared development set and held-out set 1): the relatives and
namesakes the collectors named below, shared name tokens, similar spellings, then random pairs up
to the number of positives. Deterministic.

Usage (from the repository root):  python -m bench.names.heldout3.make_set
"""

from pathlib import Path

from bench.names import make_set as base

HERE = Path(__file__).resolve().parent
EARLIER = [base.SHARED_PEOPLE, base.OUT_PEOPLE]

# Relatives and namesakes named in the collectors' notes: every form pair becomes a negative.
GROUPS = [
    ("ma_qi", "ma_bufang", "shared_surname_or_fathers_name"),  # father and sons
    ("ma_qi", "ma_buqing", "shared_surname_or_fathers_name"),
    ("ma_bufang", "ma_buqing", "shared_surname_or_fathers_name"),  # brothers
    ("ma_fuxiang", "ma_hongkui", "shared_surname_or_fathers_name"),  # father and son
    ("ma_fuxiang", "ma_fuxing", "similar_spelling"),
    ("sultan_said_khan", "abdurashid_khan", "random"),  # father and son
    ("torekul_aitmatov", "chinghiz_aitmatov", "shared_surname_or_fathers_name"),  # father and son
    ("muhammad_salih", "muhammad_bekjanov", "shared_given_name"),  # brothers
    ("ekpar_asat", "rayhan_asat", "shared_surname_or_fathers_name"),  # brother and sister
    ("nurmuhemmet_yasin", "dolqun_yasin", "shared_surname_or_fathers_name"),
    ("nurmuhemmet_yasin", "nurmuhemmet_tohti", "shared_given_name"),
    ("marat_safin", "dinara_safina", "shared_surname_or_fathers_name"),  # brother and sister
    ("alsou", "marat_safin", "random"),  # born Safina; her brother is another Marat Safin
    ("behram_abduweli", "kamiran_abduweli", "shared_surname_or_fathers_name"),  # brothers
    ("dilnaz_akhmadieva", "murat_akhmadiev", "shared_surname_or_fathers_name"),  # daughter and father
    ("murat_nasyrov", "murat_akhmadiev", "shared_given_name"),
    ("dilnigar_ilhamjan", "yilamujiang_miraj", "shared_name_token_other_position"),  # daughter and father
    ("roza_rymbayeva", "ali_okapov", "random"),  # mother and son
]
SURNAME_FIRST = base.SURNAME_FIRST | {"ma_qi", "ma_bufang", "ma_buqing", "ma_fuxiang", "ma_hongkui", "ma_hualong",
                                      "ma_mingxin"}


def main() -> None:
    base.build_later_set(HERE, "ef", "Y", EARLIER, GROUPS, SURNAME_FIRST)


if __name__ == "__main__":
    main()
