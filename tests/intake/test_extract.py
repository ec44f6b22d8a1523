"""The extractor on the project's press release, on small invented texts, and on the annotated examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.intake.score import Report, grade
from testimonia.intake.extract import Extractor, for_parser
from testimonia.intake.mentions import names_before_aliases

ROOT = Path(__file__).resolve().parents[2]
PRESS_RELEASE = ROOT.parent / "shared/data/intake/dev/01_embassy_meeting.txt"
EXAMPLES = ROOT / "bench/intake/examples"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _person(draft: dict, name_or_mention: str) -> dict:
    return next(p for p in draft["persons"] if p["name"] == name_or_mention or name_or_mention in p["mentions"])


def _by_id(draft: dict, pid: str) -> dict:
    return next(p for p in draft["persons"] if p["id"] == pid)


def test_press_release(extractor):
    text = PRESS_RELEASE.read_text(encoding="utf-8")
    draft = extractor.draft(text)
    assert draft["document"] == {"date": "2018-05-06", "language": "en"}
    named = {p["name"] for p in draft["persons"] if p["name"]}
    assert named == {"Junisbay Nasilbek", "Arzegul Halambek", "Sara Jengisnek", "Saierkejian Bilaixi"}

    wife = _person(draft, "Arzegul Halambek")
    assert (wife["role"], wife["status"]) == ("detained", "house_arrest")
    assert {e["type"] for e in wife["events"]} >= {"house_arrest", "passport_confiscated", "interrogated"}
    arrest = next(e for e in wife["events"] if e["type"] == "house_arrest")
    assert (arrest["date"], arrest["date_text"], arrest["place"]) == (
        "2018-01", "In January 2018", {"text": "Nilka County", "code": "654028"})
    assert "she was placed under house arrest" in text[arrest["span"][0]:arrest["span"][1]]
    husband_of_wife = _person(draft, "Junisbay Nasilbek")
    assert {"type": "spouse", "to": husband_of_wife["id"]} in wife["relations"]
    assert husband_of_wife["age"] == {"years": 66, "at": "2018-05-06"}
    assert husband_of_wife["role"] == "relative" and husband_of_wife["status"] is None

    sara = _person(draft, "Sara Jengisnek")
    unnamed = _person(draft, "her husband")
    assert unnamed["name"] is None and "my husband" in unnamed["mentions"]
    assert (unnamed["role"], unnamed["status"]) == ("detained", "camp")
    camp = next(e for e in unnamed["events"] if e["type"] == "sent_to_camp")
    assert camp["facility"] == "political training center" and camp["date"] == "2017"
    assert {"type": "spouse", "to": sara["id"]} in unnamed["relations"]
    son = _person(draft, "My son")
    assert {"type": "parent", "to": sara["id"]} in son["relations"]  # Sara is the son's parent
    assert {"type": "child", "to": son["id"]} in sara["relations"]

    assert _person(draft, "Saierkejian Bilaixi")["role"] == "advocate"
    assert "Atajolt Youth Volunteer Organization" in draft["organizations"]
    for person in draft["persons"]:  # every span is the text of a mention
        for start, end in person["spans"]:
            assert text[start:end] in person["mentions"]
        assert 0 < person["confidence"] <= 1


def test_unnamed_relative_group_and_surveillance(extractor):
    draft = extractor.draft(
        "Almaty, 3 March 2020. Gulnar Serikova said her brother was detained in Kashgar in January 2019 and "
        "sent to a vocational education and training center. Their five children live with her. "
        "Police installed a camera above the door of her neighbour, Aidos Kenzhe, every week they come.")
    brother = _person(draft, "her brother")
    gulnar = _person(draft, "Gulnar Serikova")
    assert brother["name"] is None and brother["role"] == "detained" and brother["status"] == "camp"
    assert {"type": "sibling", "to": gulnar["id"]} in brother["relations"]
    detained = next(e for e in brother["events"] if e["type"] == "detained")
    assert detained["date"] == "2019-01" and detained["place"]["code"] == "653101"
    assert not any("children" in m for p in draft["persons"] for m in p["mentions"])  # a group is no person
    aidos = _person(draft, "Aidos Kenzhe")
    assert aidos["role"] != "detained" and aidos["status"] is None


def test_places_side_by_side_and_kinds(extractor):
    draft = extractor.draft(
        "Bishkek, 1 June 2021. Nurlan Abdyrakhman was detained in Ghulja (伊宁) on May 3. "
        "His wife, Ainura Tashieva, was detained in Yining County on May 4.")
    nurlan, ainura = _person(draft, "Nurlan Abdyrakhman"), _person(draft, "Ainura Tashieva")
    assert next(e for e in nurlan["events"] if e["type"] == "detained")["place"]["code"] == "654002"  # the city
    assert next(e for e in ainura["events"] if e["type"] == "detained")["place"]["code"] == "654021"  # the county
    assert next(e for e in nurlan["events"] if e["type"] == "detained")["date"] == "2021-05-03"


def test_dates_left_unresolved_keep_their_phrase(extractor):
    draft = extractor.draft("Recently Dana Bekova was summoned by the police.")  # no document date
    event = next(e for e in _person(draft, "Dana Bekova")["events"] if e["type"] == "summoned")
    assert event["date"] is None and event["date_text"] == "Recently"


def test_offsets_survive_the_parser_text():
    text = "Junisbay speaks\nabout his wife.\n\nFrom: Ainur\nDate: 1 May 2019\n"
    assert len(for_parser(text)) == len(text)
    assert "speaks about" in for_parser(text) and "Ainur\nDate" in for_parser(text)


_WORDS = st.sampled_from(["Aigerim", "Nurlan", "Tursyn", "was", "detained", "her", "husband", "in", "Ghulja",
                          "said", "my", "son", ",", ".", "the", "camp", "Kazakhstan", "on", "May", "3", "2018"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_WORDS, min_size=1, max_size=40))
def test_never_invents_a_name(extractor, words):
    text = " ".join(words)
    draft = extractor.draft(text)
    for person in draft["persons"]:
        assert person["name"] is None or person["name"] in text
        for start, end in person["spans"]:
            assert text[start:end] in person["mentions"]


def _graded(folder: Path, extractor: Extractor) -> Report:
    report = Report()
    for txt in sorted(folder.glob("*.txt")):
        text = txt.read_text(encoding="utf-8")
        grade(extractor.draft(text), json.loads(txt.with_suffix(".json").read_text(encoding="utf-8")), text, report)
    return report


def test_no_invented_names_on_any_example(extractor):
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        assert _graded(folder, extractor).invented == []


# Measured on the dev set (259 reports, a dozen annotators' conventions; held-out sets join it after their
# one blind score) in the twenty-fifth session, less 0.01: a change that loses ground on the reports the rules
# were written against fails here. The goals are measured on unseen reports by bench/intake_bench.py
# (docs/benchmarks.md), not asserted.
DEV_FLOORS = {"named-person F1": 0.93, "detained-person recall": 0.86, "role accuracy": 0.87, "status accuracy": 0.65,
              "relation recall": 0.71, "place resolution": 0.70, "date accuracy": 0.81}


def test_dev_set_keeps_what_the_rules_reach_there(extractor):
    goals = _graded(EXAMPLES / "dev", extractor).goals()
    assert {m: round(v, 3) for m, v in goals.items() if v < DEV_FLOORS[m]} == {}


def test_siblings_named_together_and_their_sister(extractor):
    draft = extractor.draft(
        "Almaty, 15 January 2019. Daniyar and Talgat Orazbek, brothers, from Toli County. Both men were detained "
        "on 3 March 2018. Reported by their sister, Gulmira Orazbekova, in Zharkent.")
    daniyar, talgat, gulmira = (_person(draft, n) for n in ("Daniyar", "Talgat Orazbek", "Gulmira Orazbekova"))
    assert {"type": "sibling", "to": talgat["id"]} in daniyar["relations"]
    assert {"type": "sibling", "to": daniyar["id"]} in gulmira["relations"]
    assert {"type": "sibling", "to": talgat["id"]} in gulmira["relations"]
    assert {"text": "Zharkent", "code": "KZ-33-zharkent"} in gulmira["places"]
    assert gulmira["role"] == "relative"


@pytest.mark.parametrize(("text", "relations"), [
    # what stated kinship implies: a sibling's parent is one's own, a parent's spouse is a parent
    ("Almaty, 3 March 2020. Gulnara Seitkali says her brother, Nurlan Seitkali, was detained in 2018. Her father, "
     "Seitkali Omarov, was sent to a camp in 2017. His wife, Aizada Temir, lives in Almaty.",
     [("Nurlan Seitkali", "parent", "Seitkali Omarov"), ("Nurlan Seitkali", "parent", "Aizada Temir"),
      ("Aizada Temir", "child", "Nurlan Seitkali")]),
    # "We, A and her brother B" own the letter's "our"; the two parents of a child are spouses
    ("Munich, 8 March 2023. Our father, Akmal Yusupov, is 63 years old. Our mother, Zulfiya Yusupova, has not been "
     "detained. We, Dilnoza Yusupova and her brother Sherzod Yusupov, have lived in Germany since 2016.",
     [("Dilnoza Yusupova", "parent", "Akmal Yusupov"), ("Dilnoza Yusupova", "parent", "Zulfiya Yusupova"),
      ("Akmal Yusupov", "spouse", "Zulfiya Yusupova")]),
])
def test_kinship_a_reader_takes_from_the_text(extractor, text, relations):
    draft = extractor.draft(text)
    found = {(a, r["type"], b) for a, *_, b in relations for r in _person(draft, a)["relations"]
             if r["to"] == _person(draft, b)["id"]}
    assert found >= set(relations)


def test_kinship_told_with_of(extractor):
    draft = extractor.draft(
        "Shelek, 16 November 2020. I, Dilnaz Qadir, submit this complaint. I am the elder sister of Meryem Qadir. "
        "My sister was sent to a camp in Korla in March 2018.")
    dilnaz, meryem = _person(draft, "Dilnaz Qadir"), _person(draft, "Meryem Qadir")
    assert {"type": "sibling", "to": meryem["id"]} in dilnaz["relations"]
    assert "My sister" in meryem["mentions"]  # the same person, not a second sister
    assert meryem["status"] == "camp"


@pytest.mark.parametrize(("text", "roles"), [
    ("Almaty, 5 May 2019. An official at the Tekes County propaganda office who gave only his surname, Zhao, "
     "said Erbol Tanat had completed his studies. A man at the county police bureau who gave his name as "
     "Wang Lei said he could not comment.\n\nPresiding judge: Ma Jun\n",
     {"Zhao": "official", "Wang Lei": "official", "Ma Jun": "official"}),
    ("Bishkek, 4 May 2021. Yusup Daurov, who heads a Dungan rights group in Bishkek, said the group knew of "
     "thirty families. Buhelchem Rozi, 67, is the mother of our member Nadire Kasim. Buhelchem Rozi was taken "
     "to a camp in 2018.\n\nTo: Katharina Berg, Member of the German Bundestag\n",
     {"Yusup Daurov": "advocate", "Nadire Kasim": "relative", "Katharina Berg": "official"}),
])
def test_roles_from_the_words_that_introduce_a_person(extractor, text, roles):
    """Officials who give their name, a presiding judge, the head of a rights group, a member of a
    parliament, and a member of a group who is a detainee's daughter (a relative)."""
    draft = extractor.draft(text)
    assert {name: _person(draft, name)["role"] for name in roles} == roles


