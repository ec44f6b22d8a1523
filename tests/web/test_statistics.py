"""Statistics: fractional counts for uncertain dates and ages, small counts withheld in public, SVG."""

import datetime as dt
from collections import Counter

from testimonia.services import records, statistics
from testimonia.services.access import SYSTEM
from testimonia.services.inputs import EventInput, NameInput, PersonInput, TestimonyInput
from testimonia.services.search import Filters


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
    assert public["persons"] is None and dict(public["by_county"])["Nilka"] is None  # 3: fewer than 5
    assert all(n is None for table in ("by_status", "by_prefecture", "by_county") for _, n in public[table])
    page = client.get("/public/statistics")
    assert page.status_code == 200 and "<svg" in page.text and "Fewer than 5 persons" in page.text
    assert "not shown" in page.text and "Internal Only" not in page.text
    assert statistics.statistics(registry, SYSTEM)["persons"] == 4  # signed in, nothing is withheld
    for k in range(2):
        _person(registry, project, f"Published {k + 3}", hometown="Nilka County")
    assert statistics.statistics(registry, None)["persons"] == 5  # the internal record does not count


def test_a_withheld_count_cannot_be_worked_out_from_the_totals(registry, project, client):
    for county, n in (("Nilka County", 3), ("Gongliu County", 6), ("Xinyuan County", 9)):  # all in Ili prefecture
        for k in range(n):
            _person(registry, project, f"Person {county} {k}", hometown=county)
    public = statistics.statistics(registry, None)
    assert dict(public["by_prefecture"]) == {"Ili": 18}
    # Nilka's 3 is withheld, and with it Gongliu's 6, else 18 - 6 - 9 would give it away.
    assert public["by_county"] == [("Xinyuan", 9), ("Gongliu", None), ("Nilka", None)]
    narrowed = statistics.statistics(registry, None, Filters(county="Nilka County"))
    assert narrowed["persons"] is None and all(n is None for _, n in narrowed["by_status"])
    page = client.get("/public/statistics", params={"county": "Nilka County"})
    assert "Fewer than 5 persons" in page.text and ">3<" not in page.text


def test_withholding_keeps_two_cells_that_together_reach_the_threshold():
    counts = Counter({"a": 1, "b": 2, "c": 3, "d": 40})
    assert statistics._withheld(counts, complete=True) == {"a": None, "b": None, "c": None, "d": 40}
    assert statistics._withheld(Counter({"a": 4, "b": 5, "c": 7}), complete=True) == {"a": None, "b": None, "c": 7}
    assert statistics._withheld(Counter({"a": 4, "b": 5}), complete=False) == {"a": None, "b": 5}
    assert statistics._withheld(Counter({"a": 5, "b": 6}), complete=True) == {"a": 5, "b": 6}


def test_the_statistics_page_draws_charts_and_the_facility_map(registry, project, signed_in):
    browser, editor = signed_in("editor")
    pid = _person(registry, project, "Held Person", hometown="Nilka County")
    records.add_event(registry, SYSTEM, pid, EventInput("sent_to_camp", date="2018", facility="BFN:106"))
    page = browser.get("/statistics")
    assert page.status_code == 200 and page.text.count("<svg") >= 5
    assert "<circle" in page.text  # the facility, placed by its coordinates


def test_a_withdrawn_testimony_s_events_count_for_admins_only(registry, project, make_user, admin):
    from testimonia.services.inputs import SourceInput

    researcher = make_user("researcher")
    pid = _person(registry, project, "Person One")
    told = records.add_source(registry, SYSTEM, project, SourceInput("testimony"))
    tid = records.add_testimony(registry, SYSTEM, project, TestimonyInput("Her brother"), [pid], told)
    records.add_event(registry, SYSTEM, pid, EventInput("detained", date="2018-04"), told)
    assert dict(statistics.statistics(registry, researcher)["by_year"]) == {2018: 1.0}
    records.set_consent(registry, SYSTEM, tid, "withdrawn")
    assert dict(statistics.statistics(registry, researcher)["by_year"]) == {}
    assert dict(statistics.statistics(registry, None)["by_year"]) == {}
    assert dict(statistics.statistics(registry, admin)["by_year"]) == {2018: 1.0}


def test_counts_are_kept_until_the_registry_changes_and_per_kind_of_reader(registry, project, make_user,
                                                                          monkeypatch):
    counted = []
    count = statistics._counted
    monkeypatch.setattr(statistics, "_counted", lambda *args: counted.append(args[1]) or count(*args))
    researcher = make_user("researcher")
    _person(registry, project, "Person One", hometown="Nilka County")
    first = statistics.statistics(registry, researcher)
    assert statistics.statistics(registry, researcher) is first and len(counted) == 1
    assert dict(statistics.statistics(registry, researcher, Filters(status="detained"))["by_county"]) == {}
    statistics.statistics(registry, None)  # the public's counts are their own
    assert len(counted) == 3
    _person(registry, project, "Person Two", hometown="Nilka County")  # a change: counted anew
    assert dict(statistics.statistics(registry, researcher)["by_county"])["Nilka"] == 2 and len(counted) == 4
