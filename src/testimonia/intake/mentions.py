"""Who a text is about: name mentions grouped into persons, kinship phrases, pronouns and speakers.

Persons come from spaCy's PERSON entities; a shorter or differently spelled form of a name already
seen ("Bilaixi" after "Saierkejian Bilaixi", "Kadyrbek" after "Nurlan Kadirbek") joins that person,
compared through `testimonia.names`. An unnamed person exists only through a kinship phrase ("her
husband", "my son"), and is the same person each time the same possessor and kinship word recur.
A name is never invented: every name is a span of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .. import names
from . import lexicon, tables
from .places import names_a_place

# Two full names in one document are one person's only when each part has a close counterpart: a family
# shares name parts (a son's second name is his father's first: "Kenzhebay Tokhtarov" and "Dauren
# Kenzhebayev" score 0.60 overall), while spelling variants pair every part ("Jazira Amanbay"). On
# shared/data/names/pairs.tsv's Latin–Latin pairs this keeps 75% of true pairs and no false one.
SAME_PERSON_PART = 0.8


def _variant_score(comparison: names.Comparison) -> float:
    """The comparison's score when every part is paired at SAME_PERSON_PART or better, else 0."""
    if not comparison.same or comparison.unpaired_a or comparison.unpaired_b:
        return 0.0
    return comparison.score if all(m.similarity >= SAME_PERSON_PART for m in comparison.matches) else 0.0


_SEX_OF_GENDER = {"m": "male", "f": "female"}  # names' part gender → the pronouns' sex (lexicon.SEX_OF_PRONOUN)
_FIELD = re.compile(r"^\s*[A-Z][\w .]{0,25}:")  # a header line: "Born: 1965", "Current status: …"
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’\-]*$")
_INITIAL = re.compile(r"^[A-Z]\.$")  # "A." of "A. K. Sarsenbayeva"


@dataclass
class Mention:
    start: int  # character offsets into the text
    end: int
    text: str
    token_start: int
    token_end: int


@dataclass(eq=False)  # a person is itself: compared and hashed by identity
class Person:
    id: str
    names: list[str] = field(default_factory=list)  # full written forms, first first
    mentions: list[Mention] = field(default_factory=list)
    sex: str | None = None
    kin: tuple[str, str] | None = None  # (possessor id, kinship word) for an unnamed person
    confidence: float = 0.9
    relations: set[tuple[str, str]] = field(default_factory=set)
    groups: list[Mention] = field(default_factory=list)  # "their five children": notes, not persons

    @property
    def parts(self) -> set[str]:
        return {_fold(part) for name in self.names for part in name.split() if len(part) > 1}


_TEXT = ("testimonia", "text")  # where text_of keeps the joined text, in the doc's user_data


def line_start(text: str, char: int) -> int:
    """Where the line that holds character `char` begins."""
    return text.rfind("\n", 0, char) + 1


def text_of(doc: Doc) -> str:
    """The document's text, joined once: spaCy's Doc.text joins every token's text each time it is asked."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def _initials_fit(short: list[str], full: list[str]) -> bool:
    """Whether "A. Sarsenbayeva" abbreviates `full`: the same surname, each initial a given name's, in order."""
    given = iter(_fold(part)[:1] for part in full[:-1])
    return _fold(full[-1]) == _fold(short[-1]) and all(_fold(initial)[:1] in given for initial in short[:-1])


def _fold(text: str) -> str:
    return names.normalise(text).replace("’", "'")