@pytest.mark.parametrize(("text", "name", "in_custody"), [
    ("Zharkent, 2 June 2019. There was also an old imam, Tolegen Asan, who had a weak heart. One day he fell in the "
     "corridor and died there. The guards carried his body away.", "Tolegen Asan", True),
    ("Shelek, 20 August 2019. His father, Kairat Omar, died in October 2017, and his son travelled to Ghulja for the "
     "funeral. Chinese border guards at the Khorgos crossing took his passport.", "Kairat Omar", False),
    ("Aksu, 3 May 2022. Gulnar Qasimova was held in a camp. Her father, Rinat Qasimov, died of a stroke at home in "
     "Aksu in 2021 while she was in the camp.",
     "Rinat Qasimov", False),
])
def test_a_death_in_custody_is_told_by_custody_beside_it(extractor, text, name, in_custody):
    person = _person(extractor.draft(text), name)
    assert (person["role"] == "detained", person["status"] == "died") == (in_custody, in_custody)


def test_times_counted_from_the_time_before(extractor):
    draft = extractor.draft(
        "Oskemen, 5 May 2020.\n\nTwo years ago, Serik Aidar travelled to Altay. On 10 May 2017 he arrived in Altay "
        "City. Two weeks later he was summoned to the police station. That night they took his passport. After "
        "40 days he was sent to a camp.")
    serik = _person(draft, "Serik Aidar")
    dates = {e["type"]: e["date"] for e in serik["events"]}
    assert dates["summoned"] == "2017-05-24"
    assert dates["passport_confiscated"] == "2017-05-24"
    assert dates["sent_to_camp"] == "2017-07-03"


def test_names_in_capitals_in_a_case_list(extractor):
    text = ("ILE VALLEY WATCH\nCase Bulletin No. 3 - 15 October 2019\n\n"
            "1. ASKAR TOLEUBAI (m, 44), Nilka County.\nDetained in November 2017 and held in a camp in Nilka County.\n")
    draft = extractor.draft(text)
    askar = _person(draft, "ASKAR TOLEUBAI")  # found, and written as the text writes it
    assert text[askar["spans"][0][0]:askar["spans"][0][1]] == "ASKAR TOLEUBAI"
    assert askar["role"] == "detained"
    assert not any(p["name"] and "VALLEY" in p["name"].upper() for p in draft["persons"])


def test_kinship_named_by_a_copula_and_a_passive_taking(extractor):
    draft = extractor.draft(
        "Munich, 4 March 2021. My name is Ekber Tursun. My father is Yasin Abdukerim. In 2017 he was taken to a "
        "camp outside Hotan. My mother was taken in the same month. Her passport was taken by the township office.")
    father, narrator = _person(draft, "Yasin Abdukerim"), _person(draft, "Ekber Tursun")
    assert {"type": "parent", "to": father["id"]} in narrator["relations"] and father["status"] == "camp"
    mother = _person(draft, "My mother")
    assert mother["role"] == "detained" and [e["type"] for e in mother["events"]].count("detained") == 1


def test_not_heard_from_is_a_disappearance_and_hearing_from_is_not(extractor):
    draft = extractor.draft(
        "Almaty, 2 May 2019. Munire Tursun, a teacher, has not been heard from since February 2018. "
        "Her cousin, Aliya Sabit, heard from a neighbour that the school had closed.")
    munire, aliya = _person(draft, "Munire Tursun"), _person(draft, "Aliya Sabit")
    assert munire["status"] == "disappeared"
    assert [e["date"] for e in munire["events"] if e["type"] == "disappeared"] == ["2018-02"]
    assert aliya["role"] != "detained"


def test_a_home_one_may_not_leave_is_house_arrest_and_a_country_an_exit_ban(extractor):
    draft = extractor.draft(
        "Ghulja, 3 May 2020. Gulnar Tursun was sent to a camp in 2018 and released in March 2019. Since then she "
        "has been confined to her home in Ghulja. Her son, Erkin Abdulla, was released in March and may not leave China.")
    assert _person(draft, "Gulnar Tursun")["status"] == "house_arrest"
    assert _person(draft, "Erkin Abdulla")["status"] == "documents_confiscated"


def test_wives_named_by_a_relative_clause_or_after_an_age_and_an_interviewee_narrates(extractor):
    draft = extractor.draft(
        "Kashgar, 9 June 2020. Abdurehim Tursun, a teacher, was sentenced to 15 years. Ayshem Nurmemet, who is "
        "Tursun's wife, must report to the neighbourhood committee every week. Tursunjan Hashim died in prison. "
        "Patigul Rozi, 72, Hashim's wife of fifty years, was held in a camp for a year.")
    assert {"type": "spouse", "to": _person(draft, "Abdurehim Tursun")["id"]} in _person(draft, "Ayshem Nurmemet")["relations"]
    assert {"type": "spouse", "to": _person(draft, "Tursunjan Hashim")["id"]} in _person(draft, "Patigul Rozi")["relations"]
    interview = extractor.draft(
        "Transcript of interview, recorded in Bishkek on 11 November 2021\nInterviewer: Aida Sultanova\n"
        "Interviewee: Almazbek Toktosunov, ethnic Kyrgyz\n\nQ: And your family? A: My older brother is still there.")
    narrator, brother = _person(interview, "Almazbek Toktosunov"), _person(interview, "My older brother")
    assert {"type": "sibling", "to": brother["id"]} in narrator["relations"]


