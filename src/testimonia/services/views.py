"""Reading records: a person as a given reader may see them, and their history.

Fields are shown by sensitivity and role; a volunteer also sees everything of the testimonies
they recorded. Every read of a confidential value appends an audit entry (who, what, not the value).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy import bindparam, or_, select, union
from sqlalchemy.engine import Connection

from ..domain.status import EventFact, derive_status
from ..domain.vocab import EventType, Sensitivity, UserRole
from ..store.crypto import DecryptionError, KeyRing
from ..store.schema import (
    audit_log,
    data_keys,
    events,
    evidence,
    facilities,
    names,
    persons,
    petition_answers,
    petition_persons,
    petitions,
    places,
    relations,
    testimonies,
    testimony_subjects,
)
from .access import Actor
from .errors import NotFound
from .registry import Registry, iso_utc
from .visibility import publishable_condition, visible_persons

ERASED = "[erased]"
WITHHELD = "[confidential]"


class KeyCache:
    """Unwraps data keys on demand, for one read."""

    def __init__(self, registry: Registry, conn: Connection):
        self.registry, self.conn = registry, conn

    def data_key(self, key_id: str) -> bytes | None:
        """The unwrapped key, or None once destroyed — checked in the database every time, since
        another process (`erase`) may have destroyed it since this one cached it."""
        row = self.conn.execute(select(data_keys).where(data_keys.c.id == key_id)).mappings().one_or_none()
        if row is None or row["wrapped"] is None:
            self.registry.keys.forget(key_id)
            return None
        cached = self.registry.keys.cached(key_id)
        if cached:
            return cached
        data_key = self.registry.keys.unwrap(key_id, row["wrapped"], row["master_id"])
        self.registry.keys.remember(key_id, data_key)
        return data_key

    def open(self, key_id: str | None, blob: bytes | None, where: str) -> str | None:
        if blob is None or key_id is None:
            return None
        data_key = self.data_key(key_id)
        if data_key is None:
            return ERASED
        return KeyRing.open(data_key, blob, where).decode()


# The statements of a person's view, built once (building a statement costs more than running it
# on an indexed key); each takes the person's id as :person_id.
_PERSON_ID = bindparam("person_id")
_PERSON = select(persons).where(persons.c.id == _PERSON_ID)
_OWN_SOURCES = union(select(names.c.source_id).where(names.c.person_id == _PERSON_ID),
                     select(events.c.source_id).where(events.c.person_id == _PERSON_ID),
                     select(relations.c.source_id).where(or_(relations.c.person_id == _PERSON_ID,
                                                             relations.c.other_id == _PERSON_ID)))
_WITHDRAWN = select(testimonies.c.source_id).where(testimonies.c.consent == "withdrawn",
                                                   testimonies.c.source_id.in_(_OWN_SOURCES.scalar_subquery()))
_NAMES = (select(names.c.id, names.c.text, names.c.script, names.c.language, names.c.part, names.c.source_id)
          .where(names.c.person_id == _PERSON_ID).order_by(names.c.created_at, names.c.position, names.c.id))
_EVENTS = (select(events.c.id, events.c.type, events.c.date, events.c.place_code, events.c.facility_text,
                  facilities.c.name.label("facility"), facilities.c.type.label("facility_type"), events.c.source_id,
                  events.c.source_order)
           .select_from(events.outerjoin(facilities, events.c.facility_id == facilities.c.id))
           .where(events.c.person_id == _PERSON_ID).order_by(events.c.date_latest, events.c.source_order))
_RELATIONS_FROM = select(relations.c.type, relations.c.other_id, relations.c.source_id).where(
    relations.c.person_id == _PERSON_ID)
_RELATIONS_TO = select(relations.c.type, relations.c.person_id, relations.c.source_id).where(
    relations.c.other_id == _PERSON_ID)
_TESTIMONIES = (select(testimonies).join(testimony_subjects, testimony_subjects.c.testimony_id == testimonies.c.id)
                .where(testimony_subjects.c.person_id == _PERSON_ID))
_PETITIONS = (select(petitions.c.id, petitions.c.title, petitions.c.addressed_to, petitions.c.sent_on)
              .join(petition_persons, petition_persons.c.petition_id == petitions.c.id)
              .where(petition_persons.c.person_id == _PERSON_ID))
_ANSWERS = select(petition_answers.c.kind, petition_answers.c.received_on).where(
    petition_answers.c.petition_id == bindparam("petition_id"))
_EVIDENCE = select(evidence.c.id, evidence.c.sha256, evidence.c.size, evidence.c.media_type,
                   evidence.c.testimony_id, evidence.c.created_at).where(or_(
                       evidence.c.person_id == _PERSON_ID,
                       evidence.c.testimony_id.in_(select(testimony_subjects.c.testimony_id)
                                                   .where(testimony_subjects.c.person_id == _PERSON_ID))))


def person_view(registry: Registry, actor: Actor, person_id: str) -> dict[str, Any]:
    """Everything of a person this actor may see."""
    of = {"person_id": person_id}
    with registry.db.reading() as conn:
        person = conn.execute(_PERSON, of).mappings().one_or_none()
        if person is None or not actor.sees_project(person["project_id"]):
            raise NotFound(f"no person {person_id}")
        admin = actor.role is UserRole.ADMIN
        if person["hidden"] and not admin:
            raise NotFound(f"no person {person_id}")
        withdrawn = set(conn.execute(_WITHDRAWN, of).scalars())
        visible = lambda source_id: admin or source_id not in withdrawn
        keys = KeyCache(registry, conn)
        read_fields: list[str] = []
        view: dict[str, Any] = {
            "id": person_id, "version": person["version"], "project": person["project_id"],
            "merged_into": person["merged_into"],
            "names": [dict(r) for r in conn.execute(_NAMES, of).mappings() if visible(r["source_id"])],
            "sex": person["sex"], "ethnicity": person["ethnicity"], "birth_date": person["birth_date"],
            "age": {"years": person["age_years"], "at": person["age_at"]} if person["age_years"] is not None else None,
            "hometown": _place(conn, person["hometown_code"]), "occupation": person["occupation"],
            "citizenships": person["citizenships"].split(",") if person["citizenships"] else [],
            "status": {"status": person["status"], "event": person["status_event_id"]} if person["status"] else None,
        }
        if actor.can_read(Sensitivity.INTERNAL):
            view["health"] = person["health"]
        if actor.can_read(Sensitivity.CONFIDENTIAL):
            for field in ("resident_id", "notes"):
                if person[f"{field}_enc"] is not None:
                    view[field] = keys.open(person["key_id"], person[f"{field}_enc"], f"persons.{field}_enc.{person_id}")
                    read_fields.append(f"person.{field}")
        shown = [dict(r) for r in conn.execute(_EVENTS, of).mappings() if visible(r["source_id"])]
        if withdrawn:  # derived from what this reader sees: an admin sees the withdrawn events the stored status
            view["status"] = _status_of(shown)  # leaves out; a registry not yet reindexed may still count them
        view["events"] = [{k: v for k, v in e.items() if k not in ("facility_type", "source_order")} for e in shown]
        view["relations"] = [dict(r) for r in conn.execute(_RELATIONS_FROM, of).mappings()
                             if visible(r["source_id"])] + [
            {"type": _inverse(r["type"]), "other_id": r["person_id"], "source_id": r["source_id"]}
            for r in conn.execute(_RELATIONS_TO, of).mappings() if visible(r["source_id"])]
        view["testimonies"], withdrawn_testimonies = [], set()
        for t in conn.execute(_TESTIMONIES, of).mappings():
            if t["consent"] == "withdrawn" and not admin:
                withdrawn_testimonies.add(t["id"])
                continue
            view["testimonies"].append(_testimony(t, actor, keys, read_fields))
        view["petitions"] = [dict(r) for r in conn.execute(_PETITIONS, of).mappings()]
        for p in view["petitions"]:
            p["answers"] = [dict(a) for a in conn.execute(_ANSWERS, {"petition_id": p["id"]}).mappings()]
        # as services.evidence.list_evidence lists it: the files of a withdrawn testimony only for admins
        view["evidence"] = [{"id": r["id"], "sha256": r["sha256"], "size": r["size"], "media_type": r["media_type"],
                             "testimony_id": r["testimony_id"], "added_at": iso_utc(r["created_at"])}
                            for r in conn.execute(_EVIDENCE, of).mappings()
                            if r["testimony_id"] not in withdrawn_testimonies]
    if read_fields:
        with registry.db.transaction() as conn:
            registry.audit.append(conn, "read.confidential", person_id, {"fields": sorted(set(read_fields))}, actor=actor.label)
    return view


def _status_of(shown: list[dict]) -> dict | None:
    derived = derive_status(EventFact(e["id"], EventType(e["type"]), e["date"], e["source_id"], e["source_order"],
                                      e["facility_type"] == "detention_center") for e in shown)
    return {"status": derived.status.value, "event": derived.event_id} if derived else None


def _testimony(t, actor: Actor, keys: KeyCache, read_fields: list[str]) -> dict[str, Any]:
    """A testimony as this actor may see it: its recorder sees all of it; others by role and consent."""
    own = actor.user_id == t["recorded_by"]
    out: dict[str, Any] = {"id": t["id"], "source": t["source_id"]}
    if t["erased_at"] is not None:
        out["erased"] = True
    if own or actor.can_read(Sensitivity.INTERNAL):
        out.update(consent=t["consent"], relation=t["relation"], medium=t["medium"], recorded_on=t["recorded_on"])
        out["summary"] = keys.open(t["key_id"], t["summary_enc"], f"testimonies.summary_enc.{t['id']}")
    if t["consent"] == "named" or own or actor.can_read(Sensitivity.CONFIDENTIAL):
        out["testifier"] = keys.open(t["key_id"], t["testifier_name_enc"], f"testimonies.testifier_name_enc.{t['id']}")
        if t["consent"] != "named" and t["testifier_name_enc"] is not None:
            read_fields.append(f"testimony.{t['id']}.testifier")
    if own or actor.can_read(Sensitivity.CONFIDENTIAL):
        out["contacts"] = keys.open(t["key_id"], t["contacts_enc"], f"testimonies.contacts_enc.{t['id']}")
        out["notes"] = keys.open(t["key_id"], t["notes_enc"], f"testimonies.notes_enc.{t['id']}")
        if t["contacts_enc"] is not None:
            read_fields.append(f"testimony.{t['id']}.contacts")
    return out


def _inverse(kind: str) -> str:
    return {"parent": "child", "child": "parent"}.get(kind, kind)


def _place(conn: Connection, code: str | None) -> dict | None:
    if not code:
        return None
    row = conn.execute(select(places.c.code, places.c.name, places.c.name_en).where(places.c.code == code)).mappings().first()
    return dict(row) if row else {"code": code}


def display_names(registry: Registry, actor: Actor, person_ids: set[str]) -> dict[str, str]:
    """The first name of each person the actor may see (visibility.visible_persons); the others are
    left out, so a link never shows a name it should not."""
    if not person_ids:
        return {}
    conditions = [persons.c.id.in_(sorted(person_ids)), *visible_persons(actor)]
    out: dict[str, str] = {}
    with registry.db.reading() as conn:
        for person_id, text in conn.execute(select(names.c.person_id, names.c.text)
                                            .join(persons, persons.c.id == names.c.person_id)
                                            .where(*conditions).order_by(names.c.created_at, names.c.position)):
            out.setdefault(person_id, text)
    return out


def history(registry: Registry, actor: Actor, entity_id: str) -> list[dict[str, Any]]:
    """Every version of a record: who, when, what changed. Confidential values only for those cleared
    (and their reading is audited). An imported row's entry is shown as the changes it made to this record."""
    with registry.db.reading() as conn:
        project = conn.execute(select(persons.c.project_id).where(persons.c.id == entity_id)).scalar_one_or_none()
        subjects = []
        if project is None:
            project = conn.execute(select(testimonies.c.project_id).where(testimonies.c.id == entity_id)).scalar_one_or_none()
            subjects = list(conn.execute(select(testimony_subjects.c.person_id)
                                         .where(testimony_subjects.c.testimony_id == entity_id)).scalars())
        if project is None or not actor.sees_project(project):
            raise NotFound(f"no record {entity_id}")
        reveal = _Revealer(registry, conn, actor)
        rows = conn.execute(select(audit_log).where(or_(
            audit_log.c.entity == entity_id,
            (audit_log.c.entity.in_(subjects)) & (audit_log.c.action == "import.record"))).order_by(audit_log.c.seq))
        out = []
        for row in rows.mappings():
            change = json.loads(row["change"]) if row["change"] else None
            parts = change["records"] if row["action"] == "import.record" else [
                {"action": row["action"], "entity": row["entity"], "change": change}]
            for part in parts:
                if part["entity"] == entity_id or row["action"] != "import.record":
                    out.append({"seq": row["seq"], "at": row["at"], "actor": row["actor"], "action": part["action"],
                                "change": reveal.change(part["entity"], part["change"])})
    if reveal.revealed:
        with registry.db.transaction() as conn:
            registry.audit.append(conn, "read.confidential", entity_id,
                                  {"fields": sorted(f"history.{f}" for f in reveal.revealed)}, actor=actor.label)
    return out


