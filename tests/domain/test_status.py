"""The status rule of shared/DESIGN.md, as a table of cases."""

import pytest

from testimonia.domain.status import EventFact, derive_status
from testimonia.domain.vocab import EventType, Status


def ev(i, kind, date=None, source="s1", order=None, dc=False):
    return EventFact(f"e{i}", EventType(kind), date, source, order if order is not None else i, dc)


@pytest.mark.parametrize(("events", "expected", "from_event"), [
    ([ev(1, "sent_to_camp", "2018-03"), ev(2, "sentenced", "2019-01")], Status.PRISON, "e2"),
    ([ev(1, "detained", "2018"), ev(2, "released", "2019-06")], Status.RELEASED, "e2"),
    ([ev(1, "detained", "2018-02", dc=True)], Status.DETENTION_CENTER, "e1"),
    ([ev(1, "detained", "2018-02")], Status.DETAINED, "e1"),
    ([ev(1, "passport_confiscated", "2018-01"), ev(2, "house_arrest", "2018-01")], Status.HOUSE_ARREST, "e2"),
    ([ev(1, "exit_ban", "2017")], Status.DOCUMENTS_CONFISCATED, "e1"),
    # a tie goes to the more restrictive
    ([ev(1, "released", "2019"), ev(2, "died", "2019")], Status.DIED, "e2"),
    ([ev(1, "sent_to_camp", "2018"), ev(2, "sentenced", "2018")], Status.PRISON, "e2"),
    # the latest possible day decides: 2018 (to 31 Dec) is after 2018-06-01
    ([ev(1, "released", "2018-06-01"), ev(2, "sent_to_camp", "2018")], Status.CAMP, "e2"),
    ([ev(1, "sent_to_camp", "2017/2018"), ev(2, "released", "2018-03")], Status.CAMP, "e1"),
    # events that change nothing
    ([ev(1, "detained", "2018"), ev(2, "interrogated", "2019"), ev(3, "surveillance", "2020")], Status.DETAINED, "e1"),
    # an undated event follows the dated events of its own source told before it
    ([ev(1, "sent_to_camp", "2018-03", order=0), ev(2, "released", None, order=1)], Status.RELEASED, "e2"),
    ([ev(1, "released", None, order=0), ev(2, "sent_to_camp", "2018-03", order=1)], Status.CAMP, "e2"),
    ([ev(1, "sent_to_camp", "2019", source="a", order=0), ev(2, "released", None, source="b", order=5)], Status.CAMP, "e1"),
])
def test_status_rule(events, expected, from_event):
    derived = derive_status(events)
    assert derived.status is expected
    assert derived.event_id == from_event


def test_never_detained_has_no_status():
    assert derive_status([ev(1, "emigrated", "2008"), ev(2, "surveillance", "2019")]) is None


def test_detained_without_status_event_is_unknown():
    assert derive_status([ev(1, "transferred", "2019")]).status is Status.UNKNOWN
    assert derive_status([], detained=True).status is Status.UNKNOWN