def test_homes_shared_told_by_a_relative_clause_and_owned(extractor):
    draft = extractor.draft(
        "Almaty, 2 March 2021. My name is Dana Omar. My younger brother lives in Burqin County with his wife, "
        "Gulzhan Kasymkyzy. "
        "Tursunjan Hashim was sent to a camp, according to his son, Ilyar Tursunjan, who lives in Zharkent. "
        "Every evening Gulnara Abenova sets her phone on the table of her small house in Shymkent.")
    assert {"text": "Burqin County", "code": "654321"} in _person(draft, "Gulzhan Kasymkyzy")["places"]
    assert "KZ-33-zharkent" in {p["code"] for p in _person(draft, "Ilyar Tursunjan")["places"]}
    assert "KZ-79" in {p["code"] for p in _person(draft, "Gulnara Abenova")["places"]}


def test_a_case_list_entry_opens_with_the_name_in_capitals(extractor):
    draft = extractor.draft(
        "CASE BULLETIN No. 7 — 10 February 2021\n\n"
        "1. GULZADA TOKTOGUL KYZY (Gulzada Toktogulova), 34, from Akqi county.\nHeld in a camp from March 2018.\n\n"
        "2. RETIRED TEACHER (m, 71), Emin County.\nHeld in a camp since 2019.\n")
    gulzada = _person(draft, "GULZADA TOKTOGUL KYZY")
    assert gulzada["role"] == "detained"
    assert not any(p["name"] and "TEACHER" in p["name"] for p in draft["persons"])


def test_dates_of_stays_and_of_clauses_told_later(extractor):
    draft = extractor.draft(
        "Almaty, 2 March 2021. In February 2018 Erbol Kasymkhan travelled to Tacheng to sell the family's house. "
        "Border police took his passport on arrival, and in May of that year he was sent to a camp in Emin county. "
        "Nurlan Seitov was detained in June 2017. He was held in a camp until early 2019.")
    erbol = {e["type"]: e["date"] for e in _person(draft, "Kasymkhan")["events"]}  # the NER takes the surname alone
    assert erbol["passport_confiscated"] == "2018-02" and erbol["sent_to_camp"] == "2018-05"
    nurlan = {e["type"]: e["date"] for e in _person(draft, "Nurlan Seitov")["events"]}
    assert nurlan.get("sent_to_camp") in ("2017-06", None)  # never the day the stay ended


def test_field_lines_of_several_case_sheets(extractor):
    draft = extractor.draft(
        "CASE 14-01\nName: Adil Tursunov\nCurrent status: prison\nSummary: Sentenced in 2019 to nine years.\n\n"
        "CASE 14-02\nName: Gulnar Qasimova\nCurrent status: camp\nSummary: Held in a camp in Aksu from April 2018.\n")
    assert [_person(draft, n)["status"] for n in ("Adil Tursunov", "Gulnar Qasimova")] == ["prison", "camp"]


def test_a_name_in_parentheses_is_another_form_and_a_dateline_is_its_own_line(extractor):
    text = ("Open letter from the family of Akmal Yusupov\nMunich, 8 March 2023\n\n"
            "Our father, Akmal Yusupov (in Chinese records Aikemaier Yusufu), is 63 years old. In August 2017 he "
            "was taken to a camp.")
    draft = extractor.draft(text)
    akmal = _person(draft, "Akmal Yusupov")
    assert "Aikemaier Yusufu" in akmal["mentions"]
    assert not any(p["name"] and "Munich" in p["name"] for p in draft["persons"])
    assert draft["document"]["date"] == "2023-03-08"


def test_titles_and_headline_words_are_not_names(extractor):
    draft = extractor.draft(
        "IN THE FIRST-TIER TRIBUNAL (IMMIGRATION AND ASYLUM CHAMBER) Appeal number: PA/04417/2020\n\n"
        "Geneva, 3 May 2019. We met Consul Li Hongwei at the consulate. Confined to her flat, Aigul Tursun "
        "cannot see her children.")
    names = {p["name"] for p in draft["persons"] if p["name"]}
    assert "Li Hongwei" in names and "Aigul Tursun" in names
    assert not names & {"Consul Li Hongwei", "Confined", "IMMIGRATION", "ASYLUM CHAMBER"}


def _events(person: dict) -> set[tuple[str, str | None]]:
    return {(e["type"], e["date"]) for e in person["events"]}


def test_parents_named_together_then_told_apart_and_the_signature_narrates(extractor):
    draft = extractor.draft(
        "Almaty, 3 June 2023\n\nDear Sir,\n\nI am writing about my parents, Yerbol Kasenov and Dana Kasenova, "
        "of Ghulja, whom I have not reached since 2018.\n\nMy father was detained in Ghulja in May 2018. "
        "My mother was sent to a camp in 2019. Since then, according to my uncle, she has been made to work "
        "in a textile factory.\n\nMy younger brother, Timur Kasenov, lives with our uncle.\n\nRespectfully,\n"
        "Aliya Kasenova")
    father, mother = _person(draft, "Yerbol Kasenov"), _person(draft, "Dana Kasenova")
    writer, brother = _person(draft, "Aliya Kasenova"), _person(draft, "Timur Kasenov")
    assert {"type": "parent", "to": father["id"]} in writer["relations"]
    assert {"type": "parent", "to": mother["id"]} in writer["relations"]
    assert {"type": "sibling", "to": brother["id"]} in writer["relations"]
    assert ("detained", "2018-05") in _events(father) and father["status"] == "detained"
    assert {("sent_to_camp", "2019"), ("forced_labor", "2019")} <= _events(mother)
    uncle = _person(draft, "my uncle")
    assert uncle["events"] == [] and uncle["role"] == "relative"  # the source "she" is told by


def test_a_term_received_names_a_name_before_its_alias_and_a_nickname(extractor):
    draft = extractor.draft(
        "ALMATY, 2 July 2020 — Bolat Serikov (in the judgment: Bolate Sailike), 51, received 14 years for "
        "\"separatism\". Marat Omarov — everybody in the village called him Haji Marat — was sent to a camp "
        "in 2018. The families, whose relatives remain imprisoned, wrote to the court. Yours sincerely, "
        "Gulnar Abenova")
    bolat = _person(draft, "Bolat Serikov")
    assert bolat["status"] == "prison"
    assert {e["type"] for e in bolat["events"]} == {"sentenced"}
    marat = _person(draft, "Marat Omarov")
    assert "Haji Marat" in marat["mentions"] and marat["status"] == "camp"
    assert _person(draft, "Gulnar Abenova")["events"] == []  # the relatives are not named


def test_a_name_the_ner_missed_before_its_form_in_parentheses(extractor):
    doc = extractor.nlp("Ermek Tolegen (in the judgment: Ye'ermaike Tuoliegen), 47, was sentenced. "
                        "The court (Tekes County) met.")
    alias = doc.char_span(doc.text.index("Ye'ermaike"), doc.text.index("),"))
    county = doc.char_span(doc.text.index("Tekes"), doc.text.index(") met"))
    assert [span.text for span in names_before_aliases(doc, [alias, county])] == ["Ermek Tolegen"]


def test_a_letter_signed_by_several_is_their_we(extractor):
    draft = extractor.draft(
        "Istanbul, 4 May 2022\n\nWe are three sisters who have lived in Istanbul since 2016.\n\nOur father, Tohti "
        "Rozi, was taken from his shop in Aksu in March 2018. We are afraid he will die in prison. Our younger "
        "brother stayed in Aksu. We lost contact with him in the summer of 2019.\n\nWith respect,\n\nAynur Tohti\n"
        "Gulnar Tohti\nMahire Tohti")
    father = _person(draft, "Tohti Rozi")
    sisters = [_person(draft, name) for name in ("Aynur Tohti", "Gulnar Tohti", "Mahire Tohti")]
    brother = _person(draft, "Our younger brother")
    for sister in sisters:
        assert {"type": "parent", "to": father["id"]} in sister["relations"]
        assert {"type": "sibling", "to": brother["id"]} in sister["relations"]
        assert {"text": "Istanbul", "code": "TR"} in sister["places"]
    assert "died" not in {e["type"] for e in father["events"]}  # feared, not told
    assert ("disappeared", "2019-06/2019-08") in _events(brother) and brother["role"] == "detained"


