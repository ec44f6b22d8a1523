"""The draft a document's analysis becomes: persons with their roles, statuses, relations, events,
places and ages, in the JSON schema of docs/intake.md, and the organisations named."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from ..domain.status import EventFact, derive_status
from ..domain.vocab import EventType
from . import lexicon
from .context import Context, Event
from .mentions import Person
from .places import PlaceMention

_STATUS_EVENTS = {"sent_to_camp", "sentenced", "imprisoned", "house_arrest", "forced_labor"}


def assemble(ctx: Context, document_date: str | None) -> dict:
    persons = [p for p in ctx.people.persons if p.mentions]
    renumber = {p.id: f"p{i}" for i, p in enumerate(persons, 1)}
    events_of: dict[str, list[Event]] = {p.id: [] for p in persons}
    for event in ctx.events:
        if event.person.id in events_of:
            _add_event(events_of[event.person.id], event)
    homes, ages = _homes(ctx), _ages(ctx, document_date)
    out = []
    for person in persons:
        events = _without_generic_detentions(ctx, events_of[person.id])
        facts = [EventFact(str(i), EventType(e.type), e.date, "draft", e.trigger,
                           at_detention_center=bool(e.facility and e.facility.type == "detention_center"))
                 for i, e in enumerate(events)]
        held = [e for e in events if e.type not in ("summoned", "interrogated", "surveillance", "returned_to_china",
                                                      "emigrated", "died")]
        detained = bool(held) or any(e.type == "died" and (e.facility or _in_custody(ctx, e)) for e in events)
        status = derive_status(facts, detained=detained).status.value if detained else None
        if person.id in ctx.stated_status:  # what the record says holds now, over what its story implies
            detained, status = True, ctx.stated_status[person.id]
        role = "detained" if detained else _role(ctx, person)
        places: list[dict] = []
        for place in [e.place for e in events if e.place] + homes.get(person.id, []):
            if {"text": place.text, "code": place.code} not in places:
                places.append({"text": place.text, "code": place.code})
        spans = sorted((m.start, m.end) for m in person.mentions)
        mentions = list(dict.fromkeys(m.text for m in sorted(person.mentions, key=lambda m: m.start)))
        item = {"id": renumber[person.id], "name": person.names[0] if person.names else None, "mentions": mentions,
                "spans": [list(s) for s in spans], "role": role, "status": status,
                "confidence": round(person.confidence, 2),
                "relations": [{"type": t, "to": renumber[to]} for t, to in sorted(person.relations) if to in renumber],
                "events": [e.as_json() for e in events], "places": places}
        if person.groups:
            item["groups"] = [{"text": g.text, "span": [g.start, g.end]} for g in person.groups]
        if person.id in ages:
            item["age"] = ages[person.id]
        out.append(item)
    return {"document": {"date": document_date, "language": ctx.doc.lang_}, "persons": out,
            "organizations": _organizations(ctx)}


def _organizations(ctx: Context) -> list[str]:
    """ORG entities (and PERSON ones that are plainly groups: "Tugan Zher Volunteer Group"), stretched
    over what names them further ("Ministry of Foreign Affairs of Kazakhstan", "… in Almaty"), cut at a
    line break; not nationalities, not persons, not places."""
    doc, out = ctx.doc, []
    for ent in ctx.ents:
        words = {t.lower_ for t in ent}
        if not (ent.label_ == "ORG" or (ent.label_ == "PERSON" and words & lexicon.ORGANISATION_WORDS)):
            continue
        def named(i: int) -> bool:
            return i < len(doc) and doc[i].pos_ == "PROPN" and doc[i].ent_type_ != "DATE" and "\n" not in doc[i - 1].whitespace_

        end = ent.end
        while end + 1 < len(doc) and doc[end].lower_ in ("of", "in", "for") and "\n" not in doc[end - 1].whitespace_:
            first = end + 2 if doc[end + 1].lower_ == "the" else end + 1
            if not named(first):
                break
            end = first
            while named(end):
                end += 1
        span = doc[ent.start:end]
        text = span.text.split("\n")[0]
        if len(span) == 1 and span[0].lower_ in lexicon.NOT_NAMES:
            continue  # "Kazakh", "Uyghur"
        if any(i in ctx.people.by_token for i in range(span.start, span.end)):
            continue
        if any(p.start <= span.start and span.end <= p.end for p in ctx.places):
            continue
        out.append(_strip_article(text))
    return list(dict.fromkeys(out))


def _add_event(events: list[Event], event: Event) -> None:
    """Keep one event of a type per person unless their own dates differ: a repeated telling is one
    event, and the telling with its own time phrase wins over an inherited or missing one."""
    def rank(e: Event) -> tuple:
        return (e.date is not None and not e.inherited, e.date is not None, e.confidence)

    for i, known in enumerate(events):
        if known.type != event.type:
            continue
        if known.date == event.date or min(rank(known)[0], rank(event)[0]) is False:
            kept, other = (event, known) if rank(event) > rank(known) else (known, event)
            kept.facility = kept.facility or other.facility  # "detained … and held at the … detention center"
            kept.place = kept.place or other.place
            events[i] = kept
            return
    events.append(event)


def _without_generic_detentions(ctx: Context, events: list[Event]) -> list[Event]:
    """"detained since January" (a caption) beside "placed under house arrest" in January (the story):
    one fact told twice, the second time precisely — the generic detention (no facility) gives way.
    In one sentence ("detained and sent to a camp") they are two acts, and both stay."""
    sentence = ctx.people.sentence

    def retold(generic: Event) -> bool:
        return any(e.type in _STATUS_EVENTS and e.date == generic.date
                   and sentence(e.trigger).start != sentence(generic.trigger).start for e in events)

    return [e for e in events if not (e.type == "detained" and e.facility is None and e.date and retold(e))]


def _in_custody(ctx: Context, event: Event) -> bool:
    """A death told with custody words ("died in custody", "died in the camp"), or beside the people of a
    place of custody in the sentences on either side ("… and died there. The guards carried his body
    away"; not a border's guards)."""
    sentence = ctx.people.sentence(event.trigger)
    if "at home" in ctx.doc[event.trigger:min(event.trigger + 8, sentence.end)].text:
        return False  # "died of a stroke at home in Chöchek in 2021 while my mother was in prison"
    if any(t.lemma_.lower() in lexicon.CUSTODY_WORDS for t in sentence):
        return True
    doc = ctx.doc
    around = doc[ctx.people.sentence(max(sentence.start - 1, 0)).start:
                 ctx.people.sentence(min(sentence.end, len(doc) - 1)).end]
    return any(t.lemma_.lower() in lexicon.CUSTODY_STAFF and not (t.i and doc[t.i - 1].lower_ == "border")
               for t in around)


def _homes(ctx: Context) -> dict[str, list[PlaceMention]]:
    """Places the text ties to a person as home or residence: "lives in Almaty", "a native of Ghulja",
    "Aliya Bekenova, in Almaty", "Madina Sultan (Almaty)" — the place's sentence must be about them."""
    out: dict[str, list[PlaceMention]] = {}
    by_token, doc = ctx.people.by_token, ctx.doc
    for place in ctx.places:
        owner = None
        if place.start >= 2 and doc[place.start - 1].text in ("(", "in", "from", ",", "of") and place.kind in (
                "city", "city_of_republican_significance", "country", "county", "region", "prefecture"):
            # "Madina Sultan (Almaty)", "Reported by Maira Dauletkhan, Almaty", "Erkin Tursun of Ghulja",
            # "Bolat Zhumagali, 38, of Almaty"
            before = place.start - 2
            if doc[place.start - 1].text != "," and before >= 2 and doc[before].text == "," and doc[before - 1].like_num:
                before -= 3 if doc[before - 2].text == "," else 2
            owner = by_token.get(before)
        if owner is None:  # "Gaukhar Nurmagambetova, an Almaty lawyer", "X, an Almaty-based volunteer", "X, a nurse in Almaty"
            last = doc[place.end - 1]
            described = last.head.head if last.head.lower_ in ("based", "in") else last.head
            if (last.dep_ in ("compound", "amod", "npadvmod") or last.dep_ == "pobj" and last.head.lower_ == "in") and \
                    described.dep_ == "appos" and described.pos_ == "NOUN" and described.lemma_ not in lexicon.NOT_HOMES:
                owner = ctx.people.person_of(described.head)
        if owner is None and place.start >= 3 and doc[place.start - 2:place.start].text in (", in", ", from"):
            owner = by_token.get(place.start - 3)
        companions: list[Person] = []
        if owner is None:  # "had lived with his family in Almaty": the subject of the verb of living
            verb = next((t for t in list(doc[place.end - 1].ancestors)[:4]
                         if t.pos_ in ("VERB", "AUX") and t.lemma_ in lexicon.HOME_WORDS), None)
            subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")] if verb is not None else []
            if verb is not None and verb.dep_ == "relcl" and any(c.lower_ in ("who", "that") for c in subjects):
                subjects = [verb.head]  # "his son, Ilyar Tursunjan, who lives in Utrecht"
            owner = next((who for c in subjects if (who := ctx.people.person_of(c))), None)
            if owner is not None:  # "lives in Burqin with his wife, Gulzhan Kasymkyzy"
                companions = _persons_with(ctx, verb)
            elif ctx.people.narrators and verb is not None and _said_of_us(verb, subjects):
                owner, companions = ctx.people.narrators[0], ctx.people.narrators[1:]
        if owner is None:  # "her small house in Tokmok"
            dwelling = doc[place.start - 1].head if doc[place.start - 1].lower_ == "in" else None
            if dwelling is not None and dwelling.lower_ in lexicon.HOME_PLACES:
                owner = next((who for c in dwelling.children if c.dep_ == "poss"
                              and (who := ctx.people.person_of(c, as_owner=True))), None)
        if owner is None and any(t.lemma_.lower() in lexicon.HOME_WORDS or t.lower_ in lexicon.HOME_WORDS
                 for t in doc[max(place.start - 3, 0):place.start]):
            sentence = ctx.people.sentence(place.start)
            for i in range(place.start - 1, sentence.start - 1, -1):
                token = doc[i]
                if (who := ctx.people.person_of(token)) is not None and (
                        token.dep_ in ("nsubj", "nsubjpass", "appos", "ROOT", "poss") or i in by_token):
                    owner = who
                    break
        if owner is not None:
            for who in [owner, *_conjoined(ctx, owner), *companions]:
                out.setdefault(who.id, []).append(place)
    return out


def _said_of_us(verb: Token, subjects: list[Token]) -> bool:
    """A verb of living whose subject is the letter's "we": "we live in Istanbul", "We are four brothers and
    sisters who have lived in Istanbul"."""
    if any(c.lower_ == "we" for c in subjects):
        return True
    copula = verb.head.head if verb.dep_ == "relcl" and verb.head.dep_ == "attr" else None
    return copula is not None and any(c.dep_ == "nsubj" and c.lower_ == "we" for c in copula.children)


def _persons_with(ctx: Context, verb: Token) -> list[Person]:
    """The persons a verb of living is done "with", and the name beside each ("with his wife, Gulzhan")."""
    out = []
    for prep in (c for c in verb.children if c.lower_ == "with"):
        for noun in (g for g in prep.children if g.dep_ == "pobj"):
            for token in (noun, *noun.conjuncts, *(c for c in noun.children if c.dep_ == "appos")):
                who = ctx.people.person_of(token)
                if who is not None and who not in out:
                    out.append(who)
    return out


def _conjoined(ctx: Context, person: Person) -> list[Person]:
    """"her mother and her sister live in Ghulja": the persons coordinated with a person's mention."""
    out = []
    for mention in person.mentions:
        for conj in ctx.doc[mention.token_end - 1].conjuncts:
            who = ctx.people.person_of(conj)
            if who is not None and who is not person and who not in out:
                out.append(who)
    return out


def _strip_article(text: str) -> str:
    text = " ".join(text.split())
    text = text[4:] if text.lower().startswith("the ") else text
    return text.removesuffix("’s").removesuffix("'s")


def _role(ctx: Context, person: Person) -> str:
    """official or advocate when a word that describes the person says so, or the organisation the
    person is "of" ("Yerzhan Tolegenov of the Kokzhiyde Families Committee"); relative when related."""
    organisations = {i: e for e in ctx.ents if e.label_ == "ORG" for i in range(e.start, e.end)}
    for mention in person.mentions:
        root = ctx.doc[mention.token_end - 1]
        introduced = _introduced_by(ctx.doc, mention.token_start)
        described = {t.lemma_.lower() for t in _descriptions(root)} | introduced
        ambiguous = described & lexicon.OFFICIAL_WORDS & lexicon.ADVOCATE_WORDS  # "director", "spokesperson"
        if ambiguous and described & lexicon.ORGANISATION_WORDS and not described & lexicon.STATE_BODIES:
            return "advocate"  # "Executive Director, Uyghur Families Advocacy Network"
        if {"case", "officer"} <= described:
            return "advocate"  # a support group's "Case officer: …", not a police officer
        if described & lexicon.OFFICIAL_WORDS or introduced & lexicon.STATE_BODIES:  # "a woman at the prison who gave …"
            return "official"
        if described & lexicon.ADVOCATE_WORDS and not (described & lexicon.ADVOCATE_WORDS == {"member"} and person.relations):
            return "advocate"  # "our member Nadire Kasim", the mother of a detained woman, speaks as her family
        led = _led_body(root)
        if led:
            return "official" if led & lexicon.STATE_BODIES else "advocate"
        for prep in (c for c in root.children if c.lower_ in ("of", "from", "at") and c.i == root.i + 1):
            body = next((organisations[g.i] for g in prep.children if g.dep_ == "pobj" and g.i in organisations), None)
            if body is not None:
                words = {t.lower_ for t in body}
                return "official" if words & lexicon.STATE_BODIES else "advocate"
    if person.relations or person is ctx.people.narrator or any(_reports(ctx.doc, m) for m in person.mentions):
        return "relative"  # a case is reported by its family: "Reported by Aigul Sailaubekkyzy, Zharkent"
    return "other"


def _reports(doc: Doc, mention) -> bool:
    before = doc[max(mention.token_start - 3, 0):mention.token_start].text.lower()
    return before.endswith(("reported by", "submitted by", "reported by:", "submitted by:", "testifier:"))


def _introduced_by(doc: Doc, start: int) -> set[str]:
    """The words that introduce a name the way reports give an official's: "an official at the county
    committee who gave his name as Zhang Wenbin", "… who gave only his surname, Li", "a man who identified
    himself as …", and label lines ("Presiding judge: Zhou Hailong")."""
    if " ".join(t.lower_ for t in doc[max(start - 6, 0):start]).endswith(_GIVES_NAME):
        sentence = doc[start].sent
        who = next((t for t in reversed(doc[sentence.start:start]) if t.lower_ == "who"), None)
        if who is not None:
            return {t.lemma_.lower() for t in doc[max(who.i - 12, sentence.start):who.i] if t.pos_ == "NOUN"}
    if start and doc[start - 1].text == ":":
        label = []
        for token in reversed(doc[max(start - 5, 0):start - 1]):
            if "\n" in token.text or token.ent_type_ == "PERSON":
                break
            label.append(token.lemma_.lower())
        return set(label)
    return set()


_GIVES_NAME = ("name as", "surname ,", "surname", "name ,", "himself as", "herself as")


def _led_body(root: Token) -> set[str]:
    """The words of the body a person heads, leads or founded ("Yusup Shimarov, who heads a Dungan rights
    group"; "she runs the county police bureau"), when it is one."""
    verbs = [root.head] * (root.dep_ == "nsubj") + [c for c in root.children if c.dep_ == "relcl"]
    for verb in verbs:
        if verb.lemma_ in lexicon.LEADING_VERBS:
            body = {t.lower_ for c in verb.children if c.dep_ == "dobj" for t in c.subtree}
            if body & (lexicon.ORGANISATION_WORDS | lexicon.STATE_BODIES):
                return body
    return set()


def _descriptions(root: Token) -> list[Token]:
    """The words of a name's own noun phrase: "police officer Liu", "Bilaixi, a member of …",
    "an official named Liu", "Rozi is a cadre"."""
    out: list[Token] = []
    for child in root.children:
        if child.dep_ in ("compound", "appos", "amod"):  # "Katharina Vogt, Member of the German Bundestag"
            out += [t for t in child.subtree if t.i < child.i + (7 if child.dep_ == "appos" else 4)]
    head = root.head
    if root.dep_ in ("compound", "appos") and _same_item(root, head):
        out += [head, *[c for c in head.children if c.dep_ == "compound"]]
    if head.lemma_ in ("name", "call", "surname", "surnamed") and root.dep_ in ("oprd", "dobj", "attr", "npadvmod"):
        out += [head.head, *[c for c in head.head.children if c.dep_ == "compound"]]
    if root.dep_ == "nsubj" and head.lemma_ == "be":
        out += [t for c in head.children if c.dep_ == "attr" for t in c.subtree]
    # "an official … who gave his name as Liu", "the Consul General of Kazakhstan in Urumqi, Askar Temirbekov"
    out += _item_before(root)
    out += [t for a in list(root.ancestors)[:4] if _same_item(root, a)
            for t in (a, *(c for c in a.children if c.dep_ == "compound"))
            if t.pos_ == "NOUN" or t.lower_ in lexicon.OFFICIAL_WORDS | lexicon.ADVOCATE_WORDS]
    return out


def _item_before(root: Token) -> list[Token]:
    """The nouns before a name in its item of a list split by semicolons ("…; the applicant's lawyer,
    mr. E. Bakker."), which the parser may hang elsewhere."""
    sentence = root.sent
    start = next((t.i + 1 for t in reversed(root.doc[sentence.start:root.i]) if t.text in (";", ":")), None)
    if start is None or not any(t.text == ";" for t in sentence):
        return []
    return [t for t in root.doc[start:root.i] if t.pos_ == "NOUN"]


def _same_item(a: Token, b: Token) -> bool:
    """No semicolon between: "Present: the interviewing officer; …; the applicant's lawyer, mr. E. Bakker"
    lists several people, and the parser hangs them all on the first."""
    return not any(t.text == ";" for t in a.doc[min(a.i, b.i):max(a.i, b.i)])


def _ages(ctx: Context, document_date: str | None) -> dict[str, dict]:
    """"Rahima Abdukerim, 52,", "now 66 years old", "the 45-year-old", "aged 45": whose age, at the document date."""
    doc, people, out = ctx.doc, ctx.people, {}
    for token in doc:
        if not token.text.isdigit() or not 10 <= int(token.text) <= 110:
            continue
        following = doc[token.i + 1: token.i + 4].text.lower().replace("-", " ")
        preceding = doc[token.i - 1].lower_ if token.i else ""
        owner = None
        if preceding in (",", "(") and token.i >= 2 and token.i + 1 < len(doc) and doc[token.i + 1].text in (",", ")", ";", "."):
            owner = people.by_token.get(token.i - 2)
        elif following.startswith(("years old", "year old")) or preceding == "aged":
            sentence = people.sentence(token.i)
            subjects = [t for t in sentence if t.dep_ in ("nsubj", "nsubjpass") and t.i < token.i]
            owner = next((who for t in reversed(subjects) if (who := people.person_of(t))), None)
            if owner is None:
                owner = next((people.by_token[i] for i in range(token.i - 1, sentence.start - 1, -1)
                              if i in people.by_token), None)
        if owner is not None and owner.id not in out:
            out[owner.id] = {"years": int(token.text), "at": document_date}
    return out
