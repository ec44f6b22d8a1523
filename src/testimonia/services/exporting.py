"""`testimonia export`: persons as CSV, JSON Lines or FollowTheMoney entities, cut to a sensitivity level.

    public        persons whose sources permit publication (services/visibility.py), their public
                  fields; a testifier's name only under `named` consent; only consented testimonies
    internal      every person of the actor's projects, with internal fields (health, testimony
                  relation, medium, date, summary); researchers, editors, admins
    confidential  also resident ID numbers, private notes, testifiers' names and contacts;
                  editors and admins; audited as `export.confidential` naming each record and field

At every level, what a withdrawn testimony contributed is left out, and users see only their
projects (admins all). The file is written beside the target under a temporary name, only its owner
may read it, and it takes its name once the export's audit entry is committed.
The record shape is documented in docs/import-export.md; the JSON Lines export can be imported again.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from ..domain.status import EventFact, derive_status
from ..domain.vocab import EventType, Sensitivity, UserRole
from ..publish.ftm import entities
from ..store.crypto import DecryptionError, KeyRing
from ..store.schema import events, facilities, names, persons, relations, sources, testimonies, testimony_subjects
from .access import Actor
from .errors import InvalidInput, ServiceError
from .importing import CSV_COLUMNS, SOURCE_FIELDS, format_events_cell, format_names_cell, open_private
from .inputs import check_vocab
from .registry import Registry
from .views import KeyCache
from .visibility import PUBLISHED_KINDS, publishable_condition, withdrawn_source_ids

FORMATS = ("csv", "jsonl", "ftm")
CHUNK = 500  # persons read at a time
CSV_HEADER = ("ids.person", "ids.testimony", "status") + CSV_COLUMNS[:7] + ("person.hometown_name",) + CSV_COLUMNS[7:]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PARTS = ("full", "given", "surname", "patronymic", "alias")
_SCRIPTS = ("Latn", "Cyrl", "Arab", "Hani")


def export(registry: Registry, actor: Actor, out_path: str | Path, fmt: str = "jsonl", level: str = "public") -> int:
    """Write the persons `actor` may export at `level` to `out_path`; returns how many."""
    if fmt not in FORMATS:
        raise InvalidInput(f"{fmt!r} is not one of: {', '.join(FORMATS)}", "format")
    clearance = check_vocab(Sensitivity, level, "level")
    actor.require_level(clearance)
    out = Path(out_path)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with open_private(partial) as handle, registry.db.reading() as conn:
            exporter = _Exporter(registry, conn, actor, clearance)
            count = _SINKS[fmt](handle, exporter.records())
        with registry.db.transaction() as conn:
            _audit(registry, conn, actor, out.name, fmt, clearance, count, exporter.revealed)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _audit(registry: Registry, conn: Connection, actor: Actor, name: str, fmt: str, level: Sensitivity,  # noqa: PLR0913
           count: int, revealed: list[str]) -> None:
    change: dict[str, Any] = {"file": name, "format": fmt, "level": level.value, "records": count}
    if level is Sensitivity.CONFIDENTIAL:
        registry.audit.append(conn, "export.confidential", None, {**change, "fields": sorted(revealed)},
                              actor=actor.label)
    else:
        registry.audit.append(conn, "export", None, change, actor=actor.label)


class _Exporter:
    """Reads persons a chunk at a time and builds each one's record at the export's level."""

    def __init__(self, registry: Registry, conn: Connection, actor: Actor, level: Sensitivity):
        self.registry, self.conn, self.actor, self.level = registry, conn, actor, level
        self.keys = KeyCache(registry, conn)
        self.withdrawn = withdrawn_source_ids(conn)
        self.revealed: list[str] = []  # confidential fields exported, as `person.<id>.resident_id`
        self.exported: set[str] = set()

    def at_least(self, level: Sensitivity) -> bool:
        return self.level.rank >= level.rank

    def person_ids(self) -> list[str]:
        query = select(persons.c.id).where(persons.c.merged_into.is_(None), persons.c.hidden == 0)
        if self.level is Sensitivity.PUBLIC:
            query = query.where(publishable_condition())
        if self.actor.role is not UserRole.ADMIN:
            query = query.where(persons.c.project_id.in_(sorted(self.actor.projects)))
        return list(self.conn.execute(query.order_by(persons.c.created_at, persons.c.id)).scalars())

    def records(self) -> Iterator[dict]:
        ids = self.person_ids()
        self.exported = set(ids)
        for start in range(0, len(ids), CHUNK):
            yield from self._chunk(ids[start:start + CHUNK])

    def _chunk(self, ids: list[str]) -> Iterator[dict]:
        rows = {r["id"]: r for r in self.conn.execute(select(persons).where(persons.c.id.in_(ids))).mappings()}
        name_rows = self._grouped(select(names).where(names.c.person_id.in_(ids)), "person_id")
        for group in name_rows.values():
            group.sort(key=_name_order)
        event_rows = self._grouped(
            select(events, facilities.c.name.label("facility_name"), facilities.c.source_ref,
                   facilities.c.type.label("facility_type"))
            .select_from(events.outerjoin(facilities, events.c.facility_id == facilities.c.id))
            .where(events.c.person_id.in_(ids))
            .order_by(events.c.created_at, events.c.source_id, func.coalesce(events.c.source_order, 0), events.c.id),
            "person_id")
        testimony_rows = self._grouped(self._testimonies_query(ids), "subject", by_consent_only=True)
        relation_rows: dict[str, list] = {}
        for r in self.conn.execute(select(relations).where(
                or_(relations.c.person_id.in_(ids), relations.c.other_id.in_(ids)))).mappings():
            relation_rows.setdefault(r["person_id"], []).append(r)
            relation_rows.setdefault(r["other_id"], []).append(r)
        used = {r["source_id"] for group in (name_rows, event_rows, testimony_rows)
                for rows_of_person in group.values() for r in rows_of_person}
        source_rows = {r["id"]: r for r in self.conn.execute(
            select(sources).where(sources.c.id.in_([s for s in used if s]))).mappings()}
        for person_id in ids:
            yield self._record(rows[person_id], name_rows.get(person_id, []), event_rows.get(person_id, []),
                               testimony_rows.get(person_id, []), relation_rows.get(person_id, []), source_rows)

    def _grouped(self, query, key: str, by_consent_only: bool = False) -> dict[str, list]:  # noqa: ANN001
        """Rows by person; names and events of withdrawn sources left out (testimonies go by their own consent)."""
        out: dict[str, list] = {}
        for row in self.conn.execute(query).mappings():
            if by_consent_only or row["source_id"] not in self.withdrawn:
                out.setdefault(row[key], []).append(row)
        return out

    def _testimonies_query(self, ids: list[str]):  # noqa: ANN202
        consents = ("named", "anonymized") if self.level is Sensitivity.PUBLIC else ("named", "anonymized", "internal")
        return (select(testimonies, testimony_subjects.c.person_id.label("subject"))
                .join(testimony_subjects, testimony_subjects.c.testimony_id == testimonies.c.id)
                .where(testimony_subjects.c.person_id.in_(ids), testimonies.c.consent.in_(consents))
                .order_by(testimonies.c.created_at, testimonies.c.id))

    # --- one record -------------------------------------------------------------------------
    def _record(self, p, name_rows: list, event_rows: list, testimony_rows: list, relation_rows: list,  # noqa: ANN001
                source_rows: dict) -> dict:
        main_source = next((r["source_id"] for r in [*name_rows, *event_rows] if r["source_id"]), None)
        record: dict[str, Any] = {"ids": {"person": p["id"]}, "status": self._status(p, event_rows),
                                  "person": self._person(p, name_rows),
                                  "events": [_event(self.registry, e) for e in event_rows]}
        source = self._source(source_rows.get(main_source))
        if source:
            record["source"] = source
        record["testimonies"] = [self._testimony(t, source_rows, main_source) for t in testimony_rows]
        record["relations"] = self._relations(p["id"], relation_rows)
        return record

    def _status(self, p, event_rows: list) -> dict | None:  # noqa: ANN001
        """The stored status, unless it comes from a hidden event: then derived from the visible ones."""
        if p["status"] is None:
            return None
        if p["status_event_id"] in {e["id"] for e in event_rows}:
            return {"status": p["status"], "event": p["status_event_id"]}
        derived = derive_status([EventFact(e["id"], EventType(e["type"]), e["date"], e["source_id"], e["source_order"],
                                           e["facility_type"] == "detention_center") for e in event_rows])
        return {"status": derived.status.value, "event": derived.event_id} if derived else None

    def _person(self, p, name_rows: list) -> dict:  # noqa: ANN001
        place = self.registry.gazetteer.places.get(p["hometown_code"] or "")
        person = {
            "names": [_drop_empty({"text": n["text"], "script": n["script"], "language": n["language"],
                                   "part": n["part"]}) for n in name_rows],
            "sex": p["sex"], "ethnicity": p["ethnicity"], "birth_date": p["birth_date"], "age": p["age_years"],
            "age_at": p["age_at"], "hometown": p["hometown_code"],
            "hometown_name": (place.name_en or place.name) if place else None, "occupation": p["occupation"],
            "citizenships": p["citizenships"].split(",") if p["citizenships"] else None,
        }
        if self.at_least(Sensitivity.INTERNAL):
            person["health"] = p["health"]
        if self.at_least(Sensitivity.CONFIDENTIAL):
            for field in ("resident_id", "notes"):
                person[field] = self._open(p["key_id"], p[f"{field}_enc"], f"persons.{field}_enc.{p['id']}",
                                           f"person.{p['id']}.{field}")
        return _drop_empty(person)

    def _testimony(self, t, source_rows: dict, main_source: str | None) -> dict:  # noqa: ANN001
        tid, named = t["id"], t["consent"] == "named"
        item: dict[str, Any] = {"ids": _drop_empty({"testimony": tid, "testifier": t["testifier_id"]})}
        testifier: dict[str, Any] = {}
        testimony: dict[str, Any] = {}
        if named or self.at_least(Sensitivity.CONFIDENTIAL):
            testifier["name"] = self._open(t["key_id"], t["testifier_name_enc"],
                                           f"testimonies.testifier_name_enc.{tid}",
                                           None if named else f"testimony.{tid}.testifier")
        if self.at_least(Sensitivity.INTERNAL):
            testifier.update(relation=t["relation"], consent=t["consent"])
            testimony.update(medium=t["medium"], date=t["recorded_on"],
                             summary=self._open(t["key_id"], t["summary_enc"], f"testimonies.summary_enc.{tid}"))
        if self.at_least(Sensitivity.CONFIDENTIAL):
            testifier["contacts"] = self._open(t["key_id"], t["contacts_enc"], f"testimonies.contacts_enc.{tid}",
                                               f"testimony.{tid}.contacts")
            testimony["notes"] = self._open(t["key_id"], t["notes_enc"], f"testimonies.notes_enc.{tid}",
                                            f"testimony.{tid}.notes")
        for key, value in (("testifier", _drop_empty(testifier)), ("testimony", _drop_empty(testimony))):
            if value:
                item[key] = value
        source = self._source(source_rows.get(t["source_id"])) if t["source_id"] != main_source else None
        if source:
            item["source"] = source
        return item

    def _source(self, row) -> dict | None:  # noqa: ANN001
        """A source's fields, when the level shows them: published sources always, others from internal up."""
        if row is None or not (row["kind"] in PUBLISHED_KINDS or self.at_least(Sensitivity.INTERNAL)):
            return None
        return _drop_empty({k: row[k] for k in SOURCE_FIELDS})

    def _relations(self, person_id: str, relation_rows: list) -> list[dict]:
        out = []
        for r in relation_rows:
            if r["source_id"] in self.withdrawn:
                continue
            if r["person_id"] == person_id and r["other_id"] in self.exported:
                out.append({"type": r["type"], "other": r["other_id"]})
            elif r["other_id"] == person_id and r["person_id"] in self.exported:
                out.append({"type": {"parent": "child", "child": "parent"}.get(r["type"], r["type"]),
                            "other": r["person_id"]})
        return out

    def _open(self, key_id: str | None, blob: bytes | None, where: str, revealed: str | None = None) -> str | None:
        """Decrypt one value (None when absent or erased); a confidential one is remembered for the audit entry."""
        if blob is None or key_id is None:
            return None
        try:
            data_key = self.keys.data_key(key_id)
            value = KeyRing.open(data_key, blob, where).decode() if data_key else None
        except DecryptionError as exc:
            raise ServiceError(f"export stopped, nothing was written: {exc}") from None
        if value is not None and revealed:
            self.revealed.append(revealed)
        return value