def test_an_interviewee_named_mid_line_narrates_and_a_student_lives_where_she_studies(extractor):
    draft = extractor.draft(
        "Recorded on 2 March 2023. Interviewer: Lena Berg. Interviewee: Dilnaz Omar, 30.\n\nQ: Who is missing?\n"
        "A: My brother, Erkin Omar. He was detained in Kashgar in 2018. His wife, Ms. Zarina Tokhtieva, waited. A man called Wang Lei said my brother "
        "was fine.\n\nHis daughter, Aysu Erkin, a student in Almaty, has not heard from him.")
    dilnaz, erkin = _person(draft, "Dilnaz Omar"), _person(draft, "Erkin Omar")
    assert {"type": "sibling", "to": erkin["id"]} in dilnaz["relations"]
    assert {"type": "spouse", "to": _person(draft, "Zarina Tokhtieva")["id"]} in erkin["relations"]
    assert {"text": "Almaty", "code": "KZ-75"} in _person(draft, "Aysu Erkin")["places"]


def test_the_testifier_line_of_a_case_sheet_is_kin_of_its_case(extractor):
    draft = extractor.draft(
        "Intake sheet, compiled 1 May 2020.\n\nEntry 1\nName: Serik Duisen\nHometown: Tacheng city\n"
        "What happened: Detained in August 2018. Held in a camp until 2019. The family was told nothing.\n"
        "Testifier: his wife, Aigul Kenes (Almaty).\n\nEntry 2\nName: Marat Ospan\n"
        "What happened: Detained in 2017.\nTestifier: his brother, Dias Ospan.")
    serik, aigul = _person(draft, "Serik Duisen"), _person(draft, "Aigul Kenes")
    marat, dias = _person(draft, "Marat Ospan"), _person(draft, "Dias Ospan")
    assert {"type": "spouse", "to": aigul["id"]} in serik["relations"]
    assert {"type": "sibling", "to": dias["id"]} in marat["relations"]
    assert {"type": "sibling", "to": dias["id"]} not in serik["relations"]


def test_a_wire_story_without_a_year_a_byline_and_an_age_beside_a_name(extractor):
    draft = extractor.draft(
        "Trader held after crossing into China, wife says\n\nBy Laura Finch\n\nALMATY, March 22 (Reuters) - A "
        "Kazakh trader who went to see his sister has been held since last summer, his wife said.\n\n"
        "Nurlan Abenov, 41, who moved to Kazakhstan in 2012, crossed into China at Khorgos on April 2, 2018, "
        "his wife Saule Abenova said. In July, he was taken to a vocational education and training center.")
    assert draft["document"]["date"] == "2019-03-22"  # after every full date the story gives
    reporter, nurlan = _person(draft, "Laura Finch"), _person(draft, "Nurlan Abenov")
    assert reporter["events"] == [] and reporter["relations"] == []
    assert {("emigrated", "2012"), ("returned_to_china", "2018-04-02"), ("sent_to_camp", "2018-07")} <= _events(nurlan)


def test_names_a_case_sheet_gives_in_its_fields(extractor):
    draft = extractor.draft(
        "Register, exported 5 August 2019.\n\nENTRY 12\nName: Akbota Serikkyzy\nSex / age: female, 29\n"
        "Events: sent to a camp in Mongolkure in October 2017.\nApplicant: Bolat Nurzhan (husband), Zharkent.\n")
    akbota, bolat = _person(draft, "Akbota Serikkyzy"), _person(draft, "Bolat Nurzhan")
    assert akbota["role"] == "detained" and bolat["role"] == "relative"
    assert {"type": "spouse", "to": bolat["id"]} in akbota["relations"]


def test_we_named_as_the_children_of_two_parents(extractor):
    draft = extractor.draft(
        "Ankara, 3 May 2021\n\nWe are Zeynep Tursun and Yahya Tursun, the children of Tursun Omer and Aysha Rozi "
        "of Hotan.\n\nOur father is a baker. He was taken to a camp in Hotan in 2018.")
    father, mother = _person(draft, "Tursun Omer"), _person(draft, "Aysha Rozi")
    for child in (_person(draft, "Zeynep Tursun"), _person(draft, "Yahya Tursun")):
        assert {"type": "parent", "to": father["id"]} in child["relations"]
        assert {"type": "parent", "to": mother["id"]} in child["relations"]
    assert "Our father" in father["mentions"] and father["status"] == "camp"


def test_triggers_find_what_spacys_matcher_finds_with_every_pattern(extractor):
    """The split of lexicon.EVENT_PATTERNS between a PhraseMatcher and a Matcher (triggers.py) is only for
    speed: the same matches, in the same order, as one Matcher holding every pattern."""
    from spacy.matcher import Matcher

    from testimonia.intake import lexicon

    matcher = Matcher(extractor.nlp.vocab)
    for kind, patterns in lexicon.EVENT_PATTERNS.items():
        matcher.add(kind, patterns)
    texts = [path.read_text(encoding="utf-8") for path in sorted((EXAMPLES / "dev").glob("*.txt"))[:40]]
    compared = 0
    for doc in extractor.nlp.pipe(for_parser(text) for text in texts):
        expected = list(matcher(doc))
        assert extractor.triggers(doc) == expected
        compared += len(expected)
    assert compared > 1000


CASE_RECORDS = """Case records, 12 March 2021

Name: Dilnaz Yermekova
Hometown: Ghulja (Yining)
Current status: forced labour
Summary: Held in a camp in Ghulja from May 2018. Since 2020 she sews gloves in Kuytun.

Name: Baurzhan Seitkali
Hometown: Tekes county
Status: in custody (prison)
Summary: Detained in 2017. His brother Arman Seitkali lives in Almaty.

Name: Saule Abenova
Testifier: her son, Timur Abenov, Almaty (phone, 2 Sep 2020; consent: named)
Narrative: Detained in Tekes in 2018 and sent to a camp there.
Volunteer's status: released

Status: house arrest (father); documents confiscated (son).
"""


def test_a_records_status_field_states_its_persons_status(extractor):
    draft = extractor.draft(CASE_RECORDS, "2021-03-12")
    assert _person(draft, "Dilnaz Yermekova")["status"] == "forced_labor"  # not the camp its summary tells
    assert _person(draft, "Baurzhan Seitkali")["status"] == "prison"      # the parenthesis refines "custody"
    assert _person(draft, "Arman Seitkali")["status"] is None            # after the field, not its person
    assert _person(draft, "Saule Abenova")["status"] == "released"       # a field labelled "Volunteer's status"
    assert not any(p["name"] == "Sep" for p in draft["persons"])          # "2 Sep 2020" names no one


def test_a_camp_left_behind_is_not_a_camp_and_a_detention_told_again_is_not_a_new_one(extractor):
    draft = extractor.draft(
        "ALMATY, 10 June 2021 — Aidana Serikkyzy was held from August 2018 in a camp in Usu. Two weeks ago she "
        "was sent from the camp to a textile factory in Shihezi. Her cousin Nurlan Tokhtarov was moved from the "
        "same camp in April to a garment factory in Korla.\n\n"
        "Yerbol Kassym was sentenced in 2019 to 13 years in prison. In February he was transferred from a "
        "prison in Altay city to a high-security prison in Urumqi. He has diabetes; his wife has been allowed "
        "one video call with him since his arrest.", "2021-06-10")
    aidana = _person(draft, "Aidana Serikkyzy")
    assert ("sent_to_camp", "2021-05-27") not in _events(aidana)  # "sent from the camp": where she left
    assert aidana["status"] == "forced_labor"
    assert ("forced_labor", "2021-04") in _events(_person(draft, "Nurlan Tokhtarov"))  # the factory is "moved"'s
    yerbol = _person(draft, "Yerbol Kassym")
    assert "detained" not in {e["type"] for e in yerbol["events"]}  # "since his arrest" looks back
    assert yerbol["status"] == "prison"


def test_a_sentence_told_without_a_time_was_passed_on_the_verdicts_date(extractor):
    draft = extractor.draft(
        "ISTANBUL, 18 September 2020 — According to the verdict of the Aksu Intermediate People's Court, dated "
        "14 November 2018, Erkin Tursun, 50, was sentenced to 12 years. The verdict says he was detained on "
        "2 March 2018.\n\nHis colleague Gulbahar Yasin, 44, received seven years in the same verdict. She had "
        "been in a camp in Aksu since October 2017, the document says.", "2020-09-18")
    gulbahar = _person(draft, "Gulbahar Yasin")
    assert ("sentenced", "2018-11-14") in _events(gulbahar)
    assert gulbahar["status"] == "prison"  # the verdict came after the camp the text tells later


