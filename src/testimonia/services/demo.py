"""The demo registry: the story of shared/data/intake/dev/01_embassy_meeting.txt entered as records.

The press release (ChinaAid, Almaty, 6 May 2018) was given to the press by the families; it is the
project's demo. Everything recorded here is what the text says, tied to it as a Source.
"""

from __future__ import annotations

from importlib.resources import files

from .access import Actor
from .inputs import EventInput, NameInput, PersonInput, SourceInput, TestimonyInput
from .petitions import create_petition
from .records import add_event, add_person, add_relation, add_source, add_testimony

PRESS_RELEASE = files("testimonia.services") / "demo_data" / "01_embassy_meeting.txt"


def load_demo(registry, actor: Actor, project_id: str) -> dict[str, str]:
    text = PRESS_RELEASE.read_text(encoding="utf-8")
    source = add_source(registry, actor, project_id, SourceInput(
        "press_release", title="Chinese Kazakh embassy attempts private meeting with prisoners’ families",
        date="2018-05-06", language="en", publisher="ChinaAid", text=text))

    def span(phrase: str) -> tuple[int, int]:
        start = text.index(phrase)
        return start, start + len(phrase)

    def person(*names: str, **fields) -> str:
        return add_person(registry, actor, project_id, PersonInput(names=[NameInput(n) for n in names], **fields), source)

    def events(person_id: str, *items: tuple) -> None:
        for order, (kind, date, place, facility, phrase) in enumerate(items):
            add_event(registry, actor, person_id, EventInput(kind, date, place, facility, order, span(phrase)), source)

    arzegul = person("Arzegul Halambek", sex="female", ethnicity="kazakh", hometown="654028")
    junisbay = person("Junisbay Nasilbek", sex="male", ethnicity="kazakh", age_years=66, age_at="2018-05-06")
    sara = person("Sara Jengisnek", sex="female")
    husband = person(sex="male")
    son = person(sex="male")
    advocate = person("Saierkejian Bilaixi", sex="male", occupation="volunteer, Atajolt Youth Volunteer Organization")

    events(arzegul,
           ("emigrated", "2008", "KZ", None, "immigrated to Kazakhstan with his wife, Arzegul Halambek, in 2008"),
           ("returned_to_china", "2018-01", "654028", None, "returned to Nilka County"),
           ("house_arrest", "2018-01", "654028", None, "she was placed under house arrest"),
           ("passport_confiscated", "2018-01", "654028", None, "her passport was confiscated"),
           ("interrogated", "2018-01", "654028", None, "The police questioned her thoroughly"))
    events(junisbay, ("emigrated", "2008", "KZ", None, "immigrated to Kazakhstan with his wife, Arzegul Halambek, in 2008"))
    events(sara, ("emigrated", "2015-10", "KZ", None, "she and her husband immigrated to Kazakhstan in October 2015"))
    events(husband,
           ("emigrated", "2015-10", "KZ", None, "she and her husband immigrated to Kazakhstan in October 2015"),
           ("returned_to_china", "2017-07-30", "CN", None, "her husband went back to China on July 30, 2017"),
           ("sent_to_camp", "2017", None, "political training center",
            "detained in\na political training center for almost\na year"))
    add_relation(registry, actor, arzegul, "spouse", junisbay, source)
    add_relation(registry, actor, sara, "spouse", husband, source)
    add_relation(registry, actor, sara, "child", son, source)
    add_testimony(registry, actor, project_id, TestimonyInput(
        "Junisbay Nasilbek", relation="spouse", medium="in_person", consent="named", recorded_on="2018-05-06",
        summary="Speaks to the press about his wife, under house arrest in Nilka County with her passport taken."),
        [arzegul], source_id=source, testifier_id=junisbay)
    add_testimony(registry, actor, project_id, TestimonyInput(
        "Sara Jengisnek", relation="spouse", medium="in_person", consent="named", recorded_on="2018-05-06",
        summary="Her husband went back to China on 30 July 2017 and was sent to a political training center."),
        [husband], source_id=source, testifier_id=sara)
    petition = create_petition(
        registry, actor, project_id, "Petitions on the detention of Kazakhs in Xinjiang",
        "Embassy of the People's Republic of China in Kazakhstan", [arzegul, husband], sent_on="2018-05-06",
        channel="letters", sent_by="Atajolt Youth Volunteer Organization (Saierkejian Bilaixi) and the families",
        text="“We have submitted many petitions in the past … the Chinese government never responds.” "
             "(sent before 6 May 2018; the press release gives no exact date)")
    return {"source": source, "arzegul": arzegul, "junisbay": junisbay, "sara": sara, "husband": husband,
            "son": son, "advocate": advocate, "petition": petition}