def _event(registry: Registry, e) -> dict:  # noqa: ANN001
    place = registry.gazetteer.places.get(e["place_code"] or "")
    facility = f"BFN:{e['source_ref']}" if e["source_ref"] else (e["facility_name"] or e["facility_text"])
    return _drop_empty({"id": e["id"], "type": e["type"], "date": e["date"], "place": e["place_code"],
                        "place_name": (place.name_en or place.name) if place else None, "facility": facility,
                        "facility_name": e["facility_name"] or e["facility_text"]})


def _name_order(n) -> tuple:  # noqa: ANN001
    """Names in a stable order: as recorded over time, then full names first, Latin script first."""
    return (n["created_at"], _PARTS.index(n["part"]) if n["part"] in _PARTS else len(_PARTS),
            _SCRIPTS.index(n["script"]) if n["script"] in _SCRIPTS else len(_SCRIPTS), n["script"], n["text"])


def _drop_empty(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, "", [])}


# --- formats ----------------------------------------------------------------------------------
def _write_jsonl(handle: IO[str], records: Iterator[dict]) -> int:
    count = 0
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_ftm(handle: IO[str], records: Iterator[dict]) -> int:
    """One FtM entity per line; a hometown's Address once however many persons share it."""
    count, seen = 0, set()
    for record in records:
        for entity in entities(record):
            if entity["schema"] == "Address":
                if entity["id"] in seen:
                    continue
                seen.add(entity["id"])
            handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(handle: IO[str], records: Iterator[dict]) -> int:
    """One row per testimony about a person (one row if none), in the import's columns plus ids and status."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    count = 0
    for record in records:
        for item in record["testimonies"] or [{}]:
            cells = _csv_cells(record, item)
            writer.writerow([_defuse(cells.get(column)) for column in CSV_HEADER])
        count += 1
    return count


def _csv_cells(record: dict, item: dict) -> dict[str, str]:
    person = record["person"]
    cells = {f"person.{k}": v for k, v in person.items() if k not in ("names", "citizenships")}
    cells.update({"ids.person": record["ids"]["person"], "ids.testimony": item.get("ids", {}).get("testimony"),
                  "status": (record["status"] or {}).get("status"),
                  "person.names": format_names_cell(person.get("names", [])),
                  "person.citizenships": "; ".join(person.get("citizenships", [])),
                  "events": format_events_cell(record["events"])})
    for section in ("testifier", "testimony"):
        cells.update({f"{section}.{k}": v for k, v in item.get(section, {}).items()})
    cells.update({f"source.{k}": v for k, v in (item.get("source") or record.get("source") or {}).items()})
    return cells


def _defuse(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula: a leading = + - @ gets an apostrophe (import removes it)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


_SINKS = {"jsonl": _write_jsonl, "ftm": _write_ftm, "csv": _write_csv}