def test_a_date_a_verdict_reports_is_not_the_verdicts_own(extractor):
    draft = extractor.draft(
        "ISTANBUL, 18 September 2020 — Erkin Tursun is a teacher. The verdict says he was detained on 2 March "
        "2018.\n\nHis colleague Gulbahar Yasin received seven years in the same verdict.", "2020-09-18")
    assert ("sentenced", None) in _events(_person(draft, "Gulbahar Yasin"))


def test_a_verdicts_list_of_sentences_sentences_each_person_it_labels(extractor):
    draft = extractor.draft(
        "Verdict summary, Qapqal County court, 15 April 2019\n\n1. Yusup Qadir, male, born 1975, farmer.\n"
        "2. Ma Wenjun, male, born 1979, restaurant owner. Detained on 20 March 2018.\n\n"
        "Sentence (pronounced 28 December 2018)\nYusup Qadir: 14 years' imprisonment for \"extremism\".\n"
        "Ma Wenjun: 6 years' imprisonment.\n", "2019-04-15")
    for name in ("Yusup Qadir", "Ma Wenjun"):
        assert ("sentenced", "2018-12-28") in _events(_person(draft, name))
        assert _person(draft, name)["status"] == "prison"


def test_cities_abroad_take_their_country_and_a_given_name_stays_a_person(extractor):
    draft = extractor.draft(
        "MUNICH, 3 May 2021 — Serik Zhanuzak, who has lived in Utrecht since 2017, says his brother Asan "
        "Zhanuzak was detained in Ghulja in 2018. Madina Omarova, who lives in Osh, is their cousin.", "2021-05-03")
    assert {"text": "Utrecht", "code": "NL"} in _person(draft, "Serik Zhanuzak")["places"]
    assert {"text": "Osh", "code": "KG"} in _person(draft, "Madina Omarova")["places"]
    assert {"Serik Zhanuzak", "Asan Zhanuzak", "Madina Omarova"} <= {p["name"] for p in draft["persons"]}


def test_a_place_describing_a_person_is_their_home_and_one_naming_their_employer_is_not(extractor):
    draft = extractor.draft(
        "ALMATY, 2 May 2019 — Gaukhar Nurmagambetova, an Almaty lawyer, and Bauyrzhan Tokhtarov, an Almaty-based "
        "volunteer, met the families. Bolat Zhumagali, 38, of Almaty, asks about his father. Bakhyt Nurgaliyeva, "
        "a lawyer with the Zhetisu Families Initiative, helped him.", "2019-05-02")
    for name in ("Gaukhar Nurmagambetova", "Bauyrzhan Tokhtarov", "Bolat Zhumagali"):
        assert {"text": "Almaty", "code": "KZ-75"} in _person(draft, name)["places"], name
    assert _person(draft, "Bakhyt Nurgaliyeva")["places"] == []


def test_her_mother_named_after_her_mother_spoke_is_the_same_woman(extractor):
    draft = extractor.draft(
        "ALMATY, 2 December 2020 — Aizhan Serikbolova, 23, was barred from leaving China in February 2019. "
        "Recently she was questioned for several hours, her mother said.\n\n"
        "Her mother, Rysgul Omarkyzy, moved to Almaty in 2016.", "2020-12-02")
    mother, aizhan = _person(draft, "Rysgul Omarkyzy"), _person(draft, "Aizhan Serikbolova")
    assert {"type": "parent", "to": mother["id"]} in aizhan["relations"]
    assert "her mother" in mother["mentions"]


def test_their_mother_named_at_a_paragraphs_start_is_the_siblings_mother(extractor):
    draft = extractor.draft(
        "ISTANBUL, 14 March 2019 — Gulnar Tursunova said her elder brother, Ablikim Tursunov, was sent to a camp "
        "in April 2017.\n\nHer younger brother Memet Tursunov was detained the same month, she said.\n\n"
        "Their mother, Hajigul Niyazova, 68, still lives in Ghulja.", "2019-03-14")
    mother = _person(draft, "Hajigul Niyazova")
    for child in ("Gulnar Tursunova", "Ablikim Tursunov", "Memet Tursunov"):
        assert {"type": "parent", "to": mother["id"]} in _person(draft, child)["relations"], child


def test_a_name_whose_first_word_the_tagger_took_for_a_verb_is_whole(extractor):
    draft = extractor.draft(
        "AMSTERDAM, Aug 26, 2021 - A court in China's Xinjiang region has sentenced a Uyghur businessman from Korla "
        "to 17 years in prison for \"financing terrorism\", his daughter said on Thursday, almost three years after "
        "he was taken away by police.\n\nAblimit Rozi, 58, who ran a cotton-trading company in Korla (Kuerle), was "
        "detained at his office on Oct. 12, 2018, according to his daughter, Zulpiye Ablimit.", "2021-08-26")
    assert _person(draft, "Ablimit Rozi")["role"] == "detained"


def test_the_same_day_at_a_paragraphs_start_is_the_day_of_the_detention_told_before(extractor):
    draft = extractor.draft(
        "ISTANBUL, 14 March 2019 — Ablikim Tursunov was detained on 12 April 2017 in Ghulja.\n\n"
        "His business partner, a trader named Zhou Jianguo, was detained the same day.\n\n"
        "His younger brother Memet Tursunov was sent to a camp the same month.", "2019-03-14")
    assert ("detained", "2017-04-12") in _events(_person(draft, "Zhou Jianguo"))
    assert ("sent_to_camp", "2017-04") in _events(_person(draft, "Memet Tursunov"))


def test_a_pronoun_means_the_person_its_own_paragraph_introduced(extractor):
    """"He" after "I am also speaking about my brother, Serik." is Serik, not the subject of the paragraph before."""
    draft = extractor.draft(
        "Almaty, 2 May 2019.\n\nMy name is Aigerim Sultanbekova. My husband, Nurlan Omarov, went back to Ghulja in "
        "March 2018. Since then he has been held in a camp there.\n\n"
        "I am also speaking about my younger brother, Serik. He was detained in 2017 and sentenced to seven years.")
    husband, brother = _person(draft, "Nurlan Omarov"), _person(draft, "Serik")
    assert (husband["status"], brother["status"]) == ("camp", "prison")
    assert {e["type"] for e in brother["events"]} >= {"detained", "sentenced"}
    assert not {"detained", "sentenced"} & {e["type"] for e in husband["events"]}


def test_a_table_of_one_line_per_person(extractor):
    """A case list whose cells are separated by "|": each row's events are its person's, the kinship word
    before a reporter's name relates them, the "Status" column states the status, ISO months are dates."""
    draft = extractor.draft(
        "Case list, Almaty, 5 December 2019\n\n"
        "No. | Name | Home | Reported by | What happened | Current status\n"
        "1 | Yerbolat Sultanbek | Tekes County | brother Aidos Sultanbek, Almaty | detained at home in March 2018; "
        "held in a camp in Qapqal | camp\n"
        "2 | Gaukhar Serikkyzy | Kuytun | husband Arman Toleu, Taldykorgan | 2018-06 passport taken at the border; "
        "released in July 2019, now under house arrest | house arrest\n"
        "3 | Talgat Muratuly | Dorbiljin County | son Daniyar Talgatuly, Astana | questioned by police in 2019 | not detained\n")
    yerbolat, aidos = _person(draft, "Yerbolat Sultanbek"), _person(draft, "Aidos Sultanbek")
    gaukhar, arman = _person(draft, "Gaukhar Serikkyzy"), _person(draft, "Arman Toleu")
    talgat, daniyar = _person(draft, "Talgat Muratuly"), _person(draft, "Daniyar Talgatuly")
    assert (yerbolat["role"], yerbolat["status"]) == ("detained", "camp")
    assert {e["type"] for e in yerbolat["events"]} == {"detained", "sent_to_camp"}
    assert (gaukhar["role"], gaukhar["status"]) == ("detained", "house_arrest")
    passport = next(e for e in gaukhar["events"] if e["type"] == "passport_confiscated")
    assert (passport["date"], passport["date_text"]) == ("2018-06", "2018-06")
    assert (aidos["role"], arman["role"], daniyar["role"]) == ("relative",) * 3
    assert not aidos["events"] and not arman["events"] and not daniyar["events"]
    assert {"type": "sibling", "to": yerbolat["id"]} in aidos["relations"]
    assert {"type": "spouse", "to": gaukhar["id"]} in arman["relations"]
    assert {"type": "parent", "to": talgat["id"]} in daniyar["relations"]  # Talgat is Daniyar's parent
    assert talgat["role"] != "detained" and talgat["status"] is None


