"""Property: whatever the records and their consent, the public pages and API show no confidential or
internal field — contacts, notes, summaries, health, resident IDs, testifiers who did not consent to
be named, persons known only from internal or withdrawn testimonies."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testimonia.domain.prc_id import check_character
from testimonia.services import records
from testimonia.services.access import SYSTEM
from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput

from .conftest import new_client

COUNTER = itertools.count()
RESIDENT_ID = "65402219830303123" + check_character("65402219830303123")  # invented
CONSENTS = st.sampled_from(["named", "anonymized", "internal", "withdrawn"])
testimony = st.fixed_dictionaries({"consent": CONSENTS, "with_contacts": st.booleans(), "with_notes": st.booleans(),
                                   "with_summary": st.booleans(), "with_health": st.booleans(),
                                   "with_resident_id": st.booleans()})


def marker(kind: str) -> str:
    return f"Zq{kind}{next(COUNTER):06d}x"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(testimony, min_size=1, max_size=4))
def test_public_output_never_shows_what_consent_does_not_allow(registry, project, drawn):
    secrets, shown_names = [], []
    for t in drawn:
        name, testifier = marker("Name"), marker("Testifier")
        person = PersonInput(names=[NameInput(name)], health=marker("Health") if t["with_health"] else None,
                             resident_id=RESIDENT_ID if t["with_resident_id"] else None)
        pid = records.add_person(registry, SYSTEM, project, person)
        values = TestimonyInput(testifier, consent=t["consent"],
                                contacts=marker("Contact") if t["with_contacts"] else None,
                                summary=marker("Summary") if t["with_summary"] else None,
                                notes=marker("Notes") if t["with_notes"] else None)
        records.add_testimony(registry, SYSTEM, project, values, [pid])
        secrets += [v for v in (person.health, values.contacts, values.summary, values.notes) if v]
        secrets += [RESIDENT_ID] if t["with_resident_id"] else []
        (shown_names if t["consent"] in ("named", "anonymized") else secrets).append(name)
        if t["consent"] != "named":
            secrets.append(testifier)
    client = new_client(registry)
    pages = [client.get("/").text, client.get("/api/persons").text]
    pages += [client.get(f"/api/persons/{p['id']}").text for p in client.get("/api/persons").json()]
    for text in pages:
        leaked = [s for s in secrets if s in text]
        assert not leaked, leaked
    assert all(name in pages[0] for name in shown_names)
