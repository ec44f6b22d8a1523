"""Reference data into the registry: places with their aliases, and facilities tied to places."""

from __future__ import annotations

from sqlalchemy import func, select

from ..gazetteer.load import FACILITY_CREDIT, load_facilities, load_places
from ..gazetteer.resolve import fold
from ..store.crypto import new_id
from ..store.schema import facilities, place_aliases, places
from .registry import Registry


def load_reference_data(registry: Registry) -> dict[str, int]:
    """Load gazetteer and facilities once (idempotent); returns counts by table."""
    gazetteer = registry.gazetteer
    with registry.db.transaction() as conn:
        if conn.execute(select(func.count()).select_from(places)).scalar():
            return {}
        place_rows, alias_rows = [], []
        for place in load_places():
            place_rows.append({"id": new_id("pl"), "code": place.code, "kind": place.kind, "name": place.name,
                               "parent_code": place.parent_code, "name_en": place.name_en})
            seen = set()
            for alias in place.aliases:
                if (alias.text, alias.kind) in seen:
                    continue
                seen.add((alias.text, alias.kind))
                alias_rows.append({"place_code": place.code, "text": alias.text, "key": fold(alias.text),
                                   "script": alias.script, "kind": alias.kind, "source": alias.source})
        conn.execute(places.insert(), place_rows)
        conn.execute(place_aliases.insert(), alias_rows)
        facility_rows = []
        for item in load_facilities():
            town = gazetteer.resolve(item.town or "", context=item.town or "") if item.town else None
            facility_rows.append({"id": new_id("f"), "source_ref": item.source_ref, "name": item.name,
                                  "type": item.type, "source_type": item.source_type, "town": item.town,
                                  "prefecture": item.prefecture, "place_code": town.code if town else None,
                                  "lat": item.lat, "lon": item.lon, "corroboration": item.corroboration,
                                  "credit": FACILITY_CREDIT})
        conn.execute(facilities.insert(), facility_rows)
        registry.audit.append(conn, "reference.load", None, {"places": len(place_rows), "aliases": len(alias_rows),
                                                             "facilities": len(facility_rows)}, actor="system")
    return {"places": len(place_rows), "aliases": len(alias_rows), "facilities": len(facility_rows)}
