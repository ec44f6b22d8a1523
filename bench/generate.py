"""Realistic synthetic registries for the benchmark, as JSON Lines in the importer's schema.

    python -m bench.generate --persons 100000 --out bench/out/registry-100k.jsonl [--seed 2]

Everything here is invented: given names and fathers' names are drawn from lists of common
Kazakh, Uyghur, Kyrgyz and Hui names written below as data, and combined at random, so no row
describes a real person. Contacts use reserved example domains and +7 700 555 numbers.

One JSON Lines row is one testimony about one person (the importer's unit). An invented person
gets one to six testimonies, each from a different testifier, each giving the name in a somewhat
different set of scripts; until linking exists they become separate registry persons, so the
benchmark counts throughput in rows (= registry persons written). `--persons N` writes N rows.

Names in several scripts come from the simple letter tables below (Latin → Cyrillic, Latin →
Arabic script, Latin syllables → Chinese characters). They are test data that look like the
forms reports use, not the product's transliteration (that is the names capability's work).
Places are drawn from the gazetteer codes (counties and townships), facilities by their id in
the BuzzFeed News list (`BFN:<id>`), and some persons carry a resident ID number whose check
character is valid (testimonia.domain.prc_id.check_character). The output is a pure function
of (seed, persons): the same command writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Iterator

from testimonia.domain.prc_id import check_character

GAZETTEER = files("testimonia.gazetteer") / "data"

# --- name data (common names, combined at random; no real person) ----------------------------
# Latin spellings as Kazakh, Uyghur and Kyrgyz families and reports write them in Latin letters;
# `q`, `gh`, `ng`, `ö`, `ü`, `ä` mark the sounds the Cyrillic and Arabic tables treat specially.
GIVEN = {
    ("kazakh", "male"): "Nurlan Serik Erlan Bolat Dauren Asqar Qairat Marat Erzhan Berik Azamat Talghat Zhanibek "
                        "Aidos Baqytzhan Daulet Ermek Murat Nurbol Sultan Arman Qanat Ersin Dastan Bauyrzhan "
                        "Amanbek Qydyr Sagyndyq Tolqyn Zhaqsylyq Rysbek Omirzaq Qaisar Beibit Sabit Ualikhan",
    ("kazakh", "female"): "Aigerim Gulnar Saule Aizhan Dinara Zhanar Aliya Gulmira Asel Botagoz Madina Ainur "
                          "Raushan Quralai Gulzhan Aqmaral Saltanat Zhuldyz Nazira Ardaq Aqbota Gaukhar Meruert "
                          "Arzegul Sandugash Tolghanai Kulpash Anar Bibigul Zhazira",
    ("uyghur", "male"): "Abdurehim Mehmet Tursun Ablimit Erkin Ilham Memet Abduweli Nurmemet Qurban Perhat "
                        "Rozi Hasan Yasin Obul Tahir Ekber Abdukerim Alim Dilshat Ghulam Ismail Jume Kamil "
                        "Mamut Nijat Osman Parhat Rahman Sadir Tohti Yalqun Zordun Abla Eziz Imin",
    ("uyghur", "female"): "Gulnisa Mihrigul Patigul Aygul Zumret Rahile Nurnisa Ayshem Meryem Zulpiye Horigul "
                          "Gulbahar Mahire Nurgul Sanubar Tajigul Zohre Adile Buzeynep Dilnur Gulshen Hajigul "
                          "Mukerrem Nigare Paride Reyhan Shahide Zeynure Ezize Rabiye",
    ("kyrgyz", "male"): "Almaz Baqyt Nurbek Qanat Ulan Tilek Chyngyz Emil Mirlan Azat Bektur Qubanych Talant "
                        "Aibek Asylbek Bolot Duishon Ermek Jenish Kubat Maksat Nurlan Omurbek Sanjar Tynchtyq "
                        "Urmat Zhyrgal Ainura",
    ("kyrgyz", "female"): "Aizada Cholpon Gulzat Nazgul Aigul Elnura Jyldyz Qanykei Meerim Zhazgul Aida Asel "
                          "Begimai Burul Gulnara Kalipa Mairam Nurzhan Saikal Tolgonai Umut Zamira Ainura Dinara",
}
# Hui persons: a Chinese surname and given name, written in pinyin order (surname first).
HUI_SURNAMES = "Ma Hu Ha Na Yang Mu Ding Bai Sha Su Li Ma Ma Ma Ha Ma Na Lan Hai Ming".split()
HUI_GIVEN = {
    "male": "Jianguo Wenhua Xiaoming Yonghong Guoqiang Hai Jun Zhiqiang Dewen Fuxing Jianping Wei Gang Yusuf "
            "Chengzhi Guanghui Shengli Yongqing Zhenhua Baoshan".split(),
    "female": "Lan Ping Hong Mei Yan Fang Ling Xiuying Guilan Fatima Aiying Xiaohong Yufang Meiling Cuihua "
              "Shuzhen Jinhua Yuying Haixia Xiulan".split(),
}

# Chinese characters for the pinyin syllables above (names of Hui persons are written in them).
HANZI_SYLLABLES = {
    "ma": "马", "hu": "胡", "ha": "哈", "na": "纳", "yang": "杨", "mu": "穆", "ding": "丁", "bai": "白", "sha": "沙",
    "su": "苏", "li": "李", "lan": "兰", "hai": "海", "ming": "明", "jian": "建", "guo": "国", "wen": "文",
    "hua": "华", "xiao": "小", "yong": "永", "hong": "红", "qiang": "强", "jun": "军", "zhi": "志", "de": "德",
    "fu": "福", "xing": "兴", "ping": "平", "wei": "伟", "gang": "刚", "yu": "玉", "suf": "素福", "cheng": "成",
    "guang": "光", "hui": "辉", "sheng": "胜", "qing": "清", "zhen": "振", "bao": "宝", "shan": "山", "mei": "梅",
    "yan": "燕", "fang": "芳", "ling": "玲", "xiu": "秀", "ying": "英", "gui": "桂", "fa": "法", "ti": "蒂",
    "ai": "爱", "ya": "娅", "cui": "翠", "shu": "淑", "jin": "金", "xia": "霞",
}
# Turkic names in Chinese characters: onset → the characters for onset+a, e, i, o, u; a consonant
# standing alone (before another consonant or at the end) has its own character.
HANZI_ONSET = {
    "": "阿艾伊奥乌", "b": "巴别比波布", "d": "达德迪多杜", "g": "尕格吉戈古", "gh": "尕格吉戈古",
    "h": "哈赫希霍胡", "j": "加杰吉久朱", "zh": "加热吉卓朱", "k": "卡克基科库", "q": "卡克克阔库",
    "l": "拉勒丽洛鲁", "m": "玛麦米莫穆", "n": "纳乃尼诺努", "p": "帕佩皮波普", "r": "热热日若如",
    "s": "萨赛斯索苏", "sh": "沙谢希肖舒", "ch": "恰切其乔丘", "t": "塔铁提托图", "y": "亚叶伊约玉",
    "z": "扎泽孜佐祖", "w": "瓦维维沃乌", "x": "夏谢希肖许", "f": "法菲菲佛富", "kh": "哈赫希霍胡",
    "ng": "纳乃尼诺努", "v": "瓦维维沃乌",
}
HANZI_CODA = {"n": "恩", "r": "尔", "l": "勒", "m": "木", "t": "特", "k": "克", "q": "克", "s": "斯",
              "b": "布", "d": "德", "g": "格", "gh": "格", "h": "赫", "z": "孜", "sh": "什", "ch": "奇",
              "zh": "日", "j": "吉", "p": "普", "y": "依", "ng": "恩", "kh": "赫", "w": "乌", "f": "夫",
              "x": "希", "v": "夫"}
_VOWELS = "aeiouöüä"
_VOWEL_INDEX = {"a": 0, "ä": 1, "e": 1, "i": 2, "o": 3, "ö": 3, "u": 4, "ü": 4}
_DIGRAPHS = ("sh", "ch", "zh", "gh", "ng", "kh")

# Latin → Cyrillic (Kazakh letters for q, gh, ng, ö, ü, ä; Russian forms fold them away).
CYRILLIC = {"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "zh": "ж", "z": "з", "i": "и", "y": "ы",
            "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у",
            "f": "ф", "kh": "х", "h": "х", "ts": "ц", "ch": "ч", "sh": "ш", "j": "ж", "w": "у", "x": "х",
            "q": "қ", "gh": "ғ", "ng": "ң", "ö": "ө", "ü": "ү", "ä": "ә"}
CYRILLIC_RU = {"q": "к", "gh": "г", "ng": "нг", "ö": "е", "ü": "ю", "ä": "а", "j": "дж"}
# Latin → Arabic script (Uyghur alphabet); a word-initial vowel is written after a hamza seat.
ARABIC = {"a": "ا", "e": "ە", "i": "ى", "o": "و", "u": "ۇ", "ö": "ۆ", "ü": "ۈ", "ä": "ە", "b": "ب", "p": "پ",
          "t": "ت", "j": "ج", "ch": "چ", "x": "خ", "kh": "خ", "d": "د", "r": "ر", "z": "ز", "zh": "ژ", "s": "س",
          "sh": "ش", "gh": "غ", "f": "ف", "q": "ق", "k": "ك", "g": "گ", "ng": "ڭ", "l": "ل", "m": "م", "n": "ن",
          "h": "ھ", "w": "ۋ", "v": "ۋ", "y": "ي"}

OCCUPATIONS = ("farmer herder teacher imam driver trader doctor student accountant retired businessman writer "
               "engineer nurse shopkeeper cook tailor veterinarian journalist mechanic").split()
RELATIONS = ("spouse", "child", "sibling", "parent", "relative", "relative", "child", "sibling")
MEDIA = ("video", "in_person", "phone", "written")
CONSENTS = ("named",) * 6 + ("anonymized",) * 6 + ("internal",) * 7 + ("withdrawn",)
DETENTION_REASONS = ("travel abroad", "relatives abroad", "WhatsApp on the phone", "praying", "unknown",
                     "Kazakhstan passport", "studied abroad")
HEALTH = ("diabetes", "high blood pressure", "heart disease", "poor eyesight", "back injury")
# How a story goes: (event type, may carry a facility). Several stories, chosen at random.
STORIES = (
    (("summoned", False), ("detained", True), ("sent_to_camp", True)),
    (("detained", True), ("sent_to_camp", True), ("released", False)),
    (("passport_confiscated", False), ("detained", True), ("sentenced", False), ("imprisoned", True)),
    (("returned_to_china", False), ("passport_confiscated", False), ("house_arrest", False)),
    (("interrogated", False), ("sent_to_camp", True), ("transferred", True), ("forced_labor", False)),
    (("detained", True), ("disappeared", False)),
    (("sent_to_camp", True), ("released", False), ("exit_ban", False)),
    (("sent_to_camp", True), ("died", False)),
    (("surveillance", False), ("detained", True)),
)


# --- letter tables applied ---------------------------------------------------------------------
def _letters(word: str) -> list[str]:
    """A Latin word as units: digraphs (sh, ch, zh, gh, ng, kh) count as one letter."""
    word, out, i = word.lower(), [], 0
    while i < len(word):
        if word[i:i + 2] in _DIGRAPHS and not (word[i:i + 2] == "ng" and i + 2 < len(word) and word[i + 2] in _VOWELS):
            out.append(word[i:i + 2])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def _y_as_vowel(units: list[str]) -> list[str]:
    """`y` between consonants (or after one at the end) is the vowel ы/ى, written `i` for the tables."""
    out = list(units)
    for j, u in enumerate(units):
        if u == "y" and j > 0 and units[j - 1] not in _VOWELS and (j + 1 == len(units) or units[j + 1] not in _VOWELS):
            out[j] = "i"
    return out


def to_cyrillic(latin: str, kazakh: bool) -> str:
    words = []
    for word in latin.split():
        units = _letters(word)
        out = []
        for j, u in enumerate(units):
            if u == "y" and (j + 1 < len(units) and units[j + 1] in _VOWELS):
                nxt = units[j + 1]
                out.append({"a": "я", "u": "ю", "e": "е", "o": "ё"}.get(nxt, "й"))
                if nxt in "aueo":
                    units[j + 1] = ""
                continue
            if u == "y" and j > 0 and units[j - 1] in _VOWELS:
                out.append("й")
                continue
            table = CYRILLIC if kazakh else {**CYRILLIC, **CYRILLIC_RU}
            out.append(table.get(u, u) if u else "")
        text = "".join(out)
        words.append(text[:1].upper() + text[1:])
    return " ".join(words)


def to_arabic(latin: str) -> str:
    words = []
    for word in latin.split():
        units = _y_as_vowel(_letters(word))
        text = "".join(ARABIC.get(u, "") for u in units)
        if units and units[0] in _VOWELS:
            text = "ئ" + text
        words.append(text)
    return " ".join(words)


def to_hanzi(latin: str) -> str:
    """Turkic names in Chinese characters, with the middle dot Chinese uses between name parts."""
    words = []
    for word in latin.split():
        units = _y_as_vowel(_letters(word))
        out, i = [], 0
        while i < len(units):
            u = units[i]
            if u in _VOWELS:
                out.append(HANZI_ONSET[""][_VOWEL_INDEX[u]])
                i += 1
            elif i + 1 < len(units) and units[i + 1] in _VOWELS:
                out.append(HANZI_ONSET.get(u, HANZI_ONSET["h"])[_VOWEL_INDEX[units[i + 1]]])
                i += 2
            else:
                out.append(HANZI_CODA.get(u, ""))
                i += 1
        words.append("".join(out))
    return "·".join(words)


def pinyin_to_hanzi(pinyin: str) -> str:
    """A Hui name written in pinyin (surname first) in Chinese characters, syllable by syllable."""
    out = []
    for word in pinyin.lower().split():
        i = 0
        while i < len(word):
            for size in (5, 4, 3, 2, 1):
                if word[i:i + size] in HANZI_SYLLABLES:
                    out.append(HANZI_SYLLABLES[word[i:i + size]])
                    i += size
                    break
            else:
                i += 1
    return "".join(out)


# --- reference data ------------------------------------------------------------------------------
@dataclass
class Reference:
    counties: list[str]
    townships: list[str]
    township_county: dict[str, str]
    facilities: list[str]  # BFN ids


def load_reference() -> Reference:
    with (GAZETTEER / "xinjiang_counties.csv").open(encoding="utf-8", newline="") as handle:
        counties = [row["code"] for row in csv.DictReader(handle)]
    with (GAZETTEER / "xinjiang_townships.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    townships = [row["code"] for row in rows]
    with (GAZETTEER / "xinjiang_facilities_bfn_2021.tsv").open(encoding="utf-8", newline="") as handle:
        facilities = [row["id"].strip() for row in csv.DictReader(handle, delimiter="\t") if row["id"].strip()]
    return Reference(counties, townships, {row["code"]: row["areaCode"] for row in rows}, facilities)


# --- invented persons ----------------------------------------------------------------------------
@dataclass
class Invented:
    ethnicity: str
    sex: str
    latin: str  # the full name in Latin letters
    parts: tuple[str, str]  # (given, father's name) — or (surname, given) for Hui persons
    birth: dt.date
    hometown: str  # county or township code
    county: str
    occupation: str
    resident_id: str | None
    citizenships: list[str]
    story: tuple
    facility: list[str] = field(default_factory=list)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _edtf(rng: random.Random, day: dt.date) -> str:
    """An EDTF date of varied precision and certainty around a day."""
    kind = rng.random()
    if kind < 0.35:
        return day.isoformat()
    if kind < 0.70:
        return f"{day.year}-{day.month:02d}"
    if kind < 0.80:
        return f"{day.year}"
    if kind < 0.90:
        return f"{day.year}~"
    if kind < 0.95:
        return f"{day.year}-{day.month:02d}?"
    return f"{day.year}/{day.year + 1}"


def invent_person(rng: random.Random, ref: Reference) -> Invented:
    ethnicity = rng.choices(("kazakh", "uyghur", "kyrgyz", "hui"), weights=(45, 35, 10, 10))[0]
    sex = "male" if rng.random() < 0.62 else "female"
    if ethnicity == "hui":
        surname, given = rng.choice(HUI_SURNAMES), rng.choice(HUI_GIVEN[sex])
        parts, latin = (surname, given), f"{surname} {given}"
    else:
        given = rng.choice(GIVEN[(ethnicity, sex)].split())
        father = rng.choice(GIVEN[(ethnicity, "male")].split())
        parts, latin = (given, father), f"{given} {father}"
    birth = _day(rng, dt.date(1938, 1, 1), dt.date(2001, 12, 31))
    if rng.random() < 0.3:
        hometown = rng.choice(ref.townships)
        county = ref.township_county[hometown]
    else:
        hometown = county = rng.choice(ref.counties)
    resident_id = None
    if rng.random() < 0.3:
        serial = rng.randrange(0, 500) * 2 + (1 if sex == "male" else 0)  # odd for men, even for women
        first17 = f"{county}{birth:%Y%m%d}{serial:03d}"
        resident_id = first17 + check_character(first17)
    citizenships = ["CN"] + (["KZ"] if ethnicity == "kazakh" and rng.random() < 0.25 else [])
    story = rng.choice(STORIES)
    facility = [rng.choice(ref.facilities) for _ in range(3)]
    return Invented(ethnicity, sex, latin, parts, birth, hometown, county, rng.choice(OCCUPATIONS), resident_id,
                    citizenships, story, facility)


def _name_forms(rng: random.Random, p: Invented) -> list[dict]:
    """The forms one testifier gives: the Latin full name and a random choice of other scripts."""
    forms = [{"text": p.latin, "script": "Latn", "part": "full"}]
    kazakh_like = p.ethnicity in ("kazakh", "kyrgyz")
    if p.ethnicity == "hui":
        forms.append({"text": pinyin_to_hanzi(p.latin), "script": "Hani", "language": "zh", "part": "full"})
    elif rng.random() < 0.55:
        forms.append({"text": to_hanzi(p.latin), "script": "Hani", "language": "zh", "part": "full"})
    if p.ethnicity != "hui" and rng.random() < (0.7 if kazakh_like else 0.25):
        kk = p.ethnicity == "kazakh"
        forms.append({"text": to_cyrillic(p.latin, kk), "script": "Cyrl", "language": "kk" if kk else
                      ("ky" if p.ethnicity == "kyrgyz" else "ru"), "part": "full"})
    if p.ethnicity == "uyghur" and rng.random() < 0.7 or p.ethnicity == "kazakh" and rng.random() < 0.15:
        forms.append({"text": to_arabic(p.latin), "script": "Arab", "language": "ug" if p.ethnicity == "uyghur"
                      else "kk-Arab", "part": "full"})
    if rng.random() < 0.2:  # the given name on its own, as family members often give it
        given = p.parts[1] if p.ethnicity == "hui" else p.parts[0]
        forms.append({"text": given, "script": "Latn", "part": "given"})
    return forms


def _testifier(rng: random.Random, p: Invented) -> tuple[str, str]:
    eth = p.ethnicity if p.ethnicity != "hui" else rng.choice(("kazakh", "uyghur"))
    sex = rng.choice(("male", "female"))
    given = rng.choice(GIVEN[(eth, sex)].split())
    father = rng.choice(GIVEN[(eth, "male")].split())
    return f"{given} {father}", given.lower()


def _contacts(rng: random.Random, handle: str) -> str:
    phone = f"+7 70{rng.randrange(0, 8)} 555 {rng.randrange(0, 100):02d} {rng.randrange(0, 100):02d}"
    if rng.random() < 0.5:
        return f"{phone}; {handle}{rng.randrange(1, 999)}@example.org"
    return phone


def _events(rng: random.Random, p: Invented, ref: Reference) -> list[dict]:
    day = _day(rng, dt.date(2016, 6, 1), dt.date(2019, 6, 30))
    out = []
    steps = p.story if rng.random() < 0.7 else p.story[: rng.randrange(1, len(p.story) + 1)]
    for order, (kind, has_facility) in enumerate(steps):  # the list order is the source order
        event: dict = {"type": kind, "date": _edtf(rng, day)}
        if rng.random() < 0.25:
            del event["date"]  # undated: placed after the earlier events of its source
        if kind in ("emigrated",):
            event["place"] = "KZ"
        elif rng.random() < 0.8:
            event["place"] = p.county if rng.random() < 0.7 else p.hometown
        if has_facility and rng.random() < 0.6:
            event["facility"] = "BFN:" + p.facility[min(order, 2)]
        out.append(event)
        day = min(day + dt.timedelta(days=rng.randrange(20, 400)), dt.date(2023, 12, 31))
    return out


def _summary(rng: random.Random, p: Invented, events: list[dict]) -> str:
    first = events[0]
    when = first.get("date", "an unknown date")
    given = p.parts[1] if p.ethnicity == "hui" else p.parts[0]
    tail = rng.choice(("The family has had no contact since.", "Relatives abroad learned of it by phone.",
                       "Neighbours saw the police take him away." if p.sex == "male" else
                       "Neighbours saw the police take her away.", "No official notice was given to the family."))
    return f"{given} ({p.occupation}) — {first['type'].replace('_', ' ')} in {when}. {tail}"


def testimony_row(rng: random.Random, p: Invented, ref: Reference) -> dict:
    """One import row: one testimony about one person (schema: docs/import-export.md)."""
    testifier, handle = _testifier(rng, p)
    events = _events(rng, p, ref)
    recorded = _day(rng, dt.date(2018, 1, 1), dt.date(2024, 12, 31)).isoformat()
    person: dict = {"names": _name_forms(rng, p), "sex": p.sex, "ethnicity": p.ethnicity,
                    "hometown": p.hometown if rng.random() < 0.9 else None}
    if rng.random() < 0.5:
        person["birth_date"] = p.birth.isoformat() if rng.random() < 0.5 else str(p.birth.year)
    else:
        at = dt.date.fromisoformat(recorded)
        person["age"] = at.year - p.birth.year - ((at.month, at.day) < (p.birth.month, p.birth.day))
        person["age_at"] = recorded
    if rng.random() < 0.8:
        person["occupation"] = p.occupation
    if p.resident_id and rng.random() < 0.8:
        person["resident_id"] = p.resident_id
    person["citizenships"] = p.citizenships
    if rng.random() < 0.1:
        person["health"] = rng.choice(HEALTH)
    return {
        "person": {k: v for k, v in person.items() if v is not None},
        "testifier": {"name": testifier, "relation": rng.choice(RELATIONS), "contacts": _contacts(rng, handle),
                      "consent": rng.choice(CONSENTS)},
        "testimony": {"medium": rng.choice(MEDIA), "date": recorded, "summary": _summary(rng, p, events),
                      **({"detention_reason": rng.choice(DETENTION_REASONS)} if rng.random() < 0.3 else {})},
        "source": {"kind": "testimony", "date": recorded,
                   "language": rng.choice(("kk", "ug", "ru", "en", "ky", "zh"))},
        "events": events,
    }


def generate(rows: int, seed: int = 1) -> Iterator[dict]:
    """`rows` import rows: invented persons with one to six testimonies each, the last one cut short."""
    rng = random.Random(seed)
    ref = load_reference()
    written = 0
    while written < rows:
        person = invent_person(rng, ref)
        count = rng.choices((1, 2, 3, 4, 5, 6), weights=(40, 25, 15, 10, 6, 4))[0]
        for _ in range(min(count, rows - written)):
            yield testimony_row(rng, person, ref)
            written += 1


def write(path: Path, rows: int, seed: int = 1) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for row in generate(rows, seed):
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1000, help="rows to write (one testimony about one person each)")
    parser.add_argument("--out", type=Path, required=True, help="the JSON Lines file to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    write(args.out, args.persons, args.seed)
    print(f"wrote {args.persons:,} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
