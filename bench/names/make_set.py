"""Build the held-out names set from the collected part files.

Reads bench/names/parts/{a,b,c,d}.jsonl (people whose published name forms were
collected from public pages, every form copied as printed with its address),
merges people collected twice, gives them new ids X001..., marks forms that are
another name altogether (titles, nicknames, other personal names, garbled forms)
with "alias": true, and writes

    bench/names/people.jsonl   one person a line (same format as the shared set,
                               plus "collected_as" and the per-form "alias" flag)
    bench/names/pairs.tsv      labelled pairs, same columns as the shared pairs.tsv

Positives: every pair of non-alias forms of one person (pairs whose normalised
texts are identical are skipped).  Negatives: different people, drawn over the
union of these people and the shared development people (P001-P056), every
negative involving at least one new person: shared given name / surname or
father's name / name token in another position (same script, or cross_script_),
similar spelling, the family and confusable groups named in the notes of d.jsonl,
and random pairs (random.Random(1)) to bring negatives to about the number of
positives.  Deterministic: running it twice gives the same files.

Usage (from the repository root):  python bench/names/make_set.py
Standard library only.
"""

import csv
import difflib
import itertools
import json
import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = [HERE / "parts" / f"{p}.jsonl" for p in "abcd"]
SHARED_PEOPLE = Path("/work/shared/data/names/people.jsonl")
OUT_PEOPLE = HERE / "people.jsonl"
OUT_PAIRS = HERE / "pairs.tsv"
COLUMNS = ["a", "b", "label", "kind", "neg_type", "a_pid", "b_pid", "a_form_kind", "b_form_kind"]

# People collected twice under different ids (same person).  People with the same
# key are merged too.  Each tuple: ids to merge into the first one.
SAME_PERSON = [
    ("A04", "C04"),  # Isa Yusuf Alptekin
    ("A11", "C06"),  # Saifuddin Azizi / Seypidin Azizi
    ("A21", "C23"),  # Kurban Tulum
    ("A22", "C01"),  # Ehmetjan Qasimi
    ("A24", "C07"),  # Muhammad Amin Bughra
]

# Forms that are NOT a spelling of the person's name but another name altogether
# (or a form flagged as garbled).  They stay in people.jsonl with "alias": true
# and take part in no pair.  Keyed by person key, then exact form text.
ALIASES = {
    "xiang_fei_iparhan": {
        "香妃": "title 'Fragrant Concubine'",
        "Xiāng Fēi": "pinyin of the title 香妃",
        "Hsiang Fei": "Wade-Giles of the title 香妃",
        "Xiangfei": "pinyin of the title 香妃",
        "容妃": "title 'Imperial Consort Rong'",
        "Róng Fēi": "pinyin of the title 容妃",
        "Rongfei": "pinyin of the title 容妃",
        "Fatimah binti Ali Khojam": "another (Arabic) personal name",
        "Maimur Azum": "claimed original name, not Iparhan",
        "买木热·艾孜姆": "claimed original name, not Iparhan",
    },
    "ma_zhongying": {
        "尕司令": "nickname 'Commander Ga'",
        "Ga Ssu-ling": "Wade-Giles of the nickname 尕司令",
        "Ma Buying": "his other (birth) name",
        "马步英": "his other (birth) name",
        "馬步英": "his other (birth) name",
        "Mǎ Bùyīng": "his other (birth) name",
        "Ma Pu-ying": "his other (birth) name, Wade-Giles",
    },
    "yulbars_khan": {  # 堯樂博斯 / 堯樂博士 are transliterations of Yulbars: kept
        "景福": "Chinese courtesy name",
        "Jingfu": "pinyin of the courtesy name 景福",
    },
    "kurban_tulum": {
        "库尔班大叔": "nickname 'Uncle Kurban'",
        "庫爾班大叔": "nickname 'Uncle Kurban', traditional",
        "Kù'ěrbān dàshū": "pinyin of the nickname",
        "Uncle Kurban": "nickname",
    },
    "afaq_khoja": {  # Hidayat Allah is his birth name, not a spelling of Afaq/Apaq
        "Hidayat Allah": "birth name",
        "هدایتالله": "birth name",
        "Khwāja Hidāyat Allāh": "birth name with title",
        "خواجه هدایتالله": "birth name with title",
        "伊達雅圖勒拉": "Chinese of the birth name Hidayat Allah",
        "Yīdáyǎ Túlēilā": "pinyin of 伊達雅圖勒拉",
        "Hidayetullah Khoja": "birth name with title",
    },
    "lutpulla_mutellip": {
        "黎·穆塔里甫": "another given name (Li), not Lutpulla",
        "Li Mutalifu": "pinyin of 黎·穆塔里甫",
    },
    "burhan_shahidi": {
        "Bao Erhan": "his Chinese-style name (given name only)",
    },
    "muhammad_amin_bughra": {
        "毛德明": "Han name",
        "Mao Deming": "Han name",
    },
    "abdukhaliq_uyghur": {
        "哈文才": "Han name he adopted",
    },
    "chimengul_awut": {
        "Chimenqush": "pen name",
    },
    "bekzat_maxutkhan": {
        "阿塔别克杂提": "garbled: as printed, does not render Bekzat Maxutkhan",
    },
    "erkin_alptekin": {
        "Ài'ěrkěn Ābùtàijīn": "garbled: does not match his Chinese 艾尔肯·阿布甫泰肯",
    },
}

