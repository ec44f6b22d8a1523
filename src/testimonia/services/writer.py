"""Collects the rows of one unit of work and writes them in bulk, with their audit entries.

Both the single-record services and the importer use it, so a record written either way is the
same: validated values, confidential fields sealed under the record's data key, name keys and
search document refreshed, status derived, one audit entry per record (under a parent entry
for an import). Callers run it inside one transaction.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..domain.dates import parse_date
from ..domain.status import EventFact, derive_status
from ..domain.vocab import EventType
from ..names import han_bigrams
from ..names import name_keys as blocking_keys
from ..names.keys import phonetic_tokens
from ..store.bulk import insert_many
from ..store.crypto import KeyRing, new_id
from ..store.schema import (
    data_keys,
    events,
    facilities,
    name_keys,
    names,
    persons,
    relations,
    search_documents,
    sources,
    testimonies,
    testimony_subjects,
)
from .access import Actor
from .inputs import EventInput, NameInput, PersonInput, SourceInput, TestimonyInput
from .registry import Registry, check_master_is_current, utcnow
from .visibility import not_withdrawn, refresh_hidden, withdrawn_sources

# Insert order that satisfies foreign keys.
_TABLES = (data_keys, sources, persons, names, name_keys, testimonies, testimony_subjects, events, relations)


class Writer:
    def __init__(self, registry: Registry, conn: Connection, actor: Actor):
        self.registry, self.conn, self.actor = registry, conn, actor
        self.now = utcnow()
        self._facility_cache: dict[str, tuple[str | None, str | None]] = {}
        self._master_checked = False
        self._facilities_loaded = False
        self._record_start = 0
        self._reset()

    def _reset(self) -> None:
        """Forget what was collected (after a flush): the Writer can collect the next chunk."""
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.audit: list[dict] = []
        self.person_project: dict[str, str] = {}
        # what new persons' status, search document and hidden flag are derived from, with the sources
        # that gave it (what a withdrawn testimony gave is left out of all three)
        self.new_events: dict[str, list[EventFact]] = defaultdict(list)
        self.new_names: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        self.place_words: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
        self.new_consents: dict[str, list[str]] = defaultdict(list)  # of the testimonies about a new person
        self.withdrawn_sources: set[str] = set()  # of this batch's withdrawn testimonies
        self.touched: set[str] = set()  # existing persons whose status and search document need a refresh
        self.visibility: set[str] = set()  # existing persons whose `hidden` flag a new testimony may change

    # --- helpers ----------------------------------------------------------------------------
    def _stamp(self) -> dict:
        return {"created_at": self.now, "created_by": self.actor.user_id}

    def _record(self, action: str, entity: str, change: dict) -> None:
        self.audit.append({"actor": self.actor.label, "action": action, "entity": entity, "change": change})

    def successor(self) -> "Writer":
        """A Writer for the next chunk, sharing what this one looked up, so that collecting the next
        chunk needs no database access while this one is being flushed (see services/importing)."""
        self._preload_facilities()
        following = Writer(self.registry, self.conn, self.actor)
        following._facility_cache, following._master_checked = self._facility_cache, self._master_checked
        following.now = self.now
        return following

    def _preload_facilities(self) -> None:
        if self._facilities_loaded:
            return
        for row in self.conn.execute(select(facilities.c.id, facilities.c.source_ref, facilities.c.name, facilities.c.type)):
            for key in (row.id, f"BFN:{row.source_ref}", f"bfn:{row.source_ref}", row.source_ref, row.name):
                self._facility_cache.setdefault(key, (row.id, row.type))
        self._facilities_loaded = True

    def begin_record(self) -> None:
        """Start collecting one imported record (a row): its audit entries become one entry."""
        self._record_start = len(self.audit)

    def end_record(self, entity: str) -> None:
        """Fold the entries since `begin_record` into one `import.record` entry about `entity`."""
        parts = self.audit[self._record_start:]
        del self.audit[self._record_start:]
        self._record("import.record", entity,
                     {"records": [{"action": e["action"], "entity": e["entity"], "change": e["change"]} for e in parts]})

    def new_data_key(self, owner: str) -> tuple[str, bytes]:
        if not self._master_checked:
            check_master_is_current(self.registry, self.conn)
            self._master_checked = True
        key_id = new_id("k")
        data_key, wrapped = self.registry.keys.new_data_key(key_id)
        self.rows["data_keys"].append({"id": key_id, "owner": owner, "wrapped": wrapped,
                                       "master_id": self.registry.keys.master_id, "created_at": self.now})
        return key_id, data_key

    def sealed_for_audit(self, data_key: bytes, entity: str, field: str, value: str) -> dict:
        """How a confidential value appears in an audit entry: ciphertext under the record's key."""
        blob = KeyRing.seal(data_key, value.encode(), f"audit.{entity}.{field}")
        return {"sealed": base64.b64encode(blob).decode()}

    # --- records ----------------------------------------------------------------------------
    def add_source(self, project_id: str, s: SourceInput) -> str:
        source_id = new_id("s")
        self.rows["sources"].append({"id": source_id, "project_id": project_id, **s.__dict__, **self._stamp()})
        self._record("source.create", source_id, {k: v for k, v in s.__dict__.items() if v is not None and k != "text"}
                     | ({"text_chars": len(s.text)} if s.text else {}))
        if s.text and s.kind != "testimony":
            self.rows["search_documents"].append({"doc_id": source_id, "kind": "source", "project_id": project_id,
                                                  "content": " ".join(filter(None, [s.title, s.publisher, s.text]))})
        return source_id

    def add_person(self, project_id: str, p: PersonInput, source_id: str | None = None) -> str:
        person_id = new_id("p")
        row: dict[str, Any] = {
            "id": person_id, "project_id": project_id, "version": 1, "sex": p.sex, "ethnicity": p.ethnicity,
            "birth_date": p.birth_date, "age_years": p.age_years, "age_at": p.age_at, "hometown_code": p.hometown,
            "occupation": p.occupation, "citizenships": ",".join(p.citizenships) or None, "health": p.health,
            "key_id": None, "resident_id_enc": None, "resident_id_blind": None, "notes_enc": None,
            "status": None, "status_event_id": None, "merged_into": None, "hidden": 0, **self._stamp(),
            "updated_at": self.now,
        }
        change = {k: row[k] for k in ("sex", "ethnicity", "birth_date", "age_years", "age_at", "hometown_code",
                                      "occupation", "citizenships", "health") if row[k] is not None}
        if p.resident_id or p.notes:
            key_id, data_key = self.new_data_key(person_id)
            row["key_id"] = key_id
            for field, value in (("resident_id", p.resident_id), ("notes", p.notes)):
                if value:
                    row[f"{field}_enc"] = KeyRing.seal(data_key, value.encode(), f"persons.{field}_enc.{person_id}")
                    change[field] = self.sealed_for_audit(data_key, person_id, field, value)
            if p.resident_id:
                row["resident_id_blind"] = self.registry.keys.blind("resident_id", p.resident_id)
        self.rows["persons"].append(row)
        self.person_project[person_id] = project_id
        self._record("person.create", person_id, {"project": project_id, **change, "version": 1})
        if p.hometown:
            self.place_words[person_id].add((p.hometown, None))
        for position, name in enumerate(p.names):
            self.add_name(person_id, name, source_id, audit=False, position=position)
        if p.names:
            self.audit[-1]["change"]["names"] = [n.text for n in p.names]
        return person_id

    def add_name(self, person_id: str, n: NameInput, source_id: str | None = None, *, audit: bool = True,
                 position: int | None = None) -> str:
        name_id = new_id("n")
        self.rows["names"].append({"id": name_id, "person_id": person_id, "text": n.text, "script": n.script,
                                   "language": n.language, "part": n.part, "position": position,
                                   "source_id": source_id, **self._stamp()})
        for key in sorted(blocking_keys(n.text)):
            self.rows["name_keys"].append({"key": key[:200], "person_id": person_id, "name_id": name_id})
        self.new_names[person_id].append((n.text, source_id))
        if audit:
            self._record("name.add", person_id, {"name": name_id, "text": n.text, "script": n.script,
                                                 "language": n.language, "part": n.part, "source": source_id})
            self.touched.add(person_id)
        return name_id

    def add_testimony(self, project_id: str, source_id: str, t: TestimonyInput, subjects: list[str],
                      testifier_id: str | None = None) -> str:
        testimony_id = new_id("t")
        key_id, data_key = self.new_data_key(testimony_id)
        row: dict[str, Any] = {
            "id": testimony_id, "project_id": project_id, "source_id": source_id,
            "testifier_id": testifier_id if t.consent == "named" else None,
            "relation": t.relation, "medium": t.medium, "recorded_by": self.actor.user_id if self.actor.user_id != "system" else None,
            "recorded_on": t.recorded_on, "consent": t.consent, "version": 1, "key_id": key_id, **self._stamp(),
        }
        change: dict[str, Any] = {"source": source_id, "subjects": subjects, "relation": t.relation,
                                  "medium": t.medium, "consent": t.consent, "recorded_on": t.recorded_on}
        for field, value in (("testifier_name", t.testifier_name), ("contacts", t.contacts),
                             ("summary", t.summary), ("notes", t.notes)):
            row[f"{field}_enc"] = KeyRing.seal(data_key, value.encode(), f"testimonies.{field}_enc.{testimony_id}") if value else None
            if value:
                change[field] = self.sealed_for_audit(data_key, testimony_id, field, value)
        self.rows["testimonies"].append(row)
        if t.consent == "withdrawn":
            self.withdrawn_sources.add(source_id)
        for person_id in subjects:
            self.rows["testimony_subjects"].append({"testimony_id": testimony_id, "person_id": person_id})
            if person_id in self.person_project:
                self.new_consents[person_id].append(t.consent)
            else:
                self.visibility.add(person_id)
        self._record("testimony.create", testimony_id, change)
        return testimony_id

    def resolve_facility(self, text: str | None) -> tuple[str | None, str | None]:
        """(facility id, facility type) for an id, a source list id, or an exact facility name."""
        if not text:
            return None, None
        if text not in self._facility_cache and not self._facilities_loaded:
            ref = text.removeprefix("BFN:").removeprefix("bfn:")
            row = self.conn.execute(select(facilities.c.id, facilities.c.type).where(
                (facilities.c.id == text) | (facilities.c.source_ref == ref) | (facilities.c.name == text))).first()
            self._facility_cache[text] = (row[0], row[1]) if row else (None, None)
        return self._facility_cache.get(text, (None, None))

    def add_event(self, person_id: str, e: EventInput, source_id: str | None = None) -> str:
        event_id = new_id("e")
        facility_id, facility_type = self.resolve_facility(e.facility)
        dates = parse_date(e.date) if e.date else None
        self.rows["events"].append({
            "id": event_id, "person_id": person_id, "type": e.type, "date": e.date,
            "date_earliest": dates.earliest if dates else None, "date_latest": dates.latest if dates else None,
            "place_code": e.place, "facility_id": facility_id, "facility_text": None if facility_id else e.facility,
            "source_id": source_id, "source_order": e.source_order,
            "span_start": e.span[0] if e.span else None, "span_end": e.span[1] if e.span else None,
            "confidence": e.confidence, **self._stamp(),
        })
        fact = EventFact(event_id, EventType(e.type), e.date, source_id, e.source_order,
                         facility_type == "detention_center")
        self._record("event.add", person_id, {"event": event_id, "type": e.type, "date": e.date, "place": e.place,
                                              "facility": facility_id or e.facility, "source": source_id})
        if person_id in self.person_project:
            self.new_events[person_id].append(fact)
        else:
            self.touched.add(person_id)
        if e.place:
            self.place_words[person_id].add((e.place, source_id))
        return event_id

    def add_relation(self, person_id: str, kind: str, other_id: str, source_id: str | None = None) -> str:
        relation_id = new_id("r")
        self.rows["relations"].append({"id": relation_id, "person_id": person_id, "type": kind, "other_id": other_id,
                                       "source_id": source_id, **self._stamp()})
        self._record("relation.add", person_id, {"relation": relation_id, "type": kind, "other": other_id, "source": source_id})
        return relation_id

    # --- writing ----------------------------------------------------------------------------
    def flush(self, parent: dict | None = None, parent_seq: int | None = None) -> list[int]:
        """Insert everything collected, derive statuses, refresh search documents, append the audit entries.

        `parent` is a new entry to write above this batch's entries; `parent_seq` an existing one
        (an import's entry, when its records are flushed in chunks).
        """
        self._derive_new_persons(self._withdrawn_cited())
        for table in (*_TABLES, search_documents):
            insert_many(self.conn, table, self.rows.get(table.name, []))
        for person_id in sorted(self.touched - set(self.person_project)):
            refresh_person(self.registry, self.conn, person_id)
        refresh_hidden(self.conn, sorted(self.visibility))
        entries = self.audit
        if parent_seq is not None:
            entries = [{**entry, "parent_seq": parent_seq} for entry in entries]
        if parent is not None:
            entries = [parent] + [{**entry, "parent": 0} for entry in entries]
        seqs = self.registry.audit.append_many(self.conn, entries)
        self._reset()
        return seqs

    def _withdrawn_cited(self) -> set[str]:
        """The sources of withdrawn testimonies among those the new persons' records cite: this batch's,
        and any written before it (looked up, not read whole: during a bulk import the indexes are gone)."""
        cited = {source for person_id in self.person_project for _, source in self.new_names.get(person_id, ())}
        cited |= {fact.source_id for facts in self.new_events.values() for fact in facts}  # new persons' only
        earlier = sorted(filter(None, cited - {row["id"] for row in self.rows["sources"]}))
        found = self.conn.execute(withdrawn_sources().where(testimonies.c.source_id.in_(earlier))).scalars() \
            if earlier else []
        return self.withdrawn_sources | set(found)

    def _derive_new_persons(self, withdrawn: set[str]) -> None:
        """Status, hidden flag and search document of the persons this batch creates, from what it
        collected (every record of a new person is in it), as refresh_person and refresh_hidden derive
        them for persons written before, without what withdrawn testimonies gave."""
        gazetteer = self.registry.gazetteer
        for row in self.rows["persons"]:
            person_id = row["id"]
            derived = derive_status([f for f in self.new_events.get(person_id, ()) if f.source_id not in withdrawn])
            if derived:
                row["status"], row["status_event_id"] = derived.status.value, derived.event_id
            texts = [text for text, source in self.new_names.get(person_id, ()) if source not in withdrawn]
            # hidden_by_withdrawal_condition: named by withdrawn testimonies only, no name from elsewhere
            row["hidden"] = int(set(self.new_consents.get(person_id, ())) == {"withdrawn"} and not texts)
            words = _name_words(texts)
            words += _place_words(gazetteer, {code for code, source in self.place_words.get(person_id, ())
                                              if source not in withdrawn})
            words += [row.get("ethnicity") or "", row.get("occupation") or ""]
            self.rows["search_documents"].append({"doc_id": person_id, "kind": "person",
                                                  "project_id": self.person_project[person_id],
                                                  "content": " ".join(w for w in words if w)})


