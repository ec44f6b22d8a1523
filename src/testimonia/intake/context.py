"""What one document's analysis collects, shared by the steps of extract.py and assemble.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from .mentions import People, Person
from .places import FacilityMention, PlaceMention


@dataclass
class Event:
    type: str
    person: Person
    trigger: int  # token index, for ordering
    span: tuple[int, int]
    date: str | None = None
    date_text: str | None = None
    place: PlaceMention | None = None
    facility: FacilityMention | None = None
    confidence: float = 0.8
    inherited: bool = False  # the date (and place) come from the paragraph, not from the event's own words

    def as_json(self) -> dict:
        return {"type": self.type, "date": self.date, "date_text": self.date_text,
                "place": {"text": self.place.text, "code": self.place.code} if self.place else None,
                "facility": self.facility.text if self.facility else None,
                "span": list(self.span), "confidence": round(self.confidence, 2)}


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    value: str | None


@dataclass
class Context:
    """What one document's analysis collects."""

    doc: Doc
    ents: list[Span]
    document_date: dt.date | None
    people: People
    places: list[PlaceMention]
    facilities: list[FacilityMention]
    dates: list[DateMention]
    events: list[Event] = field(default_factory=list)
    # person id → the status a record's own field states ("Current status: forced labour")
    stated_status: dict[str, str] = field(default_factory=dict)