# Family and confusable groups named in the notes of d.jsonl (plus one found while
# reading: Chimengul Awut is also printed 'Qimangul').  Every pair of their forms
# becomes a negative.  neg_type is what the two names share; "random" where the
# relation (mother, husband, aunt) leaves no trace in the names.
GROUPS = [
    # Rebiya Kadeer's sons: same father's name Abdiriyim/Abdureyim (= Abdurehim)
    ("ablikim_abdiriyim", "alim_abdureyim", "shared_surname_or_fathers_name"),
    ("ablikim_abdiriyim", "kahar_abdureyim", "shared_surname_or_fathers_name"),
    ("alim_abdureyim", "kahar_abdureyim", "shared_surname_or_fathers_name"),
    ("ablikim_abdiriyim", "abdurehim_heyit", "shared_name_token_other_position"),
    ("ablikim_abdiriyim", "abdurehim_otkur", "shared_name_token_other_position"),
    ("ablikim_abdiriyim", "abdulla_abdurehim", "shared_surname_or_fathers_name"),
    ("alim_abdureyim", "abdurehim_heyit", "shared_name_token_other_position"),
    ("alim_abdureyim", "abdurehim_otkur", "shared_name_token_other_position"),
    ("kahar_abdureyim", "kahar_barat", "shared_given_name"),
    ("rebiya_kadeer", "ablikim_abdiriyim", "random"),  # mother and son
    ("rebiya_kadeer", "alim_abdureyim", "random"),  # mother and son
    ("rebiya_kadeer", "kahar_abdureyim", "random"),  # mother and son
    ("rebiya_kadeer", "sidik_rouzi", "random"),  # wife and husband
    # Rouzi / Ruzi = Rozi
    ("sidik_rouzi", "yalqun_rozi", "shared_surname_or_fathers_name"),
    ("zumret_dawut", "rahile_dawut", "shared_surname_or_fathers_name"),
    # Tursunay (given name) vs Tursun (father's name)
    ("tursunay_ziyawudun", "perhat_tursun", "shared_name_token_other_position"),
    ("tursunay_ziyawudun", "mihrigul_tursun", "shared_name_token_other_position"),
    # Abduqeyum Hoja's family
    ("gulchehra_hoja", "abduqeyum_hoja", "shared_surname_or_fathers_name"),
    ("gulchehra_hoja", "kaisar_keyum", "shared_surname_or_fathers_name"),
    ("abduqeyum_hoja", "kaisar_keyum", "shared_name_token_other_position"),
    ("qimangul_zikri", "gulchehra_hoja", "random"),  # mother and daughter
    ("qimangul_zikri", "abduqeyum_hoja", "random"),  # wife and husband
    ("qimangul_zikri", "kaisar_keyum", "random"),  # mother and son
    ("qimangul_zikri", "chimengul_awut", "shared_given_name"),  # 'Qimangul Awut'
    ("abduqeyum_hoja", "khoja_niyaz", "shared_name_token_other_position"),
    ("shohret_hoshur", "adil_hoshur", "shared_surname_or_fathers_name"),
    # Juma brothers, and Juma/Jume Tahir
    ("mamatjan_juma", "ahmetjan_juma", "shared_surname_or_fathers_name"),
    ("mamatjan_juma", "jume_tahir", "shared_name_token_other_position"),
    ("ahmetjan_juma", "jume_tahir", "shared_name_token_other_position"),
    ("ahmetjan_juma", "ahmatjan_osman", "shared_given_name"),
    # Kurban Niyaz
    ("kurban_niyaz", "khoja_niyaz", "shared_surname_or_fathers_name"),
    ("kurban_niyaz", "qurban_mamut", "shared_given_name"),
    ("kurban_niyaz", "gheyret_niyaz", "shared_surname_or_fathers_name"),
    ("jewher_ilham", "ilham_tohti", "shared_name_token_other_position"),  # daughter
    ("ziba_murat", "gulshan_abbas", "random"),  # daughter
    ("ziba_murat", "rushan_abbas", "random"),  # niece
    ("ziba_murat", "halmurat_harri", "shared_name_token_other_position"),  # 'Murat Harri'
    ("ferkat_jawdat", "perhat_tursun", "shared_given_name"),  # Ferkat ~ Perhat
    ("abduweli_ayup", "abdubesir_shukuri", "similar_spelling"),
    ("abduweli_ayup", "abdulla_abdurehim", "similar_spelling"),
    # Tahir
    ("tahir_imin", "tahir_hamut_izgil", "shared_given_name"),
    ("tahir_imin", "jume_tahir", "shared_name_token_other_position"),
    ("tahir_hamut_izgil", "jume_tahir", "shared_name_token_other_position"),
    ("tahir_imin", "gulmire_imin", "shared_surname_or_fathers_name"),
    ("kamalturk_yalqun", "yalqun_rozi", "shared_name_token_other_position"),  # son
    ("halmurat_harri", "halmurat_ghopur", "shared_given_name"),
    ("nury_turkel", "ablikim_abdiriyim", "shared_name_token_other_position"),
    ("perhat_halmurat", "perhat_tursun", "shared_given_name"),
    ("perhat_halmurat", "halmurat_ghopur", "shared_name_token_other_position"),
    ("perhat_halmurat", "halmurat_harri", "shared_name_token_other_position"),
    ("shohret_nijat", "shohret_hoshur", "shared_given_name"),
    ("shohret_nijat", "shohrat_zakir", "shared_given_name"),
    ("abduqeyum_ablimit", "abduqeyum_hoja", "shared_given_name"),
    ("bahram_sintash", "qurban_mamut", "random"),  # son
]