def test_a_sentence_without_subject_in_a_case_sheet_is_the_sheets_person(extractor):
    draft = extractor.draft(
        "Registry entries, exported 5 October 2020\n\n"
        "Entry 10413\nName: Aigul Mamytova\nHometown: Akto county\n"
        "Details: Detained on 5 January 2019 in Akto. Her husband, Bakyt Asanov, lives in Bishkek with their son. "
        "Sentenced in 2020 to six years.\n")
    aigul, bakyt = _person(draft, "Aigul Mamytova"), _person(draft, "Bakyt Asanov")
    assert {e["type"] for e in aigul["events"]} >= {"detained", "sentenced"}
    assert not bakyt["events"] and bakyt["role"] == "relative"


def test_a_place_in_a_persons_description_after_in_is_their_home(extractor):
    draft = extractor.draft("Almaty, 3 May 2019. Aigerim Serikbolkyzy, 29, a nurse in Almaty, said her father, "
                            "Serikbol Qasymuly, 63, was detained in Tacheng in April 2018.")
    assert {"text": "Almaty", "code": "KZ-75"} in _person(draft, "Aigerim Serikbolkyzy")["places"]
    assert "KZ-75" not in {p["code"] for p in _person(draft, "Serikbol Qasymuly")["places"]}


def test_a_label_says_who_speaks_under_it(extractor):
    """A thread's "[Post 1 — Name, Place]" heading and a transcript's "NAME:" label: "my" under them is theirs."""
    draft = extractor.draft(
        "Thread transcribed on 14 February 2019.\n\n"
        "[Post 1 — Aruzhan Serikkyzy, Almaty]\nMy father, Bolat Serikuly, went back to Tacheng in April 2017.\n\n"
        "[Reply — Nurasyl Beketov, Taldykorgan]\nSame with my uncle.\n\n"
        "KAMILA ORAZBEKOVA: My husband, Yerlan Saparov, was detained in Ghulja in 2018.\n")
    aruzhan, bolat = _person(draft, "Aruzhan Serikkyzy"), _person(draft, "Bolat Serikuly")
    kamila, yerlan = _person(draft, "KAMILA ORAZBEKOVA"), _person(draft, "Yerlan Saparov")
    assert {"type": "parent", "to": bolat["id"]} in aruzhan["relations"]
    assert {"type": "spouse", "to": yerlan["id"]} in kamila["relations"]
    assert not any(r["to"] == bolat["id"] for r in _person(draft, "Nurasyl Beketov")["relations"])


def test_a_kinship_word_right_before_a_name_names_that_person(extractor):
    """Names the NER missed: "my uncle Qanat Myrzakhanuly", "My father is Serikbai Amanjoluly"."""
    draft = extractor.draft(
        "Almaty, 4 March 2021. Zhanar Serikbaikyzy spoke to us.\n\n"
        "My father is Serikbai Amanjoluly. In April 2018 the police took him from his clinic in Chöchek.\n\n"
        "Last winter my uncle Qanat Myrzakhanuly, who lives in Koktokay, was questioned twice.\n")
    zhanar, serikbai, qanat = (_person(draft, n) for n in ("Zhanar Serikbaikyzy", "Serikbai Amanjoluly", "Qanat Myrzakhanuly"))
    assert {"type": "parent", "to": serikbai["id"]} in zhanar["relations"]
    assert {"type": "relative", "to": qanat["id"]} in zhanar["relations"]
    assert "my uncle" not in {m for p in draft["persons"] if not p["name"] for m in p["mentions"]}


def test_a_speakers_label_in_capitals_and_a_womans_name_are_read(extractor):
    """"GULNUR:" is Gulnur Serikbaikyzy speaking; a host's label is nobody; "him" is not a woman (-kyzy)."""
    draft = extractor.draft(
        "Recorded 14 November 2020 in Almaty.\n\n"
        "HOST: My guest today is Gulnur Serikbaikyzy, who lives in Almaty.\n\n"
        "GULNUR: Almost no news. In December 2019 the Tacheng City Court sentenced him to fourteen years.\n\n"
        "HOST: And your brother?\n\n"
        "GULNUR: My brother, Nurbol Serikbaiuly, went back to Chöchek in 2017.\n")
    gulnur, nurbol = _person(draft, "Gulnur Serikbaikyzy"), _person(draft, "Nurbol Serikbaiuly")
    assert {"type": "sibling", "to": nurbol["id"]} in gulnur["relations"]
    assert not any(p["name"] and p["name"].lower() == "host" for p in draft["persons"])
    assert not any(e["type"] == "sentenced" for e in gulnur["events"]) and gulnur["role"] != "detained"


def test_a_chronology_by_a_daughter_with_a_name_in_three_scripts(extractor):
    """"(Асқар Мырзаханұлы; Chinese ID card: Asika'er Mierzhahan)": both forms are his; "Prepared by his
    daughter, Zere Askarqyzy" says who "I" is; "- 12 March 2017:" keeps its day."""
    draft = extractor.draft(
        "Chronology: Askar Myrzakhanuly (Асқар Мырзаханұлы; Chinese ID card: Asika'er Mierzhahan), born 1962\n\n"
        "Prepared by his daughter, Zere Askarqyzy, Munich, 30 September 2021.\n\n"
        "- 2009: I move to Germany to study.\n"
        "- 12 March 2017: My father is summoned to the police station in Burultokay and questioned for six hours.\n")
    askar, zere = _person(draft, "Askar Myrzakhanuly"), _person(draft, "Zere Askarqyzy")
    assert "Asika'er Mierzhahan" in askar["mentions"] and len([p for p in draft["persons"] if p["name"]]) == 2
    assert {"type": "parent", "to": askar["id"]} in zere["relations"]
    assert {(e["type"], e["date"]) for e in askar["events"]} >= {("summoned", "2017-03-12"), ("interrogated", "2017-03-12")}


def test_a_callers_label_names_the_caller_and_where_they_call_from_is_no_one(extractor):
    """"CALLER 2 (Naran Tsogtbaatar, Almaty):" — a hyphenated name ("Bat-Erdene") is one name, and the
    name "in his Chinese papers" is another form of the last full name before it."""
    draft = extractor.draft(
        "Call-in programme, 7 May 2020\n\n"
        "PRESENTER (Feruza Alimova): Good evening. First caller, you are on air.\n\n"
        "CALLER 1 (Dilnoza, Andijan): I am calling about my uncle, Abdulla Yoqubov. He is from Kashgar, and in his "
        "Chinese papers he is Abudula Yakefu. In 2017 he was detained.\n\n"
        "CALLER 2 (Naran Tsogtbaatar, Almaty): My brother-in-law Bat-Erdene Jargal was detained in Bole in 2019.\n")
    dilnoza, abdulla = _person(draft, "Dilnoza"), _person(draft, "Abdulla Yoqubov")
    naran, bat_erdene = _person(draft, "Naran Tsogtbaatar"), _person(draft, "Bat-Erdene Jargal")
    assert "Andijan" not in {p["name"] for p in draft["persons"]}
    assert "Abudula Yakefu" in abdulla["mentions"] and {"type": "relative", "to": abdulla["id"]} in dilnoza["relations"]
    assert {"type": "relative", "to": bat_erdene["id"]} in naran["relations"] and bat_erdene["role"] == "detained"


def test_a_participle_after_an_age_is_what_happened_to_the_person_of_that_age(extractor):
    draft = extractor.draft(
        "Petition, 15 April 2019\n\n"
        "1. Kenzhegul Bolatqyzy, Almaty — for her husband Ablaikhan Seitkali (Абылайхан Сейткали), 47, held in a "
        "\"political training center\" in Dorbiljin since March 2018.\n")
    kenzhegul, ablaikhan = _person(draft, "Kenzhegul Bolatqyzy"), _person(draft, "Ablaikhan Seitkali")
    assert ablaikhan["role"] == "detained" and ablaikhan["status"] == "camp"
    assert kenzhegul["role"] == "relative" and not kenzhegul["events"]


