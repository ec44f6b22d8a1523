"""A person's current status, derived from their events by the rule in shared/DESIGN.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .dates import latest_day
from .vocab import EventType, Status

_STATUS_OF: dict[EventType, Status] = {
    EventType.SENT_TO_CAMP: Status.CAMP,
    EventType.SENTENCED: Status.PRISON,
    EventType.IMPRISONED: Status.PRISON,
    EventType.HOUSE_ARREST: Status.HOUSE_ARREST,
    EventType.PASSPORT_CONFISCATED: Status.DOCUMENTS_CONFISCATED,
    EventType.EXIT_BAN: Status.DOCUMENTS_CONFISCATED,
    EventType.FORCED_LABOR: Status.FORCED_LABOR,
    EventType.RELEASED: Status.RELEASED,
    EventType.DIED: Status.DIED,
    EventType.DISAPPEARED: Status.DISAPPEARED,
}

# Ties go to the more restrictive status: earlier in this list wins.
RESTRICTIVENESS: tuple[Status, ...] = (
    Status.DIED,
    Status.PRISON,
    Status.CAMP,
    Status.DETENTION_CENTER,
    Status.DETAINED,
    Status.FORCED_LABOR,
    Status.HOUSE_ARREST,
    Status.DISAPPEARED,
    Status.DOCUMENTS_CONFISCATED,
    Status.RELEASED,
)

# Events that show a person was held at some point, so that "never detained" does not apply.
_DETENTION_EVENTS = frozenset(_STATUS_OF) | {EventType.DETAINED, EventType.TRANSFERRED} - {EventType.RELEASED}


@dataclass(frozen=True)
class EventFact:
    """What status derivation needs to know of one event.

    `source_order` is the event's position in its source's text (None when unknown); an undated
    event follows the dated events of its own source that the text tells before it.
    """

    event_id: str
    type: EventType
    date: str | None
    source_id: str | None
    source_order: int | None
    at_detention_center: bool = False


@dataclass(frozen=True)
class DerivedStatus:
    status: Status
    event_id: str | None  # the event it comes from; None for `unknown`


def status_of_event(event: EventFact) -> Status | None:
    if event.type is EventType.DETAINED:
        return Status.DETENTION_CENTER if event.at_detention_center else Status.DETAINED
    return _STATUS_OF.get(event.type)


def derive_status(events: Iterable[EventFact], *, detained: bool = False) -> DerivedStatus | None:
    """The status from the latest status-bearing event.

    Returns None for a person who was never detained (no detention event and `detained` false),
    and `unknown` for a detained person without any status-bearing event.
    """
    facts = list(events)
    bearing = [(e, s) for e in facts if (s := status_of_event(e)) is not None]
    was_detained = detained or any(e.type in _DETENTION_EVENTS for e in facts)
    if not bearing:
        return DerivedStatus(Status.UNKNOWN, None) if was_detained else None
    effective = _effective_dates(facts)
    best = max(bearing, key=lambda pair: _sort_key(pair[0], pair[1], effective))
    return DerivedStatus(best[1], best[0].event_id)


def _effective_dates(events: list[EventFact]) -> dict[str, tuple[dt.date, int]]:
    """Each event's place on the timeline: (latest day, position within that day).

    An undated event takes the latest day of the dated events of its source told before it, and
    sorts just after them; with none before it, it sorts first.
    """
    placed: dict[str, tuple[dt.date, int]] = {}
    for e in events:
        if e.date:
            placed[e.event_id] = (latest_day(e.date) or dt.date.min, 0)
    for e in events:
        if e.date:
            continue
        earlier = [
            placed[o.event_id][0]
            for o in events
            if o.date
            and o.source_id == e.source_id
            and o.source_order is not None
            and e.source_order is not None
            and o.source_order < e.source_order
        ]
        placed[e.event_id] = (max(earlier), 1 + (e.source_order or 0)) if earlier else (dt.date.min, 0)
    return placed


def _sort_key(event: EventFact, status: Status, effective: dict[str, tuple[dt.date, int]]) -> tuple:
    day, within = effective[event.event_id]
    return (day, within, -RESTRICTIVENESS.index(status))