# People whose Latin name is written surname first (Chinese order): their tokens
# are reversed so that the surname is last, as in the other names.
SURNAME_FIRST = {"ma_zhongying", "ma_hushan", "ma_shaowu", "ma_fuxing", "bai_yanhu"}

SCRIPT_ORDER = ["Latn", "Cyrl", "Arab", "Hani"]
MAX_PER_PERSON_PAIR = 6  # form pairs per (same-script / cross-script) for found pairs
SIMILAR_RATIO = 0.64  # difflib ratio of first Latin forms for similar_spelling


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def norm(text):
    """Text used to decide whether two forms are the same string."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


FOLD = str.maketrans({"ı": "i", "ə": "e", "ɵ": "o", "ⱨ": "h", "ⱪ": "q", "ø": "o", "ß": "ss"})


def tokens(text):
    """Lower-case, accent-stripped name tokens of a Latin form (initials dropped)."""
    t = unicodedata.normalize("NFKD", text.casefold().translate(FOLD))
    t = "".join(c for c in t if not unicodedata.combining(c))
    for ch in "'’ʿʼ`":
        t = t.replace(ch, "")
    for ch in "-·•.,()":
        t = t.replace(ch, " ")
    return [w for w in t.split() if len(w) > 1]


def merge_people(parts=PARTS, same_person=SAME_PERSON, aliases_by_key=ALIASES, prefix="X"):
    """The people of the part files, merged, with ids prefix + 001…; forms named in aliases_by_key (or
    flagged "alias" by their collector) marked as another name altogether."""
    raw = [p for path in parts for p in read_jsonl(path)]
    into = {}  # collected id -> id it is merged into
    for first, *rest in same_person:
        for other in rest:
            into[other] = first
    first_by_key = {}
    for p in raw:  # same key = same person
        if p["key"] in first_by_key and p["id"] not in into:
            into[p["id"]] = first_by_key[p["key"]]
        first_by_key.setdefault(p["key"], p["id"])
    people = []
    merged = {}
    for p in raw:  # file order a, b, c, d; a merged person sits where first seen
        target = into.get(p["id"])
        if target is None:
            person = {"key": p["key"], "collected_as": [p["id"]], "forms": [], "notes": p.get("notes", "")}
            merged[p["id"]] = person
            people.append(person)
        else:
            person = merged[target]
            person["collected_as"].append(p["id"])
            if p.get("notes") and p["notes"] != person["notes"]:
                person["notes"] += " | " + p["notes"]
        seen = {f["text"] for f in person["forms"]}
        for f in p["forms"]:
            if f["text"] not in seen:  # dedupe by exact text, keep the first source
                person["forms"].append(dict(f))
                seen.add(f["text"])
    used = set()
    for i, person in enumerate(people, 1):
        person_id = f"{prefix}{i:03d}"
        aliases = aliases_by_key.get(person["key"], {})
        for f in person["forms"]:
            if f["text"] in aliases:
                f["alias"] = True
                used.add((person["key"], f["text"]))
        people[i - 1] = {"id": person_id, "key": person["key"], "collected_as": person["collected_as"],
                         "forms": person["forms"], "notes": person["notes"]}
    missing = {(k, t) for k, d in aliases_by_key.items() for t in d} - used
    assert not missing, f"alias list names forms not found: {missing}"
    return people


def pair_kind(f1, f2):
    """Script pair as named in the shared pairs.tsv."""
    s1, s2 = f1["script"], f2["script"]
    p1 = s1 == "Latn" and f1["kind"] == "pinyin"
    p2 = s2 == "Latn" and f2["kind"] == "pinyin"
    if s1 == s2:
        if s1 == "Latn" and p1 != p2:
            return "Latn-pinyin"
        return f"{s1}-{s1}-variant"
    if (p1 and s2 == "Hani") or (p2 and s1 == "Hani"):
        return "Hani-pinyin"
    a, b = sorted([s1, s2], key=SCRIPT_ORDER.index)
    return f"{a}-{b}"


def row(f1, f2, label, neg_type, pid1, pid2):
    return {"a": f1["text"], "b": f2["text"], "label": label, "kind": pair_kind(f1, f2),
            "neg_type": neg_type, "a_pid": pid1, "b_pid": pid2,
            "a_form_kind": f1["kind"], "b_form_kind": f2["kind"]}


def name_forms(person):
    return [f for f in person["forms"] if not f.get("alias")]


def first_latin(person):
    forms = [f for f in name_forms(person) if f["script"] == "Latn"]
    english = [f for f in forms if f["kind"] == "english"]
    return (english or forms or [None])[0]


def shared_token_type(t1, t2):
    """neg_type for two token lists sharing a token, else None."""
    if len(t1) < 2 or len(t2) < 2 or not set(t1) & set(t2):
        return None
    if t1[0] == t2[0]:
        return "shared_given_name"
    if t1[-1] == t2[-1]:
        return "shared_surname_or_fathers_name"
    return "shared_name_token_other_position"


def form_pairs(p1, p2, base, rng=None, cap=None):
    """Negative rows between two people: same-script pairs get `base`, others the
    cross_script_ variant (random and similar_spelling keep their name; similar
    spelling uses same-script pairs only).  With cap, sample at most cap of each."""
    same, cross = [], []
    for f1, f2 in itertools.product(name_forms(p1), name_forms(p2)):
        if norm(f1["text"]) == norm(f2["text"]):
            continue
        (same if f1["script"] == f2["script"] else cross).append((f1, f2))
    if base == "similar_spelling":
        cross = []
    if cap is not None:
        same = rng.sample(same, min(cap, len(same)))
        cross = rng.sample(cross, min(cap, len(cross)))
    out = [row(f1, f2, "0", base, p1["id"], p2["id"]) for f1, f2 in same]
    cross_type = base if base == "random" else "cross_script_" + base
    out += [row(f1, f2, "0", cross_type, p1["id"], p2["id"]) for f1, f2 in cross]
    return out


def positives(people):
    rows = []
    for p in people:
        for f1, f2 in itertools.combinations(name_forms(p), 2):
            if norm(f1["text"]) != norm(f2["text"]):
                rows.append(row(f1, f2, "1", "", p["id"], p["id"]))
    return rows


def negatives(new, shared, n_target, groups=GROUPS, surname_first=SURNAME_FIRST):
    """Negative rows, each with at least one new person (ids of `shared` sort before the new ones)."""
    rng = random.Random(1)
    everyone = shared + new
    new_ids = {p["id"] for p in new}
    by_key = {p["key"]: p for p in everyone}
    assert len(by_key) == len(everyone), "a key appears twice in the union"
    rows, done = [], set()

    def add(p1, p2, base, cap=None):
        p1, p2 = sorted([p1, p2], key=lambda p: p["id"])
        done.add((p1["id"], p2["id"]))
        rows.extend(form_pairs(p1, p2, base, rng, cap))

    for k1, k2, base in groups:  # every form pair of the groups named in the collectors' notes
        add(by_key[k1], by_key[k2], base)
    toks = {}
    for p in everyone:
        t = tokens(first_latin(p)["text"]) if first_latin(p) else []
        toks[p["id"]] = t[::-1] if p["key"] in surname_first else t
    similar = []
    for p1, p2 in itertools.combinations(everyone, 2):
        if p1["id"] not in new_ids and p2["id"] not in new_ids:
            continue  # pairs of earlier people belong to their own set
        if (p1["id"], p2["id"]) in done:
            continue
        base = shared_token_type(toks[p1["id"]], toks[p2["id"]])
        if base:
            add(p1, p2, base, MAX_PER_PERSON_PAIR)
        elif toks[p1["id"]] and toks[p2["id"]]:
            ratio = difflib.SequenceMatcher(None, " ".join(toks[p1["id"]]), " ".join(toks[p2["id"]])).ratio()
            if ratio >= SIMILAR_RATIO:
                similar.append((p1, p2))
    for p1, p2 in similar:
        add(p1, p2, "similar_spelling", MAX_PER_PERSON_PAIR)
    # random pairs: one form of each of two unrelated people, at least one new
    pool = [(p, f) for p in everyone for f in name_forms(p)]
    seen = {(r["a"], r["b"]) for r in rows}
    while len(rows) < n_target:
        (p1, f1), (p2, f2) = sorted(rng.sample(pool, 2), key=lambda pf: pf[0]["id"])
        if p1["id"] == p2["id"] or p2["id"] not in new_ids:
            continue  # same person, or two earlier people
        if (p1["id"], p2["id"]) in done or norm(f1["text"]) == norm(f2["text"]):
            continue  # a hard pair already, or the same string
        if (f1["text"], f2["text"]) in seen:
            continue
        seen.add((f1["text"], f2["text"]))
        rows.append(row(f1, f2, "0", "random", p1["id"], p2["id"]))
    return rows


def build_later_set(folder, letters, prefix, earlier_people, groups, surname_first):
    """A further held-out set from its collectors' part files (folder/parts/<letter>.jsonl, forms that
    are another name altogether flagged "alias" by the collector): folder/people.jsonl and
    folder/pairs.tsv, negatives drawn against the people of every earlier set too."""
    folder = Path(folder)
    new = merge_people(parts=[folder / "parts" / f"{x}.jsonl" for x in letters], same_person=[], aliases_by_key={},
                       prefix=prefix)
    earlier = [p for path in earlier_people for p in read_jsonl(path)]
    write_set(new, earlier, folder / "people.jsonl", folder / "pairs.tsv", groups, surname_first)


def write_set(new, earlier, people_path, pairs_path, groups, surname_first):
    """Check the new people against the earlier ones, write them and their labelled pairs, and say how many."""
    clash = sorted({p["key"] for p in new} & {p["key"] for p in earlier})
    assert not clash, f"already in an earlier set: {clash}"
    owner = {}
    for p in earlier + new:  # the same text under two people usually means one person twice
        for form in name_forms(p):
            other = owner.setdefault(norm(form["text"]), p["id"])
            if other != p["id"]:
                print(f"warning: {form['text']!r} is a form of both {other} and {p['id']}")
    with open(people_path, "w", encoding="utf-8") as handle:
        for p in new:
            handle.write(json.dumps(p, ensure_ascii=False) + "\n")
    pos = positives(new)
    neg = negatives(new, earlier, len(pos), groups, surname_first)
    with open(pairs_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(pos + neg)
    forms = sum(len(p["forms"]) for p in new)
    aliases = sum(bool(f.get("alias")) for p in new for f in p["forms"])
    hard = sum(r["neg_type"] != "random" for r in neg)
    print(f"{len(new)} people, {forms} forms ({aliases} alias); {len(pos)} positive, {len(neg)} negative pairs "
          f"({hard} hard)")


def main():
    write_set(merge_people(), read_jsonl(SHARED_PEOPLE), OUT_PEOPLE, OUT_PAIRS, GROUPS, SURNAME_FIRST)


if __name__ == "__main__":
    main()