def _name_words(texts: list[str]) -> list[str]:
    """Names as written (the full-text tokenizers fold case and accents themselves); the pairs of
    neighbouring Chinese characters of names written in them (names.han_bigrams); and the phonetic
    tokens of every name, through which a query written in another script finds it."""
    words = list(texts)
    for text in texts:
        words += han_bigrams(text)
        words += phonetic_tokens(text)
    return words


def _place_words(gazetteer, codes) -> list[str]:
    """Every alias of each place (any script), and the main names of the places above it, places in the
    order of their codes (the same document however the codes were collected)."""
    words: dict[str, None] = {}
    for code in sorted(codes):
        place = gazetteer.places.get(code)
        if place:
            words.update(dict.fromkeys(a.text for a in place.aliases))
        for above in gazetteer.ancestors(code):
            parent = gazetteer.places.get(above)
            if parent:
                words.update(dict.fromkeys(filter(None, [parent.name, parent.name_en])))
    return list(words)


def refresh_person(registry: Registry, conn: Connection, person_id: str) -> None:
    """Re-derive an existing person's status and rebuild their search document from the database, both
    from what withdrawn testimonies did not contribute: search lists, filters and statistics show them to
    readers who must not see those contributions (the person view derives an admin's status itself)."""
    rows = conn.execute(
        select(events.c.id, events.c.type, events.c.date, events.c.source_id, events.c.source_order,
               events.c.place_code, facilities.c.type.label("facility_type"), facilities.c.name.label("facility_name"))
        .select_from(events.outerjoin(facilities, events.c.facility_id == facilities.c.id))
        .where(events.c.person_id == person_id, not_withdrawn(events.c.source_id))
    ).mappings().all()
    facts = [EventFact(r["id"], EventType(r["type"]), r["date"], r["source_id"], r["source_order"],
                       r["facility_type"] == "detention_center") for r in rows]
    derived = derive_status(facts)
    person = conn.execute(select(persons).where(persons.c.id == person_id)).mappings().one()
    conn.execute(update(persons).where(persons.c.id == person_id).values(
        status=derived.status.value if derived else None, status_event_id=derived.event_id if derived else None))
    texts = conn.execute(select(names.c.text).where(names.c.person_id == person_id,
                                                   not_withdrawn(names.c.source_id))).scalars().all()
    words = _name_words(texts)
    codes = {r["place_code"] for r in rows if r["place_code"]} | ({person["hometown_code"]} if person["hometown_code"] else set())
    words += _place_words(registry.gazetteer, codes)
    words += [r["facility_name"] for r in rows if r["facility_name"]]
    words += [person["ethnicity"] or "", person["occupation"] or ""]
    content = " ".join(w for w in words if w)
    refresh_hidden(conn, [person_id])
    updated = conn.execute(update(search_documents).where(search_documents.c.doc_id == person_id).values(content=content))
    if updated.rowcount == 0:
        conn.execute(search_documents.insert().values(doc_id=person_id, kind="person",
                                                      project_id=person["project_id"], content=content))