def test_a_diarys_entries_count_their_relative_dates_from_their_own_date(extractor):
    """Under "[02.10.2020 09:14]" "yesterday" is 1 October; an entry of January 2019 says "in December" of
    2018; an event told with no time of its own takes its entry's date; a season is its months."""
    draft = extractor.draft(
        "Posts of the channel \"Steppe Watch\", 2-29 October 2020\n\n"
        "[02.10.2020 09:14]\nTalgat Serikbaev, 51, a Kazakh from Ghulja, was detained yesterday at his home.\n\n"
        "[14.01.2019 20:05]\nDana Oralbekova was sent to a camp in Ghulja in December. Her son Arman Oralbek "
        "says she had been questioned in the spring of 2018.\n\n"
        "[29.10.2020 23:51]\nTalgat Serikbaev was moved to a camp in Chapchal.\n")
    talgat, dana = _person(draft, "Talgat Serikbaev"), _person(draft, "Dana Oralbekova")
    assert ("detained", "2020-10-01") in _events(talgat) and ("sent_to_camp", "2020-10-29") in _events(talgat)
    assert ("sent_to_camp", "2018-12") in _events(dana) and ("interrogated", "2018-03/2018-05") in _events(dana)


def test_a_two_letter_surname_is_a_short_form_and_a_cited_source_is_not_who_the_next_sentence_means(extractor):
    """"Ma" is Ma Jianguo's, not a new person; after "…, as Ma said." the next "he" is the man the sentence
    was about, not the spokesman it cites."""
    draft = extractor.draft(
        "Fact check, 20 July 2021\n\n"
        "The spokesman Ma Jianguo said that Arslan Tohti lives freely in Kucha. Arslan Tohti was sent to a camp in "
        "Kucha in 2017 and was released in January 2019, as Ma said. But he was not free for long. His wife, "
        "Nigara Kerim, told us that police detained him again in November 2019.\n")
    ma, arslan, nigara = (_person(draft, n) for n in ("Ma Jianguo", "Arslan Tohti", "Nigara Kerim"))
    assert "Ma" in ma["mentions"] and [p["name"] for p in draft["persons"]].count("Ma") == 0
    assert ("detained", "2019-11") in _events(arslan) and not ma["events"]
    assert {"type": "spouse", "to": arslan["id"]} in nigara["relations"]


def test_words_before_their_form_in_another_script_are_a_name(extractor):
    draft = extractor.draft(
        "Ili Watch, 9 October 2020\n\nAnother family from Ghulja writes to us. Mahire Tursun (玛依热·吐尔逊), 29, "
        "a nurse, was sent to a \"training school\" in Ghulja in 2018 and released last December.\n")
    mahire = _person(draft, "Mahire Tursun")
    assert mahire["role"] == "detained" and ("sent_to_camp", "2018") in _events(mahire)


def test_subtitle_cues_read_as_running_text(extractor):
    text = ("Documentary subtitles, reel 1\n\n"
            "12\n00:04:01,200 --> 00:04:05,900\nDINARA SEITOVA (Almaty): My father is a herder\n\n"
            "13\n00:04:06,100 --> 00:04:10,400\nfrom Tekes. In May 2018 they sent him\n\n"
            "14\n00:04:10,600 --> 00:04:14,000\nto a camp in Ghulja.\n")
    draft = extractor.draft(text)
    father = _person(draft, "My father")
    assert father["role"] == "detained" and father["status"] == "camp"
    assert [(e["type"], e["date"]) for e in father["events"]] == [("sent_to_camp", "2018-05")]
    assert {"type": "parent", "to": father["id"]} in _person(draft, "DINARA SEITOVA")["relations"]  # the label, whole
    assert not any("Almaty" in p["mentions"] for p in draft["persons"])  # the place in the label is no one


def test_a_name_the_ner_took_for_an_organisation(extractor):
    draft = extractor.draft("The family's lawyer in Bishkek, Azamat Asanov, has filed the case with two United Nations "
                            "bodies.")  # the model's entity: ORG
    assert _person(draft, "Azamat Asanov")["role"] == "advocate"


def test_a_questioners_label_is_not_the_subject_of_the_question(extractor):
    draft = extractor.draft(
        "Press conference, 4 December 2019.\n\n"
        "Q (Lars Moen, Nordic Daily): A woman from Urumqi, Ayshe Memet, was detained at Urumqi airport on "
        "11 December 2018. Her husband has had no word from her since then.\n\n"
        "Spokesperson: I am not aware of the case.")
    assert _person(draft, "Ayshe Memet")["role"] == "detained"
    assert _person(draft, "Lars Moen")["role"] != "detained"
    husband = _person(draft, "Her husband")
    assert {"type": "spouse", "to": _person(draft, "Ayshe Memet")["id"]} in husband["relations"]


def test_whose_kin_belongs_to_the_person_described(extractor):
    draft = extractor.draft("The third case is Gulnar Serikkyzy, a Kazakh woman from Altay prefecture whose "
                            "husband, Daniyar Omarov, is a lecturer in Almaty.")
    assert {"type": "spouse", "to": _person(draft, "Daniyar Omarov")["id"]} in _person(draft, "Gulnar Serikkyzy")["relations"]


def test_a_speaker_is_not_the_he_of_their_own_turn(extractor):
    draft = extractor.draft(
        "Tom Barker (Leeds East): Is she aware that the family of Arslan Yusup, a student who lived in Leeds, were "
        "told last year that he died in custody in Hotan in November 2019?")
    arslan = _person(draft, "Arslan Yusup")
    assert [(e["type"], e["date"]) for e in arslan["events"]] == [("died", "2019-11")]
    assert _person(draft, "Tom Barker")["events"] == []


def test_a_chat_export_its_senders_dates_and_the_other_partys_your(extractor):
    draft = extractor.draft(
        "[14.11.2018, 20:41] Dana Sadyk: Mama called from Ghulja.\n"
        "[14.11.2018, 20:45] Erlan Serikuly: And your brother? Any news?\n"
        "[15.11.2018, 09:10] Dana Sadyk: The police took him last March, from the bazaar in Ghulja.\n")
    assert draft["document"]["date"] == "2018-11-15"  # the last message's day
    brother = _person(draft, "your brother")
    assert {"type": "sibling", "to": _person(draft, "Dana Sadyk")["id"]} in brother["relations"]
    assert [(e["type"], e["date"]) for e in brother["events"]] == [("detained", "2018-03")]
    assert _person(draft, "Erlan Serikuly")["events"] == []


def test_a_question_about_your_husband_is_about_the_narrators(extractor):
    draft = extractor.draft("Narrator: Gulnara Abenova\n\nQ: What happened to your husband?\n\n"
                            "A: My husband was detained in Tekes in May 2018.")
    husband = _person(draft, "your husband")
    assert "My husband" in husband["mentions"] and husband["status"] == "detained"
    assert {"type": "spouse", "to": _person(draft, "Gulnara Abenova")["id"]} in husband["relations"]


def test_one_friday_is_no_date_of_its_own(extractor):
    draft = extractor.draft("Almaty, 19 August 2024. In April 2018 Nurlan Abenov led prayers in Changji. "
                            "One Friday the police took him from the mosque.")
    assert [(e["type"], e["date"]) for e in _person(draft, "Nurlan Abenov")["events"]] == [("detained", "2018-04")]


def test_a_name_before_its_age_or_occupation_and_its_short_form_in_capitals(extractor):
    draft = extractor.draft(
        "Bekzat Omarov, a 47-year-old herder from Toli county, was detained in February 2018. Bekzat's son, "
        "Nurlan Bekzatuly, lives in Almaty.\n\n"
        "AIGERIM DOSANOVA (Айгерим Досанова), 51, Kuytun\n"
        "Aigerim, a kindergarten teacher from Kuytun, has been held since May 2018 in a camp.")
    bekzat = _person(draft, "Bekzat Omarov")
    assert bekzat["role"] == "detained"
    assert {"type": "parent", "to": bekzat["id"]} in _person(draft, "Nurlan Bekzatuly")["relations"]
    aigerim = _person(draft, "AIGERIM DOSANOVA")
    assert "Aigerim" in aigerim["mentions"] and aigerim["status"] == "camp"