def clean_name(span: Span) -> Span | None:
    """A PERSON entity without titles, a possessive ending or a place beside it ("Toktobaeva, Bishkek"
    read as one name); None when it does not look like a name."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in lexicon.TITLES
                           or not (_NAME_TOKEN.match(doc[start].text) or _INITIAL.match(doc[start].text))
                           or (end - start > 1 and names_a_place(doc[start].text))):
        start += 1
    while end > start and (doc[end - 1].lower_ in ("'s", "’s", "'", "’") or not _NAME_TOKEN.match(doc[end - 1].text)
                           or (end - start > 1 and (names_a_place(doc[end - 1].text)
                                                    or doc[end - 1].lower_ in lexicon.TITLES))):  # "… Yarmuhammad, Chair"
        end -= 1
    while start < end and _INITIAL.match(doc[start].text) and (end - start == 1 or not _INITIAL.match(doc[start + 1].text)
                                                                and not _NAME_TOKEN.match(doc[start + 1].text)):
        start += 1  # an initial is kept only before a name
    if start >= end or (end - start == 1 and (names_a_place(doc[start].text) or doc[start].pos_ != "PROPN")):
        return None  # a place, or a headline's word ("Confined", "In")
    tokens = doc[start:end]
    if any(t.lower_ in lexicon.KIN or t.lower_ in lexicon.KIN_PLURAL for t in tokens):
        return None
    if end < len(doc) and (doc[end].text in ("No.", "No") or doc[end].text.isdigit() and start > 0 and doc[start - 1].text == ")"):
        return None  # a Chinese case number: "(2018) Xin 31 Xing Chu No. 214"
    han_name = len(tokens) in (2, 3) and tokens[0].lower_ in lexicon.HAN_SURNAMES  # "Zhang Hui" is a name
    inner_hyphens = {t.i for t in tokens[1:-1]  # "Bat-Erdene Jargal", not "Anwar - Anwar Nazir"
                     if t.text in ("-", "‐") and not t.whitespace_ and not doc[t.i - 1].whitespace_}
    if not all(t.text[:1].isupper() or t.i in inner_hyphens for t in tokens) or any(
            t.lower_ in lexicon.NOT_NAMES and not (han_name and t.lower_ in ("hui", "han")) for t in tokens):
        return None
    return tokens


class People:
    """The persons of one document, built mention by mention in reading order."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.text = text_of(doc)
        self.persons: list[Person] = []
        self.by_token: dict[int, Person] = {}  # token index → the person a mention there refers to
        self._kin: dict[tuple[str, str], Person] = {}
        self._created = 0
        self.narrator: Person | None = None
        self.narrators: list[Person] = []  # "We, Dilnoza Yusupova and her brother Sherzod, …": who "we" are
        self._byline: dict[str, bool] = {}  # whether a byline names the person, by id
        self._parent_pairs: list[list[Person]] = []  # "my parents, X and Y", "the children of X and Y": X and Y
        self.pronouns: dict[int, Person] = {}  # third-person pronouns resolved, so that "he … he … he" chains
        self.sentences = _sentences(doc)
        self._sentence_of = [0] * len(doc)
        for n, sentence in enumerate(self.sentences):
            self._sentence_of[sentence.start:sentence.end] = [n] * len(sentence)
        self._paragraph_of = _paragraph_bounds(doc)
        self._speakers: dict[tuple[int, bool], Person | None] = {}  # by sentence
        self._role_labels: dict[str, Person] | None = None  # built once the names are known
        self._prepared: dict[str, names.PreparedName] = {}
        self.rows = {row.start: row for row in tables.rows(self.text)}
        self._row_cases: dict[int, Person | None] = {}  # by the character where a table row begins

    def _new(self, **fields) -> Person:
        self._created += 1
        person = Person(id=f"p{self._created}", **fields)
        self.persons.append(person)
        return person

    def sentence(self, i: int) -> Span:
        return self.sentences[self._sentence_of[i]]

    def paragraph(self, i: int) -> Span:
        start, end = self._paragraph_of[i]
        return self.doc[start:end]

    def add_mention(self, person: Person, span: Span) -> None:
        """A mention; the tokens another mention already holds ("her husband" in "her husband's
        brother") stay that mention's, and the phrase keeps its full text."""
        free = [i for i in range(span.start, span.end) if i not in self.by_token]
        if not free or free[-1] != span.end - 1:
            return
        person.mentions.append(Mention(span.start_char, span.end_char, span.text, span.start, span.end))
        for i in free:
            self.by_token[i] = person

    # --- names --------------------------------------------------------------------------------
    def add_names(self, spans: list[Span]) -> None:
        """Full names first (they define persons), then the short forms that refer back to them."""
        aliases = _aliases(spans)
        person_at: dict[int, Person] = {}
        for span in sorted(spans, key=lambda s: (-(len(s) > 1), s.start)):
            person = person_at.get(aliases.get(span.start)) or self._person_for_name(span.text, span.start)
            if person is None:
                person = self._new(names=[span.text], confidence=0.9 if len(span) > 1 else 0.7,
                                   sex=self._sex_of_name(span.text))
            elif len(span) > 1 and _fold(span.text) not in {_fold(n) for n in person.names}:
                person.names.append(span.text)
            self.add_mention(person, span)
            person_at[span.start] = person

    def _person_for_name(self, text: str, at: int) -> Person | None:
        words = [_fold(w) for w in text.split()]
        best, best_score = None, 0.0
        for person in self.persons:
            if person.kin:
                continue
            if len(words) == 1 and words[0].casefold() in {part.casefold() for part in person.parts}:  # "MEIRAMGUL"
                score = 1.0
            elif _INITIAL.match(text.split()[0]):  # "A. Sarsenbayev" is "Amanzhol Sarsenbayev"
                if not any(_initials_fit(text.split(), n.split()) for n in person.names):
                    continue
                score = 1.0
            elif any(_fold(n) == " ".join(words) for n in person.names):
                score = 1.1
            else:
                score = max(_variant_score(names.compare(self._prepare(text), self._prepare(n))) for n in person.names)
                if score == 0 or (len(words) > 1 and min(len(n.split()) for n in person.names) < 2):
                    continue
            # Ties go to the person mentioned most recently before this point.
            recency = max((m.token_start for m in person.mentions if m.token_start < at), default=-1)
            if (score, recency) > (best_score, -1 if best is None else self._recency(best, at)):
                best, best_score = person, score
        return best

    def _sex_of_name(self, text: str) -> str | None:
        """"Gulnur Serikbaikyzy" is a woman, "Nurbol Serikbaiuly" a man: the names capability reads the
        endings (-kyzy, -uly, -ova, -ov …); None when no part has one or they disagree."""
        genders = {part.gender for part in self._prepare(text).parts if part.gender}
        return _SEX_OF_GENDER[genders.pop()] if len(genders) == 1 else None

    def _prepare(self, text: str) -> names.PreparedName:
        if text not in self._prepared:
            self._prepared[text] = names.prepare(text)
        return self._prepared[text]

    def _recency(self, person: Person, at: int) -> int:
        return max((m.token_start for m in person.mentions if m.token_start < at), default=-1)

    def add_short_forms(self) -> None:
        """Tokens that are a part of a known name but that the NER labelled otherwise or missed."""
        # Case aside: a speaker's label is often in capitals ("GULNUR:"). Adding mentions changes no one's names.
        named = [(p, {part.casefold() for part in p.parts}) for p in self.persons if not p.kin]
        for token in self.doc:
            if token.i in self.by_token or not token.text[:1].isupper() or len(token.text) < 3:
                continue
            word = _fold(token.text.removesuffix("'s").removesuffix("’s")).casefold()
            owners = [p for p, parts in named if word in parts]
            if owners:
                owner = max(owners, key=lambda p: self._recency(p, token.i))
                end = token.i + 1
                span = self.doc[token.i:end]
                if token.text.endswith(("'s", "’s")):
                    span = self.doc.char_span(token.idx, token.idx + len(token.text) - 2) or span
                self.add_mention(owner, span)

    def row_case(self, i: int) -> Person | None:
        """In a table of one line per person ("1 | Nurlan Zhakypbek | M, 47 | … | brother Yersin Zhakypbek |
        detained in March 2018 …"), the person the row of token `i` is about: the name in its "Name" column, or
        without a header the first name that begins a cell. None outside a table row or where there is none."""
        row = self.rows.get(line_start(self.text, self.doc[i].idx))
        return self.case_of_row(row) if row is not None else None

    def case_of_row(self, row: tables.Row) -> Person | None:
        """The person a table row is about (row_case's)."""
        if row.start not in self._row_cases:
            name = row.name_cell()
            cells = [name] if name is not None else row.cells
            firsts = [self.doc.char_span(a, a + 1, alignment_mode="expand") for a, b in cells if b > a]
            named = [p for token in firsts if token is not None and (p := self.by_token.get(token.start)) and not p.kin]
            self._row_cases[row.start] = named[0] if named else None
        return self._row_cases[row.start]

    # --- who a pronoun or a possessive means ----------------------------------------------------
    def antecedent(self, token: Token, sex: str | None = None, exclude: Person | None = None) -> Person | None:
        """The person a third-person pronoun most likely refers to: the nearest earlier mention of the
        right sex, looking back at most three sentences; one in its own sentence preferred, then one in its
        own paragraph (a new paragraph often brings in a new person), then subjects."""
        case = self.row_case(token.i)
        if case is not None and case is not exclude and not (sex and case.sex and case.sex != sex):
            return case  # "his son Almaz Nurbekov" in a table row: the son of the row's person
        sentence = self.sentence(token.i)
        window_start = sentence.start
        for _ in range(3):
            if window_start == 0:
                break
            window_start = self.sentence(window_start - 1).start
        label = _SPEAKER_LABEL.match(self.text, line_start(self.text, token.idx))
        # the turn's speaker says "I", not "he" ("Owen Pritchard (Cardiff West):", not "Update on Bolat Zhumabekov:")
        speaking = label.span("label") if label and all(
            word[:1].isupper() for word in label.group("label").split("(")[0].split()) else (0, 0)
        candidates: list[tuple[int, int, Person]] = []
        for i in range(token.i - 1, window_start - 1, -1):
            person = self.by_token.get(i) or self.pronouns.get(i)
            if person is None or person is exclude or (sex and person.sex and person.sex != sex) or \
                    self._bylined(person) or speaking[0] <= self.doc[i].idx < speaking[1] or \
                    sex and lexicon.SEX_OF_PRONOUN.get(self.doc[i].lower_, sex) != sex:  # "is she aware … he died"
                continue
            head = self.doc[i]
            same_sentence = self._sentence_of[i] == self._sentence_of[token.i]
            cited = _cited_source(head)
            if same_sentence and cited:
                continue  # "according to my aunt, she …": the source is not who the sentence is about
            is_subject = not cited and (head.dep_ in ("nsubj", "nsubjpass") or head.head.dep_ in ("nsubj", "nsubjpass"))
            same_paragraph = self._paragraph_of[i] == self._paragraph_of[token.i]
            candidates.append((int(same_sentence) * 4 + int(same_paragraph) * 2 + int(is_subject), i, person))
        if not candidates:
            return None
        return max(candidates)[2]

    def find_narrator(self, span: Span | None, signatures: list[Span]) -> None:
        """The person a first-person document is by: "Testifier: X", "My name is X", "I, X,", "Sincerely, X"
        (`span`, narrator_span's); the names `signatures` (signers') are the "we" of a letter they sign."""
        signed = [self.by_token[s.start] for s in signatures if s.start in self.by_token]
        if len(signed) > 1:
            self.narrators = signed
            return
        if span is not None:
            self.narrator = next((self.by_token[t.i] for t in span if t.i in self.by_token), None)
        if self.narrator is None and self._told_in_the_first_person():
            # "MY FATHER ⏎ by Aizere Bolatkyzy, grade 6": the author of a text told in the first person
            self.narrator = next((person for person in self.persons if not person.kin and any(
                BYLINE.match(self._line_of(m.start), 0) and m.start < SIGNATURE_TAIL for m in person.mentions)), None)
        for token in self.doc[:-1]:
            if token.lower_ == "we" and self.doc[token.i + 1].lower_ in (",", "are"):  # "We, X and Y" / "We are X and Y"
                named = []
                for t in self.doc[token.i + 2:token.i + 14]:
                    if t.text in (".", ";") or (t.text == "," and named):
                        break
                    if (who := self.by_token.get(t.i)) is not None and who not in named:
                        named.append(who)
                if len(named) > 1:
                    self.narrators = named
                    return

    def _told_in_the_first_person(self) -> bool:
        """Whether "I" and "my" outside quotation marks run through the text (a reporter's story has them
        only inside quotes)."""
        unquoted = [t for t in self.doc if t.lower_ in ("i", "my", "me")
                    and not _inside_quotes(self.text[self.paragraph(t.i).start_char:t.idx])]
        return len(unquoted) >= 5

    def speaker(self, token: Token) -> Person | None:
        """Who says "I" or "my": inside quotation marks, the person a speech verb in the paragraph
        attributes the quote to; outside them, the document's narrator if it has one; else the
        speech verb's subject, the person the paragraph is about, or the latest speaker before."""
        around = self.paragraph(token.i)
        quoted = _inside_quotes(self.text[around.start_char:token.idx])
        if not quoted and (labelled := self._labelled_speaker(around, token)) is not None:
            return labelled
        if self.narrator is not None and not quoted:
            return self.narrator
        key = (self._sentence_of[token.i], quoted)
        if key not in self._speakers:
            self._speakers[key] = self._speaker_in(around, token)
        return self._speakers[key]

    def addressee(self, token: Token) -> Person | None:
        """Who "your" means in a conversation: the interviewee, in a question ("Q: What happened to your
        father-in-law?"); else the other party, whose turn is nearest before (or after) the line's own."""
        opening = _FIRST_WORD_LABEL.match(self.text, line_start(self.text, token.idx))
        if opening is not None and opening["word"].lower() in lexicon.QUESTION_LABELS:
            return self.narrator
        label = _SPEAKER_LABEL.match(self.text, line_start(self.text, token.idx))
        if label is None:
            return None
        me = self._label_person(*label.span("label"))
        starts = [m.start() for m in re.finditer(r"(?m)^", self.text)]
        mine = starts.index(label.start())
        for k in sorted(range(len(starts)), key=lambda k: (abs(k - mine), k > mine)):
            other = _SPEAKER_LABEL.match(self.text, starts[k]) if k != mine else None
            if other is not None and (who := self._label_person(*other.span("label"))) not in (None, me):
                return who
        return None

    def _label_person(self, start: int, end: int) -> Person | None:
        """The one person a speaker's label names, if it names one; else the one a role label stands for
        ("DEFENDANT:" after "Defendant: Bekzat Mukanuly", see _roles)."""
        label = self.doc.char_span(start, end, alignment_mode="expand")
        named = {self.by_token[t.i].id: self.by_token[t.i] for t in label or () if t.i in self.by_token}
        if not named and label is not None:
            named = {who.id: who for t in label if (who := self._role(t.lower_)) is not None}
        return next(iter(named.values())) if len(named) == 1 else None

    def _role(self, word: str) -> Person | None:
        """The person a role word ("defendant", "client") stands for in this document, if any."""
        if self._role_labels is None:
            self._role_labels = self._roles()
        return self._role_labels.get(word)

    def _roles(self) -> dict[str, Person]:
        """The persons a record's role labels stand for: a header line names them ("Defendant: Bekzat
        Mukanuly", "Presiding: Judge A. K. Sarsenbayeva" — the label's words and those before the name), or
        the first turn under the label begins with the speaker's name ("WITNESS: Gaukhar Serikbayeva, 36."), or
        a memo's one-word heading stands over a paragraph that begins with the name ("1. Client ⏎ Ainura …")."""
        roles: dict[str, Person] = {}
        for heading in _ROLE_HEADING.finditer(self.text):  # "1. Client ⏎ Ainura Toktosunova, 38, …"
            first = self.doc.char_span(heading.end(), heading.end() + 1, alignment_mode="expand")
            if first is not None and (who := self.by_token.get(first.start)) is not None and not who.kin:
                roles.setdefault(heading["word"].lower(), who)
        for line in re.finditer(r"(?m)^", self.text):
            label = _SPEAKER_LABEL.match(self.text, line.start())
            if label is None or label["date"] or label["day"]:
                continue
            line_end = self.text.find("\n", label.end())
            words = self.doc.char_span(label.start("label"), label.end(), alignment_mode="expand")
            after = self.doc.char_span(label.end(), len(self.text) if line_end < 0 else line_end, alignment_mode="expand")
            if words is None or after is None or any(t.i in self.by_token for t in words) or words[0].pos_ == "ADP":
                continue  # not "For the appellant: Mr Tomas Greer, counsel"
            named = [t for t in after if t.i in self.by_token]
            if not named or len({self.by_token[t.i].id for t in named}) > 1:
                continue
            before = [t for t in after if t.i < named[0].i]
            if len(before) > 2 or any(not t.is_alpha for t in before):
                continue  # "Defence: advocate Lyazzat Kenzhebek", not "Present: the officer; …, A. Sabit"
            for t in (*words, *before):
                if t.is_alpha and t.lower_ not in lexicon.QUESTION_LABELS:
                    roles.setdefault(t.lower_, self.by_token[named[0].i])
        return roles

    def _labelled_speaker(self, around: Span, token: Token) -> Person | None:
        """Who speaks under a label: "[Post 1 — Dinara Qabylbekqyzy, Almaty]" heading the paragraph, or
        "GULSHAT MUKHAMETKALI: …" / "Gulshat Mukhametkali (translated):" beginning the line — if it names one person."""
        opening = (_SPEAKER_LABEL.match(self.text, line_start(self.text, token.idx)),
                   _HEADING_LABEL.match(self.text, around.start_char))
        labels = [match.span("label") for match in opening if match]
        for start, end in labels:
            if token.idx >= end and (who := self._label_person(start, end)) is not None:
                return who
        return None

    def _speaker_in(self, around: Span, token: Token) -> Person | None:
        spoken: list[tuple[int, Person]] = []
        for verb in around:
            if verb.lemma_ in lexicon.SPEECH_VERBS and verb.pos_ == "VERB":
                for child in verb.children:
                    if child.dep_ == "nsubj":
                        who = self.by_token.get(child.i) or self._through_appos(child)
                        if who is not None:
                            spoken.append((abs(verb.i - token.i), who))
        if spoken:
            return min(spoken, key=lambda pair: pair[0])[1]
        for t in around:  # no speech verb: the person the paragraph is about speaks
            if t.i < token.i and t.dep_ in ("nsubj", "nsubjpass") and (who := self.by_token.get(t.i)):
                return who
        for i in range(around.start - 1, -1, -1):
            verb = self.doc[i]
            if verb.lemma_ in lexicon.SPEECH_VERBS:
                for child in verb.children:
                    if child.dep_ == "nsubj" and (who := self.by_token.get(child.i)):
                        return who
        return None

    def _through_appos(self, token: Token) -> Person | None:
        for child in token.children:
            if child.dep_ == "appos":
                for t in child.subtree:
                    if t.i in self.by_token:
                        return self.by_token[t.i]
        return None

    def person_of(self, token: Token, as_owner: bool = False) -> Person | None:
        """The person a token refers to: a mention, a pronoun's antecedent, or the speaker. `as_owner`:
        the pronoun's own person even where it begins a kinship mention ("my" of "my brother")."""
        lower = token.lower_
        if token.i in self.by_token and not (as_owner and (lower in lexicon.FIRST_PERSON or lower in lexicon.SEX_OF_PRONOUN)):
            return self.by_token[token.i]
        if lower in lexicon.FIRST_PERSON:
            return self.speaker(token)
        if lower == "your":
            return self.addressee(token)
        if token.i and self.doc[token.i - 1].lower_ == "the" and token.pos_ == "NOUN" and (who := self._role(lower)):
            return who  # "the defendant's wife"
        if lower == "whose":
            # "Gulzhan Dauletkyzy, a Kazakh woman from Altay whose husband …": the person the relative clause
            # describes, else the nearest person named before it in its sentence
            clause = next((t for t in token.ancestors if t.dep_ == "relcl"), None)
            if clause is not None:
                described = clause.head
                while described.i not in self.by_token and described.dep_ == "appos":
                    described = described.head
                return self.by_token.get(described.i)
            return next((self.by_token[i] for i in range(token.i - 1, self.sentence(token.i).start - 1, -1)
                         if i in self.by_token), None)
        if lower in lexicon.SEX_OF_PRONOUN:
            if token.i not in self.pronouns:
                reporter = _REPORTER_FIELD.match(self._line_of(token.idx))  # "Testifier: his wife, …" of a case sheet
                found = (reporter and self.case_before(token.idx)) or self.antecedent(token, lexicon.SEX_OF_PRONOUN[lower])
                if found is None:
                    return None
                self.pronouns[token.i] = found
            return self.pronouns[token.i]
        return None



    def _bylined(self, person: Person) -> bool:
        """The person is the reporter a byline names ("By Aliya Sadykova"), never who the story is about."""
        if person.id not in self._byline:
            self._byline[person.id] = any(BYLINE.fullmatch(self._line_of(m.start)) for m in person.mentions)
        return self._byline[person.id]

    def _line_of(self, char: int) -> str:
        end = self.text.find("\n", char)
        return self.text[line_start(self.text, char):end if end >= 0 else len(self.text)]

    def case_before(self, char: int, since: int = 0) -> Person | None:
        """The case of the sheet a position falls in: the last person a "Name:" line named before it (and
        at or after `since`)."""
        named = [(m.start, p) for p in self.persons for m in p.mentions
                 if since <= m.start < char and _NAME_FIELD.match(self._line_of(m.start))]
        return max(named, key=lambda pair: pair[0])[1] if named else None

    def group_before(self, token: Token, siblings: bool = False) -> list[Person]:
        """Who "their" means: the latest persons named together ("Daniyar and Talgat Orazbek") earlier in
        the paragraph, else the latest person told of with a spouse (or siblings, when asked) and them;
        empty when there is none."""
        for i in range(token.i - 1, self.paragraph(token.i).start - 1, -1):
            first = self.by_token.get(i)
            if first is None or first.kin:
                continue
            together = [first]
            for conjunct in self.doc[i].conjuncts:
                if (other := self.by_token.get(conjunct.i)) is not None and other not in together:
                    together.append(other)
            if len(together) > 1:
                return together
        if token.lower_ in ("couple", "pair", "their"):
            # the latest person told of with a spouse, and the spouse; when `siblings` is asked, also the
            # latest told of with siblings, and the siblings ("Her younger brother Memet … Their mother, X")
            kinds = ("spouse", "sibling") if siblings and token.lower_ == "their" else ("spouse",)
            for i in range(token.i - 1, -1, -1):
                person = self.by_token.get(i)
                for kind in kinds:
                    kin = [p for p in self.persons if person and (kind, p.id) in person.relations]
                    if kin:
                        return [person, kin[0]] if kind == "spouse" else [person, *kin]
        return []

    def add_groups_of_kin(self) -> None:
        """"Daniyar and Talgat Orazbek, brothers," / "the sisters Aigul and Aizhan": siblings all;
        "X and Y, husband and wife" / "the couple": spouses."""
        for token in self.doc:
            kind = {"brothers": "sibling", "sisters": "sibling", "siblings": "sibling", "twins": "sibling",
                    "couple": "spouse", "spouses": "spouse"}.get(token.lower_)
            if kind is None and token.lower_ == "wife" and self.doc[max(token.i - 2, 0):token.i].text.lower() == "husband and":
                kind, token = "spouse", self.doc[token.i - 2]
            if kind is None:
                continue
            anchors = [token.head] if token.dep_ == "appos" else [
                c for c in token.children if c.dep_ in ("appos", "nmod", "compound") and c.i < token.i + 3]
            group: list[Person] = []
            for t in [t for anchor in anchors for t in (anchor, *anchor.conjuncts)]:
                who = self.by_token.get(t.i) or next((self.by_token[c.i] for c in t.subtree if c.i in self.by_token), None)
                if who is not None and all(who is not p for p in group):
                    group.append(who)
            for a in group:
                for b in group:
                    if a is not b:
                        a.relations.add((kind, b.id))

    def add_kin_of(self) -> None:
        """"I am the elder sister of Mahinur Kasim", "Ekrem, the son of Abdukadir Sabit,": the person the
        kinship noun describes (the copula's subject, or the name it stands in apposition to) is that
        relation of the person after "of"."""
        for token in self.doc:
            if token.lower_ not in lexicon.KIN:
                continue
            owner_token = _of_object(token)
            owner = self.person_of(owner_token) if owner_token is not None else None
            if owner is None and owner_token is not None:  # "the mother of our member Nadire Kasim"
                owner = next((who for c in owner_token.children if c.dep_ == "appos"
                              and (who := self.by_token.get(c.i)) is not None), None)
            if owner is None:
                continue
            referent = None
            if token.dep_ == "attr" and token.head.lemma_ == "be":
                subject = next((c for c in token.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if subject is not None and (subject.i in self.by_token or subject.lower_ in lexicon.FIRST_PERSON):
                    referent = self.person_of(subject)  # pronouns wait for the reading-order pass
            elif token.dep_ == "appos":
                referent = self.person_of(token.head)
            self.relate(referent, owner, lexicon.KIN[token.lower_][0])

    def add_group_of(self) -> None:
        """"We are Meryem and Yusuf Abdukerim, the children of Abdukerim Hoshur and Patigul Memet": each
        person the plural kinship noun stands beside is that relation of each person after "of"."""
        for token in self.doc:
            if token.lower_ not in lexicon.KIN_OF_MEMBERS or token.dep_ != "appos":
                continue
            owner_token = _of_object(token)
            if owner_token is None:
                continue
            owners = [who for t in (owner_token, *owner_token.conjuncts) if (who := self.by_token.get(t.i))]
            members = [who for t in (token.head, *token.head.conjuncts) if (who := self.by_token.get(t.i))]
            if any(m in self.narrators for m in members):  # "We are Meryem and Yusuf, the children of …"
                members = list(self.narrators)
            relation = lexicon.KIN_OF_MEMBERS[token.lower_][0]
            for member in members:
                for owner in owners:
                    if member is not owner:
                        self.relate(member, owner, relation)
            if relation == "parent":  # "the children of A and B": A and B are parents named together
                self._parent_pairs.append(owners)

    # --- kinship --------------------------------------------------------------------------------
    def add_kin(self, phrase: Span, possessor_token: Token, noun: str, in_law: bool) -> None:
        """A kinship phrase: names the person it stands beside, or is an unnamed person of its own."""
        relation, sex = lexicon.KIN[noun]
        if in_law:
            relation, sex = lexicon.IN_LAW, sex
        plural = ("their", "couple", "pair", "brothers", "sisters", "siblings")  # "the couple's eldest son"
        named = self._named_beside(phrase)
        # siblings are "their" only where the kin is named: an unnamed "their father" is likelier one told of
        group = self.group_before(possessor_token, siblings=named is not None) if possessor_token.lower_ in plural else []
        if possessor_token.lower_ == "our" and self.narrators:  # "Our father, Akmal Yusupov" of the letter's "we"
            group = list(self.narrators)
        possessor = group[0] if group else self.person_of(possessor_token)
        if possessor is not None and possessor.kin and possessor.kin[1].split()[-1] == noun and \
                possessor_token.lower_ in lexicon.SEX_OF_PRONOUN:
            # "…, her mother said. Her mother, Rysgul Mukhametkyzy, …": the same woman, not her mother's mother
            possessor = next((p for p in self.persons if p.id == possessor.kin[0]), possessor)
        if possessor is not None and possessor_token.lower_ in lexicon.SEX_OF_PRONOUN and possessor.sex is None:
            possessor.sex = lexicon.SEX_OF_PRONOUN[possessor_token.lower_]
        adjectives = " ".join(t.lower_ for t in phrase[1:-1] if t.lower_ in lexicon.KIN_ADJECTIVES)
        if named is not None:
            referent = named
            if possessor is not None and not in_law:
                self._merge_unnamed((possessor.id, noun), named)
                if adjectives:  # "my younger brother" told before "My younger brother, Nurzhan Tursynuly"
                    self._merge_unnamed((possessor.id, f"{adjectives} {noun}"), named)
        else:
            key_word = f"{adjectives} {noun}".strip() + (" in-law" if in_law else "")
            if possessor is None:
                return  # "their father" with no one to be theirs: no person can be told apart
            key = (possessor.id, key_word)
            referent = self._kin.get(key)
            if referent is None and not in_law:
                referent = self._kin.get((key[0], noun))  # "her brother" after "her younger brother"
            if referent is None and not in_law:
                referent = self._known_relative(possessor, relation, sex)
            if referent is None:
                referent = self._new(kin=key, confidence=0.8)
                self._kin[key] = referent
            self.add_mention(referent, phrase)
        if sex and referent.sex is None:
            referent.sex = sex
        owners = group or ([possessor] if possessor is not None else [])
        if possessor is not None and possessor_token.lower_ == "our" and relation == "parent":
            # "our son", said by a wife: her husband's son too (not "our mother", said by a wife: hers and her brother's)
            owners += [p for p in self.persons for kind, to in possessor.relations if kind == "spouse" and to == p.id]
        for owner in owners:
            self.relate(referent, owner, relation)

    @staticmethod
    def relate(person: Person | None, other: Person | None, relation: str) -> None:
        """`other` is `person`'s `relation` (DESIGN's reading), and the inverse on `other`."""
        if person is not None and other is not None and person is not other:
            person.relations.add((relation, other.id))
            other.relations.add((lexicon.INVERSE[relation], person.id))

    def infer_kinship(self) -> None:
        """What the stated relations imply, as a reader takes them: a sibling's siblings and parents are
        one's own, two children of one parent are siblings, a parent's spouse is a parent, the two parents
        of a child are spouses ("our father" and "our mother"). Never over a relation the text already gives.
        (In-laws are not inferred: annotators and readers disagree on them.)"""
        by_id = {p.id: p for p in self.persons}
        changed = True
        while changed:
            changed = False
            for a in self.persons:
                for kind, b_id in sorted(a.relations):
                    b = by_id.get(b_id)
                    for other_kind, c_id in sorted(b.relations) if b is not None else ():
                        implied, c = _IMPLIED.get((kind, other_kind)), by_id.get(c_id)
                        if implied and c is not None and c is not a and not _related(a, c):
                            self.relate(a, c, implied)
                            changed = True

    def _known_relative(self, possessor: Person, relation: str, sex: str | None) -> Person | None:
        """"her mother" once the text has said who her mother is: that one person, if only one fits. Of two
        parents named together ("my parents, Tursunjan Ismail and Aynisa Tursunjan") and not yet told apart,
        the father is the first, as English lists them."""
        fits = [p for p in self.persons for kind, to in possessor.relations
                if to == p.id and kind == lexicon.INVERSE[relation] and (sex is None or p.sex in (None, sex))]
        if len(fits) == 1:
            return fits[0]
        named = next((pair for pair in self._parent_pairs if {p.id for p in pair} == {p.id for p in fits}), [])
        if relation == "child" and sex and len(named) == 2 and all(p.sex is None for p in named):
            return named[0 if sex == "male" else 1]
        return None

    def add_named_group(self, phrase: Span, possessor_token: Token, noun: str) -> bool:
        """"my parents, Tursunjan Ismail and Aynisa Tursunjan", "her two sons Ali and Vali": each person
        named right after the group noun is that relation of the possessor. False when no one is named
        there (the group stays a note on the family)."""
        members: list[Person] = []
        i = phrase.end + (phrase.end < len(self.doc) and self.doc[phrase.end].text in (",", ":", "—", "–", "("))
        while i < len(self.doc):
            who = self.by_token.get(i)
            if who is not None and not who.kin:
                if who not in members:
                    members.append(who)
            elif self.doc[i].text not in (",", "and", "&") or not members:
                break
            i += 1
        possessor = self.person_of(possessor_token)
        if not members or possessor is None or possessor in members:
            return False
        relation, sex = lexicon.KIN_OF_MEMBERS[noun]
        for member in members:
            if sex and member.sex is None:
                member.sex = sex
            self.relate(member, possessor, relation)
        if noun == "parents":
            self._parent_pairs.append(members)
        return True

    def _merge_unnamed(self, key: tuple[str, str], named: Person) -> None:
        """"his wife" told before "his wife, Arzegul Halambek": the same person, now with a name."""
        unnamed = self._kin.get(key)
        self._kin[key] = named
        if unnamed is None or unnamed is named or not unnamed.kin:
            return
        for mention in unnamed.mentions:
            for i in range(mention.token_start, mention.token_end):
                self.by_token[i] = named
        named.mentions.extend(unnamed.mentions)
        named.relations |= unnamed.relations
        for other in self.persons:
            other.relations = {(kind, named.id if to == unnamed.id else to) for kind, to in other.relations}
        named.relations = {r for r in named.relations if r[1] != named.id}
        self.persons.remove(unnamed)

    def _apposed_name(self, start: int) -> bool:
        """Whether a name begins at `start` and a punctuation mark closes it (a name in apposition)."""
        person = self.by_token.get(start)
        end = start
        while end < len(self.doc) and self.by_token.get(end) is person:
            end += 1
        return person is not None and (end == len(self.doc) or self.doc[end].is_punct)

    def _named_beside(self, phrase: Span) -> Person | None:
        """"his wife, Arzegul Halambek" / "her husband Nurlan" / "Nurlan, her husband" / "My father is Yasin
        Abdukerim" / "Nurlan is her husband": the named person."""
        doc = self.doc
        after = phrase.end
        if after + 3 < len(doc) and doc[after].lower_ in ("in", "from") and doc[after + 1].ent_type_ == "GPE" \
                and doc[after + 2].text == "," and self._apposed_name(after + 3):
            after += 2  # "Their cousin in Shymkent, Asem Abenova, is …" (not "his son-in-law in Almaty, Tolegen had …")
        if after < len(doc) and doc[after].text in (",", "—", "–", "-", "("):
            after += 1
        if after < len(doc) and doc[after].lower_ in lexicon.TITLES:  # "His wife, Ms. Cholpon Asanova"
            after += 1 + (after + 1 < len(doc) and doc[after + 1].text == ".")
        elif after + 2 < len(doc) and after > phrase.end and doc[after].lower_ in lexicon.POSSESSIVES \
                and doc[after + 1].lower_ in lexicon.KIN and not any(t.lower_ == "and" for t in doc[after + 2:after + 7]):
            after += 2  # "his mother, my grandmother Kulpash" (not a list: "our son, his wife Aigerim and …")
        if after < len(doc) and after in self.by_token and not self.by_token[after].kin:
            return self.by_token[after]
        noun = phrase[-1]
        if noun.head.lemma_ in ("call", "name") and noun.dep_ == "nsubjpass":  # "My father is called Bolat Serikuly."
            named = next((self.by_token[c.i] for c in noun.head.children
                          if c.dep_ in ("oprd", "attr", "dobj", "xcomp") and c.i in self.by_token), None)
            if named is not None and not named.kin:
                return named
        if noun.head.lemma_ == "be" and noun.dep_ in ("nsubj", "attr"):  # "My father is Yasin Abdukerim."
            other = next((c for c in noun.head.children if c.dep_ in ("attr", "nsubj") and c.i != noun.i), None)
            if other is not None and other.lower_ == "who" and noun.head.dep_ == "relcl":
                other = noun.head.head  # "Ayshem Nurmemet, who is Tursun's wife"
            named = self.by_token.get(other.i) if other is not None else None
            if other is not None and other.lower_ == "i":  # "I am the defendant's wife."
                named = self.speaker(other)
            if named is not None and not named.kin:
                return named
        before = phrase.start - 1
        if before >= 3 and doc[before].text == "," and doc[before - 1].like_num and doc[before - 2].text == ",":
            before -= 2  # "Patigul Rozi, 72, Hashim's wife"
        if before >= 1 and doc[before].text in (",", "(", "—") and (before - 1) in self.by_token:
            person = self.by_token[before - 1]
            closes = phrase.end >= len(doc) or doc[phrase.end].text in (",", ")", ".", "—", ";", "of")  # "… wife of fifty years"
            if not person.kin and closes:
                return person
        return None


# A chat export's message: "[15.11.2018, 20:41] Aliya Sadyk: …" (WhatsApp, Telegram), "15/11/2018, 20:41 - Aliya Sadyk: …"
_CHAT_STAMP = r"(?:\[(?P<date>[^\[\]\n]{6,20}?),?[ \t]+\d{1,2}:\d{2}(?::\d{2})?\]|(?P<day>\d{1,2}[./]\d{1,2}[./]\d{2,4}),?[ \t]+\d{1,2}:\d{2}[ \t]*[-–])"
CHAT_MESSAGE = re.compile(rf"(?m)^[ \t]*{_CHAT_STAMP}[ \t]*(?P<name>[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){{0,3}}):[ \t]")
_SPEAKER_LABEL = re.compile(rf"[ \t]*(?:{_CHAT_STAMP}[ \t]*)?"  # a chat message's sender too
                            r"(?P<label>[A-Z][\w'’ .-]{2,40}(?:\([^)\n]{0,30}\))?)[ \t]*:[ \t]")
_FIRST_WORD_LABEL = re.compile(r"[ \t]*(?P<word>\w+)[ \t]*(?:\([^)\n]{0,40}\))?[ \t]*:")  # "Q:", "Interviewer (Dana):"
_ROLE_HEADING = re.compile(r"(?m)^[ \t]*(?:\d+[.)][ \t]*)?(?P<word>[A-Z][a-z]+)[ \t]*\n[ \t]*(?=[A-Z])")
_HEADING_LABEL = re.compile(r"\s*(?P<label>\[[^\]\n]{3,80}\])[ \t]*\n")
BYLINE = re.compile(r"[ \t]*[Bb]y [A-Z][^\n.;:]{0,60}")
_NAME_FIELD = re.compile(r"[ \t]*(?:Full )?Name\s*:", re.I)
_REPORTER_FIELD = re.compile(r"[ \t]*(?:Testifier|Reported by|Source|Informant|Witness)\s*:", re.I)
_NARRATOR = re.compile(
    r"(?:^|\n|(?<=\.)[ \t])\s*(?:Testifier|Witness|Narrator|Petitioner|Interviewee|Respondent|From|Name|Signed|"
    r"Submitted by)\s*:\s*(?P<name>[^\n,;(]+)"
    r"|\b[Ii]nterview with (?P<name6>[A-Z][^\n,;(.]+)"
    r"|(?:Testimony|Statement|Account) of (?P<name2>[^\n,;(]+)"
    r"|[Mm]y name is (?P<name3>[^\n,.;(]+)"
    r"|\bI, (?P<name4>[^\n,;(]+),"
    r"|\b(?:Prepared|Written|Compiled) by (?:his|her|their) [a-z-]+(?: [a-z-]+)?, (?P<name7>[A-Z][^\n,;(.]+)"
    r"|(?:^|\n)[ \t]*(?:Sincerely|Respectfully|Yours faithfully|Yours sincerely|Yours truly|Kind regards|"
    r"With respect)(?: yours)?,?\s*(?P<name5>[^\n,;(]+)")


#: A line that holds a name and nothing else ("Zulpiye Abdukerim").
NAME_LINE = re.compile(r"[ \t]*[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){1,3}[ \t]*")
_SIGNED_BY_SEVERAL = re.compile(
    r"\n[ \t]*(?:Sincerely|Respectfully|Yours\b[^\n,]{0,20}|With [^\n,]{1,30}|Kind regards|Best regards|Regards|"
    r"In solidarity)[ \t]*,\s*(?P<names>(?:[ \t]*[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){1,3}[ \t]*(?:\n|$)){2,8})\s*$")


#: The characters at a text's end where signers() looks for a closing line and the names under it.
SIGNATURE_TAIL = 600


def signers(doc: Doc) -> list[Span]:
    """The names signed one under another below a letter's closing line ("With respect and hope,"), when
    there are two or more; the text must keep their line breaks (extract.for_parser does)."""
    text = text_of(doc)
    match = _SIGNED_BY_SEVERAL.search(text, max(len(text) - SIGNATURE_TAIL, 0))  # a signature ends the text
    if match is None:
        return []
    out = []
    for line in re.finditer(r"[^\n]+", match.group("names")):
        start = match.start("names") + line.start()
        span = doc.char_span(start, start + len(line.group().rstrip()), alignment_mode="contract")
        if span is not None and len(span):
            out.append(span)
    return out


def _aliases(spans: list[Span]) -> dict[int, int]:
    """"Akmal Yusupov (in Chinese records Aikemaier Yusufu)", "GULZADA TOKTOGUL KYZY (Gulzada Toktogulova)",
    "Memet Tursun (also Mamat Tursun)": the name in parentheses right after a name is another form of it;
    so is the name a clause beside it gives as a nickname ("Ma Jianguo — everybody called him Imam Ma —",
    "Tursun Ali, known as Tursun Haji,"). Maps the alias's first token to the name's."""
    out: dict[int, int] = {}
    if not spans:
        return out
    text = text_of(spans[0].doc)
    ordered = sorted(spans, key=lambda s: s.start)
    for name, alias in zip(ordered, ordered[1:]):
        between = text[name.end_char:alias.start_char]
        after = text[alias.end_char:alias.end_char + 2].lstrip()
        if (_ALIAS_OPENING.fullmatch(between) and after[:1] in (")", ",", ";")) or (
                _NICKNAME.fullmatch(between) and after[:1] in (",", ";", "—", "–", ")", ".")):
            out[alias.start] = name.start
        elif name.start in out and _NEXT_ALIAS.fullmatch(between) and after[:1] in (")", ",", ";"):
            out[alias.start] = out[name.start]  # "(Асқар Мырзаханұлы; Chinese ID card: Asika'er Mierzhahan)"
    for k, alias in enumerate(ordered):  # "… Abdulla Yoqubov. … in his Chinese papers he is Abudula Yakefu"
        if alias.start not in out and _RECORDED_AS.search(text, max(alias.start_char - 80, 0), alias.start_char):
            full = next((n for n in reversed(ordered[:k]) if len(n) > 1), None)
            if full is not None:
                out[alias.start] = out.get(full.start, full.start)
    return out


# A name the papers give, said of "he" or "she": the last full name before is theirs.
_RECORDED_AS = re.compile(r"\b(?:his|her)\s+(?:[\w-]+\s+){0,2}(?:papers|ID|card|passport|documents|records|file)\b"
                          r"[^.;\n]{0,30}?\b(?:he|she)\s+(?:is|was|appears as|is (?:written|listed|registered) as)\s+$")


_ALIAS_OPENING = re.compile(r"\s*\((?:[^()\n]{0,40}\b(?:also|alias|known as|spelled|records|documents|passport|"
                            r"Chinese|Russian|Uyghur|Kazakh|formerly|judgment|verdict|indictment)\b[^()\n]{0,12}?)?[\s:,]*")


_NEXT_ALIAS = re.compile(r"\s*[;,]\s*(?:[^()\n;:,]{0,40}:\s*)?")


def names_before_aliases(doc: Doc, spans: list[Span]) -> list[Span]:
    """The name the NER missed before a form of it in parentheses: "Ermek Tolegen (in the judgment:
    Ye'ermaike Tuoliegen)" — two or three capitalised words right before the opening."""
    found, text = [], text_of(doc)
    for alias in spans:
        opening = next((t for t in reversed(doc[max(alias.start - 8, 0):alias.start]) if t.text == "("), None)
        if opening is None or not _ALIAS_OPENING.fullmatch(text[opening.idx:alias.start_char]):
            continue
        start = opening.i
        while start > max(opening.i - 3, 0) and doc[start - 1].text[:1].isupper() and doc[start - 1].is_alpha \
                and doc[start - 1].lower_ not in lexicon.NOT_NAMES:
            start -= 1
        if opening.i - start >= 2:
            found.append(doc[start:opening.i])
    return found


_NICKNAME = re.compile(r"\s*[,—–(]\s*[^.;:\n—–()]{0,50}?\b(?:called (?:him|her)|known as|nicknamed|whom [^.;,\n]{0,30}"
                       r"called)\s+")


# (a's relation to b, b's relation to c) → a's relation to c; read with DESIGN's reading of a relation
# ("parent", b): b is a's parent.
_IMPLIED = {("sibling", "sibling"): "sibling", ("sibling", "parent"): "parent", ("parent", "child"): "sibling",
            ("parent", "spouse"): "parent", ("child", "parent"): "spouse"}


def _of_object(noun: Token) -> Token | None:
    """The object of a kinship noun's "of": "Abdukadir" of "the son of Abdukadir Sabit"."""
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    return next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None


def _cited_source(candidate: Token) -> bool:
    """The candidate is the source its sentence cites ("according to my aunt", "as Li said")."""
    if candidate.dep_ == "nsubj" and candidate.head.lemma_ in lexicon.SPEECH_VERBS and any(
            t.dep_ == "mark" and t.lower_ == "as" for t in candidate.head.children):
        return True
    return any(t.lower_ == "to" and t.head.lower_ == "according" for t in candidate.ancestors)


def _related(a: Person, b: Person) -> bool:
    return any(to == b.id for _, to in a.relations) or any(to == a.id for _, to in b.relations)


def narrator_span(doc: Doc) -> Span | None:
    """Where a first-person document names its author, if it does."""
    for match in _NARRATOR.finditer(text_of(doc)):
        group = next(g for g, value in match.groupdict().items() if value)
        span = doc.char_span(match.start(group), match.end(group), alignment_mode="expand")
        if span is not None:
            return span
    return None


def _inside_quotes(before: str) -> bool:
    """Whether a position follows an opening quotation mark that is not yet closed."""
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _sentences(doc: Doc) -> list[Span]:
    """The parser's sentences, split again at blank lines, after a table's cell separator "|", and where a
    header line begins ("Current status: …" under "Reported by: …" is a statement of its own, whatever the
    parser joined)."""
    out: list[Span] = []
    text = text_of(doc)
    for sentence in doc.sents:
        start = sentence.start
        for token in sentence[:-1]:
            breaks = token.whitespace_ + (token.text if token.is_space else "")
            end = token.idx + len(token.text)
            if "\n\n" in breaks or token.text == "|" or "\n" in breaks and (
                    _FIELD.match(text[end:end + 40].lstrip("\n")) or tables.is_row(text[line_start(text, token.idx):end])):
                if token.i + 1 > start:
                    out.append(doc[start:token.i + 1])
                start = token.i + 1
        if start < sentence.end:
            out.append(doc[start:sentence.end])
    return out


def _paragraph_bounds(doc: Doc) -> list[tuple[int, int]]:
    """For every token, the (start, end) of its paragraph: the text between blank lines."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for token in doc:
        if "\n\n" in token.text + token.whitespace_ or token.i == len(doc) - 1:
            bounds += [(start, token.i + 1)] * (token.i + 1 - start)
            start = token.i + 1
    return bounds