class _Revealer:
    """Opens sealed values in audit entries for a cleared reader, with the key of the record each belongs to."""

    def __init__(self, registry: Registry, conn: Connection, actor: Actor):
        self.conn, self.actor, self.keys = conn, actor, KeyCache(registry, conn)
        self.revealed: set[str] = set()

    def _key_id(self, entity: str | None) -> str | None:
        for table in (persons, testimonies):
            key_id = self.conn.execute(select(table.c.key_id).where(table.c.id == entity)).scalar_one_or_none()
            if key_id:
                return key_id
        return None

    def change(self, entity: str | None, change: Any) -> Any:
        if not isinstance(change, dict):
            return change
        return {k: self._value(entity, k, v) for k, v in change.items()}

    def _value(self, entity: str | None, field: str, value: Any) -> Any:
        if not (isinstance(value, dict) and "sealed" in value):
            return value
        if not self.actor.can_read(Sensitivity.CONFIDENTIAL):
            return WITHHELD
        key_id = self._key_id(entity)
        data_key = self.keys.data_key(key_id) if key_id else None
        if data_key is None:
            return ERASED
        try:
            plain = KeyRing.open(data_key, base64.b64decode(value["sealed"]), f"audit.{entity}.{field}").decode()
        except DecryptionError:
            return ERASED
        self.revealed.add(field)
        return plain


def public_person_ids(registry: Registry, project_ids: list[str] | None = None) -> list[str]:
    with registry.db.reading() as conn:
        query = select(persons.c.id).where(publishable_condition(), persons.c.hidden == 0)
        if project_ids is not None:
            query = query.where(persons.c.project_id.in_(project_ids))
        return list(conn.execute(query.order_by(persons.c.created_at, persons.c.id)).scalars())


def public_person_view(registry: Registry, person_id: str) -> dict[str, Any]:
    """What anyone may see: public fields of a publishable person, from sources not withdrawn."""
    with registry.db.reading() as conn:
        allowed = conn.execute(select(persons.c.project_id).where(persons.c.id == person_id, publishable_condition(),
                                                                  persons.c.hidden == 0)).scalar_one_or_none()
    if not allowed:
        raise NotFound(f"no person {person_id}")
    full = person_view(registry, Actor("public", "public", UserRole.VIEWER, frozenset([allowed])), person_id)
    full["testimonies"] = [{k: v for k, v in t.items() if k in ("id", "testifier")} for t in full["testimonies"]]
    full.pop("evidence", None)
    full.pop("project", None)
    return full