def test_a_court_record_its_initials_and_role_labels(extractor):
    draft = extractor.draft(
        "Presiding: Judge A. K. Temirova\nProsecutor: D. S. Kaliyev\nDefendant: Nurbol Sagatov, born 1980\n\n"
        "PROSECUTOR: You crossed the border without documents. Is that correct?\n\n"
        "DEFENDANT: Yes. In March 2018 I was taken to a political education school in Tacheng.\n\n"
        "WITNESS: Aliya Sagatova, 36. I am the defendant's wife.\n\n"
        "JUDGE: Noted. A. Temirova closes the hearing.")
    judge = _person(draft, "A. K. Temirova")
    assert judge["role"] == "official" and "A. Temirova" in judge["mentions"]
    assert _person(draft, "D. S. Kaliyev")["role"] == "official"
    nurbol = _person(draft, "Nurbol Sagatov")
    assert nurbol["status"] == "camp" and nurbol["role"] == "detained"
    assert {"type": "spouse", "to": _person(draft, "Aliya Sagatova")["id"]} in nurbol["relations"]
    assert not any(p["name"] is None for p in draft["persons"])  # "the defendant's wife" is Aliya


def test_a_name_cut_at_a_line_break_and_a_list_of_people_present(extractor):
    draft = extractor.draft(
        "Name: Gulnar Tokhtarova\nSex: female\n\nPresent: the interviewing officer; interpreter, A. Sadykov; "
        "the applicant's lawyer, mr. E. Lindqvist.\n\nCase officer: Dana Omarova\n\n"
        "Gulnar Tokhtarova was detained in Kuytun in May 2018.")
    names = {p["name"] for p in draft["persons"]}
    assert {"Gulnar Tokhtarova", "A. Sadykov", "E. Lindqvist", "Dana Omarova"} <= names and "Sex" not in names
    assert _person(draft, "E. Lindqvist")["role"] == "advocate" and _person(draft, "A. Sadykov")["role"] == "other"
    assert _person(draft, "Dana Omarova")["role"] == "advocate"


def test_a_list_entrys_name_and_footnote_markers(extractor):
    draft = extractor.draft(
        "List of people detained in Altay\n\n"
        "* Nurlybek Qasenov (1958–2020) – retired teacher from Altay city; detained in May 2018;[16] released in "
        "2019;[17] died at home in March 2020.[18]\n\n"
        "* Aigerim Tolqyn (born 1987) – accountant from Burqin; summoned and questioned by police in 2017;[21] sent "
        "to a camp in 2018.[22]")
    nurlybek = _person(draft, "Nurlybek Qasenov")
    assert [(e["type"], e["date"]) for e in nurlybek["events"]] == [
        ("detained", "2018-05"), ("released", "2019"), ("died", "2020-03")]
    aigerim = _person(draft, "Aigerim Tolqyn")
    assert ("summoned", "2017") in [(e["type"], e["date"]) for e in aigerim["events"]]
    assert aigerim["status"] == "camp"


def test_a_letter_dated_under_its_signature_and_its_header_apart(extractor):
    draft = extractor.draft(
        "To the General Prosecutor's Office\nFrom: Serik Amanov, born 1950, resident of Almaty\n\nCOMPLAINT\n"
        "about the case of my son\n\nI, Serik Amanov, am the father of Daulet Serikuly, born 1985.\n\n"
        "On 5 January 2018 my son crossed into China at Khorgos. In May this year I learned that he was "
        "sentenced to nine years in 2018.\n\nS. Amanov\n2 September 2019, Almaty")
    assert draft["document"]["date"] == "2019-09-02"
    daulet = _person(draft, "Daulet Serikuly")
    assert "my son" in daulet["mentions"]
    assert {"type": "parent", "to": _person(draft, "Serik Amanov")["id"]} in daulet["relations"]
    assert ("sentenced", "2018") in [(e["type"], e["date"]) for e in daulet["events"]]


def test_an_essay_by_its_author_in_the_first_person(extractor):
    draft = extractor.draft(
        "MY FATHER\nby Dilnaz Aibekqyzy, grade 6, age 12\n\n"
        "My father is called Aibek Nurlanuly. He is a tailor. I was five when we came to Almaty, and my father "
        "became a citizen of Kazakhstan.\n\n"
        "In October 2017 my father went to Tacheng because his mother, my grandmother Zhamal, was ill. In "
        "February 2018 they took him to a camp. My mother, Saule, works in a shop. I miss my father.")
    aibek = _person(draft, "Aibek Nurlanuly")
    dilnaz = _person(draft, "Dilnaz Aibekqyzy")
    assert "my father" in aibek["mentions"] and aibek["status"] == "camp"
    assert {"type": "parent", "to": aibek["id"]} in dilnaz["relations"]
    assert {"type": "child", "to": aibek["id"]} in _person(draft, "Zhamal")["relations"]
    assert {"type": "parent", "to": _person(draft, "Saule")["id"]} in dilnaz["relations"]


def test_a_memos_numbered_headings_and_the_client(extractor):
    draft = extractor.draft(
        "CASE INTAKE MEMO\nDate: 17 November 2020\n\n1. Client\nAsel Nurbekova, 38, a nurse in Bishkek.\n\n"
        "2. Persons concerned\n(a) The client's father, Nurbek Toktogulov, 67, a herder. On 3 February 2018 "
        "police took him from his home in Ulugqat.\n(b) The client's brother, 34, a driver. He was ordered to "
        "hand in his passport in May 2017.")
    asel = _person(draft, "Asel Nurbekova")
    assert asel["role"] == "relative"
    assert {"type": "parent", "to": _person(draft, "Nurbek Toktogulov")["id"]} in asel["relations"]
    brother = _person(draft, "The client's brother")
    assert {"type": "sibling", "to": asel["id"]} in brother["relations"]


def test_a_relative_named_after_where_they_live(extractor):
    draft = extractor.draft(
        "Case 3. Two brothers from Kunes (Xinyuan), Daulet and Yerbol Abenov. Daulet was transferred to a prison "
        "in Kuytun. Yerbol Abenov, a herder from Kunes, was released in January 2019. His cousin in Shymkent, "
        "Asem Abenova, is our contact with the family. According to his son-in-law in Almaty, Tolegen had been "
        "held in a camp.")
    asem = _person(draft, "Asem Abenova")
    assert {"type": "relative", "to": _person(draft, "Yerbol Abenov")["id"]} in asem["relations"]
    assert "his son-in-law" not in asem["mentions"]
    assert _person(draft, "Daulet")["status"] == "prison"  # the NER takes "Daulet" for an organisation


def test_a_credit_names_its_photographer(extractor):
    draft = extractor.draft("Exhibition captions, Berlin. Opening: 14 October 2022\nCurated by Miriam Albers. "
                            "Photographs by Tomasz Wrona unless noted.\n\n1. Gulbahar Ismayil, 61, who lives in Istanbul, "
                            "holds a portrait of her son, Memet Tursun. Police detained him in Kashgar in April 2017.")
    assert _person(draft, "Tomasz Wrona")["relations"] == []


def test_a_testimony_names_its_relatives_after_telling_of_them(extractor):
    draft = extractor.draft(
        "Statement read to camera:\n\n\"I, Aisulu Tursynkyzy, born 12 May 1971, resident of Talgar, testify that "
        "my husband and my younger brother are held in China.\n\nMy husband, Marat Kadyrbekuly, was born in 1968 in "
        "Ghulja. At the Khorgos crossing his passport was taken from him in 2018.\n\nMy younger brother, Nurzhan "
        "Tursynuly, is 41 years old. In June 2018 he was detained in Tekes.\n\nOur mother, Rysgul Amanova, 74, "
        "lives in Tekes.\"")
    brother = _person(draft, "Nurzhan Tursynuly")
    assert "my younger brother" in brother["mentions"]
    assert not any(p["name"] is None for p in draft["persons"])
    marat = _person(draft, "Marat Kadyrbekuly")
    assert ("passport_confiscated", "2018") in [(e["type"], e["date"]) for e in marat["events"]]
    assert {"type": "parent", "to": _person(draft, "Rysgul Amanova")["id"]} not in marat["relations"]  # his mother-in-law


def test_a_chinese_case_number_names_no_one(extractor):
    draft = extractor.draft("Case summary: Altay Intermediate People's Court, criminal judgment (2018) Xin 43 Xing Chu "
                            "No. 117. The defendant Serik Amanov was sentenced to ten years in 2018.")
    assert {p["name"] for p in draft["persons"]} == {"Serik Amanov"}
