"""Statistics: fractional counts for uncertain dates and ages, small counts withheld in public, SVG."""

import datetime as dt

from testimonia.services import records, statistics
from testimonia.services.access import SYSTEM
from testimonia.services.inputs import EventInput, NameInput, PersonInput, TestimonyInput


def _person(registry, project, name, consent="named", **fields):
    pid = records.add_person(registry, SYSTEM, project, PersonInput(names=[NameInput(name)], **fields))
    records.add_testimony(registry, SYSTEM, project, TestimonyInput("Testifier", consent=consent), [pid])
    return pid


def test_uncertain_dates_and_ages_count_in_parts(registry, project):
    a = _person(registry, project, "Person One", birth_date="197X", hometown="Nilka County")
    b = _person(registry, project, "Person Two", age_years=45, age_at="2018", hometown="Nilka County")
    records.add_event(registry, SYSTEM, a, EventInput("detained", date="2018/2019"))
    records.add_event(registry, SYSTEM, b, EventInput("detained", date="2018-04"))
    stats = statistics.statistics(registry, SYSTEM, today=dt.date(2026, 11, 29))
    years = dict(stats["by_year"])
    assert abs(years[2018] - 1.5) < 0.01 and abs(years[2019] - 0.5) < 0.01  # one sure, one half-and-half
    ages = dict(stats["by_age"])
    assert ages["50–59"] > 1.0 and abs(sum(ages.values()) - 2.0) < 0.01  # born 197X: 47–56 today, spread
    assert dict(stats["by_county"])["Nilka"] == 2


def test_public_statistics_withhold_small_counts_and_unpublishable_persons(registry, project, client):
    for k in range(3):
        _person(registry, project, f"Published {k}", hometown="Nilka County")
    _person(registry, project, "Internal Only", consent="internal", hometown="Nilka County")
    public = statistics.statistics(registry, None)
    assert public["persons"] == 3
    assert dict(public["by_county"])["Nilka"] is None  # fewer than 5
    page = client.get("/public/statistics")
    assert page.status_code == 200 and "<svg" in page.text and "fewer than 5" in page.text
    assert "Internal Only" not in page.text


def test_the_statistics_page_draws_charts_and_the_facility_map(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, project, "Held Person", hometown="Nilka County")
    records.add_event(registry, SYSTEM, pid, EventInput("sent_to_camp", date="2018", facility="BFN:106"))
    page = browser.get("/statistics")
    assert page.status_code == 200 and page.text.count("<svg") >= 5
    assert "<circle" in page.text  # the facility, placed by its coordinates
