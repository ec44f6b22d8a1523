"""FollowTheMoney entities for one exported person record, so investigators can load them into Aleph.

The input is a record as services/exporting.py writes it, already cut to the export's level: this
mapping adds nothing the record does not hold. Entity ids are derived from record ids, so the same
person gets the same entity in every export.

    Person   names (full → name, alias → alias, given → firstName, surname → lastName,
             patronymic → fatherName), gender, birthDate (when the EDTF date is a plain ISO date;
             otherwise in description, with an age), ethnicity, nationality, profession, status,
             country and address (hometown), idNumber and notes when the level includes them
    Address  the hometown (shared by everyone from the same place)
    Event    each event: its type as name, date, place, facility, the person as `involved`
    Family   each relation between two exported persons (`A parent B`: person A, relative B,
             relationship parent), and a testifier's relation to the person when visible
    Person   a testifier whose name the level shows; Note for each testimony with a summary
"""

from __future__ import annotations

import re
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

NAMESPACE = "testimonia"
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NAME_PROPS = {"full": "name", "alias": "alias", "given": "firstName", "surname": "lastName",
               "patronymic": "fatherName"}


def entity_id(kind: str, record_id: str) -> str:
    return make_entity_id(NAMESPACE, kind, record_id)


def _entity(schema: str, kind: str, record_id: str, **props: Any) -> EntityProxy:
    entity = model.make_entity(schema)
    entity.id = entity_id(kind, record_id)
    for prop, value in props.items():
        if value not in (None, "", []):
            entity.add(prop, value)
    return entity


def _country(code: str | None) -> str | None:
    if not code:
        return None
    if code[:2].isdigit() or code == "CN":
        return "cn"
    return code[:2].lower()


def _iso(date: str | None) -> str | None:
    return date if date and _ISO_DATE.match(date) else None


def entities(record: dict) -> list[dict]:
    """The entities of one record, as FtM JSON objects (one per line in an export)."""
    person_id = record["ids"]["person"]
    person = _person(record)
    out = [person]
    hometown = record["person"].get("hometown")
    if hometown:
        address = _entity("Address", "place", hometown, full=record["person"].get("hometown_name") or hometown,
                          country=_country(hometown))
        person.add("addressEntity", address.id)
        out.append(address)
    out += [_event(person.id, event) for event in record.get("events", [])]
    for relation in record.get("relations", []):
        if person_id < relation["other"]:  # each pair once; the inverse reads the same
            out.append(_entity("Family", "relation", f"{person_id}:{relation['type']}:{relation['other']}",
                               person=person.id, relative=entity_id("person", relation["other"]),
                               relationship=relation["type"]))
    for item in record.get("testimonies", []):
        out += _testimony(person.id, item)
    return [entity.to_dict() for entity in out]


def _person(record: dict) -> EntityProxy:
    p = record["person"]
    props: dict[str, list] = {prop: [] for prop in _NAME_PROPS.values()}
    for name in p.get("names", []):
        props[_NAME_PROPS.get(name.get("part") or "full", "name")].append(name["text"])
    if not props["name"]:
        props["name"] = [" ".join(props["firstName"] + props["lastName"]) or "Unknown person"]
    description = []
    if p.get("birth_date") and not _iso(p["birth_date"]):
        description.append(f"Born {p['birth_date']} (EDTF).")
    if p.get("age") is not None:
        description.append(f"Age {p['age']} on {p.get('age_at')}.")
    notes = [f"Health: {p['health']}" if p.get("health") else None, p.get("notes")]
    status = (record.get("status") or {}).get("status")
    return _entity("Person", "person", record["ids"]["person"], **props,
                   gender=p.get("sex") if p.get("sex") in ("male", "female") else None,
                   birthDate=_iso(p.get("birth_date")), ethnicity=(p.get("ethnicity") or "").title() or None,
                   nationality=[c.lower() for c in p.get("citizenships", [])], profession=p.get("occupation"),
                   status=status, country=_country(p.get("hometown")), address=p.get("hometown_name"),
                   idNumber=p.get("resident_id"), description=" ".join(description) or None,
                   notes=[n for n in notes if n])


def _event(person_entity: str, event: dict) -> EntityProxy:
    label = event["type"].replace("_", " ").capitalize()
    return _entity("Event", "event", event["id"], name=label, date=_iso(event.get("date")),
                   description=f"{label}: {event['date']} (EDTF)" if event.get("date") else None,
                   involved=person_entity, location=event.get("place_name"), country=_country(event.get("place")),
                   summary=event.get("facility_name") or event.get("facility"))


def _testimony(person_entity: str, item: dict) -> list[EntityProxy]:
    testimony_id = item["ids"]["testimony"]
    testifier = item.get("testifier", {})
    out = []
    if testifier.get("name"):
        witness = _entity("Person", "testifier", testimony_id, name=testifier["name"])
        out.append(witness)
        if testifier.get("relation"):
            out.append(_entity("Family", "testifier-relation", testimony_id, person=person_entity,
                               relative=witness.id, relationship=testifier["relation"]))
    summary = item.get("testimony", {}).get("summary")
    if summary:
        name = f"Testimony by {testifier['name']}" if testifier.get("name") else "Testimony"
        out.append(_entity("Note", "testimony", testimony_id, name=name, description=summary, entity=person_entity))
    return out
