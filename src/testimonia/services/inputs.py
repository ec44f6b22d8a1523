"""What a caller gives to record something, and the validation that turns it into clean values.

Each validator raises InvalidInput naming the field, so the importer can prefix file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain.dates import InvalidDate, parse_date
from ..domain.prc_id import InvalidResidentId, normalise_resident_id
from ..domain.vocab import (
    Consent,
    Ethnicity,
    EventType,
    Medium,
    NamePart,
    RelationType,
    Sex,
    SourceKind,
)
from ..gazetteer import Gazetteer
from ..names import detect_language, detect_script, normalise
from .errors import InvalidInput

MAX_NAME = 300
MAX_TEXT = 200_000
# Bidirectional overrides and isolates, and control characters (Unicode category Cc) but tab and newline.
_UNSAFE = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class NameInput:
    text: str
    script: str | None = None
    language: str | None = None
    part: str = "full"


@dataclass
class PersonInput:
    names: list[NameInput] = field(default_factory=list)
    sex: str | None = None
    ethnicity: str | None = None
    birth_date: str | None = None
    age_years: int | None = None
    age_at: str | None = None
    hometown: str | None = None
    occupation: str | None = None
    citizenships: list[str] = field(default_factory=list)
    health: str | None = None
    resident_id: str | None = None
    notes: str | None = None


@dataclass
class SourceInput:
    kind: str
    title: str | None = None
    date: str | None = None
    language: str | None = None
    publisher: str | None = None
    url: str | None = None
    text: str | None = None


@dataclass
class TestimonyInput:
    __test__ = False  # not a pytest test class, despite its name
    testifier_name: str | None = None
    relation: str | None = None
    medium: str | None = None
    consent: str = "internal"
    recorded_on: str | None = None
    contacts: str | None = None
    summary: str | None = None
    notes: str | None = None


@dataclass
class EventInput:
    type: str
    date: str | None = None
    place: str | None = None
    facility: str | None = None
    source_order: int | None = None
    span: tuple[int, int] | None = None
    confidence: float | None = None


def clean_text(value: str | None, where: str, limit: int = MAX_TEXT) -> str | None:
    """Strip control and bidirectional override characters (stored text must display safely)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"expected text, got {type(value).__name__}", where)
    if len(value) > limit:
        raise InvalidInput(f"longer than {limit:,} characters", where)
    value = _UNSAFE.sub("", value)
    return value.strip() or None


def check_date(value: str | None, where: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(str(value)).edtf
    except InvalidDate as exc:
        raise InvalidInput(str(exc), where) from None


def check_vocab(vocab, value: str | None, where: str):
    if value in (None, ""):
        return None
    try:
        return vocab.parse(str(value))
    except ValueError as exc:
        raise InvalidInput(str(exc), where) from None


def check_place(gazetteer: Gazetteer, value: str | None, where: str) -> str | None:
    """A place code, from a code or a name the gazetteer knows."""
    if value in (None, ""):
        return None
    match = gazetteer.resolve(str(value))
    if match is None:
        raise InvalidInput(f"unknown place {str(value)[:80]!r} (give a division code or a name in the gazetteer)", where)
    return match.code


def check_name(item: NameInput, where: str) -> NameInput:
    text = clean_text(item.text, f"{where}.text", MAX_NAME)
    if not text or not normalise(text):
        raise InvalidInput("a name needs at least one letter", f"{where}.text")
    script = item.script or detect_script(text)
    if not re.fullmatch(r"[A-Z][a-z]{3}", script):
        raise InvalidInput(f"{script!r} is not an ISO 15924 script code (Latn, Cyrl, Arab, Hani…)", f"{where}.script")
    language = item.language or detect_language(text, script)
    part = check_vocab(NamePart, item.part or "full", f"{where}.part")
    return NameInput(text, script, language, part.value)


def check_person(p: PersonInput, gazetteer: Gazetteer) -> PersonInput:
    names = [check_name(n, f"names[{i}]") for i, n in enumerate(p.names)]
    sex = check_vocab(Sex, p.sex, "sex")
    ethnicity = check_vocab(Ethnicity, p.ethnicity, "ethnicity")
    age_years = None
    if p.age_years not in (None, ""):
        try:
            age_years = int(p.age_years)
        except (TypeError, ValueError):
            raise InvalidInput(f"{p.age_years!r} is not a whole number of years", "age") from None
        if not 0 <= age_years <= 130:
            raise InvalidInput(f"{age_years} is not a plausible age", "age")
        if not p.age_at:
            raise InvalidInput("an age needs the date it was given at (age_at)", "age_at")
    resident_id = None
    if p.resident_id not in (None, ""):
        try:
            resident_id = normalise_resident_id(str(p.resident_id))
        except InvalidResidentId as exc:
            raise InvalidInput(str(exc), "resident_id") from None
    citizenships = []
    for i, code in enumerate(p.citizenships or []):
        code = str(code).strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise InvalidInput(f"{code!r} is not an ISO 3166 country code", f"citizenships[{i}]")
        citizenships.append(code)
    return PersonInput(
        names=names,
        sex=sex.value if sex else None,
        ethnicity=ethnicity.value if ethnicity else None,
        birth_date=check_date(p.birth_date, "birth_date"),
        age_years=age_years,
        age_at=check_date(p.age_at, "age_at"),
        hometown=check_place(gazetteer, p.hometown, "hometown"),
        occupation=clean_text(p.occupation, "occupation", 200),
        citizenships=citizenships,
        health=clean_text(p.health, "health", 5000),
        resident_id=resident_id,
        notes=clean_text(p.notes, "notes"),
    )


def check_source(s: SourceInput) -> SourceInput:
    kind = check_vocab(SourceKind, s.kind, "source.kind")
    if kind is None:
        raise InvalidInput("a source needs a kind", "source.kind")
    return SourceInput(kind.value, clean_text(s.title, "source.title", 1000), check_date(s.date, "source.date"),
                       clean_text(s.language, "source.language", 20), clean_text(s.publisher, "source.publisher", 200),
                       clean_text(s.url, "source.url", 2000), clean_text(s.text, "source.text"))


def check_testimony(t: TestimonyInput) -> TestimonyInput:
    consent = check_vocab(Consent, t.consent or "internal", "testimony.consent")
    relation = check_vocab(RelationType, t.relation, "testimony.relation")
    medium = check_vocab(Medium, t.medium, "testimony.medium")
    return TestimonyInput(clean_text(t.testifier_name, "testifier.name", MAX_NAME),
                          relation.value if relation else None, medium.value if medium else None,
                          consent.value, check_date(t.recorded_on, "testimony.recorded_on"),
                          clean_text(t.contacts, "testifier.contacts", 2000), clean_text(t.summary, "testimony.summary"),
                          clean_text(t.notes, "testimony.notes"))


def check_event(e: EventInput, gazetteer: Gazetteer, where: str = "event") -> EventInput:
    kind = check_vocab(EventType, e.type, f"{where}.type")
    if kind is None:
        raise InvalidInput("an event needs a type", f"{where}.type")
    confidence = e.confidence
    if confidence is not None and not 0 <= float(confidence) <= 1:
        raise InvalidInput("confidence is between 0 and 1", f"{where}.confidence")
    return EventInput(kind.value, check_date(e.date, f"{where}.date"), check_place(gazetteer, e.place, f"{where}.place"),
                      clean_text(e.facility, f"{where}.facility", 300), e.source_order, e.span, confidence)
